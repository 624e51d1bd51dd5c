/*
** Whether the objective is noisy, found out from configurations evaluated
** more than once.  Nobody has to say it: a study whose objective is a
** program or a value told through `tell` repeats its best trial once after
** the initial design (sampler_gp.c), and the two values settle it.
**
** Coordinates are compared on a grid of 2^-32: a configuration decoded
** from its point and encoded again lands within a few ulps of where it
** was, while two different proposals are never that close.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sampler_gp_impl.h"

/* Two values of one configuration are the same when they agree to this
** relative tolerance: a program printing its result rounds it. */
#define SAME_VALUE_REL 1e-9
#define COORD_GRID 4294967296.0

typedef struct {
    const int64_t *key; /* d quantised coordinates; INT64_MIN = inactive */
    int d;
    int index;          /* the row of the history */
    double y;
} repeat_row;

static int cmp_rows(const void *a, const void *b)
{
    const repeat_row *p = a, *q = b;
    for (int j = 0; j < p->d; j++)
        if (p->key[j] != q->key[j])
            return p->key[j] < q->key[j] ? -1 : 1;
    return 0;
}

static int cmp_rows_then_index(const void *a, const void *b)
{
    int c = cmp_rows(a, b);
    if (c)
        return c;
    const repeat_row *p = a, *q = b;
    return (p->index > q->index) - (p->index < q->index);
}

/* Rows in configuration order, equal ones by history row: the complete
** trials of H, N of them, in *ROWS with their keys in *KEYS (the caller
** frees both).  -1 when out of memory. */
static int sorted_rows(const hp_history *h, int d, int64_t **keys_out, repeat_row **rows_out,
                       int *n_out)
{
    int64_t *keys = malloc(sizeof(int64_t) * (size_t)h->n * (size_t)d);
    repeat_row *rows = malloc(sizeof(repeat_row) * (size_t)h->n);
    if (!keys || !rows) {
        free(keys);
        free(rows);
        return -1;
    }
    int n = 0;
    for (int i = 0; i < h->n; i++) {
        if (!isfinite(h->y[i]))
            continue; /* a failed evaluation says nothing about noise */
        int64_t *key = keys + (size_t)n * (size_t)d;
        for (int j = 0; j < d; j++) {
            double u = h->x[(size_t)i * (size_t)d + (size_t)j];
            key[j] = u == u ? (int64_t)llround(u * COORD_GRID) : INT64_MIN;
        }
        rows[n++] = (repeat_row){key, d, i, h->y[i]};
    }
    qsort(rows, (size_t)n, sizeof *rows, cmp_rows_then_index);
    *keys_out = keys;
    *rows_out = rows;
    *n_out = n;
    return 0;
}

static int same_value(double a, double b)
{
    return fabs(a - b) <= SAME_VALUE_REL * fmax(1.0, fmax(fabs(a), fabs(b)));
}

int gp_repeat_verdict(const hp_history *h, int d)
{
    if (h->n < 2 || d < 1)
        return -1;
    int64_t *keys;
    repeat_row *rows;
    int n;
    if (sorted_rows(h, d, &keys, &rows, &n))
        return -1; /* not known: the model learns its noise as it would */
    int verdict = -1;
    for (int i = 1; i < n && verdict != 0; i++)
        if (cmp_rows(&rows[i - 1], &rows[i]) == 0)
            verdict = same_value(rows[i - 1].y, rows[i].y);
    free(keys);
    free(rows);
    return verdict;
}

int gp_repeat_later(const hp_history *h, int d, unsigned char *later)
{
    memset(later, 0, (size_t)h->n);
    if (h->n < 2 || d < 1)
        return 0;
    int64_t *keys;
    repeat_row *rows;
    int n;
    if (sorted_rows(h, d, &keys, &rows, &n))
        return -1;
    for (int i = 1; i < n; i++)
        if (cmp_rows(&rows[i - 1], &rows[i]) == 0)
            later[rows[i].index] = 1;
    free(keys);
    free(rows);
    return 0;
}

int gp_repeat_row(const hp_history *h, int d, int maximize)
{
    int best = -1;
    for (int i = 0; i < h->n; i++)
        if (isfinite(h->y[i]) &&
            (best < 0 || (maximize ? h->y[i] > h->y[best] : h->y[i] < h->y[best])))
            best = i;
    if (best < 0)
        return -1;
    /* a worker already running it is the repeat */
    const double *b = h->x + (size_t)best * (size_t)d;
    for (int r = 0; r < h->n_running; r++) {
        const double *x = h->x_running + (size_t)r * (size_t)d;
        int same = 1;
        for (int j = 0; j < d && same; j++)
            same = x[j] != x[j] || b[j] != b[j]
                       ? x[j] != x[j] && b[j] != b[j]
                       : llround(x[j] * COORD_GRID) == llround(b[j] * COORD_GRID);
        if (same)
            return -1;
    }
    return best;
}
