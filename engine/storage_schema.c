/*
** Storage: the schema's text, version by version, for SQLite and for
** PostgreSQL.  storage_open.c creates and migrates with it.
*/
#include "storage_impl.h"

/* SQLite's view of a trial with its final metrics; made by version 1 and
** made again by version 6, which rebuilds the table under it. */
#define SQLITE_TRIAL_SUMMARY_VIEW \
    "CREATE VIEW trial_summary AS SELECT" \
    " s.name AS study, t.number, t.state, t.value," \
    " t.finished_at - t.started_at AS duration," \
    " t.params_json AS params," \
    " (SELECT json_group_object(v.name, v.value) FROM trial_values v" \
    "   WHERE v.trial_id = t.trial_id AND v.step IS NULL) AS metrics," \
    " datetime(t.started_at, 'unixepoch') AS started," \
    " t.error, t.trial_id, t.study_id" \
    " FROM trials t JOIN studies s ON s.study_id = t.study_id;"

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
    SQLITE_TRIAL_SUMMARY_VIEW;

/* Version 2: the last lines a command objective printed, for every trial. */
static const char *const schema_v2 = "ALTER TABLE trials ADD COLUMN output TEXT;";

/* Version 3: which sampler (and study seed) proposed each trial, so that a
** study whose file changed sampler or seed says so instead of mixing them
** silently. */
static const char *const schema_v3 =
    "ALTER TABLE trials ADD COLUMN sampler TEXT;"
    "ALTER TABLE trials ADD COLUMN study_seed INTEGER;";

/* Version 4: who holds a running trial, beyond host and pid: a random id
** per process, and the machine boot and PID namespace its pid lives in. */
static const char *const schema_v4 =
    "ALTER TABLE trials ADD COLUMN instance TEXT;"
    "ALTER TABLE trials ADD COLUMN origin TEXT;";

/* Version 5: what a model-based sampler fitted (its hyperparameters, as its
** own text) and on how many trials, so that a new process (`ask`, a second
** `run`) starts from the last fit instead of fitting from scratch. */
static const char *const schema_v5 =
    "CREATE TABLE sampler_state("
    " study_id INTEGER NOT NULL REFERENCES studies(study_id),"
    " sampler TEXT NOT NULL,"
    " trials INTEGER NOT NULL,"
    " state TEXT NOT NULL,"
    " PRIMARY KEY(study_id, sampler));";

/* Version 6: multi-objective studies, whose direction is a list
** ("maximize, minimize"): SQLite cannot change a CHECK constraint, so the
** table is rebuilt (the view over it dropped and made again). */
#define DIRECTIONS                                                              \
    "'minimize', 'maximize', 'minimize, minimize', " \
    "'minimize, maximize', 'maximize, minimize', " \
    "'maximize, maximize', 'minimize, minimize, minimize', " \
    "'minimize, minimize, maximize', " \
    "'minimize, maximize, minimize', " \
    "'minimize, maximize, maximize', " \
    "'maximize, minimize, minimize', " \
    "'maximize, minimize, maximize', " \
    "'maximize, maximize, minimize', " \
    "'maximize, maximize, maximize'"

static const char *const schema_v6 =
    "DROP VIEW trial_summary;"
    "CREATE TABLE studies_v6("
    " study_id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " direction TEXT NOT NULL CHECK(direction IN (" DIRECTIONS ")),"
    " metric TEXT NOT NULL,"
    " sampler TEXT NOT NULL,"
    " config TEXT NOT NULL,"
    " space_hash TEXT NOT NULL,"
    " seed INTEGER NOT NULL,"
    " trials INTEGER NOT NULL,"
    " created_at REAL NOT NULL);"
    "INSERT INTO studies_v6 SELECT study_id, name, direction, metric, sampler, config,"
    " space_hash, seed, trials, created_at FROM studies;"
    "DROP TABLE studies;"
    "ALTER TABLE studies_v6 RENAME TO studies;"
    SQLITE_TRIAL_SUMMARY_VIEW;

/* Version 7: whether the sampler's model predicted a trial among the best
** when it proposed it (NULL: no model, or proposed before version 7); the
** asha pruner lets such a trial past its first rung, in every process. */
static const char *const schema_v7 = "ALTER TABLE trials ADD COLUMN promising INTEGER;";

const char *const store_sqlite_migrations[STORE_SCHEMA_VERSION] = {
    schema_v1, schema_v2, schema_v3, schema_v4, schema_v5, schema_v6, schema_v7};

