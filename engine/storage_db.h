/*
** The database driver under the storage module: one small cursor interface
** with two implementations, SQLite (storage_sqlite.c) and PostgreSQL
** through libpq (storage_pg.c).  Private to storage*.c: the rest of the program sees
** only storage.h.
**
** Statements are written once in a common SQL with numbered parameters
** (?1, ?2, ...) and the function hp_now() for the database's clock; each
** driver translates them (PostgreSQL gets $1 and the server's clock).  A
** statement executes on its first db_step and its rows are then stepped;
** db_reset ends it and clears its bindings.  Bound text must stay valid
** until the statement is reset.
*/
#ifndef HP_STORAGE_DB_H
#define HP_STORAGE_DB_H

#include <stdint.h>

typedef struct db db;
typedef struct db_stmt db_stmt;

typedef enum { DB_SQLITE, DB_POSTGRES } db_kind;

/* What db_step and friends return. */
typedef enum {
    DB_ROW = 1,     /* a row is ready */
    DB_DONE,        /* finished, no (more) rows */
    DB_BUSY,        /* locked or a serialization conflict: retry the transaction */
    DB_LOST,        /* the connection is gone: reconnect, retry the transaction */
    DB_CORRUPT,     /* the file is damaged */
    DB_NOTADB,      /* the file is not a database */
    DB_CONSTRAINT,  /* a unique key or check refused the row */
    DB_ERROR        /* anything else (a constraint, a bad statement) */
} db_result;

/* 1 when TARGET names a PostgreSQL database (postgresql:// or postgres://). */
int db_is_url(const char *target);

/* 1 when the file at PATH starts as an SQLite database does. */
int db_sqlite_is_file(const char *path);

/* 1 when this program was built with PostgreSQL support. */
int db_have_postgres(void);

/* Opening.  SQLite: PATH is a file name, or a file: URI when URI is set;
** READ_WRITE 0 opens read-only.  Each returns NULL with a message in ERR
** (HP_ERR_LEN bytes); *status (may be NULL) gets DB_LOST when the server
** could not be reached, DB_ERROR for bad input (a password refused, a
** missing database).  RETRY_SECONDS: how long a statement run outside a
** transaction waits for a lost server before it reports DB_LOST. */
db *db_sqlite_open(const char *path, int read_write, int create, int uri, char *err);
db *db_pg_open(const char *url, double retry_seconds, db_result *status, char *err);
void db_close(db *d);

db_kind db_get_kind(const db *d);

/* The last error's message and result. */
const char *db_errmsg(db *d);
db_result db_last_result(db *d);

/* Prepares SQL (NULL on error, see db_errmsg). */
db_stmt *db_prepare(db *d, const char *sql);
void db_finalize(db_stmt *st);

void db_bind_int64(db_stmt *st, int i, int64_t v);
void db_bind_double(db_stmt *st, int i, double v);
void db_bind_text(db_stmt *st, int i, const char *v);
void db_bind_null(db_stmt *st, int i);

db_result db_step(db_stmt *st);
void db_reset(db_stmt *st);

int db_column_is_null(db_stmt *st, int i);
int64_t db_column_int64(db_stmt *st, int i);
double db_column_double(db_stmt *st, int i);
const char *db_column_text(db_stmt *st, int i);   /* NULL for NULL */

/* Rows changed by the last statement that wrote. */
int64_t db_changes(db *d);

/* Runs SQL without parameters (several statements allowed), no rows. */
db_result db_exec(db *d, const char *sql);

/* Transactions.  db_begin takes the write lock at once on SQLite (BEGIN
** IMMEDIATE); PostgreSQL's row locks and the storage module's advisory
** locks do that work there. */
db_result db_begin(db *d);
db_result db_commit(db *d);
void db_rollback(db *d);
int db_in_transaction(db *d);

/* Runs STMTS (bound) in order, in one round trip where the driver can
** (PostgreSQL's pipeline mode), after a BEGIN when BEGIN is set and
** followed by a COMMIT when COMMIT is set.  Each statement keeps its
** result: the next db_step on it returns its first row (or DB_DONE).
** Returns DB_DONE when everything succeeded, else the first failure (the
** transaction is then left for db_rollback). */
db_result db_pipeline(db *d, int begin, db_stmt **stmts, int n, int commit);

/* PostgreSQL: re-opens a lost connection (statements are prepared again
** on their next use).  Returns DB_DONE or DB_LOST. */
db_result db_reconnect(db *d);

/* PostgreSQL's server_version_num (e.g. 150004), 0 for SQLite. */
int db_server_version(db *d);

#endif
