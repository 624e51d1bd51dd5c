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

static double column_or_nan(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

void store_read_trial_row(sqlite3_stmt *st, hp_trial_row *row)
{
    row->trial_id = sqlite3_column_int64(st, 0);
    row->number = sqlite3_column_int64(st, 1);
    int k = store_state_parse((const char *)sqlite3_column_text(st, 2));
    row->state = k < 0 ? TRIAL_FAILED : (hp_trial_state)k;
    row->value = column_or_nan(st, 3);
    row->params_json = (const char *)sqlite3_column_text(st, 4);
    row->metrics_json = (const char *)sqlite3_column_text(st, 5);
    if (!row->metrics_json)
        row->metrics_json = "{}";
    row->started_at = column_or_nan(st, 6);
    row->finished_at = column_or_nan(st, 7);
    row->heartbeat_at = column_or_nan(st, 8);
    row->worker = (const char *)sqlite3_column_text(st, 9);
    row->error = (const char *)sqlite3_column_text(st, 10);
    row->seed = (uint64_t)sqlite3_column_int64(st, 11);
}

/* Steps ST, calling FN per row; resets ST.  *n gets the row count. */
static int stream_trials(hp_store *s, sqlite3_stmt *st,
                         int (*fn)(void *ctx, const hp_trial_row *row), void *ctx,
                         int *n, char *err)
{
    int rc, count = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hp_trial_row row;
        store_read_trial_row(st, &row);
        count++;
        if (fn(ctx, &row)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (n)
        *n = count;
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot read trials", err);
    return HP_OK;
}

int store_best(hp_store *s, int64_t study_id, int maximize,
               int (*fn)(void *ctx, const hp_trial_row *row), void *ctx, int *found,
               char *err)
{
    sqlite3_stmt *st = maximize ? s->best_max : s->best_min;
    sqlite3_bind_int64(st, 1, study_id);
    return stream_trials(s, st, fn, ctx, found, err);
}

int store_list_trials(hp_store *s, int64_t study_id, int state, int by_value,
                      int maximize, int64_t limit,
                      int (*fn)(void *ctx, const hp_trial_row *row), void *ctx,
                      char *err)
{
    sqlite3_stmt *st = !by_value ? s->list_by_number
                       : maximize ? s->list_by_value_max
                                  : s->list_by_value_min;
    sqlite3_bind_int64(st, 1, study_id);
    if (state >= 0)
        sqlite3_bind_text(st, 2, store_state_name((hp_trial_state)state), -1,
                          SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int64(st, 3, limit > 0 ? limit : -1);
    return stream_trials(s, st, fn, ctx, NULL, err);
}

int store_trial_by_number(hp_store *s, int64_t study_id, int64_t number,
                          int (*fn)(void *ctx, const hp_trial_row *row), void *ctx,
                          int *found, char *err)
{
    sqlite3_bind_int64(s->trial_by_number, 1, study_id);
    sqlite3_bind_int64(s->trial_by_number, 2, number);
    return stream_trials(s, s->trial_by_number, fn, ctx, found, err);
}

int store_trial_params(hp_store *s, int64_t trial_id,
                       int (*fn)(void *ctx, const char *name, double value,
                                 const char *text),
                       void *ctx, char *err)
{
    sqlite3_stmt *st = s->trial_params;
    sqlite3_bind_int64(st, 1, trial_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(ctx, (const char *)sqlite3_column_text(st, 0), column_or_nan(st, 1),
               (const char *)sqlite3_column_text(st, 2))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot read trial parameters", err);
    return HP_OK;
}

static int names(hp_store *s, sqlite3_stmt *st, int64_t study_id, hp_buf *out, int *n,
                 char *err)
{
    sqlite3_bind_int64(st, 1, study_id);
    int rc;
    *n = 0;
    buf_reset(out);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        buf_append(out, name, strlen(name) + 1);
        (*n)++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
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
    sqlite3_stmt *st = s->trial_metric;
    sqlite3_bind_int64(st, 1, trial_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found)
        *value = column_or_nan(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, "cannot read a metric", err);
    return HP_OK;
}

int store_history(hp_store *s, int64_t study_id,
                  int (*fn)(void *ctx, int64_t trial_id, hp_trial_state state,
                            double value),
                  void *ctx, char *err)
{
    sqlite3_stmt *st = s->history;
    sqlite3_bind_int64(st, 1, study_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int k = store_state_parse((const char *)sqlite3_column_text(st, 1));
        if (fn(ctx, sqlite3_column_int64(st, 0), k < 0 ? TRIAL_FAILED : (hp_trial_state)k,
               column_or_nan(st, 2))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot read the study's history", err);
    return HP_OK;
}

int store_values_at_step(hp_store *s, int64_t study_id, int64_t number, int64_t step,
                         const char *name, double **out, int *cap, int *n, char *err)
{
    sqlite3_stmt *st = s->values_at_step;
    sqlite3_bind_int64(st, 1, study_id);
    sqlite3_bind_int64(st, 2, number);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, step);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (buf_grow_array(out, cap, *n + 1, sizeof **out)) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
        (*out)[(*n)++] = column_or_nan(st, 0);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot read reported values", err);
    return HP_OK;
}

int store_best_so_far(hp_store *s, int64_t trial_id, const char *name, int maximize,
                      double *best, char *err)
{
    sqlite3_stmt *st = maximize ? s->best_so_far_max : s->best_so_far_min;
    sqlite3_bind_int64(st, 1, trial_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *best = rc == SQLITE_ROW ? column_or_nan(st, 0) : NAN;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, "cannot read reported values", err);
    return HP_OK;
}

int store_pruned_steps(hp_store *s, int64_t study_id, int64_t *count, double *sum, char *err)
{
    sqlite3_stmt *st = s->pruned_steps;
    sqlite3_bind_int64(st, 1, study_id);
    int rc = sqlite3_step(st);
    *count = 0;
    *sum = 0;
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int64(st, 0);
        *sum = sqlite3_column_double(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return store_fail(s, "cannot count pruned trials", err);
    return HP_OK;
}

int store_count_behind(hp_store *s, int64_t study_id, int64_t number, int64_t step,
                       const char *name, int64_t *count, char *err)
{
    sqlite3_stmt *st = s->behind;
    sqlite3_bind_int64(st, 1, study_id);
    sqlite3_bind_int64(st, 2, number);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, step);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW)
        return store_fail(s, "cannot read running trials", err);
    return HP_OK;
}

int store_sampler_runs(hp_store *s, int64_t study_id,
                       int (*fn)(void *ctx, const char *sampler, int has_seed, uint64_t seed,
                                 int64_t first, int64_t last, int64_t count),
                       void *ctx, char *err)
{
    sqlite3_stmt *st = s->sampler_runs;
    sqlite3_bind_int64(st, 1, study_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(ctx, (const char *)sqlite3_column_text(st, 0),
               sqlite3_column_type(st, 1) != SQLITE_NULL,
               (uint64_t)sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
               sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot read the samplers of the study", err);
    return HP_OK;
}

int store_study_params(hp_store *s, int64_t study_id,
                       int (*fn)(void *ctx, int64_t number, const char *name, double value,
                                 const char *text),
                       void *ctx, char *err)
{
    sqlite3_stmt *st = s->study_params;
    sqlite3_bind_int64(st, 1, study_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
               column_or_nan(st, 2), (const char *)sqlite3_column_text(st, 3))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot read the study's parameters", err);
    return HP_OK;
}

int store_study_curves(hp_store *s, int64_t study_id, const char *metric,
                       int (*fn)(void *ctx, int64_t number, int64_t step, double value),
                       void *ctx, char *err)
{
    sqlite3_stmt *st = s->study_curves;
    sqlite3_bind_int64(st, 1, study_id);
    sqlite3_bind_text(st, 2, metric, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
               column_or_nan(st, 2))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot read the study's learning curves", err);
    return HP_OK;
}
