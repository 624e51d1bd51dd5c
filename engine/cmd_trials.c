/*
** hpsearch trials: list trials as a table, CSV or JSON.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "progress.h"

typedef enum { FMT_TABLE, FMT_CSV, FMT_JSON } trials_format;

typedef struct {
    trials_format format;
    int64_t n;
    hp_buf line;
    hp_objectives objectives;  /* several: a column of each */
} trials_ctx;

/* Final metric NAME's number in the flat JSON object METRICS (as storage
** writes it: {"a":1,"b":2}, spaces allowed), or NaN. */
static double metric_of(const char *metrics, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = strchr(metrics, '"'); p; p = strchr(p + 1, '"')) {
        if (strncmp(p + 1, name, len) != 0 || p[1 + len] != '"')
            continue;
        const char *q = p + 2 + len;
        while (*q == ' ')
            q++;
        if (*q != ':')
            continue;
        char *end;
        double v = strtod(q + 1, &end);
        return end == q + 1 ? NAN : v;
    }
    return NAN;
}

/* "v1, v2" of the objectives after the first, as text, into B. */
static void other_objectives(const trials_ctx *c, const hp_trial_row *r, hp_buf *b, int csv)
{
    for (int j = 1; j < c->objectives.n; j++) {
        double v = metric_of(r->metrics_json, c->objectives.names[j]);
        buf_puts(b, csv ? "," : "  ");
        if (isfinite(v))
            buf_number(b, v);
        else if (!csv)
            buf_puts(b, "-");
    }
}

static double duration(const hp_trial_row *r)
{
    return isfinite(r->started_at) && isfinite(r->finished_at)
               ? r->finished_at - r->started_at : NAN;
}

static int print_trial(void *ctx, const hp_trial_row *r)
{
    trials_ctx *c = ctx;
    hp_buf *b = &c->line;
    buf_reset(b);
    double d = duration(r);
    if (c->format == FMT_TABLE) {
        if (c->n == 0 && c->objectives.n > 1) {
            printf("%6s  %-8s  %-16s", "number", "state", c->objectives.names[0]);
            for (int j = 1; j < c->objectives.n; j++)
                printf("  %s", c->objectives.names[j]);
            printf("  %9s  %s\n", "duration", "params");
        } else if (c->n == 0) {
            printf("%6s  %-8s  %-16s  %9s  %s\n", "number", "state", "value", "duration",
                   "params");
        }
        char value[32] = "-", dur[32] = "-";
        if (isfinite(r->value))
            buf_number_text(r->value, value, sizeof value);
        if (isfinite(d))
            snprintf(dur, sizeof dur, "%.3fs", d);
        buf_printf(b, "%6lld  %-8s  %-16s", (long long)r->number, store_state_name(r->state),
                   value);
        other_objectives(c, r, b, 0);
        buf_printf(b, "  %9s  %s", dur, r->params_json);
        if (r->error)
            buf_printf(b, "  (%s)", r->error);
    } else if (c->format == FMT_CSV) {
        if (c->n == 0) {
            printf("number,state,value");
            for (int j = 1; j < c->objectives.n; j++)
                printf(",%s", c->objectives.names[j]);
            printf(",duration,params,error\n");
        }
        buf_printf(b, "%lld,%s,", (long long)r->number, store_state_name(r->state));
        if (isfinite(r->value))
            buf_number(b, r->value);
        other_objectives(c, r, b, 1);
        buf_puts(b, ",");
        if (isfinite(d))
            buf_printf(b, "%.3f", d);
        buf_puts(b, ",");
        buf_csv_field(b, r->params_json);
        buf_puts(b, ",");
        buf_csv_field(b, r->error ? r->error : "");
    } else {
        buf_printf(b, "%s{\"number\": %lld, \"state\": \"%s\", \"value\": ",
                   c->n == 0 ? "[\n  " : ",\n  ", (long long)r->number,
                   store_state_name(r->state));
        buf_json_number(b, r->value);
        buf_puts(b, ", \"duration\": ");
        buf_json_number(b, d);
        buf_printf(b, ", \"params\": %s, \"metrics\": %s, \"error\": ", r->params_json,
                   r->metrics_json);
        if (r->error)
            buf_json_string(b, r->error);
        else
            buf_puts(b, "null");
        buf_puts(b, "}");
        fputs(buf_str(b), stdout);
        c->n++;
        return 0;
    }
    puts(buf_str(b));
    c->n++;
    return 0;
}

int cmd_trials(const hp_args *a, hp_target *t, char *err)
{
    trials_ctx c;
    memset(&c, 0, sizeof c);
    int which;
    if (objectives_parse(t->study.metric, t->study.direction, &c.objectives, &which, err))
        return HP_EINPUT;
    const char *f = args_get(a, "--format") ? args_get(a, "--format") : "table";
    if (strcmp(f, "csv") == 0)
        c.format = FMT_CSV;
    else if (strcmp(f, "json") == 0)
        c.format = FMT_JSON;
    else if (strcmp(f, "table") != 0) {
        snprintf(err, HP_ERR_LEN, "trials: --format must be table, csv or json, got '%s'", f);
        return HP_EINPUT;
    }
    int state = -1;
    const char *st = args_get(a, "--state");
    if (st && (state = store_state_parse(st)) < 0) {
        snprintf(err, HP_ERR_LEN, "trials: --state must be complete, pruned, failed, running "
                 "or waiting, got '%s'", st);
        return HP_EINPUT;
    }
    int by_value = 0;
    const char *sort = args_get(a, "--sort");
    if (sort) {
        if (strcmp(sort, "value") == 0)
            by_value = 1;
        else if (strcmp(sort, "number") != 0) {
            snprintf(err, HP_ERR_LEN, "trials: --sort must be value or number, got '%s'", sort);
            return HP_EINPUT;
        }
    }
    int64_t limit = 0;
    int rc = args_count(a, "--limit", 0, &limit, err);
    if (rc)
        return rc;
    buf_init(&c.line);
    rc = store_list_trials(t->store, t->study.study_id, state, by_value,
                           strncmp(t->study.direction, "maximize", 8) == 0, limit, print_trial,
                           &c, err);
    if (c.format == FMT_JSON)
        puts(c.n == 0 ? "[]" : "\n]");
    buf_deinit(&c.line);
    return rc;
}
