/*
** Unit tests of search/pareto (dominance, ranks, crowding, hypervolume,
** the ParEGO scalarisation) and of the multi-objective samplers on ZDT1:
** nsga2 and gp (ParEGO) reach a larger hypervolume than random search.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../search/pareto.h"
#include "../../search/sampler.h"

static void test_dominance_and_ranks(void **state)
{
    (void)state;
    const double a[2] = {1, 2}, b[2] = {2, 2}, c[2] = {0, 3};
    assert_true(pareto_dominates(a, b, 2));
    assert_false(pareto_dominates(b, a, 2));
    assert_false(pareto_dominates(a, c, 2));
    assert_false(pareto_dominates(a, a, 2));
    /* two fronts and a failed point */
    const double y[] = {1, 4, 2, 2, 4, 1, 3, 3, 2, 5, NAN, 0};
    int rank[6];
    assert_int_equal(pareto_ranks(y, 6, 2, rank), 3);
    assert_int_equal(rank[0], 0);
    assert_int_equal(rank[1], 0);
    assert_int_equal(rank[2], 0);
    assert_int_equal(rank[3], 1);
    assert_int_equal(rank[4], 1);
    assert_int_equal(rank[5], 2);
}

static void test_crowding(void **state)
{
    (void)state;
    const double y[] = {0, 4, 1, 3, 3, 1, 4, 0};
    int idx[4] = {0, 1, 2, 3};
    double d[4];
    pareto_crowding(y, 2, idx, 4, d);
    assert_true(isinf(d[0]) && isinf(d[3]));
    /* point 1: neighbours 0 and 3 in each objective, ranges 4: 3/4 + 3/4 */
    assert_float_equal(d[1], 1.5, 1e-12);
    assert_float_equal(d[2], 1.5, 1e-12);
}

static void test_hypervolume(void **state)
{
    (void)state;
    const double ref2[2] = {4, 4};
    /* one point: a rectangle; a dominated and an outside point add nothing */
    const double one[] = {1, 2, 2, 3, 5, 0};
    assert_float_equal(pareto_hypervolume(one, 3, 2, ref2), 3 * 2, 1e-12);
    /* a staircase (1,3), (2,2), (3,1) under (4,4): 3 + 2 + 1 */
    const double stairs[] = {3, 1, 1, 3, 2, 2};
    assert_float_equal(pareto_hypervolume(stairs, 3, 2, ref2), 6, 1e-12);
    /* 3-D: a cube and its union with a second box */
    const double ref3[3] = {2, 2, 2};
    const double cube[] = {1, 1, 1};
    assert_float_equal(pareto_hypervolume(cube, 1, 3, ref3), 1, 1e-12);
    const double two[] = {1, 1, 1, 0, 1.5, 1.5};
    /* box A [1,2]^3 = 1; box B [0,2]x[1.5,2]x[1.5,2] = 0.5; overlap
       [1,2]x[1.5,2]x[1.5,2] = 0.25 */
    assert_float_equal(pareto_hypervolume(two, 2, 3, ref3), 1 + 0.5 - 0.25, 1e-12);
    /* against a Monte Carlo estimate on random points */
    double pts[30];
    uint64_t s = 88172645463325252ULL;
    for (int i = 0; i < 30; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        pts[i] = (double)(s >> 11) * 0x1.0p-53 * 2;
    }
    double exact = pareto_hypervolume(pts, 10, 3, ref3);
    int inside = 0, draws = 200000;
    for (int k = 0; k < draws; k++) {
        double q[3];
        for (int j = 0; j < 3; j++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            q[j] = (double)(s >> 11) * 0x1.0p-53 * 2;
        }
        for (int i = 0; i < 10; i++)
            if (pts[3 * i] <= q[0] && pts[3 * i + 1] <= q[1] && pts[3 * i + 2] <= q[2]) {
                inside++;
                break;
            }
    }
    assert_float_equal(exact, 8.0 * inside / draws, 0.03);
}

static void test_chebyshev(void **state)
{
    (void)state;
    const double y[] = {0, 10, 5, 5, 10, 0, NAN, 1};
    const double w[2] = {0.5, 0.5};
    double out[4];
    assert_int_equal(pareto_chebyshev(y, 4, 2, w, out), 0);
    /* normalised: (0, 1), (0.5, 0.5), (1, 0) */
    assert_float_equal(out[0], 0.5 + 0.05 * 0.5, 1e-12);
    assert_float_equal(out[1], 0.25 + 0.05 * 0.5, 1e-12);
    assert_true(isnan(out[3]));
    /* a dominated point far out does not move the scale: the front still
       spans [0, 1] and the far point lies beyond it */
    const double y5[] = {0, 10, 5, 5, 10, 0, NAN, 1, 20, 20};
    double out5[5];
    assert_int_equal(pareto_chebyshev(y5, 5, 2, w, out5), 0);
    assert_float_equal(out5[1], 0.25 + 0.05 * 0.5, 1e-12);
    assert_float_equal(out5[4], 1.0 + 0.05 * 2.0, 1e-12);
    double u[3] = {0.2, 0.5, 0.9}, wt[3];
    pareto_simplex_weights(3, u, wt);
    assert_float_equal(wt[0] + wt[1] + wt[2], 1, 1e-12);
    assert_true(wt[0] > wt[1] && wt[1] > wt[2]);
}

