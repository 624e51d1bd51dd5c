/*
** The PostgreSQL driver of storage_db.h, through libpq.  The common SQL is
** translated at prepare (?N -> $N, hp_now() -> the server's clock, so that
** every host judges time by one clock); statements are prepared on the
** server on their first use after each (re)connection, and a statement's
** result is fetched whole, so one connection never has two results
** streaming.  Values travel as text: doubles are printed with 17
** significant digits, which the server reads back exactly.
*/
#include "storage_db_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"

#ifdef HP_HAVE_LIBPQ

#include "storage_pg_impl.h"

int db_have_postgres(void) { return 1; }

/* The first line of libpq's message, without its "ERROR:  " prefix. */
void pg_keep_message(pg_db *c, const char *msg)
{
    if (!msg || !*msg)
        msg = "unknown error";
    if (strncmp(msg, "ERROR:  ", 8) == 0)
        msg += 8;
    size_t n = strcspn(msg, "\n");
    if (n >= sizeof c->message)
        n = sizeof c->message - 1;
    memcpy(c->message, msg, n);
    c->message[n] = '\0';
}

db_result pg_classify(pg_db *c, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    pg_keep_message(c, res ? PQresultErrorMessage(res) : PQerrorMessage(c->conn));
    if (PQstatus(c->conn) == CONNECTION_BAD)
        return DB_LOST;
    if (!state)
        return DB_LOST;
    /* serialization failure, deadlock, lock not available */
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
        return DB_BUSY;
    /* connection exceptions, and the server shutting down or restarting */
    if (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3))
        return DB_LOST;
    if (!strncmp(state, "23", 2))
        return DB_CONSTRAINT;
    return DB_ERROR;
}

static void pg_close(db *d)
{
    pg_db *c = conn(d);
    PQfinish(c->conn);
    free(c);
}

static const char *pg_errmsg(db *d) { return conn(d)->message; }

