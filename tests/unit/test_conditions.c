/*
** Unit tests of conditional parameters: the syntax and its errors, the
** checks of space_resolve, which parameters a trial switches off, the
** grid's exact count and enumeration, and every sampler on a conditional
** space (inactive parameters exactly where the condition fails,
** reproducible, and gp and tpe finding the better branch).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../search/sampler.h"

typedef struct {
    const char *name, *spec;
} decl;

/* A resolved space of the N declarations, or NULL with ERR (and *BAD) when
** adding or resolving fails. */
static hp_space *build(const decl *d, int n, char *err, int *bad)
{
    hp_space *s = space_new();
    assert_non_null(s);
    *bad = -1;
    for (int i = 0; i < n; i++)
        if (space_add(s, d[i].name, d[i].spec, err)) {
            *bad = i;
            space_free(s);
            return NULL;
        }
    if (space_resolve(s, bad, err)) {
        space_free(s);
        return NULL;
    }
    return s;
}

static hp_space *must_build(const decl *d, int n)
{
    char err[HP_ERR_LEN] = "";
    int bad;
    hp_space *s = build(d, n, err, &bad);
    if (!s)
        print_error("building the space failed at %d: %s\n", bad, err);
    assert_non_null(s);
    return s;
}

static void expect_failure(const decl *d, int n, int want_bad, const char *fragment)
{
    char err[HP_ERR_LEN] = "";
    int bad;
    hp_space *s = build(d, n, err, &bad);
    assert_null(s);
    if (!strstr(err, fragment) || bad != want_bad)
        print_error("message '%s' (blamed %d) lacks '%s' or blames not %d\n", err, bad,
                    fragment, want_bad);
    assert_non_null(strstr(err, fragment));
    assert_int_equal(bad, want_bad);
}

/* The study of the issue: optimizer-dependent and depth-dependent ones. */
static const decl mlp_space[] = {
    {"optimizer", "choice(sgd, momentum, nesterov, adam)"},
    {"momentum", "uniform(0.5, 0.99) if optimizer in (sgd, momentum, nesterov)"},
    {"beta2", "uniform(0.9, 0.9999) if optimizer == adam"},
    {"layers", "int(1, 4)"},
    {"hidden3", "int(16, 256, log) if layers >= 3"},
    {"lr", "loguniform(1e-4, 1e-1)"},
};
#define MLP_N 6

static void test_forms_of_the_issue(void **state)
{
    (void)state;
    hp_space *s = must_build(mlp_space, MLP_N);
    assert_int_equal(space_dim(s), 6);
    assert_true(space_is_conditional(s, 1));
    assert_false(space_is_conditional(s, 0));
    assert_string_equal(space_condition(s, 4), "layers >= 3");
    /* optimizer adam (cell 3 of 4), layers 2: momentum and hidden3 off */
    double u[6] = {0.9, 0.3, 0.3, 0.3, 0.5, 0.5};
    hp_value v[6];
    space_decode(s, u, v);
    assert_int_equal(v[0].index, 3);
    assert_false(space_value_active(v[1]));
    assert_true(isnan(v[1].value));
    assert_true(space_value_active(v[2]));
    assert_float_equal(v[3].value, 2, 0);
    assert_false(space_value_active(v[4]));
    assert_true(space_value_active(v[5]));
    double back[6];
    space_encode(s, v, back);
    assert_true(isnan(back[1]));
    assert_true(isnan(back[4]));
    assert_false(isnan(back[2]));
    /* sgd, layers 4: momentum and hidden3 on, beta2 off */
    double w[6] = {0.1, 0.3, 0.3, 0.99, 0.5, 0.5};
    space_decode(s, w, v);
    assert_true(space_value_active(v[1]));
    assert_false(space_value_active(v[2]));
    assert_float_equal(v[3].value, 4, 0);
    assert_true(space_value_active(v[4]));
    assert_true(v[4].value >= 16 && v[4].value <= 256);
    /* the groups: the unconditional ones, momentum's, beta2's, hidden3's */
    assert_int_equal(space_groups(s), 4);
    assert_int_equal(space_group(s, 0), 0);
    assert_int_equal(space_group(s, 3), 0);
    assert_int_equal(space_group(s, 5), 0);
    assert_true(space_group(s, 1) != space_group(s, 2));
    assert_true(space_group(s, 1) != space_group(s, 4) && space_group(s, 1) > 0);
    space_free(s);
}

