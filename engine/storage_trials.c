/*
** Storage, part 2: the life of a trial (claim, report, finish, release,
** heartbeat, stale recovery).  Every change is one short transaction.
*/
#include "storage_impl.h"

#include "clock.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stale sweeps scan the running trials: at most one per second per
** connection, plus one at a connection's first claim. */
#define RECOVERY_INTERVAL 1.0

void store_claim_deinit(hp_claim *c)
{
    for (int i = 0; i < c->n_params; i++) {
        free(c->params[i].name);
        free(c->params[i].text);
    }
    free(c->params);
    free(c->params_json);
    memset(c, 0, sizeof *c);
}

static int pid_is_dead(int pid)
{
    return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
}

static int requeue(hp_store *s, int64_t trial_id, const char *worker, int *changed,
                   char *err)
{
    sqlite3_bind_int64(s->requeue, 1, trial_id);
    if (worker)
        sqlite3_bind_text(s->requeue, 2, worker, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s->requeue, 2);
    int rc = store_exec_stmt(s->requeue);
    sqlite3_clear_bindings(s->requeue);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot re-queue a trial", err);
    *changed = sqlite3_changes(s->db) > 0;
    return HP_OK;
}

/* Re-queues RUNNING trials whose claimer is gone.  Inside a transaction. */
static int recover_stale(hp_store *s, int64_t study_id, double stale_after,
                         const hp_claimer *who, char *err)
{
    int64_t *ids = NULL;
    int n = 0, cap = 0, rc;
    sqlite3_stmt *st = s->running_trials;
    sqlite3_bind_int64(st, 1, study_id);
    sqlite3_bind_double(st, 2, stale_after);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *host = (const char *)sqlite3_column_text(st, 1);
        int pid = sqlite3_column_int(st, 2);
        int old = sqlite3_column_int(st, 3);
        int same_host = host && who->host && strcmp(host, who->host) == 0;
        int stale = old || (same_host && pid != who->pid && pid_is_dead(pid));
        if (!stale)
            continue;
        if (buf_grow_array(&ids, &cap, n + 1, sizeof *ids)) {
            sqlite3_reset(st);
            free(ids);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(ids);
        return store_fail(s, "cannot scan running trials", err);
    }
    rc = HP_OK;
    for (int i = 0; i < n && rc == HP_OK; i++) {
        int changed;
        rc = requeue(s, ids[i], NULL, &changed, err);
    }
    free(ids);
    return rc;
}

static int64_t scalar_int(sqlite3_stmt *st, int *rc)
{
    int64_t v = 0;
    *rc = sqlite3_step(st);
    if (*rc == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
        *rc = SQLITE_DONE;
    }
    sqlite3_reset(st);
    return v;
}

static int count_state(hp_store *s, int64_t study_id, const char *state, int64_t *n,
                       char *err)
{
    int rc;
    sqlite3_bind_int64(s->count_state, 1, study_id);
    sqlite3_bind_text(s->count_state, 2, state, -1, SQLITE_STATIC);
    *n = scalar_int(s->count_state, &rc);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot count trials", err);
    return HP_OK;
}

static int load_params(hp_store *s, hp_claim *c, char *err)
{
    sqlite3_stmt *st = s->trial_params;
    sqlite3_bind_int64(st, 1, c->trial_id);
    int rc;
    int cap = c->n_params;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (buf_grow_array(&c->params, &cap, c->n_params + 1, sizeof *c->params))
            goto oom;
        hp_param_row *p = &c->params[c->n_params];
        memset(p, 0, sizeof *p);
        c->n_params++;
        p->name = strdup((const char *)sqlite3_column_text(st, 0));
        p->value = sqlite3_column_type(st, 1) == SQLITE_NULL ? NAN
                                                             : sqlite3_column_double(st, 1);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            p->text = strdup((const char *)sqlite3_column_text(st, 2));
        if (!p->name || (sqlite3_column_type(st, 2) != SQLITE_NULL && !p->text))
            goto oom;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot read trial parameters", err);
    return HP_OK;
oom:
    sqlite3_reset(st);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return HP_ENOMEM;
}

static void bind_claimer(sqlite3_stmt *st, int first, const hp_claimer *who)
{
    sqlite3_bind_text(st, first, who->worker, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, first + 1, who->host, -1, SQLITE_STATIC);
    if (who->pid > 0)
        sqlite3_bind_int(st, first + 2, who->pid);
    else
        sqlite3_bind_null(st, first + 2);
}

