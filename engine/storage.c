/*
** Storage: the connection's transactions, errors and retries.  See
** storage.h for the contract and storage_impl.h for the statements.
*/
#include "storage_impl.h"

#include "clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int store_is_url(const char *target)
{
    return db_is_url(target);
}

int store_is_database(const char *target)
{
    return db_is_url(target) || db_sqlite_is_file(target);
}

int store_fail(hp_store *s, const char *what, char *err)
{
    db_result r = db_last_result(s->db);
    if (r == DB_CORRUPT || r == DB_NOTADB) {
        /* a damaged file is bad input, not a failing server */
        snprintf(err, HP_ERR_LEN, "%s: the database is damaged (%s): %s; restore it from a "
                 "copy, or see 'sqlite3 %s .recover'", s->path, db_errmsg(s->db), what,
                 s->path);
        return HP_EINPUT;
    }
    snprintf(err, HP_ERR_LEN, "%s: %s: %s", s->path, what, db_errmsg(s->db));
    if (s->in_retry && db_get_kind(s->db) == DB_POSTGRES && (r == DB_LOST || r == DB_BUSY))
        return STORE_ERETRY;
    return HP_ESTORAGE;
}

db_result store_exec_stmt(db_stmt *st)
{
    db_result r = db_step(st);
    db_reset(st);
    return r == DB_ROW ? DB_DONE : r;
}

static uint64_t next_jitter(hp_store *s)
{
    uint64_t x = s->jitter;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s->jitter = x;
    return x;
}

void store_backoff(hp_store *s)
{
    struct timespec ts = {0, (long)(1000000 + next_jitter(s) % 20000000)};
    nanosleep(&ts, NULL);
}

int store_retrying(hp_store *s, int (*once)(hp_store *s, void *arg, char *err), void *arg,
                   char *err)
{
    double start = 0, wait = 0.05;
    int lost = 0;
    for (;;) {
        s->in_retry = 1;
        int rc = once(s, arg, err);
        s->in_retry = 0;
        if (rc != STORE_ERETRY)
            return rc;
        store_rollback(s);
        if (db_last_result(s->db) == DB_BUSY) {
            /* a serialization conflict: the other transaction won */
            store_backoff(s);
            continue;
        }
        if (!lost) {
            lost = 1;
            start = clock_monotonic();
        }
        /* the server is gone (restarting, or the network is cut): wait for
           it with growing pauses, up to the bound */
        while (db_reconnect(s->db) != DB_DONE) {
            if (clock_monotonic() - start >= s->retry_seconds) {
                snprintf(err, HP_ERR_LEN, "%s: lost the connection to the database server "
                         "and could not reconnect for %.0f s: %s", s->path,
                         s->retry_seconds, db_errmsg(s->db));
                return HP_ESTORAGE;
            }
            clock_sleep(wait);
            wait = wait * 2 > 2.0 ? 2.0 : wait * 2;
        }
    }
}

int store_begin(hp_store *s, char *err)
{
    /* sqlite's busy handler already waits up to the busy timeout; this loop
       adds jittered retries on top so that contention between many workers
       never surfaces as "database is locked" */
    double start = clock_monotonic();
    for (;;) {
        db_result r = db_begin(s->db);
        if (r == DB_DONE)
            return HP_OK;
        if (r != DB_BUSY || db_get_kind(s->db) != DB_SQLITE)
            return store_fail(s, "cannot begin a transaction", err);
        if (clock_monotonic() - start > 600) {
            snprintf(err, HP_ERR_LEN, "%s: the database stayed busy for 10 minutes; is "
                     "another program holding a write transaction open?", s->path);
            return HP_ESTORAGE;
        }
        store_backoff(s);
    }
}

int store_commit(hp_store *s, char *err)
{
    db_result r;
    double start = clock_monotonic();
    while ((r = db_commit(s->db)) == DB_BUSY && db_get_kind(s->db) == DB_SQLITE &&
           clock_monotonic() - start < 600)
        store_backoff(s);
    if (r != DB_DONE) {
        int code = store_fail(s, "cannot commit", err);
        store_rollback(s);
        return code;
    }
    return HP_OK;
}

void store_rollback(hp_store *s)
{
    if (db_in_transaction(s->db))
        db_rollback(s->db);
}

double store_column_or_nan(db_stmt *st, int i)
{
    return db_column_is_null(st, i) ? NAN : db_column_double(st, i);
}

void store_close(hp_store *s)
{
    if (!s)
        return;
#define X(member, sql, pg) db_finalize(s->member);
    STORE_STATEMENTS(X)
#undef X
    db_close(s->db);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s->seen);
    free(s->path);
    free(s);
}
