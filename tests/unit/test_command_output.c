/*
** Unit tests of engine/command_output: the command objective's output
** protocol as a pure parser.  Reports at steps, final values, the last-line
** number and JSON fallbacks, malformed protocol lines (a step that is not a
** non-negative integer, a value that is not a number), lines split across
** reads, bounded memory for huge lines, and stop requests.
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

#include "../../engine/command_output.h"

typedef struct {
    int n;
    int64_t steps[16];
    char names[16][64];
    double values[16];
    int stop_at;   /* ask to stop at this report (1-based), 0 = never */
} reports;

static int on_report(void *ctx, int64_t step, const char *name, double value)
{
    reports *r = ctx;
    if (r->n < 16) {
        r->steps[r->n] = step;
        snprintf(r->names[r->n], sizeof r->names[0], "%s", name);
        r->values[r->n] = value;
    }
    r->n++;
    return r->stop_at && r->n >= r->stop_at;
}

/* Parses TEXT whole; returns the result code, value in *v, reason in why. */
static int parse_all(const char *text, reports *r, double *v, hp_outcome *out, char *why)
{
    hp_output_parser *p = output_parser_new("val_loss", on_report, r);
    assert_non_null(p);
    output_parser_feed(p, text, strlen(text));
    output_parser_finish(p);
    memset(out, 0, sizeof *out);
    int rc = output_parser_result(p, v, out, why, HP_ERR_LEN);
    output_parser_free(p);
    return rc;
}

static double metric(const hp_outcome *out, const char *name)
{
    for (int i = 0; i < out->n_metrics; i++)
        if (strcmp(out->metric_names[i], name) == 0)
            return out->metric_values[i];
    return NAN;
}

static void test_protocol(void **state)
{
    (void)state;
    reports r = {0};
    double v;
    hp_outcome out;
    char why[HP_ERR_LEN];
    assert_int_equal(parse_all("epoch 1\nhpsearch: step=1 value=0.9 train_loss=1.2\n"
                               "hpsearch: step=2 value=0.5\nnoise\n"
                               "hpsearch: value=0.4 acc=0.8\n", &r, &v, &out, why), 0);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.steps[0], 1);
    assert_string_equal(r.names[0], "val_loss"); /* "value" is the study metric */
    assert_string_equal(r.names[1], "train_loss");
    assert_float_equal(r.values[2], 0.5, 0);
    assert_float_equal(v, 0.4, 0);
    assert_float_equal(metric(&out, "acc"), 0.8, 0);
    assert_float_equal(metric(&out, "val_loss"), 0.4, 0);
}

static void test_fallbacks(void **state)
{
    (void)state;
    reports r = {0};
    double v;
    hp_outcome out;
    char why[HP_ERR_LEN];
    /* the last non-empty line as a number, trailing blanks and \r ignored */
    assert_int_equal(parse_all("training...\n 0.25 \r\n\n", &r, &v, &out, why), 0);
    assert_float_equal(v, 0.25, 0);
    /* a last line without a newline counts */
    assert_int_equal(parse_all("x\n1e-3", &r, &v, &out, why), 0);
    assert_float_equal(v, 1e-3, 0);
    /* a flat JSON object holding the metric; other numbers become metrics */
    assert_int_equal(parse_all("{\"acc\": 0.9, \"val_loss\": 0.31, \"tag\": \"x\"}\n", &r, &v,
                               &out, why), 0);
    assert_float_equal(v, 0.31, 0);
    assert_float_equal(metric(&out, "acc"), 0.9, 0);
    /* NaN is a result (the outcome policy fails the trial for it) */
    assert_int_equal(parse_all("nan\n", &r, &v, &out, why), 0);
    assert_true(isnan(v));
    /* no value */
    assert_int_equal(parse_all("done\n", &r, &v, &out, why), -1);
    assert_non_null(strstr(why, "its last line was 'done'"));
    assert_int_equal(parse_all("", &r, &v, &out, why), -1);
    assert_non_null(strstr(why, "printed nothing"));
    /* a number that overflows is not the number it says */
    assert_int_equal(parse_all("1e999\n", &r, &v, &out, why), -1);
}

