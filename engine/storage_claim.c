/*
** Storage, part 2: claiming a trial (new and re-queued trials, proposed
** outside the claim; storing the proposal is storage_propose.c's, the
** sweep for stale trials storage_stale.c's).
** Every change is one short transaction, run again from the start when
** PostgreSQL's connection was lost or a transaction conflicted
** (store_retrying).
*/
#include "storage_impl.h"

#include "clock.h"

#include <math.h>
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

static int scalar_int(hp_store *s, db_stmt *st, int64_t *v, const char *what, char *err)
{
    db_result r = db_step(st);
    *v = r == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (r != DB_ROW && r != DB_DONE)
        return store_fail(s, what, err);
    return HP_OK;
}

static int load_params(hp_store *s, hp_claim *c, char *err)
{
    db_stmt *st = s->trial_params;
    db_bind_int64(st, 1, c->trial_id);
    db_result r;
    int cap = c->n_params;
    while ((r = db_step(st)) == DB_ROW) {
        if (buf_grow_array(&c->params, &cap, c->n_params + 1, sizeof *c->params))
            goto oom;
        hp_param_row *p = &c->params[c->n_params];
        memset(p, 0, sizeof *p);
        c->n_params++;
        const char *text = db_column_text(st, 2);
        p->name = strdup(db_column_text(st, 0));
        p->value = store_column_or_nan(st, 1);
        if (text)
            p->text = strdup(text);
        if (!p->name || (text && !p->text))
            goto oom;
    }
    db_reset(st);
    if (r != DB_DONE)
        return store_fail(s, "cannot read trial parameters", err);
    return HP_OK;
oom:
    db_reset(st);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return HP_ENOMEM;
}

static void bind_claimer(db_stmt *st, int first, const hp_claimer *who)
{
    db_bind_text(st, first, who->worker);
    db_bind_text(st, first + 1, who->host);
    if (who->pid > 0)
        db_bind_int64(st, first + 2, who->pid);
    else
        db_bind_null(st, first + 2);
    db_bind_text(st, first + 3, who->instance);
    db_bind_text(st, first + 4, who->origin);
}

static int claim_waiting(hp_store *s, int64_t study_id, const hp_claimer *who,
                         hp_claim *c, int *pending, char *err)
{
    db_stmt *st = s->first_waiting;
    db_bind_int64(st, 1, study_id);
    db_result r = db_step(st);
    if (r != DB_ROW) {
        db_reset(st);
        return store_fail(s, "cannot read waiting trials", err);
    }
    c->trial_id = db_column_int64(st, 0);
    c->number = db_column_int64(st, 1);
    c->seed = (uint64_t)db_column_int64(st, 2);
    c->params_json = strdup(db_column_text(st, 3));
    db_reset(st);
    if (!c->params_json) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    db_bind_int64(s->start_trial, 1, c->trial_id);
    bind_claimer(s->start_trial, 2, who);
    if (store_exec_stmt(s->start_trial) != DB_DONE)
        return store_fail(s, "cannot start a trial", err);
    /* a trial whose claimer died before its parameters were stored: they
       are proposed now, as for a new trial */
    if (!c->params_json[0]) {
        *pending = 1;
        return HP_OK;
    }
    return load_params(s, c, err);
}

/* Claims number NUMBER as a new trial: proposed now by PROPOSE, or with
** its parameters pending (PROPOSE NULL) for a model-based sampler. */
static int insert_new(hp_store *s, int64_t study_id, int64_t number,
                      const hp_claimer *who, hp_propose_fn propose, void *ctx, hp_claim *c,
                      char *err)
{
    if (propose && propose(ctx, number, c, err))
        return HP_ERUNTIME;
    c->number = number;
    db_stmt *st = s->insert_trial;
    db_bind_int64(st, 1, study_id);
    db_bind_int64(st, 2, number);
    db_bind_text(st, 3, propose ? c->params_json : "");
    db_bind_int64(st, 4, propose ? (int64_t)c->seed : 0);
    bind_claimer(st, 5, who);
    db_bind_text(st, 10, propose ? c->sampler : NULL);
    if (propose && c->sampler)
        db_bind_int64(st, 11, (int64_t)c->sampler_seed);
    else
        db_bind_null(st, 11);
    db_result r = db_step(st);
    if (r == DB_ROW)
        c->trial_id = db_column_int64(st, 0);
    db_reset(st);
    if (r != DB_ROW)
        return store_fail(s, "cannot create a trial", err);
    return propose ? store_insert_params(s, c, err) : HP_OK;
}

