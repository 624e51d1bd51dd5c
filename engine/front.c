/*
** Loading and measuring a study's Pareto front.
*/
#include "front.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../search/pareto.h"
#include "error.h"

typedef struct {
    hp_front *f;
    const hp_objectives *o;
    const hp_constraints *c;
    double *cv;      /* n x c->n: the constrained metrics' values */
    int cap;
    int oom;
} load_ctx;

/* Rows come in number order, one per metric: a trial's row of values is
** opened at its first metric. */
static int take(void *ctx, int64_t number, const char *name, double value)
{
    load_ctx *c = ctx;
    hp_front *f = c->f;
    int k = c->o->n, m = c->c ? c->c->n : 0;
    if (f->n == 0 || f->numbers[f->n - 1] != number) {
        if (f->n == c->cap) {
            int cap = c->cap ? c->cap * 2 : 64;
            int64_t *nn = realloc(f->numbers, sizeof(int64_t) * (size_t)cap);
            if (nn)
                f->numbers = nn;
            double *nv = realloc(f->values, sizeof(double) * (size_t)cap * (size_t)k);
            if (nv)
                f->values = nv;
            double *ncv = realloc(c->cv, sizeof(double) * ((size_t)cap * (size_t)m + 1));
            if (ncv)
                c->cv = ncv;
            if (!nn || !nv || !ncv) {
                c->oom = 1;
                return 1;
            }
            c->cap = cap;
        }
        f->numbers[f->n] = number;
        for (int j = 0; j < k; j++)
            f->values[(size_t)f->n * (size_t)k + (size_t)j] = NAN;
        for (int j = 0; j < m; j++)
            c->cv[(size_t)f->n * (size_t)m + (size_t)j] = NAN;
        f->n++;
    }
    for (int j = 0; j < k; j++)
        if (strcmp(c->o->names[j], name) == 0)
            f->values[(size_t)(f->n - 1) * (size_t)k + (size_t)j] = value;
    for (int j = 0; j < m; j++)
        if (strcmp(c->c->names[j], name) == 0)
            c->cv[(size_t)(f->n - 1) * (size_t)m + (size_t)j] = value;
    return 0;
}

int front_load(hp_store *store, int64_t study_id, const hp_objectives *o,
               const hp_constraints *cons, hp_front *f, char *err)
{
    memset(f, 0, sizeof *f);
    load_ctx c = {f, o, cons && cons->n > 0 ? cons : NULL, NULL, 0, 0};
    int rc = store_finals_since(store, study_id, 0, take, &c, err);
    if (rc)
        goto fail;
    if (c.oom)
        goto oom;
    /* keep the feasible trials with every objective finite */
    int k = o->n, m = 0, nc = c.c ? c.c->n : 0;
    for (int i = 0; i < f->n; i++) {
        const double *v = f->values + (size_t)i * (size_t)k;
        int ok = 1;
        for (int j = 0; j < k; j++)
            ok &= isfinite(v[j]) != 0;
        if (!ok)
            continue;
        if (nc && constraints_violation(c.c, c.cv + (size_t)i * (size_t)nc) > 0) {
            f->infeasible++;
            continue;
        }
        f->numbers[m] = f->numbers[i];
        memmove(f->values + (size_t)m * (size_t)k, v, sizeof(double) * (size_t)k);
        m++;
    }
    f->n = m;
    double *minimised = malloc(sizeof(double) * ((size_t)m + 1) * (size_t)k);
    f->rank = malloc(sizeof(int) * ((size_t)m + 1));
    if (!minimised || !f->rank) {
        free(minimised);
        goto oom;
    }
    for (int i = 0; i < m; i++)
        objectives_to_min(o, f->values + (size_t)i * (size_t)k, minimised + (size_t)i * (size_t)k);
    int ranks = pareto_ranks(minimised, m, k, f->rank);
    free(minimised);
    if (ranks < 0)
        goto oom;
    for (int i = 0; i < m; i++)
        f->front += f->rank[i] == 0;
    free(c.cv);
    return HP_OK;
oom:
    snprintf(err, HP_ERR_LEN, "out of memory");
    rc = HP_ENOMEM;
fail:
    free(c.cv);
    front_free(f);
    return rc;
}

void front_free(hp_front *f)
{
    free(f->numbers);
    free(f->values);
    free(f->rank);
    memset(f, 0, sizeof *f);
}

double front_hypervolume(const hp_front *f, const hp_objectives *o)
{
    int k = o->n;
    if (f->n < 1)
        return NAN;
    double lo[HP_MAX_OBJECTIVES], hi[HP_MAX_OBJECTIVES], ref[HP_MAX_OBJECTIVES];
    double *p = malloc(sizeof(double) * (size_t)f->front * (size_t)k + 1);
    if (!p)
        return NAN;
    for (int j = 0; j < k; j++) {
        lo[j] = INFINITY;
        hi[j] = -INFINITY;
        ref[j] = 1.1;
    }
    for (int i = 0; i < f->n; i++) {
        double m[HP_MAX_OBJECTIVES];
        objectives_to_min(o, f->values + (size_t)i * (size_t)k, m);
        for (int j = 0; j < k; j++) {
            lo[j] = fmin(lo[j], m[j]);
            hi[j] = fmax(hi[j], m[j]);
        }
    }
    int q = 0;
    for (int i = 0; i < f->n; i++) {
        if (f->rank[i] != 0)
            continue;
        double m[HP_MAX_OBJECTIVES];
        objectives_to_min(o, f->values + (size_t)i * (size_t)k, m);
        for (int j = 0; j < k; j++)
            p[(size_t)q * (size_t)k + (size_t)j] = hi[j] > lo[j] ? (m[j] - lo[j]) / (hi[j] - lo[j]) : 0;
        q++;
    }
    double hv = pareto_hypervolume(p, q, k, ref);
    free(p);
    return hv;
}

int front_members(const hp_front *f, const hp_objectives *o, int *idx)
{
    int m = 0;
    for (int i = 0; i < f->n; i++)
        if (f->rank[i] == 0)
            idx[m++] = i;
    /* insertion sort by the first objective, best first: fronts are small */
    int k = o->n, up = o->maximize[0];
    for (int a = 1; a < m; a++) {
        int v = idx[a], b = a;
        double x = f->values[(size_t)v * (size_t)k];
        while (b > 0) {
            double y = f->values[(size_t)idx[b - 1] * (size_t)k];
            if (up ? y >= x : y <= x)
                break;
            idx[b] = idx[b - 1];
            b--;
        }
        idx[b] = v;
    }
    return m;
}
