/*
** Maximising the gp sampler's acquisition: a Sobol sweep of candidates
** shifted by the trial's seed, scored in one batched prediction; a
** projected BFGS ascent (starting from the length-scales' metric) from the
** best candidates, the incumbent and perturbations of it and of the
** runner-up, all starts in lockstep; then moves between the values of
** discrete parameters.
**
** In a conditional space a search point keeps a coordinate in the cube for
** every parameter, active or not, and the model sees it with the inactive
** ones absent and an indicator per condition (model_point): the ascent can
** move them at no cost, and a move that activates a parameter (another
** optimizer) finds a value there.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_erf.h>

#include "sampler_gp_impl.h"
#include "seed.h"

#define ASCENT_STEPS 60
/* A start stops climbing when a step gains less than this (log EI units:
** a relative EI gain of 1e-6), measured to cost nothing in regret */
#define ASCENT_TOL 1e-6
#define LOG_SQRT_2PI 0.91893853320467274178

static double log1mexp(double w) /* log(1 - e^w), w < 0 */
{
    return w > -M_LN2 ? log(-expm1(w)) : log1p(-exp(w));
}

/* log(phi(z) + z Phi(z)), stable far below the incumbent (Ament et al.
** 2023); GSL's hazard H(x) = phi(x)/Q(x) gives Phi(z)/phi(z) = 1/H(-z). */
static double log_h(double z)
{
    if (z > -1)
        return log(gsl_ran_ugaussian_pdf(z) + z * gsl_cdf_ugaussian_P(z));
    if (z > -1e6) {
        double w = log(-z) - log(gsl_sf_hazard(-z));
        return -0.5 * z * z - LOG_SQRT_2PI + log1mexp(w);
    }
    return -0.5 * z * z - LOG_SQRT_2PI - 2 * log(-z);
}

static double log_Phi(double z)
{
    return z > -5 ? log(gsl_cdf_ugaussian_P(z)) : gsl_sf_log_erfc(-z / M_SQRT2) - M_LN2;
}

/* The acquisition at X (to maximise), and its gradient in x if GRAD. */
/* The acquisition at a point with posterior MU, VAR; with CM and CS
** non-NULL, its derivatives in mu and in sigma. */
static double acquisition_of(const gp_state *g, double mu, double var, double *cm, double *cs)
{
    double sigma = sqrt(var + 1e-12);
    double z = (mu - g->best) / sigma;
    double a, dm, ds;
    switch (g->acq) {
    case ACQ_UCB:
        a = mu + sqrt(g->ucb_beta) * sigma;
        dm = 1;
        ds = sqrt(g->ucb_beta);
        break;
    case ACQ_PI: {
        double lp = log_Phi(z);
        a = lp;
        double r = exp(-0.5 * z * z - LOG_SQRT_2PI - lp); /* phi/Phi */
        dm = r / sigma;
        ds = -r * z / sigma;
        break;
    }
    default: { /* logei, and ei optimised through its log */
        double lh = log_h(z);
        a = lh + log(sigma);
        if (!cm)
            return a;
        double phi_h = exp(-0.5 * z * z - LOG_SQRT_2PI - lh);
        double Phi_h = exp(log_Phi(z) - lh);
        dm = Phi_h / sigma;
        ds = phi_h / sigma;
        break;
    }
    }
    if (cm) {
        *cm = dm;
        *cs = ds;
    }
    return a;
}

/* The model's view of search point U (dm wide): the coordinates of the
** parameters inactive at U absent (gp.h), marked in OFF (d, may be NULL),
** then the conditions' indicators (gp_model_row). */
static void model_point(gp_state *g, const double *u, double *xm, unsigned char *off)
{
    double row[GP_MAX_DIM];
    memcpy(row, u, sizeof(double) * (size_t)g->d);
    if (off)
        memset(off, 0, (size_t)g->d);
    if (g->conditional) {
        space_decode(g->space, u, g->values);
        for (int j = 0; j < g->d; j++)
            if (!space_value_active(g->values[g->param[j]])) {
                row[j] = GP_INACTIVE_COORD;
                if (off)
                    off[j] = 1;
            }
    }
    gp_model_row(g, row, xm);
}

