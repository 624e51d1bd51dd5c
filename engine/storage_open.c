/*
** Storage: opening a database, creating and migrating its schema (whose
** text is in storage_schema.c).  See storage.h for the contract.
*/
#include "storage_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clock.h"
#include "files.h"

/* The oldest server whose float output is exact and shortest (as SQLite's
** round trip needs) and which has identity columns. */
#define PG_MIN_VERSION 120000

/* Held while a PostgreSQL schema is created or migrated; claims lock their
** study's id, which is positive. */
#define PG_SCHEMA_LOCK "SELECT pg_advisory_xact_lock(-1)"


/* Runs SQL, retrying while the database is busy: switching to WAL and the
** first schema reads can return SQLITE_BUSY without calling the busy
** handler when another process is creating the same database. */
int store_exec_sql(hp_store *s, const char *sql, char *err)
{
    double start = clock_monotonic();
    for (;;) {
        db_result r = db_exec(s->db, sql);
        if (r == DB_DONE)
            return HP_OK;
        if (r == DB_BUSY && db_get_kind(s->db) == DB_SQLITE &&
            clock_monotonic() - start < 600) {
            store_backoff(s);
            continue;
        }
        return store_fail(s, "cannot change the schema", err);
    }
}

/* One integer from SQL (no parameters); DB_DONE/DB_ROW-style result. */
static db_result query_int(hp_store *s, const char *sql, int64_t *v)
{
    *v = 0;
    db_stmt *st = db_prepare(s->db, sql);
    if (!st)
        return db_last_result(s->db);
    db_result r = db_step(st);
    *v = r == DB_ROW ? db_column_int64(st, 0) : 0;
    db_finalize(st);
    return r;
}

static int user_version(hp_store *s, int *version, char *err)
{
    db_result r;
    int64_t v = 0;
    double start = clock_monotonic();
    while ((r = query_int(s, "PRAGMA user_version", &v)) == DB_BUSY &&
           clock_monotonic() - start < 600)
        store_backoff(s);
    if (r == DB_NOTADB) {
        snprintf(err, HP_ERR_LEN, "'%s' is not an SQLite database", s->path);
        return HP_EINPUT;
    }
    if (r != DB_ROW)
        return store_fail(s, "cannot read the schema version", err);
    *version = (int)v;
    return HP_OK;
}

/* The number of schema objects, or -1 when it cannot be read now (busy). */
static int table_count(hp_store *s)
{
    int64_t n = 0;
    return query_int(s, "SELECT count(*) FROM sqlite_master", &n) == DB_ROW ? (int)n : -1;
}

static int newer_schema(const hp_store *s, int version, int known, char *err)
{
    snprintf(err, HP_ERR_LEN, "'%s' has schema version %d, newer than this hpsearch "
             "knows (%d); use a newer hpsearch", s->path, version, known);
    return HP_EINPUT;
}

static int foreign_database(const hp_store *s, char *err)
{
    snprintf(err, HP_ERR_LEN, "'%s' is %s database of another program (it has tables "
             "but no hpsearch schema); give the study its own %s", s->path,
             db_get_kind(s->db) == DB_SQLITE ? "an SQLite" : "a",
             db_get_kind(s->db) == DB_SQLITE ? "storage file" : "database (createdb)");
    return HP_EINPUT;
}

