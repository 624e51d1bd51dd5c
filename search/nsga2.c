/*
** NSGA-II (Deb, Pratap, Agarwal and Meyarivan 2002) for multi-objective
** studies, as a steady-state sampler: each proposal breeds one child from
** the current population, the `population` (50) best finished trials by
** non-dominated rank, then crowding distance (so the population is the
** elitist (mu + lambda) selection over everything evaluated).  Parents come
** from binary tournaments (lower rank, then larger crowding distance);
** the child is their simulated binary crossover (probability 0.9,
** eta 15) on numerical coordinates and a uniform one on categorical ones,
** then polynomial mutation (eta 20) or, for a categorical, a new draw,
** each coordinate with probability 1/d.  Failed trials are left out.
**
** Until `population` trials have values, proposals are the random
** sampler's, depending on (study seed, trial number) alone.  A later one
** depends on those and on its trial's seed stream.  The sampler works in
** the unit cube, so log scales, integers and steps are the space's.
**
** A single-objective study is the same algorithm with one objective.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pareto.h"
#include "sampler_impl.h"
#include "seed.h"

#define NSGA2_POPULATION 50
#define NSGA2_CROSSOVER 0.9
#define NSGA2_ETA_C 15.0
#define NSGA2_ETA_M 20.0

typedef struct {
    const hp_space *space;
    uint64_t seed;
    int dim, k, population;
    int maximize[HP_MAX_OBJECTIVES];
    int *choices;        /* per coordinate: 0 numerical, else its choices */
    double *u;           /* dim: the child */
} nsga2_state;

static void nsga2_destroy(void *state)
{
    nsga2_state *s = state;
    if (!s)
        return;
    free(s->choices);
    free(s->u);
    free(s);
}

static int nsga2_create(const hp_space *space, uint64_t seed, const hp_sampler_options *opt,
                        void **state, char *err)
{
    nsga2_state *s = calloc(1, sizeof *s);
    if (!s)
        goto oom;
    s->space = space;
    s->seed = seed;
    s->dim = space_dim(space);
    s->k = opt->n_objectives > 1 ? opt->n_objectives : 1;
    if (s->k == 1)
        s->maximize[0] = opt->maximize;
    else
        memcpy(s->maximize, opt->maximize_objective, sizeof s->maximize);
    s->population = opt->population > 0 ? opt->population : NSGA2_POPULATION;
    s->choices = calloc((size_t)s->dim + 1, sizeof *s->choices);
    s->u = calloc((size_t)s->dim + 1, sizeof *s->u);
    if (!s->choices || !s->u)
        goto oom;
    int k = 0;
    for (int i = 0; i < space_size(space); i++) {
        const hp_param *p = space_param(space, i);
        if (p->kind == HP_PARAM_FIXED)
            continue;
        s->choices[k++] = p->kind == HP_PARAM_CHOICE ? p->n_choices : 0;
    }
    *state = s;
    return 0;
oom:
    nsga2_destroy(s);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return -1;
}

static uint64_t nsga2_capacity(const void *state)
{
    (void)state;
    return UINT64_MAX;
}

/* The objectives of finished trial I, minimised, into OUT; 0 if it failed. */
static int objectives_of(const nsga2_state *s, const hp_history *h, int i, double *out)
{
    for (int j = 0; j < s->k; j++) {
        double v = s->k > 1 ? h->ys[(size_t)i * (size_t)s->k + (size_t)j] : h->y[i];
        if (!isfinite(v))
            return 0;
        out[j] = s->maximize[j] ? -v : v;
    }
    return 1;
}

typedef struct {
    int trial;      /* index into the history */
    int rank;
    double crowding;
} member;

static int compare_member(const void *a, const void *b)
{
    const member *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    if (x->crowding != y->crowding)
        return x->crowding > y->crowding ? -1 : 1;
    return x->trial - y->trial;
}

/* 1 when A wins the tournament against B. */
static int better(const member *a, const member *b)
{
    return compare_member(a, b) <= 0;
}

/* The population: the best s->population of the M valid trials, sorted.
** Returns its size, or -1 when out of memory. */
static int select_population(const nsga2_state *s, const double *f, const int *trial, int m,
                             member *pop)
{
    int *rank = malloc(sizeof(int) * ((size_t)m + 1));
    int *idx = malloc(sizeof(int) * ((size_t)m + 1));
    double *dist = malloc(sizeof(double) * ((size_t)m + 1));
    int fronts = rank && idx && dist ? pareto_ranks(f, m, s->k, rank) : -1;
    if (fronts < 0) {
        free(rank);
        free(idx);
        free(dist);
        return -1;
    }
    int n = 0;
    for (int r = 0; r < fronts && n < s->population; r++) {
        int q = 0;
        for (int i = 0; i < m; i++)
            if (rank[i] == r)
                idx[q++] = i;
        pareto_crowding(f, s->k, idx, q, dist);
        member *front = pop + n;
        for (int a = 0; a < q; a++)
            front[a] = (member){trial[idx[a]], r, dist[a]};
        /* the last front that fits only in part keeps its least crowded */
        qsort(front, (size_t)q, sizeof *front, compare_member);
        n += q < s->population - n ? q : s->population - n;
    }
    free(rank);
    free(idx);
    free(dist);
    return n;
}

