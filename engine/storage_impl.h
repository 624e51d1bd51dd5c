/*
** Private to the storage module (storage*.c): the connection object, its
** statements in both dialects, and the helpers they share.
*/
#ifndef HP_STORAGE_IMPL_H
#define HP_STORAGE_IMPL_H

#include "error.h"
#include "storage.h"
#include "storage_db.h"

/* The database's clock in unix seconds: hp_now() is the server's clock on
** PostgreSQL, so hosts with skewed clocks agree on staleness; on SQLite it
** is the caller's (one host), and staleness is judged by watching
** heartbeats change rather than by comparing clocks (storage_trials.c). */
#define SQL_NOW "hp_now()"

#define SAME NULL

/* The SQLite text of a statement that only PostgreSQL prepares and runs. */
#define PG_ONLY NULL

/* "parameter N is NULL", typed: PostgreSQL cannot infer a parameter's type
** from IS NULL alone. */
#define NULL_TEXT(n) "CAST(?" #n " AS TEXT) IS NULL"
#define NULL_REAL(n) "CAST(?" #n " AS DOUBLE PRECISION) IS NULL"

/* X(member, sql, pg) for every statement prepared at open: PG is
** PostgreSQL's text where its dialect differs, SAME where it does not;
** SQL is PG_ONLY for a statement that SQLite never runs. */
#define STORE_STATEMENTS(X)                                                          \
    X(find_study, "SELECT study_id, name, direction, metric, sampler, space_hash, "  \
      "seed, trials, created_at FROM studies WHERE name = ?1", SAME)                 \
    X(insert_study, "INSERT INTO studies(name, direction, metric, sampler, config, " \
      "space_hash, seed, trials, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " \
      SQL_NOW ") RETURNING study_id", SAME)                                          \
    X(set_trials, "UPDATE studies SET trials = ?2 WHERE study_id = ?1", SAME)        \
    X(save_sampler_state, "INSERT INTO sampler_state(study_id, sampler, trials, state) " \
      "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(study_id, sampler) DO UPDATE SET "          \
      "trials = excluded.trials, state = excluded.state", SAME)                        \
    X(load_sampler_state, "SELECT trials, state FROM sampler_state WHERE "           \
      "study_id = ?1 AND sampler = ?2", SAME)                                          \
    X(study_config, "SELECT config FROM studies WHERE study_id = ?1", SAME)          \
    X(list_studies, "SELECT study_id, name, direction, metric, sampler, space_hash, " \
      "seed, trials, created_at FROM studies ORDER BY study_id", SAME)               \
    /* claims on one study queue here on PostgreSQL; SQLite's BEGIN IMMEDIATE     \
       already holds the only write lock */                                          \
    X(lock_study, PG_ONLY, "SELECT pg_advisory_xact_lock(?1::bigint)")          \
    X(running_trials, "SELECT trial_id, host, pid, instance, origin, heartbeat_at, " \
      "CASE WHEN heartbeat_at < " SQL_NOW " - ?2 THEN 1 ELSE 0 END FROM trials "     \
      "WHERE study_id = ?1 AND state = 'RUNNING' AND pid IS NOT NULL", SAME)         \
    /* ?3: the heartbeat the sweep judged stale; a worker that beat since keeps    \
       its trial */                                                                  \
    X(requeue, "UPDATE trials SET state = 'WAITING', worker = NULL, host = NULL, "   \
      "pid = NULL, instance = NULL, origin = NULL, started_at = NULL, "              \
      "heartbeat_at = NULL WHERE trial_id = ?1 AND state = 'RUNNING' AND "           \
      "(" NULL_TEXT(2) " OR worker = ?2) AND (" NULL_REAL(3) " OR heartbeat_at = ?3)",  \
      SAME)                                                                          \
    X(requeue_worker, "UPDATE trials SET state = 'WAITING', worker = NULL, "          \
      "host = NULL, pid = NULL, instance = NULL, origin = NULL, started_at = NULL, " \
      "heartbeat_at = NULL WHERE study_id = ?1 AND worker = ?2 AND state = 'RUNNING'",\
      SAME)                                                                          \
    /* the claim's arithmetic in one round trip, each part an index range */    \
    X(claim_counts, "SELECT (SELECT coalesce(max(number) + 1, 0) FROM trials WHERE " \
      "study_id = ?1), (SELECT count(*) FROM trials WHERE study_id = ?1 AND state = " \
      "'WAITING'), (SELECT count(*) FROM trials WHERE study_id = ?1 AND state = "      \
      "'RUNNING')", SAME)                                                            \
    X(first_waiting, "SELECT trial_id, number, seed, params_json FROM trials WHERE " \
      "study_id = ?1 AND state = 'WAITING' ORDER BY number LIMIT 1", SAME)           \
    X(start_trial, "UPDATE trials SET state = 'RUNNING', worker = ?2, host = ?3, "   \
      "pid = ?4, instance = ?5, origin = ?6, started_at = " SQL_NOW ", "             \
      "heartbeat_at = " SQL_NOW ", error = NULL WHERE trial_id = ?1", SAME)          \
    /* a model-based sampler's new trial is claimed with its parameters        \
       pending (params_json ''): they are proposed outside the claim's          \
       transaction, and set_proposal stores them.  On SQLite other samplers    \
       propose inside it, in microseconds */                                                 \
    X(insert_trial, "INSERT INTO trials(study_id, number, state, params_json, seed, "\
      "worker, host, pid, instance, origin, started_at, heartbeat_at, sampler, "     \
      "study_seed) VALUES(?1, ?2, 'RUNNING', ?3, ?4, ?5, ?6, ?7, ?8, ?9, " SQL_NOW   \
      ", " SQL_NOW ", ?10, ?11) RETURNING trial_id", SAME)                           \
    /* proposals of one study queue here: a session lock, held outside any  \
       transaction; study ids are positive, schema and claims use others */      \
    X(lock_proposals, PG_ONLY, "SELECT pg_advisory_lock(-1000 - ?1::bigint)")     \
    X(unlock_proposals, PG_ONLY, "SELECT pg_advisory_unlock(-1000 - ?1::bigint)") \
    /* PostgreSQL: the whole claim on the server (schema 5), see           \
       storage_open.c; a pipeline runs it, never twice by itself */              \
    X(claim_trial, PG_ONLY, "SELECT claim_status, claim_id, claim_number, "       \
      "claim_seed, claim_params FROM hpsearch_claim(?1::bigint, ?2::bigint, "       \
      "?3::bigint, ?4::text, ?5::text, ?6::integer, ?7::text, ?8::text)")           \
    X(set_proposal, "UPDATE trials SET params_json = ?3, seed = ?4, sampler = ?5, "  \
      "study_seed = ?6 WHERE trial_id = ?1 AND state = 'RUNNING' AND worker = ?2 "   \
      "AND params_json = ''", SAME)                                                  \
    X(set_promising, "UPDATE trials SET promising = ?2 WHERE trial_id = ?1", SAME)  \
    X(trial_promising, "SELECT coalesce(promising, 0) FROM trials WHERE "          \
      "trial_id = ?1", SAME)                                                         \
    X(insert_param, "INSERT INTO trial_params(trial_id, name, value, text) "         \
      "VALUES(?1, ?2, ?3, ?4)", SAME)                                                \
    /* PostgreSQL: set_proposal with the parameters (schema 5) */                \
    X(set_proposal_json, PG_ONLY, "SELECT hpsearch_propose(?1::bigint, ?2::text, "  \
      "?3::text, ?4::bigint, ?5::text, ?6::bigint, ?7::text)")                      \
    X(trial_params, "SELECT p.name, p.value, p.text FROM trial_params p, "           \
      "json_each((SELECT nullif(params_json, '') FROM trials WHERE trial_id = ?1)) j "           \
      "WHERE p.trial_id = ?1 AND p.name = j.key ORDER BY j.id",                      \
      "SELECT p.name, p.value, p.text FROM trial_params p JOIN json_each((SELECT "   \
      "nullif(params_json, '')::json FROM trials WHERE trial_id = ?1)) WITH ORDINALITY "         \
      "j(key, value, ord) ON p.name = j.key WHERE p.trial_id = ?1 ORDER BY j.ord")   \
    X(finish_trial, "UPDATE trials SET state = ?3, value = ?4, error = ?5, output = ?6, "\
      "finished_at = " SQL_NOW ", heartbeat_at = " SQL_NOW " WHERE trial_id = ?1 "   \
      "AND state = 'RUNNING' AND (" NULL_TEXT(2) " OR worker = ?2)", SAME)           \
    /* PostgreSQL: finishing as one call (schema 5), its own transaction;    \
       answers whether the trial was still running under the worker */        \
    X(finish_json, PG_ONLY, "SELECT hpsearch_finish(?1::bigint, ?2::text, ?3::text, "\
      "?4::float8, ?5::text, ?6::text, ?7::text)")                                  \
    /* after a lost connection: did our own finish commit after all? */            \
    X(finished_by, "SELECT 1 FROM trials WHERE trial_id = ?1 AND state = ?2 AND "    \
      "worker = ?3", SAME)                                                           \
    X(insert_value, "INSERT INTO trial_values(trial_id, step, name, value) "         \
      "VALUES(?1, ?2, ?3, ?4)", SAME)                                                \
    /* PostgreSQL locks the row, so no re-queue slips in before the report */      \
    X(is_running, "SELECT 1 FROM trials WHERE trial_id = ?1 AND state = 'RUNNING' AND " \
      "(" NULL_TEXT(2) " OR worker = ?2)",                                           \
      "SELECT 1 FROM trials WHERE trial_id = ?1 AND state = 'RUNNING' AND "          \
      "(" NULL_TEXT(2) " OR worker = ?2) FOR UPDATE")                                \
    X(delete_value, "DELETE FROM trial_values WHERE trial_id = ?1 AND step = ?2 AND " \
      "name = ?3", SAME)                                                             \
    X(failed_trials, "SELECT trial_id FROM trials WHERE study_id = ?1 AND state = "  \
      "'FAILED' ORDER BY number", SAME)                                              \
    X(retry_trial, "UPDATE trials SET state = 'WAITING', value = NULL, error = NULL, " \
      "output = NULL, worker = NULL, host = NULL, pid = NULL, instance = NULL, "     \
      "origin = NULL, started_at = NULL, finished_at = NULL, heartbeat_at = NULL "   \
      "WHERE trial_id = ?1 AND state = 'FAILED'", SAME)                              \
    X(drop_values, "DELETE FROM trial_values WHERE trial_id = ?1", SAME)             \
    X(sampler_runs, "SELECT coalesce(sampler, ''), study_seed, min(number), max(number), "\
      "count(*) FROM trials WHERE study_id = ?1 GROUP BY sampler, study_seed "       \
      "ORDER BY min(number)", SAME)                                                  \
    X(heartbeat, "UPDATE trials SET heartbeat_at = " SQL_NOW " WHERE state = "       \
      "'RUNNING' AND instance = ?1", SAME)                                           \
    X(owner_of, "SELECT instance, pid FROM trials WHERE trial_id = ?1 AND state = "  \
      "'RUNNING'", SAME)                                                             \
    X(state_counts, "SELECT state, count(*) FROM trials WHERE study_id = ?1 "        \
      "GROUP BY state", SAME)                                                        \
    X(promising_counts, "SELECT state, count(*) FROM trials WHERE study_id = ?1 "    \
      "AND promising = 1 GROUP BY state", SAME)                                      \
    X(best_max, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND t.state = 'COMPLETE' AND " \
      "t.value IS NOT NULL ORDER BY t.value DESC, t.number LIMIT 1", PG_ROWS)        \
    X(best_min, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND t.state = 'COMPLETE' AND " \
      "t.value IS NOT NULL ORDER BY t.value ASC, t.number LIMIT 1", PG_ROWS)         \
    X(list_by_number, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND (" NULL_TEXT(2) " OR "  \
      "t.state = ?2) ORDER BY t.number LIMIT ?3", PG_ROWS)                           \
    X(list_by_value_max, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND (" NULL_TEXT(2) " OR "  \
      "t.state = ?2) ORDER BY t.value IS NULL, t.value DESC, t.number LIMIT ?3",     \
      PG_ROWS)                                                                       \
    X(list_by_value_min, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND (" NULL_TEXT(2) " OR "  \
      "t.state = ?2) ORDER BY t.value IS NULL, t.value ASC, t.number LIMIT ?3",      \
      PG_ROWS)                                                                       \
    X(trial_by_number, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND t.number = ?2",     \
      PG_ROWS)                                                                       \
    /* every trial's: a conditional parameter is absent where inactive */        \
    X(param_names, "SELECT j.key FROM trials t, json_each(t.params_json) j WHERE "    \
      "t.study_id = ?1 AND t.params_json <> '' GROUP BY j.key "                      \
      "ORDER BY min(t.number), min(j.id)",                                           \
      "SELECT j.key FROM trials t, json_each(t.params_json::json) WITH ORDINALITY "  \
      "j(key, value, ord) WHERE t.study_id = ?1 AND t.params_json <> '' "            \
      "GROUP BY j.key ORDER BY min(t.number), min(j.ord)")                           \
    X(metric_names, "SELECT v.name FROM trial_values v JOIN trials t USING(trial_id) "\
      "WHERE t.study_id = ?1 AND v.step IS NULL GROUP BY v.name "                   \
      "ORDER BY min(t.number), min(v.rowid)",                                        \
      "SELECT v.name FROM trial_values v JOIN trials t USING(trial_id) "             \
      "WHERE t.study_id = ?1 AND v.step IS NULL GROUP BY v.name "                   \
      "ORDER BY min(t.number), min(v.value_id)")                                     \
    X(finals_since, "SELECT t.number, v.name, v.value FROM trials t JOIN trial_values v "\
      "ON v.trial_id = t.trial_id AND v.step IS NULL WHERE t.study_id = ?1 AND "     \
      "t.number >= ?2 AND t.state = 'COMPLETE' ORDER BY t.number", SAME)             \
    X(history_since, "SELECT t.number, t.state, t.value, p.name, p.value, p.text "    \
      "FROM trials t LEFT JOIN trial_params p ON p.trial_id = t.trial_id WHERE "     \
      "t.study_id = ?1 AND t.number >= ?2 ORDER BY t.number", SAME)                  \
    X(values_at_step, "SELECT v.value FROM trials t JOIN trial_values v ON "          \
      "v.trial_id = t.trial_id AND v.name = ?3 AND v.step = ?4 WHERE t.study_id = ?1 "\
      "AND t.number < ?2", SAME)                                                     \
    X(behind, "SELECT count(*) FROM trials t WHERE t.study_id = ?1 AND t.number < ?2 " \
      "AND t.state = 'RUNNING' AND NOT EXISTS (SELECT 1 FROM trial_values v WHERE "  \
      "v.trial_id = t.trial_id AND v.name = ?3 AND v.step >= ?4)", SAME)             \
    X(best_so_far_max, "SELECT max(value) FROM trial_values WHERE trial_id = ?1 AND "\
      "name = ?2 AND step IS NOT NULL", SAME)                                        \
    X(best_so_far_min, "SELECT min(value) FROM trial_values WHERE trial_id = ?1 AND "\
      "name = ?2 AND step IS NOT NULL", SAME)                                        \
    X(pruned_steps, "SELECT count(*), coalesce(sum(v.value), 0) FROM trials t JOIN "  \
      "trial_values v ON v.trial_id = t.trial_id AND v.name = 'pruned_step' AND "    \
      "v.step IS NULL WHERE t.study_id = ?1 AND t.state = 'PRUNED'", SAME)           \
    X(study_params, "SELECT t.number, p.name, p.value, p.text FROM trials t JOIN "  \
      "trial_params p ON p.trial_id = t.trial_id WHERE t.study_id = ?1 "             \
      "ORDER BY t.number", SAME)                                                     \
    X(study_metrics, "SELECT t.number, v.name, v.value FROM trials t JOIN trial_values v "\
      "ON v.trial_id = t.trial_id AND v.step IS NULL WHERE t.study_id = ?1 "         \
      "ORDER BY t.number, v.rowid",                                                  \
      "SELECT t.number, v.name, v.value FROM trials t JOIN trial_values v "          \
      "ON v.trial_id = t.trial_id AND v.step IS NULL WHERE t.study_id = ?1 "         \
      "ORDER BY t.number, v.value_id")                                               \
    X(study_curves, "SELECT t.number, v.step, v.value FROM trials t JOIN trial_values "\
      "v ON v.trial_id = t.trial_id AND v.name = ?2 AND v.step IS NOT NULL WHERE "    \
      "t.study_id = ?1 ORDER BY t.number, v.step", SAME)                             \
    X(trial_metric, "SELECT value FROM trial_values WHERE trial_id = ?1 AND "        \
      "name = ?2 AND step IS NULL ORDER BY rowid DESC LIMIT 1",                      \
      "SELECT value FROM trial_values WHERE trial_id = ?1 AND "                      \
      "name = ?2 AND step IS NULL ORDER BY value_id DESC LIMIT 1")                   \
    X(copy_trials, "SELECT trial_id, number, state, value, params_json, seed, worker, " \
      "host, pid, started_at, finished_at, heartbeat_at, error, output, sampler, "   \
      "study_seed, promising FROM trials WHERE study_id = ?1 ORDER BY number", SAME) \
    X(copy_params, "SELECT p.trial_id, p.name, p.value, p.text FROM trials t JOIN "  \
      "trial_params p ON p.trial_id = t.trial_id WHERE t.study_id = ?1", SAME)       \
    X(copy_values, "SELECT v.trial_id, v.step, v.name, v.value FROM trials t JOIN "  \
      "trial_values v ON v.trial_id = t.trial_id WHERE t.study_id = ?1 "             \
      "ORDER BY t.number, v.rowid",                                                  \
      "SELECT v.trial_id, v.step, v.name, v.value FROM trials t JOIN "               \
      "trial_values v ON v.trial_id = t.trial_id WHERE t.study_id = ?1 "             \
      "ORDER BY t.number, v.value_id")                                               \
    X(copy_study, "INSERT INTO studies(name, direction, metric, sampler, config, "   \
      "space_hash, seed, trials, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "\
      "RETURNING study_id", SAME)                                                    \
    /* a trial running at the source is copied WAITING: its owner runs it      \
       there, not here */                                                            \
    X(copy_trial, "INSERT INTO trials(study_id, number, state, value, params_json, "  \
      "seed, worker, host, pid, started_at, finished_at, heartbeat_at, error, output, "\
      "sampler, study_seed, promising) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "   \
      "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) RETURNING trial_id", SAME)