static int claim_waiting(hp_store *s, int64_t study_id, const hp_claimer *who,
                         hp_claim *c, char *err)
{
    sqlite3_stmt *st = s->first_waiting;
    sqlite3_bind_int64(st, 1, study_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return store_fail(s, "cannot read waiting trials", err);
    }
    c->trial_id = sqlite3_column_int64(st, 0);
    c->number = sqlite3_column_int64(st, 1);
    c->seed = (uint64_t)sqlite3_column_int64(st, 2);
    c->params_json = strdup((const char *)sqlite3_column_text(st, 3));
    sqlite3_reset(st);
    if (!c->params_json) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    sqlite3_bind_int64(s->start_trial, 1, c->trial_id);
    bind_claimer(s->start_trial, 2, who);
    rc = store_exec_stmt(s->start_trial);
    sqlite3_clear_bindings(s->start_trial);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot start a trial", err);
    return load_params(s, c, err);
}

static int insert_new(hp_store *s, int64_t study_id, int64_t number,
                      const hp_claimer *who, hp_propose_fn propose, void *ctx,
                      hp_claim *c, char *err)
{
    if (propose(ctx, number, c, err))
        return HP_ERUNTIME;
    c->number = number;
    sqlite3_stmt *st = s->insert_trial;
    sqlite3_bind_int64(st, 1, study_id);
    sqlite3_bind_int64(st, 2, number);
    sqlite3_bind_text(st, 3, c->params_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)c->seed);
    bind_claimer(st, 5, who);
    if (c->sampler) {
        sqlite3_bind_text(st, 8, c->sampler, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, (sqlite3_int64)c->sampler_seed);
    }
    int rc = store_exec_stmt(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot create a trial", err);
    c->trial_id = sqlite3_last_insert_rowid(s->db);
    st = s->insert_param;
    for (int i = 0; i < c->n_params; i++) {
        const hp_param_row *p = &c->params[i];
        sqlite3_bind_int64(st, 1, c->trial_id);
        sqlite3_bind_text(st, 2, p->name, -1, SQLITE_STATIC);
        if (isfinite(p->value))
            sqlite3_bind_double(st, 3, p->value);
        else
            sqlite3_bind_null(st, 3);
        if (p->text)
            sqlite3_bind_text(st, 4, p->text, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 4);
        rc = store_exec_stmt(st);
        sqlite3_clear_bindings(st);
        if (rc != SQLITE_DONE)
            return store_fail(s, "cannot store trial parameters", err);
    }
    return HP_OK;
}

int store_claim(hp_store *s, int64_t study_id, int64_t budget, uint64_t capacity,
                double stale_after, const hp_claimer *who, hp_propose_fn propose,
                void *ctx, hp_claim *c, hp_claim_status *status, char *err)
{
    memset(c, 0, sizeof *c);
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    double now = clock_monotonic();
    if (s->last_recovery == 0 || now - s->last_recovery >= RECOVERY_INTERVAL) {
        if ((rc = recover_stale(s, study_id, stale_after, who, err)))
            goto fail;
        s->last_recovery = now;
    }
    int64_t total, waiting, running;
    sqlite3_bind_int64(s->max_number, 1, study_id);
    total = scalar_int(s->max_number, &rc);
    if (rc != SQLITE_DONE) {
        rc = store_fail(s, "cannot count trials", err);
        goto fail;
    }
    if ((rc = count_state(s, study_id, "WAITING", &waiting, err)) ||
        (rc = count_state(s, study_id, "RUNNING", &running, err)))
        goto fail;
    /* numbers are dense (each new trial takes the count), so every trial that
       is not WAITING or RUNNING is finished */
    int64_t finished = total - waiting - running;
    if (finished >= budget) {
        *status = CLAIM_DONE;
    } else if (finished + running >= budget) {
        *status = CLAIM_WAIT;
    } else if (waiting > 0) {
        rc = claim_waiting(s, study_id, who, c, err);
        *status = CLAIM_OK;
    } else if ((uint64_t)total >= capacity) {
        *status = running > 0 ? CLAIM_WAIT : CLAIM_DONE;
    } else {
        rc = insert_new(s, study_id, total, who, propose, ctx, c, err);
        *status = CLAIM_OK;
    }
    if (rc)
        goto fail;
    if ((rc = store_commit(s, err)))
        goto fail_nocommit;
    return HP_OK;
fail:
    store_rollback(s);
fail_nocommit:
    store_claim_deinit(c);
    return rc;
}

