/*
** Objective dispatch, and the benchmark-function objective.  The function
** objective maps the study's parameters, in the order declared, to the
** coordinates of a benchmark function.  Its options sleep, fail_rate and
** nan_rate make slow and failing trials on purpose, so that resume, Ctrl-C
** and failure handling can be tested and demonstrated without a model.
*/
#include "objective.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../search/functions.h"
#include "../search/seed.h"
#include "objective_command.h"
#include "objective_mlp.h"

struct hp_objective {
    const hp_study_config *cfg;
    const hp_function_info *function;   /* type = function */
    hp_command_objective *command;      /* type = command */
    hp_mlp_objective *mlp;              /* type = mlp */
};

int objective_new(const hp_study_config *cfg, hp_objective **out, char *err)
{
    if (!cfg->has_objective) {
        snprintf(err, HP_ERR_LEN, "study '%s' has no objective to run", cfg->name);
        return -1;
    }
    hp_objective *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    o->cfg = cfg;
    if (strcmp(cfg->objective_type, "command") == 0) {
        if (command_objective_new(cfg, &o->command, err)) {
            free(o);
            return -1;
        }
    } else if (strcmp(cfg->objective_type, "mlp") == 0) {
        if (mlp_objective_new(cfg, &o->mlp, err)) {
            free(o);
            return -1;
        }
    } else {
        o->function = function_find(cfg->function_name);
    }
    *out = o;
    return 0;
}

void objective_free(hp_objective *obj)
{
    if (!obj)
        return;
    command_objective_free(obj->command);
    mlp_objective_free(obj->mlp);
    free(obj);
}

/* A uniform draw in [0, 1) that depends only on the trial seed and SALT. */
static double seeded_unit(uint64_t seed, uint64_t salt)
{
    return (double)(seed_mix(seed ^ salt) >> 11) * 0x1.0p-53;
}

/* Sleeps SECONDS in short slices; returns 1 if asked to stop meanwhile. */
static int interruptible_sleep(double seconds, const hp_reporter *r)
{
    while (seconds > 0) {
        if (r->should_stop(r->ctx))
            return 1;
        double slice = seconds < 0.02 ? seconds : 0.02;
        struct timespec ts = {(time_t)slice, (long)((slice - (time_t)slice) * 1e9)};
        nanosleep(&ts, NULL);
        seconds -= slice;
    }
    return r->should_stop(r->ctx);
}

static void set_metric(hp_outcome *out, const char *name, double v)
{
    snprintf(out->metric_names[0], sizeof out->metric_names[0], "%s", name);
    out->metric_values[0] = v;
    out->n_metrics = 1;
}

void objective_evaluate(hp_objective *obj, const hp_value *values, int64_t number,
                        uint64_t seed, const hp_reporter *reporter, hp_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (obj->command) {
        command_objective_evaluate(obj->command, values, number, seed, reporter, out);
        return;
    }
    if (obj->mlp) {
        mlp_objective_evaluate(obj->mlp, values, seed, reporter, out);
        return;
    }
    const hp_study_config *cfg = obj->cfg;
    int n = space_size(cfg->space);
    double x[256];
    if (n > (int)(sizeof x / sizeof x[0])) {
        out->kind = OUTCOME_FAILED;
        snprintf(out->error, sizeof out->error, "more than 256 coordinates");
        return;
    }
    for (int i = 0; i < n; i++)
        x[i] = values[i].value;
    if (cfg->sleep_s > 0 && interruptible_sleep(cfg->sleep_s, reporter)) {
        out->kind = OUTCOME_INTERRUPTED;
        return;
    }
    if (cfg->fail_rate > 0 && seeded_unit(seed, 0xfa11) < cfg->fail_rate) {
        out->kind = OUTCOME_FAILED;
        snprintf(out->error, sizeof out->error, "injected failure (fail_rate = %g)",
                 cfg->fail_rate);
        return;
    }
    double v = function_eval(obj->function, x, n);
    if (cfg->nan_rate > 0 && seeded_unit(seed, 0x0a0a) < cfg->nan_rate)
        v = NAN;
    out->kind = OUTCOME_COMPLETE;
    out->value = v;
    set_metric(out, cfg->metric, v);
}
