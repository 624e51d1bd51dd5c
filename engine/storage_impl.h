/*
** Private to the storage module (storage*.c): the connection object, its
** prepared statements, and the helpers they share.
*/
#ifndef HP_STORAGE_IMPL_H
#define HP_STORAGE_IMPL_H

#include <sqlite3.h>

#include "error.h"
#include "storage.h"

/* The database's own clock, in unix seconds with millisecond resolution;
** every timestamp uses it, so hosts with skewed clocks agree on staleness. */
#define SQL_NOW "((julianday('now') - 2440587.5) * 86400.0)"

/* X(member, sql) for every statement prepared at open. */
#define STORE_STATEMENTS(X)                                                          \
    X(begin_immediate, "BEGIN IMMEDIATE")                                            \
    X(commit, "COMMIT")                                                              \
    X(rollback, "ROLLBACK")                                                          \
    X(find_study, "SELECT study_id, name, direction, metric, sampler, space_hash, "  \
      "seed, trials, created_at FROM studies WHERE name = ?1")                       \
    X(insert_study, "INSERT INTO studies(name, direction, metric, sampler, config, " \
      "space_hash, seed, trials, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " \
      SQL_NOW ")")                                                                   \
    X(set_trials, "UPDATE studies SET trials = ?2 WHERE study_id = ?1")              \
    X(study_config, "SELECT config FROM studies WHERE study_id = ?1")                \
    X(list_studies, "SELECT study_id, name, direction, metric, sampler, space_hash, " \
      "seed, trials, created_at FROM studies ORDER BY study_id")                     \
    X(running_trials, "SELECT trial_id, host, pid, heartbeat_at < " SQL_NOW " - ?2 " \
      "FROM trials WHERE study_id = ?1 AND state = 'RUNNING' AND pid IS NOT NULL")   \
    X(requeue, "UPDATE trials SET state = 'WAITING', worker = NULL, host = NULL, "   \
      "pid = NULL, started_at = NULL, heartbeat_at = NULL WHERE trial_id = ?1 AND "  \
      "state = 'RUNNING' AND (?2 IS NULL OR worker = ?2)")                           \
    X(max_number, "SELECT coalesce(max(number) + 1, 0) FROM trials WHERE study_id = ?1")\
    X(count_state, "SELECT count(*) FROM trials WHERE study_id = ?1 AND state = ?2") \
    X(first_waiting, "SELECT trial_id, number, seed, params_json FROM trials WHERE " \
      "study_id = ?1 AND state = 'WAITING' ORDER BY number LIMIT 1")                 \
    X(start_trial, "UPDATE trials SET state = 'RUNNING', worker = ?2, host = ?3, "   \
      "pid = ?4, started_at = " SQL_NOW ", heartbeat_at = " SQL_NOW ", error = NULL " \
      "WHERE trial_id = ?1")                                                         \
    X(insert_trial, "INSERT INTO trials(study_id, number, state, params_json, seed, "\
      "worker, host, pid, started_at, heartbeat_at, sampler, study_seed) VALUES(?1, ?2,"\
      " 'RUNNING', ?3, ?4, ?5, ?6, ?7, " SQL_NOW ", " SQL_NOW ", ?8, ?9)")           \
    X(insert_param, "INSERT INTO trial_params(trial_id, name, value, text) "         \
      "VALUES(?1, ?2, ?3, ?4)")                                                      \
    X(trial_params, "SELECT p.name, p.value, p.text FROM trial_params p, "           \
      "json_each((SELECT params_json FROM trials WHERE trial_id = ?1)) j "           \
      "WHERE p.trial_id = ?1 AND p.name = j.key ORDER BY j.id")                      \
    X(finish_trial, "UPDATE trials SET state = ?3, value = ?4, error = ?5, output = ?6, "\
      "finished_at = " SQL_NOW ", heartbeat_at = " SQL_NOW " WHERE trial_id = ?1 "   \
      "AND state = 'RUNNING' AND (?2 IS NULL OR worker = ?2)")                       \
    X(insert_value, "INSERT INTO trial_values(trial_id, step, name, value) "         \
      "VALUES(?1, ?2, ?3, ?4)")                                                      \
    X(is_running, "SELECT 1 FROM trials WHERE trial_id = ?1 AND state = 'RUNNING' AND " \
      "(?2 IS NULL OR worker = ?2)")                                                 \
    X(delete_value, "DELETE FROM trial_values WHERE trial_id = ?1 AND step = ?2 AND " \
      "name = ?3")                                                                   \
    X(failed_trials, "SELECT trial_id FROM trials WHERE study_id = ?1 AND state = "  \
      "'FAILED' ORDER BY number")                                                    \
    X(retry_trial, "UPDATE trials SET state = 'WAITING', value = NULL, error = NULL, " \
      "output = NULL, worker = NULL, host = NULL, pid = NULL, started_at = NULL, "   \
      "finished_at = NULL, heartbeat_at = NULL WHERE trial_id = ?1 AND state = 'FAILED'")\
    X(drop_values, "DELETE FROM trial_values WHERE trial_id = ?1")                   \
    X(sampler_runs, "SELECT coalesce(sampler, ''), study_seed, min(number), max(number), "\
      "count(*) FROM trials WHERE study_id = ?1 GROUP BY sampler, study_seed "       \
      "ORDER BY min(number)")                                                        \
    X(heartbeat, "UPDATE trials SET heartbeat_at = " SQL_NOW " WHERE state = "       \
      "'RUNNING' AND host = ?1 AND pid = ?2")                                        \
    X(state_counts, "SELECT state, count(*) FROM trials WHERE study_id = ?1 "        \
      "GROUP BY state")                                                              \
    X(best_max, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND t.state = 'COMPLETE' AND " \
      "t.value IS NOT NULL ORDER BY t.value DESC, t.number LIMIT 1")                 \
    X(best_min, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND t.state = 'COMPLETE' AND " \
      "t.value IS NOT NULL ORDER BY t.value ASC, t.number LIMIT 1")                  \
    X(list_by_number, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND (?2 IS NULL OR "     \
      "t.state = ?2) ORDER BY t.number LIMIT ?3")                                    \
    X(list_by_value_max, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND (?2 IS NULL OR "  \
      "t.state = ?2) ORDER BY t.value IS NULL, t.value DESC, t.number LIMIT ?3")     \
    X(list_by_value_min, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND (?2 IS NULL OR "  \
      "t.state = ?2) ORDER BY t.value IS NULL, t.value ASC, t.number LIMIT ?3")      \
    X(trial_by_number, TRIAL_COLUMNS " WHERE t.study_id = ?1 AND t.number = ?2")     \
    X(param_names, "SELECT key FROM json_each((SELECT params_json FROM trials "      \
      "WHERE study_id = ?1 ORDER BY number LIMIT 1)) ORDER BY id")                   \
    X(metric_names, "SELECT v.name FROM trial_values v JOIN trials t USING(trial_id) "\
      "WHERE t.study_id = ?1 AND v.step IS NULL GROUP BY v.name "                   \
      "ORDER BY min(t.number), min(v.rowid)")                                        \
    X(history, "SELECT trial_id, state, value FROM trials WHERE study_id = ?1 AND "   \
      "state IN ('COMPLETE', 'FAILED', 'RUNNING') ORDER BY number")                   \
    X(values_at_step, "SELECT v.value FROM trials t JOIN trial_values v ON "          \
      "v.trial_id = t.trial_id AND v.name = ?3 AND v.step = ?4 WHERE t.study_id = ?1 "\
      "AND t.number < ?2")                                                           \
    X(behind, "SELECT count(*) FROM trials t WHERE t.study_id = ?1 AND t.number < ?2 " \
      "AND t.state = 'RUNNING' AND NOT EXISTS (SELECT 1 FROM trial_values v WHERE "  \
      "v.trial_id = t.trial_id AND v.name = ?3 AND v.step >= ?4)")                   \
    X(best_so_far_max, "SELECT max(value) FROM trial_values WHERE trial_id = ?1 AND "\
      "name = ?2 AND step IS NOT NULL")                                              \
    X(best_so_far_min, "SELECT min(value) FROM trial_values WHERE trial_id = ?1 AND "\
      "name = ?2 AND step IS NOT NULL")                                              \
    X(pruned_steps, "SELECT count(*), coalesce(sum(v.value), 0) FROM trials t JOIN "  \
      "trial_values v ON v.trial_id = t.trial_id AND v.name = 'pruned_step' AND "    \
      "v.step IS NULL WHERE t.study_id = ?1 AND t.state = 'PRUNED'")                 \
    X(study_params, "SELECT t.number, p.name, p.value, p.text FROM trials t JOIN "  \
      "trial_params p ON p.trial_id = t.trial_id WHERE t.study_id = ?1 "             \
      "ORDER BY t.number")                                                           \
    X(study_curves, "SELECT t.number, v.step, v.value FROM trials t JOIN trial_values "\
      "v ON v.trial_id = t.trial_id AND v.name = ?2 AND v.step IS NOT NULL WHERE "    \
      "t.study_id = ?1 ORDER BY t.number, v.step")                                   \
    X(trial_metric, "SELECT value FROM trial_values WHERE trial_id = ?1 AND "        \
      "name = ?2 AND step IS NULL ORDER BY rowid DESC LIMIT 1")

#define TRIAL_COLUMNS                                                                \
    "SELECT t.trial_id, t.number, t.state, t.value, t.params_json, "                \
    "(SELECT json_group_object(v.name, v.value) FROM trial_values v WHERE "          \
    "v.trial_id = t.trial_id AND v.step IS NULL), t.started_at, t.finished_at, "     \
    "t.heartbeat_at, t.worker, t.error, t.seed FROM trials t"

struct hp_store {
    sqlite3 *db;
    char *path;
    uint64_t jitter;             /* xorshift state for retry back-off only */
    double last_recovery;        /* monotonic seconds of the last stale sweep */
    int read_only;               /* opened read-only: an archived study */
#define X(member, sql) sqlite3_stmt *member;
    STORE_STATEMENTS(X)
#undef X
};

/* Formats "what: sqlite message" into err and returns HP_ESTORAGE. */
int store_fail(hp_store *s, const char *what, char *err);

/* Begins a write transaction, retrying with jittered back-off while the
** database is busy.  Returns HP_OK or HP_ESTORAGE. */
int store_begin(hp_store *s, char *err);
int store_commit(hp_store *s, char *err);
void store_rollback(hp_store *s);

/* Steps a statement that returns no rows, then resets it.  Returns the
** sqlite code (SQLITE_DONE on success). */
int store_exec_stmt(sqlite3_stmt *st);

/* Sleeps a jittered few milliseconds before retrying a busy database. */
void store_backoff(hp_store *s);

/* Runs SQL (no rows), retrying while the database is busy. */
int store_exec_sql(hp_store *s, const char *sql, char *err);

/* PRAGMA user_version into *version; HP_EINPUT for a file that is not a
** database. */
int store_user_version(hp_store *s, int *version, char *err);

/* The number of schema objects, or -1 when it cannot be read now (busy). */
int store_table_count(hp_store *s);

/* Brings the schema to STORE_SCHEMA_VERSION inside one transaction. */
int store_migrate(hp_store *s, char *err);

/* Reads the TRIAL_COLUMNS row under ST into ROW (strings point into ST). */
void store_read_trial_row(sqlite3_stmt *st, hp_trial_row *row);

#endif
