#include "pruning.h"

#include <math.h>
#include <stdlib.h>

#include "clock.h"
#include "error.h"

void prune_scratch_deinit(hp_prune_scratch *s)
{
    free(s->values);
    s->values = NULL;
    s->cap = 0;
}

/* Waits for running lower-numbered trials to report STEP (bounded). */
static int wait_for_earlier(hp_store *store, const hp_study_config *cfg, int64_t study_id,
                            int64_t number, int64_t step, int (*should_stop)(void *ctx),
                            void *ctx, char *err)
{
    double start = clock_monotonic();
    for (;;) {
        int64_t behind;
        int rc = store_count_behind(store, study_id, number, step, cfg->metric, &behind, err);
        if (rc || behind == 0)
            return rc;
        if (clock_monotonic() - start > PRUNE_WAIT_LIMIT || (should_stop && should_stop(ctx)))
            return HP_OK; /* decide with what there is */
        clock_sleep(0.02);
    }
}

int prune_decide(hp_store *store, const hp_study_config *cfg, int64_t study_id,
                 int64_t number, int64_t trial_id, int64_t step, double value,
                 hp_prune_scratch *scratch, int may_wait, int (*should_stop)(void *ctx),
                 void *ctx, int *prune, char *err)
{
    const hp_pruner_config *pc = &cfg->pruner_cfg;
    *prune = 0;
    if (pc->kind == PRUNER_NONE || step < pc->min_resource)
        return HP_OK;
    if (pc->kind == PRUNER_ASHA && !pruner_is_rung(pc, (int)step))
        return HP_OK;
    int rc;
    if (pc->kind == PRUNER_ASHA && step == pc->min_resource) {
        /* the first rung's reading is the noisiest: a slow starter that the
           model expects among the best goes on to the next rung */
        int promising;
        if ((rc = store_trial_promising(store, trial_id, &promising, err)))
            return rc;
        if (promising)
            return HP_OK;
    }
    if (pc->kind == PRUNER_MEDIAN && number < pc->warmup_trials)
        return HP_OK;
    if (pc->deterministic && may_wait &&
        (rc = wait_for_earlier(store, cfg, study_id, number, step, should_stop, ctx, err)))
        return rc;
    int n;
    rc = store_values_at_step(store, study_id, number, step, cfg->metric,
                                  &scratch->values, &scratch->cap, &n, err);
    if (rc)
        return rc;
    if (pc->kind == PRUNER_ASHA) {
        *prune = pruner_asha_prune(pc, (int)step, value, scratch->values, n);
        return HP_OK;
    }
    double best;
    if ((rc = store_best_so_far(store, trial_id, cfg->metric, cfg->maximize, &best, err)))
        return rc;
    if (isnan(best))
        best = value;
    *prune = pruner_median_prune(pc, (int)number, (int)step, best, scratch->values, n);
    return HP_OK;
}
