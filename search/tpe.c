/*
** TPE sampler: a tree-structured Parzen estimator with Optuna's defaults.
**
** The finished trials with a value are split by it: the best
** gamma(n) = min(ceil(n / 10), 25) are "below", the rest "above".  Each group
** becomes a mixture of kernels, one per trial plus a prior (a wide kernel at
** the centre, weight prior_weight = 1), over the unit cube the space maps
** to: a normal truncated to [0, 1] for a numerical coordinate (log scales are
** already linear there), a distribution over the choices for a categorical
** one (the trial's choice gets 1 more than the others' prior_weight / (n+1)).
** Trials weigh 1, except that beyond the latest 25 of a group the older ones
** ramp down to 1/n.  24 candidates drawn from the "below" mixture l(x) are
** scored by log l(x) - log g(x), g the "above" mixture; the best one runs.
**
** Multivariate (the default, Optuna's multivariate=True): a kernel covers
** every coordinate of its trial at once, so the model sees how parameters
** go together.  Univariate (multivariate = false): each coordinate is a
** mixture of its own.  In both, as in Optuna 5, a kernel's bandwidth on a
** coordinate is its trial's larger distance to the neighbouring trials
** there; the magic clip keeps it at least 1 / min(100, n + 2) of the
** range, and (consider_endpoints = false) the trial at an edge takes its
** inner neighbour's distance, not the edge's.
** Integer and stepped coordinates are modelled as continuous and snapped by
** the space; failed trials are left out (as Optuna leaves them out).
** Running trials join the "above" mixture (Optuna 5's default,
** constant_liar = true): a trial another worker is evaluating lowers g's
** ratio there, so parallel workers do not propose on top of each other;
** they do not count in gamma.  The first initial_trials (10) proposals,
** until that many trials have a value, are the random sampler's own, so
** they depend on (study seed, trial number) alone; a later proposal depends
** on those and on the history it was given.
**
** A proposal costs O(n d) per candidate: no matrix, no fit.
**
** Conditional spaces: the parameters are grouped by condition (those with
** the same one are active together) and each group is modelled on the
** trials where it is active, as Optuna's group = True does.  Several
** objectives: the trials are ranked by a ParEGO scalarisation with
** weights drawn per trial (search/pareto.h), as the gp sampler does.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "pareto.h"
#include "sampler_impl.h"
#include "tpe_internals.h"
#include "seed.h"

#define TPE_INITIAL_TRIALS 10
#define TPE_CANDIDATES 24
#define TPE_GAMMA_CAP 25       /* the most trials "below" */
#define TPE_FLAT_WEIGHTS 25    /* the latest trials of a group weigh 1 */
#define TPE_EPS 1e-12

/* A mixture over the cube: component j has weight exp(log_w[j]); on
** numerical coordinate d a normal (mu, sigma) truncated to [0, 1] whose
** log normaliser is log_z; on categorical coordinate d the probabilities
** prob[j * n_probs + offset[d] + choice]. */
typedef struct {
    int n;
    double *log_w;
    double *mu, *sigma, *log_z;   /* n x dim */
    double *prob;                 /* n x n_probs */
} parzen;

typedef struct {
    const hp_space *space;
    uint64_t seed;
    int dim;
    int *choices;       /* per coordinate: 0 numerical, else its choices */
    int *offset;        /* per categorical coordinate: into a prob row */
    int n_probs;
    int initial, candidates, multivariate, endpoints, magic_clip, liar, maximize;
    double prior_weight;
    parzen below, above;
    int *group;         /* per coordinate: its activation group (space.h) */
    int n_groups;
    int cur;            /* the group being modelled: the others are skipped */
    double *u;          /* dim: the coordinates proposed */
    double *cand;       /* candidates x dim */
    int *order;         /* scratch: trials by value */
    double *obs;        /* scratch: one group's points, in trial order */
    double *sorted;     /* scratch: one coordinate's kernel centres */
    int cap;            /* trials the scratch holds */
    int n_obj;          /* objectives; > 1: ranked by a scalarisation */
    int maximize_obj[HP_MAX_OBJECTIVES];
    double *scal, *ymin;  /* n, n x n_obj */
    int scal_cap;
} tpe_state;

