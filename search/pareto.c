/*
** Pareto fronts.  The sort is Deb's fast non-dominated sort, O(k n^2); the
** hypervolume in 3 objectives sweeps the third one and measures the 2-D
** front of the points below each level, O(n^2 log n): studies hold at most
** a few thousand trials, and status or a benchmark asks for it once.
*/
#include "pareto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int pareto_dominates(const double *a, const double *b, int k)
{
    int better = 0;
    for (int j = 0; j < k; j++) {
        if (a[j] > b[j])
            return 0;
        better |= a[j] < b[j];
    }
    return better;
}

static int has_nan(const double *a, int k)
{
    for (int j = 0; j < k; j++)
        if (isnan(a[j]))
            return 1;
    return 0;
}

int pareto_ranks(const double *y, int n, int k, int *rank)
{
    int *count = calloc((size_t)n + 1, sizeof(int));   /* how many dominate i */
    int *front = malloc(sizeof(int) * ((size_t)n + 1));
    int *next = malloc(sizeof(int) * ((size_t)n + 1));
    if (!count || !front || !next) {
        free(count);
        free(front);
        free(next);
        return -1;
    }
    int valid = 0;
    for (int i = 0; i < n; i++) {
        rank[i] = -1;
        if (has_nan(y + (size_t)i * k, k))
            continue;
        valid++;
        for (int j = 0; j < n; j++)
            if (j != i && !has_nan(y + (size_t)j * k, k) &&
                pareto_dominates(y + (size_t)j * k, y + (size_t)i * k, k))
                count[i]++;
    }
    int m = 0, r = 0, done = 0;
    for (int i = 0; i < n; i++)
        if (rank[i] < 0 && !has_nan(y + (size_t)i * k, k) && count[i] == 0)
            front[m++] = i;
    while (m > 0) {
        int mn = 0;
        for (int a = 0; a < m; a++)
            rank[front[a]] = r;
        done += m;
        for (int a = 0; a < m; a++)
            for (int j = 0; j < n; j++)
                if (rank[j] < 0 && !has_nan(y + (size_t)j * k, k) &&
                    pareto_dominates(y + (size_t)front[a] * k, y + (size_t)j * k, k) &&
                    --count[j] == 0)
                    next[mn++] = j;
        memcpy(front, next, sizeof(int) * (size_t)mn);
        m = mn;
        r++;
    }
    for (int i = 0; i < n; i++)
        if (rank[i] < 0)
            rank[i] = r; /* NaN: after every front */
    free(count);
    free(front);
    free(next);
    return r + (done < n);
}

/* qsort has no context argument: sort (value, index) pairs instead */
typedef struct {
    double v;
    int i;
} keyed;

static int compare_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return x->i - y->i;
}

void pareto_crowding(const double *y, int k, const int *idx, int m, double *dist)
{
    for (int a = 0; a < m; a++)
        dist[a] = 0;
    if (m <= 2) {
        for (int a = 0; a < m; a++)
            dist[a] = INFINITY;
        return;
    }
    keyed *order = malloc(sizeof(keyed) * (size_t)m);
    if (!order) {
        for (int a = 0; a < m; a++)
            dist[a] = INFINITY; /* no ordering: keep them all alike */
        return;
    }
    for (int j = 0; j < k; j++) {
        for (int a = 0; a < m; a++)
            order[a] = (keyed){y[(size_t)idx[a] * k + j], a};
        qsort(order, (size_t)m, sizeof *order, compare_keyed);
        double range = order[m - 1].v - order[0].v;
        dist[order[0].i] = INFINITY;
        dist[order[m - 1].i] = INFINITY;
        if (!(range > 0))
            continue;
        for (int a = 1; a < m - 1; a++)
            dist[order[a].i] += (order[a + 1].v - order[a - 1].v) / range;
    }
    free(order);
}

/* The 2-D hypervolume of the points P[0..m) (x, y pairs) below REF. */
static double hv2(keyed *byx, const double *p, int m, const double *ref)
{
    int q = 0;
    for (int a = 0; a < m; a++)
        if (p[2 * a] < ref[0] && p[2 * a + 1] < ref[1])
            byx[q++] = (keyed){p[2 * a], a};
    qsort(byx, (size_t)q, sizeof *byx, compare_keyed);
    double volume = 0, low = ref[1];
    for (int a = 0; a < q; a++) {
        double yv = p[2 * byx[a].i + 1];
        if (yv < low) {
            volume += (ref[0] - byx[a].v) * (low - yv);
            low = yv;
        }
    }
    return volume;
}

