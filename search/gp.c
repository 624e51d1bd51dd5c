/*
** Gaussian-process model: kernel, factorisation, MAP fit, posterior.
**
** Invariant: after a successful gp_set_data/gp_append, L holds the lower
** Cholesky factor of K + noise*I (plus any jitter the factorisation needed)
** over the first n points, and alpha = (K + noise*I)^-1 y.
**
** The prior is Optuna's (optuna/_gp/prior.py): a length-scale penalty
** -0.1 (theta + 1/theta) with theta = 1/l^2, peaking at l = 1 on the unit
** cube, Gamma(2, 1) on the signal variance and Gamma(1.1, 30) on the noise;
** see GP notes in the README for why.
*/
#include "gp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>

#define SQRT5 2.23606797749978969641

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
    int deterministic;/* noise pinned at the floor */
    int n_data;       /* points set by gp_set_data/gp_update_data (the rest
                         of n are appended lies) */
};

/* log_noise that makes the noise variance the floor (exp(-60) ~ 1e-26) */
#define PINNED_LOG_NOISE (-60.0)

void gp_set_deterministic(hp_gp *gp, int fixed)
{
    gp->deterministic = fixed;
    if (fixed)
        gp->h.log_noise = PINNED_LOG_NOISE;
}

static const hp_gp_hyper *default_hyper(int d, hp_gp_hyper *h)
{
    memset(h, 0, sizeof *h);
    for (int j = 0; j < d; j++)
        h->log_ls[j] = log(0.5);
    h->log_signal = 0;
    h->log_noise = log(1e-3);
    return h;
}

hp_gp *gp_new(int d, const int *n_cat)
{
    if (d < 1 || d > GP_MAX_DIM)
        return NULL;
    hp_gp *gp = calloc(1, sizeof *gp);
    if (!gp)
        return NULL;
    gp->d = d;
    for (int j = 0; j < d; j++)
        gp->n_cat[j] = n_cat ? n_cat[j] : 0;
    default_hyper(d, &gp->h);
    return gp;
}

void gp_free(hp_gp *gp)
{
    if (!gp)
        return;
    free(gp->x);
    free(gp->y);
    free(gp->alpha);
    if (gp->L)
        gsl_matrix_free(gp->L);
    free(gp);
}

int gp_n(const hp_gp *gp) { return gp->n; }
void gp_get_hyper(const hp_gp *gp, hp_gp_hyper *h) { *h = gp->h; }
void gp_set_hyper(hp_gp *gp, const hp_gp_hyper *h) { gp->h = *h; }

static double noise_var(const hp_gp_hyper *h)
{
    return GP_NOISE_FLOOR + exp(h->log_noise);
}

/* r^2 between A and B, and each dimension's term in Q (if non-NULL). */
static double dist2(const hp_gp *gp, const hp_gp_hyper *h, const double *a,
                    const double *b, double *q)
{
    double r2 = 0;
    for (int j = 0; j < gp->d; j++) {
        double inv_l2 = exp(-2 * h->log_ls[j]), t;
        if (gp->n_cat[j] > 0) {
            int ca = (int)(a[j] * gp->n_cat[j]), cb = (int)(b[j] * gp->n_cat[j]);
            t = ca != cb ? inv_l2 : 0;
        } else {
            double diff = a[j] - b[j];
            t = diff * diff * inv_l2;
        }
        if (q)
            q[j] = t;
        r2 += t;
    }
    return r2;
}

static double matern(double s2, double r2)
{
    double r = sqrt(r2);
    return s2 * (1 + SQRT5 * r + 5.0 / 3.0 * r2) * exp(-SQRT5 * r);
}

double gp_kernel(const hp_gp *gp, const double *a, const double *b)
{
    return matern(exp(gp->h.log_signal), dist2(gp, &gp->h, a, b, NULL));
}

