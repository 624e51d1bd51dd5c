/*
** Unit tests of the TPE sampler: its first proposals are the random
** sampler's, a proposal is a function of (seed, number, history), it finds
** better points than random search on smooth functions in both directions
** and both modes, it learns which choice is best, failed trials are left
** out, running trials join g(x), and its options are checked.  And of the auto sampler, which
** proposes as gp or as tpe by the space and the study's size, and says so.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../search/functions.h"
#include "../../search/sampler.h"
#include "../../search/tpe_internals.h"

#define MAX_TRIALS 200
#define MAX_DIM 8

/* A study run in memory: the cube points and values of its trials. */
typedef struct {
    double x[MAX_TRIALS * MAX_DIM];
    double y[MAX_TRIALS];
    int n;
} run_log;

static hp_space *cube_space(int d)
{
    hp_space *s = space_new();
    char err[HP_ERR_LEN], name[8];
    for (int i = 0; i < d; i++) {
        snprintf(name, sizeof name, "x%d", i);
        assert_int_equal(space_add(s, name, "uniform(0, 1)", err), 0);
    }
    return s;
}

static hp_sampler *make(const char *name, const hp_space *s, uint64_t seed,
                        const hp_sampler_options *opt)
{
    hp_sampler *smp;
    char err[HP_ERR_LEN];
    if (sampler_new(name, s, seed, opt, &smp, err))
        fail_msg("%s", err);
    return smp;
}

/* Proposes trial L->n from the history in L and appends its point. */
static void propose_next(hp_sampler *smp, const hp_space *s, run_log *l, hp_value *v)
{
    char err[HP_ERR_LEN];
    hp_history h = {l->n, l->x, l->y, 0, NULL, NULL};
    if (sampler_propose(smp, (uint64_t)l->n, &h, v, err))
        fail_msg("%s", err);
    space_encode(s, v, l->x + (size_t)l->n * (size_t)space_dim(s));
}

