/*
** Storage, part 1: the connection, the schema and its versions, studies.
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

static void backoff(hp_store *s)
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
        backoff(s);
    }
}

int store_commit(hp_store *s, char *err)
{
    int rc;
    double start = clock_monotonic();
    while ((rc = store_exec_stmt(s->commit)) == SQLITE_BUSY &&
           clock_monotonic() - start < 600)
        backoff(s);
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


/* Runs SQL, retrying while the database is busy: switching to WAL and the
** first schema reads can return SQLITE_BUSY without calling the busy
** handler when another process is creating the same database. */
static int exec_sql(hp_store *s, const char *sql, char *err)
{
    double start = clock_monotonic();
    for (;;) {
        char *msg = NULL;
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
        if (rc == SQLITE_OK)
            return HP_OK;
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && clock_monotonic() - start < 600) {
            sqlite3_free(msg);
            backoff(s);
            continue;
        }
        snprintf(err, HP_ERR_LEN, "%s: %s", s->path, msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return HP_ESTORAGE;
    }
}

static int user_version(hp_store *s, int *version, char *err)
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
        backoff(s);
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
static int table_count(hp_store *s)
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
static int migrate(hp_store *s, char *err)
{
    int version = 0;
    int rc = user_version(s, &version, err);
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
    if ((rc = user_version(s, &version, err)))
        goto fail;
    if (version == 0 && table_count(s) != 0) {
        snprintf(err, HP_ERR_LEN, "'%s' is an SQLite database of another program "
                 "(it has tables but no hpsearch schema); give the study its own "
                 "storage file", s->path);
        rc = HP_EINPUT;
        goto fail;
    }
    for (int v = version; v < STORE_SCHEMA_VERSION; v++) {
        if ((rc = exec_sql(s, migrations[v], err)))
            goto fail;
    }
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
    if ((rc = exec_sql(s, pragma, err)))
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
    if ((rc = user_version(s, &version, err)))
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
        tables = table_count(s);
        if (tables == 0)
            break;
        backoff(s);
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
        if ((rc = user_version(s, &version, err)))
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
        if ((rc = exec_sql(s, "PRAGMA journal_mode = WAL", err)))
            goto fail;
    }
    if ((rc = exec_sql(s, "PRAGMA synchronous = NORMAL", err)))
        goto fail;
    if (version < STORE_SCHEMA_VERSION) {
        if (!create && version == 0) {
            snprintf(err, HP_ERR_LEN, "'%s' holds no hpsearch studies", path);
            rc = HP_EINPUT;
            goto fail;
        }
        if ((rc = migrate(s, err)))
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
    int n = 0, rc;
    sqlite3_stmt *st = s->list_studies;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hp_study_row *nr = realloc(rows, sizeof *rows * (n + 1));
        if (!nr) {
            sqlite3_reset(st);
            free(rows);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
        rows = nr;
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