/* On many random points with ties, duplicates and NaNs, in 2 and 3
** objectives: the scalarisation normalised to the nadir of the front that
** pareto_ranks finds (its rank 0), worked out here from that front. */
static void test_chebyshev_matches_ranks(void **state)
{
    (void)state;
    enum { N = 400 };
    static double y[N * 3], out[N];
    static int rank[N];
    for (int k = 2; k <= 3; k++) {
        srand(17 + k);
        for (int i = 0; i < N * k; i++)
            y[i] = (rand() % 50) / 7.0; /* coarse values: ties and duplicates */
        y[5 * k] = NAN;
        assert_true(pareto_ranks(y, N, k, rank) > 1);
        double lo[3], nadir[3], w[3] = {0.2, 0.5, 0.3};
        if (k == 2)
            w[1] = 0.8;
        for (int j = 0; j < k; j++) {
            lo[j] = INFINITY;
            nadir[j] = -INFINITY;
            for (int i = 0; i < N; i++) {
                if (i == 5)
                    continue; /* the NaN point */
                lo[j] = fmin(lo[j], y[i * k + j]);
                if (rank[i] == 0)
                    nadir[j] = fmax(nadir[j], y[i * k + j]);
            }
            assert_true(nadir[j] > lo[j]);
        }
        assert_int_equal(pareto_chebyshev(y, N, k, w, out), 0);
        for (int i = 0; i < N; i++) {
            if (i == 5) {
                assert_true(isnan(out[i]));
                continue;
            }
            double worst = -INFINITY, sum = 0;
            for (int j = 0; j < k; j++) {
                double f = (y[i * k + j] - lo[j]) / (nadir[j] - lo[j]);
                worst = fmax(worst, w[j] * f);
                sum += w[j] * f;
            }
            assert_float_equal(out[i], worst + 0.05 * sum, 1e-12);
        }
    }
}

/* ZDT1 in D dimensions. */
static void zdt1(const hp_value *v, int d, double *f)
{
    double sum = 0;
    for (int i = 1; i < d; i++)
        sum += v[i].value;
    double g = 1 + 9 * sum / (d - 1);
    f[0] = v[0].value;
    f[1] = g * (1 - sqrt(f[0] / g));
}

/* The hypervolume (reference point (1.1, 1.1)) SAMPLER reaches in N trials. */
static double run_zdt1(const char *name, uint64_t seed, int n)
{
    const int d = 5;
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    for (int i = 0; i < d; i++) {
        char pname[8] = {'x', (char)('0' + i), 0};
        assert_int_equal(space_add(s, pname, "uniform(0, 1)", err), 0);
    }
    hp_sampler_options opt;
    sampler_options_init(&opt);
    opt.n_objectives = 2;
    opt.deterministic = 1;
    opt.population = 20;
    hp_sampler *smp;
    if (sampler_new(name, s, seed, &opt, &smp, err))
        print_error("%s: %s\n", name, err);
    double *x = calloc((size_t)n * d, sizeof(double)), *y = calloc((size_t)n, sizeof(double));
    double *ys = calloc((size_t)n * 2, sizeof(double));
    hp_value v[8];
    for (int t = 0; t < n; t++) {
        hp_history h = {t, x, y, 0, NULL, ys};
        assert_int_equal(sampler_propose(smp, (uint64_t)t, &h, v, err), 0);
        space_encode(s, v, x + (size_t)t * d);
        zdt1(v, d, ys + 2 * t);
        y[t] = ys[2 * t];
    }
    const double ref[2] = {1.1, 1.1};
    double hv = pareto_hypervolume(ys, n, 2, ref);
    sampler_free(smp);
    space_free(s);
    free(x);
    free(y);
    free(ys);
    return hv;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_samplers_on_zdt1(void **state)
{
    (void)state;
    const char *names[] = {"random", "nsga2", "gp", "tpe"};
    double median[4];
    for (int k = 0; k < 4; k++) {
        int trials = strcmp(names[k], "gp") == 0 ? 40 : 120;
        double hv[5];
        for (int seed = 0; seed < 5; seed++)
            hv[seed] = run_zdt1(names[k], (uint64_t)seed + 1, trials);
        qsort(hv, 5, sizeof hv[0], compare_double);
        median[k] = hv[2];
        /* reproducible */
        assert_true(run_zdt1(names[k], 1, 30) == run_zdt1(names[k], 1, 30));
    }
    print_message("ZDT1 5-D hypervolume: random %.3f (120), nsga2 %.3f (120), gp %.3f (40), "
                  "tpe %.3f (120); the whole front's is 0.877\n", median[0], median[1], median[2],
                  median[3]);
    assert_true(median[1] > median[0]);
    assert_true(median[3] > median[0]);
    /* ParEGO at a third of the budget beats random search */
    assert_true(median[2] > median[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dominance_and_ranks), cmocka_unit_test(test_crowding),
        cmocka_unit_test(test_hypervolume),         cmocka_unit_test(test_chebyshev),
        cmocka_unit_test(test_chebyshev_matches_ranks),
        cmocka_unit_test(test_samplers_on_zdt1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