/* The best value of TRIALS sequential trials of function F (over the
** function's domain, mapped from the unit cube) with sampler NAME. */
static double best_of(const char *name, const char *function, int d, int trials,
                      uint64_t seed, const hp_sampler_options *opt)
{
    const hp_function_info *f = function_find(function);
    hp_space *s = cube_space(d);
    hp_sampler *smp = make(name, s, seed, opt);
    static run_log l;
    memset(&l, 0, sizeof l);
    hp_value v[MAX_DIM];
    double best = INFINITY, x[MAX_DIM];
    int flip = opt && opt->maximize;
    for (int t = 0; t < trials; t++) {
        propose_next(smp, s, &l, v);
        for (int i = 0; i < d; i++) {
            double lo = f->lo, hi = f->hi;
            if (strcmp(function, "branin") == 0 && i == 1)
                lo = 0, hi = 15;
            x[i] = lo + (hi - lo) * v[i].value;
        }
        double y = function_eval(f, x, d);
        l.y[l.n++] = flip ? -y : y;
        best = fmin(best, y);
    }
    sampler_free(smp);
    space_free(s);
    return best;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* TPE's median best over 9 seeds beats random search's, and TPE wins at
** least 6 of the 9 seed pairs. */
static void check_beats_random(const char *function, int d, int trials,
                               const hp_sampler_options *opt)
{
    double tpe[9], rnd[9];
    int wins = 0;
    for (int i = 0; i < 9; i++) {
        tpe[i] = best_of("tpe", function, d, trials, 100 + (uint64_t)i, opt);
        rnd[i] = best_of("random", function, d, trials, 100 + (uint64_t)i, opt);
        wins += tpe[i] < rnd[i];
    }
    qsort(tpe, 9, sizeof *tpe, compare_double);
    qsort(rnd, 9, sizeof *rnd, compare_double);
    if (!(tpe[4] < rnd[4]) || wins < 6)
        fail_msg("%s d=%d: tpe median %g, random median %g, tpe won %d of 9", function, d,
                 tpe[4], rnd[4], wins);
}

static void test_startup_is_random(void **state)
{
    (void)state;
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_int_equal(space_add(s, "a", "uniform(-2, 3)", err), 0);
    assert_int_equal(space_add(s, "b", "int(1, 64, log)", err), 0);
    assert_int_equal(space_add(s, "c", "choice(x, y, z)", err), 0);
    hp_sampler *tpe = make("tpe", s, 7, NULL), *rnd = make("random", s, 7, NULL);
    static run_log l;
    memset(&l, 0, sizeof l);
    hp_value a[3], b[3];
    for (int n = 0; n < 10; n++) {
        propose_next(tpe, s, &l, a);
        assert_int_equal(sampler_propose(rnd, (uint64_t)n, NULL, b, err), 0);
        for (int i = 0; i < 3; i++) {
            assert_true(a[i].value == b[i].value);
            assert_int_equal(a[i].index, b[i].index);
        }
        l.y[l.n++] = a[0].value;
    }
    /* with 10 values the model takes over: no longer the random point */
    propose_next(tpe, s, &l, a);
    assert_int_equal(sampler_propose(rnd, 10, NULL, b, err), 0);
    assert_true(a[0].value != b[0].value || a[1].value != b[1].value);
    sampler_free(tpe);
    sampler_free(rnd);
    space_free(s);
}

static void test_reproducible(void **state)
{
    (void)state;
    hp_space *s = cube_space(3);
    hp_sampler *a = make("tpe", s, 11, NULL), *b = make("tpe", s, 11, NULL);
    static run_log l;
    memset(&l, 0, sizeof l);
    hp_value va[3], vb[3];
    for (int n = 0; n < 40; n++) {
        propose_next(a, s, &l, va);
        l.y[l.n++] = va[0].value + va[1].value * va[2].value;
    }
    /* the same history and number: the same point, from another object
       that never proposed before; another number: another point */
    char err[HP_ERR_LEN];
    hp_history h = {l.n, l.x, l.y, 0, NULL, NULL};
    assert_int_equal(sampler_propose(a, 40, &h, va, err), 0);
    assert_int_equal(sampler_propose(b, 40, &h, vb, err), 0);
    for (int i = 0; i < 3; i++)
        assert_true(va[i].value == vb[i].value);
    assert_int_equal(sampler_propose(b, 41, &h, vb, err), 0);
    assert_true(va[0].value != vb[0].value);
    sampler_free(a);
    sampler_free(b);
    space_free(s);
}

static void test_beats_random(void **state)
{
    (void)state;
    check_beats_random("branin", 2, 100, NULL);
    check_beats_random("sphere", 5, 100, NULL);
    check_beats_random("hartmann6", 6, 100, NULL);
}

static void test_univariate_and_maximize(void **state)
{
    (void)state;
    hp_sampler_options opt;
    sampler_options_init(&opt);
    opt.univariate = 1;
    check_beats_random("sphere", 4, 80, &opt);
    sampler_options_init(&opt);
    opt.maximize = 1;   /* the study maximizes -f: the same problem */
    check_beats_random("branin", 2, 100, &opt);
}

/* A mixed space whose best choice is "c": after 60 trials TPE proposes it
** far more often than a third of the time. */
static void test_learns_choice(void **state)
{
    (void)state;
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_int_equal(space_add(s, "x", "uniform(0, 1)", err), 0);
    assert_int_equal(space_add(s, "k", "choice(a, b, c, d)", err), 0);
    int picked = 0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        hp_sampler *smp = make("tpe", s, seed, NULL);
        static run_log l;
        memset(&l, 0, sizeof l);
        hp_value v[2];
        for (int n = 0; n < 80; n++) {
            propose_next(smp, s, &l, v);
            double penalty[4] = {1.0, 0.6, 0.0, 0.8};
            l.y[l.n++] = (v[0].value - 0.3) * (v[0].value - 0.3) + penalty[v[1].index];
            if (n >= 60)
                picked += v[1].index == 2;
        }
        sampler_free(smp);
    }
    if (picked < 60)   /* of 100; random search would pick it ~25 times */
        fail_msg("the best choice was proposed %d times of 100", picked);
    space_free(s);
}

