/*
** What the gp sampler's model is fitted to: values to maximise, with their
** bad tail warped by Yeo-Johnson (lambda by maximum likelihood, as HEBO
** does) when that makes it closer to normal, as heavy-tailed losses such as
** Rosenbrock's need, standardised, and shifted so that the worst value
** is the prior mean; and the points as the model sees
** them in a conditional space.
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

/* Warps Y (n values, already scaled to unit std) in place when Yeo-Johnson
** by maximum likelihood changes it meaningfully; HEBO does the same. */
static void power_warp(double *y, int n)
{
    if (n < 8)
        return;
    yj_data dt = {y, n};
    gsl_function fn = {yj_nll, &dt};
    double a = -2, b = 4, m = 1;
    double fa = yj_nll(a, &dt), fb = yj_nll(b, &dt), fm = yj_nll(m, &dt);
    if (!(fm < fa && fm < fb)) {
        /* not bracketed: take the better end if it beats no warp at all */
        double lam = fa < fb ? a : b;
        if (fmin(fa, fb) < fm - 1)
            for (int i = 0; i < n; i++)
                y[i] = yeo_johnson(y[i], lam);
        return;
    }
    gsl_min_fminimizer *s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
    if (!s)
        return;
    if (gsl_min_fminimizer_set_with_values(s, &fn, m, fm, a, fa, b, fb) != GSL_SUCCESS) {
        gsl_min_fminimizer_free(s);
        return;
    }
    for (int it = 0; it < 60; it++) {
        if (gsl_min_fminimizer_iterate(s))
            break;
        if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(s),
                                  gsl_min_fminimizer_x_upper(s), 1e-4, 0) == GSL_SUCCESS)
            break;
    }
    double lam = gsl_min_fminimizer_x_minimum(s);
    gsl_min_fminimizer_free(s);
    if (fabs(lam - 1) > 0.05)
        for (int i = 0; i < n; i++)
            y[i] = yeo_johnson(y[i], lam);
}

/* Standardises Y in place (mean 0, std 1; a constant stays 0). */
static void standardise(double *y, int n)
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
}

void gp_target_transform(double *y, int n)
{
    /* the loss's tail is on the low side of the values to maximise */
    standardise(y, n);
    for (int i = 0; i < n; i++)
        y[i] = -y[i];
    power_warp(y, n);
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

void gp_model_row(const gp_state *g, const double *row, double *out)
{
    for (int j = 0; j < g->d; j++)
        out[j] = row[j];
    for (int k = g->d; k < g->dm; k++)
        out[k] = row[g->indicator_of[k - g->d]] < GP_ABSENT_BELOW ? 0.25 : 0.75;
}
