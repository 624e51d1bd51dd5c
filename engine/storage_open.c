/*
** Storage: opening a database, its schema, versions and migrations.  See
** storage.h for the contract.
*/
#include "storage_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "files.h"

/* Schema version 1.  Versions only grow; each later version adds a step to
** `migrations` that takes a database from the version before to it. */
static const char *const schema_v1 =
    "CREATE TABLE studies("
    " study_id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " direction TEXT NOT NULL CHECK(direction IN ('minimize', 'maximize')),"
    " metric TEXT NOT NULL,"
    " sampler TEXT NOT NULL,"
    " config TEXT NOT NULL,"
    " space_hash TEXT NOT NULL,"
    " seed INTEGER NOT NULL,"
    " trials INTEGER NOT NULL,"
    " created_at REAL NOT NULL);"
    "CREATE TABLE trials("
    " trial_id INTEGER PRIMARY KEY,"
    " study_id INTEGER NOT NULL REFERENCES studies(study_id),"
    " number INTEGER NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN "
    "  ('WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAILED')),"
    " value REAL,"
    " params_json TEXT NOT NULL,"
    " seed INTEGER NOT NULL,"
    " worker TEXT,"
    " host TEXT,"
    " pid INTEGER,"
    " started_at REAL,"
    " finished_at REAL,"
    " heartbeat_at REAL,"
    " error TEXT,"
    " UNIQUE(study_id, number));"
    "CREATE INDEX trials_by_state ON trials(study_id, state, number);"
    "CREATE INDEX trials_by_value ON trials(study_id, state, value);"
    "CREATE TABLE trial_params("
    " trial_id INTEGER NOT NULL REFERENCES trials(trial_id),"
    " name TEXT NOT NULL,"
    " value REAL,"
    " text TEXT,"
    " PRIMARY KEY(trial_id, name)) WITHOUT ROWID;"
    "CREATE TABLE trial_values("
    " trial_id INTEGER NOT NULL REFERENCES trials(trial_id),"
    " step INTEGER,"
    " name TEXT NOT NULL,"
    " value REAL);"
    "CREATE INDEX trial_values_by_trial ON trial_values(trial_id, name, step);"
    "CREATE VIEW trial_summary AS SELECT"
    " s.name AS study, t.number, t.state, t.value,"
    " t.finished_at - t.started_at AS duration,"
    " t.params_json AS params,"
    " (SELECT json_group_object(v.name, v.value) FROM trial_values v"
    "   WHERE v.trial_id = t.trial_id AND v.step IS NULL) AS metrics,"
    " datetime(t.started_at, 'unixepoch') AS started,"
    " t.error, t.trial_id, t.study_id"
    " FROM trials t JOIN studies s ON s.study_id = t.study_id;";

/* Version 2: the last lines a command objective printed, for every trial. */
static const char *const schema_v2 = "ALTER TABLE trials ADD COLUMN output TEXT;";

/* Version 3: which sampler (and study seed) proposed each trial, so that a
** study whose file changed sampler or seed says so instead of mixing them
** silently. */
static const char *const schema_v3 =
    "ALTER TABLE trials ADD COLUMN sampler TEXT;"
    "ALTER TABLE trials ADD COLUMN study_seed INTEGER;";

static const char *const migrations[] = {schema_v1, schema_v2, schema_v3};

/* Runs SQL, retrying while the database is busy: switching to WAL and the
** first schema reads can return SQLITE_BUSY without calling the busy
** handler when another process is creating the same database. */
int store_exec_sql(hp_store *s, const char *sql, char *err)
{
    double start = clock_monotonic();
    for (;;) {
        char *msg = NULL;
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
        if (rc == SQLITE_OK)
            return HP_OK;
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && clock_monotonic() - start < 600) {
            sqlite3_free(msg);
            store_backoff(s);
            continue;
        }
        snprintf(err, HP_ERR_LEN, "%s: %s", s->path, msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return HP_ESTORAGE;
    }
}

int store_user_version(hp_store *s, int *version, char *err)
{
    sqlite3_stmt *st;
    int rc;
    double start = clock_monotonic();
    for (;;) {
        rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st);
            if (rc == SQLITE_ROW)
                *version = sqlite3_column_int(st, 0);
            sqlite3_finalize(st);
        }
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || clock_monotonic() - start > 600)
            break;
        store_backoff(s);
    }
    if (rc == SQLITE_NOTADB || (rc != SQLITE_ROW && sqlite3_errcode(s->db) == SQLITE_NOTADB)) {
        snprintf(err, HP_ERR_LEN, "'%s' is not an SQLite database", s->path);
        return HP_EINPUT;
    }
    if (rc != SQLITE_ROW)
        return store_fail(s, "cannot read the schema version", err);
    return HP_OK;
}