/* Failed trials (NaN) are left out: a history of failures only is still
** the startup's random search, and failures among values do no harm. */
static void test_failed_left_out(void **state)
{
    (void)state;
    hp_space *s = cube_space(2);
    hp_sampler *tpe = make("tpe", s, 3, NULL), *rnd = make("random", s, 3, NULL);
    static run_log l;
    memset(&l, 0, sizeof l);
    hp_value a[2], b[2];
    char err[HP_ERR_LEN];
    for (int n = 0; n < 30; n++) {
        propose_next(tpe, s, &l, a);
        l.y[l.n++] = NAN;
        assert_int_equal(sampler_propose(rnd, (uint64_t)n, NULL, b, err), 0);
        assert_true(a[0].value == b[0].value && a[1].value == b[1].value);
    }
    for (int n = 30; n < 80; n++) {
        propose_next(tpe, s, &l, a);
        l.y[l.n++] = n % 3 ? (a[0].value - 0.7) * (a[0].value - 0.7) : NAN;
        assert_true(a[0].value >= 0 && a[0].value < 1);
    }
    sampler_free(tpe);
    sampler_free(rnd);
    space_free(s);
}

static void test_options(void **state)
{
    (void)state;
    hp_sampler_options opt;
    sampler_options_init(&opt);
    char err[HP_ERR_LEN];
    assert_int_equal(sampler_option_set("tpe", &opt, "candidates", "48", err), 0);
    assert_int_equal(opt.candidates, 48);
    assert_int_equal(sampler_option_set("tpe", &opt, "multivariate", "false", err), 0);
    assert_int_equal(opt.univariate, 1);
    assert_int_equal(sampler_option_set("tpe", &opt, "prior_weight", "0.5", err), 0);
    assert_true(opt.prior_weight == 0.5);
    assert_int_equal(sampler_option_set("tpe", &opt, "magic_clip", "false", err), 0);
    assert_int_equal(opt.no_magic_clip, 1);
    assert_int_equal(sampler_option_set("tpe", &opt, "consider_endpoints", "true", err), 0);
    assert_int_equal(opt.consider_endpoints, 1);
    assert_int_equal(sampler_option_set("tpe", &opt, "initial_trials", "5", err), 0);
    assert_int_equal(opt.initial_trials, 5);
    assert_int_equal(sampler_option_set("tpe", &opt, "prior_weight", "0", err), -1);
    assert_non_null(strstr(err, "prior_weight must be a positive number"));
    assert_int_equal(sampler_option_set("tpe", &opt, "candidates", "-3", err), -1);
    assert_int_equal(sampler_option_set("tpe", &opt, "multivariate", "yes", err), -1);
    assert_non_null(strstr(err, "multivariate must be true or false"));
    assert_int_equal(sampler_option_set("tpe", &opt, "acquisition", "ei", err), -1);
    assert_non_null(strstr(err, "for sampler tpe"));
    /* the options change proposals: univariate without the clip differs */
    hp_space *s = cube_space(2);
    hp_sampler *a = make("tpe", s, 5, NULL), *b = make("tpe", s, 5, &opt);
    static run_log l;
    memset(&l, 0, sizeof l);
    hp_value va[2], vb[2];
    for (int n = 0; n < 20; n++) {
        propose_next(a, s, &l, va);
        l.y[l.n++] = va[0].value * va[1].value;
    }
    hp_history h = {l.n, l.x, l.y, 0, NULL, NULL};
    assert_int_equal(sampler_propose(a, 20, &h, va, err), 0);
    assert_int_equal(sampler_propose(b, 20, &h, vb, err), 0);
    assert_true(va[0].value != vb[0].value || va[1].value != vb[1].value);
    sampler_free(a);
    sampler_free(b);
    space_free(s);
}

