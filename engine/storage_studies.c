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

static void copy_text(char *dst, size_t n, const unsigned char *src)
{
    snprintf(dst, n, "%s", src ? (const char *)src : "");
}

static void read_study(sqlite3_stmt *st, hp_study_row *row)
{
    row->study_id = sqlite3_column_int64(st, 0);
    copy_text(row->name, sizeof row->name, sqlite3_column_text(st, 1));
    copy_text(row->direction, sizeof row->direction, sqlite3_column_text(st, 2));
    copy_text(row->metric, sizeof row->metric, sqlite3_column_text(st, 3));
    copy_text(row->sampler, sizeof row->sampler, sqlite3_column_text(st, 4));
    copy_text(row->space_hash, sizeof row->space_hash, sqlite3_column_text(st, 5));
    row->seed = (uint64_t)sqlite3_column_int64(st, 6);
    row->trials = sqlite3_column_int64(st, 7);
    row->created_at = sqlite3_column_double(st, 8);
}

int store_find_study(hp_store *s, const char *name, hp_study_row *row, int *found,
                     char *err)
{
    sqlite3_bind_text(s->find_study, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s->find_study);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW && row)
        read_study(s->find_study, row);
    sqlite3_reset(s->find_study);
    sqlite3_clear_bindings(s->find_study);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, "cannot read studies", err);
    return HP_OK;
}

int store_create_study(hp_store *s, hp_study_row *row, const char *config, char *err)
{
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = s->insert_study;
    sqlite3_bind_text(st, 1, row->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->direction, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, row->metric, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, row->sampler, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, config, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, row->space_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)row->seed);
    sqlite3_bind_int64(st, 8, row->trials);
    int step = store_exec_stmt(st);
    sqlite3_clear_bindings(st);
    if (step == SQLITE_CONSTRAINT) {
        store_rollback(s);
        snprintf(err, HP_ERR_LEN, "study '%s' already exists in '%s'", row->name, s->path);
        return HP_EINPUT;
    }
    if (step != SQLITE_DONE) {
        rc = store_fail(s, "cannot create the study", err);
        store_rollback(s);
        return rc;
    }
    row->study_id = sqlite3_last_insert_rowid(s->db);
    return store_commit(s, err);
}

int store_study_config(hp_store *s, int64_t study_id, hp_buf *out, char *err)
{
    sqlite3_bind_int64(s->study_config, 1, study_id);
    int rc = sqlite3_step(s->study_config);
    buf_reset(out);
    if (rc == SQLITE_ROW)
        buf_puts(out, (const char *)sqlite3_column_text(s->study_config, 0));
    sqlite3_reset(s->study_config);
    if (rc != SQLITE_ROW)
        return store_fail(s, "cannot read the study's configuration", err);
    if (!buf_ok(out)) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    return HP_OK;
}

int store_set_trials(hp_store *s, int64_t study_id, int64_t trials, char *err)
{
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(s->set_trials, 1, study_id);
    sqlite3_bind_int64(s->set_trials, 2, trials);
    if (store_exec_stmt(s->set_trials) != SQLITE_DONE) {
        rc = store_fail(s, "cannot update the study", err);
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}

int store_counts(hp_store *s, int64_t study_id, int64_t counts[TRIAL_N_STATES], char *err)
{
    for (int i = 0; i < TRIAL_N_STATES; i++)
        counts[i] = 0;
    sqlite3_stmt *st = s->state_counts;
    sqlite3_bind_int64(st, 1, study_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int k = store_state_parse((const char *)sqlite3_column_text(st, 0));
        if (k >= 0)
            counts[k] = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, "cannot count trials", err);
    return HP_OK;
}

int store_list_studies(hp_store *s,
                       int (*fn)(void *ctx, const hp_study_row *row,
                                 const int64_t counts[TRIAL_N_STATES]),
                       void *ctx, char *err)
{
    /* collect first: the callback must be free to run other statements */
    hp_study_row *rows = NULL;
    int n = 0, cap = 0, rc;
    sqlite3_stmt *st = s->list_studies;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (buf_grow_array(&rows, &cap, n + 1, sizeof *rows)) {
            sqlite3_reset(st);
            free(rows);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
        read_study(st, &rows[n++]);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
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

int store_integrity_check(hp_store *s, int *ok, char *err)
{
    sqlite3_stmt *st;
    *ok = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
        return store_fail(s, "cannot check integrity", err);
    if (sqlite3_step(st) == SQLITE_ROW)
        *ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    return HP_OK;
}
