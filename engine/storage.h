/*
** Storage: the database is the single source of truth for a study, which is
** what makes resume and several cooperating processes work.  All SQL of the
** program lives in storage.c; nothing above this header assumes SQLite.
**
** Concurrency: one hp_store is one connection, used by one thread at a time
** (each worker opens its own).  Writes are short BEGIN IMMEDIATE
** transactions in WAL mode with a busy timeout and jittered retries, so
** "database is locked" never reaches the user.
**
** Trial life:  WAITING -> RUNNING -> COMPLETE | PRUNED | FAILED
**              RUNNING -> WAITING   (released on Ctrl-C, or found stale)
** A claim is the only way to move a trial to RUNNING and checks the study's
** budget inside the same transaction.
*/
#ifndef HP_STORAGE_H
#define HP_STORAGE_H

#include <stdint.h>

#include "buf.h"

typedef struct hp_store hp_store;

#define STORE_SCHEMA_VERSION 7
/* PostgreSQL's schema has the same tables; version 5 adds the server-side
** claim, 6 the samplers' fits (SQLite's 5), 7 the directions of several
** objectives (SQLite's 6) */
#define STORE_PG_SCHEMA_VERSION 8

typedef enum {
    TRIAL_WAITING, TRIAL_RUNNING, TRIAL_COMPLETE, TRIAL_PRUNED, TRIAL_FAILED,
    TRIAL_N_STATES
} hp_trial_state;

/* "WAITING", ...; and the inverse (-1 if unknown, case-insensitive). */
const char *store_state_name(hp_trial_state s);
int store_state_parse(const char *s);

/* 1 when TARGET names a PostgreSQL database (postgresql:// or
** postgres:// URL) rather than an SQLite file. */
int store_is_url(const char *target);

/* 1 when TARGET is a database rather than a study file: a URL, or a file
** that an SQLite database starts as. */
int store_is_database(const char *target);

/* Opens the database at PATH (a file, or a URL: see store_is_url).  create = 1 creates the file (and the schema)
** when missing; 0 requires it to exist.  Returns HP_OK; HP_EINPUT with a
** message for a missing file, a file that is not SQLite, a schema newer
** than this program, or an unwritable place; HP_ESTORAGE otherwise. */
int store_open(const char *path, int create, hp_store **out, char *err);

/* Opens the database at PATH for reading only (what store_open does with
** create = 0 when the file or its folder is read-only: an archived study
** stays queryable).  Writes then fail with HP_ESTORAGE. */
int store_open_read_only(const char *path, hp_store **out, char *err);
void store_close(hp_store *store);

/* What a study row holds. */
typedef struct {
    int64_t study_id;
    char name[256];
    char direction[40];    /* "minimize" | "maximize", or one per objective:
                              "maximize, minimize" */
    char metric[200];      /* the metric, or the objectives: "a, b" */
    char sampler[32];
    char space_hash[17];
    uint64_t seed;
    int64_t trials;        /* the budget last asked for */
    double created_at;     /* unix seconds */
} hp_study_row;

/* Looks up study NAME.  Returns HP_OK and sets *found; fills ROW if found. */
int store_find_study(hp_store *store, const char *name, hp_study_row *row,
                     int *found, char *err);

/* Creates the study described by ROW (study_id ignored) with its study file
** text CONFIG; sets row->study_id.  Fails with HP_EINPUT if the name exists
** (another process may have created it first: call store_find_study). */
int store_create_study(hp_store *store, hp_study_row *row, const char *config,
                       char *err);

/* The study file text stored with the study, in OUT. */
int store_study_config(hp_store *store, int64_t study_id, hp_buf *out, char *err);

/* A model-based sampler's last fit, as its own text (sampler.h's
** sampler_save_model), with the number of trials it was fitted on: saved
** after a fit, read by a new process so that it starts warm.  Load gives
** *found = 0 (and nothing in OUT) when none was saved. */
int store_save_sampler_state(hp_store *store, int64_t study_id, const char *sampler,
                             int64_t trials, const char *state, char *err);
int store_load_sampler_state(hp_store *store, int64_t study_id, const char *sampler,
                             int64_t *trials, hp_buf *out, int *found, char *err);

