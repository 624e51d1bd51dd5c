/*
** The GP model's insides, shared by gp.c (data, factorisation, posterior)
** and gp_fit.c (the hyperparameters' MAP fit).  Not for other modules.
*/
#ifndef HP_GP_INTERNALS_H
#define HP_GP_INTERNALS_H

#include <math.h>
#include <string.h>

#include <gsl/gsl_matrix.h>

#include "gp.h"

#define SQRT5 2.23606797749978969641
#define SQRT3 1.73205080756887729353

/* log_noise that makes the noise variance the floor (exp(-60) ~ 1e-26) */
#define PINNED_LOG_NOISE (-60.0)
/* the deterministic model's alternative: a nugget of 1e-6 (gp_fit.c) */
#define NUGGET_LOG_NOISE (-13.815510557964274)

struct hp_gp {
    int d;
    int n_cat[GP_MAX_DIM];
    hp_gp_hyper h;
    int n, cap;
    double *x;        /* cap x d */
    double *y;        /* cap */
    double *alpha;    /* cap */
    gsl_matrix *L;    /* cap x cap; the first n x n block is used */
    double jitter;    /* added to the diagonal by the last factorisation */
    int deterministic;/* noise pinned: at the floor or at the nugget */
    double pinned_log_noise;  /* the level a deterministic fit holds */
    int fit_matern32; /* the kernel a fit in progress holds */
    int fitted;       /* hyperparameters fitted at least once */
    int n_data;       /* points set by gp_set_data/gp_update_data (the rest
                         of n are appended lies) */
    /* The fit's cache for the points of the last gp_set_data: for each pair
    ** i > k, the per-dimension squared differences (d each; NULL when they
    ** would not fit in GP_PAIR_CACHE doubles), and scratch for r and
    ** exp(-sqrt5 r).  pairs_n is the number of points they cover, -1 when
    ** stale. */
    double *pair_d2, *pair_r, *pair_e;
    int pairs_n;
    size_t pairs_cap;
};

/* The largest per-dimension pair cache kept, in doubles (128 MB). */
#define GP_PAIR_CACHE (16u << 20)

static inline double noise_var(const hp_gp_hyper *h)
{
    return GP_NOISE_FLOOR + exp(h->log_noise);
}

static inline const hp_gp_hyper *default_hyper(int d, hp_gp_hyper *h)
{
    memset(h, 0, sizeof *h);
    for (int j = 0; j < d; j++)
        h->log_ls[j] = log(0.5);
    h->log_signal = 0;
    h->log_noise = log(1e-3);
    return h;
}

/* 1/l_j^2 under H: computed once per covariance, not once per pair. */
static inline void inverse_sq_scales(const hp_gp *gp, const hp_gp_hyper *h, double *w)
{
    for (int j = 0; j < gp->d; j++)
        w[j] = exp(-2 * h->log_ls[j]);
}

/* Dimension J's term of r^2 between coordinates A and B before scaling
** (squared difference, 0/1 category mismatch, or the absent-coordinate
** distance of gp.h), and in DIFF (may be NULL) its half-derivative in A. */
static inline double dim_term(const hp_gp *gp, int j, double a, double b, double *diff)
{
    int absent_a = a < GP_ABSENT_BELOW, absent_b = b < GP_ABSENT_BELOW;
    if (absent_a || absent_b) {
        double da = absent_a ? 0 : a - 0.5, db = absent_b ? 0 : b - 0.5;
        if (diff)
            diff[0] = da;
        if (absent_a && absent_b)
            return 0;
        return gp->n_cat[j] > 0 ? 1 : da * da + db * db;
    }
    if (diff)
        diff[0] = a - b;
    if (gp->n_cat[j] > 0)
        return (int)(a * gp->n_cat[j]) != (int)(b * gp->n_cat[j]);
    return (a - b) * (a - b);
}

/* r^2 between A and B under the inverse squared length-scales W, and each
** dimension's unscaled term (dim_term) in Q if non-NULL. */
static inline double dist2(const hp_gp *gp, const double *w, const double *a,
                           const double *b, double *q)
{
    double r2 = 0;
    for (int j = 0; j < gp->d; j++) {
        double t = dim_term(gp, j, a[j], b[j], NULL);
        if (q)
            q[j] = t;
        r2 += t * w[j];
    }
    return r2;
}

/* Matern-5/2 or, for M32, Matern-3/2 at distance R (R2 = R^2), split as
** s2 * shape * decay so that a fit can keep the decay per pair. */
static inline double kernel_decay(int m32, double r)
{
    return exp(-(m32 ? SQRT3 : SQRT5) * r);
}

static inline double kernel_shape(int m32, double r, double r2)
{
    return m32 ? 1 + SQRT3 * r : 1 + SQRT5 * r + 5.0 / 3.0 * r2;
}

/* -2 dk/d(r^2) / (s2 * decay) */
static inline double kernel_slope(int m32, double r)
{
    return m32 ? 3.0 : 5.0 / 3.0 * (1 + SQRT5 * r);
}

static inline double matern(int m32, double s2, double r2)
{
    double r = sqrt(r2);
    return s2 * kernel_shape(m32, r, r2) * kernel_decay(m32, r);
}

/* Fits gp->h to the n points by MAP from the warm start and from the
** prior's mode, keeping the better (gp_fit.c). */
void gp_fit_hyperparameters(hp_gp *gp);

/* Frees the fit's pair cache and marks it stale. */
void gp_forget_pairs(hp_gp *gp);

#endif