static double acquisition(gp_state *g, const double *u, double *grad)
{
    double mu, var, dmu[GP_MAX_DIM], dvar[GP_MAX_DIM], cm, cs, x[GP_MAX_DIM];
    unsigned char off[GP_MAX_DIM];
    model_point(g, u, x, off);
    gp_predict(g->gp, x, &mu, &var, grad ? dmu : NULL, grad ? dvar : NULL);
    double a = acquisition_of(g, mu, var, grad ? &cm : NULL, grad ? &cs : NULL);
    if (grad) {
        double sigma = sqrt(var + 1e-12);
        for (int j = 0; j < g->d; j++)
            grad[j] = off[j] ? 0 : cm * dmu[j] + cs * dvar[j] / (2 * sigma);
    }
    return a;
}

/* ---- helpers ------------------------------------------------------------- */

/* Moves U to the centres of the cells its discrete values fall in. */
static void snap(gp_state *g, double *u)
{
    double cell[GP_MAX_DIM];
    space_decode(g->space, u, g->values);
    space_encode(g->space, g->values, cell);
    for (int j = 0; j < g->d; j++)
        if (!isnan(cell[j])) /* an inactive one keeps its coordinate */
            u[j] = cell[j];
}

static int same_point(const double *a, const double *b, int d)
{
    for (int j = 0; j < d; j++)
        if (fabs(a[j] - b[j]) > 1e-12)
            return 0;
    return 1;
}

/* The finished trial with the best value other than trial SKIP (-1: none
** skipped), or -1 when no other trial has a value. */
static int best_trial(const gp_state *g, const hp_history *h, int skip)
{
    int best = -1;
    for (int i = 0; i < h->n; i++)
        if (i != skip && isfinite(h->y[i]) &&
            (best < 0 || (g->maximize ? h->y[i] > h->y[best] : h->y[i] < h->y[best])))
            best = i;
    return best;
}

static int is_known(gp_state *g, const hp_history *h, const double *u)
{
    int d = g->d;
    double x[GP_MAX_DIM];
    model_point(g, u, x, NULL);
    for (int i = 0; i < h->n; i++)
        if (same_point(h->x + i * d, x, d))
            return 1;
    for (int i = 0; i < h->n_running; i++)
        if (same_point(h->x_running + i * d, x, d))
            return 1;
    return 0;
}

/* The acquisition (and with GRAD, m x d, its gradient) at M points X.
** Returns 0, or -1 when out of memory. */
static int acquisition_batch(gp_state *g, int m, const double *u, double *a, double *grad)
{
    double mu[MAX_STARTS], var[MAX_STARTS], dmu[MAX_STARTS * GP_MAX_DIM],
        dvar[MAX_STARTS * GP_MAX_DIM], x[MAX_STARTS * GP_MAX_DIM] = {0};
    unsigned char off[MAX_STARTS * GP_MAX_DIM];
    for (int c = 0; c < m; c++)
        model_point(g, u + c * g->d, x + c * g->dm, off + c * g->d);
    if (gp_predict_batch(g->gp, m, x, mu, var, grad ? dmu : NULL, grad ? dvar : NULL))
        return -1;
    for (int c = 0; c < m; c++) {
        double cm, cs;
        a[c] = acquisition_of(g, mu[c], var[c], grad ? &cm : NULL, grad ? &cs : NULL);
        if (grad) {
            double sigma = sqrt(var[c] + 1e-12);
            for (int j = 0; j < g->d; j++)
                grad[c * g->d + j] = off[c * g->d + j] ? 0
                                     : cm * dmu[c * g->dm + j] +
                                           cs * dvar[c * g->dm + j] / (2 * sigma);
        }
    }
    return 0;
}

/* H <- (I - r s y') H (I - r y s') + r s s', r = 1 / y's: the BFGS update
** of an inverse Hessian H (d x d) with step S and gradient change Y.  Skipped
** when the curvature y's is not positive (the model is not convex there). */
static void bfgs_update(double *H, const double *s, const double *y, int d)
{
    double ys = 0, ss = 0, yy = 0;
    for (int j = 0; j < d; j++) {
        ys += y[j] * s[j];
        ss += s[j] * s[j];
        yy += y[j] * y[j];
    }
    if (!(ys > 1e-10 * sqrt(ss * yy)))
        return;
    double Hy[GP_MAX_DIM], yHy = 0;
    for (int i = 0; i < d; i++) {
        Hy[i] = 0;
        for (int j = 0; j < d; j++)
            Hy[i] += H[i * d + j] * y[j];
        yHy += y[i] * Hy[i];
    }
    /* expanded: H - r (Hy s' + s y'H) + (r^2 y'Hy + r) s s' */
    double r = 1 / ys, c = r * r * yHy + r;
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++)
            H[i * d + j] += -r * (Hy[i] * s[j] + s[i] * Hy[j]) + c * s[i] * s[j];
}

