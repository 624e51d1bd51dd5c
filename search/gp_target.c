/*
** What the gp sampler's model is fitted to: values to maximise, with their
** bad tail warped by Yeo-Johnson (lambda by maximum likelihood, as HEBO
** does) when that makes it closer to normal, as heavy-tailed losses such as
** Rosenbrock's need, standardised, and shifted so that the worst value
** is the prior mean; and the points as the model sees them in a
** conditional space.  The loss is scaled by its sd before the warp, or by
** its interquartile range when that fits its distribution better: the
** sampler then keeps whichever target the GP's evidence prefers.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>

#include "sampler_gp_impl.h"

static double yeo_johnson(double y, double lambda)
{
    if (y >= 0)
        return fabs(lambda) < 1e-8 ? log1p(y) : (pow(y + 1, lambda) - 1) / lambda;
    return fabs(lambda - 2) < 1e-8 ? -log1p(-y) : -(pow(1 - y, 2 - lambda) - 1) / (2 - lambda);
}

typedef struct {
    const double *y;
    int n;
} yj_data;

/* Negative profile log-likelihood of Yeo-Johnson's lambda (sklearn's). */
static double yj_nll(double lambda, void *p)
{
    const yj_data *dt = p;
    double mean = 0, var = 0, jac = 0;
    for (int i = 0; i < dt->n; i++)
        mean += yeo_johnson(dt->y[i], lambda);
    mean /= dt->n;
    for (int i = 0; i < dt->n; i++) {
        double t = yeo_johnson(dt->y[i], lambda) - mean;
        var += t * t;
        jac += (dt->y[i] >= 0 ? 1 : -1) * log1p(fabs(dt->y[i]));
    }
    var /= dt->n;
    if (!(var > 1e-300))
        return 1e300;
    return 0.5 * dt->n * log(var) - (lambda - 1) * jac;
}

/* Warps Y (n values, already scaled) in place when Yeo-Johnson by maximum
** likelihood changes it meaningfully; HEBO does the same.  Returns the
** negative log-likelihood of the values as they came in, under the chosen
** warp (none: lambda = 1). */
static double power_warp(double *y, int n)
{
    yj_data dt = {y, n};
    double fm = yj_nll(1, &dt);
    if (n < 8)
        return fm;
    gsl_function fn = {yj_nll, &dt};
    double a = -2, b = 4, m = 1;
    double fa = yj_nll(a, &dt), fb = yj_nll(b, &dt);
    double lam = m, f = fm;
    if (!(fm < fa && fm < fb)) {
        /* not bracketed: take the better end if it beats no warp at all */
        if (fmin(fa, fb) < fm - 1) {
            lam = fa < fb ? a : b;
            f = fmin(fa, fb);
        }
    } else {
        gsl_min_fminimizer *s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
        if (!s)
            return fm;
        if (gsl_min_fminimizer_set_with_values(s, &fn, m, fm, a, fa, b, fb) != GSL_SUCCESS) {
            gsl_min_fminimizer_free(s);
            return fm;
        }
        for (int it = 0; it < 60; it++) {
            if (gsl_min_fminimizer_iterate(s))
                break;
            if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(s),
                                      gsl_min_fminimizer_x_upper(s), 1e-4, 0) == GSL_SUCCESS)
                break;
        }
        double found = gsl_min_fminimizer_x_minimum(s);
        gsl_min_fminimizer_free(s);
        if (fabs(found - 1) > 0.05) {
            lam = found;
            f = yj_nll(lam, &dt);
        }
    }
    if (lam != 1)
        for (int i = 0; i < n; i++)
            y[i] = yeo_johnson(y[i], lam);
    return f;
}

/* Standardises Y in place (mean 0, std 1; a constant stays 0); returns the
** scale divided by. */
static double standardise(double *y, int n)
{
    double mean = 0, var = 0;
    for (int i = 0; i < n; i++)
        mean += y[i];
    mean /= n;
    for (int i = 0; i < n; i++)
        var += (y[i] - mean) * (y[i] - mean);
    double sd = sqrt(var / n);
    if (!(sd > 1e-12))
        sd = 1;
    for (int i = 0; i < n; i++)
        y[i] = (y[i] - mean) / sd;
    return sd;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, z = *(const double *)b;
    return (x > z) - (x < z);
}

/* Centres Y on its median and scales it by its interquartile range (as a
** normal's sd); returns the scale, or 0 (Y untouched) when half the values
** tie or memory is short. */
static double robust_standardise(double *y, int n)
{
    double *sorted = malloc(sizeof *sorted * (size_t)n);
    if (!sorted)
        return 0;
    memcpy(sorted, y, sizeof *sorted * (size_t)n);
    qsort(sorted, (size_t)n, sizeof *sorted, compare_doubles);
    double median = sorted[n / 2], scale = (sorted[(3 * n) / 4] - sorted[n / 4]) / 1.349;
    free(sorted);
    if (!(scale > 1e-12))
        return 0;
    for (int i = 0; i < n; i++)
        y[i] = (y[i] - median) / scale;
    return scale;
}

/* The loss (-Y) scaled by SCALE_KIND (0: sd, 1: interquartile range) and
** warped, into OUT; returns the negative log-likelihood of Y under that
** transform (the scale's Jacobian included), or INFINITY. */
static double scaled_warp(const double *y, int n, int scale_kind, double *out)
{
    for (int i = 0; i < n; i++)
        out[i] = -y[i];
    double scale = scale_kind ? robust_standardise(out, n) : standardise(out, n);
    if (!(scale > 0))
        return INFINITY;
    return power_warp(out, n) + n * log(scale);
}

/* Negates the warped loss back into values to maximise, standardises them
** and shifts them so that the worst is 0. */
static void finish_target(double *y, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = -y[i];
    standardise(y, n);
    /* The GP's prior mean (0) becomes the worst value seen: far from the
    ** data the model then expects nothing better, and the acquisition
    ** stops spending trials on the cube's corners, where a zero mean at the
    ** data's average and a large variance looked promising (README, "Prior
    ** mean"). */
    double worst = INFINITY;
    for (int i = 0; i < n; i++)
        worst = fmin(worst, y[i]);
    for (int i = 0; i < n && isfinite(worst); i++)
        y[i] -= worst;
}

int gp_target_transform(const double *f, int n, double *y, double *alt, double *nll,
                        double *alt_nll)
{
    /* Scaled by its sd, a loss whose tail spans decades (BBOB's
    ** attractive sector: 1 to 1e5) has its good half crushed into a
    ** sliver that no warp resolves; scaled by its interquartile range it
    ** keeps it.  The scale the values' own likelihood prefers is offered
    ** (README, "Output warp"). */
    *alt_nll = scaled_warp(f, n, 1, alt);
    *nll = scaled_warp(f, n, 0, y);
    finish_target(y, n);
    /* unwarped, both are the same normal up to rounding: no offer */
    if (!(*alt_nll < *nll - 1e-6))
        return 0;
    finish_target(alt, n);
    return 1;
}

void gp_model_row(const gp_state *g, const double *row, double *out)
{
    for (int j = 0; j < g->d; j++)
        out[j] = row[j];
    for (int k = g->d; k < g->dm; k++)
        out[k] = row[g->indicator_of[k - g->d]] < GP_ABSENT_BELOW ? 0.25 : 0.75;
}
