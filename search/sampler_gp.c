/*
** The gp sampler: Bayesian optimisation with the model of gp.c.
**
** Per proposal: the first `initial_trials` come from the study's Sobol
** design; then the finished trials (failed ones at the worst value seen, so
** their region is discouraged; pruned ones as the engine fills them in)
** become the model's target (gp_target.c).  The model is refitted
** (warm-started), running trials are added with a lie (constant liar: the
** best value; or kriging believer: the model's mean), and the acquisition
** is maximised (gp_acquire.c).  A proposal never repeats a finished
** configuration, but one: when nobody said whether the objective is
** noisy, the best trial of the initial design is evaluated again, and the
** two values decide whether the model learns its noise (gp_repeat.c).
**
** Several objectives (ParEGO, Knowles 2006): each proposal draws weights
** uniform on the simplex from its trial's seed, scalarises the normalised
** objectives by the augmented Chebyshev function (search/pareto.h) and
** minimises that as one objective; over the proposals the weights sweep
** the whole front.
**
** Every random choice derives from (study seed, trial number).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "pareto.h"
#include "sampler_gp_impl.h"
#include "sampler_impl.h"
#include "seed.h"

/* Above SUBSET_ABOVE finished trials the model sees the SUBSET_BEST best
** plus the SUBSET_RECENT most recent ones: O(n^3) stays bounded, and the
** model keeps both where the optimum is and where the search is now. */
#define SUBSET_ABOVE 2000
#define SUBSET_BEST 1000
#define SUBSET_RECENT 1000

/* The interquartile-scaled target must raise the log evidence by this much
** (a Bayes factor of e^2) to replace the sd-scaled one.  With no margin
** its log-like warp was also taken early on smooth losses, where it makes
** the optimum a spike the GP resolves worse: levy 4D median regret 0.08
** instead of 0.0016, branin 7e-7 instead of 4e-7 (README, "Output warp"). */
#define IQR_EVIDENCE_MARGIN 2.0

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

static void gp_destroy(void *state)
{
    gp_state *g = state;
    if (!g)
        return;
    sampler_free(g->design);
    gp_free(g->gp);
    if (g->qrng)
        gsl_qrng_free(g->qrng);
    free(g->values);
    free(g->cand);
    free(g->cand_acq);
    free(g->cand_mu);
    free(g->cand_var);
    free(g->xs);
    free(g->ys);
    free(g->ys_alt);
    free(g->hx);
    free(g->cand_model);
    free(g->scal);
    free(g->ymin);
    free(g);
}

