#include "pruning.h"

#include <math.h>
#include <stdlib.h>

#include "error.h"

void prune_scratch_deinit(hp_prune_scratch *s)
{
    free(s->values);
    s->values = NULL;
    s->cap = 0;
}

int prune_decide(hp_store *store, const hp_study_config *cfg, int64_t study_id,
                 int64_t number, int64_t trial_id, int64_t step, double value,
                 hp_prune_scratch *scratch, int *prune, char *err)
{
    const hp_pruner_config *pc = &cfg->pruner_cfg;
    *prune = 0;
    if (pc->kind == PRUNER_NONE || step < pc->min_resource)
        return HP_OK;
    if (pc->kind == PRUNER_ASHA && !pruner_is_rung(pc, (int)step))
        return HP_OK;
    int n;
    int rc = store_values_at_step(store, study_id, number, step, cfg->metric,
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
