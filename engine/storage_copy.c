/*
** Storage, part 4: copying a study between two databases (SQLite file to
** PostgreSQL and back), every trial, parameter, intermediate value and
** final metric, typed so that no number is rounded on the way.
*/
#include "storage_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One read value: an integer, a double or text (NULL when is_null). */
typedef struct {
    int is_null;
    int64_t i;
    double d;
    char *t;
} cell;

/* Rows of TYPES ('i' integer, 'd' double, 't' text) read from a statement. */
typedef struct {
    const char *types;
    int width;
    cell *cells;
    int64_t n, cap;
} table;

static void table_free(table *tb)
{
    for (int64_t k = 0; k < tb->n * tb->width; k++)
        free(tb->cells[k].t);
    free(tb->cells);
}

/* Steps ST (bound by the caller) into TB. */
static int read_table(hp_store *s, db_stmt *st, table *tb, const char *what, char *err)
{
    db_result r;
    while ((r = db_step(st)) == DB_ROW) {
        if (tb->n == tb->cap) {
            int64_t cap = tb->cap ? tb->cap * 2 : 256;
            cell *grown = realloc(tb->cells, (size_t)(cap * tb->width) * sizeof *grown);
            if (!grown)
                goto oom;
            tb->cells = grown;
            tb->cap = cap;
        }
        cell *row = &tb->cells[tb->n * tb->width];
        memset(row, 0, (size_t)tb->width * sizeof *row);
        tb->n++;
        for (int c = 0; c < tb->width; c++) {
            row[c].is_null = db_column_is_null(st, c);
            if (row[c].is_null)
                continue;
            if (tb->types[c] == 'i')
                row[c].i = db_column_int64(st, c);
            else if (tb->types[c] == 'd')
                row[c].d = db_column_double(st, c);
            else if (!(row[c].t = strdup(db_column_text(st, c))))
                goto oom;
        }
    }
    db_reset(st);
    if (r != DB_DONE)
        return store_fail(s, what, err);
    return HP_OK;
oom:
    db_reset(st);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return HP_ENOMEM;
}

static void bind_cell(db_stmt *st, int i, const cell *c, char type)
{
    if (c->is_null)
        db_bind_null(st, i);
    else if (type == 'i')
        db_bind_int64(st, i, c->i);
    else if (type == 'd')
        db_bind_double(st, i, c->d);
    else
        db_bind_text(st, i, c->t);
}

typedef struct {
    int64_t from, to;
} id_pair;

static int by_from(const void *a, const void *b)
{
    int64_t x = ((const id_pair *)a)->from, y = ((const id_pair *)b)->from;
    return (x > y) - (x < y);
}

static int64_t mapped(const id_pair *ids, int64_t n, int64_t from)
{
    id_pair key = {from, 0};
    const id_pair *hit = bsearch(&key, ids, (size_t)n, sizeof *ids, by_from);
    return hit ? hit->to : -1;
}

typedef struct {
    const hp_study_row *study;
    const char *config;
    table *trials, *params, *values;
    int64_t *copied;
} copy_args;

