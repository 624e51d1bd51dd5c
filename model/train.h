/*
** Training an MLP on a split data set: shuffled mini-batches (by the trial
** seed), Gaussian input noise, a learning-rate schedule, early stopping
** that restores the best epoch's weights, a report per epoch, and the
** final metrics (validation at the best epoch, train, test).
*/
#ifndef HP_TRAIN_H
#define HP_TRAIN_H

#include <stdint.h>

#include "dataset.h"
#include "mlp.h"
#include "optim.h"

#define METRICS_MAX 32

/* Named values: "val_accuracy", "train_loss", ... */
typedef struct {
    int n;
    char name[METRICS_MAX][32];
    double value[METRICS_MAX];
} hp_metric_set;

/* The value of NAME, or NaN. */
double metrics_get(const hp_metric_set *m, const char *name);
void metrics_put(hp_metric_set *m, const char *name, double value);

/* Metrics of predictions PRED (n x n_out, as mlp_predict gives them) on
** rows ROWS of DS, each name prefixed by PREFIX ("val_"): loss, and
** accuracy, precision, recall, f1 (macro) for classification; loss, mse,
** mae, r2 for regression. */
void metrics_compute(const hp_dataset *ds, const hp_mlp_config *net, const int *rows,
                     int n, const float *pred, const char *prefix, hp_metric_set *out);

typedef struct {
    hp_mlp_config net;
    hp_optim_config opt;
    hp_schedule sched;
    int batch_size;
    int epochs;
    int patience;         /* epochs without improvement before stopping, 0 = off */
    double noise;         /* std of Gaussian input noise (standardised units) */
    int threads;          /* kernel threads */
    char monitor[32];     /* metric for early stopping and the best epoch */
    int maximize;         /* its direction */
    const char *checkpoint; /* a file to save the training state to after
                               every epoch and to resume from when it is
                               there (NULL: none); resuming gives results
                               bit-identical to an uninterrupted run */
} hp_train_config;

/* Called after each epoch with train_loss and the validation metrics;
** returns 1 to stop the training now (a pruner, or the user).  After a
** resume from a checkpoint, the checkpointed epoch is reported again (the
** report may not have been stored before the interruption). */
typedef int (*hp_epoch_fn)(void *ctx, int epoch, const hp_metric_set *m);

typedef enum {
    TRAIN_DONE,       /* trained; *final holds the metrics (train_loss and
                         regression metrics in the target's original units,
                         but huber's loss, which stays standardised) */
    TRAIN_STOPPED,    /* the callback asked to stop */
    TRAIN_DIVERGED,   /* NaN or infinite loss; err says at which epoch */
    TRAIN_FAILED,     /* bad configuration or out of memory; err says why */
    TRAIN_IO_ERROR    /* the checkpoint could not be written; err says why */
} hp_train_status;

hp_train_status train_run(const hp_dataset *ds, const hp_split *split,
                          const hp_train_config *cfg, uint64_t seed, hp_epoch_fn on_epoch,
                          void *ctx, hp_metric_set *final, char *err);

#endif