/* Ascent direction P = H G on the continuous dims, with the moves out of
** the cube through a face U lies on removed; returns the slope G'P. */
static double ascent_direction(const double *H, const double *u, const double *gr, int d,
                               double *p)
{
    double slope = 0;
    for (int i = 0; i < d; i++) {
        p[i] = 0;
        for (int j = 0; j < d; j++)
            p[i] += H[i * d + j] * gr[j];
        if ((u[i] <= 0 && p[i] < 0) || (u[i] >= 1 && p[i] > 0))
            p[i] = 0;
        slope += gr[i] * p[i];
    }
    return slope;
}

/* HS (d x d) <- diag(PRE): the squared length-scales of the continuous
** dims, zero for the others, which then never move. */
static void reset_inverse_hessian(double *Hs, const double *pre, int d)
{
    memset(Hs, 0, sizeof(double) * (size_t)d * (size_t)d);
    for (int j = 0; j < d; j++)
        Hs[j * d + j] = pre[j];
}

/* Projected quasi-Newton (BFGS) ascent on the continuous dims from NS starts
** U (values A).  The inverse Hessian starts as the squared length-scales, so
** the first step is the preconditioned gradient's; backtracking line
** searches from a unit step.  The starts climb in lockstep so that each
** round's predictions share one triangular solve; each start's path is the
** one it would take alone.  Returns 0 or -1. */
static int ascend(gp_state *g, int ns, double (*u)[GP_MAX_DIM], double *a)
{
    hp_gp_hyper hy;
    gp_get_hyper(g->gp, &hy);
    int d = g->d, any_cont = 0;
    double pre[GP_MAX_DIM];
    for (int j = 0; j < d; j++) {
        pre[j] = (g->n_cat[j] || g->discrete[j]) ? 0 : exp(2 * hy.log_ls[j]);
        any_cont |= pre[j] > 0;
    }
    if (!any_cont)
        return 0;
    double *H = malloc(sizeof(double) * (size_t)ns * (size_t)d * (size_t)d);
    if (!H)
        return -1;
    int rc = 0;
    double step[MAX_STARTS], slope[MAX_STARTS], grad[MAX_STARTS * GP_MAX_DIM],
        x[MAX_STARTS * GP_MAX_DIM], at[MAX_STARTS], dir[MAX_STARTS][GP_MAX_DIM],
        prev_u[MAX_STARTS][GP_MAX_DIM], prev_g[MAX_STARTS][GP_MAX_DIM];
    int active[MAX_STARTS], searching[MAX_STARTS], idx[MAX_STARTS], moved[MAX_STARTS];
    for (int s = 0; s < ns; s++) {
        reset_inverse_hessian(H + (size_t)s * (size_t)d * (size_t)d, pre, d);
        active[s] = 1;
        moved[s] = 0;
    }
    for (int it = 0; it < ASCENT_STEPS; it++) {
        int m = 0;
        for (int s = 0; s < ns; s++)
            if (active[s]) {
                memcpy(x + m * d, u[s], sizeof(double) * (size_t)d);
                idx[m++] = s;
            }
        if (m == 0)
            break;
        if (acquisition_batch(g, m, x, at, grad)) {
            rc = -1;
            break;
        }
        for (int k = 0; k < m; k++) {
            int s = idx[k];
            double *Hs = H + (size_t)s * (size_t)d * (size_t)d, gr[GP_MAX_DIM];
            for (int j = 0; j < d; j++)
                gr[j] = pre[j] > 0 ? grad[k * d + j] : 0;
            if (moved[s]) {
                /* minimising -a: the step, and the change of -a's gradient */
                double sv[GP_MAX_DIM], yv[GP_MAX_DIM];
                for (int j = 0; j < d; j++) {
                    sv[j] = u[s][j] - prev_u[s][j];
                    yv[j] = prev_g[s][j] - gr[j];
                }
                bfgs_update(Hs, sv, yv, d);
            }
            slope[s] = ascent_direction(Hs, u[s], gr, d, dir[s]);
            if (!(slope[s] > 1e-14) && moved[s]) {
                /* the curvature model has gone wrong: start it again */
                reset_inverse_hessian(Hs, pre, d);
                slope[s] = ascent_direction(Hs, u[s], gr, d, dir[s]);
            }
            searching[s] = slope[s] > 1e-14;
            if (!searching[s])
                active[s] = 0;
            step[s] = 1;
            memcpy(prev_g[s], gr, sizeof(double) * (size_t)d);
        }
        /* backtracking line searches, all pending ones in one batch */
        for (;;) {
            int q = 0, who[MAX_STARTS];
            for (int s = 0; s < ns; s++)
                if (searching[s]) {
                    for (int j = 0; j < d; j++)
                        x[q * d + j] = fmin(fmax(u[s][j] + step[s] * dir[s][j], 0), 1);
                    who[q++] = s;
                }
            if (q == 0)
                break;
            if (acquisition_batch(g, q, x, at, NULL)) {
                rc = -1;
                break;
            }
            for (int k = 0; k < q; k++) {
                int s = who[k];
                if (at[k] > a[s] + 1e-4 * step[s] * slope[s] || (at[k] > a[s] && step[s] < 1e-3)) {
                    memcpy(prev_u[s], u[s], sizeof(double) * (size_t)d);
                    memcpy(u[s], x + k * d, sizeof(double) * (size_t)d);
                    moved[s] = 1;
                    /* converged: the gain no longer matters to any choice */
                    if (at[k] - a[s] < ASCENT_TOL)
                        active[s] = 0;
                    a[s] = at[k];
                    searching[s] = 0;
                } else if ((step[s] *= 0.5) <= 1e-7) {
                    searching[s] = 0;
                    active[s] = 0;
                }
            }
        }
        if (rc)
            break;
    }
    free(H);
    return rc;
}