static void test_more_forms(void **state)
{
    (void)state;
    const decl d[] = {
        /* a child declared before its parent; == and = alike; quoted text */
        {"decay", "uniform(0.1, 0.9) if schedule = \"step wise\""},
        {"schedule", "choice(constant, \"step wise\", cosine)"},
        {"step", "int(1, 50) if schedule == \"step wise\" and layers not in (1)"},
        {"layers", "int(1, 3)"},
        /* on a condition: active only when step is, and step < 10 */
        {"fine", "choice(yes, no) if step < 10"},
        /* numbers as choices compare numerically; same condition, same group */
        {"width", "choice(32, 64, 128)"},
        {"wide_only", "uniform(0, 1) if width >= 64.0"},
        {"other", "uniform(0, 1) if width in (64, 128)"},
        {"note", "hello if layers != 2"},
    };
    hp_space *s = must_build(d, 9);
    hp_value v[9];
    /* schedule "step wise", layers 3, step small, width 32 */
    double u[8] = {0.5, 0.5, 0.01, 0.9, 0.1, 0.1, 0.5, 0.5};
    space_decode(s, u, v);
    assert_int_equal(v[1].index, 1);
    assert_true(space_value_active(v[0]));
    assert_true(space_value_active(v[2]));
    assert_int_equal((int)v[2].value, 1);
    assert_true(space_value_active(v[4]));
    assert_false(space_value_active(v[6]));
    assert_false(space_value_active(v[7]));
    assert_true(space_value_active(v[8])); /* layers 3 != 2 */
    assert_int_equal(space_group(s, 6), space_group(s, 7));
    /* step large: fine is off though step is on */
    u[2] = 0.9;
    space_decode(s, u, v);
    assert_true(space_value_active(v[2]));
    assert_false(space_value_active(v[4]));
    /* layers 1: step off, and with it fine (whatever its own value says) */
    u[2] = 0.01;
    u[3] = 0.01;
    space_decode(s, u, v);
    assert_false(space_value_active(v[2]));
    assert_false(space_value_active(v[4]));
    /* another schedule: decay, step and fine off */
    u[1] = 0.1;
    u[3] = 0.9;
    space_decode(s, u, v);
    assert_false(space_value_active(v[0]));
    assert_false(space_value_active(v[2]));
    assert_false(space_value_active(v[4]));
    /* width 128: both of width's children on; layers 2: the fixed note off */
    u[5] = 0.9;
    u[3] = 0.5;
    space_decode(s, u, v);
    assert_true(space_value_active(v[6]));
    assert_true(space_value_active(v[7]));
    assert_false(space_value_active(v[8]));
    space_free(s);
}

