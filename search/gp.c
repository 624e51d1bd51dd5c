/*
** Gaussian-process model: kernel, data, factorisation, posterior (the
** hyperparameters' fit is gp_fit.c).
**
** Invariant: after a successful gp_set_data/gp_append, L holds the lower
** Cholesky factor of K + noise*I (plus any jitter the factorisation needed)
** over the first n points, and alpha = (K + noise*I)^-1 y.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "gp_internals.h"

void gp_set_deterministic(hp_gp *gp, int fixed)
{
    gp->deterministic = fixed;
    /* a model that holds the nugget (loaded warm) keeps it */
    gp->pinned_log_noise =
        fabs(gp->h.log_noise - NUGGET_LOG_NOISE) < 1e-6 ? NUGGET_LOG_NOISE : PINNED_LOG_NOISE;
    if (fixed)
        gp->h.log_noise = gp->pinned_log_noise;
}

hp_gp *gp_new(int d, const int *n_cat)
{
    if (d < 1 || d > GP_MAX_DIM)
        return NULL;
    hp_gp *gp = calloc(1, sizeof *gp);
    if (!gp)
        return NULL;
    gp->d = d;
    gp->pairs_n = -1;
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
    gp_forget_pairs(gp);
    free(gp);
}

int gp_n(const hp_gp *gp) { return gp->n; }
void gp_get_hyper(const hp_gp *gp, hp_gp_hyper *h) { *h = gp->h; }
void gp_set_hyper(hp_gp *gp, const hp_gp_hyper *h)
{
    gp->h = *h;
    gp->fitted = 1; /* given hyperparameters are a fit to start from */
    if (gp->deterministic) /* one of the two pinned levels */
        gp->h.log_noise = gp->pinned_log_noise =
            fabs(h->log_noise - NUGGET_LOG_NOISE) < 1e-6 ? NUGGET_LOG_NOISE : PINNED_LOG_NOISE;
}

