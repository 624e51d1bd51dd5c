/*
** The auto sampler, the default: gp where a Gaussian process does well,
** tpe elsewhere, decided by the space and by how far the study has grown.
**
** gp: up to AUTO_GP_MAX_DIM searched parameters of which at most half are
** categorical, and until AUTO_GP_MAX_TRIALS trials have finished (a fit
** costs O(n^3) and each proposal then takes a second).  tpe: spaces larger
** or more categorical than that, where a GP's smooth prior over one
** dimension per parameter fits poorly and TPE's per-choice distributions
** do not, and studies past the GP's reach, from the trial that crosses it.
** These first thresholds follow what the GP and TPE literature and
** Optuna's own guidance say; the Search 2 benchmark is to tune them.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sampler_impl.h"

#define AUTO_GP_MAX_DIM 20
#define AUTO_GP_MAX_TRIALS 1000

typedef struct {
    hp_sampler *gp;     /* NULL when the space does not suit a GP */
    hp_sampler *tpe;    /* the other: tpe, or nsga2 for several objectives */
    const char *other;
    int dim, categorical;
    const hp_sampler *last;  /* the sampler of the last proposal */
} auto_state;

static void auto_destroy(void *state)
{
    auto_state *a = state;
    if (!a)
        return;
    sampler_free(a->gp);
    sampler_free(a->tpe);
    free(a);
}

static int auto_create(const hp_space *space, uint64_t seed, const hp_sampler_options *opt,
                       void **state, char *err)
{
    auto_state *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    for (int i = 0; i < space_size(space); i++) {
        const hp_param *p = space_param(space, i);
        a->dim += p->kind != HP_PARAM_FIXED;
        a->categorical += p->kind == HP_PARAM_CHOICE;
    }
    /* nothing to search (every parameter fixed): tpe's random start does */
    int gp_suits = a->dim > 0 && a->dim <= AUTO_GP_MAX_DIM && 2 * a->categorical <= a->dim;
    a->other = opt->n_objectives > 1 ? "nsga2" : "tpe";
    if ((gp_suits && sampler_new("gp", space, seed, opt, &a->gp, err)) ||
        sampler_new(a->other, space, seed, opt, &a->tpe, err)) {
        auto_destroy(a);
        return -1;
    }
    *state = a;
    return 0;
}

static uint64_t auto_capacity(const void *state)
{
    (void)state;
    return UINT64_MAX;
}

/* The sampler for a study with N finished trials. */
static hp_sampler *chosen(const auto_state *a, int n)
{
    return a->gp && n < AUTO_GP_MAX_TRIALS ? a->gp : a->tpe;
}

static int auto_propose(void *state, uint64_t number, const hp_history *history,
                        hp_value *out, char *err)
{
    auto_state *a = state;
    hp_sampler *s = chosen(a, history ? history->n : 0);
    a->last = s;
    return sampler_propose(s, number, history, out, err);
}

static int auto_promising(const void *state)
{
    const auto_state *a = state;
    return a->last ? sampler_last_promising(a->last) : 0;
}

static int auto_importance(const void *state, double *importance)
{
    const auto_state *a = state;
    return a->gp ? sampler_importance(a->gp, importance) : -1;
}

static int auto_fit(void *state, const hp_history *history, char *err)
{
    auto_state *a = state;
    if (!a->gp) {
        snprintf(err, HP_ERR_LEN, "sampler auto uses tpe here, which has no model to fit");
        return -1;
    }
    return sampler_fit(a->gp, history, err);
}

static int auto_describe(const void *state, int finished, char *buf, int len)
{
    const auto_state *a = state;
    const char *o = a->other;
    if (a->dim == 0)
        return snprintf(buf, (size_t)len, "%s (every parameter is fixed: nothing to model)", o);
    if (!a->gp && a->dim > AUTO_GP_MAX_DIM)
        return snprintf(buf, (size_t)len, "%s (%d searched parameters: more than a GP "
                        "models well, %d)", o, a->dim, AUTO_GP_MAX_DIM);
    if (!a->gp)
        return snprintf(buf, (size_t)len, "%s (%d of %d parameters categorical: more than "
                        "half)", o, a->categorical, a->dim);
    if (finished >= AUTO_GP_MAX_TRIALS)
        return snprintf(buf, (size_t)len, "%s (%d finished trials: gp until %d, then %s)", o,
                        finished, AUTO_GP_MAX_TRIALS, o);
    return snprintf(buf, (size_t)len, "gp%s (%d searched parameters, %d categorical; %s "
                    "from %d finished trials)", strcmp(o, "nsga2") == 0 ? " with ParEGO" : "",
                    a->dim, a->categorical, o, AUTO_GP_MAX_TRIALS);
}

static int auto_initial_trials(const void *state, int finished)
{
    return sampler_initial_trials(chosen(state, finished), finished);
}

static int auto_save_model(const void *state, char *buf, int len, int *trials)
{
    const auto_state *a = state;
    return a->gp ? sampler_save_model(a->gp, buf, len, trials) : 0;
}

static int auto_noise_note(const void *state, const hp_history *history, char *buf, int len)
{
    const auto_state *a = state;
    return a->gp && chosen(state, history->n) == a->gp
               ? sampler_noise_note(a->gp, history, buf, len)
               : 0;
}

static int auto_load_model(void *state, const char *text, int trials)
{
    auto_state *a = state;
    return a->gp ? sampler_load_model(a->gp, text, trials) : -1;
}

const hp_sampler_kind sampler_auto_kind = {
    "auto", auto_create, auto_destroy, auto_capacity, auto_propose, 1, auto_importance,
    auto_fit, auto_describe, auto_initial_trials, auto_save_model, auto_load_model,
    auto_noise_note, auto_promising,
};
