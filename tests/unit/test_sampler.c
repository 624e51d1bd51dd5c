/*
** Unit tests of the samplers and benchmark functions: determinism per
** (seed, number), independence from call order, grid completeness, sobol
** coverage, and the functions' known minima.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../search/functions.h"
#include "../../search/sampler.h"

static hp_space *space2(void)
{
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_int_equal(space_add(s, "x", "uniform(0, 1)", err), 0);
    assert_int_equal(space_add(s, "y", "loguniform(1e-3, 1)", err), 0);
    assert_int_equal(space_add(s, "k", "choice(a, b, c)", err), 0);
    return s;
}

static hp_sampler *make(const char *name, const hp_space *s, uint64_t seed)
{
    hp_sampler *smp;
    char err[HP_ERR_LEN];
    assert_int_equal(sampler_new(name, s, seed, NULL, &smp, err), 0);
    return smp;
}

static int same_values(const hp_value *a, const hp_value *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i].value != b[i].value || a[i].index != b[i].index)
            return 0;
    return 1;
}

/* Trial N's values do not depend on what was proposed before. */
static void check_order_independent(const char *name)
{
    hp_space *s = space2();
    hp_sampler *a = make(name, s, 42), *b = make(name, s, 42), *c = make(name, s, 43);
    char err[HP_ERR_LEN];
    hp_value va[3], vb[3], vc[3];
    int differs = 0;
    for (int n = 20; n >= 0; n--) { /* b walks backwards, a forwards below */
        assert_int_equal(sampler_propose(b, (uint64_t)n, NULL, vb, err), 0);
        hp_sampler *fresh = make(name, s, 42);
        for (int m = 0; m <= n; m++)
            assert_int_equal(sampler_propose(fresh, (uint64_t)m, NULL, va, err), 0);
        sampler_free(fresh);
        assert_true(same_values(va, vb, 3));
        assert_int_equal(sampler_propose(c, (uint64_t)n, NULL, vc, err), 0);
        differs |= va[0].value != vc[0].value;
        assert_true(va[0].value >= 0 && va[0].value < 1);
        assert_true(va[1].value >= 1e-3 && va[1].value <= 1);
        assert_true(va[2].index >= 0 && va[2].index < 3);
    }
    assert_true(differs); /* another seed, another design */
    sampler_free(a);
    sampler_free(b);
    sampler_free(c);
    space_free(s);
}

static void test_random_deterministic(void **state)
{
    (void)state;
    check_order_independent("random");
}

static int cmp_pair(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1];
}

/* 200,000 trials of a random study: every configuration distinct.  With
** trial seeds folded to 32 bits, about four pairs repeated. */
static void test_random_no_repeats(void **state)
{
    (void)state;
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_int_equal(space_add(s, "x", "uniform(0, 1)", err), 0);
    assert_int_equal(space_add(s, "y", "uniform(0, 1)", err), 0);
    hp_sampler *r = make("random", s, 1);
    int n = 200000;
    double *pts = malloc(sizeof(double) * 2 * (size_t)n);
    assert_non_null(pts);
    hp_value v[2];
    for (int i = 0; i < n; i++) {
        assert_int_equal(sampler_propose(r, (uint64_t)i, NULL, v, err), 0);
        pts[2 * i] = v[0].value;
        pts[2 * i + 1] = v[1].value;
    }
    qsort(pts, (size_t)n, 2 * sizeof(double), cmp_pair);
    int repeats = 0;
    for (int i = 1; i < n; i++)
        repeats += pts[2 * i] == pts[2 * i - 2] && pts[2 * i + 1] == pts[2 * i - 1];
    assert_int_equal(repeats, 0);
    free(pts);
    sampler_free(r);
    space_free(s);
}

static void test_sobol_deterministic(void **state)
{
    (void)state;
    check_order_independent("sobol");
}