static int gp_create(const hp_space *space, uint64_t seed, const hp_sampler_options *opt,
                     void **state, char *err)
{
    int d = space_dim(space);
    if (d > GP_MAX_DIM) {
        snprintf(err, HP_ERR_LEN, "gp sampler: %d searched parameters is more than the %d "
                 "it supports", d, GP_MAX_DIM);
        return -1;
    }
    gp_state *g = calloc(1, sizeof *g);
    if (!g)
        goto oom;
    g->space = space;
    g->seed = seed;
    g->d = d;
    g->maximize = opt->maximize;
    g->n_init = opt->initial_trials > 0 ? opt->initial_trials : (2 * d > d + 5 ? 2 * d : d + 5);
    g->acq = strcmp(opt->acquisition, "ei") == 0    ? ACQ_EI
             : strcmp(opt->acquisition, "ucb") == 0 ? ACQ_UCB
             : strcmp(opt->acquisition, "pi") == 0  ? ACQ_PI
                                                    : ACQ_LOGEI;
    g->kriging_believer = strcmp(opt->batch, "kriging_believer") == 0;
    g->n_obj = opt->n_objectives > 1 ? opt->n_objectives : 1;
    if (g->n_obj > 1) {
        memcpy(g->maximize_obj, opt->maximize_objective, sizeof g->maximize_obj);
        g->maximize = 0; /* the scalarised value is minimised */
    }
    for (int i = 0; i < space_size(space); i++)
        g->conditional |= space_is_conditional(space, i);
    int k = 0;
    for (int i = 0; i < space_size(space); i++) {
        const hp_param *p = space_param(space, i);
        if (p->kind == HP_PARAM_FIXED)
            continue;
        if (k >= GP_MAX_DIM)
            break;
        g->param[k] = i;
        if (p->kind == HP_PARAM_CHOICE)
            g->n_cat[k] = p->n_choices;
        else if (p->step > 0)
            g->discrete[k] = 1;
        k++;
    }
    /* one indicator per condition, following its first searched parameter */
    g->dm = d;
    if (g->conditional)
        for (int q = 1; q < space_groups(space) && g->dm < GP_MAX_DIM; q++)
            for (int j = 0; j < d; j++)
                if (space_group(space, g->param[j]) == q) {
                    g->indicator_of[g->dm - d] = j;
                    g->n_cat[g->dm++] = 2;
                    break;
                }
    if (d == 0) {
        snprintf(err, HP_ERR_LEN, "gp sampler: nothing to search (every parameter is fixed)");
        gp_destroy(g);
        return -1;
    }
    if (sampler_new("sobol", space, seed, NULL, &g->design, err)) {
        gp_destroy(g);
        return -1;
    }
    g->gp = gp_new(g->dm, g->n_cat);
    g->deterministic = opt->deterministic > 0;
    g->find_noise = opt->deterministic < 0 && g->n_obj == 1;
    if (g->gp)
        gp_set_deterministic(g->gp, g->deterministic);
    g->qrng = gsl_qrng_alloc(d <= 40 ? gsl_qrng_sobol : gsl_qrng_halton, (unsigned)d);
    g->values = calloc((size_t)space_size(space) + 1, sizeof(hp_value));
    g->cand = malloc(sizeof(double) * N_CANDIDATES * (size_t)d);
    g->cand_acq = malloc(sizeof(double) * N_CANDIDATES);
    g->cand_mu = malloc(sizeof(double) * N_CANDIDATES);
    g->cand_var = malloc(sizeof(double) * N_CANDIDATES);
    if (g->conditional)
        g->cand_model = malloc(sizeof(double) * N_CANDIDATES * (size_t)g->dm);
    if (!g->gp || !g->qrng || !g->values || !g->cand || !g->cand_acq || !g->cand_mu ||
        !g->cand_var || (g->conditional && !g->cand_model))
        goto oom;
    *state = g;
    return 0;
oom:
    gp_destroy(g);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return -1;
}

static uint64_t gp_capacity(const void *state)
{
    (void)state;
    return UINT64_MAX;
}

static int reserve_data(gp_state *g, int n)
{
    if (n <= g->xs_cap)
        return 0;
    int cap = n * 2;
    double *xs = realloc(g->xs, sizeof(double) * (size_t)cap * (size_t)g->dm);
    if (!xs)
        return -1;
    g->xs = xs;
    double *ys = realloc(g->ys, sizeof(double) * (size_t)cap);
    if (!ys)
        return -1;
    g->ys = ys;
    double *alt = realloc(g->ys_alt, sizeof(double) * (size_t)cap);
    if (!alt)
        return -1;
    g->ys_alt = alt;
    g->xs_cap = cap;
    return 0;
}

/* Fits the model to the history; returns the number of points used. */
/* Importances from the current length-scales: 1/l, normalised. */
static void set_importance(gp_state *g)
{
    hp_gp_hyper hy;
    gp_get_hyper(g->gp, &hy);
    double sum = 0;
    for (int j = 0; j < g->d; j++)
        sum += exp(-hy.log_ls[j]);
    for (int j = 0; j < g->d; j++)
        g->importance[j] = exp(-hy.log_ls[j]) / sum;
}

