/*
** Storage, part 3: the rest of a trial's life (report, finish, retry,
** release, heartbeat).  Every change is one short transaction, run again
** from the start when PostgreSQL's connection was lost or a transaction
** conflicted (store_retrying).
*/
#include "storage_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_requeue(hp_store *s, int64_t trial_id, const char *worker, double heartbeat,
                  char *err)
{
    db_bind_int64(s->requeue, 1, trial_id);
    db_bind_text(s->requeue, 2, worker);
    if (isfinite(heartbeat))
        db_bind_double(s->requeue, 3, heartbeat);
    else
        db_bind_null(s->requeue, 3);
    if (store_exec_stmt(s->requeue) != DB_DONE)
        return store_fail(s, "cannot re-queue a trial", err);
    return HP_OK;
}

typedef struct {
    int64_t trial_id;
    const char *worker;
    hp_trial_state state;
    double value;
    const char *error, *output;
    const hp_metric *metrics;
    int n_metrics;
} finish_args;

/* After a lost connection: 1 when our own finish had committed.  Asked
** whenever the finish changed nothing, as PostgreSQL's driver runs a
** statement outside a transaction again by itself after a reconnect. */
static int already_finished(hp_store *s, const finish_args *a)
{
    if (!a->worker)
        return 0;
    db_bind_int64(s->finished_by, 1, a->trial_id);
    db_bind_text(s->finished_by, 2, store_state_name(a->state));
    db_bind_text(s->finished_by, 3, a->worker);
    int yes = db_step(s->finished_by) == DB_ROW;
    db_reset(s->finished_by);
    return yes;
}

/* PostgreSQL: the finish as one statement, one round trip. */
static int finish_pg_once(hp_store *s, finish_args *a, char *err)
{
    hp_buf json;
    buf_init(&json);
    buf_puts(&json, "[");
    for (int i = 0; i < a->n_metrics; i++) {
        buf_puts(&json, i ? ", [" : "[");
        buf_json_string(&json, a->metrics[i].name);
        buf_puts(&json, ", ");
        buf_json_number(&json, a->metrics[i].value);
        buf_puts(&json, "]");
    }
    buf_puts(&json, "]");
    if (!buf_ok(&json)) {
        buf_deinit(&json);
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    db_stmt *st = s->finish_json;
    db_bind_int64(st, 1, a->trial_id);
    db_bind_text(st, 2, a->worker);
    db_bind_text(st, 3, store_state_name(a->state));
    if (isfinite(a->value))
        db_bind_double(st, 4, a->value);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, a->error);
    db_bind_text(st, 6, a->output && *a->output ? a->output : NULL);
    db_bind_text(st, 7, buf_str(&json));
    db_result r = db_step(st);
    int64_t changed = r == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    buf_deinit(&json);
    if (r != DB_ROW)
        return store_fail(s, "cannot finish a trial", err);
    if (changed == 0) {
        if (already_finished(s, a))
            return HP_OK;
        snprintf(err, HP_ERR_LEN, "the trial is not running (any more)");
        return HP_EINPUT;
    }
    return HP_OK;
}

static int finish_once(hp_store *s, void *arg, char *err)
{
    finish_args *a = arg;
    if (db_get_kind(s->db) == DB_POSTGRES)
        return finish_pg_once(s, a, err);
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    db_stmt *st = s->finish_trial;
    db_bind_int64(st, 1, a->trial_id);
    db_bind_text(st, 2, a->worker);
    db_bind_text(st, 3, store_state_name(a->state));
    if (isfinite(a->value))
        db_bind_double(st, 4, a->value);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, a->error);
    db_bind_text(st, 6, a->output && *a->output ? a->output : NULL);
    if (store_exec_stmt(st) != DB_DONE) {
        rc = store_fail(s, "cannot finish a trial", err);
        goto fail;
    }
    if (db_changes(s->db) == 0) {
        store_rollback(s);
        if (already_finished(s, a))
            return HP_OK;
        snprintf(err, HP_ERR_LEN, "the trial is not running (any more)");
        return HP_EINPUT;
    }
    st = s->insert_value;
    for (int i = 0; i < a->n_metrics; i++) {
        db_bind_int64(st, 1, a->trial_id);
        db_bind_null(st, 2);
        db_bind_text(st, 3, a->metrics[i].name);
        if (isfinite(a->metrics[i].value))
            db_bind_double(st, 4, a->metrics[i].value);
        else
            db_bind_null(st, 4);
        if (store_exec_stmt(st) != DB_DONE) {
            rc = store_fail(s, "cannot store a metric", err);
            goto fail;
        }
    }
    return store_commit(s, err);
fail:
    store_rollback(s);
    return rc;
}

int store_finish(hp_store *s, int64_t trial_id, const char *worker, hp_trial_state state,
                 double value, const char *error, const char *output,
                 const hp_metric *metrics, int n_metrics, char *err)
{
    finish_args a = {trial_id, worker, state, value, error, output, metrics, n_metrics};
    return store_retrying(s, finish_once, &a, err);
}

