/*
** Private to the drivers (storage_db.c, storage_sqlite.c, storage_pg.c):
** each driver's connection and statement start with these, and its table
** of operations is what storage_db.c dispatches to.
*/
#ifndef HP_STORAGE_DB_IMPL_H
#define HP_STORAGE_DB_IMPL_H

#include "storage_db.h"

typedef struct db_ops {
    db_kind kind;
    void (*close)(db *d);
    const char *(*errmsg)(db *d);
    db_stmt *(*prepare)(db *d, const char *sql);
    void (*finalize)(db_stmt *st);
    void (*bind_int64)(db_stmt *st, int i, int64_t v);
    void (*bind_double)(db_stmt *st, int i, double v);
    void (*bind_text)(db_stmt *st, int i, const char *v);
    void (*bind_null)(db_stmt *st, int i);
    db_result (*step)(db_stmt *st);
    void (*reset)(db_stmt *st);
    int (*column_is_null)(db_stmt *st, int i);
    int64_t (*column_int64)(db_stmt *st, int i);
    double (*column_double)(db_stmt *st, int i);
    const char *(*column_text)(db_stmt *st, int i);
    int64_t (*changes)(db *d);
    db_result (*exec)(db *d, const char *sql);
    db_result (*begin)(db *d);
    db_result (*commit)(db *d);
    void (*rollback)(db *d);
    int (*in_transaction)(db *d);
    db_result (*pipeline)(db *d, int begin, db_stmt **stmts, int n, int commit);
    db_result (*reconnect)(db *d);
    int (*server_version)(db *d);
} db_ops;

struct db {
    const db_ops *ops;
    db_result last;      /* the last result, for db_last_result */
};

struct db_stmt {
    db *owner;
};

#endif