/* A trial as the query commands read it: the final metrics as one JSON
** object by name, numbers exact and written alike by both databases. */
#define TRIAL_COLUMNS                                                                \
    "SELECT t.trial_id, t.number, t.state, t.value, t.params_json, "                \
    "(SELECT '{' || group_concat(json_quote(name) || ':' || coalesce(hp_number(value), "\
    "'null'), ',') || '}' FROM (SELECT v.name, v.value FROM trial_values v WHERE "   \
    "v.trial_id = t.trial_id AND v.step IS NULL ORDER BY v.name, v.rowid)), "        \
    "t.started_at, t.finished_at, t.heartbeat_at, t.worker, t.error, t.seed FROM trials t"
#define TRIAL_COLUMNS_PG                                                             \
    "SELECT t.trial_id, t.number, t.state, t.value, t.params_json, "                \
    "(SELECT '{' || string_agg(to_json(v.name)::text || ':' || "                     \
    "coalesce(v.value::text, 'null'), ',' ORDER BY v.name, v.value_id) || '}' FROM " \
    "trial_values v WHERE v.trial_id = t.trial_id AND v.step IS NULL), "             \
    "t.started_at, t.finished_at, t.heartbeat_at, t.worker, t.error, t.seed FROM trials t"

/* The PostgreSQL text of a TRIAL_COLUMNS statement is made at prepare by
** swapping the column list. */
#define PG_ROWS ""

