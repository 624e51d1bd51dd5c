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
int tell_parse_values(const hp_args *a, int64_t *number, int64_t *step, double *values,
                      int max_values, int *n_values, char *err)
{
    const char *fail = args_get(a, "--fail"), *st = args_get(a, "--step");
    int want = fail ? 2 : 3;
    *n_values = 0;
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
    if (fail)
        return HP_OK;
    /* one value, or (several objectives) a comma-separated list */
    const char *p = a->pos[2];
    for (;;) {
        char *end;
        double v = strtod(p, &end);
        /* NaN and infinities are accepted and fail the trial; overflow and
           underflow to zero are not a value the program meant */
        char item[64];
        size_t len = (size_t)(end - p);
        int bad = end == p || (*end && *end != ',') || len >= sizeof item;
        if (!bad && isfinite(v)) {
            memcpy(item, p, len);
            item[len] = '\0';
            bad = parse_double(item, &v) != 0;
        }
        if (bad || *n_values == max_values) {
            if (max_values > 1 && !bad)
                snprintf(err, HP_ERR_LEN, "tell: at most %d values (one per objective), "
                         "got '%s'", max_values, a->pos[2]);
            else
                snprintf(err, HP_ERR_LEN, "tell: value must be a number, got '%s'", a->pos[2]);
            return HP_EINPUT;
        }
        values[(*n_values)++] = v;
        if (!*end)
            return HP_OK;
        p = end + 1;
    }
}

int tell_parse(const hp_args *a, int64_t *number, int64_t *step, double *value, char *err)
{
    int n;
    *value = NAN;
    return tell_parse_values(a, number, step, value, 1, &n, err);
}

int cmd_tell(const hp_args *a, hp_target *t, char *err)
{
    int64_t number, step = 0;
    hp_objectives obj;
    int which, n_values;
    if (objectives_parse(t->study.metric, t->study.direction, &obj, &which, err))
        return HP_EINPUT; /* a stored study the files wrote: cannot happen */
    double values[HP_MAX_OBJECTIVES] = {NAN};
    int rc = tell_parse_values(a, &number, &step, values, args_get(a, "--step") ? 1 : obj.n,
                               &n_values, err);
    if (rc)
        return rc;
    double value = values[0];
    if (!args_get(a, "--fail") && !args_get(a, "--step") && n_values != obj.n) {
        snprintf(err, HP_ERR_LEN, "tell: study '%s' has %d objectives (%s): give %d values "
                 "separated by commas, like %s", t->study.name, obj.n, t->study.metric, obj.n,
                 obj.n == 2 ? "0.93,15000" : "0.93,15000,2.5");
        return HP_EINPUT;
    }
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
    } else {
        out.kind = OUTCOME_COMPLETE;
        out.value = value;
        for (int i = 0; i < obj.n; i++)
            outcome_set_metric(&out, obj.names[i], values[i]);
        for (int i = 0; i < obj.n; i++)
            if (!isfinite(values[i])) {
                out.kind = OUTCOME_FAILED;
                snprintf(out.error, sizeof out.error, "the value told%s%s was %s",
                         obj.n > 1 ? " for " : "", obj.n > 1 ? obj.names[i] : "",
                         isnan(values[i]) ? "NaN" : "infinite");
                break;
            }
    }
    hp_trial_state state;
    rc = trial_finish(t->store, &obj, NULL, &trial, &out, &state, err);
    trial_deinit(&trial);
    if (rc == HP_OK && state == TRIAL_PRUNED) {
        err[0] = '\0';
        return HP_ESTOP; /* exit 3: the asker stops the trial */
    }
    return rc;
}
