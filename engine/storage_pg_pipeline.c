/*
** The PostgreSQL driver's pipeline: a claim's statements, with their
** prepares, BEGIN and COMMIT, in one round trip (libpq's pipeline mode),
** and each result handed to the statement it answers.
*/
#include "storage_pg_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One round trip for a run of statements: libpq's pipeline mode.  Every
** statement not yet prepared on this connection is prepared in the same
** pipeline. */
db_result pg_pipeline(db *d, int begin, db_stmt **stmts, int n, int commit)
{
    pg_db *c = conn(d);
    if (PQstatus(c->conn) != CONNECTION_OK) {
        pg_keep_message(c, PQerrorMessage(c->conn));
        return DB_LOST;
    }
    if (!PQenterPipelineMode(c->conn)) {
        pg_keep_message(c, PQerrorMessage(c->conn));
        return DB_ERROR;
    }
    /* which statements are prepared in this pipeline: their results come
       first (n is small: a claim's statements) */
    int prep[16];
    if (n > 16) {
        PQexitPipelineMode(c->conn);
        snprintf(c->message, sizeof c->message, "too many statements in one pipeline");
        return DB_ERROR;
    }
    for (int i = 0; i < n; i++)
        prep[i] = stmt(stmts[i])->prepared_in != c->generation;
    int sent = 1;
    if (begin)
        sent = PQsendQueryParams(c->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
    for (int i = 0; i < n && sent; i++) {
        pg_stmt *st = stmt(stmts[i]);
        PQclear(st->result);
        st->result = NULL;
        st->row = -1;
        if (prep[i])
            sent = PQsendPrepare(c->conn, st->name, st->sql, st->n_params, NULL);
        if (sent)
            sent = PQsendQueryPrepared(c->conn, st->name, st->n_params, st->values, NULL,
                                       NULL, 0);
    }
    if (sent && commit)
        sent = PQsendQueryParams(c->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
    if (sent)
        sent = PQpipelineSync(c->conn);
    db_result r = sent ? DB_DONE : DB_LOST;
    if (!sent)
        pg_keep_message(c, PQerrorMessage(c->conn));
    /* the results, in the order sent: BEGIN, then per statement (its
       prepare, then its execution), then COMMIT, then the sync */
    int steps = (begin ? 1 : 0) + (commit ? 1 : 0);
    for (int i = 0; i < n; i++)
        steps += 1 + prep[i];
    int k = 0, ends = 0;
    for (;;) {
        PGresult *res = PQgetResult(c->conn);
        if (!res) {
            /* the end of one command's results: one per command, so more
               means the connection broke before the sync came */
            if (++ends > steps || PQstatus(c->conn) != CONNECTION_OK) {
                if (r == DB_DONE || r == DB_ERROR)
                    r = DB_LOST;
                pg_keep_message(c, PQerrorMessage(c->conn));
                break;
            }
            continue;
        }
        ExecStatusType status = PQresultStatus(res);
        if (status == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        if (!sent) {
            PQclear(res);
            continue;
        }
        /* which command this result answers */
        int at = k++;
        pg_stmt *owner = NULL;
        int is_prepare = 0, is_commit = 0;
        int pos = begin ? 1 : 0;
        if (begin && at == 0) {
            owner = NULL;
        } else {
            for (int i = 0; i < n; i++) {
                pg_stmt *st = stmt(stmts[i]);
                if (prep[i]) {
                    if (at == pos) {
                        owner = st;
                        is_prepare = 1;
                        break;
                    }
                    pos++;
                }
                if (at == pos) {
                    owner = st;
                    break;
                }
                pos++;
            }
            if (!owner && commit && at == pos)
                is_commit = 1;
        }
        if (status == PGRES_PIPELINE_ABORTED || status == PGRES_FATAL_ERROR ||
            status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR) {
            if (r == DB_DONE)
                r = status == PGRES_PIPELINE_ABORTED ? DB_ERROR : pg_classify(c, res);
            PQclear(res);
            continue;
        }
        if (is_commit && strcmp(PQcmdStatus(res), "COMMIT") != 0 && r == DB_DONE) {
            snprintf(c->message, sizeof c->message, "the transaction was rolled back");
            r = DB_BUSY;
        }
        if (owner && is_prepare && status == PGRES_COMMAND_OK)
            owner->prepared_in = c->generation;   /* it exists on the server now */
        if (owner && !is_prepare) {
            owner->result = res;
            owner->row = -1;
            if (status == PGRES_COMMAND_OK)
                c->changes = strtoll(PQcmdTuples(res), NULL, 10);
            continue;
        }
        PQclear(res);
    }
    if (!PQexitPipelineMode(c->conn) && r == DB_DONE) {
        pg_keep_message(c, PQerrorMessage(c->conn));
        r = DB_ERROR;
    }
    if (PQstatus(c->conn) != CONNECTION_OK)
        r = DB_LOST;
    return r;
}