/* Fits the model to the sd-scaled target in g->ys and, when the
** interquartile-scaled one (g->ys_alt) is on offer, to that too; keeps the
** second only when the values themselves are likelier under it by
** IQR_EVIDENCE_MARGIN nats: the model's log posterior of its target plus
** the transform's log-Jacobian (NLL and ALT_NLL carry it).  Returns
** gp_set_data's code. */
static int fit_target(gp_state *g, int n, int two, double nll, double alt_nll)
{
    /* Between the fit's restarts the target is the last one chosen, as the
    ** model's noise level is: a second fit at every point doubled the
    ** proposal's cost whenever the interquartile scale was on offer. */
    if (two && g->has_fit && !gp_restarts_at(n)) {
        if (g->target_iqr)
            memcpy(g->ys, g->ys_alt, sizeof(double) * (size_t)n);
        return gp_set_data(g->gp, g->xs, g->ys, n, 1);
    }
    g->target_iqr = 0;
    int rc = gp_set_data(g->gp, g->xs, g->ys, n, 1);
    if (rc != 0 || !two)
        return rc;
    hp_gp_hyper sd_fit, iqr_fit;
    gp_get_hyper(g->gp, &sd_fit);
    double sd_score = gp_neg_log_posterior(g->gp, &sd_fit, NULL) + nll;
    if (gp_set_data(g->gp, g->xs, g->ys_alt, n, 1) == 0) {
        gp_get_hyper(g->gp, &iqr_fit);
        double iqr_score = gp_neg_log_posterior(g->gp, &iqr_fit, NULL) + alt_nll;
        if (iqr_score + IQR_EVIDENCE_MARGIN < sd_score) {
            memcpy(g->ys, g->ys_alt, sizeof(double) * (size_t)n);
            g->target_iqr = 1;
            return 0;
        }
    }
    gp_set_hyper(g->gp, &sd_fit);
    return gp_set_data(g->gp, g->xs, g->ys, n, 0);
}

static int fit_model(gp_state *g, const hp_history *h, char *err)
{
    int d = g->d, n = 0;
    if (reserve_data(g, h->n + h->n_running + 1)) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    double worst = INFINITY;
    for (int i = 0; i < h->n; i++)
        if (isfinite(h->y[i])) {
            double f = g->maximize ? h->y[i] : -h->y[i];
            worst = fmin(worst, f);
        }
    /* which trials the model sees: all, or the best plus the most recent */
    char *keep = NULL;
    if (h->n > SUBSET_ABOVE) {
        keep = calloc((size_t)h->n, 1);
        double *fs = malloc(sizeof(double) * (size_t)h->n);
        if (!keep || !fs) {
            free(keep);
            free(fs);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return -1;
        }
        for (int i = 0; i < h->n; i++)
            fs[i] = isfinite(h->y[i]) ? (g->maximize ? h->y[i] : -h->y[i]) : worst;
        for (int i = h->n - SUBSET_RECENT; i < h->n; i++)
            keep[i] = 1;
        /* the SUBSET_BEST largest f: threshold by a partial selection */
        double *sorted = malloc(sizeof(double) * (size_t)h->n);
        if (sorted) {
            memcpy(sorted, fs, sizeof(double) * (size_t)h->n);
            qsort(sorted, (size_t)h->n, sizeof(double), cmp_desc);
            double threshold = sorted[SUBSET_BEST - 1];
            int taken = 0;
            for (int i = 0; i < h->n && taken < SUBSET_BEST; i++)
                if (fs[i] >= threshold && !keep[i]) {
                    keep[i] = 1;
                    taken++;
                }
            free(sorted);
        }
        free(fs);
    }
    /* The repeat that found the objective deterministic is seen once: with
    ** pinned noise a second equal row only makes the covariance singular,
    ** and the jitter that mends it blurred the model near the optimum
    ** (levy 4D through ask/tell: 10x the deterministic regret at the first
    ** quartile, 1.2x seen once). */
    unsigned char *later = NULL;
    if (g->deterministic && g->find_noise && h->n >= 2) {
        later = malloc((size_t)h->n);
        if (!later || gp_repeat_later(h, d, later)) {
            free(keep);
            free(later);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return -1;
        }
    }
    for (int i = 0; i < h->n; i++) {
        if ((keep && !keep[i]) || (later && later[i]))
            continue;
        double f = isfinite(h->y[i]) ? (g->maximize ? h->y[i] : -h->y[i]) : worst;
        gp_model_row(g, h->x + i * d, g->xs + n * g->dm);
        g->ys[n++] = f;
    }
    free(keep);
    free(later);
    double nll, alt_nll;
    int two = gp_target_transform(g->ys, n, g->ys, g->ys_alt, &nll, &alt_nll);
    /* refit every time while cheap, then when the data grew by 10% */
    int refit = !g->has_fit || n <= 300 || n >= g->fitted_n * 11 / 10;
    if (!refit && two && g->target_iqr) /* the target the last fit chose */
        memcpy(g->ys, g->ys_alt, sizeof(double) * (size_t)n);
    int rc = refit ? fit_target(g, n, two, nll, alt_nll) : gp_update_data(g->gp, g->xs, g->ys, n);
    if (rc != 0) {
        /* a fit that cannot be factorised: fall back to the defaults */
        hp_gp *fresh = gp_new(g->dm, g->n_cat);
        if (fresh)
            gp_set_deterministic(fresh, g->deterministic);
        if (!fresh || gp_set_data(fresh, g->xs, g->ys, n, 0) != 0) {
            gp_free(fresh);
            snprintf(err, HP_ERR_LEN, "gp sampler: the covariance cannot be factorised");
            return -1;
        }
        gp_free(g->gp);
        g->gp = fresh;
    }
    if (refit) {
        g->fitted_n = n;
        g->has_fit = 1;
        set_importance(g);
    }
    g->best = -INFINITY;
    /* the incumbent: the best standardised value of a complete trial (failed
       ones sit at the worst value, so they never set it) */
    for (int i = 0; i < n; i++)
        g->best = fmax(g->best, g->ys[i]);
    return n;
}

