/*
** hpsearch export: every trial with its parameters and final metrics, as
** CSV (one column per parameter and per metric, for spreadsheets and
** pandas) or JSON.  With -o the file is written whole or not at all.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "files.h"

typedef struct {
    hp_target *t;
    FILE *out;
    int json;
    int64_t n;
    const char **params;   /* parameter names, n_params */
    int n_params;
    const char **metrics;  /* metric names, n_metrics */
    int n_metrics;
    hp_buf line;
    hp_buf *cells;         /* one per parameter, the current trial's values */
    int rc;
    char err[HP_ERR_LEN];
} export_ctx;

static void number_or_empty(hp_buf *b, double v, int json)
{
    if (json)
        buf_json_number(b, v);
    else if (isfinite(v))
        buf_number(b, v);
}

static void take_param(export_ctx *e, const hp_value_view *p)
{
    for (int i = 0; i < e->n_params; i++)
        if (strcmp(e->params[i], p->name) == 0) {
            buf_reset(&e->cells[i]);
            if (p->text)
                buf_puts(&e->cells[i], p->text);
            else
                number_or_empty(&e->cells[i], p->value, 0);
        }
}

static int export_trial(void *ctx, const hp_trial_row *r, const hp_value_view *params,
                        int n_params, const hp_value_view *metrics, int n_metrics)
{
    export_ctx *e = ctx;
    hp_buf *b = &e->line;
    buf_reset(b);
    double d = isfinite(r->started_at) && isfinite(r->finished_at)
                   ? r->finished_at - r->started_at : NAN;
    if (e->json) {
        buf_printf(b, "%s{\"number\": %lld, \"state\": \"%s\", \"value\": ",
                   e->n ? ",\n  " : "[\n  ", (long long)r->number,
                   store_state_name(r->state));
        buf_json_number(b, r->value);
        buf_puts(b, ", \"duration\": ");
        buf_json_number(b, d);
        buf_puts(b, ", \"started_at\": ");
        buf_json_number(b, r->started_at);
        buf_puts(b, ", \"finished_at\": ");
        buf_json_number(b, r->finished_at);
        buf_printf(b, ", \"seed\": %llu, \"worker\": ", (unsigned long long)r->seed);
        if (r->worker)
            buf_json_string(b, r->worker);
        else
            buf_puts(b, "null");
        buf_puts(b, ", \"error\": ");
        if (r->error)
            buf_json_string(b, r->error);
        else
            buf_puts(b, "null");
        buf_printf(b, ", \"params\": %s, \"metrics\": %s}", r->params_json, r->metrics_json);
        fputs(buf_str(b), e->out);
        e->n++;
        return 0;
    }
    for (int i = 0; i < e->n_params; i++)
        buf_reset(&e->cells[i]);
    for (int i = 0; i < n_params; i++)
        take_param(e, &params[i]);
    buf_printf(b, "%lld,%s,", (long long)r->number, store_state_name(r->state));
    number_or_empty(b, r->value, 0);
    buf_puts(b, ",");
    number_or_empty(b, d, 0);
    buf_puts(b, ",");
    number_or_empty(b, r->started_at, 0);
    buf_puts(b, ",");
    number_or_empty(b, r->finished_at, 0);
    buf_printf(b, ",%llu,", (unsigned long long)r->seed);
    buf_csv_field(b, r->worker ? r->worker : "");
    buf_puts(b, ",");
    buf_csv_field(b, r->error ? r->error : "");
    for (int i = 0; i < e->n_params; i++) {
        buf_puts(b, ",");
        buf_csv_field(b, buf_str(&e->cells[i]));
    }
    for (int i = 0; i < e->n_metrics; i++) {
        /* a metric stored twice: the last one written counts */
        const hp_value_view *m = NULL;
        for (int k = 0; k < n_metrics; k++)
            if (strcmp(metrics[k].name, e->metrics[i]) == 0)
                m = &metrics[k];
        buf_puts(b, ",");
        if (m)
            number_or_empty(b, m->value, 0);
    }
    buf_puts(b, "\n");
    fputs(buf_str(b), e->out);
    e->n++;
    return 0;
}