static int reserve(hp_gp *gp, int n)
{
    if (n <= gp->cap)
        return 0;
    int cap = gp->cap ? gp->cap : 16;
    while (cap < n)
        cap *= 2;
    double *x = realloc(gp->x, sizeof(double) * (size_t)cap * (size_t)gp->d);
    if (!x)
        return -1;
    gp->x = x;
    double *y = realloc(gp->y, sizeof(double) * (size_t)cap);
    if (!y)
        return -1;
    gp->y = y;
    double *a = realloc(gp->alpha, sizeof(double) * (size_t)cap);
    if (!a)
        return -1;
    gp->alpha = a;
    gsl_matrix *L = gsl_matrix_alloc((size_t)cap, (size_t)cap);
    if (!L)
        return -1;
    if (gp->L) {
        for (int i = 0; i < gp->n; i++)
            for (int k = 0; k <= i; k++)
                gsl_matrix_set(L, (size_t)i, (size_t)k, gsl_matrix_get(gp->L, (size_t)i, (size_t)k));
        gsl_matrix_free(gp->L);
    }
    gp->L = L;
    gp->cap = cap;
    return 0;
}

/* Fills M (n x n) with K + (noise + jitter) I under hyperparameters H. */
static void build_cov(const hp_gp *gp, const hp_gp_hyper *h, gsl_matrix *m, int n,
                      double jitter)
{
    double s2 = exp(h->log_signal), nv = noise_var(h);
    for (int i = 0; i < n; i++) {
        gsl_matrix_set(m, (size_t)i, (size_t)i, s2 + nv + jitter);
        for (int k = 0; k < i; k++) {
            double v = matern(s2, dist2(gp, h, gp->x + i * gp->d, gp->x + k * gp->d, NULL));
            gsl_matrix_set(m, (size_t)i, (size_t)k, v);
            gsl_matrix_set(m, (size_t)k, (size_t)i, v);
        }
    }
}

/* alpha = L^-T L^-1 y over the first n points. */
static void solve_alpha(hp_gp *gp)
{
    gsl_matrix_view Lv = gsl_matrix_submatrix(gp->L, 0, 0, (size_t)gp->n, (size_t)gp->n);
    gsl_vector_view a = gsl_vector_view_array(gp->alpha, (size_t)gp->n);
    memcpy(gp->alpha, gp->y, sizeof(double) * (size_t)gp->n);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Lv.matrix, &a.vector);
    gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &Lv.matrix, &a.vector);
}

/* Factorises the covariance of the stored points, adding jitter 1e-8, 1e-7,
** ... when needed (GPyTorch's psd_safe_cholesky).  Returns 0 or -1. */
static int factorise(hp_gp *gp)
{
    if (gp->n == 0)
        return 0;
    gsl_matrix_view Lv = gsl_matrix_submatrix(gp->L, 0, 0, (size_t)gp->n, (size_t)gp->n);
    double jitter = 0;
    for (int attempt = 0; attempt < 6; attempt++) {
        build_cov(gp, &gp->h, &Lv.matrix, gp->n, jitter);
        if (gsl_linalg_cholesky_decomp1(&Lv.matrix) == GSL_SUCCESS) {
            gp->jitter = jitter;
            solve_alpha(gp);
            return 0;
        }
        jitter = jitter == 0 ? 1e-8 : jitter * 10;
    }
    return -1;
}

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
    double en = exp(h->log_noise), nv = noise_var(h);
    lp += 0.1 * log(nv) - 30 * nv;
    if (grad) {
        grad[gp->d] = 1 - s2;
        grad[gp->d + 1] = (0.1 / nv - 30) * en;
    }
    return lp;
}