/* H with the inactive coordinates of its points imputed (gp_impute_inactive),
** in *LOCAL; H itself when the space has no conditions.  NULL when out of
** memory. */
static const hp_history *imputed_history(gp_state *g, const hp_history *h, hp_history *local)
{
    if (!g->conditional)
        return h;
    size_t rows = (size_t)h->n + (size_t)h->n_running;
    if (rows > (size_t)g->hx_cap) {
        double *hx = realloc(g->hx, sizeof(double) * (rows * 2 + 1) * (size_t)g->d);
        if (!hx)
            return NULL;
        g->hx = hx;
        g->hx_cap = (int)(rows * 2 + 1);
    }
    size_t nd = (size_t)h->n * (size_t)g->d;
    if (h->n)
        memcpy(g->hx, h->x, sizeof(double) * nd);
    if (h->n_running)
        memcpy(g->hx + nd, h->x_running, sizeof(double) * (size_t)h->n_running * (size_t)g->d);
    *local = *h;
    if (rows == 0)
        return local; /* nothing to impute (and no buffer yet) */
    gp_impute_inactive(g->hx, (int)(rows * (size_t)g->d));
    local->x = g->hx;
    local->x_running = g->hx + nd;
    return local;
}

/* H with its values replaced, for several objectives, by their ParEGO
** scalarisation with the weights of trial NUMBER (in *LOCAL, which may be
** H's copy already); H itself for one objective.  NULL when out of memory. */
static const hp_history *scalarised(gp_state *g, const hp_history *h, hp_history *local,
                                    uint64_t number)
{
    if (g->n_obj == 1 || !h->ys)
        return h;
    int k = g->n_obj;
    if (h->n > g->scal_cap) {
        double *scal = realloc(g->scal, sizeof(double) * ((size_t)h->n * 2 + 1));
        if (scal)
            g->scal = scal;
        double *ymin = realloc(g->ymin, sizeof(double) * ((size_t)h->n * 2 + 1) * (size_t)k);
        if (ymin)
            g->ymin = ymin;
        if (!scal || !ymin)
            return NULL;
        g->scal_cap = h->n * 2 + 1;
    }
    for (int i = 0; i < h->n; i++)
        for (int j = 0; j < k; j++) {
            double v = h->ys[(size_t)i * (size_t)k + (size_t)j];
            g->ymin[(size_t)i * (size_t)k + (size_t)j] = g->maximize_obj[j] ? -v : v;
        }
    uint64_t s = seed_for_trial(g->seed, SEED_STREAM_SAMPLER ^ 0x50415245, number);
    double u[HP_MAX_OBJECTIVES], w[HP_MAX_OBJECTIVES];
    for (int j = 0; j < k; j++)
        u[j] = seed_unit(s, (uint64_t)j);
    pareto_simplex_weights(k, u, w);
    if (pareto_chebyshev(g->ymin, h->n, k, w, g->scal))
        return NULL;
    if (local != h)
        *local = *h;
    local->y = g->scal;
    return local;
}

/* Repeats are asked for while fewer than this many complete trials follow
** the initial design: a failed or pending repeat gets another chance, and
** then the study goes on without knowing. */
#define REPEAT_WINDOW 3

