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


/* Prepares every statement not yet prepared (the transaction ones come
** first, before the schema exists; the rest after migration). */
static int prepare_all(hp_store *s, int only_transactions, char *err)
{
#define X(member, sql)                                                     \
    if (!s->member && (!only_transactions || strncmp(sql, "BEGIN", 5) == 0 || \
                       strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0) && \
        sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,      \
                           &s->member, NULL) != SQLITE_OK)                 \
        return store_fail(s, "cannot prepare '" #member "'", err);
    STORE_STATEMENTS(X)
#undef X
    return HP_OK;
}


static int writable_place(const char *path, char *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (access(dir, F_OK) != 0) {
        snprintf(err, HP_ERR_LEN, "cannot create '%s': folder '%s' does not exist", path, dir);
        return HP_EINPUT;
    }
    /* WAL mode needs the -wal and -shm files beside the database */
    if (access(dir, W_OK) != 0) {
        snprintf(err, HP_ERR_LEN, "cannot write '%s': folder '%s' is not writable", path,
                 dir);
        return HP_EINPUT;
    }
    if (access(path, F_OK) == 0 && access(path, W_OK) != 0) {
        snprintf(err, HP_ERR_LEN, "cannot write '%s': the file is read-only", path);
        return HP_EINPUT;
    }
    return HP_OK;
}

int store_open(const char *path, int create, hp_store **out, char *err)
{
    *out = NULL;
    int exists = access(path, F_OK) == 0;
    if (!exists && !create) {
        snprintf(err, HP_ERR_LEN, "no database '%s'", path);
        return HP_EINPUT;
    }
    int rc;
    if (create && (rc = writable_place(path, err)))
        return rc;
    hp_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    s->jitter = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)s ^ 0x9e3779b97f4a7c15ULL;
    if (!s->jitter)
        s->jitter = 1;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        rc = s->db ? store_fail(s, "cannot open", err) : HP_ENOMEM;
        if (!s->db)
            snprintf(err, HP_ERR_LEN, "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 0);
    sqlite3_busy_timeout(s->db, 10000);
    int version = 0;
    if ((rc = store_user_version(s, &version, err)))
        goto fail;
    if (version > STORE_SCHEMA_VERSION) {
        snprintf(err, HP_ERR_LEN, "'%s' has schema version %d, newer than this hpsearch "
                 "knows (%d); use a newer hpsearch", path, version, STORE_SCHEMA_VERSION);
        rc = HP_EINPUT;
        goto fail;
    }
    /* Tables at version 0 may be another hpsearch that is creating the
       schema (one commit writes both) while this connection still reads the
       old header; and a busy database answers neither question.  So look
       again through new connections for up to 2 s before calling the file
       foreign. */
    int tables = 0;
    for (int tries = 0; version == 0 && tries < 100; tries++) {
        tables = store_table_count(s);
        if (tables == 0)
            break;
        store_backoff(s);
        if (tables < 0)
            continue;
        sqlite3_close(s->db);
        s->db = NULL;
        if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
            rc = s->db ? store_fail(s, "cannot open", err) : HP_ENOMEM;
            goto fail;
        }
        sqlite3_extended_result_codes(s->db, 0);
        sqlite3_busy_timeout(s->db, 10000);
        if ((rc = store_user_version(s, &version, err)))
            goto fail;
    }
    if (version == 0 && tables > 0) {
        snprintf(err, HP_ERR_LEN, "'%s' is an SQLite database of another program "
                 "(it has tables but no hpsearch schema); give the study its own "
                 "storage file", path);
        rc = HP_EINPUT;
        goto fail;
    }
    if (version == 0 && tables < 0) {
        rc = store_fail(s, "the database stayed busy", err);
        goto fail;
    }
    if ((rc = prepare_all(s, 1, err)))
        goto fail;
    /* WAL lets readers run beside the one writer; synchronous = NORMAL in WAL
       keeps every commit across a crash or kill -9 of the process (only a
       power loss can drop the last commits, never corrupt the file) */
    if (version < STORE_SCHEMA_VERSION || create) {
        if ((rc = store_exec_sql(s, "PRAGMA journal_mode = WAL", err)))
            goto fail;
    }
    if ((rc = store_exec_sql(s, "PRAGMA synchronous = NORMAL", err)))
        goto fail;
    if (version < STORE_SCHEMA_VERSION) {
        if (!create && version == 0) {
            snprintf(err, HP_ERR_LEN, "'%s' holds no hpsearch studies", path);
            rc = HP_EINPUT;
            goto fail;
        }
        if ((rc = store_migrate(s, err)))
            goto fail;
    }
    if ((rc = prepare_all(s, 0, err)))
        goto fail;
    *out = s;
    return HP_OK;
fail:
    store_close(s);
    return rc;
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

