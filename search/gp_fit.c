/*
** The GP's hyperparameters by maximum a posteriori: log marginal likelihood
** plus the priors, with analytic gradients, minimised by GSL's BFGS from the
** warm start and from the prior's mode.
**
** The prior is Optuna's (optuna/_gp/prior.py): a length-scale penalty
** -0.1 (theta + 1/theta) with theta = 1/l^2, peaking at l = 1 on the unit
** cube, Gamma(2, 1) on the signal variance and Gamma(1.1, 30) on the noise
** (an exponential, rate 30, when the noise is learned);
** see GP notes in the README for why.
**
** A fit evaluates the posterior hundreds of times on the same points, so
** the points' per-dimension squared differences are computed once per data
** set and each evaluation is a weighted sum per pair plus one exp().
**
** The kernel, Matérn-5/2 or the rougher 3/2, is chosen by the same
** posterior at the restarts: 3/2 alone won on rugged functions (BBOB's step
** ellipsoid, Gallagher) and lost smooth ones' precision (README, "Kernel").
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>

#include "gp_internals.h"

#define RESTART_EVERY 4

int gp_restarts_at(int n) { return n % RESTART_EVERY == 0; }

static double log_prior(const hp_gp *gp, const hp_gp_hyper *h, double *grad)
{
    double lp = 0;
    for (int j = 0; j < gp->d; j++) {
        double theta = exp(-2 * h->log_ls[j]);
        lp += -0.1 * (theta + 1 / theta);
        if (grad)
            grad[j] = 0.2 * theta - 0.2 / theta;
    }
    double s2 = exp(h->log_signal);
    lp += h->log_signal - s2;
    /* A learned noise has an exponential prior (rate 30): its density does
    ** not vanish at zero, so a noise the data do not show goes to zero
    ** instead of resting at Gamma(1.1, 30)'s mode 0.0033, which kept a
    ** deterministic function driven through ask/tell from its last digits
    ** (README).  The pinned levels keep Gamma(1.1, 30)'s preference for
    ** the nugget over the floor. */
    double en = exp(h->log_noise), nv = noise_var(h);
    double shape_m1 = gp->deterministic ? 0.1 : 0.0;
    lp += shape_m1 * log(nv) - 30 * nv;
    if (grad) {
        grad[gp->d] = 1 - s2;
        grad[gp->d + 1] = (shape_m1 / nv - 30) * en;
    }
    return lp;
}

void gp_forget_pairs(hp_gp *gp)
{
    free(gp->pair_d2);
    free(gp->pair_r);
    free(gp->pair_e);
    gp->pair_d2 = gp->pair_r = gp->pair_e = NULL;
    gp->pairs_cap = 0;
    gp->pairs_n = -1;
}

/* Makes the pair cache cover the n stored points.  Returns 0, or -1 when
** out of memory (the per-dimension terms may still be NULL: too large). */
static int pairs_ready(hp_gp *gp)
{
    int n = gp->n, d = gp->d;
    if (gp->pairs_n == n)
        return 0;
    size_t pairs = (size_t)n * (size_t)(n - 1) / 2;
    if (pairs > gp->pairs_cap || !gp->pair_r) {
        gp_forget_pairs(gp);
        gp->pair_r = malloc(sizeof(double) * (pairs ? pairs : 1));
        gp->pair_e = malloc(sizeof(double) * (pairs ? pairs : 1));
        if (!gp->pair_r || !gp->pair_e) {
            gp_forget_pairs(gp);
            return -1;
        }
        if (pairs * (size_t)d <= GP_PAIR_CACHE)
            gp->pair_d2 = malloc(sizeof(double) * (pairs ? pairs : 1) * (size_t)d);
        gp->pairs_cap = pairs;
    }
    if (gp->pair_d2) {
        double ones[GP_MAX_DIM];
        for (int j = 0; j < d; j++)
            ones[j] = 1;
        size_t p = 0;
        for (int i = 1; i < n; i++)
            for (int k = 0; k < i; k++, p++)
                dist2(gp, ones, gp->x + i * d, gp->x + k * d, gp->pair_d2 + p * (size_t)d);
    }
    gp->pairs_n = n;
    return 0;
}