/* Auto proposes exactly as EXPECTED does for a history of N trials. */
static void check_auto_as(const hp_space *s, const char *expected, int n, const char *says)
{
    hp_sampler *a = make("auto", s, 21, NULL), *b = make(expected, s, 21, NULL);
    int d = space_dim(s);
    double *x = calloc((size_t)n * (size_t)d + 1, sizeof *x);
    double *y = calloc((size_t)n + 1, sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < d; k++)
            x[(size_t)i * (size_t)d + (size_t)k] = fmod(0.618034 * (i + 1) * (k + 1), 1.0);
        y[i] = x[(size_t)i * (size_t)d] + 0.1 * i / n;
    }
    hp_history h = {n, x, y, 0, NULL, NULL};
    hp_value va[32], vb[32];
    char err[HP_ERR_LEN], text[256];
    assert_int_equal(sampler_propose(a, (uint64_t)n, &h, va, err), 0);
    assert_int_equal(sampler_propose(b, (uint64_t)n, &h, vb, err), 0);
    for (int i = 0; i < space_size(s); i++) {
        assert_true(va[i].value == vb[i].value);
        assert_int_equal(va[i].index, vb[i].index);
    }
    sampler_describe(a, n, text, sizeof text);
    if (!strstr(text, says))
        fail_msg("auto says '%s', expected '%s' in it", text, says);
    free(x);
    free(y);
    sampler_free(a);
    sampler_free(b);
}

static void test_auto(void **state)
{
    (void)state;
    char err[HP_ERR_LEN];
    /* a small mixed space: gp, then tpe once 1000 trials have finished */
    hp_space *s = cube_space(3);
    assert_int_equal(space_add(s, "k", "choice(a, b)", err), 0);
    check_auto_as(s, "gp", 15, "gp (4 searched parameters, 1 categorical");
    check_auto_as(s, "tpe", 1000, "tpe (1000 finished trials: gp until 1000");
    space_free(s);
    /* mostly categorical: tpe */
    s = space_new();
    assert_int_equal(space_add(s, "x", "uniform(0, 1)", err), 0);
    assert_int_equal(space_add(s, "a", "choice(p, q, r)", err), 0);
    assert_int_equal(space_add(s, "b", "choice(p, q)", err), 0);
    check_auto_as(s, "tpe", 15, "tpe (2 of 3 parameters categorical");
    space_free(s);
    /* many parameters: tpe */
    s = cube_space(25);
    check_auto_as(s, "tpe", 30, "tpe (25 searched parameters");
    space_free(s);
    /* its options are gp's and tpe's */
    hp_sampler_options opt;
    sampler_options_init(&opt);
    assert_int_equal(sampler_option_set("auto", &opt, "acquisition", "ucb", err), 0);
    assert_int_equal(sampler_option_set("auto", &opt, "candidates", "12", err), 0);
    assert_int_equal(opt.candidates, 12);
    assert_int_equal(sampler_option_set("auto", &opt, "initial_trials", "7", err), 0);
    assert_int_equal(sampler_option_set("auto", &opt, "batch", "nope", err), -1);
    assert_int_equal(sampler_option_set("auto", &opt, "nope", "1", err), -1);
    assert_non_null(strstr(err, "for sampler auto"));
}