/* PostgreSQL's schema, created at version 4 in one step: the same tables
** and columns as SQLite's, in PostgreSQL's types.  trial_values.value_id
** keeps the order rows were written in, which SQLite's rowid gives. */
const char *const store_pg_schema_v4 =
    "CREATE TABLE hpsearch_schema(version INTEGER NOT NULL);"
    "CREATE TABLE studies("
    " study_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " direction TEXT NOT NULL CHECK(direction IN ('minimize', 'maximize')),"
    " metric TEXT NOT NULL,"
    " sampler TEXT NOT NULL,"
    " config TEXT NOT NULL,"
    " space_hash TEXT NOT NULL,"
    " seed BIGINT NOT NULL,"
    " trials BIGINT NOT NULL,"
    " created_at DOUBLE PRECISION NOT NULL);"
    "CREATE TABLE trials("
    " trial_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    " study_id BIGINT NOT NULL REFERENCES studies(study_id),"
    " number BIGINT NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN "
    "  ('WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAILED')),"
    " value DOUBLE PRECISION,"
    " params_json TEXT NOT NULL,"
    " seed BIGINT NOT NULL,"
    " worker TEXT,"
    " host TEXT,"
    " pid INTEGER,"
    " started_at DOUBLE PRECISION,"
    " finished_at DOUBLE PRECISION,"
    " heartbeat_at DOUBLE PRECISION,"
    " error TEXT,"
    " output TEXT,"
    " sampler TEXT,"
    " study_seed BIGINT,"
    " instance TEXT,"
    " origin TEXT,"
    " UNIQUE(study_id, number));"
    "CREATE INDEX trials_by_state ON trials(study_id, state, number);"
    "CREATE INDEX trials_by_value ON trials(study_id, state, value);"
    "CREATE TABLE trial_params("
    " trial_id BIGINT NOT NULL REFERENCES trials(trial_id),"
    " name TEXT NOT NULL,"
    " value DOUBLE PRECISION,"
    " text TEXT,"
    " PRIMARY KEY(trial_id, name));"
    "CREATE TABLE trial_values("
    " value_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    " trial_id BIGINT NOT NULL REFERENCES trials(trial_id),"
    " step BIGINT,"
    " name TEXT NOT NULL,"
    " value DOUBLE PRECISION);"
    "CREATE INDEX trial_values_by_trial ON trial_values(trial_id, name, step);"
    "CREATE VIEW trial_summary AS SELECT"
    " s.name AS study, t.number, t.state, t.value,"
    " t.finished_at - t.started_at AS duration,"
    " t.params_json AS params,"
    " (SELECT json_object_agg(v.name, v.value ORDER BY v.value_id) FROM trial_values v"
    "   WHERE v.trial_id = t.trial_id AND v.step IS NULL)::text AS metrics,"
    " to_timestamp(t.started_at) AS started,"
    " t.error, t.trial_id, t.study_id"
    " FROM trials t JOIN studies s ON s.study_id = t.study_id;"
    "INSERT INTO hpsearch_schema VALUES(4);";