/* The per-dimension terms of pair P = (I, K) (I > K), from the cache or
** computed into BUF. */
static const double *pair_terms(const hp_gp *gp, size_t p, int i, int k, const double *ones,
                                double *buf)
{
    if (gp->pair_d2)
        return gp->pair_d2 + p * (size_t)gp->d;
    dist2(gp, ones, gp->x + i * gp->d, gp->x + k * gp->d, buf);
    return buf;
}

double gp_neg_log_posterior(hp_gp *gp, const hp_gp_hyper *h, double *grad)
{
    int n = gp->n, d = gp->d;
    if (n == 0 || pairs_ready(gp))
        return INFINITY;
    gsl_matrix *K = gsl_matrix_alloc((size_t)n, (size_t)n);
    double *alpha = malloc(sizeof(double) * (size_t)n);
    double result = INFINITY;
    if (!K || !alpha)
        goto out;
    double s2 = exp(h->log_signal), nv = noise_var(h), w[GP_MAX_DIM], ones[GP_MAX_DIM],
           buf[GP_MAX_DIM];
    inverse_sq_scales(gp, h, w);
    for (int j = 0; j < d; j++)
        ones[j] = 1;
    /* the lower triangle of K; Cholesky reads no more */
    size_t p = 0;
    for (int i = 0; i < n; i++) {
        double *row = K->data + (size_t)i * K->tda;
        for (int k = 0; k < i; k++, p++) {
            const double *t = pair_terms(gp, p, i, k, ones, buf);
            double r2 = 0;
            for (int j = 0; j < d; j++)
                r2 += w[j] * t[j];
            double r = sqrt(r2), e = kernel_decay(h->matern32, r);
            gp->pair_r[p] = r;
            gp->pair_e[p] = e;
            row[k] = s2 * kernel_shape(h->matern32, r, r2) * e;
        }
        row[i] = s2 + nv;
    }
    if (gsl_linalg_cholesky_decomp1(K) != GSL_SUCCESS)
        goto out;
    memcpy(alpha, gp->y, sizeof(double) * (size_t)n);
    gsl_vector_view av = gsl_vector_view_array(alpha, (size_t)n);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, K, &av.vector);
    double quad = 0, logdet = 0;
    for (int i = 0; i < n; i++) {
        quad += alpha[i] * alpha[i];
        logdet += log(gsl_matrix_get(K, (size_t)i, (size_t)i));
    }
    gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, K, &av.vector);
    double lml = -0.5 * quad - logdet - 0.5 * n * log(2 * M_PI);
    double pg[GP_MAX_DIM + 2];
    double lp = log_prior(gp, h, grad ? pg : NULL);
    result = -(lml + lp);
    if (!grad)
        goto out;
    /* d lml / d eta = 1/2 sum_ij W_ij dK_ij/d eta, W = alpha alpha^T - K^-1 */
    if (gsl_linalg_cholesky_invert(K) != GSL_SUCCESS) {
        result = INFINITY;
        goto out;
    }
    double gl[GP_MAX_DIM + 2] = {0};
    double trace_w = 0;
    p = 0;
    for (int i = 0; i < n; i++) {
        double wii = alpha[i] * alpha[i] - gsl_matrix_get(K, (size_t)i, (size_t)i);
        trace_w += wii;
        gl[d] += 0.5 * wii * s2; /* diagonal of K_f is s2 */
        const double *kinv = K->data + (size_t)i * K->tda;
        for (int k = 0; k < i; k++, p++) {
            double wik = alpha[i] * alpha[k] - kinv[k];
            double r = gp->pair_r[p], e = gp->pair_e[p];
            double kf = s2 * kernel_shape(h->matern32, r, r * r) * e;
            double common = wik * s2 * kernel_slope(h->matern32, r) * e;
            /* each off-diagonal pair counts twice (ik and ki); the length-
               scale terms are scaled by w[j] once, after the sum */
            const double *t = pair_terms(gp, p, i, k, ones, buf);
            for (int j = 0; j < d; j++)
                gl[j] += common * t[j];
            gl[d] += wik * kf;
        }
    }
    for (int j = 0; j < d; j++)
        gl[j] *= w[j];
    gl[d + 1] = 0.5 * trace_w * exp(h->log_noise);
    for (int m = 0; m < d + 2; m++)
        grad[m] = -(gl[m] + pg[m]);