/* Bandwidths as Optuna 5 computes them: a centre's larger distance to its
** neighbours (0 and 1 count, the prior's centre 0.5 does not), the outer
** centres taking their inner neighbour's distance unless endpoints are
** considered.  A bandwidth shared by all centres (Scott's rule) fails. */
static void test_neighbour_bandwidths(void **state)
{
    (void)state;
    const double x[4] = {0.81, 0.1, 0.8, 0.83}; /* trial order, not sorted */
    double sorted[6], sigma[4];
    tpe_neighbour_bandwidths(x, 1, 4, 0, sorted, sigma);
    const double want[4] = {0.02, 0.7, 0.7, 0.02};
    for (int i = 0; i < 4; i++)
        assert_true(fabs(sigma[i] - want[i]) < 1e-12);
    tpe_neighbour_bandwidths(x, 1, 4, 1, sorted, sigma);
    const double with_ends[4] = {0.02, 0.7, 0.7, 0.17};
    for (int i = 0; i < 4; i++)
        assert_true(fabs(sigma[i] - with_ends[i]) < 1e-12);
    /* a strided coordinate (the second of two), and ties sharing a value */
    const double xy[6] = {0.9, 0.5, 0.1, 0.5, 0.2, 0.9};
    tpe_neighbour_bandwidths(xy + 1, 2, 3, 1, sorted, sigma);
    assert_true(sigma[0] == sigma[1] && fabs(sigma[0] - 0.5) < 1e-12);
    assert_true(fabs(sigma[2] - 0.4) < 1e-12); /* 0.9: max(0.4, 0.1) */
    /* one centre: the larger distance to the ends */
    const double one = 0.3;
    tpe_neighbour_bandwidths(&one, 1, 1, 0, sorted, sigma);
    assert_true(fabs(sigma[0] - 0.7) < 1e-12);
}

/* Running trials join g(x) (Optuna 5's constant_liar): a second worker's
** proposal moves away from the point the first is evaluating, and with
** constant_liar = false running trials change nothing. */
static void test_constant_liar(void **state)
{
    (void)state;
    hp_space *s = cube_space(2);
    hp_sampler_options off;
    sampler_options_init(&off);
    char err[HP_ERR_LEN];
    assert_int_equal(sampler_option_set("tpe", &off, "constant_liar", "false", err), 0);
    assert_int_equal(sampler_option_set("tpe", &off, "constant_liar", "maybe", err), -1);
    assert_non_null(strstr(err, "constant_liar must be true or false"));
    hp_sampler *on = make("tpe", s, 9, NULL), *no = make("tpe", s, 9, &off);
    static run_log l;
    memset(&l, 0, sizeof l);
    hp_value v[2], w[2];
    for (int n = 0; n < 12; n++) {
        propose_next(on, s, &l, v);
        double a = v[0].value - 0.3, b = v[1].value - 0.7;
        l.y[l.n++] = a * a + b * b;
    }
    double apart_on = 0, apart_off = 0;
    int near_on = 0, near_off = 0;
    for (uint64_t k = 0; k < 40; k++) {
        /* the first worker's point, then the second's with it running */
        hp_history h = {l.n, l.x, l.y, 0, NULL, NULL};
        double first[2];
        assert_int_equal(sampler_propose(on, 100 + 2 * k, &h, v, err), 0);
        space_encode(s, v, first);
        hp_history busy = {l.n, l.x, l.y, 1, first, NULL};
        assert_int_equal(sampler_propose(on, 101 + 2 * k, &busy, v, err), 0);
        double d_on = hypot(v[0].value - first[0], v[1].value - first[1]);
        apart_on += d_on;
        near_on += d_on < 0.02;
        assert_int_equal(sampler_propose(no, 101 + 2 * k, &busy, v, err), 0);
        assert_int_equal(sampler_propose(no, 101 + 2 * k, &h, w, err), 0);
        assert_true(v[0].value == w[0].value && v[1].value == w[1].value);
        double d_off = hypot(v[0].value - first[0], v[1].value - first[1]);
        apart_off += d_off;
        near_off += d_off < 0.02;
    }
    /* early in a study (12 trials) the second point lands about twice as
       far from the first (0.32 against 0.16 on average), never on it */
    assert_true(apart_on > 1.5 * apart_off);
    assert_true(near_on == 0 && near_off > 0);
    sampler_free(on);
    sampler_free(no);
    space_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_neighbour_bandwidths), cmocka_unit_test(test_startup_is_random), cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_beats_random),      cmocka_unit_test(test_univariate_and_maximize),
        cmocka_unit_test(test_learns_choice),     cmocka_unit_test(test_failed_left_out),
        cmocka_unit_test(test_options),           cmocka_unit_test(test_auto),
        cmocka_unit_test(test_constant_liar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