/* After the ascent: snaps U to its discrete cells, then moves between
** neighbouring values of the discrete and categorical dims while they
** improve.  Returns U's acquisition. */
static double refine_discrete(gp_state *g, double *u)
{
    double trial[GP_MAX_DIM];
    int d = g->d;
    double a;
    snap(g, u);
    a = acquisition(g, u, NULL);
    for (int round = 0; round < 3; round++) {
        int improved = 0;
        for (int j = 0; j < d; j++) {
            double xm[GP_MAX_DIM];
            unsigned char off[GP_MAX_DIM];
            model_point(g, u, xm, off);
            if ((!g->n_cat[j] && !g->discrete[j]) || off[j])
                continue; /* continuous, or inactive at U */
            int nv = g->n_cat[j] ? g->n_cat[j] : 2;
            for (int k = 0; k < nv; k++) {
                memcpy(trial, u, sizeof(double) * (size_t)d);
                if (g->n_cat[j]) {
                    trial[j] = (k + 0.5) / g->n_cat[j];
                } else {
                    /* the neighbouring value, moved in value space */
                    const hp_param *p = space_param(g->space, g->param[j]);
                    space_decode(g->space, trial, g->values);
                    double v = g->values[g->param[j]].value + (k == 0 ? -p->step : p->step);
                    if (v < p->lo - 1e-9 || v > p->hi + 1e-9)
                        continue;
                    g->values[g->param[j]].value = v;
                    space_encode(g->space, g->values, trial);
                }
                snap(g, trial);
                double at = acquisition(g, trial, NULL);
                if (at > a + 1e-12) {
                    memcpy(u, trial, sizeof(double) * (size_t)d);
                    a = at;
                    improved = 1;
                }
            }
        }
        if (!improved)
            break;
    }
    return a;
}