out:
    if (K)
        gsl_matrix_free(K);
    free(alpha);
    return result;
}

/* GSL multimin callbacks over eta = (log_ls[0..d), log_signal, log_noise). */
static void unpack(const hp_gp *gp, const gsl_vector *v, hp_gp_hyper *h)
{
    memset(h, 0, sizeof *h);
    for (int j = 0; j < gp->d; j++)
        h->log_ls[j] = gsl_vector_get(v, (size_t)j);
    h->log_signal = gsl_vector_get(v, (size_t)gp->d);
    h->log_noise = gp->deterministic ? gp->pinned_log_noise : gsl_vector_get(v, (size_t)gp->d + 1);
    h->matern32 = gp->fit_matern32;
}

/* Keeps BFGS inside a sane box: beyond it the prior dominates anyway, and
** exp() of huge steps would overflow. */
static int out_of_box(const hp_gp *gp, const hp_gp_hyper *h)
{
    for (int j = 0; j < gp->d; j++)
        if (fabs(h->log_ls[j]) > 12)
            return 1;
    return fabs(h->log_signal) > 12 || h->log_noise > 5 ||
           (h->log_noise < -40 && !gp->deterministic);
}

static double mm_f(const gsl_vector *v, void *p)
{
    hp_gp *gp = p;
    hp_gp_hyper h;
    unpack(gp, v, &h);
    if (out_of_box(gp, &h))
        return 1e300;
    double f = gp_neg_log_posterior(gp, &h, NULL);
    return isfinite(f) ? f : 1e300;
}

static void mm_fdf(const gsl_vector *v, void *p, double *f, gsl_vector *g)
{
    hp_gp *gp = p;
    hp_gp_hyper h;
    double grad[GP_MAX_DIM + 2];
    unpack(gp, v, &h);
    *f = out_of_box(gp, &h) ? INFINITY : gp_neg_log_posterior(gp, &h, grad);
    if (!isfinite(*f)) {
        /* a rejected step: BFGS backs off */
        *f = 1e300;
        gsl_vector_set_zero(g);
        return;
    }
    if (gp->deterministic)
        grad[gp->d + 1] = 0;
    for (int m = 0; m < gp->d + 2; m++)
        gsl_vector_set(g, (size_t)m, grad[m]);
}

static void mm_df(const gsl_vector *v, void *p, gsl_vector *g)
{
    double f;
    mm_fdf(v, p, &f, g);
}