struct hp_store {
    db *db;
    char *path;                  /* the file, or the URL without a password */
    uint64_t jitter;             /* xorshift state for retry back-off only */
    double last_recovery;        /* monotonic seconds of the last stale sweep */
    int read_only;               /* opened read-only: an archived study */
    double retry_seconds;        /* how long a lost server is waited for */
    int in_retry;                /* inside store_retrying: conflicts retry */
    int serial_proposals;        /* see store_serialize_proposals */
    int lock_fd;                 /* SQLite: the proposal lock file, -1 if not open */
    struct store_seen *seen;     /* heartbeats watched (SQLite staleness) */
    int n_seen, cap_seen;
#define X(member, sql, pg) db_stmt *member;
    STORE_STATEMENTS(X)
#undef X
};

/* An internal code: the transaction met a lost connection or a conflict
** and may be run again (never returned above the storage module). */
#define STORE_ERETRY (-100)

/* Formats "what: message" into err.  Returns HP_EINPUT for a damaged file,
** STORE_ERETRY inside store_retrying when the last
** result was DB_LOST or DB_BUSY, HP_ESTORAGE
** otherwise. */
int store_fail(hp_store *s, const char *what, char *err);

/* Runs ONCE (a function of the store, its argument and err) until it does
** not return STORE_ERETRY: rolls back, waits with back-off and reconnects
** while the server is lost, up to s->retry_seconds.  Returns ONCE's code,
** or HP_ESTORAGE with a message when the time is up. */
int store_retrying(hp_store *s, int (*once)(hp_store *s, void *arg, char *err), void *arg,
                   char *err);