static void parzen_free(parzen *p)
{
    free(p->log_w);
    free(p->mu);
    free(p->sigma);
    free(p->log_z);
    free(p->prob);
    memset(p, 0, sizeof *p);
}

static void tpe_destroy(void *state)
{
    tpe_state *t = state;
    if (!t)
        return;
    parzen_free(&t->below);
    parzen_free(&t->above);
    free(t->choices);
    free(t->offset);
    free(t->group);
    free(t->u);
    free(t->cand);
    free(t->order);
    free(t->obs);
    free(t->sorted);
    free(t->scal);
    free(t->ymin);
    free(t);
}

static int tpe_create(const hp_space *space, uint64_t seed, const hp_sampler_options *opt,
                      void **state, char *err)
{
    tpe_state *t = calloc(1, sizeof *t);
    if (!t)
        goto oom;
    t->space = space;
    t->seed = seed;
    t->dim = space_dim(space);
    t->initial = opt->initial_trials > 0 ? opt->initial_trials : TPE_INITIAL_TRIALS;
    t->candidates = opt->candidates > 0 ? opt->candidates : TPE_CANDIDATES;
    t->multivariate = !opt->univariate;
    t->endpoints = opt->consider_endpoints;
    t->magic_clip = !opt->no_magic_clip;
    t->liar = !opt->no_constant_liar;
    t->prior_weight = opt->prior_weight > 0 ? opt->prior_weight : 1.0;
    t->maximize = opt->maximize;
    t->n_obj = opt->n_objectives > 1 ? opt->n_objectives : 1;
    if (t->n_obj > 1) {
        memcpy(t->maximize_obj, opt->maximize_objective, sizeof t->maximize_obj);
        t->maximize = 0; /* the scalarised value is minimised */
    }
    size_t d = (size_t)t->dim + 1;
    t->choices = calloc(d, sizeof *t->choices);
    t->offset = calloc(d, sizeof *t->offset);
    t->u = calloc(d, sizeof *t->u);
    t->group = calloc(d, sizeof *t->group);
    t->cand = calloc((size_t)t->candidates * d, sizeof *t->cand);
    if (!t->choices || !t->offset || !t->u || !t->group || !t->cand)
        goto oom;
    t->n_groups = space_groups(space);
    /* the searched parameters, in the order of the cube's coordinates */
    int k = 0;
    for (int i = 0; i < space_size(space); i++) {
        const hp_param *p = space_param(space, i);
        if (p->kind == HP_PARAM_FIXED)
            continue;
        t->group[k] = space_group(space, i);
        if (p->kind == HP_PARAM_CHOICE) {
            t->choices[k] = p->n_choices;
            t->offset[k] = t->n_probs;
            t->n_probs += p->n_choices;
        }
        k++;
    }
    *state = t;
    return 0;
oom:
    tpe_destroy(t);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return -1;
}

static uint64_t tpe_capacity(const void *state)
{
    (void)state;
    return UINT64_MAX;
}

/* Room for a mixture of N components. */
static int parzen_reserve(const tpe_state *t, parzen *p, int n)
{
    parzen_free(p);
    size_t nd = (size_t)n * (size_t)(t->dim + 1);
    p->log_w = malloc((size_t)n * sizeof *p->log_w);
    p->mu = malloc(nd * sizeof *p->mu);
    p->sigma = malloc(nd * sizeof *p->sigma);
    p->log_z = malloc(nd * sizeof *p->log_z);
    p->prob = malloc(((size_t)n * (size_t)t->n_probs + 1) * sizeof *p->prob);
    p->n = n;
    return p->log_w && p->mu && p->sigma && p->log_z && p->prob ? 0 : -1;
}

