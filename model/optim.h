/*
** Optimizers over a flat parameter arena, with L1/L2 penalties, weight
** decay and gradient clipping; and learning-rate schedules.  Formulas are
** PyTorch 1.13's, so a user's settings mean what they mean there.
*/
#ifndef HP_OPTIM_H
#define HP_OPTIM_H

#include <stddef.h>

typedef enum {
    OPT_SGD, OPT_MOMENTUM, OPT_NESTEROV, OPT_RMSPROP, OPT_ADAM, OPT_ADAMW, OPT_ADAGRAD
} hp_optimizer_kind;

typedef struct {
    hp_optimizer_kind kind;
    double momentum;      /* momentum and nesterov */
    double beta1, beta2;  /* adam(w); rmsprop uses beta2 as its smoothing alpha */
                          /* adagrad: the sum of squared gradients lives in v */
    double epsilon;
    double weight_decay;  /* adamw: decoupled; others: added to the gradient */
    double l1, l2;        /* penalties on weights (not biases) */
    double clip;          /* max global gradient norm, 0 = off */
} hp_optim_config;

typedef struct hp_optim hp_optim;

/* An optimizer for N parameters; NULL when out of memory. */
hp_optim *optim_new(const hp_optim_config *cfg, size_t n);
void optim_free(hp_optim *o);

/* One update of PARAMS from GRADS with learning rate LR; IS_WEIGHT marks
** parameters that penalties and decay apply to.  GRADS is modified
** (penalties, clipping).  THREADS splits the Adam pass of large models. */
void optim_step(hp_optim *o, float *params, float *grads, const unsigned char *is_weight,
                double lr, int threads);

/* The optimizer's state, for checkpoints: the moments M and V (n floats
** each) and the step count T, all writable. */
void optim_state(hp_optim *o, float **m, float **v, long **t);

typedef enum {
    SCHED_CONSTANT, SCHED_STEP, SCHED_EXPONENTIAL, SCHED_COSINE, SCHED_WARMUP_COSINE,
    SCHED_PLATEAU
} hp_schedule_kind;

typedef struct {
    hp_schedule_kind kind;
    double lr;            /* base learning rate */
    double decay;         /* step, exponential, plateau: the factor */
    int step;             /* step: epochs between decays; plateau: patience */
    int warmup;           /* warmup_cosine: its warm-up epochs */
    int epochs;           /* cosine horizon */
    int prefix_warmup;    /* other kinds: linear warm-up epochs in front of the
                             schedule, which then starts from its epoch 0 */
} hp_schedule;

/* The learning rate for EPOCH (0-based).  The first warm-up epochs ramp
** linearly up to the base rate; the schedule then runs from there.  For plateau, *plateau_lr carries
** the current rate between epochs and IMPROVED tells whether the last
** epoch improved the monitored metric (pass 1 for other kinds). */
double schedule_lr(const hp_schedule *s, int epoch, double *plateau_lr, int *since_best,
                   int improved);

#endif
