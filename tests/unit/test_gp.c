/*
** Unit tests of search/gp and the gp sampler: the posterior against a
** hand computation, gradients against finite differences, the Cholesky
** append against a full factorisation, degenerate inputs, determinism.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "../../search/functions.h"
#include "../../search/gp.h"
#include "../../search/sampler.h"
#include "../../search/sampler_gp_impl.h"

static double matern(double s2, double r)
{
    return s2 * (1 + sqrt(5) * r + 5.0 / 3.0 * r * r) * exp(-sqrt(5) * r);
}

/* 1-D, three points, fixed hyperparameters: mean and variance through the
** 3x3 inverse written out by cofactors. */
static void test_posterior_by_hand(void **state)
{
    (void)state;
    hp_gp *gp = gp_new(1, NULL);
    hp_gp_hyper h;
    memset(&h, 0, sizeof h);
    h.log_ls[0] = log(0.3);
    h.log_signal = log(1.5);
    h.log_noise = log(0.01);
    gp_set_hyper(gp, &h);
    double x[3] = {0.2, 0.7, 0.9}, y[3] = {1.0, -0.5, 0.25};
    assert_int_equal(gp_set_data(gp, x, y, 3, 0), 0);
    double s2 = 1.5, nv = 0.01 + GP_NOISE_FLOOR, K[3][3], inv[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            K[i][j] = matern(s2, fabs(x[i] - x[j]) / 0.3) + (i == j ? nv : 0);
    double det = K[0][0] * (K[1][1] * K[2][2] - K[1][2] * K[2][1]) -
                 K[0][1] * (K[1][0] * K[2][2] - K[1][2] * K[2][0]) +
                 K[0][2] * (K[1][0] * K[2][1] - K[1][1] * K[2][0]);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            /* inverse = adjugate / det; adj[i][j] = cofactor of K[j][i] */
            int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
            inv[i][j] = (K[r0][c0] * K[r1][c1] - K[r0][c1] * K[r1][c0]) / det;
        }
    double xs = 0.45, k[3], mu = 0, var = s2;
    for (int i = 0; i < 3; i++)
        k[i] = matern(s2, fabs(xs - x[i]) / 0.3);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            mu += k[i] * inv[i][j] * y[j];
            var -= k[i] * inv[i][j] * k[j];
        }
    double m, v;
    gp_predict(gp, &xs, &m, &v, NULL, NULL);
    assert_float_equal(m, mu, 1e-12);
    assert_float_equal(v, var, 1e-12);
    /* at a data point with tiny noise the mean interpolates */
    h.log_noise = log(1e-9);
    gp_set_hyper(gp, &h);
    assert_int_equal(gp_set_data(gp, x, y, 3, 0), 0);
    gp_predict(gp, &x[0], &m, &v, NULL, NULL);
    assert_float_equal(m, y[0], 1e-4);
    assert_true(v < 1e-4);
    /* kernel at r = 1 */
    double p0 = 0, p1 = 0.3;
    assert_float_equal(gp_kernel(gp, &p0, &p1), matern(1.5, 1.0), 1e-12);
    gp_free(gp);
}

static void fill(double *x, double *y, int n, int d, unsigned seed)
{
    srand(seed); /* test data only; the product never uses rand() */
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            x[i * d + j] = rand() / (RAND_MAX + 1.0);
            s += sin(3 * x[i * d + j] + j);
        }
        y[i] = s;
    }
}

/* The marginal likelihood's analytic gradient at H against central finite
** differences, for each of the D length-scales, the signal and the noise. */
static void check_mll_gradient(hp_gp *gp, int d, const hp_gp_hyper *h)
{
    double g[GP_MAX_DIM + 2];
    gp_neg_log_posterior(gp, h, g);
    for (int m = 0; m < d + 2; m++) {
        hp_gp_hyper a = *h, b = *h;
        double eps = 1e-6;
        double *pa = m < d ? &a.log_ls[m] : m == d ? &a.log_signal : &a.log_noise;
        double *pb = m < d ? &b.log_ls[m] : m == d ? &b.log_signal : &b.log_noise;
        *pa += eps;
        *pb -= eps;
        double fd = (gp_neg_log_posterior(gp, &a, NULL) - gp_neg_log_posterior(gp, &b, NULL)) /
                    (2 * eps);
        if (fabs(fd - g[m]) > 1e-5 * fmax(1, fabs(fd)))
            print_error("param %d: analytic %.9g, finite difference %.9g\n", m, g[m], fd);
        assert_true(fabs(fd - g[m]) <= 1e-5 * fmax(1, fabs(fd)));
    }
}