/* Optuna's default weights of M trials in trial order: 1 for the latest 25,
** a ramp from 1/m up for the older ones. */
static double trial_weight(int i, int m)
{
    if (m <= TPE_FLAT_WEIGHTS || i >= m - TPE_FLAT_WEIGHTS)
        return 1.0;
    int ramp = m - TPE_FLAT_WEIGHTS;
    double lo = 1.0 / m;
    return ramp == 1 ? lo : lo + (1.0 - lo) * i / (ramp - 1);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void tpe_neighbour_bandwidths(const double *x, size_t stride, int m, int endpoints,
                              double *sorted, double *sigma)
{
    double *s = sorted;   /* 0, the m sorted centres, 1 */
    s[0] = 0.0;
    for (int i = 0; i < m; i++)
        s[i + 1] = x[(size_t)i * stride];
    qsort(s + 1, (size_t)m, sizeof *s, compare_double);
    s[m + 1] = 1.0;
    for (int i = 0; i < m; i++) {
        double xi = x[(size_t)i * stride];
        /* the first centre equal to xi (ties share a bandwidth) */
        int lo = 1, hi = m;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (s[mid] < xi)
                lo = mid + 1;
            else
                hi = mid;
        }
        double left = s[lo] - s[lo - 1], right = s[lo + 1] - s[lo];
        double v = left > right ? left : right;
        if (!endpoints && m >= 2) {
            if (lo == 1)
                v = s[2] - s[1];
            else if (lo == m)
                v = s[m] - s[m - 1];
        }
        sigma[i] = v;
    }
}

/* The mixture of the M trials in t->obs (trial order) and the prior. */
static int parzen_build(tpe_state *t, parzen *p, int m)
{
    int n = m + 1, dim = t->dim;
    if (parzen_reserve(t, p, n))
        return -1;
    double total = 0;
    for (int j = 0; j < m; j++)
        total += trial_weight(j, m);
    total += m > 0 ? t->prior_weight : 1.0;
    for (int j = 0; j < m; j++)
        p->log_w[j] = log(trial_weight(j, m) / total);
    p->log_w[m] = log((m > 0 ? t->prior_weight : 1.0) / total);
    double min_sigma = t->magic_clip ? 1.0 / fmin(100.0, 1.0 + n) : TPE_EPS;
    double *sigma = t->sorted + (size_t)m + 3;   /* m more doubles of scratch */
    for (int d = 0; d < dim; d++) {
        if (t->group[d] != t->cur)
            continue;
        int k = t->choices[d];
        if (k > 0) {
            /* each trial's choice gets 1 more than the prior's share */
            double base = t->prior_weight / n, row = base * k + 1.0;
            for (int j = 0; j < n; j++) {
                double *pr = p->prob + (size_t)j * (size_t)t->n_probs + (size_t)t->offset[d];
                int c = -1;
                if (j < m) {
                    c = (int)(t->obs[(size_t)j * (size_t)dim + (size_t)d] * k);
                    c = c < 0 ? 0 : c >= k ? k - 1 : c;
                }
                for (int i = 0; i < k; i++)
                    pr[i] = j < m ? (base + (i == c)) / row : 1.0 / k;
            }
            continue;
        }
        tpe_neighbour_bandwidths(t->obs + d, (size_t)dim, m, t->endpoints, t->sorted, sigma);
        for (int j = 0; j < n; j++) {
            size_t at = (size_t)j * (size_t)dim + (size_t)d;
            double mu = j < m ? t->obs[(size_t)j * (size_t)dim + (size_t)d] : 0.5;
            double s = j < m ? fmin(fmax(sigma[j], min_sigma), 1.0) : 1.0;
            p->mu[at] = mu;
            p->sigma[at] = s;
            double mass = gsl_cdf_ugaussian_P((1.0 - mu) / s) - gsl_cdf_ugaussian_P(-mu / s);
            p->log_z[at] = log(s) + log(fmax(mass, TPE_EPS)) + 0.5 * log(2.0 * M_PI);
        }
    }
    return 0;
}

