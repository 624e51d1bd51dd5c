/*
** Storage, part 2: the connection, its transactions and its statements.
** See storage.h for the contract and storage_impl.h for the statements.
*/
#include "storage_impl.h"

#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int store_fail(hp_store *s, const char *what, char *err)
{
    int code = sqlite3_errcode(s->db);
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
        /* a damaged file is bad input, not a failing server */
        snprintf(err, HP_ERR_LEN, "%s: the database is damaged (%s): %s; restore it from a "
                 "copy, or see 'sqlite3 %s .recover'", s->path, sqlite3_errmsg(s->db), what,
                 s->path);
        return HP_EINPUT;
    }
    snprintf(err, HP_ERR_LEN, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
    return HP_ESTORAGE;
}

int store_exec_stmt(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc;
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

int store_begin(hp_store *s, char *err)
{
    /* sqlite's busy handler already waits up to the busy timeout; this loop
       adds jittered retries on top so that contention between many workers
       never surfaces as "database is locked" */
    double start = clock_monotonic();
    for (;;) {
        int rc = sqlite3_step(s->begin_immediate);
        sqlite3_reset(s->begin_immediate);
        if (rc == SQLITE_DONE)
            return HP_OK;
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
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
    int rc;
    double start = clock_monotonic();
    while ((rc = store_exec_stmt(s->commit)) == SQLITE_BUSY &&
           clock_monotonic() - start < 600)
        store_backoff(s);
    if (rc != SQLITE_DONE) {
        int code = store_fail(s, "cannot commit", err);
        store_rollback(s);
        return code;
    }
    return HP_OK;
}

void store_rollback(hp_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        store_exec_stmt(s->rollback);
}


void store_close(hp_store *s)
{
    if (!s)
        return;
#define X(member, sql) sqlite3_finalize(s->member);
    STORE_STATEMENTS(X)
#undef X
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

