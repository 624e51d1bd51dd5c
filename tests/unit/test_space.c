/*
** Unit tests of search/space: distribution parsing, its errors, the unit
** cube mapping (log, int, step, categorical) and grids.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "../../search/space.h"

static hp_space *one(const char *spec)
{
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_non_null(s);
    int rc = space_add(s, "p", spec, err);
    if (rc)
        print_error("space_add(%s): %s\n", spec, err);
    assert_int_equal(rc, 0);
    return s;
}

static void expect_error(const char *name, const char *spec, const char *fragment)
{
    hp_space *s = space_new();
    char err[HP_ERR_LEN] = "";
    assert_int_equal(space_add(s, name, spec, err), -1);
    if (!strstr(err, fragment))
        print_error("'%s': message '%s' lacks '%s'\n", spec, err, fragment);
    assert_non_null(strstr(err, fragment));
    assert_int_equal(space_size(s), 0);
    space_free(s);
}

static void test_bad_specs(void **state)
{
    (void)state;
    expect_error("p", "uniform(5, 1)", "not below");
    expect_error("p", "uniform(1, 1)", "not below");
    expect_error("p", "loguniform(0, 1)", "above 0");
    expect_error("p", "int(1.5, 3)", "integers");
    expect_error("p", "choice()", "at least one");
    expect_error("p", "choice(a, , b)", "empty value");
    expect_error("p", "choice(a, a)", "twice");
    expect_error("p", "uniform(0, 1", "missing ')'");
    expect_error("p", "uniform(a, 1)", "numbers");
    expect_error("p", "uniform(0, 1, step=-1)", "positive");
    expect_error("p", "uniform(0, 1, wobble)", "unknown option");
    expect_error("p", "normal(0, 1)", "unknown distribution");
    expect_error("p", "choice(\"a, b)", "unterminated");
    expect_error("p", "a, b", "did you mean choice");
    expect_error("9lives", "1", "not a valid parameter name");
    expect_error("p", "int(1, 10, log, step=2)", "cannot");
}

static void test_duplicate_name(void **state)
{
    (void)state;
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_int_equal(space_add(s, "lr", "uniform(0, 1)", err), 0);
    assert_int_equal(space_add(s, "lr", "uniform(0, 2)", err), -1);
    assert_non_null(strstr(err, "twice"));
    space_free(s);
}

static void test_uniform_and_log(void **state)
{
    (void)state;
    hp_space *s = one("uniform(-2, 6)");
    hp_value v;
    double u = 0.25, back;
    space_decode(s, &u, &v);
    assert_float_equal(v.value, 0.0, 1e-12);
    space_encode(s, &v, &back);
    assert_float_equal(back, 0.25, 1e-12);
    space_free(s);

    s = one("loguniform(1e-4, 1e-1)");
    u = 0.5;
    space_decode(s, &u, &v);
    assert_float_equal(log10(v.value), -2.5, 1e-9);
    space_encode(s, &v, &back);
    assert_float_equal(back, 0.5, 1e-9);
    /* the ends stay inside the bounds */
    u = 0;
    space_decode(s, &u, &v);
    assert_true(v.value >= 1e-4);
    u = 0.9999999999;
    space_decode(s, &u, &v);
    assert_true(v.value <= 1e-1);
    /* a continuous range is closed: u = 1 gives hi exactly */
    u = 1;
    space_decode(s, &u, &v);
    assert_true(v.value == 1e-1);
    space_free(s);

    s = one("uniform(-5, 5)");
    u = 1;
    space_decode(s, &u, &v);
    assert_true(v.value == 5);
    space_encode(s, &v, &back);
    assert_true(back == 1);
    space_decode(s, &back, &v);
    assert_true(v.value == 5);
    u = 0;
    space_decode(s, &u, &v);
    assert_true(v.value == -5);
    space_free(s);
}

/* Every admissible int owns an equal share of the unit interval: sweeping
** u finely must hit each of lo..hi about equally often, ends included. */
static void test_int_cells_equal(void **state)
{
    (void)state;
    hp_space *s = one("int(1, 4)");
    int counts[5] = {0};
    for (int k = 0; k < 4000; k++) {
        double u = (k + 0.5) / 4000;
        hp_value v;
        space_decode(s, &u, &v);
        assert_true(v.value >= 1 && v.value <= 4);
        assert_true(v.value == floor(v.value));
        counts[(int)v.value]++;
    }
    for (int i = 1; i <= 4; i++)
        assert_int_equal(counts[i], 1000);
    /* encode gives the cell centre, and decodes back to the same int */
    for (int i = 1; i <= 4; i++) {
        hp_value v = {i, -1}, w;
        double u;
        space_encode(s, &v, &u);
        assert_float_equal(u, (i - 0.5) / 4, 1e-12);
        space_decode(s, &u, &w);
        assert_float_equal(w.value, i, 0);
    }
    space_free(s);
}

static void test_int_log_round_trip(void **state)
{
    (void)state;
    hp_space *s = one("int(16, 256, log)");
    for (int i = 16; i <= 256; i++) {
        hp_value v = {i, -1}, w;
        double u;
        space_encode(s, &v, &u);
        space_decode(s, &u, &w);
        assert_float_equal(w.value, i, 0);
    }
    space_free(s);
}

