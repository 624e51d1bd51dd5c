/*
** Storage, part 4: studies (find, create, list, their budget and counts).
*/
#include "storage_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const state_names[TRIAL_N_STATES] = {
    "WAITING", "RUNNING", "COMPLETE", "PRUNED", "FAILED"};

const char *store_state_name(hp_trial_state st)
{
    return (unsigned)st < TRIAL_N_STATES ? state_names[st] : "UNKNOWN";
}

int store_state_parse(const char *s)
{
    for (int i = 0; i < TRIAL_N_STATES; i++)
        if (strcasecmp(state_names[i], s) == 0)
            return i;
    return -1;
}

static void copy_text(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? (const char *)src : "");
}

static void read_study(db_stmt *st, hp_study_row *row)
{
    row->study_id = db_column_int64(st, 0);
    copy_text(row->name, sizeof row->name, db_column_text(st, 1));
    copy_text(row->direction, sizeof row->direction, db_column_text(st, 2));
    copy_text(row->metric, sizeof row->metric, db_column_text(st, 3));
    copy_text(row->sampler, sizeof row->sampler, db_column_text(st, 4));
    copy_text(row->space_hash, sizeof row->space_hash, db_column_text(st, 5));
    row->seed = (uint64_t)db_column_int64(st, 6);
    row->trials = db_column_int64(st, 7);
    row->created_at = db_column_double(st, 8);
}

int store_find_study(hp_store *s, const char *name, hp_study_row *row, int *found,
                     char *err)
{
    db_bind_text(s->find_study, 1, name);
    int rc = db_step(s->find_study);
    *found = rc == DB_ROW;
    if (rc == DB_ROW && row)
        read_study(s->find_study, row);
    db_reset(s->find_study);
    if (rc != DB_ROW && rc != DB_DONE)
        return store_fail(s, "cannot read studies", err);
    return HP_OK;
}

typedef struct {
    hp_study_row *row;
    const char *config;
} create_args;

