/*
** The SQLite driver of storage_db.h.  Statements are SQLite's own: the
** common SQL's ?N parameters are native, and hp_now() is a function
** registered on each connection.
*/
#include "storage_db_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "error.h"

typedef struct {
    db base;
    sqlite3 *handle;
    sqlite3_stmt *begin_immediate, *commit, *rollback;
} sqlite_db;

typedef struct {
    db_stmt base;
    sqlite3_stmt *stmt;
    int primed;          /* stepped once by db_pipeline: FIRST is its result */
    int first;
} sqlite_stmt;

static sqlite_db *conn(db *d) { return (sqlite_db *)d; }
static sqlite3_stmt *raw(db_stmt *st) { return ((sqlite_stmt *)st)->stmt; }

static db_result result_of(int rc)
{
    switch (rc) {
    case SQLITE_ROW: return DB_ROW;
    case SQLITE_DONE: case SQLITE_OK: return DB_DONE;
    case SQLITE_BUSY: case SQLITE_LOCKED: return DB_BUSY;
    case SQLITE_CORRUPT: return DB_CORRUPT;
    case SQLITE_NOTADB: return DB_NOTADB;
    case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
    default: return DB_ERROR;
    }
}

/* Every process on one host reads the same wall clock: SQLite's "database
** clock" is the caller's, and staleness is judged so as to tolerate skew
** (see storage_trials.c). */
static void now_function(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_double(ctx, clock_wall());
}

/* hp_number(x): x in its shortest exact decimal form, the form PostgreSQL
** prints; SQLite's own text of a REAL keeps only 15 digits. */
static void number_function(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    char text[40];
    buf_number_text(sqlite3_value_double(argv[0]), text, sizeof text);
    sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
}

static void sqlite_close(db *d)
{
    sqlite_db *c = conn(d);
    sqlite3_finalize(c->begin_immediate);
    sqlite3_finalize(c->commit);
    sqlite3_finalize(c->rollback);
    sqlite3_close(c->handle);
    free(c);
}

static const char *sqlite_errmsg(db *d) { return sqlite3_errmsg(conn(d)->handle); }

static db_stmt *sqlite_prepare(db *d, const char *sql)
{
    sqlite_stmt *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->base.owner = d;
    int rc = sqlite3_prepare_v3(conn(d)->handle, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &st->stmt, NULL);
    if (rc != SQLITE_OK) {
        d->last = result_of(rc);
        free(st);
        return NULL;
    }
    return &st->base;
}

static void sqlite_finalize(db_stmt *st)
{
    sqlite3_finalize(raw(st));
    free(st);
}

static void sqlite_bind_int64(db_stmt *st, int i, int64_t v) { sqlite3_bind_int64(raw(st), i, v); }
static void sqlite_bind_double(db_stmt *st, int i, double v) { sqlite3_bind_double(raw(st), i, v); }
static void sqlite_bind_text(db_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(raw(st), i, v, -1, SQLITE_STATIC);
}
static void sqlite_bind_null(db_stmt *st, int i) { sqlite3_bind_null(raw(st), i); }
static db_result sqlite_step(db_stmt *st)
{
    sqlite_stmt *s = (sqlite_stmt *)st;
    if (s->primed) {
        s->primed = 0;
        return result_of(s->first);
    }
    return result_of(sqlite3_step(s->stmt));
}

static void sqlite_reset(db_stmt *st)
{
    ((sqlite_stmt *)st)->primed = 0;
    sqlite3_reset(raw(st));
    sqlite3_clear_bindings(raw(st));
}

static int sqlite_column_is_null(db_stmt *st, int i)
{
    return sqlite3_column_type(raw(st), i) == SQLITE_NULL;
}
static int64_t sqlite_column_int64(db_stmt *st, int i) { return sqlite3_column_int64(raw(st), i); }
static double sqlite_column_double(db_stmt *st, int i) { return sqlite3_column_double(raw(st), i); }
static const char *sqlite_column_text(db_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(raw(st), i);
}
static int64_t sqlite_changes(db *d) { return sqlite3_changes(conn(d)->handle); }

