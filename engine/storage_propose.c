/*
** Storage: a claimed trial's proposal, stored after the claim (the
** parameters pending until then), and the lock under which model-based
** proposals of one study take turns.
*/
#include "storage_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

/* A claim's parameters as the JSON array of [name, value, text] that
** PostgreSQL's statements take, numbers printed exactly, into JSON (which
** the caller initialised and frees).  Returns HP_OK or HP_ENOMEM. */
static int params_json_array(const hp_claim *c, hp_buf *json)
{
    buf_puts(json, "[");
    for (int i = 0; i < c->n_params; i++) {
        const hp_param_row *p = &c->params[i];
        buf_puts(json, i ? ", [" : "[");
        buf_json_string(json, p->name);
        buf_puts(json, ", ");
        buf_json_number(json, p->value);
        buf_puts(json, ", ");
        if (p->text)
            buf_json_string(json, p->text);
        else
            buf_puts(json, "null");
        buf_puts(json, "]");
    }
    buf_puts(json, "]");
    return buf_ok(json) ? HP_OK : HP_ENOMEM;
}

/* Records that the model predicted claim C's trial among the best. */
static int store_set_promising(hp_store *s, const hp_claim *c, char *err)
{
    db_bind_int64(s->set_promising, 1, c->trial_id);
    db_bind_int64(s->set_promising, 2, 1);
    if (store_exec_stmt(s->set_promising) != DB_DONE)
        return store_fail(s, "cannot store a trial's verdict", err);
    return HP_OK;
}

/* SQLite: stores the parameters of a claimed trial (its row exists). */
int store_insert_params(hp_store *s, const hp_claim *c, char *err)
{
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
    return c->promising ? store_set_promising(s, c, err) : HP_OK;
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

int store_lock_proposals(hp_store *s, int64_t study_id, char *err)
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

void store_unlock_proposals(hp_store *s, int64_t study_id)
{
    if (db_get_kind(s->db) == DB_POSTGRES) {
        db_bind_int64(s->unlock_proposals, 1, study_id);
        store_exec_stmt(s->unlock_proposals);
    } else if (s->lock_fd >= 0) {
        flock(s->lock_fd, LOCK_UN);
    }
}

/* Binds ?1..?6 of set_proposal and set_proposal_json: the trial, its
** claimer, and what was proposed. */
static void bind_proposal(db_stmt *st, const proposal_args *a)
{
    const hp_claim *c = a->claim;
    db_bind_int64(st, 1, c->trial_id);
    db_bind_text(st, 2, a->worker);
    db_bind_text(st, 3, c->params_json);
    db_bind_int64(st, 4, (int64_t)c->seed);
    db_bind_text(st, 5, c->sampler);
    if (c->sampler)
        db_bind_int64(st, 6, (int64_t)c->sampler_seed);
    else
        db_bind_null(st, 6);
}

/* PostgreSQL: the proposal and its parameters as one statement.  It may
** run again after a lost reply, so storing the same proposal twice is a
** success. */
static int store_proposal_pg(hp_store *s, proposal_args *a, char *err)
{
    const hp_claim *c = a->claim;
    hp_buf json;
    buf_init(&json);
    if (params_json_array(c, &json)) {
        buf_deinit(&json);
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    db_stmt *st = s->set_proposal_json;
    bind_proposal(st, a);
    db_bind_text(st, 7, buf_str(&json));
    db_result r = db_step(st);
    a->stored = r == DB_ROW && db_column_int64(st, 0) > 0;
    db_reset(st);
    buf_deinit(&json);
    if (r != DB_ROW)
        return store_fail(s, "cannot store a trial's parameters", err);
    /* after the call, not in it: a verdict lost with the connection only
       lets the first rung judge the trial (a retry stores it again) */
    return a->stored && c->promising ? store_set_promising(s, c, err) : HP_OK;
}

/* Stores a claimed trial's proposed parameters, if the claimer still holds
** it with its parameters pending. */
static int store_proposal_once(hp_store *s, void *arg, char *err)
{
    proposal_args *a = arg;
    const hp_claim *c = a->claim;
    a->stored = 0;
    if (db_get_kind(s->db) == DB_POSTGRES)
        return store_proposal_pg(s, a, err);
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    db_stmt *st = s->set_proposal;
    bind_proposal(st, a);
    if (store_exec_stmt(st) != DB_DONE) {
        rc = store_fail(s, "cannot store a trial's parameters", err);
        goto fail;
    }
    if (db_changes(s->db) == 0) {
        store_rollback(s);
        return HP_OK;
    }
    if ((rc = store_insert_params(s, c, err)))
        goto fail;
    if ((rc = store_commit(s, err)))
        return rc;
    a->stored = 1;
    return HP_OK;
fail:
    store_rollback(s);
    return rc;
}

int store_proposal(hp_store *s, const hp_claim *c, const char *worker, int *stored, char *err)
{
    proposal_args p = {c, worker, 0};
    int rc = store_retrying(s, store_proposal_once, &p, err);
    *stored = p.stored;
    return rc;
}