/* Splits NUL-separated names into an array of pointers into NAMES. */
static const char **split_names(hp_buf *names, int n)
{
    const char **v = calloc((size_t)n + 1, sizeof *v);
    if (!v)
        return NULL;
    const char *p = names->data;
    for (int i = 0; i < n; i++) {
        v[i] = p;
        p += strlen(p) + 1;
    }
    return v;
}

static int run_export(export_ctx *e)
{
    hp_buf pnames, mnames;
    buf_init(&pnames);
    buf_init(&mnames);
    int64_t id = e->t->study.study_id;
    int rc = store_param_names(e->t->store, id, &pnames, &e->n_params, e->err);
    if (!rc)
        rc = store_metric_names(e->t->store, id, &mnames, &e->n_metrics, e->err);
    if (rc)
        goto out;
    e->params = split_names(&pnames, e->n_params);
    e->metrics = split_names(&mnames, e->n_metrics);
    e->cells = calloc((size_t)e->n_params + 1, sizeof *e->cells);
    if (!e->params || !e->metrics || !e->cells) {
        snprintf(e->err, HP_ERR_LEN, "out of memory");
        rc = HP_ENOMEM;
        goto out;
    }
    if (!e->json) {
        hp_buf *b = &e->line;
        buf_reset(b);
        buf_puts(b, "number,state,value,duration,started_at,finished_at,seed,worker,error");
        for (int i = 0; i < e->n_params; i++) {
            buf_puts(b, ",param_");
            buf_puts(b, e->params[i]);
        }
        for (int i = 0; i < e->n_metrics; i++) {
            buf_puts(b, ",metric_");
            buf_puts(b, e->metrics[i]);
        }
        fprintf(e->out, "%s\n", buf_str(b));
    }
    rc = store_trials_detailed(e->t->store, id, export_trial, e, e->err);
    if (!rc)
        rc = e->rc;
    if (!rc && e->json)
        fputs(e->n ? "\n]\n" : "[]\n", e->out);
out:
    if (e->cells)
        for (int i = 0; i < e->n_params; i++)
            buf_deinit(&e->cells[i]);
    free(e->cells);
    free(e->params);
    free(e->metrics);
    buf_deinit(&pnames);
    buf_deinit(&mnames);
    return rc;
}

int cmd_export(const hp_args *a, hp_target *t, char *err)
{
    const char *f = args_get(a, "--format");
    if (!f || (strcmp(f, "csv") != 0 && strcmp(f, "json") != 0)) {
        snprintf(err, HP_ERR_LEN, "export: --format must be csv or json%s%s%s",
                 f ? ", got '" : "", f ? f : "", f ? "'" : "");
        return HP_EINPUT;
    }
    const char *path = args_get(a, "-o") ? args_get(a, "-o") : args_get(a, "--output");
    export_ctx e;
    memset(&e, 0, sizeof e);
    e.t = t;
    e.json = strcmp(f, "json") == 0;
    e.out = stdout;
    char *tmp = NULL;
    if (path && !(e.out = files_open_beside(path, &tmp))) {
        snprintf(err, HP_ERR_LEN, "cannot write '%s': %s", path, strerror(errno));
        return HP_EINPUT;
    }
    buf_init(&e.line);
    int rc = run_export(&e);
    buf_deinit(&e.line);
    if (rc)
        snprintf(err, HP_ERR_LEN, "%s", e.err);
    if (path) {
        int bad = ferror(e.out);
        bad |= fclose(e.out) != 0;
        if (!rc && bad) {
            snprintf(err, HP_ERR_LEN, "cannot write '%s'", path);
            rc = HP_ERUNTIME;
        }
        if (!rc && rename(tmp, path) != 0) {
            snprintf(err, HP_ERR_LEN, "cannot write '%s': %s", path, strerror(errno));
            rc = HP_ERUNTIME;
        }
        if (rc)
            remove(tmp);
        free(tmp);
    }
    return rc;
}
