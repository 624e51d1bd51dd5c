/*
** Sampler dispatch: one table entry per kind, looked up by name.
*/
#include "sampler.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sampler_impl.h"

struct hp_sampler {
    const hp_sampler_kind *kind;
    void *state;
};

static const hp_sampler_kind *const kinds[] = {
    &sampler_grid_kind,
    &sampler_random_kind,
    &sampler_sobol_kind,
    &sampler_gp_kind,
    &sampler_tpe_kind,
    &sampler_auto_kind,
    &sampler_nsga2_kind,
};

static const hp_sampler_kind *find_kind(const char *name)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i]->name, name) == 0)
            return kinds[i];
    return NULL;
}

int sampler_known(const char *name)
{
    return find_kind(name) != NULL;
}

void sampler_options_init(hp_sampler_options *opt)
{
    memset(opt, 0, sizeof *opt);
    snprintf(opt->acquisition, sizeof opt->acquisition, "logei");
    opt->deterministic = -1; /* not told: the gp sampler finds out */
    /* kriging believer by default: with a deterministic objective the noise
       floor is tiny, and constant liar's lie (the best value) at a pending
       point beside the incumbent flattens EI there and stops the fine
       refinement; measured on branin with 2 workers, median regret at 50
       was 0.0166 with constant liar and 4.1e-7 (sequential: 4.5e-7) with
       kriging believer (build/tests/sampler_bench 10 parallel) */
    snprintf(opt->batch, sizeof opt->batch, "kriging_believer");
}

