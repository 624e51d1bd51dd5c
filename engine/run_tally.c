#include "run_tally.h"

#include <math.h>
#include <string.h>

#include "buf.h"
#include "constraints.h"
#include "error.h"

/* 1 when OUT's metrics meet the study's CONSTRAINTS (none: always). */
static int feasible(const hp_constraints *c, const hp_outcome *out)
{
    double v[HP_MAX_CONSTRAINTS];
    for (int i = 0; i < c->n; i++) {
        v[i] = NAN;
        for (int k = 0; k < out->n_metrics; k++)
            if (strcmp(out->metric_names[k], c->names[i]) == 0)
                v[i] = out->metric_values[k];
    }
    return c->n == 0 || constraints_violation(c, v) == 0;
}

static int remember_best(void *ctx, const hp_trial_row *row)
{
    hp_run_tally *t = ctx;
    t->has_best = 1;
    t->best = row->value;
    t->best_number = row->number;
    return 0;
}

int tally_load(hp_run_tally *t, hp_store *store, const hp_study_config *cfg,
               int64_t study_id, char *err)
{
    memset(t, 0, sizeof *t);
    int64_t counts[TRIAL_N_STATES];
    int found, rc = store_counts(store, study_id, counts, err);
    if (rc)
        return rc;
    t->finished = counts[TRIAL_COMPLETE] + counts[TRIAL_PRUNED] + counts[TRIAL_FAILED];
    if (cfg->constraints.n)
        return HP_OK;
    return store_best(store, study_id, cfg->maximize, remember_best, t, &found, err);
}

void tally_count(hp_run_tally *t, const hp_study_config *cfg, int64_t number,
                 hp_trial_state state, const hp_outcome *out)
{
    t->finished++;
    t->done++;
    if (state == TRIAL_FAILED)
        t->failed++;
    else if (state == TRIAL_PRUNED)
        t->pruned++;
    else
        t->complete++;
    if (state != TRIAL_COMPLETE || !feasible(&cfg->constraints, out))
        return;
    if (!t->has_best || (cfg->maximize ? out->value > t->best : out->value < t->best)) {
        t->has_best = 1;
        t->best = out->value;
        t->best_number = number;
    }
}

void tally_summary(const hp_run_tally *t, const hp_study_config *cfg, double elapsed,
                   FILE *out)
{
    fprintf(out, "%lld trials in %.2f s (%.1f/s), %lld failed, %lld pruned; study has "
            "%lld/%lld finished", (long long)t->done, elapsed,
            elapsed > 0 ? (double)t->done / elapsed : 0.0, (long long)t->failed,
            (long long)t->pruned, (long long)t->finished, (long long)cfg->trials);
    char v[40];
    if (t->has_best && cfg->objectives.n > 1)
        fprintf(out, "; best %s %s (trial %lld), the first of %d objectives: "
                "'hpsearch best' lists the Pareto front", cfg->metric,
                buf_number_text(t->best, v, sizeof v), (long long)t->best_number,
                cfg->objectives.n);
    else if (t->has_best)
        fprintf(out, "; best %s%s (trial %lld)", cfg->constraints.n ? "feasible " : "",
                buf_number_text(t->best, v, sizeof v), (long long)t->best_number);
    fputc('\n', out);
    fflush(out);
}
