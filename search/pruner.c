#include "pruner.h"

#include <math.h>
#include <stdlib.h>

int pruner_is_rung(const hp_pruner_config *cfg, int step)
{
    long r = cfg->min_resource > 0 ? cfg->min_resource : 1;
    int eta = cfg->reduction >= 2 ? cfg->reduction : 3;
    for (; r <= step; r *= eta) {
        if (cfg->max_resource > 0 && r >= cfg->max_resource)
            return 0; /* the last epoch is the end, not a rung */
        if (r == step)
            return 1;
    }
    return 0;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts the finite values of V (n) into OUT; returns their count. */
static int finite_sorted(const double *v, int n, double *out)
{
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]))
            out[m++] = v[i];
    qsort(out, (size_t)m, sizeof *out, cmp);
    return m;
}

int pruner_median_prune(const hp_pruner_config *cfg, int number, int step,
                        double best_so_far, const double *others, int n)
{
    if (number < cfg->warmup_trials || step < cfg->min_resource || n == 0)
        return 0;
    if (!isfinite(best_so_far))
        return 1; /* a NaN curve is worse than any */
    double *v = malloc(sizeof(double) * (size_t)n);
    if (!v)
        return 0; /* no memory: never stop a trial for that */
    int m = finite_sorted(others, n, v);
    int prune = 0;
    if (m > 0) {
        double median = m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
        prune = cfg->maximize ? best_so_far < median : best_so_far > median;
    }
    free(v);
    return prune;
}

int pruner_asha_prune(const hp_pruner_config *cfg, int step, double value,
                      const double *others, int n)
{
    if (!pruner_is_rung(cfg, step))
        return 0;
    if (!isfinite(value))
        return 1;
    double *v = malloc(sizeof(double) * ((size_t)n + 1));
    if (!v)
        return 0;
    int m = finite_sorted(others, n, v);
    v[m++] = value;
    qsort(v, (size_t)m, sizeof *v, cmp);
    int eta = cfg->reduction >= 2 ? cfg->reduction : 3;
    int keep = m / eta;
    if (keep < 1)
        keep = 1;
    /* the keep-th best value is the bar; ties at the bar go on */
    double bar = cfg->maximize ? v[m - keep] : v[keep - 1];
    free(v);
    return cfg->maximize ? value < bar : value > bar;
}
