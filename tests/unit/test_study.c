/*
** Unit tests of engine/ini and engine/study: every error names FILE:LINE,
** values parse strictly, defaults apply.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../engine/study.h"

static char path[256];

static void write_file(const char *text)
{
    snprintf(path, sizeof path, "/tmp/hpsearch-test-study-%d.ini", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

#define HEAD "[study]\nname = t\ntrials = 5\n"
#define OBJ "[objective]\ntype = function\nname = branin\n"
#define PARAMS "[params]\nx = uniform(-5, 10)\ny = uniform(0, 15)\n"

/* Loading TEXT fails with a message holding ":LINE:" and FRAGMENT. */
static void expect_fail(const char *text, int line, const char *fragment)
{
    write_file(text);
    hp_study_config cfg;
    char err[HP_ERR_LEN] = "";
    assert_int_equal(study_load(path, 2, &cfg, err), -1);
    char where[300];
    snprintf(where, sizeof where, "%s:%d:", path, line);
    if ((line && !strstr(err, where)) || !strstr(err, fragment))
        print_error("got '%s', want '%s' and '%s'\n", err, where, fragment);
    if (line)
        assert_non_null(strstr(err, where));
    assert_non_null(strstr(err, fragment));
    unlink(path);
}

static void test_valid(void **state)
{
    (void)state;
    write_file("; a comment\n# another\n[study]\nname = t   ; inline\ntrials = 7\n"
               "direction = maximize\nseed = 9\nsampler = sobol\ntimeout = 1.5m\n"
               "storage = sub/x.db\n" OBJ "sleep = 10ms0\n" PARAMS);
    hp_study_config cfg;
    char err[HP_ERR_LEN];
    /* "10ms0" is not a duration */
    assert_int_equal(study_load(path, 2, &cfg, err), -1);
    write_file("; a comment\n# another\n[study]\nname = t   ; inline\ntrials = 7\n"
               "direction = maximize\nseed = 9\nsampler = sobol\ntimeout = 1.5m\n"
               "storage = sub/x.db\n" OBJ "sleep = 0.5s\n" PARAMS);
    assert_int_equal(study_load(path, 4, &cfg, err), 0);
    assert_string_equal(cfg.name, "t");
    assert_int_equal(cfg.trials, 7);
    assert_int_equal(cfg.maximize, 1);
    assert_int_equal(cfg.seed, 9);
    assert_string_equal(cfg.sampler, "sobol");
    assert_float_equal(cfg.timeout_s, 90, 1e-9);
    /* the objective's own options live in its module: sleep 0.5s */
    hp_buf what;
    buf_init(&what);
    objective_spec_describe(cfg.objective, &what);
    assert_string_equal(buf_str(&what), "function branin, sleep 0.5s");
    buf_deinit(&what);
    assert_int_equal(cfg.workers, 4);   /* default: cores */
    assert_int_equal(cfg.threads, 1);   /* cores / workers */
    assert_string_equal(cfg.metric, "value");
    assert_true(strstr(cfg.storage, "/tmp/sub/x.db") != NULL);
    assert_int_equal(space_size(cfg.space), 2);
    assert_int_equal(cfg.has_objective, 1);
    study_deinit(&cfg);
    unlink(path);
}

static void test_default_storage_grid_trials_and_sampler(void **state)
{
    (void)state;
    write_file("[study]\nname = g\nsampler = grid\n" OBJ
               "[params]\nx = int(1, 3)\ny = choice(1, 2)\n");
    hp_study_config cfg;
    char err[HP_ERR_LEN];
    assert_int_equal(study_load(path, 2, &cfg, err), 0);
    assert_int_equal(cfg.trials, 6); /* the whole grid */
    assert_non_null(strstr(cfg.storage, "/tmp/g.db"));
    study_deinit(&cfg);
    /* no sampler named: auto */
    write_file(HEAD OBJ PARAMS);
    assert_int_equal(study_load(path, 2, &cfg, err), 0);
    assert_string_equal(cfg.sampler, "auto");
    study_deinit(&cfg);
    unlink(path);
}