/* Proposes the best trial again when the noise is not known yet (VERDICT,
** gp_repeat_verdict's) and this is the time to find out: 1 with OUT set,
** else 0. */
static int propose_repeat(gp_state *g, const hp_history *h, int verdict, int valid,
                          hp_value *out)
{
    if (!g->find_noise || valid >= g->n_init + REPEAT_WINDOW || verdict >= 0)
        return 0;
    int row = gp_repeat_row(h, g->d, g->maximize);
    if (row < 0)
        return 0;
    double u[GP_MAX_DIM];
    for (int j = 0; j < g->d; j++) {
        double x = h->x[(size_t)row * (size_t)g->d + (size_t)j];
        u[j] = x == x ? x : 0.5; /* inactive: any value decodes the same */
    }
    space_decode(g->space, u, out);
    return 1;
}

/* The repeats' verdict on H (gp_repeat_verdict) when the sampler is
** finding out the noise, else -1 without looking: it sorts the history. */
static int repeat_verdict(const gp_state *g, const hp_history *h)
{
    return g->find_noise ? gp_repeat_verdict(h, g->d) : -1;
}

/* Pins the model's noise when the repeats' VERDICT says the objective has
** none.
** The fit that follows takes the new level: up to 300 trials every
** proposal refits, and a model loaded warm by a new process keeps its
** saved hyperparameters, fitted under the same verdict. */
static void noise_from_repeats(gp_state *g, int verdict)
{
    if (!g->find_noise)
        return;
    int deterministic = verdict == 1;
    if (deterministic == g->deterministic)
        return;
    g->deterministic = deterministic;
    gp_set_deterministic(g->gp, deterministic);
}

/* 1 if the model's mean at U (the unit cube) has fewer than (N - 1) / 3
** (at least 1) of the N values it was fitted to (g->ys, larger is better)
** above it: among the best third of the study. */
static int predicted_in_top_third(gp_state *g, const double *u, int n)
{
    double x[GP_MAX_DIM], mean, var;
    gp_model_row(g, u, x);
    gp_predict(g->gp, x, &mean, &var, NULL, NULL);
    int k = (n - 1) / 3 > 1 ? (n - 1) / 3 : 1;
    int above = 0; /* values strictly above the mean */
    for (int i = 0; i < n; i++)
        above += g->ys[i] > mean;
    return above < k;
}

static int gp_propose(void *state, uint64_t number, const hp_history *given, hp_value *out,
                      char *err)
{
    gp_state *g = state;
    int d = g->d;
    g->promising = 0;
    hp_history local;
    const hp_history *h = imputed_history(g, given, &local);
    if (h)
        h = scalarised(g, h, &local, number);
    if (!h) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    int valid = 0;
    for (int i = 0; i < h->n; i++)
        valid += isfinite(h->y[i]) != 0;
    if (valid < g->n_init || valid < 2)
        return sampler_propose(g->design, number, NULL, out, err);
    int verdict = repeat_verdict(g, given);
    if (propose_repeat(g, given, verdict, valid, out))
        return 0;
    noise_from_repeats(g, verdict);
    int n = fit_model(g, h, err);
    if (n < 0)
        return -1;
    /* running trials: constant liar (the best value) or kriging believer */
    for (int i = 0; i < h->n_running; i++) {
        double x[GP_MAX_DIM];
        gp_model_row(g, h->x_running + i * d, x);
        double lie = g->best;
        if (g->kriging_believer) {
            double var;
            gp_predict(g->gp, x, &lie, &var, NULL, NULL);
        }
        if (gp_append(g->gp, x, &lie, 1) != 0) {
            snprintf(err, HP_ERR_LEN, "out of memory");
            return -1;
        }
    }
    int t = n > 1 ? n : 2;
    g->ucb_beta = 2 * 0.5 * ((2 + d / 2.0) * log((double)t) + log(M_PI * M_PI / 0.01));

    double best_u[GP_MAX_DIM];
    if (gp_maximise_acquisition(g, h, number, n, best_u, err))
        return -1;
    space_decode(g->space, best_u, out);
    g->promising = predicted_in_top_third(g, best_u, n);
    return 0;
}

static int gp_promising(const void *state)
{
    const gp_state *g = state;
    return g->promising;
}