/* Minimises from START; returns the value reached (inf on failure). */
static double fit_from(hp_gp *gp, const hp_gp_hyper *start, hp_gp_hyper *best)
{
    int dim = gp->d + 2;
    gp->fit_matern32 = start->matern32;
    double f0 = gp_neg_log_posterior(gp, start, NULL);
    if (!isfinite(f0))
        return INFINITY;
    gsl_multimin_function_fdf fn = {mm_f, mm_df, mm_fdf, (size_t)dim, gp};
    gsl_vector *x = gsl_vector_alloc((size_t)dim);
    gsl_multimin_fdfminimizer *m =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, (size_t)dim);
    if (!x || !m) {
        if (x)
            gsl_vector_free(x);
        if (m)
            gsl_multimin_fdfminimizer_free(m);
        return INFINITY;
    }
    for (int j = 0; j < gp->d; j++)
        gsl_vector_set(x, (size_t)j, start->log_ls[j]);
    gsl_vector_set(x, (size_t)gp->d, start->log_signal);
    gsl_vector_set(x, (size_t)gp->d + 1, start->log_noise);
    gsl_multimin_fdfminimizer_set(m, &fn, x, 0.1, 0.1);
    for (int iter = 0; iter < 200; iter++) {
        int status = gsl_multimin_fdfminimizer_iterate(m);
        if (status)
            break; /* GSL_ENOPROG: no further progress along the line */
        if (gsl_multimin_test_gradient(m->gradient, 1e-3) == GSL_SUCCESS)
            break;
    }
    double f = gsl_multimin_fdfminimizer_minimum(m);
    hp_gp_hyper h;
    unpack(gp, gsl_multimin_fdfminimizer_x(m), &h);
    if (!(f <= f0) || f >= 1e299) { /* no better than the start: keep the start */
        h = *start;
        f = f0;
    }
    *best = h;
    gsl_vector_free(x);
    gsl_multimin_fdfminimizer_free(m);
    return f;
}

/* The MAP from the warm start and, on the first fit and every
** RESTART_EVERY points (a function of n, not of the object's history, so
** that workers agree), from the prior's mode: a restart costs as much as
** the warm fit.  Returns the value reached; *H the hyperparameters. */
static double fit_warm_and_mode(hp_gp *gp, const hp_gp_hyper *warm, hp_gp_hyper *h)
{
    hp_gp_hyper mode, a, b;
    double fa = fit_from(gp, warm, &a);
    *h = a;
    if (gp->fitted && !gp_restarts_at(gp->n) && isfinite(fa))
        return fa;
    default_hyper(gp->d, &mode);
    mode.matern32 = warm->matern32;
    if (gp->deterministic)
        mode.log_noise = gp->pinned_log_noise;
    double fb = fit_from(gp, &mode, &b);
    if (!isfinite(fa) && !isfinite(fb))
        return INFINITY;
    if (fb < fa) {
        *h = b;
        return fb;
    }
    return fa;
}

void gp_fit_hyperparameters(hp_gp *gp)
{
    /* A deterministic objective: exact interpolation, or a nugget of 1e-6
    ** (of the standardised variance) that lets the model smooth over
    ** structure finer than the data resolve (Ackley's ripples on its
    ** bowl), chosen by the posterior.  Interpolation keeps smooth
    ** functions' optima to 1e-7; the nugget keeps rugged ones from short
    ** length-scales that make the search diffuse.  A learned noise has
    ** one level, its own.  The kernel (Matern-5/2 or 3/2) and the level
    ** are chosen again where the restarts happen; between them the fit
    ** keeps them: one fit instead of four (deterministic) or two. */
    static const double levels[2] = {PINNED_LOG_NOISE, NUGGET_LOG_NOISE};
    int again = !gp->fitted || gp_restarts_at(gp->n);
    int n_levels = gp->deterministic ? 2 : 1;
    double best = INFINITY;
    hp_gp_hyper chosen = gp->h;
    for (int m32 = 0; m32 < 2; m32++)
        for (int l = 0; l < n_levels; l++) {
            if (!again && (m32 != gp->h.matern32
                           || (gp->deterministic && levels[l] != gp->pinned_log_noise)))
                continue;
            hp_gp_hyper warm = gp->h, fitted;
            warm.matern32 = m32;
            if (gp->deterministic)
                warm.log_noise = gp->pinned_log_noise = levels[l];
            double f = fit_warm_and_mode(gp, &warm, &fitted);
            if (f < best) {
                best = f;
                chosen = fitted;
            }
        }
    if (gp->deterministic)
        gp->pinned_log_noise = chosen.log_noise;
    if (isfinite(best))
        gp->h = chosen;
    gp->fitted = 1;
}