/* Brings an SQLite schema to STORE_SCHEMA_VERSION inside one transaction. */
static int migrate_sqlite(hp_store *s, char *err)
{
    int version = 0;
    int rc = user_version(s, &version, err);
    if (rc)
        return rc;
    if (version > STORE_SCHEMA_VERSION)
        return newer_schema(s, version, STORE_SCHEMA_VERSION, err);
    if (version == STORE_SCHEMA_VERSION)
        return HP_OK;
    if ((rc = store_begin(s, err)))
        return rc;
    /* re-read: another process may have migrated while we waited */
    if ((rc = user_version(s, &version, err)))
        goto fail;
    if (version == 0 && table_count(s) != 0) {
        rc = foreign_database(s, err);
        goto fail;
    }
    for (int v = version; v < STORE_SCHEMA_VERSION; v++) {
        if ((rc = store_exec_sql(s, store_sqlite_migrations[v], err)))
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

/* Creates (CREATE set) or checks a PostgreSQL schema, under a lock so that
** workers starting together create it once. */
static int migrate_pg_once(hp_store *s, void *arg, char *err)
{
    int create = *(int *)arg;
    int64_t exists = 0, version = 0, foreign = 0;
    int rc = store_begin(s, err);
    if (rc)
        return rc;
    int64_t ignored;
    db_result r = query_int(s, PG_SCHEMA_LOCK, &ignored);
    if (r == DB_ROW)
        r = query_int(s, "SELECT to_regclass('hpsearch_schema') IS NOT NULL", &exists);
    if (r == DB_ROW && exists)
        r = query_int(s, "SELECT max(version) FROM hpsearch_schema", &version);
    if (r == DB_ROW && !exists)
        r = query_int(s, "SELECT count(*) FROM (SELECT to_regclass('studies') c UNION ALL "
                      "SELECT to_regclass('trials') UNION ALL SELECT "
                      "to_regclass('trial_params') UNION ALL SELECT "
                      "to_regclass('trial_values')) t WHERE c IS NOT NULL", &foreign);
    if (r != DB_ROW) {
        rc = store_fail(s, "cannot read the schema", err);
        goto fail;
    }
    if (exists && version > STORE_PG_SCHEMA_VERSION) {
        rc = newer_schema(s, (int)version, STORE_PG_SCHEMA_VERSION, err);
        goto fail;
    }
    if (!exists && foreign) {
        rc = foreign_database(s, err);
        goto fail;
    }
    if (!exists && !create) {
        snprintf(err, HP_ERR_LEN, "'%s' holds no hpsearch studies", s->path);
        rc = HP_EINPUT;
        goto fail;
    }
    /* version 4 is PostgreSQL's first: later versions add their steps here */
    if (!exists && (rc = store_exec_sql(s, store_pg_schema_v4, err)))
        goto fail;
    if (version < 5 && (rc = store_exec_sql(s, store_pg_schema_v5, err)))
        goto fail;
    if (version < 6 && (rc = store_exec_sql(s, store_pg_schema_v6, err)))
        goto fail;
    if (version < 7 && (rc = store_exec_sql(s, store_pg_schema_v7, err)))
        goto fail;
    if (version < 8 && (rc = store_exec_sql(s, store_pg_schema_v8, err)))
        goto fail;
    return store_commit(s, err);
fail:
    store_rollback(s);
    return rc;
}

/* A TRIAL_COLUMNS statement with PostgreSQL's column list. */
static char *pg_trial_rows(const char *sql)
{
    size_t head = strlen(TRIAL_COLUMNS);
    if (strncmp(sql, TRIAL_COLUMNS, head) != 0)
        return NULL;
    size_t n = strlen(TRIAL_COLUMNS_PG) + strlen(sql + head) + 1;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s%s", TRIAL_COLUMNS_PG, sql + head);
    return out;
}

int store_prepare_all(hp_store *s, char *err)
{
    int pg = db_get_kind(s->db) == DB_POSTGRES;
    char *swapped = NULL;
#define X(member, sql, pg_sql)                                                  \
    if (!s->member && (pg || (sql))) {                                        \
        const char *text = sql;                                               \
        if (pg && pg_sql)                                                     \
            text = *(const char *)(pg_sql) ? (const char *)(pg_sql)           \
                                           : (swapped = pg_trial_rows(sql));  \
        if (!text || !(s->member = db_prepare(s->db, text))) {                \
            free(swapped);                                                    \
            return store_fail(s, "cannot prepare '" #member "'", err);        \
        }                                                                     \
        free(swapped);                                                        \
        swapped = NULL;                                                       \
    }
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
    if ((s->db = db_sqlite_open(path, 0, 0, 0, err))) {
        if (user_version(s, &version, err) == HP_OK)
            return HP_OK;
    }
    db_close(s->db);
    s->db = NULL;
    char *uri = immutable_uri(path);
    if (!uri) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    s->db = db_sqlite_open(uri, 0, 0, 1, err);
    free(uri);
    if (!s->db) {
        char why[HP_ERR_LEN];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, HP_ERR_LEN, "%s: cannot open read-only: %s", path, why);
        return HP_ESTORAGE;
    }
    return HP_OK;
}

static hp_store *new_store(const char *path, char *err)
{
    hp_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        snprintf(err, HP_ERR_LEN, "out of memory");
        return NULL;
    }
    s->jitter = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)s ^ 0x9e3779b97f4a7c15ULL;
    if (!s->jitter)
        s->jitter = 1;
    s->retry_seconds = STORE_RETRY_SECONDS;
    s->lock_fd = -1;
    const char *env = getenv("HPSEARCH_STORAGE_RETRY");
    if (env && *env) {
        char *end;
        double v = strtod(env, &end);
        if (*end == '\0' && v >= 0 && v <= 86400)
            s->retry_seconds = v;
    }
    return s;
}

