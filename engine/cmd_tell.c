/*
** hpsearch tell: record what an asked trial gave: its final value, its
** failure, or an intermediate value at a step.  The trial ends through the
** same outcome policy as a trial of `run` (trial.h).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parse.h"
#include "trial.h"

typedef struct {
    int64_t trial_id;
    hp_trial_state state;
    char worker[320];
} found_trial;

static int keep_trial(void *ctx, const hp_trial_row *row)
{
    found_trial *f = ctx;
    f->trial_id = row->trial_id;
    snprintf(f->worker, sizeof f->worker, "%s", row->worker ? row->worker : "");
    f->state = row->state;
    return 0;
}

/* The arguments of tell, checked before anything is opened for writing. */
int tell_parse(const hp_args *a, int64_t *number, int64_t *step, double *value, char *err)
{
    const char *fail = args_get(a, "--fail"), *st = args_get(a, "--step");
    int want = fail ? 2 : 3;
    if (a->n_pos != want || (fail && st)) {
        snprintf(err, HP_ERR_LEN, "tell: usage: hpsearch tell STUDY.ini TRIAL VALUE | --fail "
                 "REASON | --step N VALUE");
        return HP_EINPUT;
    }
    if (parse_int64(a->pos[1], number) || *number < 0) {
        snprintf(err, HP_ERR_LEN, "tell: trial must be a trial number, got '%s'", a->pos[1]);
        return HP_EINPUT;
    }
    if (st && parse_step_n(st, strlen(st), step)) {
        snprintf(err, HP_ERR_LEN, "tell: --step must be a non-negative integer (at most 18 "
                 "digits), got '%s'", st);
        return HP_EINPUT;
    }
    *value = NAN;
    if (!fail) {
        char *end;
        *value = strtod(a->pos[2], &end);
        /* NaN and infinities are accepted and fail the trial; overflow and
           underflow to zero are not a value the program meant */
        if (!*a->pos[2] || *end || (isfinite(*value) && parse_double(a->pos[2], value))) {
            snprintf(err, HP_ERR_LEN, "tell: value must be a number, got '%s'", a->pos[2]);
            return HP_EINPUT;
        }
    }
    return HP_OK;
}

int cmd_tell(const hp_args *a, hp_target *t, char *err)
{
    int64_t number, step = 0;
    double value;
    int rc = tell_parse(a, &number, &step, &value, err);
    if (rc)
        return rc;
    found_trial f = {0, TRIAL_WAITING, ""};
    int found;
    if ((rc = store_trial_by_number(t->store, t->study.study_id, number, keep_trial, &f,
                                    &found, err)))
        return rc;
    if (!found) {
        snprintf(err, HP_ERR_LEN, "tell: study '%s' has no trial %lld", t->study.name,
                 (long long)number);
        return HP_EINPUT;
    }
    if (f.state != TRIAL_RUNNING) {
        snprintf(err, HP_ERR_LEN, "tell: trial %lld is %s, not RUNNING", (long long)number,
                 store_state_name(f.state));
        return HP_EINPUT;
    }
    /* a trial a run worker holds is that worker's: its result would be
       thrown away when the worker finishes (or refused if this one lands
       first), so only --force takes it */
    int running, pid;
    char instance[64];
    if ((rc = store_trial_owner(t->store, f.trial_id, &running, &pid, instance, err)))
        return rc;
    if (running && pid > 0 && !args_get(a, "--force")) {
        snprintf(err, HP_ERR_LEN, "tell: trial %lld is being run by a 'run' worker (%s); "
                 "its result will be recorded when it finishes.  Use --force to record "
                 "this one instead", (long long)number, f.worker[0] ? f.worker : "unknown");
        return HP_EINPUT;
    }
    hp_trial_run trial;
    memset(&trial, 0, sizeof trial);
    trial_begin(&trial, f.trial_id, number);
    hp_outcome out;
    memset(&out, 0, sizeof out);
    if (args_get(a, "--step")) {
        /* the pruner decides from the study file; without one, no pruning.
           It never waits: one script may hold several asked trials */
        static const hp_study_config no_pruner; /* pruner kind none */
        const hp_study_config *cfg = t->has_cfg ? &t->cfg : &no_pruner;
        hp_study_config metric_only;
        if (!t->has_cfg) {
            metric_only = no_pruner;
            metric_only.metric = t->study.metric;
            cfg = &metric_only;
        }
        rc = trial_report(t->store, cfg, t->study.study_id, NULL, &trial, step,
                          t->study.metric, value, NULL, err);
        if (rc || !trial.pruned) {
            trial_deinit(&trial);
            return rc;
        }
        out.kind = OUTCOME_INTERRUPTED; /* the policy makes it PRUNED */
    } else if (args_get(a, "--fail")) {
        out.kind = OUTCOME_FAILED;
        snprintf(out.error, sizeof out.error, "%s", args_get(a, "--fail"));
    } else if (!isfinite(value)) {
        out.kind = OUTCOME_FAILED;
        snprintf(out.error, sizeof out.error, "the value told was %s",
                 isnan(value) ? "NaN" : "infinite");
    } else {
        out.kind = OUTCOME_COMPLETE;
        out.value = value;
        outcome_set_metric(&out, t->study.metric, value);
    }
    hp_trial_state state;
    rc = trial_finish(t->store, t->study.metric, NULL, &trial, &out, &state, err);
    trial_deinit(&trial);
    if (rc == HP_OK && state == TRIAL_PRUNED) {
        err[0] = '\0';
        return HP_ESTOP; /* exit 3: the asker stops the trial */
    }
    return rc;
}