double gp_neg_log_posterior(hp_gp *gp, const hp_gp_hyper *h, double *grad)
{
    int n = gp->n, d = gp->d;
    if (n == 0)
        return INFINITY;
    gsl_matrix *K = gsl_matrix_alloc((size_t)n, (size_t)n);
    double *alpha = malloc(sizeof(double) * (size_t)n);
    double *q = malloc(sizeof(double) * (size_t)d);
    double result = INFINITY;
    if (!K || !alpha || !q)
        goto out;
    build_cov(gp, h, K, n, 0);
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
    double s2 = exp(h->log_signal);
    for (int m = 0; m < d + 2; m++)
        grad[m] = 0;
    double trace_w = 0;
    for (int i = 0; i < n; i++) {
        double wii = alpha[i] * alpha[i] - gsl_matrix_get(K, (size_t)i, (size_t)i);
        trace_w += wii;
        grad[d] += 0.5 * wii * s2; /* diagonal of K_f is s2 */
        for (int k = 0; k < i; k++) {
            double w = alpha[i] * alpha[k] - gsl_matrix_get(K, (size_t)i, (size_t)k);
            double r2 = dist2(gp, h, gp->x + i * d, gp->x + k * d, q);
            double r = sqrt(r2), e = exp(-SQRT5 * r);
            double kf = s2 * (1 + SQRT5 * r + 5.0 / 3.0 * r2) * e;
            double common = (5.0 / 3.0) * s2 * (1 + SQRT5 * r) * e;
            /* each off-diagonal pair counts twice (ik and ki) */
            for (int j = 0; j < d; j++)
                grad[j] += w * common * q[j];
            grad[d] += w * kf;
        }
    }
    grad[d + 1] = 0.5 * trace_w * exp(h->log_noise);
    for (int m = 0; m < d + 2; m++)
        grad[m] = -(grad[m] + pg[m]);
out:
    if (K)
        gsl_matrix_free(K);
    free(alpha);
    free(q);
    return result;
}

/* GSL multimin callbacks over eta = (log_ls[0..d), log_signal, log_noise). */
static void unpack(const hp_gp *gp, const gsl_vector *v, hp_gp_hyper *h)
{
    memset(h, 0, sizeof *h);
    for (int j = 0; j < gp->d; j++)
        h->log_ls[j] = gsl_vector_get(v, (size_t)j);
    h->log_signal = gsl_vector_get(v, (size_t)gp->d);
    h->log_noise = gp->deterministic ? PINNED_LOG_NOISE : gsl_vector_get(v, (size_t)gp->d + 1);
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

int gp_set_data(hp_gp *gp, const double *x, const double *y, int n, int fit)
{
    if (reserve(gp, n + 1))
        return -1;
    gp->n = n;
    gp->n_data = n;
    memcpy(gp->x, x, sizeof(double) * (size_t)n * (size_t)gp->d);
    memcpy(gp->y, y, sizeof(double) * (size_t)n);
    if (fit && n >= 2) {
        hp_gp_hyper warm = gp->h, mode, a, b;
        double fa = fit_from(gp, &warm, &a);
        default_hyper(gp->d, &mode);
        if (gp->deterministic)
            mode.log_noise = PINNED_LOG_NOISE;
        double fb = fit_from(gp, &mode, &b);
        if (isfinite(fa) || isfinite(fb))
            gp->h = fa <= fb ? a : b;
    }
    return factorise(gp);
}

int gp_update_data(hp_gp *gp, const double *x, const double *y, int n)
{
    int k = gp->n_data, d = gp->d;
    if (k == 0 || n < k || memcmp(gp->x, x, sizeof(double) * (size_t)k * (size_t)d) != 0)
        return gp_set_data(gp, x, y, n, 0);
    /* the leading rows of a Cholesky factor do not depend on later rows:
       drop the lies, keep the factor of the first k points */
    gp->n = k;
    if (gp_append(gp, x + k * d, y + k, n - k) != 0)
        return -1;
    gp->n_data = n;
    memcpy(gp->y, y, sizeof(double) * (size_t)n);
    solve_alpha(gp);
    return 0;
}

int gp_append(hp_gp *gp, const double *x, const double *y, int m)
{
    if (reserve(gp, gp->n + m + 1))
        return -1;
    double s2 = exp(gp->h.log_signal), nv = noise_var(&gp->h) + gp->jitter;
    for (int p = 0; p < m; p++) {
        int n = gp->n;
        double *xn = gp->x + n * gp->d;
        memcpy(xn, x + p * gp->d, sizeof(double) * (size_t)gp->d);
        gp->y[n] = y[p];
        /* new row of L: l = L^-1 k, diagonal sqrt(k(x,x) + noise - l.l) */
        gsl_vector_view row = gsl_matrix_subrow(gp->L, (size_t)n, 0, (size_t)n + 1);
        for (int i = 0; i < n; i++)
            gsl_vector_set(&row.vector, (size_t)i, gp_kernel(gp, xn, gp->x + i * gp->d));
        double ll = 0;
        if (n > 0) {
            gsl_matrix_view Lv = gsl_matrix_submatrix(gp->L, 0, 0, (size_t)n, (size_t)n);
            gsl_vector_view l = gsl_matrix_subrow(gp->L, (size_t)n, 0, (size_t)n);
            gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Lv.matrix, &l.vector);
            gsl_blas_ddot(&l.vector, &l.vector, &ll);
        }
        double dd = s2 + nv - ll;
        /* a duplicate of a stored point leaves nothing to add but noise */
        gsl_matrix_set(gp->L, (size_t)n, (size_t)n, sqrt(dd > nv * 1e-3 ? dd : nv * 1e-3));
        gp->n++;
    }
    solve_alpha(gp);
    return 0;
}