static void test_malformed_steps(void **state)
{
    (void)state;
    const char *bad[] = {"hpsearch: step=1e300 value=99\n", "hpsearch: step=nan value=1\n",
                         "hpsearch: step=-1 value=1\n", "hpsearch: step=1.5 value=1\n",
                         "hpsearch: step=99999999999999999999 value=1\n",
                         "hpsearch: step=2 value=abc\n", "hpsearch: step=3\n",
                         "hpsearch: garbage\n", NULL};
    for (int i = 0; bad[i]; i++) {
        reports r = {0};
        double v;
        hp_outcome out;
        char why[HP_ERR_LEN];
        char text[256];
        snprintf(text, sizeof text, "%shpsearch: value=1\n", bad[i]);
        assert_int_equal(parse_all(text, &r, &v, &out, why), -1);
        assert_non_null(strstr(why, "malformed protocol line"));
        assert_int_equal(r.n, 0); /* nothing was reported from it */
    }
    /* the largest step accepted: 18 digits */
    reports r = {0};
    double v;
    hp_outcome out;
    char why[HP_ERR_LEN];
    assert_int_equal(parse_all("hpsearch: step=999999999999999999 value=2\n0\n", &r, &v, &out,
                               why), 0);
    assert_int_equal(r.steps[0], 999999999999999999LL);
}

static void test_split_reads_and_long_lines(void **state)
{
    (void)state;
    reports r = {0};
    hp_output_parser *p = output_parser_new("val_loss", on_report, &r);
    const char *text = "hpsearch: step=7 value=0.125\nhpsearch: value=0.5\n";
    for (const char *c = text; *c; c++)
        output_parser_feed(p, c, 1); /* one byte at a time */
    /* a 1 MB line: cut for parsing, memory stays bounded */
    char *big = malloc(1 << 20);
    memset(big, 'x', 1 << 20);
    output_parser_feed(p, big, 1 << 20);
    output_parser_feed(p, "\n", 1);
    free(big);
    output_parser_finish(p);
    double v;
    hp_outcome out;
    memset(&out, 0, sizeof out);
    char why[HP_ERR_LEN];
    assert_int_equal(output_parser_result(p, &v, &out, why, sizeof why), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.steps[0], 7);
    assert_float_equal(v, 0.5, 0);
    output_parser_free(p);
}

static void test_stop_request(void **state)
{
    (void)state;
    reports r = {0};
    r.stop_at = 2;
    hp_output_parser *p = output_parser_new("val_loss", on_report, &r);
    const char *text = "hpsearch: step=1 value=3\n";
    output_parser_feed(p, text, strlen(text));
    assert_false(output_parser_stop_requested(p));
    text = "hpsearch: step=2 value=2\n";
    output_parser_feed(p, text, strlen(text));
    assert_true(output_parser_stop_requested(p));
    output_parser_free(p);
}

static void test_long_metric_names(void **state)
{
    (void)state;
    reports r = {0};
    double v;
    hp_outcome out;
    char why[HP_ERR_LEN];
    char text[256], name[80];
    memset(name, 'm', 64);
    name[64] = '\0';
    snprintf(text, sizeof text, "hpsearch: step=1 %s=1\n0\n", name);
    assert_int_equal(parse_all(text, &r, &v, &out, why), -1);
    assert_non_null(strstr(why, "longer than 63"));
    name[63] = '\0';
    snprintf(text, sizeof text, "hpsearch: step=1 %s=1\n0\n", name);
    assert_int_equal(parse_all(text, &r, &v, &out, why), 0);
    assert_int_equal(r.n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocol), cmocka_unit_test(test_fallbacks),
        cmocka_unit_test(test_malformed_steps), cmocka_unit_test(test_split_reads_and_long_lines),
        cmocka_unit_test(test_stop_request), cmocka_unit_test(test_long_metric_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