int gp_maximise_acquisition(gp_state *g, const hp_history *h, uint64_t number, int n,
                            double *best_u, char *err)
{
    int d = g->d;
    /* candidates: a Sobol sweep shifted by this trial's seed */
    uint64_t s = seed_for_trial(g->seed, SEED_STREAM_SAMPLER, number);
    uint64_t draw = 0; /* the next draw of the trial's stream (seed.h) */
    double shift[GP_MAX_DIM];
    for (int j = 0; j < d; j++)
        shift[j] = seed_unit(s, draw++);
    /* the sweep only seeds the ascent: past a few hundred trials fewer
       candidates keep its cost (m n^2) growing as n, not n^2 (half as many
       past 250 trials, a quarter at 1000, an eighth from 2000); budgets of
       the benchmarks (<= 200 trials) never get here */
    int m = n <= 250 ? N_CANDIDATES : N_CANDIDATES / 2;
    if (n > 500)
        m = (int)fmax(N_CANDIDATES / 8, (double)(N_CANDIDATES / 2) * 500 / n);
    gsl_qrng_init(g->qrng);
    for (int c = 0; c < m; c++) {
        double *u = g->cand + c * d;
        gsl_qrng_get(g->qrng, u);
        for (int j = 0; j < d; j++)
            u[j] = fmod(u[j] + shift[j], 1.0);
        snap(g, u);
    }
    /* the model sees the candidates as model_point makes them */
    const double *seen = g->cand;
    if (g->conditional) {
        for (int c = 0; c < m; c++)
            model_point(g, g->cand + c * d, g->cand_model + c * g->dm, NULL);
        seen = g->cand_model;
    }
    if (gp_predict_batch(g->gp, m, seen, g->cand_mu, g->cand_var, NULL, NULL)) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    int best_c = -1;
    for (int c = 0; c < m; c++) {
        g->cand_acq[c] = acquisition_of(g, g->cand_mu[c], g->cand_var[c], NULL, NULL);
        if (best_c < 0 || g->cand_acq[c] > g->cand_acq[best_c])
            best_c = c;
    }
    /* starts: the best candidates, the incumbent, and perturbations of it
       and of the runner-up */
    double starts[MAX_STARTS][GP_MAX_DIM];
    int n_starts = 0;
    int picked[N_STARTS];
    /* past 500 trials each start's climb costs more than the whole sweep at
       50: fewer starts (3 from the sweep, 2 perturbations) halve its cost */
    int from_sweep = n > 500 ? 3 : N_STARTS - 1, perturbations = n > 500 ? 2 : 4;
    for (int k = 0; k < from_sweep && k < m; k++) {
        int bi = -1;
        for (int c = 0; c < m; c++) {
            int used = 0;
            for (int q = 0; q < k; q++)
                used |= picked[q] == c;
            if (!used && (bi < 0 || g->cand_acq[c] > g->cand_acq[bi]))
                bi = c;
        }
        picked[k] = bi;
        memcpy(starts[n_starts++], g->cand + bi * d, sizeof(double) * (size_t)d);
    }
    int inc = best_trial(g, h, -1);
    /* Half the perturbations go to the runner-up: in a multimodal function
       it often sits in another basin, whose acquisition peak the climbs
       from the incumbent cannot reach (BBOB 2D and 5D, 10 seeds: 34 of 48
       cells against 32; README, "Acquisition") */
    int runner_up = inc >= 0 ? best_trial(g, h, inc) : -1;
    if (inc >= 0) {
        /* an inactive coordinate of the incumbent (imputed outside the
           cube) takes the best candidate's */
        double *centre = starts[n_starts++];
        for (int j = 0; j < d; j++) {
            double v = h->x[inc * d + j];
            centre[j] = v >= GP_ABSENT_BELOW ? v : starts[0][j];
        }
        for (int p = 0; p < perturbations; p++) {
            for (int j = 0; j < d; j++) {
                /* a normal draw by Box-Muller from two uniforms of the stream */
                double u1 = seed_unit(s, draw++), u2 = seed_unit(s, draw++);
                double z = sqrt(-2 * log(u1 > 1e-300 ? u1 : 1e-300)) * cos(2 * M_PI * u2);
                double v = centre[j];
                if (p >= 2 && runner_up >= 0 && h->x[runner_up * d + j] >= GP_ABSENT_BELOW)
                    v = h->x[runner_up * d + j];
                starts[n_starts][j] = fmin(fmax(v + 0.02 * z, 0), 1);
            }
            snap(g, starts[n_starts]);
            n_starts++;
        }
    }
    double best_a = -INFINITY, start_a[MAX_STARTS];
    int found = 0;
    double packed[MAX_STARTS * GP_MAX_DIM];
    for (int k = 0; k < n_starts; k++)
        memcpy(packed + k * d, starts[k], sizeof(double) * (size_t)d);
    if (acquisition_batch(g, n_starts, packed, start_a, NULL) ||
        ascend(g, n_starts, starts, start_a)) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    for (int k = 0; k < n_starts; k++) {
        double *u = starts[k];
        double a = refine_discrete(g, u);
        if (isfinite(a) && a > best_a && !is_known(g, h, u)) {
            best_a = a;
            memcpy(best_u, u, sizeof(double) * (size_t)d);
            found = 1;
        }
    }
    if (!found) {
        /* every refined point repeats a known one: the best new candidate */
        for (int c = 0; c < m; c++) {
            double *u = g->cand + c * d;
            if (!is_known(g, h, u) && (!found || g->cand_acq[c] > best_a)) {
                best_a = g->cand_acq[c];
                memcpy(best_u, u, sizeof(double) * (size_t)d);
                found = 1;
            }
        }
    }
    if (!found) /* the space is exhausted: repeat the sweep's best */
        memcpy(best_u, g->cand + best_c * d, sizeof(double) * (size_t)d);
    return 0;
}