/* The posterior mean's and variance's gradients at P (D coordinates)
** against central finite differences in its first N_MOVED coordinates. */
static void check_predict_gradient(const hp_gp *gp, const double *p, int d, int n_moved)
{
    double m, v, dm[GP_MAX_DIM], dv[GP_MAX_DIM];
    gp_predict(gp, p, &m, &v, dm, dv);
    for (int j = 0; j < n_moved; j++) {
        double a[GP_MAX_DIM], b[GP_MAX_DIM], ma, va, mb, vb;
        memcpy(a, p, sizeof(double) * (size_t)d);
        memcpy(b, p, sizeof(double) * (size_t)d);
        a[j] += 1e-6;
        b[j] -= 1e-6;
        gp_predict(gp, a, &ma, &va, NULL, NULL);
        gp_predict(gp, b, &mb, &vb, NULL, NULL);
        assert_float_equal(dm[j], (ma - mb) / 2e-6, 1e-5 * fmax(1, fabs(dm[j])));
        assert_float_equal(dv[j], (va - vb) / 2e-6, 1e-5 * fmax(1, fabs(dv[j])));
    }
}

static void test_mll_gradient(void **state)
{
    (void)state;
    int d = 3, n = 12;
    int ncat[3] = {0, 0, 3};
    hp_gp *gp = gp_new(d, ncat);
    double x[36], y[12];
    fill(x, y, n, d, 7);
    assert_int_equal(gp_set_data(gp, x, y, n, 0), 0);
    hp_gp_hyper h;
    memset(&h, 0, sizeof h);
    h.log_ls[0] = log(0.4);
    h.log_ls[1] = log(0.8);
    h.log_ls[2] = log(0.6);
    h.log_signal = log(1.3);
    h.log_noise = log(0.05);
    check_mll_gradient(gp, d, &h);
    h.matern32 = 1;
    check_mll_gradient(gp, d, &h);
    h.matern32 = 0;
    /* fitting lowers the objective */
    double before = gp_neg_log_posterior(gp, &h, NULL);
    gp_set_hyper(gp, &h);
    assert_int_equal(gp_set_data(gp, x, y, n, 1), 0);
    hp_gp_hyper fitted;
    gp_get_hyper(gp, &fitted);
    assert_true(gp_neg_log_posterior(gp, &fitted, NULL) <= before);
    gp_free(gp);
}

static void test_predict_gradient(void **state)
{
    (void)state;
    int d = 2, n = 10;
    hp_gp *gp = gp_new(d, NULL);
    double x[20], y[10];
    fill(x, y, n, d, 3);
    assert_int_equal(gp_set_data(gp, x, y, n, 1), 0);
    double p[2] = {0.31, 0.62};
    check_predict_gradient(gp, p, d, d);
    hp_gp_hyper h;
    gp_get_hyper(gp, &h);
    h.matern32 = 1;
    gp_set_hyper(gp, &h);
    assert_int_equal(gp_set_data(gp, x, y, n, 0), 0);
    check_predict_gradient(gp, p, d, d);
    gp_free(gp);
}

/* Absent coordinates (gp.h): a point that has dimension 1 is as far from
** one that lacks it at 0.2 as at 0.8 (with the old imputation at -1 the
** former was nearer); the posterior's and the marginal likelihood's
** gradients hold with absent points in the data; the batch agrees. */
static void test_absent_coordinates(void **state)
{
    (void)state;
    int d = 3, n = 16, n_cat[3] = {0, 0, 3};
    hp_gp *gp = gp_new(d, n_cat);
    double x[48], y[16];
    fill(x, y, n, d, 11);
    for (int i = 0; i < n; i++) {
        x[i * d + 2] = ((i % 3) + 0.5) / 3;
        if (i % 3 == 0)
            x[i * d + 1] = GP_ABSENT; /* inactive with the first category */
        if (i % 4 == 0)
            x[i * d + 2] = GP_ABSENT;
    }
    hp_gp_hyper h;
    memset(&h, 0, sizeof h);
    h.log_ls[0] = log(0.5);
    h.log_ls[1] = log(0.3);
    h.log_ls[2] = log(0.7);
    h.log_signal = log(1.1);
    h.log_noise = log(0.01);
    gp_set_hyper(gp, &h);
    assert_int_equal(gp_set_data(gp, x, y, n, 0), 0);
    check_mll_gradient(gp, d, &h);
    /* the categorical third coordinate has no gradient */
    double p[3] = {0.4, 0.37, 0.5};
    check_predict_gradient(gp, p, d, 2);
    double pts[9] = {0.4, 0.37, 0.5, 0.4, GP_ABSENT, 0.5, 0.9, 0.1, GP_ABSENT};
    double bm[3], bv[3], bdm[9], bdv[9];
    assert_int_equal(gp_predict_batch(gp, 3, pts, bm, bv, bdm, bdv), 0);
    for (int c = 0; c < 3; c++) {
        double m1, v1, dm1[3], dv1[3];
        gp_predict(gp, pts + c * d, &m1, &v1, dm1, dv1);
        assert_float_equal(bm[c], m1, 1e-10);
        assert_float_equal(bv[c], v1, 1e-10);
        for (int j = 0; j < d; j++)
            assert_float_equal(bdm[c * d + j], dm1[j], 1e-9);
    }
    gp_free(gp);

    /* one point lacking dimension 1: the model is symmetric about 1/2 there */
    gp = gp_new(2, NULL);
    double one[2] = {0.5, GP_ABSENT}, target = 1;
    h.log_ls[0] = h.log_ls[1] = log(0.5);
    gp_set_hyper(gp, &h);
    assert_int_equal(gp_set_data(gp, one, &target, 1, 0), 0);
    double lo[2] = {0.5, 0.2}, hi[2] = {0.5, 0.8}, ml, vl, mh, vh;
    gp_predict(gp, lo, &ml, &vl, NULL, NULL);
    gp_predict(gp, hi, &mh, &vh, NULL, NULL);
    assert_float_equal(ml, mh, 1e-12);
    assert_float_equal(vl, vh, 1e-12);
    assert_true(ml > 0.01); /* still correlated: a mismatch is not infinitely far */
    gp_free(gp);
}