static void test_errors(void **state)
{
    (void)state;
    const decl unknown[] = {{"a", "choice(x, y)"}, {"b", "uniform(0, 1) if optimiser == x"}};
    expect_failure(unknown, 2, 1, "'optimiser', which is not a parameter");
    const decl self[] = {{"b", "int(1, 3) if b > 1"}};
    expect_failure(self, 1, 0, "names the parameter itself");
    const decl cycle[] = {{"a", "choice(x, y) if c == x"},
                          {"b", "choice(x, y) if a == x"},
                          {"c", "choice(x, y) if b == y"},
                          {"d", "uniform(0, 1)"}};
    char err[HP_ERR_LEN];
    int bad;
    assert_null(build(cycle, 4, err, &bad));
    assert_non_null(strstr(err, "cycle"));
    assert_non_null(strstr(err, "a -> "));
    assert_true(bad >= 0 && bad <= 2);
    const decl not_a_value[] = {{"opt", "choice(sgd, adam)"},
                                {"m", "uniform(0, 1) if opt in (sgd, nesterov)"}};
    expect_failure(not_a_value, 2, 1, "'nesterov', which is not one of its values (sgd, adam)");
    const decl never[] = {{"layers", "int(1, 4)"}, {"h", "int(16, 256) if layers >= 5"}};
    expect_failure(never, 2, 1, "can never hold ('layers' is an integer from 1 to 4)");
    const decl never_in[] = {{"layers", "int(1, 4)"}, {"h", "int(16, 256) if layers in (2, 9)"}};
    expect_failure(never_in, 2, 1, "which it never takes");
    const decl never_and[] = {{"layers", "int(1, 4)"},
                              {"h", "int(16, 256) if layers > 2 and layers < 3"}};
    expect_failure(never_and, 2, 1, "can never hold");
    const decl never_chain[] = {{"layers", "int(1, 4)"},
                                {"h", "int(16, 256) if layers >= 3"},
                                {"g", "uniform(0, 1) if h > 8 and layers == 2"}};
    expect_failure(never_chain, 3, 2, "with the conditions of its parents");
    const decl never_text[] = {{"opt", "choice(sgd, adam)"},
                               {"m", "uniform(0, 1) if opt == sgd"},
                               {"n", "uniform(0, 1) if m > 0.5 and opt == adam"}};
    expect_failure(never_text, 3, 2, "no value of 'opt' satisfies them all");
    const decl text_compare[] = {{"opt", "choice(sgd, adam)"},
                                 {"m", "uniform(0, 1) if opt > sgd"}};
    expect_failure(text_compare, 2, 1, "takes texts");
    const decl number_text[] = {{"layers", "int(1, 4)"}, {"m", "uniform(0, 1) if layers == two"}};
    expect_failure(number_text, 2, 1, "with 'two'");
    const decl off_step[] = {{"w", "uniform(0, 1, step=0.25)"}, {"m", "uniform(0, 1) if w == 0.3"}};
    expect_failure(off_step, 2, 1, "on its step");
    /* syntax, reported by space_add */
    const decl syntax[][1] = {
        {{"m", "uniform(0, 1) if"}},
        {{"m", "uniform(0, 1) if opt"}},
        {{"m", "uniform(0, 1) if opt in sgd"}},
        {{"m", "uniform(0, 1) if opt in (sgd"}},
        {{"m", "uniform(0, 1) if opt == sgd or opt == adam"}},
        {{"m", "uniform(0, 1) if opt == sgd adam"}},
        {{"m", "uniform(0, 1) if 3 == opt"}},
        {{"m", "if opt == sgd"}},
        {{"m", "uniform(0, 1) if opt ~ sgd"}},
    };
    const char *why[] = {"nothing after 'if'", "expected ==",        "list in parentheses",
                         "expected ',' or ')'", "'or' is not supported", "expected 'and'",
                         "parameter's name",   "nothing before 'if'", "expected =="};
    for (size_t i = 0; i < sizeof syntax / sizeof syntax[0]; i++)
        expect_failure(syntax[i], 1, 0, why[i]);
}

static void test_if_inside_values_is_not_a_condition(void **state)
{
    (void)state;
    const decl d[] = {{"a", "choice(\"x if y\", b)"}, {"c", "\"what if\""}};
    hp_space *s = must_build(d, 2);
    assert_false(space_is_conditional(s, 0));
    assert_false(space_is_conditional(s, 1));
    assert_string_equal(space_param(s, 0)->choices[0], "x if y");
    space_free(s);
}

static void test_hash(void **state)
{
    (void)state;
    const decl flat[] = {{"opt", "choice(sgd, adam)"}, {"m", "uniform(0, 1)"}};
    const decl cond[] = {{"opt", "choice(sgd, adam)"}, {"m", "uniform(0, 1) if opt == sgd"}};
    const decl cond2[] = {{"opt", "choice(sgd, adam)"}, {"m", "uniform(0, 1) if opt == adam"}};
    hp_space *a = must_build(flat, 2), *b = must_build(cond, 2), *c = must_build(cond2, 2);
    char ha[17], hb[17], hc[17];
    space_hash(a, ha);
    space_hash(b, hb);
    space_hash(c, hc);
    assert_string_not_equal(ha, hb);
    assert_string_not_equal(hb, hc);
    space_free(a);
    space_free(b);
    space_free(c);
}

/* 1 when V holds a value exactly where each condition holds. */
static int consistent(const hp_space *s, const hp_value *v)
{
    for (int i = 0; i < space_size(s); i++)
        if (space_value_active(v[i]) != space_condition_holds(s, i, v))
            return 0;
    return 1;
}

static int same_trial(const hp_space *s, const hp_value *a, const hp_value *b)
{
    for (int i = 0; i < space_size(s); i++) {
        if (space_value_active(a[i]) != space_value_active(b[i]))
            return 0;
        if (space_value_active(a[i]) && (a[i].index != b[i].index || a[i].value != b[i].value))
            return 0;
    }
    return 1;
}