/* Records a new budget for the study (a run with --trials). */
int store_set_trials(hp_store *store, int64_t study_id, int64_t trials, char *err);

/* Calls FN for every study, in creation order.  FN returns 0 to go on. */
int store_list_studies(hp_store *store,
                       int (*fn)(void *ctx, const hp_study_row *row,
                                 const int64_t counts[TRIAL_N_STATES]),
                       void *ctx, char *err);

/* One parameter of a trial. */
typedef struct {
    char *name;
    double value;   /* the number (a category's index if not numeric) */
    char *text;     /* category text, NULL for numbers */
} hp_param_row;

/* A trial handed to a worker by store_claim.  Owned by the caller; release
** with store_claim_deinit. */
typedef struct {
    int64_t trial_id;
    int64_t number;
    uint64_t seed;
    int n_params;
    hp_param_row *params;
    char *params_json;
    const char *sampler;    /* set by the proposer for a new trial: which */
    uint64_t sampler_seed;  /* sampler and study seed proposed it (not owned) */
    int promising;          /* the proposer's: sampler_last_promising */
} hp_claim;

void store_claim_deinit(hp_claim *claim);

/* Who claims: the row of a RUNNING trial records it so that stale trials
** can be told from live ones.  INSTANCE is unique per process (random);
** ORIGIN names the machine boot and PID namespace the pid belongs to, so a
** pid is judged dead only by a process that shares both.  pid 0 means "no
** process to watch" (ask/tell): such trials are never recovered
** automatically. */
typedef struct {
    const char *host;
    int pid;
    const char *worker;   /* unique per claimer, e.g. "host:pid/w3#1f2e3d4c" */
    const char *instance;
    const char *origin;
} hp_claimer;

/* Fills a new trial's parameters: sets claim->seed, n_params, params (heap
** strings) and params_json for trial NUMBER.  Returns 0, or -1 with err. */
typedef int (*hp_propose_fn)(void *ctx, int64_t number, hp_claim *claim, char *err);

typedef enum {
    CLAIM_OK,       /* *claim holds a RUNNING trial owned by the claimer */
    CLAIM_DONE,     /* the study has its finished trials: stop */
    CLAIM_WAIT      /* the budget is taken by running trials: poll later */
} hp_claim_status;

/* In one transaction: re-queues stale RUNNING trials (a heartbeat that has
** not moved for stale_after seconds, or a dead pid on this machine), and
** trials the claimer itself holds from a claim whose commit was lost with
** the connection; then, unless the study
** already has BUDGET finished-or-running trials, claims the lowest WAITING
** trial or creates trial number = count (proposed by PROPOSE) while that
** is below CAPACITY.  Returns HP_OK with *status set. */
int store_claim(hp_store *store, int64_t study_id, int64_t budget, uint64_t capacity,
                double stale_after, const hp_claimer *who, hp_propose_fn propose,
                void *ctx, hp_claim *claim, hp_claim_status *status, char *err);

/* Model-based samplers must see each other's proposals: with SERIAL set,
** store_claim holds the study's proposal lock (an advisory lock on
** PostgreSQL, a lock file beside an SQLite database) from reading the
** history to storing the new parameters.  Only proposals wait on it:
** claims of waiting trials, reports and heartbeats never do. */
void store_serialize_proposals(hp_store *store, int serial);

/* A final metric of a trial. */
typedef struct {
    const char *name;
    double value;
} hp_metric;

/* Finishes a RUNNING trial owned by WORKER: sets STATE (COMPLETE, PRUNED or
** FAILED), the value (NaN stores NULL), the error text and the objective's
** last output lines (each may be NULL) and the final metrics (step NULL).  Returns HP_OK, or HP_EINPUT when the trial is
** not RUNNING under that worker any more (it went stale and was taken). */
int store_finish(hp_store *store, int64_t trial_id, const char *worker,
                 hp_trial_state state, double value, const char *error, const char *output,
                 const hp_metric *metrics, int n_metrics, char *err);

