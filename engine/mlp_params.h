/*
** The MLP objective's parameters: which names it knows, which values each
** may take, and how a trial's values become a training configuration of
** model/train.h.  Pure: no I/O, no study.
*/
#ifndef HP_MLP_PARAMS_H
#define HP_MLP_PARAMS_H

#include "../model/train.h"
#include "../search/space.h"

/* Checks that parameter NAME with text TEXT (or number VALUE when text is
** NULL) is something the MLP understands.  Returns 0, or -1 with err. */
int mlp_param_check(const char *name, double value, const char *text, char *err);

/* What a trial's configuration starts from, besides its parameters. */
typedef struct {
    int classification;   /* the task */
    int epochs, patience;
    const char *metric;   /* the study metric */
    int maximize;
    int threads;
} hp_mlp_base;

/* Builds the training configuration of one trial from VALUES of SPACE.
** Returns 0, or -1 with err (a value the MLP does not know). */
int mlp_trial_config(const hp_mlp_base *base, const hp_space *space, const hp_value *values,
                     hp_train_config *t, char *err);

#endif
