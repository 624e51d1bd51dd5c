/*
** Unit tests of the BBOB functions the search benchmark runs: each is 0 at
** its optimum and positive elsewhere, an instance is a function of its
** three numbers, instances differ, and a few values follow from the
** definitions by hand (sphere, the separable ellipsoid's conditioning, the
** linear slope's corner, Rastrigin's lattice of local optima).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "../bench/bbob.h"

static const int dims[] = {2, 5, 10};

/* A reproducible point of [-5, 5]^d. */
static void point(uint64_t *s, int d, double *x)
{
    for (int j = 0; j < d; j++) {
        *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
        x[j] = ((double)(*s >> 11) / 9007199254740992.0) * 10 - 5;
    }
}

static void test_zero_at_optimum_positive_elsewhere(void **state)
{
    (void)state;
    for (int fn = 1; fn <= BBOB_FUNCTIONS; fn++)
        for (int di = 0; di < 3; di++)
            for (int inst = 1; inst <= 4; inst++) {
                hp_bbob *f = bbob_new(fn, dims[di], inst);
                assert_non_null(f);
                double at_opt = bbob_eval(f, bbob_xopt(f));
                if (fabs(at_opt) > 1e-9)
                    fail_msg("f%d (%s) d=%d instance %d: %g at x_opt", fn, bbob_name(fn),
                             dims[di], inst, at_opt);
                uint64_t s = (uint64_t)(fn * 1000 + di * 10 + inst);
                double x[10];
                for (int k = 0; k < 200; k++) {
                    point(&s, dims[di], x);
                    double v = bbob_eval(f, x);
                    if (!(v > 0))
                        fail_msg("f%d d=%d: %g at a random point", fn, dims[di], v);
                }
                for (int j = 0; j < dims[di]; j++)
                    assert_true(fabs(bbob_xopt(f)[j]) <= 5);
                bbob_free(f);
            }
}

static void test_instances_reproducible_and_distinct(void **state)
{
    (void)state;
    for (int fn = 1; fn <= BBOB_FUNCTIONS; fn++) {
        hp_bbob *a = bbob_new(fn, 5, 3), *b = bbob_new(fn, 5, 3), *c = bbob_new(fn, 5, 4);
        double x[5] = {1, -2, 0.5, 3, -4};
        assert_true(bbob_eval(a, x) == bbob_eval(b, x));
        assert_memory_equal(bbob_xopt(a), bbob_xopt(b), 5 * sizeof(double));
        assert_true(bbob_eval(a, x) != bbob_eval(c, x));
        bbob_free(a);
        bbob_free(b);
        bbob_free(c);
    }
}

static void test_values_from_definitions(void **state)
{
    (void)state;
    hp_bbob *f = bbob_new(1, 5, 1);
    double x[5];
    const double *o = bbob_xopt(f);
    for (int j = 0; j < 5; j++)
        x[j] = o[j] + (j + 1) * 0.1;
    assert_float_equal(bbob_eval(f, x), 0.01 + 0.04 + 0.09 + 0.16 + 0.25, 1e-12);
    bbob_free(f);

    /* f2: moving the last coordinate by 1 costs 1e6 times what moving the
    ** first does (T_osz(1) = 1 exactly) */
    f = bbob_new(2, 5, 1);
    o = bbob_xopt(f);
    memcpy(x, o, sizeof x);
    x[0] += 1;
    double first = bbob_eval(f, x);
    memcpy(x, o, sizeof x);
    x[4] += 1;
    assert_float_equal(first, 1, 1e-12);
    assert_float_equal(bbob_eval(f, x), 1e6, 1e-3);
    bbob_free(f);

    /* f5: the optimum is the corner with x_opt's signs, and the slope is
    ** 10^(i/(d-1)) per unit along coordinate i */
    f = bbob_new(5, 3, 2);
    o = bbob_xopt(f);
    for (int j = 0; j < 3; j++)
        assert_float_equal(fabs(o[j]), 5, 0);
    memcpy(x, o, 3 * sizeof(double));
    x[2] -= o[2] > 0 ? 1 : -1;
    assert_float_equal(bbob_eval(f, x), 10, 1e-12);
    bbob_free(f);

    /* f3 in 2 dimensions: a point one lattice step away along the first
    ** coordinate (where Lambda and T_asy are 1 and T_osz moves it slightly)
    ** is a local, not global, optimum: worse than x_opt, better than its
    ** neighbours half a step either side */
    f = bbob_new(3, 2, 1);
    o = bbob_xopt(f);
    double p[2] = {o[0] - 1, o[1]}, l[2] = {o[0] - 1.5, o[1]}, r[2] = {o[0] - 0.5, o[1]};
    double v = bbob_eval(f, p);
    assert_true(v > 0.5 && v < 2);
    assert_true(bbob_eval(f, l) > v + 5 && bbob_eval(f, r) > v + 5);
    bbob_free(f);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    assert_null(bbob_new(0, 5, 1));
    assert_null(bbob_new(25, 5, 1));
    assert_null(bbob_new(1, 1, 1));
    assert_null(bbob_new(1, BBOB_MAX_DIM + 1, 1));
    assert_null(bbob_new(1, 5, 0));
    assert_string_equal(bbob_name(21), "gallagher101");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_at_optimum_positive_elsewhere),
        cmocka_unit_test(test_instances_reproducible_and_distinct),
        cmocka_unit_test(test_values_from_definitions),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
