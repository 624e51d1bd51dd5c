/*
** Storage, part 2: the life of a trial (claim, report, finish, release,
** heartbeat, stale recovery).  Every change is one short transaction, run
** again from the start when PostgreSQL's connection was lost or a
** transaction conflicted (store_retrying).
*/
#include "storage_impl.h"

#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stale sweeps scan the running trials: at most one per second per
** connection, plus one at a connection's first claim. */
#define RECOVERY_INTERVAL 1.0

/* A heartbeat value as this connection first saw it, by its own clock. */
struct store_seen {
    int64_t trial_id;
    double heartbeat;
    double seen_at;      /* clock_monotonic() */
    int live;            /* seen in the latest sweep */
};

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

static int same_text(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* SQLite's staleness: the heartbeat has not changed for stale_after
** seconds by this process's own clock.  Comparing the stored time with the
** reader's clock would let a process whose clock runs ahead take every
** trial; watching the value change needs no agreement between clocks. */
static int heartbeat_stopped(hp_store *s, int64_t trial_id, double heartbeat,
                             double stale_after, double now)
{
    for (int i = 0; i < s->n_seen; i++) {
        struct store_seen *e = &s->seen[i];
        if (e->trial_id != trial_id)
            continue;
        e->live = 1;
        if (e->heartbeat != heartbeat) {
            e->heartbeat = heartbeat;
            e->seen_at = now;
            return 0;
        }
        return now - e->seen_at >= stale_after;
    }
    if (buf_grow_array(&s->seen, &s->cap_seen, s->n_seen + 1, sizeof *s->seen) == 0)
        s->seen[s->n_seen++] = (struct store_seen){trial_id, heartbeat, now, 1};
    return 0;
}

static void forget_unseen(hp_store *s)
{
    int k = 0;
    for (int i = 0; i < s->n_seen; i++)
        if (s->seen[i].live) {
            s->seen[k] = s->seen[i];
            s->seen[k++].live = 0;
        }
    s->n_seen = k;
}

static int requeue(hp_store *s, int64_t trial_id, const char *worker, double heartbeat,
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
    int64_t id;
    double heartbeat;
} stale_trial;

/* Re-queues RUNNING trials whose claimer is gone.  Inside a transaction. */
static int recover_stale(hp_store *s, int64_t study_id, double stale_after,
                         const hp_claimer *who, char *err)
{
    stale_trial *found = NULL;
    int n = 0, cap = 0;
    db_result r;
    db_stmt *st = s->running_trials;
    double now = clock_monotonic();
    int by_server_clock = db_get_kind(s->db) == DB_POSTGRES;
    db_bind_int64(st, 1, study_id);
    db_bind_double(st, 2, stale_after);
    while ((r = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        const char *instance = db_column_text(st, 3);
        if (same_text(instance, who->instance))
            continue;    /* ours, and we are alive */
        int pid = (int)db_column_int64(st, 2);
        double heartbeat = store_column_or_nan(st, 5);
        /* a trial claimed before schema 4 has no origin: its host name is
           all there is, as that version judged it */
        const char *origin = db_column_text(st, 4);
        int same_machine = same_text(db_column_text(st, 1), who->host) &&
                           (!origin || same_text(origin, who->origin));
        /* a pid means something only in the PID namespace and boot it came
           from; there, our own pid under another instance is a predecessor */
        int dead = same_machine && (pid == who->pid || pid_is_dead(pid));
        int stale = by_server_clock ? db_column_int64(st, 6) != 0
                                    : heartbeat_stopped(s, id, heartbeat, stale_after, now);
        if (!dead && !stale)
            continue;
        if (buf_grow_array(&found, &cap, n + 1, sizeof *found)) {
            db_reset(st);
            free(found);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
        found[n++] = (stale_trial){id, dead ? NAN : heartbeat};
    }
    db_reset(st);
    if (r != DB_DONE) {
        free(found);
        return store_fail(s, "cannot scan running trials", err);
    }
    if (!by_server_clock)
        forget_unseen(s);
    int rc = HP_OK;
    for (int i = 0; i < n && rc == HP_OK; i++)
        rc = requeue(s, found[i].id, NULL, found[i].heartbeat, err);
    free(found);
    return rc;
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

/* PostgreSQL: the parameters in one statement. */
static int insert_params_json(hp_store *s, const hp_claim *c, char *err)
{
    hp_buf json;
    buf_init(&json);
    buf_puts(&json, "[");
    for (int i = 0; i < c->n_params; i++) {
        const hp_param_row *p = &c->params[i];
        buf_puts(&json, i ? ", [" : "[");
        buf_json_string(&json, p->name);
        buf_puts(&json, ", ");
        buf_json_number(&json, p->value);
        buf_puts(&json, ", ");
        if (p->text)
            buf_json_string(&json, p->text);
        else
            buf_puts(&json, "null");
        buf_puts(&json, "]");
    }
    buf_puts(&json, "]");
    int rc = HP_OK;
    if (!buf_ok(&json)) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        rc = HP_ENOMEM;
    } else {
        db_bind_int64(s->insert_params_json, 1, c->trial_id);
        db_bind_text(s->insert_params_json, 2, buf_str(&json));
        if (store_exec_stmt(s->insert_params_json) != DB_DONE)
            rc = store_fail(s, "cannot store trial parameters", err);
    }
    buf_deinit(&json);
    return rc;
}

/* Stores the parameters of a claimed trial (its row exists). */
static int insert_params(hp_store *s, const hp_claim *c, char *err)
{
    if (db_get_kind(s->db) == DB_POSTGRES)
        return c->n_params ? insert_params_json(s, c, err) : HP_OK;
    db_stmt *st = s->insert_param;
    for (int i = 0; i < c->n_params; i++) {
        const hp_param_row *p = &c->params[i];
        db_bind_int64(st, 1, c->trial_id);
        db_bind_text(st, 2, p->name);
        if (isfinite(p->value))
            db_bind_double(st, 3, p->value);
        else
            db_bind_null(st, 3);
        db_bind_text(st, 4, p->text);
        if (store_exec_stmt(st) != DB_DONE)
            return store_fail(s, "cannot store trial parameters", err);
    }
    return HP_OK;
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
    return propose ? insert_params(s, c, err) : HP_OK;
}

typedef struct {
    const hp_claim *claim;
    const char *worker;
    int stored;          /* 0: the trial was taken meanwhile */
} proposal_args;

void store_serialize_proposals(hp_store *s, int serial)
{
    s->serial_proposals = serial;
}

static int lock_proposals(hp_store *s, int64_t study_id, char *err)
{
    if (db_get_kind(s->db) == DB_POSTGRES) {
        db_bind_int64(s->lock_proposals, 1, study_id);
        if (store_exec_stmt(s->lock_proposals) != DB_DONE)
            return store_fail(s, "cannot lock the study's proposals", err);
        return HP_OK;
    }
    /* SQLite has no lock to hold outside a transaction: a lock file beside
       the database, one open file per connection so that flock() tells
       the workers of one process apart too */
    if (s->lock_fd < 0) {
        char path[4200];
        snprintf(path, sizeof path, "%s-propose", s->path);
        s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (s->lock_fd < 0) {
            snprintf(err, HP_ERR_LEN, "cannot open '%s': %s", path, strerror(errno));
            return HP_ESTORAGE;
        }
    }
    while (flock(s->lock_fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            snprintf(err, HP_ERR_LEN, "%s: cannot lock the study's proposals: %s", s->path,
                     strerror(errno));
            return HP_ESTORAGE;
        }
    }
    return HP_OK;
}

static void unlock_proposals(hp_store *s, int64_t study_id)
{
    if (db_get_kind(s->db) == DB_POSTGRES) {
        db_bind_int64(s->unlock_proposals, 1, study_id);
        store_exec_stmt(s->unlock_proposals);
    } else if (s->lock_fd >= 0) {
        flock(s->lock_fd, LOCK_UN);
    }
}

/* Stores a claimed trial's proposed parameters, if the claimer still holds
** it with its parameters pending. */
static int store_proposal_once(hp_store *s, void *arg, char *err)
{
    proposal_args *a = arg;
    const hp_claim *c = a->claim;
    a->stored = 0;
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    db_stmt *st = s->set_proposal;
    db_bind_int64(st, 1, c->trial_id);
    db_bind_text(st, 2, a->worker);
    db_bind_text(st, 3, c->params_json);
    db_bind_int64(st, 4, (int64_t)c->seed);
    db_bind_text(st, 5, c->sampler);
    if (c->sampler)
        db_bind_int64(st, 6, (int64_t)c->sampler_seed);
    else
        db_bind_null(st, 6);
    if (store_exec_stmt(st) != DB_DONE) {
        rc = store_fail(s, "cannot store a trial's parameters", err);
        goto fail;
    }
    if (db_changes(s->db) == 0) {
        store_rollback(s);
        return HP_OK;
    }
    if ((rc = insert_params(s, c, err)))
        goto fail;
    if ((rc = store_commit(s, err)))
        return rc;
    a->stored = 1;
    return HP_OK;
fail:
    store_rollback(s);
    return rc;
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

/* The claim's first part: begins, locks the study (PostgreSQL), re-queues
** what must be, and counts.  The common case on PostgreSQL (nothing to
** sweep) is one round trip. */
static int claim_start(hp_store *s, claim_args *a, int64_t counts[3], char *err)
{
    int pg = db_get_kind(s->db) == DB_POSTGRES;
    int orphans = a->attempts++ > 0 && a->who->worker;
    double now = clock_monotonic();
    int sweep = s->last_recovery == 0 || now - s->last_recovery >= RECOVERY_INTERVAL;
    if (pg)
        db_bind_int64(s->lock_study, 1, a->study_id);
    db_bind_int64(s->claim_counts, 1, a->study_id);
    int rc;
    db_result r;
    if (pg && !orphans && !sweep) {
        db_stmt *run[] = {s->lock_study, s->claim_counts};
        r = db_pipeline(s->db, 1, run, 2, 0);
        db_reset(s->lock_study);
        if (r != DB_DONE) {
            db_reset(s->claim_counts);
            return store_fail(s, "cannot count trials", err);
        }
    } else {
        if ((rc = store_begin(s, err)))
            return rc;
        int64_t ignored;
        if (pg && (rc = scalar_int(s, s->lock_study, &ignored, "cannot lock the study", err)))
            return rc;
        if (orphans) {
            /* the last attempt's commit may have reached the server before
               the connection broke: a trial this worker holds is that
               claim's, and nobody will ever finish it */
            db_bind_int64(s->requeue_worker, 1, a->study_id);
            db_bind_text(s->requeue_worker, 2, a->who->worker);
            if (store_exec_stmt(s->requeue_worker) != DB_DONE)
                return store_fail(s, "cannot re-queue a trial", err);
        }
        if (sweep) {
            if ((rc = recover_stale(s, a->study_id, a->stale_after, a->who, err)))
                return rc;
            s->last_recovery = now;
        }
    }
    if ((r = db_step(s->claim_counts)) == DB_ROW)
        for (int i = 0; i < 3; i++)
            counts[i] = db_column_int64(s->claim_counts, i);
    db_reset(s->claim_counts);
    if (r != DB_ROW)
        return store_fail(s, "cannot count trials", err);
    return HP_OK;
}

/* PostgreSQL: a new trial, its parameters (unless pending) and the commit
** in one round trip. */
static int insert_new_pg(hp_store *s, claim_args *a, int64_t number, hp_claim *c, char *err)
{
    hp_propose_fn propose = s->serial_proposals ? NULL : a->propose;
    if (propose && propose(a->ctx, number, c, err))
        return HP_ERUNTIME;
    c->number = number;
    hp_buf json;
    buf_init(&json);
    buf_puts(&json, "[");
    for (int i = 0; propose && i < c->n_params; i++) {
        const hp_param_row *p = &c->params[i];
        buf_puts(&json, i ? ", [" : "[");
        buf_json_string(&json, p->name);
        buf_puts(&json, ", ");
        buf_json_number(&json, p->value);
        buf_puts(&json, ", ");
        if (p->text)
            buf_json_string(&json, p->text);
        else
            buf_puts(&json, "null");
        buf_puts(&json, "]");
    }
    buf_puts(&json, "]");
    if (!buf_ok(&json)) {
        buf_deinit(&json);
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    db_stmt *st = s->insert_trial_with_params;
    db_bind_int64(st, 1, a->study_id);
    db_bind_int64(st, 2, number);
    db_bind_text(st, 3, propose ? c->params_json : "");
    db_bind_int64(st, 4, propose ? (int64_t)c->seed : 0);
    bind_claimer(st, 5, a->who);
    db_bind_text(st, 10, propose ? c->sampler : NULL);
    if (propose && c->sampler)
        db_bind_int64(st, 11, (int64_t)c->sampler_seed);
    else
        db_bind_null(st, 11);
    db_bind_text(st, 12, buf_str(&json));
    db_result r = db_pipeline(s->db, 0, &st, 1, 1);
    if (r == DB_DONE && db_step(st) == DB_ROW)
        c->trial_id = db_column_int64(st, 0);
    else if (r == DB_DONE)
        r = DB_ERROR;
    db_reset(st);
    buf_deinit(&json);
    a->pending = !propose;
    if (r != DB_DONE)
        return store_fail(s, "cannot create a trial", err);
    return HP_OK;
}

static int claim_once(hp_store *s, void *arg, char *err)
{
    claim_args *a = arg;
    hp_claim *c = a->claim;
    store_claim_deinit(c);
    a->pending = 0;
    int64_t counts[3];
    int rc = claim_start(s, a, counts, err);
    if (rc)
        goto fail;
    int64_t total = counts[0], waiting = counts[1], running = counts[2];
    /* numbers are dense (each new trial takes the count), so every trial that
       is not WAITING or RUNNING is finished */
    int64_t finished = total - waiting - running;
    if (finished >= a->budget) {
        *a->status = CLAIM_DONE;
    } else if (finished + running >= a->budget) {
        *a->status = CLAIM_WAIT;
    } else if (waiting > 0) {
        rc = claim_waiting(s, a->study_id, a->who, c, &a->pending, err);
        *a->status = CLAIM_OK;
    } else if ((uint64_t)total >= a->capacity) {
        *a->status = running > 0 ? CLAIM_WAIT : CLAIM_DONE;
    } else if (db_get_kind(s->db) == DB_POSTGRES) {
        *a->status = CLAIM_OK;
        if ((rc = insert_new_pg(s, a, total, c, err)))
            goto fail;
        return HP_OK;   /* committed */
    } else {
        /* a model-based sampler proposes after the commit (store_claim) */
        int later = s->serial_proposals;
        rc = insert_new(s, a->study_id, total, a->who, later ? NULL : a->propose, a->ctx, c,
                        err);
        a->pending = later;
        *a->status = CLAIM_OK;
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
        if (s->serial_proposals && (rc = lock_proposals(s, study_id, err))) {
            char ignored[HP_ERR_LEN];
            store_release(s, trial_id, who->worker, ignored);
            store_claim_deinit(c);
            return rc;
        }
        if (propose(ctx, number, c, err)) {
            char ignored[HP_ERR_LEN];
            if (s->serial_proposals)
                unlock_proposals(s, study_id);
            store_release(s, trial_id, who->worker, ignored);
            store_claim_deinit(c);
            return HP_ERUNTIME;
        }
        c->trial_id = trial_id;
        c->number = number;
        proposal_args p = {c, who->worker, 0};
        rc = store_retrying(s, store_proposal_once, &p, err);
        if (s->serial_proposals)
            unlock_proposals(s, study_id);
        if (rc || p.stored) {
            if (rc)
                store_claim_deinit(c);
            return rc;
        }
        /* taken meanwhile (went stale): claim again */
        store_claim_deinit(c);
    }
}

typedef struct {
    int64_t trial_id;
    const char *worker;
    hp_trial_state state;
    double value;
    const char *error, *output;
    const hp_metric *metrics;
    int n_metrics;
    int attempts;
} finish_args;

/* After a lost connection: 1 when our own finish had committed. */
static int already_finished(hp_store *s, const finish_args *a)
{
    if (a->attempts < 2 || !a->worker)
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
    a->attempts++;
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
    finish_args a = {trial_id, worker, state, value, error, output, metrics, n_metrics, 0};
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
    if ((rc = requeue(s, a->trial_id, a->worker, NAN, err))) {
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
