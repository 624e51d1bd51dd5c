/*
** The table each objective kind fills in, and what kinds share; private to
** the objective modules (objective*.c).  A new kind is one new file and
** one row in objective.c's table.
*/
#ifndef HP_OBJECTIVE_IMPL_H
#define HP_OBJECTIVE_IMPL_H

#include "objective.h"

typedef struct {
    const char *name;
    const char *const *keys;  /* accepted [objective] keys ("type" included) */
    int uses_folders;         /* trials get trial_dir and checkpoint_dir */
    /* validates the section into heap options; -1 with "FILE:LINE: ..." */
    int (*parse)(const hp_objective_setup *setup, void **opts, char *err);
    void (*free_opts)(void *opts);
    int (*max_resource)(const void *opts);            /* NULL: unknown */
    int (*deterministic)(const void *opts);           /* NULL: not known */
    void (*describe)(const void *opts, hp_buf *out);
    int (*create)(const void *opts, const hp_objective_setup *setup, void **state,
                  char *err);
    void (*destroy)(void *state);
    void (*evaluate)(void *state, const hp_trial_input *trial, const hp_reporter *reporter,
                     hp_outcome *out);
} hp_objective_kind;

extern const hp_objective_kind objective_function_kind;
extern const hp_objective_kind objective_command_kind;
extern const hp_objective_kind objective_mlp_kind;

/* Writes "FILE:LINE: message" (or "FILE: message" when line is 0) to err
** and returns -1 (HP_EINPUT): ini_fail for the study file of SETUP. */
#define objective_fail(setup, line, err, ...) ini_fail(err, (setup)->path, line, __VA_ARGS__)

/* The value of [objective] KEY, or DEF; *line gets its line (the section's
** when absent). */
const char *objective_get(const hp_objective_setup *setup, const char *key,
                          const char *def, int *line);

/* The line of parameter NAME in [params]. */
int objective_param_line(const hp_objective_setup *setup, const char *name);

/* The folder of the study file, absolute (heap), or NULL with err. */
char *objective_study_dir(const hp_objective_setup *setup, char *err);

#endif
