/*
** A Gaussian-process regression model on the unit cube, for Bayesian
** optimisation: Matérn-5/2 or Matérn-3/2 kernel (the fit chooses) with one
** length-scale per dimension (categorical dimensions use a 0/1 mismatch
** distance), signal and noise variance, hyperparameters by maximum a
** posteriori (log marginal likelihood plus priors) with analytic gradients
** and GSL's BFGS.
**
** The model works on standardised targets and predicts in those units;
** callers standardise (see gp_sampler.c).  No I/O, no global state.
*/
#ifndef HP_GP_H
#define HP_GP_H

typedef struct hp_gp hp_gp;

/* Hyperparameters, in the raw (log) coordinates the fit works in. */
typedef struct {
    double log_ls[64];   /* log length-scale per dimension (d <= 64) */
    double log_signal;   /* log s^2 */
    double log_noise;    /* log of (noise variance - GP_NOISE_FLOOR) */
    int matern32;        /* 1: Matern-3/2, rougher than the default 5/2 */
} hp_gp_hyper;

#define GP_MAX_DIM 64
#define GP_NOISE_FLOOR 1e-12

/* A coordinate a point does not have (a parameter inactive in a
** conditional space).  Two points that both lack dimension j agree on it; a
** point that has it, at x, differs from one that lacks it by (x - 1/2)^2,
** as if the absent one sat at the centre (a category: a mismatch), so that
** the distance does not depend on which side of the range x lies and the
** covariance stays positive definite.  Whether a point has the coordinate
** at all is for the caller to model (the gp sampler adds a dimension per
** condition, with a length-scale of its own). */
#define GP_ABSENT (-1.0)
/* Coordinates below this are absent: far from GP_ABSENT and from the cube,
** so that a value rounded a hair below 0 stays a value. */
#define GP_ABSENT_BELOW (-0.5)

/* A model over D dimensions (D <= GP_MAX_DIM); n_cat[j] > 0 marks dimension
** j categorical with that many values (coded (k+0.5)/n_cat[j]), 0 continuous.
** n_cat may be NULL (all continuous).  NULL when out of memory. */
hp_gp *gp_new(int d, const int *n_cat);
void gp_free(hp_gp *gp);

/* Sets the data: N points X (n x d, row-major) with targets Y.  Then, if
** FIT, fits the hyperparameters starting from the current ones (a warm
** start) and from the prior's mode, keeping the better MAP; otherwise keeps
** them.  Factorises the covariance (with jitter when needed).  Returns 0,
** or -1 if no factorisation could be had (the model is then unusable). */
int gp_set_data(hp_gp *gp, const double *x, const double *y, int n, int fit);

/* 1 when a fit on N points also starts from the prior's mode and chooses
** the kernel (and a deterministic model's noise level) again, every 4th N:
** a function of N alone, so that workers agree.  In between a fit starts
** only from the last one and keeps those choices. */
int gp_restarts_at(int n);

/* Like gp_set_data without a fit, but when the first points are the ones
** factorised last time (in the same order, same hyperparameters), keeps
** their factor and appends the rest at O(n^2) each; the targets may all
** change (only alpha is recomputed).  Points appended by gp_append since
** (lies) are dropped first.  Returns 0 or -1. */
int gp_update_data(hp_gp *gp, const double *x, const double *y, int n);

/* Appends M points with targets (e.g. lies for running trials) to the
** factorised model without refitting.  Returns 0 or -1. */
int gp_append(hp_gp *gp, const double *x, const double *y, int m);

/* Posterior mean and latent (noise-free) variance at X; with non-NULL
** gradients, their derivatives in x (d entries, 0 for categorical dims). */
void gp_predict(const hp_gp *gp, const double *x, double *mean, double *var,
                double *dmean, double *dvar);

/* gp_predict at M points X (m x d): MEAN and VAR (m each), and with
** non-NULL DMEAN and DVAR their gradients (m x d).  One triangular solve
** per block of points instead of one per point, so L is read once per
** block.  Returns 0, or -1 when out of memory. */
int gp_predict_batch(const hp_gp *gp, int m, const double *x, double *mean, double *var,
                     double *dmean, double *dvar);

/* The negative log posterior (what the fit minimises) at H, and its gradient
** (d + 2 entries) when grad is non-NULL; +inf when the covariance cannot be
** factorised.  For tests and diagnostics. */
double gp_neg_log_posterior(hp_gp *gp, const hp_gp_hyper *h, double *grad);

void gp_get_hyper(const hp_gp *gp, hp_gp_hyper *h);
/* Sets the hyperparameters; later fits start from them as from a fit.  A
** deterministic model keeps one of its two pinned levels: the nugget if
** H has it, else the floor. */
void gp_set_hyper(hp_gp *gp, const hp_gp_hyper *h);
int gp_n(const hp_gp *gp);

/* With FIXED = 1 the noise variance is not learned: for deterministic
** objectives, where learned noise would absorb real structure and stop the
** search from exploiting (Optuna PR #5274).  Each fit then compares two
** pinned levels by the posterior: GP_NOISE_FLOOR (interpolation) and a
** nugget of 1e-6, which smooths over ripples the data cannot resolve. */
void gp_set_deterministic(hp_gp *gp, int fixed);

/* Kernel value between two points under the current hyperparameters. */
double gp_kernel(const hp_gp *gp, const double *a, const double *b);

#endif
