/*
** One trial lifecycle, used by `run`'s workers, `ask` and `tell`: a
** claimed trial reports values (and the pruner may stop it), then ends
** through one outcome policy:
**   pruned by the pruner      -> PRUNED, its last value, final pruned_step
**   interrupted by the user   -> back to WAITING (it runs again)
**   a host-side error         -> back to WAITING, and the run stops
**   failed by the objective   -> FAILED with the reason, no value
**   a NaN or infinite value   -> FAILED ("the objective returned NaN ...")
**   otherwise                 -> COMPLETE with its value and metrics
*/
#ifndef HP_TRIAL_H
#define HP_TRIAL_H

#include <stdint.h>

#include "objective.h"
#include "pruning.h"
#include "storage.h"
#include "study.h"

/* A trial while it runs, as its owner tracks it.  Zero-initialise. */
typedef struct {
    int64_t trial_id;
    int64_t number;
    int pruned;            /* the pruner said stop */
    int64_t last_step;     /* the last step the study metric was reported at */
    double last_value;     /* and its value there (NaN before any) */
    hp_prune_scratch scratch;
} hp_trial_run;

/* Starts tracking trial TRIAL_ID (NUMBER); keeps T's scratch memory. */
void trial_begin(hp_trial_run *t, int64_t trial_id, int64_t number);
void trial_deinit(hp_trial_run *t);

/* Who asks, for the pruner's wait (NULL: decide without waiting). */
typedef struct {
    int (*should_stop)(void *ctx);
    void *ctx;
} hp_trial_waiter;

/* Stores VALUE of NAME at STEP for trial T (WORKER: its owner, NULL for
** ask/tell) and, for the study metric, asks the pruner, setting
** t->pruned.  Returns HP_OK; HP_EINPUT when the trial is not the caller's
** any more; a storage error otherwise. */
int trial_report(hp_store *store, const hp_study_config *cfg, int64_t study_id,
                 const char *worker, hp_trial_run *t, int64_t step, const char *name,
                 double value, const hp_trial_waiter *waiter, char *err);

/* Ends trial T with outcome OUT by the policy above, as WORKER (NULL for
** ask/tell).  A study of several OBJECTIVES completes a trial only when
** OUT holds every one of them, finite (OUT's value is the first's).
** *STATE gets the stored state (TRIAL_WAITING when the trial was put
** back).  Returns HP_OK; HP_EINPUT when the trial is not the caller's any
** more (it went stale and another runs it); a storage error otherwise. */
int trial_finish(hp_store *store, const hp_objectives *objectives, const char *worker,
                 hp_trial_run *t, hp_outcome *out, hp_trial_state *state, char *err);

#endif
