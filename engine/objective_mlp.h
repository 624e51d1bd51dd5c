/*
** The MLP objective (type = mlp): trains model/'s network on the study's
** data set with each trial's parameters.  Used through objective.h.
**
** The data set is read, split (by the study seed, stratified) and
** standardised once, when the objective is made; every trial and worker
** then shares it read-only.
*/
#ifndef HP_OBJECTIVE_MLP_H
#define HP_OBJECTIVE_MLP_H

#include <stdint.h>

#include "objective.h"

typedef struct hp_mlp_objective hp_mlp_objective;

/* Loads the data set.  Returns 0, or -1 with err ("FILE:LINE: ..."). */
int mlp_objective_new(const hp_study_config *cfg, hp_mlp_objective **out, char *err);
void mlp_objective_free(hp_mlp_objective *obj);

void mlp_objective_evaluate(hp_mlp_objective *obj, const hp_value *values, uint64_t seed,
                            const hp_reporter *reporter, hp_outcome *out);

/* Checks that parameter NAME with text TEXT (or number VALUE when text is
** NULL) is something the MLP understands.  Returns 0, or -1 with err.  The
** study file reader calls it for every value a parameter can take. */
int mlp_param_check(const char *name, double value, const char *text, char *err);

/* Metrics the MLP objective reports, for validating `metric`. */
int mlp_metric_known(const char *name);
#define MLP_METRICS "val_accuracy, val_loss, val_f1, val_precision, val_recall, " \
                    "train_loss, train_accuracy, val_mse, val_mae, val_r2, test_*"

#endif