static void test_step(void **state)
{
    (void)state;
    hp_space *s = one("uniform(0, 1, step=0.25)");
    int seen[5] = {0};
    for (int k = 0; k < 1000; k++) {
        double u = (k + 0.5) / 1000;
        hp_value v;
        space_decode(s, &u, &v);
        double q = v.value / 0.25;
        assert_float_equal(q, round(q), 1e-12);
        seen[(int)round(q)]++;
    }
    for (int i = 0; i < 5; i++)
        assert_int_equal(seen[i], 200);
    uint64_t n;
    char err[HP_ERR_LEN];
    assert_int_equal(space_grid_size(s, 1000, &n, err), 0);
    assert_int_equal(n, 5);
    space_free(s);
    /* a step that does not divide the range: hi snaps down to the grid */
    s = one("uniform(0, 1, step=0.3)");
    assert_float_equal(space_param(s, 0)->hi, 0.9, 1e-12);
    space_free(s);
}

static void test_choice(void **state)
{
    (void)state;
    hp_space *s = one("choice(plain, \"a b\", \"x;y\", \"q\\\"t\", \"c,d\")");
    const hp_param *p = space_param(s, 0);
    assert_int_equal(p->n_choices, 5);
    assert_string_equal(p->choices[0], "plain");
    assert_string_equal(p->choices[1], "a b");
    assert_string_equal(p->choices[2], "x;y");
    assert_string_equal(p->choices[3], "q\"t");
    assert_string_equal(p->choices[4], "c,d");
    assert_int_equal(space_value_is_numeric(s, 0), 0);
    for (int i = 0; i < 5; i++) {
        hp_value v = {0, i}, w;
        double u;
        space_encode(s, &v, &u);
        space_decode(s, &u, &w);
        assert_int_equal(w.index, i);
    }
    space_free(s);
    s = one("choice(16, 32, 64)");
    assert_int_equal(space_value_is_numeric(s, 0), 1);
    double u = 0.99;
    hp_value v;
    space_decode(s, &u, &v);
    assert_float_equal(v.value, 64, 0);
    assert_int_equal(v.index, 2);
    space_free(s);
}

static void test_fixed(void **state)
{
    (void)state;
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_int_equal(space_add(s, "act", "relu", err), 0);
    assert_int_equal(space_add(s, "x", "uniform(0, 1)", err), 0);
    assert_int_equal(space_add(s, "n", "3", err), 0);
    assert_int_equal(space_size(s), 3);
    assert_int_equal(space_dim(s), 1);
    double u = 0.5;
    hp_value v[3];
    space_decode(s, &u, v);
    assert_int_equal(v[0].index, 0);
    assert_float_equal(v[1].value, 0.5, 1e-12);
    assert_float_equal(v[2].value, 3, 0);
    char buf[64];
    assert_string_equal(space_format_value(s, 0, v[0], buf, sizeof buf), "relu");
    space_free(s);
}

static void test_grid(void **state)
{
    (void)state;
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_int_equal(space_add(s, "a", "choice(x, y, z)", err), 0);
    assert_int_equal(space_add(s, "b", "int(1, 4)", err), 0);
    assert_int_equal(space_add(s, "c", "uniform(0, 1, step=0.5)", err), 0);
    uint64_t n;
    assert_int_equal(space_grid_size(s, 1000, &n, err), 0);
    assert_int_equal(n, 3 * 4 * 3);
    /* all points distinct */
    char seen[36] = {0};
    for (uint64_t i = 0; i < n; i++) {
        hp_value v[3];
        space_grid_point(s, i, v);
        int key = v[0].index * 12 + ((int)v[1].value - 1) * 3 + (int)(v[2].value * 2);
        assert_false(seen[key]);
        seen[key] = 1;
    }
    assert_int_equal(space_grid_size(s, 10, &n, err), -1);
    assert_non_null(strstr(err, "more than 10"));
    assert_int_equal(space_add(s, "d", "uniform(0, 1)", err), 0);
    assert_int_equal(space_grid_size(s, 1000, &n, err), -1);
    assert_non_null(strstr(err, "'d'"));
    space_free(s);
}

static void test_hash(void **state)
{
    (void)state;
    hp_space *a = one("uniform(0, 1)"), *b = one("uniform(0, 1)"), *c = one("uniform(0, 2)");
    char ha[17], hb[17], hc[17];
    space_hash(a, ha);
    space_hash(b, hb);
    space_hash(c, hc);
    assert_string_equal(ha, hb);
    assert_string_not_equal(ha, hc);
    space_free(a);
    space_free(b);
    space_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_specs),     cmocka_unit_test(test_duplicate_name),
        cmocka_unit_test(test_uniform_and_log), cmocka_unit_test(test_int_cells_equal),
        cmocka_unit_test(test_int_log_round_trip), cmocka_unit_test(test_step),
        cmocka_unit_test(test_choice),        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_grid),          cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