void gp_predict(const hp_gp *gp, const double *x, double *mean, double *var,
                double *dmean, double *dvar)
{
    int n = gp->n, d = gp->d;
    double s2 = exp(gp->h.log_signal);
    if (dmean)
        memset(dmean, 0, sizeof(double) * (size_t)d);
    if (dvar)
        memset(dvar, 0, sizeof(double) * (size_t)d);
    if (n == 0) {
        *mean = 0;
        *var = s2;
        return;
    }
    /* k and v side by side: on the stack for the usual sizes */
    double stack[1024], *k = n <= 512 ? stack : malloc(sizeof(double) * 2 * (size_t)n);
    if (!k) {
        *mean = 0;
        *var = s2;
        return;
    }
    double *v = k + n;
    double mu = 0;
    for (int i = 0; i < n; i++) {
        k[i] = gp_kernel(gp, x, gp->x + i * d);
        mu += k[i] * gp->alpha[i];
    }
    memcpy(v, k, sizeof(double) * (size_t)n);
    gsl_matrix_const_view Lv = gsl_matrix_const_submatrix(gp->L, 0, 0, (size_t)n, (size_t)n);
    gsl_vector_view vv = gsl_vector_view_array(v, (size_t)n);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Lv.matrix, &vv.vector);
    double vtv;
    gsl_blas_ddot(&vv.vector, &vv.vector, &vtv);
    *mean = mu;
    *var = s2 - vtv > 0 ? s2 - vtv : 0;
    if (dmean || dvar) {
        /* w = K^-1 k for the variance gradient */
        gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &Lv.matrix, &vv.vector);
        for (int i = 0; i < n; i++) {
            const double *xi = gp->x + i * d;
            double r2 = dist2(gp, &gp->h, x, xi, NULL), r = sqrt(r2);
            double common = -(5.0 / 3.0) * s2 * (1 + SQRT5 * r) * exp(-SQRT5 * r);
            for (int j = 0; j < d; j++) {
                if (gp->n_cat[j] > 0)
                    continue;
                double dk = common * (x[j] - xi[j]) * exp(-2 * gp->h.log_ls[j]);
                if (dmean)
                    dmean[j] += gp->alpha[i] * dk;
                if (dvar)
                    dvar[j] += -2 * v[i] * dk;
            }
        }
    }
    if (k != stack)
        free(k);
}
