/*
** The PostgreSQL driver's own types, shared by its two files: the driver
** (storage_pg.c) and its pipeline (storage_pg_pipeline.c).  Only those two
** include this.
*/
#ifndef HP_STORAGE_PG_IMPL_H
#define HP_STORAGE_PG_IMPL_H

#include <libpq-fe.h>

#include "storage_db_impl.h"

/* the longest statement's (copy_trial: a trial's 17 columns) */
#define PG_MAX_PARAMS 17
#define PG_NOW "extract(epoch from clock_timestamp())::float8"

typedef struct {
    db base;
    PGconn *conn;
    unsigned generation;     /* bumped by each reconnection */
    int next_name;           /* server-side statement names: s0, s1, ... */
    int64_t changes;
    double retry_seconds;    /* how long a read outside a transaction waits */
    char message[512];
} pg_db;

typedef struct {
    db_stmt base;
    char *sql;               /* translated */
    char name[16];
    int n_params;
    unsigned prepared_in;    /* the generation it was prepared in (0: not yet) */
    const char *values[PG_MAX_PARAMS];
    char numbers[PG_MAX_PARAMS][32];
    PGresult *result;
    int row;                 /* the current row, -1 before the first step */
} pg_stmt;

static inline pg_db *conn(db *d) { return (pg_db *)d; }
static inline pg_stmt *stmt(db_stmt *st) { return (pg_stmt *)st; }

/* Keeps the first line of libpq's message MSG, without "ERROR:  ". */
void pg_keep_message(pg_db *c, const char *msg);

/* What a failed RES (NULL: the connection's own error) means to storage. */
db_result pg_classify(pg_db *c, PGresult *res);

/* db_ops.pipeline: BEGIN (if BEGIN), the N statements and COMMIT (if
** COMMIT) in one round trip. */
db_result pg_pipeline(db *d, int begin, db_stmt **stmts, int n, int commit);

#endif