static int gp_fit(void *state, const hp_history *given, char *err)
{
    gp_state *g = state;
    hp_history local;
    const hp_history *h = imputed_history(g, given, &local);
    if (h) /* importances: the weights of the next trial */
        h = scalarised(g, h, &local, (uint64_t)given->n);
    if (!h) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    int valid = 0;
    for (int i = 0; i < h->n; i++)
        valid += isfinite(h->y[i]) != 0;
    if (valid < g->n_init || valid < 2) {
        snprintf(err, HP_ERR_LEN, "too few complete trials for a model");
        return -1;
    }
    noise_from_repeats(g, repeat_verdict(g, given));
    return fit_model(g, h, err) < 0 ? -1 : 0;
}

static int gp_importance(const void *state, double *importance)
{
    const gp_state *g = state;
    if (!g->has_fit)
        return -1;
    memcpy(importance, g->importance, sizeof(double) * (size_t)g->d);
    return 0;
}

static int gp_initial_trials(const void *state, int finished)
{
    (void)finished;
    const gp_state *g = state;
    return g->n_init > 2 ? g->n_init : 2;
}

/* "gp2 D KERNEL LOG_SIGNAL LOG_NOISE LOG_LS_0 .. LOG_LS_D-1", at full
** precision; KERNEL is 52 or 32 (Matern-5/2 or 3/2).  "gp1" models (no
** KERNEL, always 5/2) are still read. */
static int gp_save_model(const void *state, char *buf, int len, int *trials)
{
    const gp_state *g = state;
    if (!g->has_fit)
        return 0;
    hp_gp_hyper hy;
    gp_get_hyper(g->gp, &hy);
    int at = snprintf(buf, (size_t)len, "gp2 %d %d %.17g %.17g", g->dm,
                      hy.matern32 ? 32 : 52, hy.log_signal, hy.log_noise);
    for (int j = 0; j < g->dm && at > 0 && at < len; j++)
        at += snprintf(buf + at, (size_t)(len - at), " %.17g", hy.log_ls[j]);
    if (at <= 0 || at >= len)
        return 0;
    *trials = g->fitted_n;
    return at;
}

static int gp_load_model(void *state, const char *text, int trials)
{
    gp_state *g = state;
    hp_gp_hyper hy;
    memset(&hy, 0, sizeof hy);
    int d, kernel = 52, used;
    if (sscanf(text, "gp2 %d %d %lf %lf%n", &d, &kernel, &hy.log_signal, &hy.log_noise,
               &used) != 4 &&
        sscanf(text, "gp1 %d %lf %lf%n", &d, &hy.log_signal, &hy.log_noise, &used) != 3)
        return -1;
    if (d != g->dm || trials < 2 || (kernel != 52 && kernel != 32))
        return -1;
    hy.matern32 = kernel == 32;
    const char *p = text + used;
    for (int j = 0; j < d; j++) {
        char *end;
        hy.log_ls[j] = strtod(p, &end);
        if (end == p || !isfinite(hy.log_ls[j]) || fabs(hy.log_ls[j]) > 12)
            return -1;
        p = end;
    }
    if (!isfinite(hy.log_signal) || !isfinite(hy.log_noise))
        return -1;
    gp_set_hyper(g->gp, &hy); /* a deterministic model keeps its pinned level */
    g->has_fit = 1;
    g->fitted_n = trials;
    set_importance(g);
    return 0;
}

static int gp_noise_note(const void *state, const hp_history *h, char *buf, int len)
{
    const gp_state *g = state;
    if (g->n_obj > 1)
        return snprintf(buf, (size_t)len, "learned");
    if (!g->find_noise)
        return snprintf(buf, (size_t)len, "%s",
                        g->deterministic ? "none (a deterministic objective)"
                                         : "learned (not a deterministic objective)");
    int verdict = gp_repeat_verdict(h, g->d);
    return snprintf(buf, (size_t)len, "%s",
                    verdict > 0    ? "none (a repeated trial gave the same value)"
                    : verdict == 0 ? "learned (a repeated trial gave another value)"
                                   : "not known yet (the best trial is repeated after the "
                                     "initial design)");
}

const hp_sampler_kind sampler_gp_kind = {
    "gp", gp_create, gp_destroy, gp_capacity, gp_propose, 1, gp_importance, gp_fit,
    NULL, gp_initial_trials, gp_save_model, gp_load_model, gp_noise_note, gp_promising,
};