/* Stores an intermediate value of trial TRIAL_ID at STEP, replacing one
** already stored for the same step and name (a resumed trial reports a
** step again).  The trial must be RUNNING and, when WORKER is not NULL,
** owned by WORKER: else HP_EINPUT (it went stale and another runs it). */
int store_report(hp_store *store, int64_t trial_id, const char *worker, int64_t step,
                 const char *name, double value, char *err);

/* Puts a RUNNING trial back to WAITING (same parameters, its reports kept
** for a resume from a checkpoint), so that a later claim runs it again.
** worker NULL releases it whoever holds it. */
int store_release(hp_store *store, int64_t trial_id, const char *worker, char *err);

/* Refreshes heartbeat_at of every RUNNING trial claimed by INSTANCE. */
int store_heartbeat(hp_store *store, const char *instance, char *err);

/* Who holds trial TRIAL_ID: *running = 0 if it is not RUNNING; else
** *pid (0 for ask/tell) and INSTANCE (up to 64 bytes, "" if unknown). */
int store_trial_owner(hp_store *store, int64_t trial_id, int *running, int *pid,
                      char instance[64], char *err);

/* Puts every FAILED trial of the study back to WAITING with its number,
** parameters and seed, dropping its values and error; *count gets how
** many. */
int store_retry_failed(hp_store *store, int64_t study_id, int64_t *count, char *err);

/* Calls FN for each run of consecutive trial numbers proposed by one
** sampler and study seed (SAMPLER "" for trials of schema 2 and older),
** in number order. */
int store_sampler_runs(hp_store *store, int64_t study_id,
                       int (*fn)(void *ctx, const char *sampler, int has_seed, uint64_t seed,
                                 int64_t first, int64_t last, int64_t count),
                       void *ctx, char *err);

/* Counts of the study's trials by state. */
int store_counts(hp_store *store, int64_t study_id, int64_t counts[TRIAL_N_STATES],
                 char *err);

/* Counts by state of the study's trials whose sampler predicted them among
** the best when it proposed them (trials.promising). */
int store_promising_counts(hp_store *store, int64_t study_id,
                           int64_t counts[TRIAL_N_STATES], char *err);

/* One trial as the query commands show it. */
typedef struct {
    int64_t trial_id;
    int64_t number;
    hp_trial_state state;
    double value;          /* NaN when NULL */
    const char *params_json;
    const char *metrics_json;  /* final metrics as a JSON object */
    double started_at, finished_at, heartbeat_at;  /* NaN when NULL */
    const char *worker;    /* may be NULL */
    const char *error;     /* may be NULL */
    uint64_t seed;
} hp_trial_row;

/* The best COMPLETE trial (largest value if maximize), via FN.  *found = 0
** if there is none. */
int store_best(hp_store *store, int64_t study_id, int maximize,
               int (*fn)(void *ctx, const hp_trial_row *row), void *ctx, int *found,
               char *err);

/* Calls FN for the study's trials: all states if state < 0; ordered by
** number, or by value (best first per MAXIMIZE, NULLs last) if by_value;
** at most LIMIT rows if limit > 0.  Row strings live until FN returns. */
int store_list_trials(hp_store *store, int64_t study_id, int state, int by_value,
                      int maximize, int64_t limit,
                      int (*fn)(void *ctx, const hp_trial_row *row), void *ctx,
                      char *err);

/* A parameter or a final metric of a trial as store_trials_detailed
** hands it on (strings live until FN returns; text NULL for numbers). */
typedef struct {
    const char *name;
    double value;
    const char *text;
} hp_value_view;

/* Every trial of the study in number order with its parameters and final
** metrics, via FN: three streaming queries merged by number, so that an
** export of 100k trials is three queries, not one per trial.  FN must not
** query the store. */
int store_trials_detailed(hp_store *store, int64_t study_id,
                          int (*fn)(void *ctx, const hp_trial_row *row,
                                    const hp_value_view *params, int n_params,
                                    const hp_value_view *metrics, int n_metrics),
                          void *ctx, char *err);

/* The parameters of trial TRIAL_ID via FN (name, value, text or NULL). */
int store_trial_params(hp_store *store, int64_t trial_id,
                       int (*fn)(void *ctx, const char *name, double value,
                                 const char *text),
                       void *ctx, char *err);