static int create_once(hp_store *s, void *arg, char *err)
{
    create_args *a = arg;
    hp_study_row *row = a->row;
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    db_stmt *st = s->insert_study;
    db_bind_text(st, 1, row->name);
    db_bind_text(st, 2, row->direction);
    db_bind_text(st, 3, row->metric);
    db_bind_text(st, 4, row->sampler);
    db_bind_text(st, 5, a->config);
    db_bind_text(st, 6, row->space_hash);
    db_bind_int64(st, 7, (int64_t)row->seed);
    db_bind_int64(st, 8, row->trials);
    db_result r = db_step(st);
    if (r == DB_ROW)
        row->study_id = db_column_int64(st, 0);
    db_reset(st);
    if (r == DB_CONSTRAINT) {
        store_rollback(s);
        snprintf(err, HP_ERR_LEN, "study '%s' already exists in '%s'", row->name, s->path);
        return HP_EINPUT;
    }
    if (r != DB_ROW) {
        rc = store_fail(s, "cannot create the study", err);
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}

int store_create_study(hp_store *s, hp_study_row *row, const char *config, char *err)
{
    create_args a = {row, config};
    return store_retrying(s, create_once, &a, err);
}

int store_study_config(hp_store *s, int64_t study_id, hp_buf *out, char *err)
{
    db_bind_int64(s->study_config, 1, study_id);
    int rc = db_step(s->study_config);
    buf_reset(out);
    if (rc == DB_ROW)
        buf_puts(out, db_column_text(s->study_config, 0));
    db_reset(s->study_config);
    if (rc != DB_ROW)
        return store_fail(s, "cannot read the study's configuration", err);
    if (!buf_ok(out)) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    return HP_OK;
}

typedef struct {
    int64_t study_id, trials;
} set_trials_args;

static int set_trials_once(hp_store *s, void *arg, char *err)
{
    set_trials_args *a = arg;
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    db_bind_int64(s->set_trials, 1, a->study_id);
    db_bind_int64(s->set_trials, 2, a->trials);
    if (store_exec_stmt(s->set_trials) != DB_DONE) {
        rc = store_fail(s, "cannot update the study", err);
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}

int store_set_trials(hp_store *s, int64_t study_id, int64_t trials, char *err)
{
    set_trials_args a = {study_id, trials};
    return store_retrying(s, set_trials_once, &a, err);
}

/* Fills COUNTS from ST, a statement of (state, count) rows for STUDY_ID. */
static int counts_by_state(hp_store *s, db_stmt *st, int64_t study_id,
                           int64_t counts[TRIAL_N_STATES], char *err)
{
    for (int i = 0; i < TRIAL_N_STATES; i++)
        counts[i] = 0;
    db_bind_int64(st, 1, study_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int k = store_state_parse(db_column_text(st, 0));
        if (k >= 0)
            counts[k] = db_column_int64(st, 1);
    }
    db_reset(st);
    if (rc != DB_DONE)
        return store_fail(s, "cannot count trials", err);
    return HP_OK;
}

int store_counts(hp_store *s, int64_t study_id, int64_t counts[TRIAL_N_STATES], char *err)
{
    return counts_by_state(s, s->state_counts, study_id, counts, err);
}

int store_promising_counts(hp_store *s, int64_t study_id, int64_t counts[TRIAL_N_STATES],
                           char *err)
{
    return counts_by_state(s, s->promising_counts, study_id, counts, err);
}

int store_list_studies(hp_store *s,
                       int (*fn)(void *ctx, const hp_study_row *row,
                                 const int64_t counts[TRIAL_N_STATES]),
                       void *ctx, char *err)
{
    /* collect first: the callback must be free to run other statements */
    hp_study_row *rows = NULL;
    int n = 0, cap = 0, rc;
    db_stmt *st = s->list_studies;
    while ((rc = db_step(st)) == DB_ROW) {
        if (buf_grow_array(&rows, &cap, n + 1, sizeof *rows)) {
            db_reset(st);
            free(rows);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
        read_study(st, &rows[n++]);
    }
    db_reset(st);
    if (rc != DB_DONE) {
        free(rows);
        return store_fail(s, "cannot list studies", err);
    }
    rc = HP_OK;
    for (int i = 0; i < n && rc == HP_OK; i++) {
        int64_t counts[TRIAL_N_STATES];
        if ((rc = store_counts(s, rows[i].study_id, counts, err)))
            break;
        if (fn(ctx, &rows[i], counts))
            break;
    }
    free(rows);
    return rc;
}

/* What every hpsearch database keeps true, whichever engine holds it:
** trial numbers are dense from 0, running trials have an owner, finished
** ones a finish time and their parameters, and every trial's parameters
** are its rows. */
static const char *const invariants =
    "SELECT (SELECT count(*) FROM (SELECT study_id FROM trials GROUP BY study_id "
    "HAVING max(number) + 1 <> count(*)) gaps) + (SELECT count(*) FROM trials WHERE "
    "state = 'RUNNING' AND worker IS NULL) + (SELECT count(*) FROM trials WHERE state "
    "IN ('COMPLETE', 'PRUNED', 'FAILED') AND finished_at IS NULL) + (SELECT count(*) "
    "FROM trials t WHERE params_json NOT IN ('{}', '') AND NOT EXISTS (SELECT 1 FROM "
    "trial_params p WHERE p.trial_id = t.trial_id)) + (SELECT count(*) FROM trials "
    "WHERE params_json = '' AND state NOT IN ('RUNNING', 'WAITING'))";

int store_integrity_check(hp_store *s, int *ok, char *err)
{
    *ok = 0;
    int file_ok = 1;
    if (db_get_kind(s->db) == DB_SQLITE) {
        db_stmt *st = db_prepare(s->db, "PRAGMA integrity_check");
        if (!st)
            return store_fail(s, "cannot check integrity", err);
        file_ok = db_step(st) == DB_ROW && strcmp(db_column_text(st, 0), "ok") == 0;
        db_finalize(st);
    }
    db_stmt *st = db_prepare(s->db, invariants);
    if (!st)
        return store_fail(s, "cannot check integrity", err);
    db_result r = db_step(st);
    int64_t broken = r == DB_ROW ? db_column_int64(st, 0) : -1;
    db_finalize(st);
    if (r != DB_ROW)
        return store_fail(s, "cannot check integrity", err);
    *ok = file_ok && broken == 0;
    return HP_OK;
}

typedef struct {
    int64_t study_id, trials;
    const char *sampler, *state;
} sampler_state_args;

static int save_sampler_state_once(hp_store *s, void *arg, char *err)
{
    sampler_state_args *a = arg;
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    db_stmt *st = s->save_sampler_state;
    db_bind_int64(st, 1, a->study_id);
    db_bind_text(st, 2, a->sampler);
    db_bind_int64(st, 3, a->trials);
    db_bind_text(st, 4, a->state);
    if (store_exec_stmt(st) != DB_DONE) {
        rc = store_fail(s, "cannot save the sampler's fit", err);
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}

int store_save_sampler_state(hp_store *s, int64_t study_id, const char *sampler,
                             int64_t trials, const char *state, char *err)
{
    sampler_state_args a = {study_id, trials, sampler, state};
    return store_retrying(s, save_sampler_state_once, &a, err);
}

int store_load_sampler_state(hp_store *s, int64_t study_id, const char *sampler,
                             int64_t *trials, hp_buf *out, int *found, char *err)
{
    db_stmt *st = s->load_sampler_state;
    db_bind_int64(st, 1, study_id);
    db_bind_text(st, 2, sampler);
    int rc = db_step(st);
    *found = rc == DB_ROW;
    if (*found) {
        *trials = db_column_int64(st, 0);
        buf_puts(out, db_column_text(st, 1));
    }
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE)
        return store_fail(s, "cannot read the sampler's last fit", err);
    if (!buf_ok(out)) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    return HP_OK;
}