/* KEY's VALUE as an integer in [1, max], else -1 with err. */
static int positive_option(const char *key, const char *value, long max, int *out,
                           char *err)
{
    char *end;
    long v = strtol(value, &end, 10);
    if (!*value || *end || v < 1 || v > max) {
        snprintf(err, HP_ERR_LEN, "%s must be a positive integer up to %ld, got '%s'", key,
                 max, value);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* KEY's VALUE as true or false, else -1 with err. */
static int boolean_option(const char *key, const char *value, int *out, char *err)
{
    if (strcmp(value, "true") && strcmp(value, "false")) {
        snprintf(err, HP_ERR_LEN, "%s must be true or false, got '%s'", key, value);
        return -1;
    }
    *out = strcmp(value, "true") == 0;
    return 0;
}

static int tpe_option_set(hp_sampler_options *opt, const char *key, const char *value,
                          char *err)
{
    int flag;
    if (strcmp(key, "initial_trials") == 0)
        return positive_option(key, value, 100000, &opt->initial_trials, err);
    if (strcmp(key, "candidates") == 0)
        return positive_option(key, value, 10000, &opt->candidates, err);
    if (strcmp(key, "multivariate") == 0) {
        if (boolean_option(key, value, &flag, err))
            return -1;
        opt->univariate = !flag;
    } else if (strcmp(key, "consider_endpoints") == 0) {
        return boolean_option(key, value, &opt->consider_endpoints, err);
    } else if (strcmp(key, "magic_clip") == 0) {
        if (boolean_option(key, value, &flag, err))
            return -1;
        opt->no_magic_clip = !flag;
    } else if (strcmp(key, "constant_liar") == 0) {
        if (boolean_option(key, value, &flag, err))
            return -1;
        opt->no_constant_liar = !flag;
    } else if (strcmp(key, "prior_weight") == 0) {
        char *end;
        double v = strtod(value, &end);
        if (!*value || *end || !(v > 0) || !isfinite(v)) {
            snprintf(err, HP_ERR_LEN, "prior_weight must be a positive number, got '%s'",
                     value);
            return -1;
        }
        opt->prior_weight = v;
    } else {
        snprintf(err, HP_ERR_LEN, "unknown key '%s' in [sampler] for sampler tpe (expected "
                 "initial_trials, candidates, multivariate, prior_weight, "
                 "consider_endpoints, magic_clip or constant_liar)", key);
        return -1;
    }
    return 0;
}

int sampler_option_set(const char *name, hp_sampler_options *opt, const char *key,
                       const char *value, char *err)
{
    if (strcmp(name, "tpe") == 0)
        return tpe_option_set(opt, key, value, err);
    if (strcmp(name, "nsga2") == 0) {
        if (strcmp(key, "population") == 0)
            return positive_option(key, value, 100000, &opt->population, err);
        snprintf(err, HP_ERR_LEN, "unknown key '%s' in [sampler] for sampler nsga2 "
                 "(expected population)", key);
        return -1;
    }
    if (strcmp(name, "auto") == 0) {
        /* the options of gp and tpe, for whichever auto uses */
        static const char *const tpe_only[] = {"candidates", "multivariate", "prior_weight",
                                               "consider_endpoints", "magic_clip",
                                               "constant_liar", NULL};
        static const char *const gp_keys[] = {"initial_trials", "acquisition", "batch",
                                              "deterministic", NULL};
        for (int i = 0; tpe_only[i]; i++)
            if (strcmp(key, tpe_only[i]) == 0)
                return tpe_option_set(opt, key, value, err);
        int known = 0;
        for (int i = 0; gp_keys[i]; i++)
            known |= strcmp(key, gp_keys[i]) == 0;
        if (!known) {
            snprintf(err, HP_ERR_LEN, "unknown key '%s' in [sampler] for sampler auto "
                     "(expected an option of gp or tpe: initial_trials, acquisition, batch, "
                     "deterministic, candidates, multivariate, prior_weight, "
                     "consider_endpoints, magic_clip, constant_liar)", key);
            return -1;
        }
        name = "gp";
    }
    if (strcmp(name, "gp") != 0) {
        snprintf(err, HP_ERR_LEN, "unknown key '%s' in [sampler]: sampler '%s' takes no "
                 "options", key, name);
        return -1;
    }
    if (strcmp(key, "initial_trials") == 0) {
        return positive_option(key, value, 100000, &opt->initial_trials, err);
    } else if (strcmp(key, "acquisition") == 0) {
        if (strcmp(value, "logei") && strcmp(value, "ei") && strcmp(value, "ucb") &&
            strcmp(value, "pi")) {
            snprintf(err, HP_ERR_LEN, "acquisition must be logei, ei, ucb or pi, got '%s'",
                     value);
            return -1;
        }
        snprintf(opt->acquisition, sizeof opt->acquisition, "%s", value);
    } else if (strcmp(key, "batch") == 0) {
        if (strcmp(value, "constant_liar") && strcmp(value, "kriging_believer")) {
            snprintf(err, HP_ERR_LEN, "batch must be constant_liar or kriging_believer, "
                     "got '%s'", value);
            return -1;
        }
        snprintf(opt->batch, sizeof opt->batch, "%s", value);
    } else if (strcmp(key, "deterministic") == 0) {
        return boolean_option(key, value, &opt->deterministic, err);
    } else {
        snprintf(err, HP_ERR_LEN, "unknown key '%s' in [sampler] for sampler gp (expected "
                 "initial_trials, acquisition, batch or deterministic)", key);
        return -1;
    }
    return 0;
}

int sampler_new(const char *name, const hp_space *space, uint64_t seed,
                const hp_sampler_options *opt, hp_sampler **out, char *err)
{
    const hp_sampler_kind *kind = find_kind(name);
    if (!kind) {
        snprintf(err, HP_ERR_LEN, "unknown sampler '%s' (expected %s)", name,
                 SAMPLER_NAMES);
        return -1;
    }
    hp_sampler *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    s->kind = kind;
    hp_sampler_options defaults;
    if (!opt) {
        sampler_options_init(&defaults);
        opt = &defaults;
    }
    if (kind->create(space, seed, opt, &s->state, err)) {
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void sampler_free(hp_sampler *sampler)
{
    if (!sampler)
        return;
    sampler->kind->destroy(sampler->state);
    free(sampler);
}

uint64_t sampler_capacity(const hp_sampler *sampler)
{
    return sampler->kind->capacity(sampler->state);
}

int sampler_needs_history(const hp_sampler *sampler)
{
    return sampler->kind->needs_history;
}

int sampler_importance(const hp_sampler *sampler, double *importance)
{
    if (!sampler->kind->importance)
        return -1;
    return sampler->kind->importance(sampler->state, importance);
}

const char *sampler_describe(const hp_sampler *sampler, int finished, char *buf, int len)
{
    if (sampler->kind->describe)
        sampler->kind->describe(sampler->state, finished, buf, len);
    else
        snprintf(buf, (size_t)len, "%s", sampler->kind->name);
    return buf;
}

int sampler_save_model(const hp_sampler *sampler, char *buf, int len, int *trials)
{
    return sampler->kind->save_model ? sampler->kind->save_model(sampler->state, buf, len, trials)
                                     : 0;
}

int sampler_noise_note(const hp_sampler *sampler, const hp_history *history, char *buf,
                       int len)
{
    if (len > 0)
        *buf = 0;
    return sampler->kind->noise_note
               ? sampler->kind->noise_note(sampler->state, history, buf, len)
               : 0;
}

int sampler_load_model(hp_sampler *sampler, const char *text, int trials)
{
    return sampler->kind->load_model ? sampler->kind->load_model(sampler->state, text, trials)
                                     : -1;
}

int sampler_initial_trials(const hp_sampler *sampler, int finished)
{
    return sampler->kind->initial_trials ? sampler->kind->initial_trials(sampler->state, finished)
                                         : 0;
}

int sampler_last_promising(const hp_sampler *sampler)
{
    return sampler->kind->promising ? sampler->kind->promising(sampler->state) : 0;
}

int sampler_fit(hp_sampler *sampler, const hp_history *history, char *err)
{
    if (!sampler->kind->fit) {
        snprintf(err, HP_ERR_LEN, "sampler '%s' has no model", sampler->kind->name);
        return -1;
    }
    return sampler->kind->fit(sampler->state, history, err);
}

int sampler_propose(hp_sampler *sampler, uint64_t number, const hp_history *history,
                    hp_value *out, char *err)
{
    if (number >= sampler_capacity(sampler)) {
        snprintf(err, HP_ERR_LEN, "trial %llu is beyond the sampler's %llu points",
                 (unsigned long long)number,
                 (unsigned long long)sampler_capacity(sampler));
        return -1;
    }
    if (sampler->kind->needs_history && !history) {
        snprintf(err, HP_ERR_LEN, "sampler '%s' needs the study's history",
                 sampler->kind->name);
        return -1;
    }
    return sampler->kind->propose(sampler->state, number, history, out, err);
}
