/*
** Unit tests of search/report_stats: importance finds the parameter that
** matters and gives noise nothing, categories stay whole bins; surfaces
** follow the data and say where there is none; sampling keeps what must be
** kept and no more than asked.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "../../search/report_stats.h"
#include "../../search/seed.h"

static void test_importance(void **state)
{
    (void)state;
    int n = 2000, d = 3;
    double *x = malloc(sizeof(double) * (size_t)(n * d)), *y = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++)
            x[i * d + j] = seed_unit(7, (uint64_t)(i * d + j));
        /* x2 is a categorical of 3 values, each owning a third of the cube */
        x[i * d + 2] = (floor(x[i * d + 2] * 3) + 0.5) / 3;
        y[i] = 4 * x[i * d] + (x[i * d + 2] > 0.5 ? 2 : 0) + 0.1 * seed_unit(9, (uint64_t)i);
    }
    double imp[3];
    assert_int_equal(stats_importance(x, y, n, d, 10, imp), 0);
    /* var(4 x0) = 16/12 = 1.33, var of the category term = 4 * 2/9 = 0.89 */
    assert_true(imp[0] > 0.5 && imp[0] < 0.7);
    assert_true(imp[1] < 0.01);
    assert_true(imp[2] > 0.3 && imp[2] < 0.5);
    /* a constant objective has no importance to share */
    for (int i = 0; i < n; i++)
        y[i] = 1;
    assert_int_equal(stats_importance(x, y, n, d, 10, imp), -1);
    assert_int_equal(stats_importance(x, y, 3, d, 10, imp), -1);
    free(x);
    free(y);
}

static void test_surface(void **state)
{
    (void)state;
    int n = 400, g = 8;
    double a[400], b[400], y[400], s[64];
    for (int i = 0; i < n; i++) {
        a[i] = (i % 20 + 0.5) / 20;
        b[i] = (i / 20 + 0.5) / 20;
        y[i] = 3 * a[i];
    }
    assert_int_equal(stats_surface(a, b, y, n, g, 0.05, s), 0);
    for (int r = 0; r < g; r++)
        for (int c = 0; c < g; c++)
            assert_float_equal(s[r * g + c], 3 * (c + 0.5) / g, 0.05);
    /* data in one corner only: the far corner has none */
    for (int i = 0; i < n; i++) {
        a[i] *= 0.2;
        b[i] *= 0.2;
    }
    assert_int_equal(stats_surface(a, b, y, n, g, 0.05, s), 0);
    assert_false(isnan(s[0]));
    assert_true(isnan(s[g * g - 1]));
}

static void test_sample(void **state)
{
    (void)state;
    int n = 100000, out[100000];
    unsigned char *keep = calloc((size_t)n, 1);
    keep[5] = keep[99999] = keep[50000] = 1;
    int m = stats_sample(n, 1000, keep, out);
    assert_true(m <= 1000 && m >= 990);
    int seen = 0;
    for (int i = 0; i < m; i++) {
        if (i)
            assert_true(out[i] > out[i - 1]);
        seen += out[i] == 5 || out[i] == 50000 || out[i] == 99999;
    }
    assert_int_equal(seen, 3);
    /* few items: all of them */
    assert_int_equal(stats_sample(10, 1000, NULL, out), 10);
    assert_int_equal(out[9], 9);
    free(keep);
    double y[3] = {1e-3, 0.5, 2};
    assert_true(stats_spans_decades(y, 3));
    y[0] = 0.1;
    assert_false(stats_spans_decades(y, 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_importance), cmocka_unit_test(test_surface),
        cmocka_unit_test(test_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
