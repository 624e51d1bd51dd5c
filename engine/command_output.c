#include "command_output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define LINE_MAX_BYTES 65536   /* longer lines are cut for parsing */
#define LAST_LINE_BYTES 4096
#define MALFORMED_BYTES 200

struct hp_output_parser {
    char metric[HP_NAME_MAX + 1];
    hp_output_report_fn report;
    void *ctx;
    int stop;                      /* a report asked to stop */
    int has_value;                 /* a "hpsearch: value=" line was seen */
    double value;
    hp_outcome finals;             /* final metrics of protocol lines */
    char malformed[MALFORMED_BYTES]; /* the first malformed protocol line */
    char last[LAST_LINE_BYTES];    /* the last non-empty other line */
    size_t line_len;
    char line[LINE_MAX_BYTES];
};

hp_output_parser *output_parser_new(const char *metric, hp_output_report_fn report, void *ctx)
{
    hp_output_parser *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->metric, sizeof p->metric, "%s", metric);
    p->report = report;
    p->ctx = ctx;
    return p;
}

void output_parser_free(hp_output_parser *p)
{
    free(p);
}

int output_parser_stop_requested(const hp_output_parser *p)
{
    return p->stop;
}

static void set_final(hp_output_parser *p, const char *name, double v)
{
    outcome_set_metric(&p->finals, name, v);
}

static void malformed(hp_output_parser *p, const char *line, const char *why)
{
    if (!p->malformed[0])
        snprintf(p->malformed, sizeof p->malformed, "'hpsearch:%.120s' (%s)", line, why);
}

/* One "name=value" pair of a protocol line. */
typedef struct {
    char name[HP_NAME_MAX + 1];
    double v;
} pair;

/* "hpsearch: step=N value=X name=Y" or "hpsearch: value=X name=Y". */
static void protocol_line(hp_output_parser *p, const char *line)
{
    pair kv[OBJECTIVE_MAX_METRICS];
    int n = 0, has_step = 0;
    int64_t step = 0;
    const char *s = line;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        const char *end = s;
        while (*end && *end != ' ' && *end != '\t')
            end++;
        const char *eq = memchr(s, '=', (size_t)(end - s));
        if (!eq || eq == s) {
            malformed(p, line, "expected name=value pairs");
            return;
        }
        size_t name_len = (size_t)(eq - s);
        if (name_len == 4 && strncmp(s, "step", 4) == 0) {
            if (has_step || parse_step_n(eq + 1, (size_t)(end - eq - 1), &step)) {
                malformed(p, line, "step must be a non-negative integer");
                return;
            }
            has_step = 1;
        } else {
            double v;
            if (name_len > HP_NAME_MAX) {
                malformed(p, line, "a metric name is longer than 63 characters");
                return;
            }
            if (parse_double_or_nan_n(eq + 1, (size_t)(end - eq - 1), &v)) {
                malformed(p, line, "a value is not a number");
                return;
            }
            if (n < OBJECTIVE_MAX_METRICS) {
                snprintf(kv[n].name, sizeof kv[n].name, "%.*s", (int)name_len, s);
                if (strcmp(kv[n].name, "value") == 0)
                    snprintf(kv[n].name, sizeof kv[n].name, "%s", p->metric);
                kv[n].v = v;
                n++;
            }
        }
        s = end;
    }
    if (n == 0) {
        malformed(p, line, "no value");
        return;
    }
    for (int i = 0; i < n; i++) {
        if (has_step) {
            if (p->report && p->report(p->ctx, step, kv[i].name, kv[i].v))
                p->stop = 1;
        } else {
            set_final(p, kv[i].name, kv[i].v);
            if (strcmp(kv[i].name, p->metric) == 0) {
                p->has_value = 1;
                p->value = kv[i].v;
            }
        }
    }
}

static void handle_line(hp_output_parser *p)
{
    p->line[p->line_len] = '\0';
    char *s = p->line;
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    if (strncmp(s, "hpsearch:", 9) == 0)
        protocol_line(p, s + 9);
    else if (n > 0)
        snprintf(p->last, sizeof p->last, "%s", s);
    p->line_len = 0;
}

void output_parser_feed(hp_output_parser *p, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n')
            handle_line(p);
        else if (p->line_len + 1 < sizeof p->line)
            p->line[p->line_len++] = data[i];
    }
}

void output_parser_finish(hp_output_parser *p)
{
    if (p->line_len > 0)
        handle_line(p);
}

/* The value of METRIC in a flat JSON object line, e.g. {"acc": 0.9}; every
** numeric member becomes a final metric. */
static int json_metric(hp_output_parser *p, const char *line, double *v)
{
    if (line[0] != '{')
        return -1;
    int found = -1;
    const char *s = line + 1;
    for (;;) {
        while (*s == ' ' || *s == ',' || *s == '\t')
            s++;
        if (*s != '"')
            break;
        const char *k = ++s;
        while (*s && *s != '"')
            s++;
        if (!*s)
            break;
        size_t key_len = (size_t)(s - k);
        s++;
        while (*s == ' ')
            s++;
        if (*s != ':')
            break;
        s++;
        while (*s == ' ')
            s++;
        const char *end = s;
        while (*end && *end != ',' && *end != '}' && *end != ' ')
            end++;
        double x;
        if (key_len <= HP_NAME_MAX && parse_double_or_nan_n(s, (size_t)(end - s), &x) == 0) {
            char key[HP_NAME_MAX + 1];
            snprintf(key, sizeof key, "%.*s", (int)key_len, k);
            set_final(p, key, x);
            if (strcmp(key, p->metric) == 0) {
                *v = x;
                found = 0;
            }
        }
        s = end;
        if (*s == '"') /* a string value: stop here */
            break;
    }
    return found;
}

int output_parser_result(hp_output_parser *p, double *value, hp_outcome *out, char *why,
                         size_t why_len)
{
    if (p->malformed[0]) {
        snprintf(why, why_len, "malformed protocol line %s", p->malformed);
        return -1;
    }
    int ok = 0;
    if (p->has_value) {
        *value = p->value;
    } else if (parse_double_or_nan(p->last, value) == 0 ||
               json_metric(p, p->last, value) == 0) {
        ok = 0;
    } else if (p->last[0]) {
        snprintf(why, why_len, "no value for '%s' in the output; its last line was '%.200s'",
                 p->metric, p->last);
        ok = -1;
    } else {
        snprintf(why, why_len, "the command printed nothing (expected a value for '%s')",
                 p->metric);
        ok = -1;
    }
    if (ok == 0) {
        for (int i = 0; i < p->finals.n_metrics; i++)
            outcome_set_metric(out, p->finals.metric_names[i], p->finals.metric_values[i]);
        outcome_set_metric(out, p->metric, *value);
    }
    return ok;
}