static void test_errors(void **state)
{
    (void)state;
    expect_fail(HEAD "bogus = 1\n" OBJ PARAMS, 4, "unknown key 'bogus'");
    expect_fail(HEAD OBJ PARAMS "[extra]\n", 10, "unknown section [extra]");
    expect_fail("[study]\nname = t\ntrials = -3\n" OBJ PARAMS, 3, "positive integer");
    expect_fail("[study]\nname = t\ntrials = 10x\n" OBJ PARAMS, 3, "positive integer");
    expect_fail(HEAD OBJ "[params]\nx = uniform(5, 1)\n", 8, "not below");
    expect_fail(HEAD OBJ "[params]\nx = loguniform(0, 1)\n", 8, "above 0");
    expect_fail(HEAD OBJ "[params]\nx = int(1.5, 3)\n", 8, "integers");
    expect_fail(HEAD OBJ "[params]\nx = choice()\n", 8, "at least one");
    expect_fail("[study]\nname = t\nsampler = grid\n" OBJ PARAMS, 3, "'x' is a continuous");
    expect_fail(HEAD "direction = up\n" OBJ PARAMS, 4, "minimize or maximize");
    expect_fail(HEAD "sampler = tpee\n" OBJ PARAMS, 4, "unknown sampler 'tpee'");
    expect_fail(HEAD "sampler = cmaes\n" OBJ PARAMS, 4, "expected auto, grid, random");
    expect_fail(HEAD OBJ PARAMS "[study]\nname = again\n", 11, "duplicate key 'name'");
    expect_fail("name = t\n", 1, "outside any [section]");
    expect_fail(HEAD "this is not a pair\n", 4, "expected 'key = value'");
    expect_fail(HEAD "[study\n", 4, "malformed section");
    expect_fail(HEAD "[objective]\ntype = function\nname = nope\n" PARAMS, 6,
                "unknown function 'nope'");
    expect_fail(HEAD "[objective]\ntype = function\nname = hartmann3\n" PARAMS, 7,
                "takes 3 parameters");
    expect_fail(HEAD "[objective]\ntype = quantum\n" PARAMS, 5, "unknown objective type");
    expect_fail(HEAD "[objective]\ntype = function\nname = branin\ncolor = red\n" PARAMS,
                7, "unknown key 'color'");
    expect_fail("[study]\nname = t\n" OBJ PARAMS, 1, "needs 'trials'");
    expect_fail(HEAD OBJ, 0, "no parameters");
    expect_fail(HEAD "sampler = random\n[sampler]\ninitial_trials = 3\n" OBJ PARAMS, 6,
                "takes no options");
    expect_fail(HEAD "[sampler]\nlength_scale = 3\n" OBJ PARAMS, 5,
                "unknown key 'length_scale' in [sampler] for sampler auto");
    expect_fail(HEAD "workers = 0\n" OBJ PARAMS, 4, "workers must be");
    expect_fail(HEAD "timeout = soon\n" OBJ PARAMS, 4, "duration");
    expect_fail(HEAD "storage = mysql://u@h/db\n" OBJ PARAMS, 4, "not supported");
}

static void test_quoted_values_and_comments(void **state)
{
    (void)state;
    write_file(HEAD "[params]\nk = choice(plain, \"a ;b\", \"x;y\", \"h # i\") ; comment\n");
    hp_study_config cfg;
    char err[HP_ERR_LEN];
    int rc = study_load(path, 2, &cfg, err);
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, 0);
    const hp_param *p = space_param(cfg.space, 0);
    assert_int_equal(p->n_choices, 4);
    assert_string_equal(p->choices[1], "a ;b");
    assert_string_equal(p->choices[3], "h # i");
    assert_int_equal(cfg.has_objective, 0);
    study_deinit(&cfg);
    unlink(path);
}

static void test_durations(void **state)
{
    (void)state;
    double s;
    assert_int_equal(study_parse_duration("90", &s), 0);
    assert_float_equal(s, 90, 0);
    assert_int_equal(study_parse_duration("30m", &s), 0);
    assert_float_equal(s, 1800, 0);
    assert_int_equal(study_parse_duration("1.5h", &s), 0);
    assert_float_equal(s, 5400, 0);
    assert_int_equal(study_parse_duration("2d", &s), 0);
    assert_int_equal(study_parse_duration("-1s", &s), -1);
    assert_int_equal(study_parse_duration("5 minutes", &s), -1);
    assert_int_equal(study_parse_duration("", &s), -1);
}

static void test_missing_file(void **state)
{
    (void)state;
    hp_study_config cfg;
    char err[HP_ERR_LEN];
    assert_int_equal(study_load("/nonexistent/x.ini", 2, &cfg, err), -1);
    assert_non_null(strstr(err, "/nonexistent/x.ini: cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),   cmocka_unit_test(test_default_storage_grid_trials_and_sampler),
        cmocka_unit_test(test_errors),  cmocka_unit_test(test_quoted_values_and_comments),
        cmocka_unit_test(test_durations), cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
