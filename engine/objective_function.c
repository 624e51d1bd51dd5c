/*
** The benchmark-function objective (type = function): maps the study's
** parameters, in the order declared, to the coordinates of a function of
** search/functions.  Its options sleep, fail_rate and nan_rate make slow
** and failing trials on purpose, so that resume, Ctrl-C and failure
** handling can be tested and demonstrated without a model.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../search/functions.h"
#include "../search/seed.h"
#include "clock.h"
#include "error.h"
#include "objective_impl.h"
#include "parse.h"

typedef struct {
    const hp_function_info *function;
    double sleep_s;        /* seconds each evaluation takes */
    double fail_rate;      /* share of trials that fail */
    double nan_rate;       /* share that return NaN */
    const char *metric;    /* the study metric (owned by the study) */
    int n;                 /* coordinates */
} function_opts;

static const char *const keys[] = {"type", "name", "sleep", "fail_rate", "nan_rate", NULL};

static int parse_rate(const hp_objective_setup *s, const char *key, double *out, char *err)
{
    int line;
    const char *v = objective_get(s, key, NULL, &line);
    if (v && (parse_double(v, out) || *out < 0 || *out > 1))
        return objective_fail(s, line, err, "%s must be a number in [0, 1], got '%s'", key, v);
    return 0;
}

static int parse(const hp_objective_setup *s, void **out, char *err)
{
    int line;
    const char *fname = objective_get(s, "name", NULL, &line);
    if (!fname)
        return objective_fail(s, line, err, "type = function needs 'name' (one of %s)",
                              FUNCTION_NAMES);
    const hp_function_info *f = function_find(fname);
    if (!f)
        return objective_fail(s, line, err, "unknown function '%s' (expected one of %s)",
                              fname, FUNCTION_NAMES);
    int d = 0;
    for (int i = 0; i < space_size(s->space); i++) {
        const hp_param *p = space_param(s->space, i);
        if (!space_value_is_numeric(s->space, i))
            return objective_fail(s, objective_param_line(s, p->name), err,
                                  "function '%s' takes numeric parameters; '%s' is not "
                                  "numeric", fname, p->name);
        d++;
    }
    int params_line = ini_section_line(s->ini, "params");
    if (d == 0)
        return objective_fail(s, params_line, err,
                              "function '%s' needs its coordinates in [params]", fname);
    if (f->dim && d != f->dim)
        return objective_fail(s, params_line, err, "function '%s' takes %d parameters",
                              fname, f->dim);
    if (d > 256)
        return objective_fail(s, params_line, err, "functions take at most 256 coordinates");
    function_opts *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    o->function = f;
    o->metric = s->metric;
    o->n = d;
    const char *v;
    if ((v = objective_get(s, "sleep", NULL, &line)) && parse_duration(v, &o->sleep_s)) {
        free(o);
        return objective_fail(s, line, err, "sleep must be a duration like 0.2s or 1m, "
                              "got '%s'", v);
    }
    if (parse_rate(s, "fail_rate", &o->fail_rate, err) ||
        parse_rate(s, "nan_rate", &o->nan_rate, err)) {
        free(o);
        return HP_EINPUT;
    }
    *out = o;
    return 0;
}

static void free_opts(void *opts)
{
    free(opts);
}

static int deterministic(const void *opts)
{
    /* benchmark functions give the same value for the same point, unless
       NaNs are injected on purpose */
    const function_opts *o = opts;
    return o->nan_rate == 0;
}

static void describe(const void *opts, hp_buf *out)
{
    const function_opts *o = opts;
    buf_printf(out, "function %s", o->function->name);
    if (o->sleep_s > 0)
        buf_printf(out, ", sleep %gs", o->sleep_s);
    if (o->fail_rate > 0)
        buf_printf(out, ", fail_rate %g", o->fail_rate);
    if (o->nan_rate > 0)
        buf_printf(out, ", nan_rate %g", o->nan_rate);
}

static int create(const void *opts, const hp_objective_setup *setup, void **state, char *err)
{
    (void)setup;
    (void)err;
    *state = (void *)opts; /* no state beyond the options */
    return 0;
}

static void destroy(void *state)
{
    (void)state;
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
        clock_sleep(slice);
        seconds -= slice;
    }
    return r->should_stop(r->ctx);
}

static void evaluate(void *state, const hp_trial_input *t, const hp_reporter *r,
                     hp_outcome *out)
{
    const function_opts *o = state;
    double x[256];
    for (int i = 0; i < o->n; i++)
        x[i] = t->values[i].value;
    if (o->sleep_s > 0 && interruptible_sleep(o->sleep_s, r)) {
        out->kind = OUTCOME_INTERRUPTED;
        return;
    }
    if (o->fail_rate > 0 && seeded_unit(t->seed, 0xfa11) < o->fail_rate) {
        out->kind = OUTCOME_FAILED;
        snprintf(out->error, sizeof out->error, "injected failure (fail_rate = %g)",
                 o->fail_rate);
        return;
    }
    double v = function_eval(o->function, x, o->n);
    if (o->nan_rate > 0 && seeded_unit(t->seed, 0x0a0a) < o->nan_rate)
        v = NAN;
    out->kind = OUTCOME_COMPLETE;
    out->value = v;
    outcome_set_metric(out, o->metric, v);
}

const hp_objective_kind objective_function_kind = {
    "function", keys, 0, parse, free_opts, NULL, deterministic, describe,
    create, destroy, evaluate};
