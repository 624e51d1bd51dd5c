/*
** Storage, part 3: reads for the query commands (status, best, trials,
** export).  Rows are streamed to a callback; nothing is held in memory, so
** the commands stay fast and small at 100k trials.
*/
#include "storage_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_read_trial_row(db_stmt *st, hp_trial_row *row)
{
    row->trial_id = db_column_int64(st, 0);
    row->number = db_column_int64(st, 1);
    int k = store_state_parse(db_column_text(st, 2));
    row->state = k < 0 ? TRIAL_FAILED : (hp_trial_state)k;
    row->value = store_column_or_nan(st, 3);
    row->params_json = db_column_text(st, 4);
    if (!row->params_json || !row->params_json[0])
        row->params_json = "{}";   /* a claimed trial whose parameters are pending */
    row->metrics_json = db_column_text(st, 5);
    if (!row->metrics_json)
        row->metrics_json = "{}";
    row->started_at = store_column_or_nan(st, 6);
    row->finished_at = store_column_or_nan(st, 7);
    row->heartbeat_at = store_column_or_nan(st, 8);
    row->worker = db_column_text(st, 9);
    row->error = db_column_text(st, 10);
    row->seed = (uint64_t)db_column_int64(st, 11);
}

/* Steps ST, calling FN per row; resets ST.  *n gets the row count. */
static int stream_trials(hp_store *s, db_stmt *st,
                         int (*fn)(void *ctx, const hp_trial_row *row), void *ctx,
                         int *n, char *err)
{
    int rc, count = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        hp_trial_row row;
        store_read_trial_row(st, &row);
        count++;
        if (fn(ctx, &row)) {
            rc = DB_DONE;
            break;
        }
    }
    db_reset(st);
    if (n)
        *n = count;
    if (rc != DB_DONE)
        return store_fail(s, "cannot read trials", err);
    return HP_OK;
}

int store_best(hp_store *s, int64_t study_id, int maximize,
               int (*fn)(void *ctx, const hp_trial_row *row), void *ctx, int *found,
               char *err)
{
    db_stmt *st = maximize ? s->best_max : s->best_min;
    db_bind_int64(st, 1, study_id);
    return stream_trials(s, st, fn, ctx, found, err);
}

int store_list_trials(hp_store *s, int64_t study_id, int state, int by_value,
                      int maximize, int64_t limit,
                      int (*fn)(void *ctx, const hp_trial_row *row), void *ctx,
                      char *err)
{
    db_stmt *st = !by_value ? s->list_by_number
                       : maximize ? s->list_by_value_max
                                  : s->list_by_value_min;
    db_bind_int64(st, 1, study_id);
    if (state >= 0)
        db_bind_text(st, 2, store_state_name((hp_trial_state)state));
    else
        db_bind_null(st, 2);
    db_bind_int64(st, 3, limit > 0 ? limit : INT64_MAX);
    return stream_trials(s, st, fn, ctx, NULL, err);
}

int store_trial_by_number(hp_store *s, int64_t study_id, int64_t number,
                          int (*fn)(void *ctx, const hp_trial_row *row), void *ctx,
                          int *found, char *err)
{
    db_bind_int64(s->trial_by_number, 1, study_id);
    db_bind_int64(s->trial_by_number, 2, number);
    return stream_trials(s, s->trial_by_number, fn, ctx, found, err);
}

int store_trial_params(hp_store *s, int64_t trial_id,
                       int (*fn)(void *ctx, const char *name, double value,
                                 const char *text),
                       void *ctx, char *err)
{
    db_stmt *st = s->trial_params;
    db_bind_int64(st, 1, trial_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (fn(ctx, db_column_text(st, 0), store_column_or_nan(st, 1),
               db_column_text(st, 2))) {
            rc = DB_DONE;
            break;
        }
    }
    db_reset(st);
    if (rc != DB_DONE)
        return store_fail(s, "cannot read trial parameters", err);
    return HP_OK;
}

static int names(hp_store *s, db_stmt *st, int64_t study_id, hp_buf *out, int *n,
                 char *err)
{
    db_bind_int64(st, 1, study_id);
    int rc;
    *n = 0;
    buf_reset(out);
    while ((rc = db_step(st)) == DB_ROW) {
        const char *name = db_column_text(st, 0);
        buf_append(out, name, strlen(name) + 1);
        (*n)++;
    }
    db_reset(st);
    if (rc != DB_DONE)
        return store_fail(s, "cannot read names", err);
    if (!buf_ok(out)) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    return HP_OK;
}