static void test_grid_exact(void **state)
{
    (void)state;
    const decl d[] = {
        {"optimizer", "choice(sgd, adam, rmsprop)"},
        {"momentum", "uniform(0.5, 0.9, step=0.1) if optimizer == sgd"}, /* 5 */
        {"beta2", "choice(0.99, 0.999, 0.9999) if optimizer == adam"},    /* 3 */
        {"layers", "int(1, 3)"},
        {"hidden3", "choice(a, b) if layers >= 3"},
        {"extra", "int(1, 2) if hidden3 == b"},
    };
    /* optimizer: 5 + 3 + 1; layers: 1 + 1 + (a + 2 b) */
    hp_space *s = must_build(d, 6);
    uint64_t n;
    char err[HP_ERR_LEN];
    assert_int_equal(space_grid_size(s, 1000, &n, err), 0);
    assert_int_equal(n, 9 * 5);
    hp_value all[45][6];
    for (uint64_t i = 0; i < n; i++) {
        space_grid_point(s, i, all[i]);
        assert_true(consistent(s, all[i]));
        for (uint64_t j = 0; j < i; j++)
            assert_false(same_trial(s, all[i], all[j]));
    }
    /* too many points for the limit */
    assert_int_equal(space_grid_size(s, 44, &n, err), -1);
    assert_non_null(strstr(err, "more than 44"));
    space_free(s);
}

static void test_grid_without_conditions_unchanged(void **state)
{
    (void)state;
    const decl d[] = {{"a", "choice(x, y, z)"}, {"b", "int(1, 4)"}};
    hp_space *s = must_build(d, 2);
    uint64_t n;
    char err[HP_ERR_LEN];
    assert_int_equal(space_grid_size(s, 1000, &n, err), 0);
    assert_int_equal(n, 12);
    hp_value v[2];
    space_grid_point(s, 5, v); /* mixed radix, the last fastest: a = 1, b = 1 */
    assert_int_equal(v[0].index, 1);
    assert_float_equal(v[1].value, 2, 0);
    space_free(s);
}

static hp_sampler *make(const char *name, const hp_space *s, uint64_t seed)
{
    hp_sampler *smp;
    char err[HP_ERR_LEN];
    hp_sampler_options opt;
    sampler_options_init(&opt);
    opt.deterministic = 1;
    if (sampler_new(name, s, seed, &opt, &smp, err))
        print_error("%s: %s\n", name, err);
    assert_non_null(smp);
    return smp;
}

/* The objective of the sampler tests, to minimise: with optimizer sgd a
** bowl in (lr, momentum) reaching 0; with adam a bowl in (lr, beta2)
** reaching 0.3; rmsprop flat at 0.6.  hidden3 adds when layers >= 3. */
static double objective(const hp_value *v)
{
    double lr = log10(v[5].value), f;
    if (v[0].index == 0)
        f = (lr + 2) * (lr + 2) / 4 + 4 * (v[1].value - 0.8) * (v[1].value - 0.8);
    else if (v[0].index == 3)
        f = 0.3 + (lr + 3) * (lr + 3) / 4 + 50 * (v[2].value - 0.99) * (v[2].value - 0.99);
    else
        f = 0.6;
    if (space_value_active(v[4]))
        f += 0.05 * fabs(log2(v[4].value / 64));
    return f;
}

/* Runs SAMPLER for N trials on mlp_space; returns the best value, and checks
** every proposal's consistency on the way. */
static double run_sampler(const char *name, uint64_t seed, int n)
{
    hp_space *s = must_build(mlp_space, MLP_N);
    hp_sampler *smp = make(name, s, seed);
    int d = space_dim(s);
    double *x = calloc((size_t)n * (size_t)d + 1, sizeof(double));
    double *y = calloc((size_t)n + 1, sizeof(double));
    assert_non_null(x);
    assert_non_null(y);
    hp_value v[MLP_N];
    char err[HP_ERR_LEN];
    double best = INFINITY;
    for (int t = 0; t < n; t++) {
        hp_history h = {t, x, y, 0, NULL, NULL};
        if (sampler_propose(smp, (uint64_t)t, &h, v, err))
            print_error("%s: %s\n", name, err);
        assert_true(consistent(s, v));
        space_encode(s, v, x + (size_t)t * (size_t)d);
        y[t] = objective(v);
        best = fmin(best, y[t]);
    }
    sampler_free(smp);
    space_free(s);
    free(x);
    free(y);
    return best;
}