/* log of component J's kernel at coordinate D of X. */
static double kernel_log(const tpe_state *t, const parzen *p, int j, int d, const double *x)
{
    int k = t->choices[d];
    if (k > 0) {
        int c = (int)(x[d] * k);
        c = c < 0 ? 0 : c >= k ? k - 1 : c;
        return log(p->prob[(size_t)j * (size_t)t->n_probs + (size_t)t->offset[d] +
                           (size_t)c]);
    }
    size_t at = (size_t)j * (size_t)t->dim + (size_t)d;
    double z = (x[d] - p->mu[at]) / p->sigma[at];
    return -0.5 * z * z - p->log_z[at];
}

/* log of the sum of exp(v[j]) over N terms, without overflow. */
static double log_sum_exp(const double *v, int n)
{
    double best = -INFINITY;
    for (int j = 0; j < n; j++)
        if (v[j] > best)
            best = v[j];
    double acc = 0;
    for (int j = 0; j < n; j++)
        acc += exp(v[j] - best);
    return best + log(acc);
}

/* log density of the mixture at X; the terms go through t->sorted. */
static double parzen_log_pdf(const tpe_state *t, const parzen *p, const double *x)
{
    if (t->multivariate) {
        for (int j = 0; j < p->n; j++) {
            double v = p->log_w[j];
            for (int d = 0; d < t->dim; d++)
                if (t->group[d] == t->cur)
                    v += kernel_log(t, p, j, d, x);
            t->sorted[j] = v;
        }
        return log_sum_exp(t->sorted, p->n);
    }
    double total = 0;
    for (int d = 0; d < t->dim; d++) {
        if (t->group[d] != t->cur)
            continue;
        for (int j = 0; j < p->n; j++)
            t->sorted[j] = p->log_w[j] + kernel_log(t, p, j, d, x);
        total += log_sum_exp(t->sorted, p->n);
    }
    return total;
}

/* A component drawn by weight from uniform draw R. */
static int pick_component(const parzen *p, double r)
{
    double c = 0;
    for (int j = 0; j < p->n - 1; j++) {
        c += exp(p->log_w[j]);
        if (r < c)
            return j;
    }
    return p->n - 1;
}

/* Coordinate D drawn from component J with the uniform draw R. */
static double kernel_draw(const tpe_state *t, const parzen *p, int j, int d, double r)
{
    int k = t->choices[d];
    if (k > 0) {
        const double *pr = p->prob + (size_t)j * (size_t)t->n_probs + (size_t)t->offset[d];
        double c = 0;
        int pick = k - 1;
        for (int i = 0; i < k - 1; i++) {
            c += pr[i];
            if (r < c) {
                pick = i;
                break;
            }
        }
        return (pick + 0.5) / k;
    }
    size_t at = (size_t)j * (size_t)t->dim + (size_t)d;
    double mu = p->mu[at], s = p->sigma[at];
    double lo = gsl_cdf_ugaussian_P(-mu / s), hi = gsl_cdf_ugaussian_P((1.0 - mu) / s);
    double x = mu + s * gsl_cdf_ugaussian_Pinv(lo + r * (hi - lo));
    return fmin(fmax(x, 0.0), 1.0 - 1e-12);
}

static int grow_scratch(tpe_state *t, int n)
{
    if (n <= t->cap)
        return 0;
    int cap = n < 64 ? 64 : n * 2;
    int *order = realloc(t->order, (size_t)cap * sizeof *order);
    if (order)
        t->order = order;
    double *obs = realloc(t->obs, (size_t)cap * (size_t)(t->dim + 1) * sizeof *obs);
    if (obs)
        t->obs = obs;
    double *sorted = realloc(t->sorted, ((size_t)cap * 2 + 8) * sizeof *sorted);
    if (sorted)
        t->sorted = sorted;
    if (!order || !obs || !sorted)
        return -1;
    t->cap = cap;
    return 0;
}

