/*
** The command objective (type = command); see objective_command.c.  Used
** through objective.h; this header is for objective.c.
**
** Per trial: argv from the template with {param}, {trial}, {seed}, {study},
** {trial_dir} and {study_dir} replaced word by word; the parameters also as
** HPSEARCH_PARAM_<NAME> in the environment with HPSEARCH_TRIAL, _SEED,
** _STUDY and _TRIAL_DIR; the child runs in <study>-trials/trial-N beside the
** study file, with stdout.txt and stderr.txt there.
*/
#ifndef HP_OBJECTIVE_COMMAND_H
#define HP_OBJECTIVE_COMMAND_H

#include <stdint.h>

#include "objective.h"

typedef struct hp_command_objective hp_command_objective;

int command_objective_new(const hp_study_config *cfg, hp_command_objective **out,
                          char *err);
void command_objective_free(hp_command_objective *obj);

/* Runs trial NUMBER; never fails the study, only the trial. */
void command_objective_evaluate(hp_command_objective *obj, const hp_value *values,
                                int64_t number, uint64_t seed,
                                const hp_reporter *reporter, hp_outcome *out);

#endif