double pareto_hypervolume(const double *y, int n, int k, const double *ref)
{
    if (k == 1) {
        double best = ref[0];
        for (int i = 0; i < n; i++)
            if (y[i] < best)
                best = y[i];
        return ref[0] - best;
    }
    if (k != 2 && k != 3)
        return -1;
    double *p = malloc(sizeof(double) * 2 * ((size_t)n + 1));
    keyed *scratch = malloc(sizeof(keyed) * ((size_t)n + 1));
    keyed *byz = malloc(sizeof(keyed) * ((size_t)n + 1));
    if (!p || !scratch || !byz) {
        free(p);
        free(scratch);
        free(byz);
        return -1;
    }
    double volume = 0;
    if (k == 2) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (!has_nan(y + (size_t)i * 2, 2)) {
                p[2 * m] = y[(size_t)i * 2];
                p[2 * m + 1] = y[(size_t)i * 2 + 1];
                m++;
            }
        volume = hv2(scratch, p, m, ref);
    } else {
        /* slices between consecutive z levels: the 2-D front of the points
           at or below the slice's bottom, times its height */
        int q = 0;
        for (int i = 0; i < n; i++) {
            const double *r = y + (size_t)i * 3;
            if (!has_nan(r, 3) && r[0] < ref[0] && r[1] < ref[1] && r[2] < ref[2])
                byz[q++] = (keyed){r[2], i};
        }
        qsort(byz, (size_t)q, sizeof *byz, compare_keyed);
        for (int a = 0; a < q; a++) {
            double top = a + 1 < q ? byz[a + 1].v : ref[2];
            if (!(top > byz[a].v))
                continue;
            for (int b = 0; b <= a; b++) {
                p[2 * b] = y[(size_t)byz[b].i * 3];
                p[2 * b + 1] = y[(size_t)byz[b].i * 3 + 1];
            }
            volume += hv2(scratch, p, a + 1, ref) * (top - byz[a].v);
        }
    }
    free(p);
    free(scratch);
    free(byz);
    return volume;
}

int pareto_chebyshev(const double *y, int n, int k, const double *w, double *out)
{
    /* the ideal point is the minimum over all points; the far end is the
       front's nadir (the maximum over the non-dominated points), so that
       the weights spread over the front, not over the worst points seen:
       on ZDT1 the first random points reach f2 = 7 while the front ends at
       1, which would squeeze the whole front into a seventh of the range
       and send most weights to one end.  An objective the front does not
       spread (one point) falls back to the range over all points.  The
       front is kept as an archive that each point meets once, O(n |front|
       k) instead of every pair's O(n^2 k): the sampler asks on every
       proposal, and a tpe study may hold ten thousand trials. */
    double lo[8], hi[8], nadir[8];
    int *front = malloc(sizeof(int) * ((size_t)n + 1)), size = 0;
    if (!front)
        return -1;
    for (int j = 0; j < k && j < 8; j++) {
        lo[j] = nadir[j] = INFINITY;
        hi[j] = -INFINITY;
    }
    for (int i = 0; i < n; i++) {
        const double *r = y + (size_t)i * k;
        if (has_nan(r, k))
            continue;
        for (int j = 0; j < k && j < 8; j++) {
            lo[j] = fmin(lo[j], r[j]);
            hi[j] = fmax(hi[j], r[j]);
        }
        /* the archive's points do not dominate each other, so R cannot
           both be dominated by one of them and dominate another */
        int dominated = 0;
        for (int a = 0; a < size && !dominated;) {
            const double *q = y + (size_t)front[a] * k;
            if (pareto_dominates(q, r, k))
                dominated = 1;
            else if (pareto_dominates(r, q, k))
                front[a] = front[--size];
            else
                a++;
        }
        if (!dominated)
            front[size++] = i;
    }
    for (int a = 0; a < size; a++)
        for (int j = 0; j < k && j < 8; j++) {
            double v = y[(size_t)front[a] * k + j];
            nadir[j] = nadir[j] == INFINITY ? v : fmax(nadir[j], v);
        }
    free(front);
    for (int j = 0; j < k && j < 8; j++)
        if (nadir[j] > lo[j])
            hi[j] = nadir[j];
    for (int i = 0; i < n; i++) {
        const double *r = y + (size_t)i * k;
        if (has_nan(r, k)) {
            out[i] = NAN;
            continue;
        }
        double worst = -INFINITY, sum = 0;
        for (int j = 0; j < k && j < 8; j++) {
            double range = hi[j] - lo[j];
            double f = range > 0 ? (r[j] - lo[j]) / range : 0;
            worst = fmax(worst, w[j] * f);
            sum += w[j] * f;
        }
        out[i] = worst + 0.05 * sum;
    }
    return 0;
}

void pareto_simplex_weights(int k, const double *u, double *w)
{
    /* normalised exponentials are uniform on the simplex */
    double sum = 0;
    for (int j = 0; j < k; j++) {
        w[j] = -log(u[j] > 1e-300 ? u[j] : 1e-300);
        sum += w[j];
    }
    for (int j = 0; j < k; j++)
        w[j] /= sum;
}