/* Distinct parameter names and final metric names of a study, in order of
** first appearance, each NUL-separated in OUT (count in *n). */
int store_param_names(hp_store *store, int64_t study_id, hp_buf *out, int *n,
                      char *err);
int store_metric_names(hp_store *store, int64_t study_id, hp_buf *out, int *n,
                       char *err);

/* Final metric NAME of a trial; *found = 0 if absent. */
int store_trial_metric(hp_store *store, int64_t trial_id, const char *name,
                       double *value, int *found, char *err);

/* The trial with NUMBER in the study; *found = 0 if none. */
int store_trial_by_number(hp_store *store, int64_t study_id, int64_t number,
                          int (*fn)(void *ctx, const hp_trial_row *row), void *ctx,
                          int *found, char *err);

/* What a model-based sampler learns from, read incrementally: every trial
** numbered FROM or higher, in number order, via FN with its number, state,
** value (NaN when NULL) and parameters (name, number, text or NULL), all
** from one joined query.  Finished trials never change, so a caller keeps
** those below its first unfinished number and asks only from there.  FN
** must not query the store. */
int store_history_since(hp_store *store, int64_t study_id, int64_t from,
                        int (*fn)(void *ctx, int64_t number, hp_trial_state state,
                                  double value, int n_params, const hp_param_row *params),
                        void *ctx, char *err);

/* The final values (step NULL) of the COMPLETE trials numbered FROM or
** higher, in number order, via FN with the trial's number, the metric's
** name and its value (NaN when NULL).  FN returns nonzero to stop. */
int store_finals_since(hp_store *store, int64_t study_id, int64_t from,
                       int (*fn)(void *ctx, int64_t number, const char *name, double value),
                       void *ctx, char *err);

/* For pruners: the values of metric NAME that trials numbered below NUMBER
** reported at STEP, into OUT (a buffer of doubles, grown as needed; *n the
** count). */
int store_values_at_step(hp_store *store, int64_t study_id, int64_t number, int64_t step,
                         const char *name, double **out, int *cap, int *n, char *err);

/* How many RUNNING trials numbered below NUMBER have not yet reported NAME
** at STEP (or later). */
int store_count_behind(hp_store *store, int64_t study_id, int64_t number, int64_t step,
                       const char *name, int64_t *count, char *err);

/* Whether the sampler's model predicted trial TRIAL_ID among the best when
** it proposed it (trials.promising; 0 when it did not, or said nothing). */
int store_trial_promising(hp_store *store, int64_t trial_id, int *promising, char *err);

/* The best value of NAME that trial TRIAL_ID reported at any step (NaN if
** none). */
int store_best_so_far(hp_store *store, int64_t trial_id, const char *name, int maximize,
                      double *best, char *err);

/* Pruned trials of the study and the sum of the steps they stopped at. */
int store_pruned_steps(hp_store *store, int64_t study_id, int64_t *count, double *sum,
                       char *err);

/* For the report: every parameter of every trial of the study, by trial
** number, via FN (number, name, value or NaN, text or NULL).  One query:
** fast at 100k trials.  FN must not query the store. */
int store_study_params(hp_store *store, int64_t study_id,
                       int (*fn)(void *ctx, int64_t number, const char *name, double value,
                                 const char *text),
                       void *ctx, char *err);

/* For the report: every intermediate value of METRIC, by trial number and
** step, via FN.  FN must not query the store. */
int store_study_curves(hp_store *store, int64_t study_id, const char *metric,
                       int (*fn)(void *ctx, int64_t number, int64_t step, double value),
                       void *ctx, char *err);

/* Copies STUDY (a row of SRC) with every trial, parameter, intermediate
** value and final metric into DST, in one transaction of DST; a trial
** RUNNING at the source arrives WAITING.  HP_EINPUT if DST already has a
** study of that name.  *copied gets the number of trials. */
int store_copy_study(hp_store *src, const hp_study_row *study, hp_store *dst,
                     int64_t *copied, char *err);

/* Checks the database: SQLite's integrity_check on a file, and on either
** database what hpsearch keeps true (dense trial numbers, owners of running
** trials, finish times, parameter rows).  *ok = 1 if all hold. */
int store_integrity_check(hp_store *store, int *ok, char *err);

#endif