/* 1 when URL carries a password (user:password@ or password=). */
static int url_has_password(const char *url)
{
    const char *rest = strstr(url, "://");
    rest = rest ? rest + 3 : url;
    size_t authority = strcspn(rest, "/?");
    const char *at = memchr(rest, '@', authority);
    if (at && memchr(rest, ':', (size_t)(at - rest)))
        return 1;
    const char *query = strchr(rest, '?');
    for (const char *p = query; p && *p; p = strpbrk(p + 1, "?&"))
        if (strncasecmp(p + 1, "password=", 9) == 0)
            return 1;
    return 0;
}

static int open_pg(const char *url, int create, hp_store **out, char *err)
{
    if (url_has_password(url)) {
        snprintf(err, HP_ERR_LEN, "the storage URL has a password in it, which would end "
                 "up in files, shell history and process lists; remove it and give it "
                 "through PGPASSWORD, ~/.pgpass or a PGSERVICE file instead");
        return HP_EINPUT;
    }
    hp_store *s = new_store(url, err);
    if (!s)
        return HP_ENOMEM;
    char why[HP_ERR_LEN];
    db_result status;
    int rc;
    if (!(s->db = db_pg_open(url, s->retry_seconds, &status, why))) {
        snprintf(err, HP_ERR_LEN, "cannot connect to '%s': %s", url, why);
        rc = HP_EINPUT;
        goto fail;
    }
    int version = db_server_version(s->db);
    if (version < PG_MIN_VERSION) {
        snprintf(err, HP_ERR_LEN, "'%s' is PostgreSQL %d.%d, too old: hpsearch needs "
                 "PostgreSQL 12 or newer", url, version / 10000,
                 version >= 100000 ? version % 10000 : version / 100 % 100);
        rc = HP_EINPUT;
        goto fail;
    }
    if ((rc = store_retrying(s, migrate_pg_once, &create, err)) ||
        (rc = store_prepare_all(s, err)))
        goto fail;
    *out = s;
    return HP_OK;
fail:
    store_close(s);
    return rc;
}

int store_open(const char *path, int create, hp_store **out, char *err)
{
    *out = NULL;
    if (db_is_url(path))
        return open_pg(path, create, out, err);
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
    hp_store *s = new_store(path, err);
    if (!s)
        return HP_ENOMEM;
    char why[HP_ERR_LEN];
    if (!(s->db = db_sqlite_open(path, 1, create, 0, why))) {
        snprintf(err, HP_ERR_LEN, "%s: cannot open: %s", path, why);
        rc = HP_ESTORAGE;
        goto fail;
    }
    int version = 0;
    if ((rc = user_version(s, &version, err)))
        goto fail;
    if (version > STORE_SCHEMA_VERSION) {
        rc = newer_schema(s, version, STORE_SCHEMA_VERSION, err);
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
        store_backoff(s);
        if (tables < 0)
            continue;
        db_close(s->db);
        if (!(s->db = db_sqlite_open(path, 1, create, 0, why))) {
            snprintf(err, HP_ERR_LEN, "%s: cannot open: %s", path, why);
            rc = HP_ESTORAGE;
            goto fail;
        }
        if ((rc = user_version(s, &version, err)))
            goto fail;
    }
    if (version == 0 && tables > 0) {
        rc = foreign_database(s, err);
        goto fail;
    }
    if (version == 0 && tables < 0) {
        rc = store_fail(s, "the database stayed busy", err);
        goto fail;
    }
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
        if ((rc = migrate_sqlite(s, err)))
            goto fail;
    }
    if ((rc = store_prepare_all(s, err)))
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
    if (db_is_url(path))
        return open_pg(path, 0, out, err);
    hp_store *s = new_store(path, err);
    if (!s)
        return HP_ENOMEM;
    s->read_only = 1;
    int version = 0, rc = open_read_only(s, path, err);
    if (!rc)
        rc = user_version(s, &version, err);
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
        rc = store_prepare_all(s, err);
    if (rc) {
        store_close(s);
        return rc;
    }
    *out = s;
    return HP_OK;
}