static int write_once(hp_store *dst, void *arg, char *err)
{
    copy_args *a = arg;
    const hp_study_row *row = a->study;
    id_pair *ids = NULL;
    int rc = store_begin(dst, err);
    if (rc)
        return rc;
    int found;
    hp_study_row existing;
    if ((rc = store_find_study(dst, row->name, &existing, &found, err)))
        goto fail;
    if (found) {
        snprintf(err, HP_ERR_LEN, "'%s' already has a study '%s'; copy to another database, "
                 "or remove that study first", dst->path, row->name);
        rc = HP_EINPUT;
        goto fail;
    }
    db_stmt *st = dst->copy_study;
    db_bind_text(st, 1, row->name);
    db_bind_text(st, 2, row->direction);
    db_bind_text(st, 3, row->metric);
    db_bind_text(st, 4, row->sampler);
    db_bind_text(st, 5, a->config);
    db_bind_text(st, 6, row->space_hash);
    db_bind_int64(st, 7, (int64_t)row->seed);
    db_bind_int64(st, 8, row->trials);
    db_bind_double(st, 9, row->created_at);
    db_result r = db_step(st);
    int64_t study_id = r == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (r != DB_ROW) {
        rc = store_fail(dst, "cannot create the study", err);
        goto fail;
    }
    table *tr = a->trials;
    ids = malloc((size_t)(tr->n ? tr->n : 1) * sizeof *ids);
    if (!ids) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        rc = HP_ENOMEM;
        goto fail;
    }
    st = dst->copy_trial;
    for (int64_t k = 0; k < tr->n; k++) {
        cell *c = &tr->cells[k * tr->width];
        /* columns: trial_id number state value params_json seed worker host
           pid started_at finished_at heartbeat_at error output sampler
           study_seed promising */
        int running = !c[2].is_null && strcmp(c[2].t, "RUNNING") == 0;
        db_bind_int64(st, 1, study_id);
        for (int col = 1; col < tr->width; col++)
            bind_cell(st, col + 1, &c[col], tr->types[col]);
        if (running) {
            db_bind_text(st, 3, "WAITING");
            for (int col = 7; col <= 10; col++)
                db_bind_null(st, col);   /* worker host pid started_at */
            db_bind_null(st, 12);        /* heartbeat_at */
        }
        r = db_step(st);
        ids[k] = (id_pair){c[0].i, r == DB_ROW ? db_column_int64(st, 0) : 0};
        db_reset(st);
        if (r != DB_ROW) {
            rc = store_fail(dst, "cannot copy a trial", err);
            goto fail;
        }
    }
    qsort(ids, (size_t)tr->n, sizeof *ids, by_from);
    table *pa = a->params;
    for (int64_t k = 0; k < pa->n; k++) {
        cell *c = &pa->cells[k * pa->width];
        db_bind_int64(dst->insert_param, 1, mapped(ids, tr->n, c[0].i));
        for (int col = 1; col < 4; col++)
            bind_cell(dst->insert_param, col + 1, &c[col], pa->types[col]);
        if (store_exec_stmt(dst->insert_param) != DB_DONE) {
            rc = store_fail(dst, "cannot copy a parameter", err);
            goto fail;
        }
    }
    table *va = a->values;
    for (int64_t k = 0; k < va->n; k++) {
        cell *c = &va->cells[k * va->width];
        db_bind_int64(dst->insert_value, 1, mapped(ids, tr->n, c[0].i));
        for (int col = 1; col < 4; col++)
            bind_cell(dst->insert_value, col + 1, &c[col], va->types[col]);
        if (store_exec_stmt(dst->insert_value) != DB_DONE) {
            rc = store_fail(dst, "cannot copy a value", err);
            goto fail;
        }
    }
    free(ids);
    ids = NULL;
    if ((rc = store_commit(dst, err)))
        return rc;
    *a->copied = tr->n;
    return HP_OK;
fail:
    free(ids);
    store_rollback(dst);
    return rc;
}

int store_copy_study(hp_store *src, const hp_study_row *study, hp_store *dst,
                     int64_t *copied, char *err)
{
    *copied = 0;
    table trials = {"iitdtittiddd" "ttti" "i", 17, NULL, 0, 0};
    table params = {"itdt", 4, NULL, 0, 0};
    table values = {"iitd", 4, NULL, 0, 0};
    hp_buf config;
    buf_init(&config);
    int rc = store_study_config(src, study->study_id, &config, err);
    if (!rc) {
        db_bind_int64(src->copy_trials, 1, study->study_id);
        rc = read_table(src, src->copy_trials, &trials, "cannot read trials", err);
    }
    if (!rc) {
        db_bind_int64(src->copy_params, 1, study->study_id);
        rc = read_table(src, src->copy_params, &params, "cannot read parameters", err);
    }
    if (!rc) {
        db_bind_int64(src->copy_values, 1, study->study_id);
        rc = read_table(src, src->copy_values, &values, "cannot read values", err);
    }
    if (!rc) {
        copy_args a = {study, buf_str(&config), &trials, &params, &values, copied};
        rc = store_retrying(dst, write_once, &a, err);
    }
    table_free(&trials);
    table_free(&params);
    table_free(&values);
    buf_deinit(&config);
    return rc;
}
