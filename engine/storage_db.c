/*
** The driver interface's dispatch: each call goes to the connection's
** driver.  See storage_db.h.
*/
#include "storage_db_impl.h"

#include <string.h>
#include <strings.h>

int db_is_url(const char *target)
{
    return target && (strncasecmp(target, "postgresql://", 13) == 0 ||
                      strncasecmp(target, "postgres://", 11) == 0);
}

void db_close(db *d)
{
    if (d)
        d->ops->close(d);
}

db_kind db_get_kind(const db *d) { return d->ops->kind; }
const char *db_errmsg(db *d) { return d->ops->errmsg(d); }
db_result db_last_result(db *d) { return d->last; }

db_stmt *db_prepare(db *d, const char *sql)
{
    db_stmt *st = d->ops->prepare(d, sql);
    if (st)
        d->last = DB_DONE;
    return st;
}

void db_finalize(db_stmt *st)
{
    if (st)
        st->owner->ops->finalize(st);
}

void db_bind_int64(db_stmt *st, int i, int64_t v) { st->owner->ops->bind_int64(st, i, v); }
void db_bind_double(db_stmt *st, int i, double v) { st->owner->ops->bind_double(st, i, v); }
void db_bind_text(db_stmt *st, int i, const char *v)
{
    if (v)
        st->owner->ops->bind_text(st, i, v);
    else
        st->owner->ops->bind_null(st, i);
}
void db_bind_null(db_stmt *st, int i) { st->owner->ops->bind_null(st, i); }

db_result db_step(db_stmt *st)
{
    db_result r = st->owner->ops->step(st);
    st->owner->last = r;
    return r;
}

void db_reset(db_stmt *st) { st->owner->ops->reset(st); }
int db_column_is_null(db_stmt *st, int i) { return st->owner->ops->column_is_null(st, i); }
int64_t db_column_int64(db_stmt *st, int i) { return st->owner->ops->column_int64(st, i); }
double db_column_double(db_stmt *st, int i) { return st->owner->ops->column_double(st, i); }
const char *db_column_text(db_stmt *st, int i) { return st->owner->ops->column_text(st, i); }
int64_t db_changes(db *d) { return d->ops->changes(d); }

db_result db_exec(db *d, const char *sql)
{
    return d->last = d->ops->exec(d, sql);
}

db_result db_begin(db *d) { return d->last = d->ops->begin(d); }
db_result db_commit(db *d) { return d->last = d->ops->commit(d); }
void db_rollback(db *d) { d->ops->rollback(d); }
int db_in_transaction(db *d) { return d->ops->in_transaction(d); }
db_result db_pipeline(db *d, int begin, db_stmt **stmts, int n, int commit)
{
    return d->last = d->ops->pipeline(d, begin, stmts, n, commit);
}

db_result db_reconnect(db *d) { return d->last = d->ops->reconnect(d); }
int db_server_version(db *d) { return d->ops->server_version(d); }