/* Sobol points fill strips far more evenly than random ones: of 64 strips
** of width 1/64, 64 points fill at least 62 in every coordinate with at most
** 2 per strip (GSL starts after the zero point, so one strip may get two);
** 64 random points fill about 41.  The shift moves strips, it keeps this. */
static void test_sobol_stratified(void **state)
{
    (void)state;
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_int_equal(space_add(s, "x", "uniform(0, 1)", err), 0);
    assert_int_equal(space_add(s, "y", "uniform(0, 1)", err), 0);
    hp_sampler *smp = make("sobol", s, 5);
    int strips[2][64] = {{0}};
    for (int n = 0; n < 64; n++) {
        hp_value v[2];
        assert_int_equal(sampler_propose(smp, (uint64_t)n, NULL, v, err), 0);
        for (int j = 0; j < 2; j++)
            strips[j][(int)(v[j].value * 64)]++;
    }
    for (int j = 0; j < 2; j++) {
        int filled = 0;
        for (int k = 0; k < 64; k++) {
            assert_true(strips[j][k] <= 2);
            filled += strips[j][k] > 0;
        }
        assert_true(filled >= 62);
    }
    sampler_free(smp);
    space_free(s);
}

static void test_grid_complete(void **state)
{
    (void)state;
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_int_equal(space_add(s, "a", "int(0, 6)", err), 0);
    assert_int_equal(space_add(s, "b", "choice(p, q, r)", err), 0);
    assert_int_equal(space_add(s, "c", "uniform(0, 2, step=0.5)", err), 0);
    hp_sampler *g = make("grid", s, 9), *h = make("grid", s, 10);
    uint64_t n = sampler_capacity(g);
    assert_int_equal(n, 7 * 3 * 5);
    int seen[105] = {0};
    int same_order = 1;
    for (uint64_t i = 0; i < n; i++) {
        hp_value v[3], w[3];
        assert_int_equal(sampler_propose(g, i, NULL, v, err), 0);
        assert_int_equal(sampler_propose(h, i, NULL, w, err), 0);
        int key = (int)v[0].value * 15 + v[1].index * 5 + (int)(v[2].value * 2);
        seen[key]++;
        same_order &= same_values(v, w, 3);
    }
    for (int k = 0; k < 105; k++)
        assert_int_equal(seen[k], 1);
    assert_false(same_order); /* the seed shuffles the visiting order */
    hp_value v[3];
    assert_int_equal(sampler_propose(g, n, NULL, v, err), -1);
    sampler_free(g);
    sampler_free(h);
    space_free(s);
}

static void test_grid_rejects_continuous(void **state)
{
    (void)state;
    hp_space *s = space2();
    hp_sampler *g;
    char err[HP_ERR_LEN];
    assert_int_equal(sampler_new("grid", s, 1, NULL, &g, err), -1);
    assert_non_null(strstr(err, "'x'"));
    assert_int_equal(sampler_new("annealing", s, 1, NULL, &g, err), -1);
    assert_non_null(strstr(err, "unknown sampler"));
    space_free(s);
}

static void test_function_minima(void **state)
{
    (void)state;
    struct { const char *name; double x[6]; int d; } at[] = {
        {"branin", {M_PI, 2.275}, 2},
        {"branin", {-M_PI, 12.275}, 2},
        {"six_hump_camel", {0.0898, -0.7126}, 2},
        {"hartmann3", {0.114614, 0.555649, 0.852547}, 3},
        {"hartmann6", {0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573}, 6},
        {"rosenbrock", {1, 1, 1, 1}, 4},
        {"ackley", {0, 0, 0, 0, 0}, 5},
        {"levy", {1, 1, 1, 1}, 4},
        {"sphere", {0, 0, 0}, 3},
    };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        const hp_function_info *f = function_find(at[i].name);
        assert_non_null(f);
        double v = function_eval(f, at[i].x, at[i].d);
        if (fabs(v - f->minimum) > 1e-4)
            print_error("%s: %.9g vs %.9g\n", at[i].name, v, f->minimum);
        assert_true(fabs(v - f->minimum) <= 1e-4);
    }
    /* and no point of a coarse grid beats the stated minimum */
    const hp_function_info *h3 = function_find("hartmann3");
    for (int a = 0; a <= 10; a++)
        for (int b = 0; b <= 10; b++)
            for (int c = 0; c <= 10; c++) {
                double x[3] = {a / 10.0, b / 10.0, c / 10.0};
                assert_true(function_eval(h3, x, 3) >= h3->minimum - 1e-9);
            }
    assert_null(function_find("nope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_deterministic), cmocka_unit_test(test_sobol_deterministic),
        cmocka_unit_test(test_random_no_repeats),
        cmocka_unit_test(test_sobol_stratified),     cmocka_unit_test(test_grid_complete),
        cmocka_unit_test(test_grid_rejects_continuous), cmocka_unit_test(test_function_minima),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
