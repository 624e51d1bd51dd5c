/*
** Unit tests of search/pruner: ASHA's rungs and promotion rule, and the
** median rule, on hand-made histories: ties, missing values, both
** directions.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "../../search/pruner.h"

static hp_pruner_config asha(int min_r, int eta, int max_r, int maximize)
{
    hp_pruner_config c = {PRUNER_ASHA, min_r, eta, 0, max_r, maximize, 0};
    return c;
}

static void test_rungs(void **state)
{
    (void)state;
    hp_pruner_config c = asha(1, 3, 30, 0);
    int rungs[] = {1, 3, 9, 27};
    for (int s = 0; s <= 40; s++) {
        int want = 0;
        for (int k = 0; k < 4; k++)
            want |= s == rungs[k];
        assert_int_equal(pruner_is_rung(&c, s), want);
    }
    c = asha(2, 2, 16, 0); /* 2 4 8, and 16 is the end, not a rung */
    assert_true(pruner_is_rung(&c, 2) && pruner_is_rung(&c, 4) && pruner_is_rung(&c, 8));
    assert_false(pruner_is_rung(&c, 16));
    assert_false(pruner_is_rung(&c, 1));
    c.max_resource = 0; /* unknown end: rungs go on */
    assert_true(pruner_is_rung(&c, 16));
}

static void test_asha_promotion(void **state)
{
    (void)state;
    hp_pruner_config c = asha(1, 3, 30, 0); /* minimise */
    /* alone, or with fewer than eta values: only the best goes on */
    assert_false(pruner_asha_prune(&c, 1, 5.0, NULL, 0));
    double two[] = {4.0};
    assert_true(pruner_asha_prune(&c, 1, 5.0, two, 1));
    assert_false(pruner_asha_prune(&c, 1, 3.0, two, 1));
    /* 6 values: the top 2 go on */
    double five[] = {1, 2, 3, 4, 5};
    assert_false(pruner_asha_prune(&c, 3, 1.5, five, 5)); /* 2nd best */
    assert_true(pruner_asha_prune(&c, 3, 2.5, five, 5));  /* 3rd */
    /* a tie at the bar goes on */
    assert_false(pruner_asha_prune(&c, 3, 2.0, five, 5));
    /* steps that are no rung never decide */
    assert_false(pruner_asha_prune(&c, 2, 100.0, five, 5));
    /* missing (NaN) values of others do not count; a NaN value is pruned */
    double holes[] = {NAN, 1, NAN, 2, 3};
    assert_false(pruner_asha_prune(&c, 1, 0.5, holes, 5));
    assert_true(pruner_asha_prune(&c, 1, NAN, holes, 5));
    /* maximise mirrors it */
    c.maximize = 1;
    assert_false(pruner_asha_prune(&c, 3, 4.5, five, 5));
    assert_true(pruner_asha_prune(&c, 3, 3.5, five, 5));
}

static void test_median(void **state)
{
    (void)state;
    hp_pruner_config c = {PRUNER_MEDIAN, 2, 3, 3, 0, 0, 0}; /* minimise */
    double others[] = {1, 2, 3, 4};                      /* median 2.5 */
    /* warm-up trials and early steps are never pruned */
    assert_false(pruner_median_prune(&c, 2, 5, 9.0, others, 4));
    assert_false(pruner_median_prune(&c, 3, 1, 9.0, others, 4));
    assert_true(pruner_median_prune(&c, 3, 2, 2.6, others, 4));
    assert_false(pruner_median_prune(&c, 3, 2, 2.5, others, 4)); /* a tie goes on */
    assert_false(pruner_median_prune(&c, 3, 2, 2.4, others, 4));
    /* no competitors: nothing to compare with */
    assert_false(pruner_median_prune(&c, 3, 2, 9.0, NULL, 0));
    /* odd count, with missing values */
    double holes[] = {NAN, 1, 5, NAN, 3};                  /* median 3 */
    assert_true(pruner_median_prune(&c, 9, 4, 3.5, holes, 5));
    assert_false(pruner_median_prune(&c, 9, 4, 3.0, holes, 5));
    c.maximize = 1;
    assert_true(pruner_median_prune(&c, 9, 4, 2.5, holes, 5));
    assert_false(pruner_median_prune(&c, 9, 4, 3.5, holes, 5));
    assert_true(pruner_median_prune(&c, 9, 4, NAN, holes, 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rungs),
        cmocka_unit_test(test_asha_promotion),
        cmocka_unit_test(test_median),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
