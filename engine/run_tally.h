/*
** What one `run` has done so far: the study's finished count, this run's
** complete, pruned and failed trials, and the best feasible trial.  The
** live line and the closing summary are drawn from it.  Not thread-safe:
** the runner holds its lock around every call.
*/
#ifndef HP_RUN_TALLY_H
#define HP_RUN_TALLY_H

#include <stdint.h>
#include <stdio.h>

#include "objective.h"
#include "storage.h"
#include "study.h"

typedef struct {
    int64_t finished;        /* finished trials of the study, before and during */
    int64_t done, failed, pruned, complete;   /* this run's */
    int has_best;            /* best feasible value of the first objective */
    double best;
    int64_t best_number;
} hp_run_tally;

/* Starts T from what STORE holds for the study: its finished count and,
** without constraints, its best trial (with them, this run's trials say
** what is feasible). */
int tally_load(hp_run_tally *t, hp_store *store, const hp_study_config *cfg,
               int64_t study_id, char *err);

/* Counts trial NUMBER that ended in STATE with OUT. */
void tally_count(hp_run_tally *t, const hp_study_config *cfg, int64_t number,
                 hp_trial_state state, const hp_outcome *out);

/* The closing line: "12 trials in 3.40 s (3.5/s), ...". */
void tally_summary(const hp_run_tally *t, const hp_study_config *cfg, double elapsed,
                   FILE *out);

#endif