/* ?N -> $N and hp_now() -> PG_NOW; counts the parameters. */
static char *translate(const char *sql, int *n_params)
{
    size_t cap = strlen(sql) * 2 + 64;
    char *out = malloc(cap), *o = out;
    if (!out)
        return NULL;
    *n_params = 0;
    for (const char *p = sql; *p;) {
        if ((size_t)(o - out) + sizeof PG_NOW + 8 > cap) {
            size_t used = (size_t)(o - out);
            char *grown = realloc(out, cap *= 2);
            if (!grown) {
                free(out);
                return NULL;
            }
            out = grown;
            o = out + used;
        }
        if (*p == '?' && isdigit((unsigned char)p[1])) {
            int k = (int)strtol(p + 1, (char **)&p, 10);
            if (k > *n_params)
                *n_params = k;
            o += sprintf(o, "$%d", k);
        } else if (strncmp(p, "hp_now()", 8) == 0) {
            o += sprintf(o, "%s", PG_NOW);
            p += 8;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static db_stmt *pg_prepare(db *d, const char *sql)
{
    pg_db *c = conn(d);
    pg_stmt *st = calloc(1, sizeof *st);
    if (!st || !(st->sql = translate(sql, &st->n_params)) || st->n_params > PG_MAX_PARAMS) {
        if (st)
            free(st->sql);
        free(st);
        snprintf(c->message, sizeof c->message, "cannot prepare a statement");
        d->last = DB_ERROR;
        return NULL;
    }
    st->base.owner = d;
    snprintf(st->name, sizeof st->name, "hp%d", c->next_name++);
    st->row = -1;
    return &st->base;
}

static void pg_reset(db_stmt *s)
{
    pg_stmt *st = stmt(s);
    PQclear(st->result);
    st->result = NULL;
    st->row = -1;
    memset(st->values, 0, sizeof st->values);
}

static void pg_finalize(db_stmt *s)
{
    pg_reset(s);
    free(stmt(s)->sql);
    free(s);
}

static void pg_bind_int64(db_stmt *s, int i, int64_t v)
{
    pg_stmt *st = stmt(s);
    if (i < 1 || i > PG_MAX_PARAMS)
        return;
    snprintf(st->numbers[i - 1], sizeof st->numbers[i - 1], "%lld", (long long)v);
    st->values[i - 1] = st->numbers[i - 1];
}

static void pg_bind_double(db_stmt *s, int i, double v)
{
    pg_stmt *st = stmt(s);
    if (i < 1 || i > PG_MAX_PARAMS)
        return;
    snprintf(st->numbers[i - 1], sizeof st->numbers[i - 1], "%.17g", v);
    st->values[i - 1] = st->numbers[i - 1];
}

static void pg_bind_text(db_stmt *s, int i, const char *v)
{
    if (i >= 1 && i <= PG_MAX_PARAMS)
        stmt(s)->values[i - 1] = v;
}

static void pg_bind_null(db_stmt *s, int i)
{
    if (i >= 1 && i <= PG_MAX_PARAMS)
        stmt(s)->values[i - 1] = NULL;
}

static db_result execute(pg_stmt *st)
{
    pg_db *c = conn(st->base.owner);
    if (PQstatus(c->conn) != CONNECTION_OK) {
        pg_keep_message(c, PQerrorMessage(c->conn));
        return DB_LOST;
    }
    if (st->prepared_in != c->generation) {
        PGresult *res = PQprepare(c->conn, st->name, st->sql, st->n_params, NULL);
        db_result r = DB_DONE;
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            r = pg_classify(c, res);
        PQclear(res);
        if (r != DB_DONE)
            return r;
        st->prepared_in = c->generation;
    }
    st->result = PQexecPrepared(c->conn, st->name, st->n_params, st->values, NULL, NULL, 0);
    switch (PQresultStatus(st->result)) {
    case PGRES_TUPLES_OK:
        st->row = 0;
        return PQntuples(st->result) > 0 ? DB_ROW : DB_DONE;
    case PGRES_COMMAND_OK:
        c->changes = strtoll(PQcmdTuples(st->result), NULL, 10);
        st->row = 0;
        return DB_DONE;
    default: {
        db_result r = pg_classify(c, st->result);
        PQclear(st->result);
        st->result = NULL;
        return r;
    }
    }
}

static db_result pg_reconnect(db *d);

/* A statement outside a transaction is a read (or one idempotent write):
** when the server is lost it waits for it, up to the bound, and runs again.
** Inside a transaction the storage module runs the whole transaction
** again instead. */
static db_result execute_or_wait(pg_stmt *st)
{
    pg_db *c = conn(st->base.owner);
    int alone = PQtransactionStatus(c->conn) == PQTRANS_IDLE;
    db_result r = execute(st);
    if (r != DB_LOST || !alone)
        return r;
    double start = clock_monotonic(), wait = 0.05;
    while (clock_monotonic() - start < c->retry_seconds) {
        clock_sleep(wait);
        wait = wait * 2 > 2.0 ? 2.0 : wait * 2;
        if (pg_reconnect(&c->base) == DB_DONE && (r = execute(st)) != DB_LOST)
            return r;
    }
    return DB_LOST;
}

static db_result pg_step(db_stmt *s)
{
    pg_stmt *st = stmt(s);
    if (!st->result)
        return execute_or_wait(st);
    if (st->row + 1 < PQntuples(st->result)) {
        st->row++;
        return DB_ROW;
    }
    st->row = PQntuples(st->result);
    return DB_DONE;
}

static int pg_column_is_null(db_stmt *s, int i)
{
    pg_stmt *st = stmt(s);
    return !st->result || st->row < 0 || st->row >= PQntuples(st->result) ||
           PQgetisnull(st->result, st->row, i);
}

static const char *pg_column_text(db_stmt *s, int i)
{
    return pg_column_is_null(s, i) ? NULL : PQgetvalue(stmt(s)->result, stmt(s)->row, i);
}

static int64_t pg_column_int64(db_stmt *s, int i)
{
    const char *v = pg_column_text(s, i);
    if (!v)
        return 0;
    if (v[0] == 't' && v[1] == '\0')   /* a boolean */
        return 1;
    return strtoll(v, NULL, 10);
}

static double pg_column_double(db_stmt *s, int i)
{
    const char *v = pg_column_text(s, i);
    return v ? strtod(v, NULL) : 0.0;
}

static int64_t pg_changes(db *d) { return conn(d)->changes; }

static db_result run_simple(pg_db *c, const char *sql, const char *expect_status)
{
    if (PQstatus(c->conn) != CONNECTION_OK) {
        pg_keep_message(c, PQerrorMessage(c->conn));
        return DB_LOST;
    }
    PGresult *res = PQexec(c->conn, sql);
    db_result r = DB_DONE;
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        r = pg_classify(c, res);
    else if (expect_status && strcmp(PQcmdStatus(res), expect_status) != 0) {
        /* COMMIT of a failed transaction answers ROLLBACK */
        snprintf(c->message, sizeof c->message, "the transaction was rolled back");
        r = DB_BUSY;
    }
    PQclear(res);
    return r;
}

static db_result pg_exec(db *d, const char *sql) { return run_simple(conn(d), sql, NULL); }
static db_result pg_begin(db *d) { return run_simple(conn(d), "BEGIN", NULL); }
static db_result pg_commit(db *d) { return run_simple(conn(d), "COMMIT", "COMMIT"); }

static int pg_in_transaction(db *d)
{
    PGTransactionStatusType t = PQtransactionStatus(conn(d)->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static void pg_rollback(db *d)
{
    if (pg_in_transaction(d))
        run_simple(conn(d), "ROLLBACK", NULL);
}

/* The server's side of the session: its socket to a worker that lost
** power or its network must close in seconds, not after the kernel's two
** hours, or the locks that worker held (a claim's study lock, the
** proposal lock) would stall every other worker until then. */
static void session_setup(pg_db *c)
{
    PQclear(PQexec(c->conn, "SET client_min_messages = warning; "
                            "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
                            "SET tcp_keepalives_count = 3; SET tcp_user_timeout = 15000"));
}

static db_result pg_reconnect(db *d)
{
    pg_db *c = conn(d);
    PQreset(c->conn);
    c->generation++;
    if (c->generation == 0)
        c->generation = 1;
    if (PQstatus(c->conn) != CONNECTION_OK) {
        pg_keep_message(c, PQerrorMessage(c->conn));
        return DB_LOST;
    }
    session_setup(c);
    return DB_DONE;
}

static int pg_server_version(db *d) { return PQserverVersion(conn(d)->conn); }

static const db_ops pg_ops = {
    DB_POSTGRES, pg_close, pg_errmsg, pg_prepare, pg_finalize,
    pg_bind_int64, pg_bind_double, pg_bind_text, pg_bind_null,
    pg_step, pg_reset, pg_column_is_null, pg_column_int64,
    pg_column_double, pg_column_text, pg_changes, pg_exec,
    pg_begin, pg_commit, pg_rollback, pg_in_transaction,
    pg_pipeline, pg_reconnect, pg_server_version,
};

/* libpq's messages for a refused login or a missing database: bad input,
** not a server that is down. */
static int is_input_error(const char *msg)
{
    static const char *const signs[] = {
        "password", "authentication failed", "does not exist", "no pg_hba.conf entry",
        "invalid connection option", "invalid URI", "invalid integer value",
        "invalid sslmode", "could not translate host name", "role ",
    };
    for (size_t i = 0; i < sizeof signs / sizeof *signs; i++)
        if (strstr(msg, signs[i]))
            return 1;
    return 0;
}

db *db_pg_open(const char *url, double retry_seconds, db_result *status, char *err)
{
    pg_db *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        if (status)
            *status = DB_ERROR;
        return NULL;
    }
    c->base.ops = &pg_ops;
    c->generation = 1;
    c->retry_seconds = retry_seconds;
    /* defaults first: the URL's own settings, expanded from dbname, win.
       Keepalives and a TCP user timeout make a cut link fail in seconds
       instead of hanging a worker for the kernel's two hours. */
    const char *keys[] = {"connect_timeout", "application_name", "keepalives",
                          "keepalives_idle", "keepalives_interval", "keepalives_count",
                          "tcp_user_timeout", "dbname", NULL};
    const char *values[] = {"10", "hpsearch", "1", "5", "2", "3", "15000", url, NULL};
    c->conn = PQconnectdbParams(keys, values, 1);
    if (!c->conn || PQstatus(c->conn) != CONNECTION_OK) {
        pg_keep_message(c, c->conn ? PQerrorMessage(c->conn) : "out of memory");
        /* "connection to server at ... failed: FATAL:  ..." -> the reason */
        const char *why = strstr(c->message, "FATAL:  ");
        why = why ? why + 8 : c->message;
        snprintf(err, HP_ERR_LEN, "%s", why);
        if (status)
            *status = is_input_error(c->message) ? DB_ERROR : DB_LOST;
        pg_close(&c->base);
        return NULL;
    }
    session_setup(c);
    if (status)
        *status = DB_DONE;
    return &c->base;
}

#else

int db_have_postgres(void) { return 0; }

db *db_pg_open(const char *url, double retry_seconds, db_result *status, char *err)
{
    (void)url;
    (void)retry_seconds;
    snprintf(err, HP_ERR_LEN, "this hpsearch was built without PostgreSQL support; "
             "install libpq-dev and build again");
    if (status)
        *status = DB_ERROR;
    return NULL;
}

#endif