int store_param_names(hp_store *s, int64_t study_id, hp_buf *out, int *n, char *err)
{
    return names(s, s->param_names, study_id, out, n, err);
}

int store_metric_names(hp_store *s, int64_t study_id, hp_buf *out, int *n, char *err)
{
    return names(s, s->metric_names, study_id, out, n, err);
}

int store_trial_metric(hp_store *s, int64_t trial_id, const char *name, double *value,
                       int *found, char *err)
{
    db_stmt *st = s->trial_metric;
    db_bind_int64(st, 1, trial_id);
    db_bind_text(st, 2, name);
    int rc = db_step(st);
    *found = rc == DB_ROW;
    if (*found)
        *value = store_column_or_nan(st, 0);
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE)
        return store_fail(s, "cannot read a metric", err);
    return HP_OK;
}

int store_history_since(hp_store *s, int64_t study_id, int64_t from,
                        int (*fn)(void *ctx, int64_t number, hp_trial_state state,
                                  double value, int n_params, const hp_param_row *params),
                        void *ctx, char *err)
{
    db_stmt *st = s->history_since;
    db_bind_int64(st, 1, study_id);
    db_bind_int64(st, 2, from);
    hp_param_row *params = NULL;
    int n = 0, cap = 0, stop = 0;
    int64_t number = -1;
    hp_trial_state state = TRIAL_WAITING;
    double value = NAN;
    db_result r = DB_DONE;
    /* rows come one per parameter; a trial is handed on when the next
       begins.  Parameter strings point into the statement's row, so they
       are copied until the trial is complete */
    while (!stop && (r = db_step(st)) == DB_ROW) {
        int64_t k = db_column_int64(st, 0);
        if (k != number) {
            if (number >= 0)
                stop = fn(ctx, number, state, value, n, params);
            for (int i = 0; i < n; i++) {
                free(params[i].name);
                free(params[i].text);
            }
            n = 0;
            number = k;
            int code = store_state_parse(db_column_text(st, 1));
            state = code < 0 ? TRIAL_FAILED : (hp_trial_state)code;
            value = store_column_or_nan(st, 2);
        }
        if (stop || db_column_is_null(st, 3))
            continue;
        if (buf_grow_array(&params, &cap, n + 1, sizeof *params))
            goto oom;
        hp_param_row *p = &params[n++];
        const char *text = db_column_text(st, 5);
        p->name = strdup(db_column_text(st, 3));
        p->value = store_column_or_nan(st, 4);
        p->text = text ? strdup(text) : NULL;
        if (!p->name || (text && !p->text))
            goto oom;
    }
    if (!stop && number >= 0 && r == DB_DONE)
        fn(ctx, number, state, value, n, params);
    db_reset(st);
    for (int i = 0; i < n; i++) {
        free(params[i].name);
        free(params[i].text);
    }
    free(params);
    if (!stop && r != DB_DONE)
        return store_fail(s, "cannot read the study's history", err);
    return HP_OK;
oom:
    db_reset(st);
    for (int i = 0; i < n; i++) {
        free(params[i].name);
        free(params[i].text);
    }
    free(params);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return HP_ENOMEM;
}

int store_finals_since(hp_store *s, int64_t study_id, int64_t from,
                       int (*fn)(void *ctx, int64_t number, const char *name, double value),
                       void *ctx, char *err)
{
    db_stmt *st = s->finals_since;
    db_bind_int64(st, 1, study_id);
    db_bind_int64(st, 2, from);
    db_result r;
    int stop = 0;
    while (!stop && (r = db_step(st)) == DB_ROW)
        stop = fn(ctx, db_column_int64(st, 0), db_column_text(st, 1),
                  store_column_or_nan(st, 2));
    db_reset(st);
    if (!stop && r != DB_DONE)
        return store_fail(s, "cannot read the trials' final values", err);
    return HP_OK;
}