/* A trial's value, signed so that smaller is better, and its index. */
typedef struct {
    double y;
    int i;
} ranked;

static int compare_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->y != y->y)
        return x->y < y->y ? -1 : 1;
    return x->i - y->i;
}

/* Fills t->obs with the trials of H whose IN flag matches WANT, in order. */
static int gather(tpe_state *t, const hp_history *h, const char *in, int want)
{
    int m = 0;
    for (int i = 0; i < h->n; i++) {
        if (in[i] != want)
            continue;
        memcpy(t->obs + (size_t)m * (size_t)t->dim, h->x + (size_t)i * (size_t)t->dim,
               (size_t)t->dim * sizeof *t->obs);
        m++;
    }
    return m;
}

/* Proposes the coordinates of group t->cur into t->u from the trials of H
** where the group is active (Optuna's group = True: each group of
** parameters that appear together is modelled on the trials that have it).
** Returns 0, or -1 when out of memory. */
static int propose_group(tpe_state *t, const hp_history *h, uint64_t number, int first)
{
    int dim = t->dim, n = h->n, valid = 0;
    ranked *rank = malloc(((size_t)n + 1) * sizeof *rank);
    char *in = calloc((size_t)n + 1, 1);
    if (!rank || !in) {
        free(rank);
        free(in);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (isfinite(h->y[i]) && !isnan(h->x[(size_t)i * (size_t)dim + (size_t)first]))
            rank[valid++] = (ranked){t->maximize ? -h->y[i] : h->y[i], i};
    qsort(rank, (size_t)valid, sizeof *rank, compare_ranked);
    int n_below = (valid + 9) / 10;
    if (n_below > TPE_GAMMA_CAP)
        n_below = TPE_GAMMA_CAP;
    /* in: 1 below, 2 above, 0 left out (failed, or the group inactive) */
    for (int i = 0; i < valid; i++)
        in[rank[i].i] = i < n_below ? 1 : 2;
    free(rank);
    int m = gather(t, h, in, 1);
    int rc = parzen_build(t, &t->below, m);
    m = gather(t, h, in, 2);
    /* the running trials where the group is active, newest in Optuna's order */
    for (int i = 0; t->liar && i < h->n_running; i++) {
        const double *xr = h->x_running + (size_t)i * (size_t)dim;
        if (isnan(xr[first]))
            continue;
        memcpy(t->obs + (size_t)m * (size_t)dim, xr, (size_t)dim * sizeof *t->obs);
        m++;
    }
    rc = rc ? rc : parzen_build(t, &t->above, m);
    free(in);
    if (rc)
        return -1;
    /* candidates from l(x), the one with the largest l(x) / g(x) runs; the
       first group draws from the stream a space without conditions uses */
    uint64_t s = seed_for_trial(t->seed, SEED_STREAM_SAMPLER ^ 0x545045, number);
    if (t->cur > 0)
        s = seed_for_trial(s, (uint64_t)t->cur, number);
    uint64_t k = 0;
    double best = -INFINITY;
    int chosen = 0;
    for (int c = 0; c < t->candidates; c++) {
        double *x = t->cand + (size_t)c * (size_t)dim;
        if (t->multivariate) {
            int j = pick_component(&t->below, seed_unit(s, k++));
            for (int d = 0; d < dim; d++)
                if (t->group[d] == t->cur)
                    x[d] = kernel_draw(t, &t->below, j, d, seed_unit(s, k++));
        } else {
            for (int d = 0; d < dim; d++) {
                if (t->group[d] != t->cur)
                    continue;
                int j = pick_component(&t->below, seed_unit(s, k++));
                x[d] = kernel_draw(t, &t->below, j, d, seed_unit(s, k++));
            }
        }
        double score = parzen_log_pdf(t, &t->below, x) - parzen_log_pdf(t, &t->above, x);
        if (score > best) {
            best = score;
            chosen = c;
        }
    }
    const double *x = t->cand + (size_t)chosen * (size_t)dim;
    for (int d = 0; d < dim; d++)
        if (t->group[d] == t->cur)
            t->u[d] = x[d];
    return 0;
}

/* For several objectives: HISTORY with its values the ParEGO scalarisation
** of trial NUMBER's weights, in *LOCAL; else HISTORY.  NULL: out of memory. */
static const hp_history *scalarised(tpe_state *t, const hp_history *history,
                                    hp_history *local, uint64_t number)
{
    if (t->n_obj == 1 || !history || !history->ys)
        return history;
    int k = t->n_obj, n = history->n;
    if (n > t->scal_cap) {
        double *scal = realloc(t->scal, sizeof(double) * ((size_t)n * 2 + 1));
        if (scal)
            t->scal = scal;
        double *ymin = realloc(t->ymin, sizeof(double) * ((size_t)n * 2 + 1) * (size_t)k);
        if (ymin)
            t->ymin = ymin;
        if (!scal || !ymin)
            return NULL;
        t->scal_cap = n * 2 + 1;
    }
    for (size_t i = 0; i < (size_t)n * (size_t)k; i++)
        t->ymin[i] = t->maximize_obj[i % (size_t)k] ? -history->ys[i] : history->ys[i];
    uint64_t s = seed_for_trial(t->seed, SEED_STREAM_SAMPLER ^ 0x50415245, number);
    double u[HP_MAX_OBJECTIVES], w[HP_MAX_OBJECTIVES];
    for (int j = 0; j < k; j++)
        u[j] = seed_unit(s, (uint64_t)j);
    pareto_simplex_weights(k, u, w);
    if (pareto_chebyshev(t->ymin, n, k, w, t->scal))
        return NULL;
    *local = *history;
    local->y = t->scal;
    return local;
}

static int tpe_propose(void *state, uint64_t number, const hp_history *given,
                       hp_value *out, char *err)
{
    tpe_state *t = state;
    hp_history local;
    const hp_history *history = scalarised(t, given, &local, number);
    if (given && !history) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    int dim = t->dim, n = history ? history->n : 0;
    int valid = 0;
    for (int i = 0; i < n; i++)
        valid += isfinite(history->y[i]) != 0;
    if (valid < t->initial || dim == 0) {
        /* the random sampler's point for this trial */
        uint64_t s = seed_for_trial(t->seed, SEED_STREAM_SAMPLER, number);
        for (int k = 0; k < dim; k++)
            t->u[k] = seed_unit(s, (uint64_t)k);
        space_decode(t->space, t->u, out);
        return 0;
    }
    if (grow_scratch(t, n + (history ? history->n_running : 0) + t->candidates + 4))
        goto oom;
    for (int g = 0; g < t->n_groups; g++) {
        int first = -1;
        t->cur = g;
        for (int d = 0; d < dim && first < 0; d++)
            if (t->group[d] == g)
                first = d;
        if (first >= 0 && propose_group(t, history, number, first))
            goto oom;
    }
    space_decode(t->space, t->u, out);
    return 0;
oom:
    snprintf(err, HP_ERR_LEN, "out of memory");
    return -1;
}

static int tpe_initial_trials(const void *state, int finished)
{
    (void)finished;
    return ((const tpe_state *)state)->initial;
}

const hp_sampler_kind sampler_tpe_kind = {
    "tpe", tpe_create, tpe_destroy, tpe_capacity, tpe_propose, 1, NULL, NULL, NULL,
    tpe_initial_trials, NULL, NULL, NULL, NULL,
};