static void test_predict_batch_matches_single(void **state)
{
    (void)state;
    /* a categorical dimension, and more points than one solve's block */
    int d = 3, n = 40, m = 300, n_cat[3] = {0, 0, 4};
    hp_gp *gp = gp_new(d, n_cat);
    double x[120], y[40];
    fill(x, y, n, d, 7);
    for (int i = 0; i < n; i++)
        x[i * d + 2] = ((i % 4) + 0.5) / 4;
    assert_int_equal(gp_set_data(gp, x, y, n, 1), 0);
    double *p = malloc(sizeof(double) * (size_t)(m * d)), *mean = malloc(sizeof(double) * m),
           *var = malloc(sizeof(double) * m), *dm = malloc(sizeof(double) * (size_t)(m * d)),
           *dv = malloc(sizeof(double) * (size_t)(m * d));
    assert_non_null(p && mean && var && dm && dv);
    for (int c = 0; c < m * d; c++)
        p[c] = fmod(0.618034 * (c + 1) * (c % 7 + 1), 1.0);
    assert_int_equal(gp_predict_batch(gp, m, p, mean, var, dm, dv), 0);
    for (int c = 0; c < m; c++) {
        double m1, v1, dm1[3], dv1[3];
        gp_predict(gp, p + c * d, &m1, &v1, dm1, dv1);
        assert_float_equal(mean[c], m1, 1e-10);
        assert_float_equal(var[c], v1, 1e-10);
        for (int j = 0; j < d; j++) {
            assert_float_equal(dm[c * d + j], dm1[j], 1e-9);
            assert_float_equal(dv[c * d + j], dv1[j], 1e-9);
        }
    }
    /* without gradients: the same means and variances */
    double *mean2 = malloc(sizeof(double) * m), *var2 = malloc(sizeof(double) * m);
    assert_int_equal(gp_predict_batch(gp, m, p, mean2, var2, NULL, NULL), 0);
    for (int c = 0; c < m; c++) {
        assert_float_equal(mean2[c], mean[c], 1e-12);
        assert_float_equal(var2[c], var[c], 1e-12);
    }
    free(p), free(mean), free(var), free(dm), free(dv), free(mean2), free(var2);
    gp_free(gp);
}

/* A deterministic model of D dimensions fitted to the N points X, Y; its
** hyperparameters in *H.  The caller frees it. */
static hp_gp *fit_deterministic(int d, const double *x, const double *y, int n, hp_gp_hyper *h)
{
    hp_gp *gp = gp_new(d, NULL);
    assert_non_null(gp);
    gp_set_deterministic(gp, 1);
    assert_int_equal(gp_set_data(gp, x, y, n, 1), 0);
    gp_get_hyper(gp, h);
    return gp;
}

/* A deterministic fit interpolates a smooth function and takes the nugget
** on one with ripples finer than its points resolve. */
static void test_deterministic_nugget_by_evidence(void **state)
{
    (void)state;
    int d = 2, n = 40;
    double x[80], y[40], rugged[40];
    fill(x, y, n, d, 11);
    for (int i = 0; i < n; i++)
        rugged[i] = y[i] + 0.3 * sin(97 * x[2 * i]) * cos(89 * x[2 * i + 1]);
    hp_gp_hyper a, b;
    hp_gp *smooth = fit_deterministic(d, x, y, n, &a);
    hp_gp *rough = fit_deterministic(d, x, rugged, n, &b);
    if (!(a.log_noise < -50 && fabs(b.log_noise - log(1e-6)) < 1e-9))
        fail_msg("log noise: smooth %g (want the floor), rugged %g (want log 1e-6)",
                 a.log_noise, b.log_noise);
    gp_free(smooth);
    gp_free(rough);
}