int store_finish(hp_store *s, int64_t trial_id, const char *worker, hp_trial_state state,
                 double value, const char *error, const char *output,
                 const hp_metric *metrics, int n_metrics, char *err)
{
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = s->finish_trial;
    sqlite3_bind_int64(st, 1, trial_id);
    if (worker)
        sqlite3_bind_text(st, 2, worker, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, store_state_name(state), -1, SQLITE_STATIC);
    if (isfinite(value))
        sqlite3_bind_double(st, 4, value);
    else
        sqlite3_bind_null(st, 4);
    if (error)
        sqlite3_bind_text(st, 5, error, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 5);
    if (output && *output)
        sqlite3_bind_text(st, 6, output, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 6);
    int step = store_exec_stmt(st);
    sqlite3_clear_bindings(st);
    if (step != SQLITE_DONE) {
        rc = store_fail(s, "cannot finish a trial", err);
        goto fail;
    }
    if (sqlite3_changes(s->db) == 0) {
        snprintf(err, HP_ERR_LEN, "the trial is not running (any more)");
        rc = HP_EINPUT;
        goto fail;
    }
    st = s->insert_value;
    for (int i = 0; i < n_metrics; i++) {
        sqlite3_bind_int64(st, 1, trial_id);
        sqlite3_bind_null(st, 2);
        sqlite3_bind_text(st, 3, metrics[i].name, -1, SQLITE_STATIC);
        if (isfinite(metrics[i].value))
            sqlite3_bind_double(st, 4, metrics[i].value);
        else
            sqlite3_bind_null(st, 4);
        step = store_exec_stmt(st);
        sqlite3_clear_bindings(st);
        if (step != SQLITE_DONE) {
            rc = store_fail(s, "cannot store a metric", err);
            goto fail;
        }
    }
    return store_commit(s, err);
fail:
    store_rollback(s);
    return rc;
}

int store_report(hp_store *s, int64_t trial_id, const char *worker, int64_t step,
                 const char *name, double value, char *err)
{
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(s->is_running, 1, trial_id);
    if (worker)
        sqlite3_bind_text(s->is_running, 2, worker, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s->is_running, 2);
    int r = sqlite3_step(s->is_running);
    sqlite3_reset(s->is_running);
    sqlite3_clear_bindings(s->is_running);
    if (r != SQLITE_ROW) {
        store_rollback(s);
        if (r != SQLITE_DONE)
            return store_fail(s, "cannot read a trial", err);
        snprintf(err, HP_ERR_LEN, "the trial is not running under this worker (any more)");
        return HP_EINPUT;
    }
    sqlite3_stmt *st = s->delete_value;
    sqlite3_bind_int64(st, 1, trial_id);
    sqlite3_bind_int64(st, 2, step);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    r = store_exec_stmt(st);
    sqlite3_clear_bindings(st);
    if (r == SQLITE_DONE) {
        st = s->insert_value;
        sqlite3_bind_int64(st, 1, trial_id);
        sqlite3_bind_int64(st, 2, step);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
        if (isfinite(value))
            sqlite3_bind_double(st, 4, value);
        else
            sqlite3_bind_null(st, 4);
        r = store_exec_stmt(st);
        sqlite3_clear_bindings(st);
    }
    if (r != SQLITE_DONE) {
        rc = store_fail(s, "cannot store a value", err);
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}

int store_retry_failed(hp_store *s, int64_t study_id, int64_t *count, char *err)
{
    *count = 0;
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    /* collect, then act: no statement runs while another steps */
    int64_t *ids = NULL;
    int n = 0, cap = 0, r;
    sqlite3_bind_int64(s->failed_trials, 1, study_id);
    while ((r = sqlite3_step(s->failed_trials)) == SQLITE_ROW) {
        if (buf_grow_array(&ids, &cap, n + 1, sizeof *ids)) {
            r = SQLITE_NOMEM;
            break;
        }
        ids[n++] = sqlite3_column_int64(s->failed_trials, 0);
    }
    sqlite3_reset(s->failed_trials);
    if (r != SQLITE_DONE) {
        free(ids);
        store_rollback(s);
        if (r == SQLITE_NOMEM) {
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
        return store_fail(s, "cannot read failed trials", err);
    }
    for (int i = 0; i < n; i++) {
        sqlite3_bind_int64(s->retry_trial, 1, ids[i]);
        sqlite3_bind_int64(s->drop_values, 1, ids[i]);
        if (store_exec_stmt(s->retry_trial) != SQLITE_DONE ||
            store_exec_stmt(s->drop_values) != SQLITE_DONE) {
            free(ids);
            rc = store_fail(s, "cannot re-queue a failed trial", err);
            store_rollback(s);
            return rc;
        }
    }
    free(ids);
    *count = n;
    return store_commit(s, err);
}

int store_release(hp_store *s, int64_t trial_id, const char *worker, char *err)
{
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    int changed;
    if ((rc = requeue(s, trial_id, worker, &changed, err))) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}

int store_heartbeat(hp_store *s, const char *host, int pid, char *err)
{
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s->heartbeat, 1, host, -1, SQLITE_STATIC);
    sqlite3_bind_int(s->heartbeat, 2, pid);
    int r = store_exec_stmt(s->heartbeat);
    sqlite3_clear_bindings(s->heartbeat);
    if (r != SQLITE_DONE) {
        rc = store_fail(s, "cannot write the heartbeat", err);
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}
