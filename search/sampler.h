/*
** Samplers propose the point of the unit cube a trial runs with.  A sampler
** sees only the space, the trial number and its own seed, so the same code
** serves threads, processes and machines; grid, random and sobol proposals
** depend on (study seed, trial number) alone, whatever ran before.
**
** A sampler object may keep caches (sobol keeps its generator position, gp
** its last fit), so one object must be used by one thread at a time: give
** each worker its own.  The gp sampler also sees the history of the study.
*/
#ifndef HP_SAMPLER_H
#define HP_SAMPLER_H

#include <stdint.h>

#include "space.h"

typedef struct hp_sampler hp_sampler;

/* Sampler names accepted by sampler_new, for messages. */
#define SAMPLER_NAMES "auto, grid, random, sobol, gp, tpe, nsga2"

/* What a model-based sampler sees of the study: points in the unit cube
** (space_dim coordinates each, row-major), and for finished trials their
** value as the study reports it (NaN for a failed trial).  Owned by the
** caller, read-only for the sampler. */
typedef struct {
    int n;                 /* finished trials */
    const double *x;       /* n x dim; NaN where a parameter is inactive */
    const double *y;       /* n values, NaN = failed (a multi-objective
                              study: the first objective's) */
    int n_running;         /* trials running now */
    const double *x_running;  /* n_running x dim */
    const double *ys;      /* a multi-objective study (n_objectives > 1 in
                              the options): n x n_objectives values as
                              reported, NaN = failed; else NULL */
} hp_history;

/* Options from the study's [sampler] section (defaults when absent). */
typedef struct {
    int maximize;          /* the study's direction */
    int initial_trials;    /* gp: space-filling points first; 0 = max(d + 5, 2d) */
    char acquisition[16];  /* gp: logei | ei | ucb | pi */
    char batch[24];        /* gp: kriging_believer (default) | constant_liar */
    int deterministic;     /* gp: 1 the objective gives the same value for
                              the same config (no noise to learn), 0 it is
                              noisy, -1 (the default) not known: the best
                              trial is repeated once to find out */
    /* tpe (zero is the default of each; see tpe.c): initial_trials above
       (default 10), and */
    int candidates;        /* points drawn from l(x) per proposal; 0 = 24 */
    int univariate;        /* 1: one mixture per coordinate */
    double prior_weight;   /* > 0; 0 = 1 */
    int consider_endpoints;  /* an edge trial's bandwidth may reach the edge */
    int no_magic_clip;     /* 1: no floor on the bandwidths */
    int no_constant_liar;  /* 1: running trials are not modelled */
    /* several objectives (0 or 1: one, whose direction is maximize) */
    int n_objectives;
    int maximize_objective[HP_MAX_OBJECTIVES];
    int population;        /* nsga2: individuals per generation; 0 = 50 */
} hp_sampler_options;

/* Sets OPT to the defaults. */
void sampler_options_init(hp_sampler_options *opt);

/* Checks option KEY = VALUE of sampler NAME and stores it in OPT.
** Returns 0, or -1 with err (an unknown key, a bad value). */
int sampler_option_set(const char *name, hp_sampler_options *opt, const char *key,
                       const char *value, char *err);

/* 1 if NAME names a sampler this library provides. */
int sampler_known(const char *name);

/* Creates sampler NAME over SPACE (which must outlive it) seeded with SEED.
** Returns 0, or -1 with a message in err (unknown name, a grid over a
** continuous range, out of memory). */
int sampler_new(const char *name, const hp_space *space, uint64_t seed,
                const hp_sampler_options *opt, hp_sampler **out, char *err);
void sampler_free(hp_sampler *sampler);

/* How many distinct trials the sampler can propose: the grid size for grid,
** UINT64_MAX otherwise. */
uint64_t sampler_capacity(const hp_sampler *sampler);

/* 1 if proposals use the history (then pass it to sampler_propose). */
int sampler_needs_history(const hp_sampler *sampler);

/* Writes the values of trial NUMBER (space_size entries) into OUT.
** NUMBER must be below sampler_capacity.  HISTORY may be NULL for samplers
** that do not need it.  Returns 0, or -1 with err. */
int sampler_propose(hp_sampler *sampler, uint64_t number, const hp_history *history,
                    hp_value *out, char *err);

/* For model-based samplers: fits the model to HISTORY without proposing
** (what `status` needs for importances, at a fraction of a proposal's
** cost).  Returns 0, or -1 with err when there is no model or too few
** trials to fit one. */
int sampler_fit(hp_sampler *sampler, const hp_history *history, char *err);

/* For model-based samplers: the relative importance of each searched
** parameter (space_dim entries, summing to 1) from the last model fit.
** Returns 0, or -1 if there is none (other samplers, no fit yet). */
int sampler_importance(const hp_sampler *sampler, double *importance);

/* What SAMPLER does once FINISHED trials have finished: its name, and for
** auto which sampler it uses then and why ("gp (5 searched parameters, 1
** categorical; tpe from 1000 finished trials)").  Returns BUF. */
const char *sampler_describe(const hp_sampler *sampler, int finished, char *buf, int len);

/* For model-based samplers: the last fit (e.g. the GP's hyperparameters)
** as text into BUF, and the number of trials it was fitted on into
** *TRIALS (the repeat that found the objective deterministic not counted).
** Returns the text's length, or 0 when there is nothing to keep (no fit
** yet, or a sampler without a model). */
int sampler_save_model(const hp_sampler *sampler, char *buf, int len, int *trials);

/* What a model-based SAMPLER takes the noise of the objective to be after
** HISTORY ("none (a repeated trial gave the same value)", "learned ...",
** "not known yet ..."), into BUF.  Returns the text's length, 0 when the
** sampler has nothing to say (no model, or auto using tpe). */
int sampler_noise_note(const hp_sampler *sampler, const hp_history *history, char *buf,
                       int len);

/* Starts from a fit that sampler_save_model made (on TRIALS trials), as if
** this object had made it: a new process then refits as the one that saved
** it would have.  Returns 0, or -1 when TEXT does not suit this sampler
** (another space or version): it is then ignored. */
int sampler_load_model(hp_sampler *sampler, const char *text, int trials);

/* How many trials with a value (complete, or pruned: see the engine's
** rung model) the sampler proposes without a model before it uses one,
** once FINISHED trials have finished; 0 for samplers without a model. */
int sampler_initial_trials(const hp_sampler *sampler, int finished);

/* 1 if the sampler's model predicted its last proposal among the best
** trials: a value in the top third of those the model was fitted to (the
** pruner lets such a trial past its first rung, where a noisy first
** reading would stop a slow starter).  0 for proposals without a model,
** and for samplers without one. */
int sampler_last_promising(const hp_sampler *sampler);

#endif
