#include "report_stats.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    double x, y;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    double u = ((const pair *)a)->x, v = ((const pair *)b)->x;
    return u < v ? -1 : u > v;
}

int stats_importance(const double *x, const double *y, int n, int d, int bins,
                     double *importance)
{
    if (n < 4 || d < 1)
        return -1;
    double mean = 0, total = 0;
    for (int i = 0; i < n; i++)
        mean += y[i];
    mean /= n;
    for (int i = 0; i < n; i++)
        total += (y[i] - mean) * (y[i] - mean);
    if (!(total > 0))
        return -1;
    if (bins < 2)
        bins = 2;
    if (bins > n / 2)
        bins = n / 2 > 2 ? n / 2 : 2;
    pair *p = malloc(sizeof *p * (size_t)n);
    if (!p)
        return -1;
    for (int j = 0; j < d; j++) {
        for (int i = 0; i < n; i++) {
            p[i].x = x[(size_t)i * (size_t)d + (size_t)j];
            p[i].y = y[i];
        }
        qsort(p, (size_t)n, sizeof *p, cmp_pair);
        double between = 0;
        int used_bins = 0, start = 0;
        while (start < n) {
            /* about n / bins per bin, extended over ties */
            int end = start + (n + bins - 1) / bins;
            if (end > n)
                end = n;
            while (end < n && p[end].x == p[end - 1].x)
                end++;
            double m = 0;
            for (int i = start; i < end; i++)
                m += p[i].y;
            m /= end - start;
            between += (double)(end - start) * (m - mean) * (m - mean);
            used_bins++;
            start = end;
        }
        /* what used_bins bins of pure noise would explain on average */
        double noise = (double)(used_bins - 1) / (n - 1) * total;
        double share = (between - noise) / total;
        importance[j] = share > 0 ? (share < 1 ? share : 1) : 0;
    }
    free(p);
    return 0;
}

int stats_surface(const double *a, const double *b, const double *y, int n, int g, double h,
                  double *out)
{
    if (n < 1 || g < 1)
        return -1;
    double inv = 1 / (2 * h * h);
    for (int r = 0; r < g; r++)
        for (int c = 0; c < g; c++) {
            double u = (c + 0.5) / g, v = (r + 0.5) / g, wsum = 0, s = 0;
            for (int i = 0; i < n; i++) {
                double du = a[i] - u, dv = b[i] - v;
                double w = exp(-(du * du + dv * dv) * inv);
                wsum += w;
                s += w * y[i];
            }
            /* no point within about 2.5 bandwidths: no data there */
            out[r * g + c] = wsum >= 0.05 ? s / wsum : NAN;
        }
    return 0;
}

int stats_sample(int n, int k, const unsigned char *keep, int *out)
{
    int kept = 0;
    for (int i = 0; i < n; i++)
        kept += keep && keep[i];
    if (n <= k) {
        for (int i = 0; i < n; i++)
            out[i] = i;
        return n;
    }
    int room = k - kept;
    int m = 0;
    /* every stride-th of the others, plus every kept one, in order */
    double stride = room > 0 ? (double)(n - kept) / room : INFINITY;
    double next = 0;
    int other = 0;
    for (int i = 0; i < n; i++) {
        if (keep && keep[i]) {
            out[m++] = i;
            continue;
        }
        if (room > 0 && other >= next) {
            out[m++] = i;
            next += stride;
        }
        other++;
    }
    return m;
}

int stats_spans_decades(const double *y, int n)
{
    double lo = INFINITY, hi = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(y[i]) && y[i] > 0) {
            lo = y[i] < lo ? y[i] : lo;
            hi = y[i] > hi ? y[i] : hi;
        }
    return hi > 0 && lo < INFINITY && hi / lo > 100;
}