/* Begins a write transaction (retrying while SQLite is busy).  Returns
** HP_OK, STORE_ERETRY or HP_ESTORAGE. */
int store_begin(hp_store *s, char *err);
int store_commit(hp_store *s, char *err);
void store_rollback(hp_store *s);

/* Steps a statement that returns no rows (or whose rows are not needed),
** then resets it. */
db_result store_exec_stmt(db_stmt *st);

/* Sleeps a jittered few milliseconds before retrying a busy database. */
void store_backoff(hp_store *s);

/* Runs SQL (no rows), retrying while the database is busy. */
int store_exec_sql(hp_store *s, const char *sql, char *err);

/* Re-queues the study's RUNNING trials whose claimer is gone, as WHO (the
** claimer sweeping) judges it: STALE_AFTER seconds without a heartbeat, or
** a dead pid on WHO's machine.  Inside a transaction (storage_stale.c). */
int store_recover_stale(hp_store *s, int64_t study_id, double stale_after,
                        const hp_claimer *who, char *err);

/* Proposals (storage_propose.c).  SQLite: stores the parameters of a
** claimed trial (and the model's verdict on it), inside a transaction. */
int store_insert_params(hp_store *s, const hp_claim *c, char *err);
/* Stores claim C's proposal if WORKER still holds the trial with its
** parameters pending (*STORED 1; 0 when it was taken meanwhile). */
int store_proposal(hp_store *s, const hp_claim *c, const char *worker, int *stored, char *err);
/* The lock under which model-based proposals of study STUDY_ID take turns:
** a session advisory lock on PostgreSQL, a lock file beside SQLite's. */
int store_lock_proposals(hp_store *s, int64_t study_id, char *err);
void store_unlock_proposals(hp_store *s, int64_t study_id);