/* Version 5 (PostgreSQL only): a trial's claim, proposal and finish as
** server-side functions.  The claim holds the study's lock for its own work
** only, never across a round trip to a client.  Each function plans its
** statements once per session: they all go through an index by design, and
** with sequential scans off a plan made while a table is empty stays an
** index plan as it grows (a session's generic plans otherwise keep the
** seq scan they chose then, and replanning every call costs more than the
** work).
**
** hpsearch_claim decides as the client-side claim in storage_claim.c does:
** 0 with a new trial whose parameters are pending, 1 with a WAITING trial
** now the caller's, 2 when the caller must wait for running trials, 3 when
** the study is done. */
const char *const store_pg_schema_v5 =
    "CREATE FUNCTION hpsearch_claim(p_study BIGINT, p_budget BIGINT, p_capacity BIGINT,"
    " p_worker TEXT, p_host TEXT, p_pid INTEGER, p_instance TEXT, p_origin TEXT,"
    " OUT claim_status INTEGER, OUT claim_id BIGINT, OUT claim_number BIGINT,"
    " OUT claim_seed BIGINT, OUT claim_params TEXT) LANGUAGE plpgsql"
    " AS $claim$"
    " DECLARE total BIGINT; waiting BIGINT; running BIGINT;"
    " BEGIN"
    "  PERFORM pg_advisory_xact_lock(p_study);"
    /* the last number by its index, whatever plan max() would get */
    "  SELECT t.number + 1 INTO total FROM trials t WHERE t.study_id = p_study"
    "   ORDER BY t.number DESC LIMIT 1;"
    "  total := coalesce(total, 0);"
    "  SELECT count(*) INTO waiting FROM trials t"
    "   WHERE t.study_id = p_study AND t.state = 'WAITING';"
    "  SELECT count(*) INTO running FROM trials t"
    "   WHERE t.study_id = p_study AND t.state = 'RUNNING';"
    /* numbers are dense: what is neither WAITING nor RUNNING is finished */
    "  IF total - waiting - running >= p_budget THEN claim_status := 3; RETURN; END IF;"
    "  IF total - waiting >= p_budget THEN claim_status := 2; RETURN; END IF;"
    "  IF waiting > 0 THEN"
    "   SELECT t.trial_id, t.number, t.seed, t.params_json"
    "    INTO claim_id, claim_number, claim_seed, claim_params FROM trials t"
    "    WHERE t.study_id = p_study AND t.state = 'WAITING' ORDER BY t.number LIMIT 1;"
    "   UPDATE trials SET state = 'RUNNING', worker = p_worker, host = p_host,"
    "    pid = p_pid, instance = p_instance, origin = p_origin,"
    "    started_at = extract(epoch from clock_timestamp())::float8,"
    "    heartbeat_at = extract(epoch from clock_timestamp())::float8, error = NULL"
    "    WHERE trial_id = claim_id;"
    "   claim_status := 1; RETURN;"
    "  END IF;"
    "  IF total >= p_capacity THEN"
    "   claim_status := CASE WHEN running > 0 THEN 2 ELSE 3 END; RETURN;"
    "  END IF;"
    "  INSERT INTO trials(study_id, number, state, params_json, seed, worker, host, pid,"
    "   instance, origin, started_at, heartbeat_at) VALUES(p_study, total, 'RUNNING', '',"
    "   0, p_worker, p_host, p_pid, p_instance, p_origin,"
    "   extract(epoch from clock_timestamp())::float8,"
    "   extract(epoch from clock_timestamp())::float8) RETURNING trial_id INTO claim_id;"
    "  claim_number := total; claim_seed := 0; claim_params := ''; claim_status := 0;"
    " END $claim$;"
    /* the parameters of a claimed trial, as a JSON array of [name, value,
       text]; storing the same proposal again (after a lost reply) succeeds */
    "CREATE FUNCTION hpsearch_propose(p_trial BIGINT, p_worker TEXT, p_params_json TEXT,"
    " p_seed BIGINT, p_sampler TEXT, p_study_seed BIGINT, p_params TEXT) RETURNS INTEGER"
    " LANGUAGE plpgsql AS $propose$"
    " BEGIN"
    "  UPDATE trials SET params_json = p_params_json, seed = p_seed, sampler = p_sampler,"
    "   study_seed = p_study_seed WHERE trial_id = p_trial AND state = 'RUNNING'"
    "   AND worker = p_worker AND params_json IN ('', p_params_json);"
    "  IF NOT FOUND THEN RETURN 0; END IF;"
    "  INSERT INTO trial_params(trial_id, name, value, text) SELECT p_trial, e->>0,"
    "   (e->>1)::float8, e->>2 FROM json_array_elements(p_params::json) e"
    "   ON CONFLICT DO NOTHING;"
    "  RETURN 1;"
    " END $propose$;"
    /* the end of a trial, with its final metrics as a JSON array of [name,
       value] in order; 0 when the trial was not running under the worker
       (NULL: anyone) */
    "CREATE FUNCTION hpsearch_finish(p_trial BIGINT, p_worker TEXT, p_state TEXT,"
    " p_value DOUBLE PRECISION, p_error TEXT, p_output TEXT, p_metrics TEXT)"
    " RETURNS INTEGER LANGUAGE plpgsql AS $finish$"
    " BEGIN"
    "  UPDATE trials SET state = p_state, value = p_value, error = p_error,"
    "   output = p_output, finished_at = extract(epoch from clock_timestamp())::float8,"
    "   heartbeat_at = extract(epoch from clock_timestamp())::float8"
    "   WHERE trial_id = p_trial AND state = 'RUNNING'"
    "   AND (p_worker IS NULL OR worker = p_worker);"
    "  IF NOT FOUND THEN RETURN 0; END IF;"
    "  INSERT INTO trial_values(trial_id, step, name, value) SELECT p_trial, NULL,"
    "   m.e->>0, (m.e->>1)::float8 FROM json_array_elements(p_metrics::json)"
    "   WITH ORDINALITY m(e, ord) ORDER BY m.ord;"
    "  RETURN 1;"
    " END $finish$;"
    "INSERT INTO hpsearch_schema VALUES(5);";

/* PostgreSQL version 6: SQLite's version 5, the samplers' last fits. */
const char *const store_pg_schema_v6 =
    "CREATE TABLE sampler_state("
    " study_id BIGINT NOT NULL REFERENCES studies(study_id),"
    " sampler TEXT NOT NULL,"
    " trials BIGINT NOT NULL,"
    " state TEXT NOT NULL,"
    " PRIMARY KEY(study_id, sampler));"
    "INSERT INTO hpsearch_schema VALUES(6);";

/* PostgreSQL version 7: SQLite's version 6, directions of several objectives. */
const char *const store_pg_schema_v7 =
    "ALTER TABLE studies DROP CONSTRAINT studies_direction_check;"
    "ALTER TABLE studies ADD CONSTRAINT studies_direction_check CHECK(direction IN ("
    DIRECTIONS "));"
    "INSERT INTO hpsearch_schema VALUES(7);";

/* PostgreSQL version 8: SQLite's version 7, the model's verdict on a trial. */
const char *const store_pg_schema_v8 =
    "ALTER TABLE trials ADD COLUMN promising INTEGER;"
    "INSERT INTO hpsearch_schema VALUES(8);";
