/*
** The gp sampler's state, shared by its three files; private to search/:
** sampler_gp.c (the sampler: data, fit, proposal), gp_target.c (what the
** model is fitted to) and gp_acquire.c (maximising the acquisition).
*/
#ifndef HP_SAMPLER_GP_IMPL_H
#define HP_SAMPLER_GP_IMPL_H

#include <stdint.h>

#include <gsl/gsl_qrng.h>

#include "gp.h"
#include "sampler.h"

#define N_CANDIDATES 2048
#define N_STARTS 6
/* the best candidates, the incumbent and 4 perturbations (of it and of
   the runner-up) */
#define MAX_STARTS (N_STARTS + 4)

typedef enum { ACQ_LOGEI, ACQ_EI, ACQ_UCB, ACQ_PI } acq_kind;

/* A parameter inactive in a trial (NaN in the history) is a coordinate
** the model's point lacks (gp.h). */
#define GP_INACTIVE_COORD GP_ABSENT

static inline void gp_impute_inactive(double *u, int d)
{
    for (int j = 0; j < d; j++)
        if (u[j] != u[j])
            u[j] = GP_INACTIVE_COORD;
}

typedef struct {
    const hp_space *space;
    uint64_t seed;
    int d;
    int dm;                    /* the model's dims: d, then one activity
                                  indicator per condition (gp_model_row) */
    int indicator_of[GP_MAX_DIM]; /* per indicator: a searched dim it follows */
    int n_init;
    acq_kind acq;
    int kriging_believer;
    int maximize;
    int deterministic;         /* the model's noise is pinned */
    int find_noise;            /* nobody said: repeats tell (gp_repeat.c) */
    int n_cat[GP_MAX_DIM];     /* > 0 for categorical dims (dm of them) */
    int discrete[GP_MAX_DIM];  /* int or stepped dims: moves between cells */
    int param[GP_MAX_DIM];     /* the space's index of each searched dim */
    hp_sampler *design;        /* sobol, for the initial trials */
    hp_gp *gp;
    int fitted_n;              /* n at the last hyperparameter fit */
    int has_fit;
    double importance[GP_MAX_DIM];
    gsl_qrng *qrng;
    hp_value *values;          /* space_size scratch */
    double *cand;              /* N_CANDIDATES x d */
    double *cand_acq;
    double *cand_mu, *cand_var;  /* the candidates' posterior */
    double *xs, *ys;           /* training data scratch */
    double *ys_alt;            /* the other target (gp_target_transform) */
    int target_iqr;            /* the fitted model's target is ys_alt's */
    int xs_cap;
    int conditional;           /* the space has conditions */
    double *hx;                /* the history's points, inactive ones imputed */
    int hx_cap;
    double *cand_model;        /* conditional: the candidates as the model sees them */
    int n_obj;                 /* objectives; > 1: ParEGO (sampler_gp.c) */
    int maximize_obj[HP_MAX_OBJECTIVES];
    double *scal;              /* n_obj > 1: the scalarised values, and the */
    double *ymin;              /* objectives minimised (n x n_obj) */
    int scal_cap;
    double best;               /* the acquisition's threshold (standardised) */
    double ucb_beta;
    int promising;             /* the last proposal's (sampler.h) */
} gp_state;

/* A point of D imputed coordinates as the model sees it (dm wide): the
** coordinates, then for each condition whether it holds, a category of two
** with a length-scale of its own, so that the fit decides how much being
** in another branch matters apart from the values there.  Against the
** absent coordinate alone (its distance to an active value plus a fixed
** mismatch of 1), over 60 paired seeds of the conditional MLP benchmark
** (README): conditions against the flat space won/tied/lost 30/10/20
** against 22/12/26. */
void gp_model_row(const gp_state *g, const double *row, double *out);

/* Turns N values to maximise F into the model's target Y: the low (bad)
** tail warped by Yeo-Johnson when that makes it closer to normal,
** standardised, then shifted so that the worst is 0, the prior mean
** (gp_target.c).  The loss is scaled by its sd before the warp; when
** scaling it by its interquartile range instead makes the values' own
** likelihood higher, that target is written to ALT too and 1 returned
** (else 0, ALT scratch).  NLL and ALT_NLL: each transform's negative
** log-likelihood of F as independent normal values, so that a model's
** evidence for its target plus it compares the two on F's scale.  F may
** be Y. */
int gp_target_transform(const double *f, int n, double *y, double *alt, double *nll,
                        double *alt_nll);

/* Maximises the acquisition of G's fitted model (on N points) for trial
** NUMBER into BEST_U (d coordinates of the unit cube), never a point of H.
** Returns 0, or -1 with err. */
int gp_maximise_acquisition(gp_state *g, const hp_history *h, uint64_t number, int n,
                            double *best_u, char *err);

/* What H's configurations evaluated more than once say (D coordinates
** each, NaN = inactive, failed trials ignored): 1 when every such
** configuration gave the same value each time, 0 when one did not, -1
** when none was evaluated twice. */
int gp_repeat_verdict(const hp_history *h, int d);

/* Marks in LATER (h->n flags) the complete trials of H whose configuration
** an earlier complete trial has: a model of a deterministic objective sees
** each configuration once, since a second row equal to the first only makes
** its covariance singular.  Returns 0, or -1 when out of memory (nothing
** marked). */
int gp_repeat_later(const hp_history *h, int d, unsigned char *later);

/* The finished trial to evaluate again to find out the noise: the best
** one, or -1 when there is none or a running trial is that point. */
int gp_repeat_row(const hp_history *h, int d, int maximize);

#endif