/* A deterministic fit keeps Matern-5/2 on a smooth function and takes the
** rougher Matern-3/2 on a path with a kink at every point (a random walk),
** and so does a fit that learns the noise; the kernel a model holds is the
** Matern-3/2 formula. */
static void test_deterministic_kernel_by_evidence(void **state)
{
    (void)state;
    int n = 40;
    double x[40], smooth_y[40], walk[40], level = 0;
    uint64_t lcg = 12345;
    for (int i = 0; i < n; i++) {
        x[i] = (i + 0.5) / n;
        smooth_y[i] = sin(4 * x[i]);
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        level += (double)(lcg >> 11) / 9007199254740992.0 - 0.5;
        walk[i] = level;
    }
    hp_gp_hyper a, b;
    hp_gp *smooth = fit_deterministic(1, x, smooth_y, n, &a);
    hp_gp *rough = fit_deterministic(1, x, walk, n, &b);
    if (a.matern32 != 0 || b.matern32 != 1)
        fail_msg("Matern-3/2: smooth %d (want 0), random walk %d (want 1)", a.matern32,
                 b.matern32);
    /* a model whose noise is learned chooses the same way */
    hp_gp *learned = gp_new(1, NULL);
    assert_int_equal(gp_set_data(learned, x, walk, n, 1), 0);
    hp_gp_hyper c;
    gp_get_hyper(learned, &c);
    assert_int_equal(c.matern32, 1);
    assert_int_equal(gp_set_data(learned, x, smooth_y, n, 1), 0); /* 40: a restart */
    gp_get_hyper(learned, &c);
    assert_int_equal(c.matern32, 0);
    gp_free(learned);
    double p = 0.3, q = 0.45, r = fabs(p - q) / exp(b.log_ls[0]);
    assert_float_equal(gp_kernel(rough, &p, &q),
                       exp(b.log_signal) * (1 + sqrt(3) * r) * exp(-sqrt(3) * r), 1e-12);
    gp_free(smooth);
    gp_free(rough);
}

static void test_append_matches_refactor(void **state)
{
    (void)state;
    int d = 2, n = 14;
    hp_gp *a = gp_new(d, NULL), *b = gp_new(d, NULL);
    double x[28], y[14];
    fill(x, y, n, d, 11);
    assert_int_equal(gp_set_data(a, x, y, n, 1), 0);
    hp_gp_hyper h;
    gp_get_hyper(a, &h);
    gp_set_hyper(b, &h);
    assert_int_equal(gp_set_data(a, x, y, 10, 0), 0);
    assert_int_equal(gp_append(a, x + 20, y + 10, 4), 0);
    assert_int_equal(gp_set_data(b, x, y, 14, 0), 0);
    for (int t = 0; t < 5; t++) {
        double p[2] = {0.1 + 0.2 * t, 0.9 - 0.15 * t}, ma, va, mb, vb;
        gp_predict(a, p, &ma, &va, NULL, NULL);
        gp_predict(b, p, &mb, &vb, NULL, NULL);
        assert_float_equal(ma, mb, 1e-8);
        assert_float_equal(va, vb, 1e-8);
    }
    /* update: keep the first 10 points' factor, drop a lie, append 4 more,
       with every target changed */
    hp_gp *c = gp_new(d, NULL);
    gp_set_hyper(c, &h);
    assert_int_equal(gp_set_data(c, x, y, 10, 0), 0);
    double lie = 5, y2[14];
    assert_int_equal(gp_append(c, x + 26, &lie, 1), 0);
    for (int i = 0; i < 14; i++)
        y2[i] = 2 * y[i] - 1;
    assert_int_equal(gp_update_data(c, x, y2, 14), 0);
    assert_int_equal(gp_n(c), 14);
    assert_int_equal(gp_set_data(b, x, y2, 14, 0), 0);
    for (int t = 0; t < 5; t++) {
        double p[2] = {0.05 + 0.2 * t, 0.8 - 0.15 * t}, mc, vc, mb, vb;
        gp_predict(c, p, &mc, &vc, NULL, NULL);
        gp_predict(b, p, &mb, &vb, NULL, NULL);
        assert_float_equal(mc, mb, 1e-8);
        assert_float_equal(vc, vb, 1e-8);
    }
    gp_free(c);
    gp_free(a);
    gp_free(b);
}