static db_result sqlite_exec(db *d, const char *sql)
{
    return result_of(sqlite3_exec(conn(d)->handle, sql, NULL, NULL, NULL));
}

static db_result run_once(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return result_of(rc);
}

static db_result sqlite_begin(db *d) { return run_once(conn(d)->begin_immediate); }
static db_result sqlite_commit(db *d) { return run_once(conn(d)->commit); }

static void sqlite_rollback(db *d)
{
    if (!sqlite3_get_autocommit(conn(d)->handle))
        run_once(conn(d)->rollback);
}

static db_result sqlite_begin(db *d);
static db_result sqlite_commit(db *d);

/* In process there is no round trip to save: one statement after another. */
static db_result sqlite_pipeline(db *d, int begin, db_stmt **stmts, int n, int commit)
{
    db_result r = begin ? sqlite_begin(d) : DB_DONE;
    for (int i = 0; i < n && r == DB_DONE; i++) {
        sqlite_stmt *s = (sqlite_stmt *)stmts[i];
        s->first = sqlite3_step(s->stmt);
        s->primed = 1;
        db_result one = result_of(s->first);
        if (one != DB_ROW && one != DB_DONE)
            r = one;
    }
    if (r == DB_DONE && commit)
        r = sqlite_commit(d);
    return r;
}

static int sqlite_in_transaction(db *d) { return !sqlite3_get_autocommit(conn(d)->handle); }
static db_result sqlite_reconnect(db *d) { (void)d; return DB_DONE; }
static int sqlite_server_version(db *d) { (void)d; return 0; }

int db_sqlite_is_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char head[16] = {0};
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == 16 && memcmp(head, "SQLite format 3", 16) == 0;
}

static const db_ops sqlite_ops = {
    DB_SQLITE, sqlite_close, sqlite_errmsg, sqlite_prepare, sqlite_finalize,
    sqlite_bind_int64, sqlite_bind_double, sqlite_bind_text, sqlite_bind_null,
    sqlite_step, sqlite_reset, sqlite_column_is_null, sqlite_column_int64,
    sqlite_column_double, sqlite_column_text, sqlite_changes, sqlite_exec,
    sqlite_begin, sqlite_commit, sqlite_rollback, sqlite_in_transaction,
    sqlite_pipeline, sqlite_reconnect, sqlite_server_version,
};

db *db_sqlite_open(const char *path, int read_write, int create, int uri, char *err)
{
    sqlite_db *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return NULL;
    }
    c->base.ops = &sqlite_ops;
    int flags = (read_write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) |
                (create ? SQLITE_OPEN_CREATE : 0) | (uri ? SQLITE_OPEN_URI : 0) |
                SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &c->handle, flags, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(c->handle, "hp_now", 0, SQLITE_UTF8, NULL,
                                     now_function, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(c->handle, "hp_number", 1,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                     number_function, NULL, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(c->handle, 0);
        sqlite3_busy_timeout(c->handle, 10000);
        /* transactions' statements need no schema: prepared now */
        if (sqlite3_prepare_v2(c->handle, "BEGIN IMMEDIATE", -1, &c->begin_immediate, NULL) ||
            sqlite3_prepare_v2(c->handle, "COMMIT", -1, &c->commit, NULL) ||
            sqlite3_prepare_v2(c->handle, "ROLLBACK", -1, &c->rollback, NULL))
            rc = SQLITE_ERROR;
    }
    if (rc != SQLITE_OK) {
        snprintf(err, HP_ERR_LEN, "%s", c->handle ? sqlite3_errmsg(c->handle) : "out of memory");
        sqlite_close(&c->base);
        return NULL;
    }
    return &c->base;
}
