/*
** hpsearch trials: list trials as a table, CSV or JSON.
*/
#include <math.h>
#include <string.h>

#include "cli.h"
#include "progress.h"

typedef enum { FMT_TABLE, FMT_CSV, FMT_JSON } trials_format;

typedef struct {
    trials_format format;
    int64_t n;
    hp_buf line;
} trials_ctx;

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
        if (c->n == 0)
            printf("%6s  %-8s  %-16s  %9s  %s\n", "number", "state", "value", "duration",
                   "params");
        char value[32] = "-", dur[32] = "-";
        if (isfinite(r->value))
            buf_number_text(r->value, value, sizeof value);
        if (isfinite(d))
            snprintf(dur, sizeof dur, "%.3fs", d);
        buf_printf(b, "%6lld  %-8s  %-16s  %9s  %s", (long long)r->number,
                   store_state_name(r->state), value, dur, r->params_json);
        if (r->error)
            buf_printf(b, "  (%s)", r->error);
    } else if (c->format == FMT_CSV) {
        if (c->n == 0)
            printf("number,state,value,duration,params,error\n");
        buf_printf(b, "%lld,%s,", (long long)r->number, store_state_name(r->state));
        if (isfinite(r->value))
            buf_number(b, r->value);
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
    trials_ctx c = {FMT_TABLE, 0, {0}};
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