/* The sampler on degenerate histories: always a finite, valid proposal. */
static void propose_with(const double *y, int n, const double *x_override)
{
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_int_equal(space_add(s, "a", "uniform(0, 1)", err), 0);
    assert_int_equal(space_add(s, "b", "int(1, 5)", err), 0);
    assert_int_equal(space_add(s, "c", "choice(p, q)", err), 0);
    hp_sampler_options opt;
    sampler_options_init(&opt);
    opt.initial_trials = 2;
    hp_sampler *smp;
    assert_int_equal(sampler_new("gp", s, 1, &opt, &smp, err), 0);
    double x[3 * 64];
    for (int i = 0; i < n; i++) {
        x[3 * i] = x_override ? x_override[0] : (i % 7) / 7.0 + 0.01;
        x[3 * i + 1] = x_override ? x_override[1] : 0.5;
        x[3 * i + 2] = x_override ? x_override[2] : 0.25;
    }
    hp_history h = {n, x, y, 1, x, NULL};
    hp_value v[3];
    assert_int_equal(sampler_propose(smp, (uint64_t)n, &h, v, err), 0);
    assert_true(v[0].value >= 0 && v[0].value <= 1);
    assert_true(v[1].value >= 1 && v[1].value <= 5 && v[1].value == floor(v[1].value));
    assert_true(v[2].index == 0 || v[2].index == 1);
    sampler_free(smp);
    space_free(s);
}