/* Puts a RUNNING trial back to WAITING, if WORKER (NULL: anyone) holds it
** and its heartbeat is still HEARTBEAT (NaN: any).  Inside a transaction. */
int store_requeue(hp_store *s, int64_t trial_id, const char *worker, double heartbeat,
                  char *err);


/* How long a lost PostgreSQL server is waited for, unless the
** environment's HPSEARCH_STORAGE_RETRY says otherwise (seconds). */
#define STORE_RETRY_SECONDS 60.0

/* The schema (storage_schema.c): SQLite's steps, step v taking a database
** from version v to v + 1; PostgreSQL's version 4 made whole, and the step
** to version 5. */
extern const char *const store_sqlite_migrations[STORE_SCHEMA_VERSION];
extern const char *const store_pg_schema_v4;
extern const char *const store_pg_schema_v5;
extern const char *const store_pg_schema_v6;
extern const char *const store_pg_schema_v7;
extern const char *const store_pg_schema_v8;

/* Prepares every statement in the connection's dialect. */
int store_prepare_all(hp_store *s, char *err);

/* Reads the TRIAL_COLUMNS row under ST into ROW (strings point into ST). */
void store_read_trial_row(db_stmt *st, hp_trial_row *row);

/* The column as a double, NaN for NULL. */
double store_column_or_nan(db_stmt *st, int i);

#endif
