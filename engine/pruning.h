/*
** The engine's side of pruning: gathers from storage what a pruner decides
** on, so that `run` workers and `tell --step` decide the same way.
*/
#ifndef HP_PRUNING_H
#define HP_PRUNING_H

#include <stdint.h>

#include "storage.h"
#include "study.h"

/* Scratch for the values a decision compares against; zero-initialise. */
typedef struct {
    double *values;
    int cap;
} hp_prune_scratch;

void prune_scratch_deinit(hp_prune_scratch *s);

/* Decides whether trial NUMBER (TRIAL_ID) of study STUDY_ID should stop at
** STEP, where it reported VALUE of the study metric (already stored).
** With [pruner] deterministic = true and MAY_WAIT, first waits (up to
** PRUNE_WAIT_LIMIT seconds, or until SHOULD_STOP(CTX) says so) for running
** lower-numbered trials to report STEP, so that the decision is the one a
** sequential run makes.  ASHA never stops at its first rung a trial the
** sampler's model predicted among the best (store_trial_promising).  Sets
** *prune.  Returns HP_OK or a storage error. */
#define PRUNE_WAIT_LIMIT 60.0
int prune_decide(hp_store *store, const hp_study_config *cfg, int64_t study_id,
                 int64_t number, int64_t trial_id, int64_t step, double value,
                 hp_prune_scratch *scratch, int may_wait, int (*should_stop)(void *ctx),
                 void *ctx, int *prune, char *err);

#endif