static void test_degenerate(void **state)
{
    (void)state;
    double same[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    propose_with(same, 10, NULL);                   /* a constant objective */
    double one[1] = {3};
    propose_with(one, 1, NULL);                     /* one trial */
    double huge[8] = {1e12, -3e12, 5e11, 2e12, -1e12, 7e12, 0, 1};
    propose_with(huge, 8, NULL);                    /* 1e12-scaled values */
    double dup_y[6] = {1, 2, 3, 4, 5, 6};
    double dup_x[3] = {0.5, 0.5, 0.25};
    propose_with(dup_y, 6, dup_x);                  /* every point the same */
    double failed[6] = {NAN, 2, NAN, 1, NAN, 0.5};
    propose_with(failed, 6, NULL);                  /* failed trials */
}

/* Branin's domain as a space of two parameters, x1 and x2. */
static hp_space *branin_space(void)
{
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    assert_non_null(s);
    assert_int_equal(space_add(s, "x1", "uniform(-5, 10)", err), 0);
    assert_int_equal(space_add(s, "x2", "uniform(0, 15)", err), 0);
    return s;
}

/* A fit saved by one sampler object and loaded by a new one (as a new
** process does) gives the same proposals where no refit happens (past 300
** trials, until the data grows by 10%); a text for another space is
** refused; samplers without a model keep nothing. */
static void test_saved_model_starts_warm(void **state)
{
    (void)state;
    char err[HP_ERR_LEN];
    hp_space *s = branin_space();
    const hp_function_info *f = function_find("branin");
    enum { N = 320 };
    double *x = malloc(sizeof(double) * 2 * (N + 2)), *y = malloc(sizeof(double) * (N + 2));
    assert_non_null(x && y);
    hp_sampler *rnd, *a, *b;
    hp_sampler_options opt;
    sampler_options_init(&opt);
    opt.deterministic = 1;
    assert_int_equal(sampler_new("random", s, 2, &opt, &rnd, err), 0);
    hp_value v[2];
    char text[2048];
    int trials = -1;
    assert_int_equal(sampler_save_model(rnd, text, sizeof text, &trials), 0);
    for (int i = 0; i < N + 2; i++) {
        assert_int_equal(sampler_propose(rnd, (uint64_t)i, NULL, v, err), 0);
        space_encode(s, v, x + 2 * i);
        double p[2] = {v[0].value, v[1].value};
        y[i] = function_eval(f, p, 2);
    }
    assert_int_equal(sampler_new("auto", s, 4, &opt, &a, err), 0);
    assert_int_equal(sampler_save_model(a, text, sizeof text, &trials), 0); /* no fit yet */
    hp_history h = {N, x, y, 0, NULL, NULL};
    hp_value va[2], vb[2];
    assert_int_equal(sampler_propose(a, N, &h, va, err), 0);
    assert_true(sampler_save_model(a, text, sizeof text, &trials) > 0);
    assert_int_equal(trials, N);
    assert_memory_equal(text, "gp2 2 ", 6);
    /* the next proposal, by the same object and by a new one loaded warm */
    h.n = N + 2;
    assert_int_equal(sampler_propose(a, N + 2, &h, va, err), 0);
    assert_int_equal(sampler_new("auto", s, 4, &opt, &b, err), 0);
    assert_int_equal(sampler_load_model(b, text, trials), 0);
    assert_int_equal(sampler_propose(b, N + 2, &h, vb, err), 0);
    assert_float_equal(va[0].value, vb[0].value, 1e-6);
    assert_float_equal(va[1].value, vb[1].value, 1e-6);
    char again[2048];
    int trials_b;
    assert_true(sampler_save_model(b, again, sizeof again, &trials_b) > 0);
    assert_string_equal(again, text);
    assert_int_equal(trials_b, trials);
    /* another dimension, garbage, an out-of-range length-scale: refused */
    assert_int_equal(sampler_load_model(b, "gp1 3 0 0 0 0 0", N), -1);
    assert_int_equal(sampler_load_model(b, "tpe whatever", N), -1);
    assert_int_equal(sampler_load_model(b, "gp1 2 0 0 0 99", N), -1);
    assert_int_equal(sampler_load_model(b, "gp2 2 41 0 0 0 0", N), -1); /* no such kernel */
    /* the kernel kind survives a save and a load; a "gp1" model is 5/2 */
    assert_int_equal(sampler_load_model(b, "gp2 2 32 0.5 -60 -1 -2", N), 0);
    assert_true(sampler_save_model(b, again, sizeof again, &trials_b) > 0);
    assert_memory_equal(again, "gp2 2 32 0.5 ", 13);
    assert_int_equal(sampler_load_model(b, "gp1 2 0.5 -60 -1 -2", N), 0);
    assert_true(sampler_save_model(b, again, sizeof again, &trials_b) > 0);
    assert_memory_equal(again, "gp2 2 52 0.5 ", 13);
    assert_int_equal(sampler_load_model(rnd, text, N), -1);
    sampler_free(rnd);
    sampler_free(a);
    sampler_free(b);
    free(x);
    free(y);
    space_free(s);
}

/* The model's target keeps the values' order, puts the worst at 0 (the
** prior mean); a loss spanning decades (three quarters of it 1..52, the
** rest 1e4..1e5, as BBOB's attractive sector) is offered scaled by its
** interquartile range, where its good values are resolved, and evenly
** spread values are not offered anything. */
static void test_target_scale_for_heavy_tails(void **state)
{
    (void)state;
    enum { N = 24, GOOD = 18 };
    double f[N], y[N], alt[N], nll, alt_nll;
    for (int i = 0; i < GOOD; i++)
        f[i] = -(1 + 3.0 * i);
    for (int i = GOOD; i < N; i++)
        f[i] = -1e4 * (1 + 1.8 * (i - GOOD));
    assert_int_equal(gp_target_transform(f, N, y, alt, &nll, &alt_nll), 1);
    assert_true(alt_nll < nll);
    double spread[2];
    for (int k = 0; k < 2; k++) {
        const double *t = k ? alt : y;
        double lo = INFINITY, hi = -INFINITY, good_lo = INFINITY;
        for (int i = 0; i < N; i++) {
            lo = fmin(lo, t[i]);
            hi = fmax(hi, t[i]);
            if (i < GOOD)
                good_lo = fmin(good_lo, t[i]);
            for (int j = 0; j < N; j++)
                if (f[i] < f[j])
                    assert_true(t[i] < t[j]);
        }
        assert_true(fabs(lo) < 1e-12);
        spread[k] = (hi - good_lo) / (hi - lo); /* the good values' share */
    }
    assert_true(spread[1] > 2 * spread[0]); /* 3.4x here */

    for (int i = 0; i < N; i++)
        f[i] = i;
    assert_int_equal(gp_target_transform(f, N, y, alt, &nll, &alt_nll), 0);
    for (int i = 0; i + 1 < N; i++)
        assert_true(y[i] < y[i + 1]);
}

static void test_deterministic_and_improves(void **state)
{
    (void)state;
    char err[HP_ERR_LEN];
    hp_space *s = branin_space();
    const hp_function_info *f = function_find("branin");
    double results[2];
    hp_value first[2][30];
    for (int rep = 0; rep < 2; rep++) {
        hp_sampler_options opt;
        sampler_options_init(&opt);
        opt.deterministic = 1;
        hp_sampler *smp;
        assert_int_equal(sampler_new("gp", s, 5, &opt, &smp, err), 0);
        double x[60], y[30], best = INFINITY;
        for (int t = 0; t < 30; t++) {
            hp_history h = {t, x, y, 0, NULL, NULL};
            hp_value v[2];
            assert_int_equal(sampler_propose(smp, (uint64_t)t, &h, v, err), 0);
            first[rep][t] = v[0];
            space_encode(s, v, x + 2 * t);
            double p[2] = {v[0].value, v[1].value};
            y[t] = function_eval(f, p, 2);
            best = fmin(best, y[t]);
        }
        results[rep] = best;
        sampler_free(smp);
    }
    for (int t = 0; t < 30; t++)
        assert_true(first[0][t].value == first[1][t].value);
    assert_true(results[0] == results[1]);
    /* 30 evaluations of gp beat 30 of random search, and come close */
    hp_sampler *rnd;
    assert_int_equal(sampler_new("random", s, 5, NULL, &rnd, err), 0);
    double rbest = INFINITY;
    for (int t = 0; t < 30; t++) {
        hp_value v[2];
        assert_int_equal(sampler_propose(rnd, (uint64_t)t, NULL, v, err), 0);
        double p[2] = {v[0].value, v[1].value};
        rbest = fmin(rbest, function_eval(f, p, 2));
    }
    sampler_free(rnd);
    if (!(results[0] < rbest && results[0] - f->minimum < 0.2))
        print_error("gp %.6g, random %.6g\n", results[0] - f->minimum, rbest - f->minimum);
    assert_true(results[0] < rbest);
    assert_true(results[0] - f->minimum < 0.2);
    space_free(s);
}

/* Configurations evaluated twice decide the noise: the same value each
** time (coordinates a few ulps apart, inactive ones NaN in both) says
** none, one disagreement says noisy, and failed or single evaluations say
** nothing.  The repeat is of the best trial, unless one is running. */
static void test_repeat_verdict_and_row(void **state)
{
    (void)state;
    double x[5 * 2] = {0.1, 0.2, 0.7, NAN, 0.3, 0.9, 0.1 + 1e-15, 0.2, 0.7, NAN};
    double y[5] = {4, 2, 3, 4, 2};
    hp_history h = {3, x, y, 0, NULL, NULL};
    assert_int_equal(gp_repeat_verdict(&h, 2), -1); /* no configuration twice */
    h.n = 5;
    assert_int_equal(gp_repeat_verdict(&h, 2), 1);
    y[4] = 2.5;
    assert_int_equal(gp_repeat_verdict(&h, 2), 0);
    y[4] = NAN; /* the repeat failed */
    assert_int_equal(gp_repeat_verdict(&h, 2), 1);
    y[3] = 4 * (1 + 1e-6);
    assert_int_equal(gp_repeat_verdict(&h, 2), 0);
    y[3] = 4;
    y[4] = 2;
    x[9] = 0.5; /* active in one, inactive in the other: another point */
    assert_int_equal(gp_repeat_verdict(&h, 2), 1);
    y[3] = NAN;
    assert_int_equal(gp_repeat_verdict(&h, 2), -1);

    h.n = 3;
    assert_int_equal(gp_repeat_row(&h, 2, 0), 1);
    assert_int_equal(gp_repeat_row(&h, 2, 1), 0);
    double running[2] = {0.7, NAN};
    h.n_running = 1;
    h.x_running = running;
    assert_int_equal(gp_repeat_row(&h, 2, 0), -1); /* being repeated */
    running[1] = 0.5;
    assert_int_equal(gp_repeat_row(&h, 2, 0), 1);
    double failed[3] = {NAN, NAN, NAN};
    h.y = failed;
    assert_int_equal(gp_repeat_row(&h, 2, 0), -1);

    /* the later of two complete evaluations of a configuration is marked,
       whichever of them sorts first; a failed one is neither */
    double xl[6 * 2] = {0.7, NAN, 0.1, 0.2, 0.7, NAN, 0.3, 0.9, 0.1 + 1e-15, 0.2, 0.3, 0.9};
    double yl[6] = {3, 4, 3, 2, 4, NAN};
    hp_history hl = {6, xl, yl, 0, NULL, NULL};
    unsigned char later[6];
    assert_int_equal(gp_repeat_later(&hl, 2, later), 0);
    const unsigned char want[6] = {0, 0, 1, 0, 1, 0};
    assert_memory_equal(later, want, 6);
    yl[1] = NAN; /* the first evaluation failed: the second is the one */
    assert_int_equal(gp_repeat_later(&hl, 2, later), 0);
    assert_int_equal(later[4], 0);
}

/* A model that the repeat found deterministic sees the repeated
** configuration once: fitted to the same points as a sampler told the
** objective is deterministic, which never saw the repeat, it saves the
** same model. */
static void test_deterministic_repeat_seen_once(void **state)
{
    (void)state;
    char err[HP_ERR_LEN];
    hp_space *s = branin_space();
    const hp_function_info *f = function_find("branin");
    enum { N = 12 };
    double x[2 * (N + 1)], y[N + 1];
    for (int i = 0; i < N; i++) {
        x[2 * i] = fmod(0.37 * i + 0.11, 1);
        x[2 * i + 1] = fmod(0.61 * i + 0.29, 1);
        double p[2] = {-5 + 15 * x[2 * i], 15 * x[2 * i + 1]};
        y[i] = function_eval(f, p, 2);
    }
    x[2 * N] = x[2 * 3]; /* trial 3 again, the same value */
    x[2 * N + 1] = x[2 * 3 + 1];
    y[N] = y[3];
    char told_text[1024], found_text[1024];
    int trials;
    for (int told = 1; told >= -1; told -= 2) {
        hp_sampler_options opt;
        sampler_options_init(&opt);
        opt.deterministic = told;
        opt.initial_trials = 5;
        hp_sampler *smp;
        assert_int_equal(sampler_new("gp", s, 9, &opt, &smp, err), 0);
        hp_history h = {told == 1 ? N : N + 1, x, y, 0, NULL, NULL};
        assert_int_equal(sampler_fit(smp, &h, err), 0);
        char *text = told == 1 ? told_text : found_text;
        assert_true(sampler_save_model(smp, text, sizeof told_text, &trials) > 0);
        sampler_free(smp);
    }
    assert_string_equal(found_text, told_text);
    space_free(s);
}

/* The log noise of SMP's fitted model, read from its saved text. */
static double saved_log_noise(const hp_sampler *smp)
{
    char text[1024];
    int trials, d, kernel;
    double log_signal, log_noise;
    assert_true(sampler_save_model(smp, text, sizeof text, &trials) > 0);
    assert_int_equal(sscanf(text, "gp2 %d %d %lf %lf", &d, &kernel, &log_signal, &log_noise),
                     4);
    return log_noise;
}

/* With nothing said about the noise, the trial after the initial design
** is the design's best again; the same value pins the model's noise at
** one of the deterministic levels (interpolation or the 1e-6 nugget),
** another value lets it learn the noise; either way nothing is repeated
** after.  Told either way, nothing is repeated at all. */
static void test_repeat_finds_out_noise(void **state)
{
    (void)state;
    char err[HP_ERR_LEN];
    hp_space *s = branin_space();
    const hp_function_info *f = function_find("branin");
    enum { INIT = 7, N = 14 };
    for (int told = -1; told <= 1; told++)
        for (int noisy = 0; noisy < 2; noisy++) {
            hp_sampler_options opt;
            sampler_options_init(&opt);
            assert_int_equal(opt.deterministic, -1);
            opt.deterministic = told;
            hp_sampler *smp;
            assert_int_equal(sampler_new("gp", s, 9, &opt, &smp, err), 0);
            double x[2 * N], y[N];
            int best = 0, repeats = 0;
            for (int t = 0; t < N; t++) {
                hp_history h = {t, x, y, 0, NULL, NULL};
                hp_value v[2];
                assert_int_equal(sampler_propose(smp, (uint64_t)t, &h, v, err), 0);
                space_encode(s, v, x + 2 * t);
                double p[2] = {v[0].value, v[1].value};
                y[t] = function_eval(f, p, 2);
                for (int i = 0; i < t; i++)
                    if (fabs(x[2 * i] - x[2 * t]) < 1e-9 && fabs(x[2 * i + 1] - x[2 * t + 1]) < 1e-9)
                        repeats++;
                if (t == INIT) {
                    assert_int_equal(repeats, told < 0);
                    if (told < 0) { /* the design's best, to the last digit */
                        assert_true(fabs(x[2 * t] - x[2 * best]) < 1e-12);
                        assert_true(fabs(x[2 * t + 1] - x[2 * best + 1]) < 1e-12);
                        if (noisy)
                            y[t] += 0.5;
                    }
                }
                if (t < INIT && y[t] < y[best])
                    best = t;
            }
            assert_int_equal(repeats, told < 0);
            double log_noise = saved_log_noise(smp);
            int pinned = fabs(log_noise + 60) < 1e-9 || fabs(log_noise + 13.815510557964274) < 1e-9;
            assert_int_equal(pinned, told == 1 || (told < 0 && !noisy));
            sampler_free(smp);
        }
    space_free(s);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as hpsearch's main does */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_posterior_by_hand),  cmocka_unit_test(test_mll_gradient),
        cmocka_unit_test(test_predict_gradient),   cmocka_unit_test(test_append_matches_refactor),
        cmocka_unit_test(test_predict_batch_matches_single),
        cmocka_unit_test(test_absent_coordinates),
        cmocka_unit_test(test_saved_model_starts_warm),
        cmocka_unit_test(test_repeat_verdict_and_row),
        cmocka_unit_test(test_repeat_finds_out_noise),
        cmocka_unit_test(test_deterministic_repeat_seen_once),
        cmocka_unit_test(test_deterministic_nugget_by_evidence),
        cmocka_unit_test(test_deterministic_kernel_by_evidence),
        cmocka_unit_test(test_target_scale_for_heavy_tails),
        cmocka_unit_test(test_degenerate),         cmocka_unit_test(test_deterministic_and_improves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
