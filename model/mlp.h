/*
** A multilayer perceptron: dense layers of any widths (none: a linear or
** logistic/softmax regression), an activation, dropout, a softmax (with
** classification) or linear output, and a loss.  All memory is allocated
** by mlp_new for a maximum batch size: training steps never allocate.
**
** Parameters live in one arena: per layer W (out x in) then b (out).
** Gradients use the same layout, so optimizers are flat loops.
*/
#ifndef HP_MLP_H
#define HP_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

#define MLP_MAX_HIDDEN 16

typedef enum { ACT_RELU, ACT_LEAKY_RELU, ACT_TANH, ACT_SIGMOID, ACT_GELU } hp_activation;
typedef enum { LOSS_CROSS_ENTROPY, LOSS_MSE, LOSS_MAE, LOSS_HUBER } hp_loss;
typedef enum { INIT_XAVIER, INIT_HE, INIT_NORMAL } hp_init;

typedef struct {
    int n_in;                      /* features */
    int n_out;                     /* classes, or 1 for regression */
    int n_hidden;                  /* hidden layers, 0..MLP_MAX_HIDDEN */
    int hidden[MLP_MAX_HIDDEN];    /* their widths */
    hp_activation activation;
    hp_loss loss;
    hp_init init;
    float dropout;                 /* drop probability after each hidden layer */
    int classification;            /* 1: softmax output, labels; 0: linear, targets */
} hp_mlp_config;

typedef struct hp_mlp hp_mlp;

/* Builds the network and initialises it from SEED.  Returns 0, or -1 with
** err (bad sizes, out of memory). */
int mlp_new(const hp_mlp_config *cfg, int max_batch, uint64_t seed, hp_mlp **out,
            char *err);
void mlp_free(hp_mlp *m);

size_t mlp_n_params(const hp_mlp *m);
float *mlp_params(hp_mlp *m);
float *mlp_grads(hp_mlp *m);
/* 1 for each parameter that is a weight (decay and penalties apply), 0 for
** biases; n_params entries. */
const unsigned char *mlp_weight_mask(const hp_mlp *m);

/* Refreshes the transposed weights after the parameters changed. */
void mlp_sync(hp_mlp *m, int threads);

/* One forward and backward pass over B rows of X with LABELS (classes) or
** TARGETS (regression).  Writes the gradients of the mean loss (overwriting)
** and returns that loss.  Dropout draws from RNG. */
double mlp_train_step(hp_mlp *m, const float *x, const int *labels, const float *targets,
                      int B, hp_rng *rng, int threads);

/* Predictions for B rows (B <= max_batch): class probabilities (B x n_out)
** or values (B x 1).  No dropout. */
void mlp_predict(hp_mlp *m, const float *x, int B, float *out, int threads);

/* The loss of one row's prediction (as mlp_predict gives it). */
double mlp_row_loss(const hp_mlp_config *cfg, const float *pred, int label, float target);

#endif