/* The number of schema objects, or -1 when it cannot be read now (busy). */
int store_table_count(hp_store *s)
{
    sqlite3_stmt *st;
    int n = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &st,
                           NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return n;
}
/* Brings the schema to STORE_SCHEMA_VERSION inside one transaction. */
int store_migrate(hp_store *s, char *err)
{
    int version = 0;
    int rc = store_user_version(s, &version, err);
    if (rc)
        return rc;
    if (version > STORE_SCHEMA_VERSION) {
        snprintf(err, HP_ERR_LEN, "'%s' has schema version %d, newer than this hpsearch "
                 "knows (%d); use a newer hpsearch", s->path, version,
                 STORE_SCHEMA_VERSION);
        return HP_EINPUT;
    }
    if (version == STORE_SCHEMA_VERSION)
        return HP_OK;
    if ((rc = store_begin(s, err)))
        return rc;
    /* re-read: another process may have migrated while we waited */
    if ((rc = store_user_version(s, &version, err)))
        goto fail;
    if (version == 0 && store_table_count(s) != 0) {
        snprintf(err, HP_ERR_LEN, "'%s' is an SQLite database of another program "
                 "(it has tables but no hpsearch schema); give the study its own "
                 "storage file", s->path);
        rc = HP_EINPUT;
        goto fail;
    }
    for (int v = version; v < STORE_SCHEMA_VERSION; v++) {
        if ((rc = store_exec_sql(s, migrations[v], err)))
            goto fail;
    }
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
    if ((rc = store_exec_sql(s, pragma, err)))
        goto fail;
    return store_commit(s, err);
fail:
    store_rollback(s);
    return rc;
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
    files_dirname(path, dir, sizeof dir);
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

/* 1 when the database at PATH (which exists) cannot be written here: the
** file or its folder is read-only (the -wal and -shm files live beside it). */
static int read_only_place(const char *path)
{
    char dir[4096];
    files_dirname(path, dir, sizeof dir);
    return access(path, W_OK) != 0 || access(dir, W_OK) != 0;
}

/* "file:PATH?immutable=1" with PATH percent-encoded where a URI needs it. */
static char *immutable_uri(const char *path)
{
    size_t n = strlen(path);
    char *uri = malloc(3 * n + 32);
    if (!uri)
        return NULL;
    char *o = uri + sprintf(uri, "file:");
    for (const char *p = path; *p; p++) {
        if (*p == '?' || *p == '#' || *p == '%')
            o += sprintf(o, "%%%02X", (unsigned char)*p);
        else
            *o++ = *p;
    }
    strcpy(o, "?immutable=1");
    return uri;
}

/* Opens an archived study read-only: through SQLite's own read-only mode,
** or, when a WAL database has no -shm it could make, as an immutable file
** (nothing can be writing it: the place is read-only). */
static int open_read_only(hp_store *s, const char *path, char *err)
{
    int version;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) ==
            SQLITE_OK) {
        sqlite3_busy_timeout(s->db, 10000);
        if (store_user_version(s, &version, err) == HP_OK)
            return HP_OK;
    }
    sqlite3_close(s->db);
    s->db = NULL;
    char *uri = immutable_uri(path);
    if (!uri) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    int rc = sqlite3_open_v2(uri, &s->db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
    free(uri);
    if (rc != SQLITE_OK)
        return s->db ? store_fail(s, "cannot open read-only", err) : HP_ENOMEM;
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
    if (exists && !create && read_only_place(path))
        return store_open_read_only(path, out, err);
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


int store_open_read_only(const char *path, hp_store **out, char *err)
{
    *out = NULL;
    hp_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    s->jitter = 0x9e3779b97f4a7c15ULL;
    s->read_only = 1;
    int version = 0, rc = open_read_only(s, path, err);
    if (!rc) {
        sqlite3_extended_result_codes(s->db, 0);
        rc = store_user_version(s, &version, err);
    }
    if (!rc && version != STORE_SCHEMA_VERSION) {
        snprintf(err, HP_ERR_LEN, "'%s' is read-only and has schema version %d, %s than this "
                 "hpsearch's %d; %s", path, version,
                 version < STORE_SCHEMA_VERSION ? "older" : "newer", STORE_SCHEMA_VERSION,
                 version < STORE_SCHEMA_VERSION
                     ? "run any hpsearch command once on a writable copy to migrate it"
                     : "use a newer hpsearch");
        rc = HP_EINPUT;
    }
    if (!rc)
        rc = prepare_all(s, 0, err);
    if (rc) {
        store_close(s);
        return rc;
    }
    *out = s;
    return HP_OK;
}