int store_values_at_step(hp_store *s, int64_t study_id, int64_t number, int64_t step,
                         const char *name, double **out, int *cap, int *n, char *err)
{
    db_stmt *st = s->values_at_step;
    db_bind_int64(st, 1, study_id);
    db_bind_int64(st, 2, number);
    db_bind_text(st, 3, name);
    db_bind_int64(st, 4, step);
    int rc;
    *n = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (buf_grow_array(out, cap, *n + 1, sizeof **out)) {
            db_reset(st);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
        (*out)[(*n)++] = store_column_or_nan(st, 0);
    }
    db_reset(st);
    if (rc != DB_DONE)
        return store_fail(s, "cannot read reported values", err);
    return HP_OK;
}

int store_best_so_far(hp_store *s, int64_t trial_id, const char *name, int maximize,
                      double *best, char *err)
{
    db_stmt *st = maximize ? s->best_so_far_max : s->best_so_far_min;
    db_bind_int64(st, 1, trial_id);
    db_bind_text(st, 2, name);
    int rc = db_step(st);
    *best = rc == DB_ROW ? store_column_or_nan(st, 0) : NAN;
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE)
        return store_fail(s, "cannot read reported values", err);
    return HP_OK;
}

int store_trial_promising(hp_store *s, int64_t trial_id, int *promising, char *err)
{
    db_stmt *st = s->trial_promising;
    db_bind_int64(st, 1, trial_id);
    int rc = db_step(st);
    *promising = rc == DB_ROW && db_column_int64(st, 0) != 0;
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE)
        return store_fail(s, "cannot read a trial", err);
    return HP_OK;
}

int store_pruned_steps(hp_store *s, int64_t study_id, int64_t *count, double *sum, char *err)
{
    db_stmt *st = s->pruned_steps;
    db_bind_int64(st, 1, study_id);
    int rc = db_step(st);
    *count = 0;
    *sum = 0;
    if (rc == DB_ROW) {
        *count = db_column_int64(st, 0);
        *sum = db_column_double(st, 1);
    }
    db_reset(st);
    if (rc != DB_ROW)
        return store_fail(s, "cannot count pruned trials", err);
    return HP_OK;
}

int store_count_behind(hp_store *s, int64_t study_id, int64_t number, int64_t step,
                       const char *name, int64_t *count, char *err)
{
    db_stmt *st = s->behind;
    db_bind_int64(st, 1, study_id);
    db_bind_int64(st, 2, number);
    db_bind_text(st, 3, name);
    db_bind_int64(st, 4, step);
    int rc = db_step(st);
    *count = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (rc != DB_ROW)
        return store_fail(s, "cannot read running trials", err);
    return HP_OK;
}

int store_sampler_runs(hp_store *s, int64_t study_id,
                       int (*fn)(void *ctx, const char *sampler, int has_seed, uint64_t seed,
                                 int64_t first, int64_t last, int64_t count),
                       void *ctx, char *err)
{
    db_stmt *st = s->sampler_runs;
    db_bind_int64(st, 1, study_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (fn(ctx, db_column_text(st, 0),
               !db_column_is_null(st, 1),
               (uint64_t)db_column_int64(st, 1), db_column_int64(st, 2),
               db_column_int64(st, 3), db_column_int64(st, 4))) {
            rc = DB_DONE;
            break;
        }
    }
    db_reset(st);
    if (rc != DB_DONE)
        return store_fail(s, "cannot read the samplers of the study", err);
    return HP_OK;
}

int store_study_params(hp_store *s, int64_t study_id,
                       int (*fn)(void *ctx, int64_t number, const char *name, double value,
                                 const char *text),
                       void *ctx, char *err)
{
    db_stmt *st = s->study_params;
    db_bind_int64(st, 1, study_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (fn(ctx, db_column_int64(st, 0), db_column_text(st, 1),
               store_column_or_nan(st, 2), db_column_text(st, 3))) {
            rc = DB_DONE;
            break;
        }
    }
    db_reset(st);
    if (rc != DB_DONE)
        return store_fail(s, "cannot read the study's parameters", err);
    return HP_OK;
}

int store_study_curves(hp_store *s, int64_t study_id, const char *metric,
                       int (*fn)(void *ctx, int64_t number, int64_t step, double value),
                       void *ctx, char *err)
{
    db_stmt *st = s->study_curves;
    db_bind_int64(st, 1, study_id);
    db_bind_text(st, 2, metric);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (fn(ctx, db_column_int64(st, 0), db_column_int64(st, 1),
               store_column_or_nan(st, 2))) {
            rc = DB_DONE;
            break;
        }
    }
    db_reset(st);
    if (rc != DB_DONE)
        return store_fail(s, "cannot read the study's learning curves", err);
    return HP_OK;
}

