/*
** The BBOB noiseless functions.  Each follows its definition in RR-6829;
** the transformations T_osz, T_asy and Lambda are those of its section 0.
** Vectors are 0-indexed here, so the definitions' (i-1)/(D-1) is i/(d-1).
*/
#include "bbob.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GALLAGHER_MAX_PEAKS 101

struct hp_bbob {
    int fn, d;
    double xopt[BBOB_MAX_DIM];
    double R[BBOB_MAX_DIM * BBOB_MAX_DIM], Q[BBOB_MAX_DIM * BBOB_MAX_DIM];
    double sign[BBOB_MAX_DIM];  /* f20, f24: the random +-1 vector */
    /* f21, f22: peaks (rotated), their weights and diagonal scales */
    int peaks;
    double *peak_y;             /* peaks x d, R y_i */
    double *peak_scale;         /* peaks x d */
    double peak_w[GALLAGHER_MAX_PEAKS];
};

static const char *const names[BBOB_FUNCTIONS] = {
    "sphere", "ellipsoid", "rastrigin", "buche_rastrigin", "linear_slope",
    "attractive_sector", "step_ellipsoid", "rosenbrock", "rosenbrock_rotated",
    "ellipsoid_rotated", "discus", "bent_cigar", "sharp_ridge", "different_powers",
    "rastrigin_rotated", "weierstrass", "schaffer_f7", "schaffer_f7_ill",
    "griewank_rosenbrock", "schwefel", "gallagher101", "gallagher21", "katsuura",
    "lunacek_bi_rastrigin"};

const char *bbob_name(int function)
{
    return function >= 1 && function <= BBOB_FUNCTIONS ? names[function - 1] : "?";
}

/* ---- the instance's generator: splitmix64 ------------------------------ */

typedef struct {
    uint64_t s;
} draw_state;