static void test_samplers_consistent_and_reproducible(void **state)
{
    (void)state;
    const char *names[] = {"random", "sobol", "tpe", "gp", "auto"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        double a = run_sampler(names[k], 7, 30), b = run_sampler(names[k], 7, 30);
        assert_true(a == b);
    }
    /* random and sobol: trial N's values from (seed, N) alone */
    hp_space *s = must_build(mlp_space, MLP_N);
    const char *plain[] = {"random", "sobol"};
    for (int k = 0; k < 2; k++) {
        hp_sampler *fwd = make(plain[k], s, 3), *back = make(plain[k], s, 3);
        hp_value va[20][MLP_N], vb[MLP_N];
        char err[HP_ERR_LEN];
        int inactive = 0;
        for (int t = 0; t < 20; t++) {
            assert_int_equal(sampler_propose(fwd, (uint64_t)t, NULL, va[t], err), 0);
            inactive += !space_value_active(va[t][1]) + !space_value_active(va[t][4]);
        }
        for (int t = 19; t >= 0; t--) {
            assert_int_equal(sampler_propose(back, (uint64_t)t, NULL, vb, err), 0);
            assert_true(same_trial(s, va[t], vb));
        }
        assert_true(inactive > 5);
        sampler_free(fwd);
        sampler_free(back);
    }
    space_free(s);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* gp and tpe learn which branch is best: their median over seeds beats
** random search's at the same budget, and gp gets near the optimum. */
static void test_models_find_the_branch(void **state)
{
    (void)state;
    const char *names[] = {"random", "tpe", "gp"};
    double median[3];
    for (int k = 0; k < 3; k++) {
        double best[7];
        for (int seed = 0; seed < 7; seed++)
            best[seed] = run_sampler(names[k], (uint64_t)seed + 100, 40);
        qsort(best, 7, sizeof best[0], compare_double);
        median[k] = best[3];
    }
    print_message("median best at 40 trials: random %g, tpe %g, gp %g\n", median[0],
                  median[1], median[2]);
    assert_true(median[1] < median[0]);
    assert_true(median[2] < median[0]);
    assert_true(median[2] < 0.05);
}

/* gp models whether each condition holds as a dimension of its own: the
** fit it keeps has one length-scale per searched parameter and one per
** condition (momentum's, beta2's and hidden3's), and a fit without those
** (an older one) is refused, so the model starts cold. */
static void test_gp_models_each_condition(void **state)
{
    (void)state;
    hp_space *s = must_build(mlp_space, MLP_N);
    hp_sampler *smp = make("gp", s, 5);
    int d = space_dim(s), n = 20;
    double x[20 * MLP_N], y[20];
    hp_value v[MLP_N];
    char err[HP_ERR_LEN], text[2048];
    for (int t = 0; t < n; t++) {
        hp_history h = {t, x, y, 0, NULL, NULL};
        assert_int_equal(sampler_propose(smp, (uint64_t)t, &h, v, err), 0);
        space_encode(s, v, x + (size_t)t * (size_t)d);
        y[t] = objective(v);
    }
    int trials = 0;
    assert_true(sampler_save_model(smp, text, sizeof text, &trials) > 0);
    assert_memory_equal(text, "gp2 9 ", 6);
    int fields = 0;
    for (const char *p = text; *p; p++)
        fields += *p == ' ';
    assert_int_equal(fields, 3 + 9 + 1); /* D, kernel, signal, noise, 9 scales */
    assert_int_equal(sampler_load_model(smp, text, trials), 0);
    assert_int_equal(sampler_load_model(smp, "gp1 6 0 -3 0 0 0 0 0 0", trials), -1);
    sampler_free(smp);
    space_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms_of_the_issue),
        cmocka_unit_test(test_more_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_if_inside_values_is_not_a_condition),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_grid_exact),
        cmocka_unit_test(test_grid_without_conditions_unchanged),
        cmocka_unit_test(test_samplers_consistent_and_reproducible),
        cmocka_unit_test(test_models_find_the_branch),
        cmocka_unit_test(test_gp_models_each_condition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