/* The rows of one trial from a statement ordered by number: a cursor that
** copies each row's strings, since the statement moves on. */
typedef struct {
    db_stmt *st;
    db_result r;           /* DB_ROW while a row is ready */
    int text_column;       /* -1 when the rows have no text column */
    hp_value_view *rows;
    int n, cap;
    hp_buf strings;
    int oom;
} trial_cursor;

/* Collects the cursor's rows numbered NUMBER (rows of lower numbers, which
** have no trial, are passed over). */
static void cursor_take(trial_cursor *c, int64_t number)
{
    c->n = 0;
    buf_reset(&c->strings);
    size_t *offsets = NULL;   /* name and text offsets, fixed up at the end */
    int cap_off = 0;
    while (c->r == DB_ROW && db_column_int64(c->st, 0) <= number) {
        if (db_column_int64(c->st, 0) == number) {
            if (buf_grow_array(&c->rows, &c->cap, c->n + 1, sizeof *c->rows) ||
                buf_grow_array(&offsets, &cap_off, 2 * c->n + 2, sizeof *offsets)) {
                c->oom = 1;
                break;
            }
            const char *text = c->text_column >= 0 ? db_column_text(c->st, c->text_column)
                                                   : NULL;
            offsets[2 * c->n] = c->strings.len;
            buf_append(&c->strings, db_column_text(c->st, 1),
                       strlen(db_column_text(c->st, 1)) + 1);
            offsets[2 * c->n + 1] = text ? c->strings.len : (size_t)-1;
            if (text)
                buf_append(&c->strings, text, strlen(text) + 1);
            c->rows[c->n].value = store_column_or_nan(c->st, 2);
            c->n++;
        }
        c->r = db_step(c->st);
    }
    if (!buf_ok(&c->strings))
        c->oom = 1;
    for (int i = 0; i < c->n && !c->oom; i++) {
        c->rows[i].name = c->strings.data + offsets[2 * i];
        c->rows[i].text = offsets[2 * i + 1] == (size_t)-1 ? NULL
                                                           : c->strings.data + offsets[2 * i + 1];
    }
    free(offsets);
}

int store_trials_detailed(hp_store *s, int64_t study_id,
                          int (*fn)(void *ctx, const hp_trial_row *row,
                                    const hp_value_view *params, int n_params,
                                    const hp_value_view *metrics, int n_metrics),
                          void *ctx, char *err)
{
    trial_cursor params = {s->study_params, DB_DONE, 3, NULL, 0, 0, {0}, 0};
    trial_cursor metrics = {s->study_metrics, DB_DONE, -1, NULL, 0, 0, {0}, 0};
    buf_init(&params.strings);
    buf_init(&metrics.strings);
    db_stmt *st = s->list_by_number;
    db_bind_int64(st, 1, study_id);
    db_bind_null(st, 2);
    db_bind_int64(st, 3, INT64_MAX);
    db_bind_int64(params.st, 1, study_id);
    db_bind_int64(metrics.st, 1, study_id);
    params.r = db_step(params.st);
    metrics.r = db_step(metrics.st);
    db_result r = DB_DONE;
    int bad = (params.r != DB_ROW && params.r != DB_DONE) ||
              (metrics.r != DB_ROW && metrics.r != DB_DONE);
    while (!bad && (r = db_step(st)) == DB_ROW) {
        hp_trial_row row;
        store_read_trial_row(st, &row);
        cursor_take(&params, row.number);
        cursor_take(&metrics, row.number);
        if (params.oom || metrics.oom)
            break;
        if ((params.r != DB_ROW && params.r != DB_DONE) ||
            (metrics.r != DB_ROW && metrics.r != DB_DONE)) {
            bad = 1;
            break;
        }
        if (fn(ctx, &row, params.rows, params.n, metrics.rows, metrics.n)) {
            r = DB_DONE;
            break;
        }
    }
    db_reset(st);
    db_reset(params.st);
    db_reset(metrics.st);
    int oom = params.oom || metrics.oom;
    free(params.rows);
    free(metrics.rows);
    buf_deinit(&params.strings);
    buf_deinit(&metrics.strings);
    if (oom) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    if (bad || r != DB_DONE)
        return store_fail(s, "cannot read trials", err);
    return HP_OK;
}