typedef struct {
    int64_t study_id, budget;
    uint64_t capacity;
    double stale_after;
    const hp_claimer *who;
    hp_propose_fn propose;
    void *ctx;
    hp_claim *claim;
    hp_claim_status *status;
    int attempts;
    int pending;         /* the claimed trial's parameters are to be proposed */
} claim_args;

/* Begins a claim's transaction, locks the study (PostgreSQL), and
** re-queues what must be: ORPHANS, a trial this worker holds from an
** attempt whose reply was lost; SWEEP, the trials of dead or silent
** claimers. */
static int claim_begin(hp_store *s, claim_args *a, int orphans, int sweep, char *err)
{
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    if (db_get_kind(s->db) == DB_POSTGRES) {
        int64_t ignored;
        db_bind_int64(s->lock_study, 1, a->study_id);
        if ((rc = scalar_int(s, s->lock_study, &ignored, "cannot lock the study", err)))
            return rc;
    }
    if (orphans) {
        /* the last attempt's commit may have reached the server before the
           connection broke: a trial this worker holds is that claim's, and
           nobody would ever finish it */
        db_bind_int64(s->requeue_worker, 1, a->study_id);
        db_bind_text(s->requeue_worker, 2, a->who->worker);
        if (store_exec_stmt(s->requeue_worker) != DB_DONE)
            return store_fail(s, "cannot re-queue a trial", err);
    }
    if (sweep) {
        double now = clock_monotonic();
        if ((rc = store_recover_stale(s, a->study_id, a->stale_after, a->who, err)))
            return rc;
        s->last_recovery = now;
    }
    return HP_OK;
}

/* PostgreSQL: the claim is one call of hpsearch_claim, which holds the
** study's lock only while the server decides (never across a round trip
** to us); after a sweep, inside the sweep's transaction.  Every new trial
** is claimed with its parameters pending: the sampler proposes them after
** the call, outside the lock. */
static int claim_pg(hp_store *s, claim_args *a, int orphans, int sweep, char *err)
{
    hp_claim *c = a->claim;
    int rc, own = orphans || sweep;
    if (own && (rc = claim_begin(s, a, orphans, sweep, err)))
        return rc;
    db_stmt *st = s->claim_trial;
    db_bind_int64(st, 1, a->study_id);
    db_bind_int64(st, 2, a->budget);
    db_bind_int64(st, 3, a->capacity > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)a->capacity);
    bind_claimer(st, 4, a->who);
    /* a pipeline of one: the driver never runs it again by itself, so a
       lost reply comes back here as a retry, whose orphans step frees the
       trial the lost call may have claimed */
    db_result r = db_pipeline(s->db, 0, &st, 1, 0);
    if (r == DB_DONE)
        r = db_step(st);
    int status = r == DB_ROW ? (int)db_column_int64(st, 0) : -1;
    if (status == 0 || status == 1) {
        c->trial_id = db_column_int64(st, 1);
        c->number = db_column_int64(st, 2);
        c->seed = (uint64_t)db_column_int64(st, 3);
        if (!(c->params_json = strdup(db_column_text(st, 4)))) {
            db_reset(st);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
    }
    db_reset(st);
    if (status < 0 || status > 3)
        return store_fail(s, "cannot claim a trial", err);
    *a->status = status <= 1 ? CLAIM_OK : status == 2 ? CLAIM_WAIT : CLAIM_DONE;
    a->pending = status <= 1 && !c->params_json[0];
    if (status == 1 && !a->pending && (rc = load_params(s, c, err)))
        return rc;
    return own ? store_commit(s, err) : HP_OK;
}