/* Simulated binary crossover of A and B in [0, 1) with draw R (and draw S
** choosing which child). */
static double sbx(double a, double b, double r, double side)
{
    if (fabs(a - b) < 1e-14)
        return a;
    double lo = fmin(a, b), hi = fmax(a, b);
    double beta_q;
    double beta = 1 + 2 * lo / (hi - lo), alpha = 2 - pow(beta, -(NSGA2_ETA_C + 1));
    beta_q = r <= 1 / alpha ? pow(r * alpha, 1 / (NSGA2_ETA_C + 1))
                            : pow(1 / (2 - r * alpha), 1 / (NSGA2_ETA_C + 1));
    double c1 = 0.5 * (lo + hi - beta_q * (hi - lo));
    beta = 1 + 2 * (1 - hi) / (hi - lo);
    alpha = 2 - pow(beta, -(NSGA2_ETA_C + 1));
    beta_q = r <= 1 / alpha ? pow(r * alpha, 1 / (NSGA2_ETA_C + 1))
                            : pow(1 / (2 - r * alpha), 1 / (NSGA2_ETA_C + 1));
    double c2 = 0.5 * (lo + hi + beta_q * (hi - lo));
    double c = side < 0.5 ? c1 : c2;
    return fmin(fmax(c, 0), 1 - 1e-12);
}

/* Polynomial mutation of X in [0, 1) with draw R. */
static double mutate(double x, double r)
{
    double d1 = x, d2 = 1 - x, q;
    if (r < 0.5) {
        double v = 2 * r + (1 - 2 * r) * pow(1 - d1, NSGA2_ETA_M + 1);
        q = pow(v, 1 / (NSGA2_ETA_M + 1)) - 1;
    } else {
        double v = 2 * (1 - r) + 2 * (r - 0.5) * pow(1 - d2, NSGA2_ETA_M + 1);
        q = 1 - pow(v, 1 / (NSGA2_ETA_M + 1));
    }
    return fmin(fmax(x + q, 0), 1 - 1e-12);
}

static int nsga2_propose(void *state, uint64_t number, const hp_history *h, hp_value *out,
                         char *err)
{
    nsga2_state *s = state;
    int dim = s->dim, n = h ? h->n : 0;
    uint64_t stream = seed_for_trial(s->seed, SEED_STREAM_SAMPLER, number);
    double *f = malloc(sizeof(double) * ((size_t)n + 1) * (size_t)s->k);
    int *trial = malloc(sizeof(int) * ((size_t)n + 1));
    member *pop = malloc(sizeof(member) * ((size_t)n + 1));
    if (!f || !trial || !pop)
        goto oom;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (objectives_of(s, h, i, f + (size_t)m * (size_t)s->k))
            trial[m++] = i;
    if (m < s->population || dim == 0) {
        /* the random sampler's point for this trial */
        for (int j = 0; j < dim; j++)
            s->u[j] = seed_unit(stream, (uint64_t)j);
        goto decode;
    }
    int size = select_population(s, f, trial, m, pop);
    if (size < 0)
        goto oom;
    /* draws past the random sampler's first dim ones */
    uint64_t k = (uint64_t)dim;
    const member *parent[2];
    for (int p = 0; p < 2; p++) {
        const member *a = &pop[(int)(seed_unit(stream, k++) * size) % size];
        const member *b = &pop[(int)(seed_unit(stream, k++) * size) % size];
        parent[p] = better(a, b) ? a : b;
    }
    const double *xa = h->x + (size_t)parent[0]->trial * (size_t)dim;
    const double *xb = h->x + (size_t)parent[1]->trial * (size_t)dim;
    int cross = seed_unit(stream, k++) < NSGA2_CROSSOVER;
    for (int j = 0; j < dim; j++) {
        double a = xa[j], b = xb[j];
        double r1 = seed_unit(stream, k++), r2 = seed_unit(stream, k++);
        double r3 = seed_unit(stream, k++), r4 = seed_unit(stream, k++);
        /* a coordinate inactive in a parent (NaN) takes the other's, or a
           fresh draw when inactive in both */
        if (isnan(a))
            a = isnan(b) ? r1 : b;
        if (isnan(b))
            b = a;
        double c;
        if (!cross)
            c = a;
        else if (s->choices[j])
            c = r2 < 0.5 ? a : b;
        else
            c = sbx(a, b, r1, r2);
        if (r3 < 1.0 / dim)
            c = s->choices[j] ? r4 : mutate(c, r4);
        s->u[j] = c;
    }
decode:
    free(f);
    free(trial);
    free(pop);
    space_decode(s->space, s->u, out);
    return 0;
oom:
    free(f);
    free(trial);
    free(pop);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return -1;
}

static int nsga2_initial_trials(const void *state, int finished)
{
    (void)finished;
    return ((const nsga2_state *)state)->population;
}

const hp_sampler_kind sampler_nsga2_kind = {
    "nsga2", nsga2_create, nsga2_destroy, nsga2_capacity, nsga2_propose, 1, NULL, NULL, NULL,
    nsga2_initial_trials, NULL, NULL, NULL, NULL,
};
