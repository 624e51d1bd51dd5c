#include "trial.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

void trial_begin(hp_trial_run *t, int64_t trial_id, int64_t number)
{
    t->trial_id = trial_id;
    t->number = number;
    t->pruned = 0;
    t->last_step = 0;
    t->last_value = NAN;
}

void trial_deinit(hp_trial_run *t)
{
    prune_scratch_deinit(&t->scratch);
}

int trial_report(hp_store *store, const hp_study_config *cfg, int64_t study_id,
                 const char *worker, hp_trial_run *t, int64_t step, const char *name,
                 double value, const hp_trial_waiter *waiter, char *err)
{
    /* A pruned command may have printed more steps before it is stopped;
       how many depends on timing, so none count: the trial ends at the
       step it was pruned on, and the rungs after it never see it. */
    if (t->pruned)
        return HP_OK;
    int rc = store_report(store, t->trial_id, worker, step, name, value, err);
    if (rc)
        return rc;
    if (strcmp(name, cfg->metric) != 0)
        return HP_OK;
    t->last_step = step;
    t->last_value = value;
    int prune = 0;
    rc = prune_decide(store, cfg, study_id, t->number, t->trial_id, step, value, &t->scratch,
                      waiter != NULL, waiter ? waiter->should_stop : NULL,
                      waiter ? waiter->ctx : NULL, &prune, err);
    if (rc == HP_OK && prune)
        t->pruned = 1;
    return rc;
}

int trial_finish(hp_store *store, const hp_objectives *objectives, const char *worker,
                 hp_trial_run *t, hp_outcome *out, hp_trial_state *state, char *err)
{
    const char *metric = objectives->names[0];
    if (t->pruned && out->kind != OUTCOME_HOST_ERROR) {
        out->kind = OUTCOME_PRUNED;
        out->value = t->last_value;
        out->n_metrics = 0;
        outcome_set_metric(out, "pruned_step", (double)t->last_step);
    }
    if (out->kind == OUTCOME_INTERRUPTED || out->kind == OUTCOME_HOST_ERROR) {
        *state = TRIAL_WAITING;
        return store_release(store, t->trial_id, worker, err);
    }
    hp_trial_state st = out->kind == OUTCOME_PRUNED ? TRIAL_PRUNED
                        : out->kind == OUTCOME_FAILED ? TRIAL_FAILED
                                                      : TRIAL_COMPLETE;
    if (st == TRIAL_FAILED)
        out->value = NAN; /* a failed trial has no value, whatever was set */
    if (st == TRIAL_COMPLETE && !isfinite(out->value)) {
        st = TRIAL_FAILED;
        snprintf(out->error, sizeof out->error, "the objective returned %s for '%s'",
                 isnan(out->value) ? "NaN" : "infinity", metric);
        out->value = NAN;
    }
    /* a multi-objective trial is complete with every objective finite */
    for (int i = 1; i < objectives->n && st == TRIAL_COMPLETE; i++) {
        int k = 0;
        while (k < out->n_metrics && strcmp(out->metric_names[k], objectives->names[i]) != 0)
            k++;
        if (k == out->n_metrics || !isfinite(out->metric_values[k])) {
            st = TRIAL_FAILED;
            snprintf(out->error, sizeof out->error, k == out->n_metrics
                     ? "the objective did not report '%s', the study's objective %d"
                     : "the objective returned a non-finite '%s' (objective %d)",
                     objectives->names[i], i + 1);
            out->value = NAN;
        }
    }
    hp_metric metrics[OBJECTIVE_MAX_METRICS];
    for (int i = 0; i < out->n_metrics; i++) {
        metrics[i].name = out->metric_names[i];
        metrics[i].value = out->metric_values[i];
    }
    *state = st;
    return store_finish(store, t->trial_id, worker, st, out->value,
                        st == TRIAL_FAILED ? out->error : NULL, out->output, metrics,
                        out->n_metrics, err);
}