typedef struct {
    int64_t trial_id;
    const char *worker;
    int64_t step;
    const char *name;
    double value;
} report_args;

static int report_once(hp_store *s, void *arg, char *err)
{
    report_args *a = arg;
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    db_bind_int64(s->is_running, 1, a->trial_id);
    db_bind_text(s->is_running, 2, a->worker);
    db_result r = db_step(s->is_running);
    db_reset(s->is_running);
    if (r != DB_ROW) {
        if (r != DB_DONE) {
            rc = store_fail(s, "cannot read a trial", err);
            store_rollback(s);
            return rc;
        }
        store_rollback(s);
        snprintf(err, HP_ERR_LEN, "the trial is not running under this worker (any more)");
        return HP_EINPUT;
    }
    db_stmt *st = s->delete_value;
    db_bind_int64(st, 1, a->trial_id);
    db_bind_int64(st, 2, a->step);
    db_bind_text(st, 3, a->name);
    r = store_exec_stmt(st);
    if (r == DB_DONE) {
        st = s->insert_value;
        db_bind_int64(st, 1, a->trial_id);
        db_bind_int64(st, 2, a->step);
        db_bind_text(st, 3, a->name);
        if (isfinite(a->value))
            db_bind_double(st, 4, a->value);
        else
            db_bind_null(st, 4);
        r = store_exec_stmt(st);
    }
    if (r != DB_DONE) {
        rc = store_fail(s, "cannot store a value", err);
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}

int store_report(hp_store *s, int64_t trial_id, const char *worker, int64_t step,
                 const char *name, double value, char *err)
{
    report_args a = {trial_id, worker, step, name, value};
    return store_retrying(s, report_once, &a, err);
}

typedef struct {
    int64_t study_id;
    int64_t *count;
} retry_args;

static int retry_failed_once(hp_store *s, void *arg, char *err)
{
    retry_args *a = arg;
    *a->count = 0;
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    /* collect, then act: no statement runs while another steps */
    int64_t *ids = NULL;
    int n = 0, cap = 0, oom = 0;
    db_result r;
    db_bind_int64(s->failed_trials, 1, a->study_id);
    while ((r = db_step(s->failed_trials)) == DB_ROW) {
        if (buf_grow_array(&ids, &cap, n + 1, sizeof *ids)) {
            oom = 1;
            break;
        }
        ids[n++] = db_column_int64(s->failed_trials, 0);
    }
    db_reset(s->failed_trials);
    if (oom || r != DB_DONE) {
        free(ids);
        rc = oom ? HP_ENOMEM : store_fail(s, "cannot read failed trials", err);
        if (oom)
            snprintf(err, HP_ERR_LEN, "out of memory");
        store_rollback(s);
        return rc;
    }
    for (int i = 0; i < n; i++) {
        db_bind_int64(s->retry_trial, 1, ids[i]);
        db_bind_int64(s->drop_values, 1, ids[i]);
        if (store_exec_stmt(s->retry_trial) != DB_DONE ||
            store_exec_stmt(s->drop_values) != DB_DONE) {
            free(ids);
            rc = store_fail(s, "cannot re-queue a failed trial", err);
            store_rollback(s);
            return rc;
        }
    }
    free(ids);
    *a->count = n;
    return store_commit(s, err);
}

int store_retry_failed(hp_store *s, int64_t study_id, int64_t *count, char *err)
{
    retry_args a = {study_id, count};
    return store_retrying(s, retry_failed_once, &a, err);
}

typedef struct {
    int64_t trial_id;
    const char *worker;
} release_args;

static int release_once(hp_store *s, void *arg, char *err)
{
    release_args *a = arg;
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    if ((rc = store_requeue(s, a->trial_id, a->worker, NAN, err))) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}

int store_release(hp_store *s, int64_t trial_id, const char *worker, char *err)
{
    release_args a = {trial_id, worker};
    return store_retrying(s, release_once, &a, err);
}

static int heartbeat_once(hp_store *s, void *arg, char *err)
{
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    db_bind_text(s->heartbeat, 1, (const char *)arg);
    if (store_exec_stmt(s->heartbeat) != DB_DONE) {
        rc = store_fail(s, "cannot write the heartbeat", err);
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}

int store_heartbeat(hp_store *s, const char *instance, char *err)
{
    return store_retrying(s, heartbeat_once, (void *)instance, err);
}

int store_trial_owner(hp_store *s, int64_t trial_id, int *running, int *pid,
                      char instance[64], char *err)
{
    db_bind_int64(s->owner_of, 1, trial_id);
    db_result r = db_step(s->owner_of);
    *running = r == DB_ROW;
    *pid = 0;
    instance[0] = '\0';
    if (r == DB_ROW) {
        const char *inst = db_column_text(s->owner_of, 0);
        snprintf(instance, 64, "%s", inst ? inst : "");
        *pid = (int)db_column_int64(s->owner_of, 1);
    }
    db_reset(s->owner_of);
    if (r != DB_ROW && r != DB_DONE)
        return store_fail(s, "cannot read a trial", err);
    return HP_OK;
}