static double uniform(draw_state *g)
{
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(draw_state *g)
{
    double u = uniform(g), v = uniform(g);
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* A random orthogonal matrix: Gram-Schmidt on a Gaussian one, as the
** definitions' reference code does. */
static void rotation(draw_state *g, int d, double *m)
{
    for (int i = 0; i < d * d; i++)
        m[i] = normal(g);
    for (int i = 0; i < d; i++) {
        double *row = m + i * d;
        for (int k = 0; k < i; k++) {
            const double *prev = m + k * d;
            double dot = 0;
            for (int j = 0; j < d; j++)
                dot += row[j] * prev[j];
            for (int j = 0; j < d; j++)
                row[j] -= dot * prev[j];
        }
        double norm = 0;
        for (int j = 0; j < d; j++)
            norm += row[j] * row[j];
        norm = sqrt(norm);
        for (int j = 0; j < d; j++)
            row[j] /= norm;
    }
}

/* Shuffles 0..n-1 into perm. */
static void permutation(draw_state *g, int n, int *perm)
{
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(uniform(g) * (i + 1));
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

/* ---- transformations --------------------------------------------------- */

static void mat_vec(const double *m, int d, const double *x, double *out)
{
    for (int i = 0; i < d; i++) {
        double s = 0;
        for (int j = 0; j < d; j++)
            s += m[i * d + j] * x[j];
        out[i] = s;
    }
}

static double t_osz1(double x)
{
    if (x == 0)
        return 0;
    double xh = log(fabs(x)), c1 = x > 0 ? 10 : 5.5, c2 = x > 0 ? 7.9 : 3.1;
    return (x > 0 ? 1 : -1) * exp(xh + 0.049 * (sin(c1 * xh) + sin(c2 * xh)));
}

static void t_osz(double *x, int d)
{
    for (int i = 0; i < d; i++)
        x[i] = t_osz1(x[i]);
}

static void t_asy(double *x, int d, double beta)
{
    for (int i = 0; i < d; i++)
        if (x[i] > 0)
            x[i] = pow(x[i], 1 + beta * i / (d - 1.0) * sqrt(x[i]));
}

/* Multiplies by Lambda^alpha: alpha^(i / (2 (d-1))). */
static void lambda(double *x, int d, double alpha)
{
    for (int i = 0; i < d; i++)
        x[i] *= pow(alpha, 0.5 * i / (d - 1.0));
}

static double f_pen(const double *x, int d)
{
    double s = 0;
    for (int i = 0; i < d; i++) {
        double e = fabs(x[i]) - 5;
        if (e > 0)
            s += e * e;
    }
    return s;
}

static void shifted(const hp_bbob *f, const double *x, double *z)
{
    for (int i = 0; i < f->d; i++)
        z[i] = x[i] - f->xopt[i];
}

static double rastrigin_sum(const double *z, int d)
{
    double c = 0, s = 0;
    for (int i = 0; i < d; i++) {
        c += cos(2 * M_PI * z[i]);
        s += z[i] * z[i];
    }
    return 10 * (d - c) + s;
}

static double ellipsoid_sum(const double *z, int d)
{
    double s = 0;
    for (int i = 0; i < d; i++)
        s += pow(1e6, i / (d - 1.0)) * z[i] * z[i];
    return s;
}

static double rosenbrock_sum(const double *z, int d)
{
    double s = 0;
    for (int i = 0; i + 1 < d; i++) {
        double a = z[i] * z[i] - z[i + 1], b = z[i] - 1;
        s += 100 * a * a + b * b;
    }
    return s;
}

static double rosenbrock_scale(int d)
{
    return fmax(1, sqrt(d) / 8);
}

/* ---- the functions ----------------------------------------------------- */

static double f_attractive_sector(const hp_bbob *f, double *z, double *t)
{
    int d = f->d;
    mat_vec(f->R, d, z, t);
    lambda(t, d, 10);
    mat_vec(f->Q, d, t, z);
    double s = 0;
    for (int i = 0; i < d; i++) {
        double si = z[i] * f->xopt[i] > 0 ? 100 : 1;
        s += (si * z[i]) * (si * z[i]);
    }
    return pow(t_osz1(s), 0.9);
}

static double f_step_ellipsoid(const hp_bbob *f, const double *x, double *z, double *t)
{
    int d = f->d;
    double zh[BBOB_MAX_DIM] = {0};
    mat_vec(f->R, d, z, zh);
    lambda(zh, d, 10);
    for (int i = 0; i < d; i++)
        t[i] = fabs(zh[i]) > 0.5 ? floor(0.5 + zh[i]) : floor(0.5 + 10 * zh[i]) / 10;
    mat_vec(f->Q, d, t, z);
    double s = 0;
    for (int i = 0; i < d; i++)
        s += pow(100, i / (d - 1.0)) * z[i] * z[i];
    return 0.1 * fmax(fabs(zh[0]) / 1e4, s) + f_pen(x, d);
}

static double f_weierstrass(const hp_bbob *f, const double *x, double *z, double *t)
{
    int d = f->d;
    mat_vec(f->R, d, z, t);
    t_osz(t, d);
    mat_vec(f->Q, d, t, z);
    lambda(z, d, 0.01);
    mat_vec(f->R, d, z, t);
    double f0 = 0, s = 0;
    for (int k = 0; k < 12; k++)
        f0 += pow(0.5, k) * cos(M_PI * pow(3, k));
    for (int i = 0; i < d; i++)
        for (int k = 0; k < 12; k++)
            s += pow(0.5, k) * cos(2 * M_PI * pow(3, k) * (t[i] + 0.5));
    double v = s / d - f0;
    return 10 * v * v * v + 10.0 / d * f_pen(x, d);
}

static double f_schaffer(const hp_bbob *f, const double *x, double *z, double *t,
                         double alpha)
{
    int d = f->d;
    mat_vec(f->R, d, z, t);
    t_asy(t, d, 0.5);
    mat_vec(f->Q, d, t, z);
    lambda(z, d, alpha);
    double s = 0;
    for (int i = 0; i + 1 < d; i++) {
        double si = sqrt(z[i] * z[i] + z[i + 1] * z[i + 1]);
        double sin_term = sin(50 * pow(si, 0.2));
        s += sqrt(si) + sqrt(si) * sin_term * sin_term;
    }
    s /= d - 1;
    return s * s + 10 * f_pen(x, d);
}

static double f_griewank_rosenbrock(const hp_bbob *f, const double *x, double *z)
{
    int d = f->d;
    mat_vec(f->R, d, x, z);
    double c = rosenbrock_scale(d), s = 0;
    for (int i = 0; i < d; i++)
        z[i] = c * z[i] + 0.5;
    for (int i = 0; i + 1 < d; i++) {
        double a = z[i] * z[i] - z[i + 1], b = z[i] - 1;
        double si = 100 * a * a + b * b;
        s += si / 4000 - cos(si);
    }
    return 10.0 / (d - 1) * s + 10;
}

static double f_schwefel(const hp_bbob *f, const double *x, double *z)
{
    int d = f->d;
    double xh[BBOB_MAX_DIM] = {0}, zh[BBOB_MAX_DIM] = {0}, two_xopt[BBOB_MAX_DIM] = {0};
    for (int i = 0; i < d; i++) {
        xh[i] = 2 * f->sign[i] * x[i];
        two_xopt[i] = 2 * fabs(f->xopt[i]);
    }
    zh[0] = xh[0];
    for (int i = 1; i < d; i++)
        zh[i] = xh[i] + 0.25 * (xh[i - 1] - two_xopt[i - 1]);
    for (int i = 0; i < d; i++)
        z[i] = zh[i] - two_xopt[i];
    lambda(z, d, 10);
    double s = 0, zs[BBOB_MAX_DIM] = {0};
    for (int i = 0; i < d; i++) {
        z[i] = 100 * (z[i] + two_xopt[i]);
        s += z[i] * sin(sqrt(fabs(z[i])));
        zs[i] = z[i] / 100;
    }
    return -s / (100.0 * d) + 4.189828872724339 + 100 * f_pen(zs, d);
}

static double f_gallagher(const hp_bbob *f, const double *x, double *z)
{
    int d = f->d;
    double rx[BBOB_MAX_DIM] = {0}, best = 0;
    mat_vec(f->R, d, x, rx);
    for (int p = 0; p < f->peaks; p++) {
        const double *y = f->peak_y + p * d, *c = f->peak_scale + p * d;
        double q = 0;
        for (int j = 0; j < d; j++)
            q += c[j] * (rx[j] - y[j]) * (rx[j] - y[j]);
        best = fmax(best, f->peak_w[p] * exp(-q / (2.0 * d)));
    }
    (void)z;
    double v = t_osz1(10 - best);
    return v * v + f_pen(x, d);
}

static double f_katsuura(const hp_bbob *f, const double *x, double *z, double *t)
{
    int d = f->d;
    mat_vec(f->R, d, z, t);
    lambda(t, d, 100);
    mat_vec(f->Q, d, t, z);
    double prod = 1, e = 10 / pow(d, 1.2);
    for (int i = 0; i < d; i++) {
        double s = 0;
        for (int j = 1; j <= 32; j++) {
            double p = ldexp(1, j) * z[i];
            s += fabs(p - nearbyint(p)) / ldexp(1, j);
        }
        prod *= pow(1 + (i + 1) * s, e);
    }
    return 10.0 / (d * d) * prod - 10.0 / (d * d) + f_pen(x, d);
}

static double f_lunacek(const hp_bbob *f, const double *x, double *z, double *t)
{
    int d = f->d;
    const double mu0 = 2.5, dd = 1;
    double s = 1 - 1 / (2 * sqrt(d + 20.0) - 8.2), mu1 = -sqrt((mu0 * mu0 - dd) / s);
    double xh[BBOB_MAX_DIM] = {0}, a = 0, b = 0;
    for (int i = 0; i < d; i++) {
        xh[i] = 2 * f->sign[i] * x[i];
        a += (xh[i] - mu0) * (xh[i] - mu0);
        b += (xh[i] - mu1) * (xh[i] - mu1);
        z[i] = xh[i] - mu0;
    }
    mat_vec(f->R, d, z, t);
    lambda(t, d, 100);
    mat_vec(f->Q, d, t, z);
    double c = 0;
    for (int i = 0; i < d; i++)
        c += cos(2 * M_PI * z[i]);
    return fmin(a, dd * d + s * b) + 10 * (d - c) + 1e4 * f_pen(x, d);
}

double bbob_eval(const hp_bbob *f, const double *x)
{
    int d = f->d;
    double z[BBOB_MAX_DIM] = {0}, t[BBOB_MAX_DIM] = {0};
    shifted(f, x, z);
    switch (f->fn) {
    case 1: {
        double s = 0;
        for (int i = 0; i < d; i++)
            s += z[i] * z[i];
        return s;
    }
    case 2:
        t_osz(z, d);
        return ellipsoid_sum(z, d);
    case 3:
        t_osz(z, d);
        t_asy(z, d, 0.2);
        lambda(z, d, 10);
        return rastrigin_sum(z, d);
    case 4:
        t_osz(z, d);
        for (int i = 0; i < d; i++) {
            double si = pow(10, 0.5 * i / (d - 1.0));
            z[i] *= (i % 2 == 0 && z[i] > 0) ? 10 * si : si;
        }
        return rastrigin_sum(z, d) + 100 * f_pen(x, d);
    case 5: {
        double s = 0;
        for (int i = 0; i < d; i++) {
            double si = (f->xopt[i] > 0 ? 1 : -1) * pow(10, i / (d - 1.0));
            double zi = f->xopt[i] * x[i] < 25 ? x[i] : f->xopt[i];
            s += 5 * fabs(si) - si * zi;
        }
        return s;
    }
    case 6:
        return f_attractive_sector(f, z, t);
    case 7:
        return f_step_ellipsoid(f, x, z, t);
    case 8: {
        double c = rosenbrock_scale(d);
        for (int i = 0; i < d; i++)
            z[i] = c * z[i] + 1;
        return rosenbrock_sum(z, d);
    }
    case 9: {
        double c = rosenbrock_scale(d);
        mat_vec(f->R, d, x, z);
        for (int i = 0; i < d; i++)
            z[i] = c * z[i] + 0.5;
        return rosenbrock_sum(z, d);
    }
    case 10:
        mat_vec(f->R, d, z, t);
        t_osz(t, d);
        return ellipsoid_sum(t, d);
    case 11: {
        mat_vec(f->R, d, z, t);
        t_osz(t, d);
        double s = 1e6 * t[0] * t[0];
        for (int i = 1; i < d; i++)
            s += t[i] * t[i];
        return s;
    }
    case 12: {
        mat_vec(f->R, d, z, t);
        t_asy(t, d, 0.5);
        mat_vec(f->R, d, t, z);
        double s = 0;
        for (int i = 1; i < d; i++)
            s += z[i] * z[i];
        return z[0] * z[0] + 1e6 * s;
    }
    case 13: {
        mat_vec(f->R, d, z, t);
        lambda(t, d, 10);
        mat_vec(f->Q, d, t, z);
        double s = 0;
        for (int i = 1; i < d; i++)
            s += z[i] * z[i];
        return z[0] * z[0] + 100 * sqrt(s);
    }
    case 14: {
        mat_vec(f->R, d, z, t);
        double s = 0;
        for (int i = 0; i < d; i++)
            s += pow(fabs(t[i]), 2 + 4.0 * i / (d - 1));
        return sqrt(s);
    }
    case 15:
        mat_vec(f->R, d, z, t);
        t_osz(t, d);
        t_asy(t, d, 0.2);
        mat_vec(f->Q, d, t, z);
        lambda(z, d, 10);
        mat_vec(f->R, d, z, t);
        return rastrigin_sum(t, d);
    case 16:
        return f_weierstrass(f, x, z, t);
    case 17:
        return f_schaffer(f, x, z, t, 10);
    case 18:
        return f_schaffer(f, x, z, t, 1000);
    case 19:
        return f_griewank_rosenbrock(f, x, z);
    case 20:
        return f_schwefel(f, x, z);
    case 21:
    case 22:
        return f_gallagher(f, x, z);
    case 23:
        return f_katsuura(f, x, z, t);
    default:
        return f_lunacek(f, x, z, t);
    }
}

/* ---- instances --------------------------------------------------------- */

static void random_xopt(draw_state *g, int d, double *xopt)
{
    for (int i = 0; i < d; i++) {
        xopt[i] = 8 * floor(1e4 * uniform(g)) / 1e4 - 4;
        if (xopt[i] == 0)
            xopt[i] = -1e-5;
    }
}

static int make_gallagher(hp_bbob *f, draw_state *g)
{
    int d = f->d, n = f->fn == 21 ? 101 : 21;
    double first_condition = f->fn == 21 ? 1e3 : 1e6, extent = f->fn == 21 ? 5 : 4.9;
    f->peaks = n;
    f->peak_y = malloc(sizeof(double) * (size_t)(n * d));
    f->peak_scale = malloc(sizeof(double) * (size_t)(n * d));
    if (!f->peak_y || !f->peak_scale)
        return -1;
    int order[GALLAGHER_MAX_PEAKS], dims[BBOB_MAX_DIM];
    permutation(g, n - 1, order);
    double y[BBOB_MAX_DIM] = {0};
    for (int p = 0; p < n; p++) {
        /* alpha_1 is the first condition; the others are 1000^(2j/(n-2))
        ** drawn without replacement */
        double alpha = p == 0 ? first_condition : pow(1e3, 2.0 * order[p - 1] / (n - 2));
        f->peak_w[p] = p == 0 ? 10 : 1.1 + 8.0 * (p - 1) / (n - 2);
        permutation(g, d, dims);
        for (int j = 0; j < d; j++)
            f->peak_scale[p * d + j] = pow(alpha, 0.5 * dims[j] / (d - 1.0)) / pow(alpha, 0.25);
        for (int j = 0; j < d; j++)
            y[j] = (2 * uniform(g) - 1) * extent * (p == 0 ? 0.8 : 1);
        if (p == 0)
            memcpy(f->xopt, y, sizeof(double) * (size_t)d);
        mat_vec(f->R, d, y, f->peak_y + p * d);
    }
    return 0;
}

hp_bbob *bbob_new(int function, int dim, int instance)
{
    if (function < 1 || function > BBOB_FUNCTIONS || dim < 2 || dim > BBOB_MAX_DIM ||
        instance < 1)
        return NULL;
    hp_bbob *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->fn = function;
    f->d = dim;
    draw_state g = {((uint64_t)function << 40) ^ ((uint64_t)dim << 32) ^ (uint64_t)instance};
    random_xopt(&g, dim, f->xopt);
    rotation(&g, dim, f->R);
    rotation(&g, dim, f->Q);
    for (int i = 0; i < dim; i++)
        f->sign[i] = uniform(&g) < 0.5 ? -1 : 1;
    switch (function) {
    case 4: /* the definition's odd coordinates (1-based) are positive */
        for (int i = 0; i < dim; i += 2)
            f->xopt[i] = fabs(f->xopt[i]);
        break;
    case 5:
        for (int i = 0; i < dim; i++)
            f->xopt[i] = f->xopt[i] >= 0 ? 5 : -5;
        break;
    case 8:
        for (int i = 0; i < dim; i++)
            f->xopt[i] *= 0.75;
        break;
    case 9:
    case 19: /* z = c R x + 1/2 is 1 at x = R^T (1 / (2c)) */
        for (int i = 0; i < dim; i++) {
            double s = 0;
            for (int j = 0; j < dim; j++)
                s += f->R[j * dim + i];
            f->xopt[i] = s / (2 * rosenbrock_scale(dim));
        }
        break;
    case 20:
        for (int i = 0; i < dim; i++)
            f->xopt[i] = 4.2096874633 / 2 * f->sign[i];
        break;
    case 21:
    case 22:
        if (make_gallagher(f, &g)) {
            bbob_free(f);
            return NULL;
        }
        break;
    case 24:
        for (int i = 0; i < dim; i++)
            f->xopt[i] = 2.5 / 2 * f->sign[i];
        break;
    default:
        break;
    }
    return f;
}

void bbob_free(hp_bbob *f)
{
    if (!f)
        return;
    free(f->peak_y);
    free(f->peak_scale);
    free(f);
}

const double *bbob_xopt(const hp_bbob *f)
{
    return f->xopt;
}
