/*
** Objectives: what a trial evaluates.  Each kind (function, command, mlp)
** is a module with a row in one kind table (objective_impl.h), as samplers
** are: it names the [objective] keys it accepts, parses and validates them
** into its own options when the study file is read, and evaluates trials.
** The study config holds only an opaque hp_objective_spec.
**
** The runner hands an objective a trial (values, seed, thread count and
** its folders) and a reporter; the objective reports per-step values
** through it (so a pruner, or Ctrl-C, can stop the trial) and returns an
** outcome.  A failing evaluation is an outcome, never a crash: the study
** goes on.  One objective object serves all workers of a process, so
** evaluate is safe to call from several threads at once (shared data is
** read-only).
*/
#ifndef HP_OBJECTIVE_H
#define HP_OBJECTIVE_H

#include <stdint.h>

#include "../search/limits.h"
#include "../search/space.h"
#include "objectives.h"
#include "buf.h"
#include "ini.h"

#define OBJECTIVE_MAX_METRICS 32
#define OBJECTIVE_OUTPUT_LEN 4096

typedef enum {
    OUTCOME_COMPLETE,     /* value (and metrics) are set */
    OUTCOME_FAILED,       /* the objective failed; error says why */
    OUTCOME_PRUNED,       /* stopped by the pruner; value = last reported */
    OUTCOME_INTERRUPTED,  /* stopped by the user: the trial must run again */
    OUTCOME_HOST_ERROR    /* this machine failed (a full disk, no fork): not
                             the objective's fault; the run stops and the
                             trial runs again later */
} hp_outcome_kind;

typedef struct {
    hp_outcome_kind kind;
    double value;                          /* the study metric */
    int n_metrics;
    char metric_names[OBJECTIVE_MAX_METRICS][HP_NAME_MAX + 1];
    double metric_values[OBJECTIVE_MAX_METRICS];
    char error[HP_ERR_LEN];
    char output[OBJECTIVE_OUTPUT_LEN];  /* the last lines a command printed, or "" */
} hp_outcome;

/* Sets metric NAME to V in OUT (replacing an earlier value of NAME);
** names longer than HP_NAME_MAX and metrics past the table are dropped. */
void outcome_set_metric(hp_outcome *out, const char *name, double v);

typedef struct {
    /* Records VALUE of metric NAME at STEP; returns 1 when the trial should
    ** stop (pruned or interrupted), 0 to go on. */
    int (*report)(void *ctx, int64_t step, const char *name, double value);
    /* 1 when the user asked to stop: long evaluations poll it. */
    int (*should_stop)(void *ctx);
    void *ctx;
} hp_reporter;

/* What an objective kind reads of the study.  Pointers into the study
** config, valid as long as it lives. */
typedef struct {
    const hp_ini *ini;         /* the study file */
    const char *path;          /* its path as given */
    const char *study_name;
    const hp_space *space;     /* [params] */
    const char *metric;        /* the study metric */
    int maximize;
    uint64_t seed;             /* the study seed */
    const hp_objectives *objectives;  /* every objective (metric is the first) */
} hp_objective_setup;

/* The validated [objective] section of a study file. */
typedef struct hp_objective_spec hp_objective_spec;

/* Kind names for messages. */
#define OBJECTIVE_KINDS "function, mlp or command"

/* Parses and validates the [objective] section.  Sets *out to NULL when
** the file has none (a study driven by ask/tell).  Returns HP_OK, or
** HP_EINPUT (HP_ENOMEM) with "FILE:LINE: message" in err. */
int objective_spec_parse(const hp_objective_setup *setup, hp_objective_spec **out,
                         char *err);
void objective_spec_free(hp_objective_spec *spec);

/* The kind's name ("function", "command", "mlp"). */
const char *objective_spec_kind(const hp_objective_spec *spec);

/* The last step the objective reports (the MLP's epochs), 0 if unknown. */
int objective_spec_max_resource(const hp_objective_spec *spec);

/* 1 when the same configuration always gives the same value (benchmark
** functions without injected noise), so a model need not learn noise; 0
** when it does not (each MLP trial trains from its own seed); -1 when
** nobody can tell (a user's program): the gp sampler finds out. */
int objective_spec_deterministic(const hp_objective_spec *spec);

/* A one-line description for status ("function branin, sleep 0.5s"). */
void objective_spec_describe(const hp_objective_spec *spec, hp_buf *out);

/* One trial as an objective sees it. */
typedef struct {
    const hp_value *values;     /* space_size entries */
    int64_t number;
    uint64_t seed;              /* the trial seed */
    int threads;                /* kernel threads it may use */
    const char *trial_dir;      /* fresh per run of the trial ("" if none) */
    const char *checkpoint_dir; /* kept across re-runs of the trial, removed
                                   once it finishes ("" if none) */
} hp_trial_input;

typedef struct hp_objective hp_objective;

/* Builds the objective of SPEC (which must outlive it): loads a data set,
** splits a command line.  Returns HP_OK, or HP_EINPUT (bad data, a
** missing file) or HP_ENOMEM with err. */
int objective_new(const hp_objective_spec *spec, hp_objective **out, char *err);
void objective_free(hp_objective *obj);

/* Evaluates one trial: makes its folders when the kind uses them (a host
** error if it cannot), runs it, and fills OUT. */
void objective_evaluate(hp_objective *obj, const hp_value *values, int64_t number,
                        uint64_t seed, int threads, const hp_reporter *reporter,
                        hp_outcome *out);

/* Called once a trial has finished for good (complete, pruned, failed):
** removes what was kept for re-runs (its checkpoint folder). */
void objective_trial_finished(hp_objective *obj, int64_t number, int failed);

#endif