double gp_kernel(const hp_gp *gp, const double *a, const double *b)
{
    double w[GP_MAX_DIM];
    inverse_sq_scales(gp, &gp->h, w);
    return matern(gp->h.matern32, exp(gp->h.log_signal), dist2(gp, w, a, b, NULL));
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
    double s2 = exp(h->log_signal), nv = noise_var(h), w[GP_MAX_DIM];
    inverse_sq_scales(gp, h, w);
    for (int i = 0; i < n; i++) {
        double *row = m->data + (size_t)i * m->tda;
        row[i] = s2 + nv + jitter;
        for (int k = 0; k < i; k++) {
            double v = matern(h->matern32, s2,
                              dist2(gp, w, gp->x + i * gp->d, gp->x + k * gp->d, NULL));
            row[k] = v;
            m->data[(size_t)k * m->tda + (size_t)i] = v;
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

int gp_set_data(hp_gp *gp, const double *x, const double *y, int n, int fit)
{
    if (reserve(gp, n + 1))
        return -1;
    gp->n = n;
    gp->n_data = n;
    gp->pairs_n = -1;
    memcpy(gp->x, x, sizeof(double) * (size_t)n * (size_t)gp->d);
    memcpy(gp->y, y, sizeof(double) * (size_t)n);
    if (fit && n >= 2)
        gp_fit_hyperparameters(gp);
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
        gp->pairs_n = -1;
        /* new row of L: l = L^-1 k, diagonal sqrt(k(x,x) + noise - l.l) */
        double *row = gp->L->data + (size_t)n * gp->L->tda, w[GP_MAX_DIM];
        inverse_sq_scales(gp, &gp->h, w);
        for (int i = 0; i < n; i++)
            row[i] = matern(gp->h.matern32, s2, dist2(gp, w, xn, gp->x + i * gp->d, NULL));
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
    double mu = 0, w[GP_MAX_DIM];
    inverse_sq_scales(gp, &gp->h, w);
    for (int i = 0; i < n; i++) {
        k[i] = matern(gp->h.matern32, s2, dist2(gp, w, x, gp->x + i * d, NULL));
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
            double r2 = dist2(gp, w, x, xi, NULL), r = sqrt(r2);
            double common =
                -s2 * kernel_slope(gp->h.matern32, r) * kernel_decay(gp->h.matern32, r);
            for (int j = 0; j < d; j++) {
                if (gp->n_cat[j] > 0)
                    continue;
                double diff;
                dim_term(gp, j, x[j], xi[j], &diff);
                double dk = common * diff * w[j];
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

/* Points per triangular solve: bounds the n x chunk blocks' memory. */
#define PREDICT_CHUNK 256

/* One chunk of gp_predict_batch: MC points X; B (and C with gradients)
** are n x chunk scratch. */
static void predict_chunk(const hp_gp *gp, const double *w, int mc, const double *x,
                          gsl_matrix *B, gsl_matrix *C, double *mean, double *var,
                          double *dmean, double *dvar)
{
    int n = gp->n, d = gp->d;
    double s2 = exp(gp->h.log_signal);
    gsl_matrix_const_view Lv = gsl_matrix_const_submatrix(gp->L, 0, 0, (size_t)n, (size_t)n);
    gsl_matrix_view Bv = gsl_matrix_submatrix(B, 0, 0, (size_t)n, (size_t)mc);
    /* B[i][c] = k(x_i, point c), the means from it; C[i][c] = dk/dr / r */
    for (int c = 0; c < mc; c++)
        mean[c] = 0;
    for (int i = 0; i < n; i++) {
        double *row = B->data + (size_t)i * B->tda, a = gp->alpha[i];
        double *crow = C ? C->data + (size_t)i * C->tda : NULL;
        const double *xi = gp->x + i * d;
        for (int c = 0; c < mc; c++) {
            double r2 = dist2(gp, w, x + (size_t)c * d, xi, NULL), r = sqrt(r2);
            double e = kernel_decay(gp->h.matern32, r);
            row[c] = s2 * kernel_shape(gp->h.matern32, r, r2) * e;
            if (crow)
                crow[c] = -s2 * kernel_slope(gp->h.matern32, r) * e;
            mean[c] += row[c] * a;
        }
    }
    /* V = L^-1 B in one call; var = s2 - column sums of V^2 */
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &Lv.matrix,
                   &Bv.matrix);
    for (int c = 0; c < mc; c++)
        var[c] = s2;
    for (int i = 0; i < n; i++) {
        const double *row = B->data + (size_t)i * B->tda;
        for (int c = 0; c < mc; c++)
            var[c] -= row[c] * row[c];
    }
    for (int c = 0; c < mc; c++)
        if (!(var[c] > 0))
            var[c] = 0;
    if (!C)
        return;
    /* W = L^-T V = K^-1 k for the variance gradient */
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, &Lv.matrix,
                   &Bv.matrix);
    memset(dmean, 0, sizeof(double) * (size_t)mc * (size_t)d);
    memset(dvar, 0, sizeof(double) * (size_t)mc * (size_t)d);
    for (int i = 0; i < n; i++) {
        const double *wrow = B->data + (size_t)i * B->tda, *crow = C->data + (size_t)i * C->tda;
        const double *xi = gp->x + i * d;
        for (int c = 0; c < mc; c++) {
            const double *xc = x + (size_t)c * d;
            double gm = gp->alpha[i] * crow[c], gv = -2 * wrow[c] * crow[c];
            for (int j = 0; j < d; j++) {
                if (gp->n_cat[j] > 0)
                    continue;
                double diff;
                dim_term(gp, j, xc[j], xi[j], &diff);
                double dr = diff * w[j];
                dmean[(size_t)c * d + j] += gm * dr;
                dvar[(size_t)c * d + j] += gv * dr;
            }
        }
    }
}

int gp_predict_batch(const hp_gp *gp, int m, const double *x, double *mean, double *var,
                     double *dmean, double *dvar)
{
    int n = gp->n, d = gp->d, grads = dmean && dvar;
    double w[GP_MAX_DIM];
    if (n == 0) {
        for (int c = 0; c < m; c++) {
            mean[c] = 0;
            var[c] = exp(gp->h.log_signal);
        }
        if (grads) {
            memset(dmean, 0, sizeof(double) * (size_t)m * (size_t)d);
            memset(dvar, 0, sizeof(double) * (size_t)m * (size_t)d);
        }
        return 0;
    }
    int chunk = m < PREDICT_CHUNK ? m : PREDICT_CHUNK;
    gsl_matrix *B = gsl_matrix_alloc((size_t)n, (size_t)chunk);
    gsl_matrix *C = grads ? gsl_matrix_alloc((size_t)n, (size_t)chunk) : NULL;
    if (!B || (grads && !C)) {
        if (B)
            gsl_matrix_free(B);
        if (C)
            gsl_matrix_free(C);
        return -1;
    }
    inverse_sq_scales(gp, &gp->h, w);
    for (int c0 = 0; c0 < m; c0 += chunk) {
        int mc = m - c0 < chunk ? m - c0 : chunk;
        predict_chunk(gp, w, mc, x + (size_t)c0 * d, B, C, mean + c0, var + c0,
                      grads ? dmean + (size_t)c0 * d : NULL,
                      grads ? dvar + (size_t)c0 * d : NULL);
    }
    gsl_matrix_free(B);
    if (C)
        gsl_matrix_free(C);
    return 0;
}