/* SQLite: the claim inside one write transaction (the only writer). */
static int claim_sqlite(hp_store *s, claim_args *a, int orphans, int sweep, char *err)
{
    hp_claim *c = a->claim;
    int rc = claim_begin(s, a, orphans, sweep, err);
    if (rc)
        return rc;
    int64_t counts[3];
    db_bind_int64(s->claim_counts, 1, a->study_id);
    db_result r = db_step(s->claim_counts);
    if (r == DB_ROW)
        for (int i = 0; i < 3; i++)
            counts[i] = db_column_int64(s->claim_counts, i);
    db_reset(s->claim_counts);
    if (r != DB_ROW)
        return store_fail(s, "cannot count trials", err);
    int64_t total = counts[0], waiting = counts[1], running = counts[2];
    /* numbers are dense (each new trial takes the count), so every trial that
       is not WAITING or RUNNING is finished; hpsearch_claim decides alike */
    int64_t finished = total - waiting - running;
    if (finished >= a->budget) {
        *a->status = CLAIM_DONE;
    } else if (finished + running >= a->budget) {
        *a->status = CLAIM_WAIT;
    } else if (waiting > 0) {
        *a->status = CLAIM_OK;
        if ((rc = claim_waiting(s, a->study_id, a->who, c, &a->pending, err)))
            return rc;
    } else if ((uint64_t)total >= a->capacity) {
        *a->status = running > 0 ? CLAIM_WAIT : CLAIM_DONE;
    } else {
        /* a model-based sampler proposes after the commit (store_claim) */
        int later = s->serial_proposals;
        *a->status = CLAIM_OK;
        if ((rc = insert_new(s, a->study_id, total, a->who, later ? NULL : a->propose,
                             a->ctx, c, err)))
            return rc;
        a->pending = later;
    }
    return store_commit(s, err);
}

static int claim_once(hp_store *s, void *arg, char *err)
{
    claim_args *a = arg;
    store_claim_deinit(a->claim);
    a->pending = 0;
    int orphans = a->attempts++ > 0 && a->who->worker;
    double now = clock_monotonic();
    int sweep = s->last_recovery == 0 || now - s->last_recovery >= RECOVERY_INTERVAL;
    int rc = db_get_kind(s->db) == DB_POSTGRES ? claim_pg(s, a, orphans, sweep, err)
                                               : claim_sqlite(s, a, orphans, sweep, err);
    if (rc) {
        store_rollback(s);
        store_claim_deinit(a->claim);
    }
    return rc;
}

int store_claim(hp_store *s, int64_t study_id, int64_t budget, uint64_t capacity,
                double stale_after, const hp_claimer *who, hp_propose_fn propose,
                void *ctx, hp_claim *c, hp_claim_status *status, char *err)
{
    memset(c, 0, sizeof *c);
    claim_args a = {study_id, budget, capacity, stale_after, who, propose, ctx, c, status, 0, 0};
    for (;;) {
        int rc = store_retrying(s, claim_once, &a, err);
        if (rc || *status != CLAIM_OK || !a.pending)
            return rc;
        /* the trial is ours with its parameters pending: the sampler
           proposes them outside any transaction, so that a slow model fit
           never holds up other workers' claims, reports and heartbeats */
        int64_t trial_id = c->trial_id, number = c->number;
        free(c->params_json);
        c->params_json = NULL;
        if (s->serial_proposals && (rc = store_lock_proposals(s, study_id, err))) {
            char ignored[HP_ERR_LEN];
            store_release(s, trial_id, who->worker, ignored);
            store_claim_deinit(c);
            return rc;
        }
        if (propose(ctx, number, c, err)) {
            char ignored[HP_ERR_LEN];
            if (s->serial_proposals)
                store_unlock_proposals(s, study_id);
            store_release(s, trial_id, who->worker, ignored);
            store_claim_deinit(c);
            return HP_ERUNTIME;
        }
        c->trial_id = trial_id;
        c->number = number;
        int stored;
        rc = store_proposal(s, c, who->worker, &stored, err);
        if (s->serial_proposals)
            store_unlock_proposals(s, study_id);
        if (rc || stored) {
            if (rc)
                store_claim_deinit(c);
            return rc;
        }
        /* taken meanwhile (went stale): claim again */
        store_claim_deinit(c);
    }
}
