/*
** Objectives: what a trial evaluates.  The runner hands an objective the
** trial's values and seed and a reporter; the objective reports per-step
** values through it (so a pruner, or Ctrl-C, can stop the trial) and
** returns an outcome.  A failing evaluation is an outcome, never a crash:
** the study goes on.
**
** One objective object serves all workers of a process: evaluate must be
** safe to call from several threads at once (shared data is read-only).
*/
#ifndef HP_OBJECTIVE_H
#define HP_OBJECTIVE_H

#include <stdint.h>

#include "../search/space.h"
#include "study.h"

#define OBJECTIVE_MAX_METRICS 32

typedef enum {
    OUTCOME_COMPLETE,     /* value (and metrics) are set */
    OUTCOME_FAILED,       /* error says why */
    OUTCOME_PRUNED,       /* stopped by the pruner; value = last reported */
    OUTCOME_INTERRUPTED   /* stopped by the user: the trial must run again */
} hp_outcome_kind;

typedef struct {
    hp_outcome_kind kind;
    double value;                          /* the study metric */
    int n_metrics;
    char metric_names[OBJECTIVE_MAX_METRICS][64];
    double metric_values[OBJECTIVE_MAX_METRICS];
    char error[HP_ERR_LEN];
    char output[4096];   /* the last lines the objective printed (command), or "" */
} hp_outcome;

typedef struct {
    /* Records VALUE of metric NAME at STEP; returns 1 when the trial should
    ** stop (pruned or interrupted), 0 to go on. */
    int (*report)(void *ctx, int64_t step, const char *name, double value);
    /* 1 when the user asked to stop: long evaluations poll it. */
    int (*should_stop)(void *ctx);
    void *ctx;
} hp_reporter;

typedef struct hp_objective hp_objective;

/* Builds the objective of CFG (which must outlive it).  Returns 0, or -1
** with err (e.g. a dataset that cannot be read). */
int objective_new(const hp_study_config *cfg, hp_objective **out, char *err);
void objective_free(hp_objective *obj);

/* Evaluates trial NUMBER with VALUES (space_size entries) and SEED. */
void objective_evaluate(hp_objective *obj, const hp_value *values, int64_t number,
                        uint64_t seed, const hp_reporter *reporter, hp_outcome *out);

#endif
