/*
** A study file parsed into a validated configuration.  Everything a run
** needs is checked here, before storage is touched, so bad input is
** reported with FILE:LINE and nothing is ever written for it.
*/
#ifndef HP_STUDY_H
#define HP_STUDY_H

#include <stdint.h>

#include "../search/pruner.h"
#include "../search/sampler.h"
#include "../search/space.h"
#include "ini.h"

typedef struct {
    hp_ini ini;            /* the file as read, kept for its text and lines */
    char *path;            /* the study file as given */
    char *name;            /* [study] name */
    char *storage;         /* SQLite path, resolved against the file's folder */
    int maximize;          /* direction */
    char *metric;          /* reported value that is optimized */
    int64_t trials;        /* finished trials wanted (> 0) */
    int workers;           /* concurrent trials in this process (>= 1) */
    int threads;           /* kernel threads per trial (>= 1) */
    uint64_t seed;
    char *sampler;         /* a name sampler_known() accepts */
    hp_sampler_options sampler_opt;  /* [sampler] */
    double timeout_s;      /* wall-clock budget for one run, 0 = none */
    char *pruner;          /* "none", "median" or "asha" */
    hp_pruner_config pruner_cfg;  /* [pruner], max_resource = the epochs */
    hp_space *space;       /* [params] */
    int has_objective;     /* 0: driven by ask/tell only */
    char *objective_type;  /* "function" or "command" */
    char *function_name;   /* type = function: which benchmark */
    double sleep_s;        /* type = function: seconds each evaluation takes */
    double fail_rate;      /* type = function: share of trials that fail */
    double nan_rate;       /* type = function: share that return NaN */
    char *dataset;         /* type = mlp: CSV path (or IDX images), resolved */
    char *idx_labels;      /* type = mlp: IDX labels when the data set is IDX */
    char *label;           /* type = mlp: label column, NULL = the last */
    int classification;    /* type = mlp: task */
    double valid_split, test_split;  /* type = mlp: held-out fractions */
    int epochs, patience;  /* type = mlp */
    char *command;         /* type = command: the command template */
    int command_line;      /* its line in the study file */
    double trial_timeout_s;/* type = command: per-trial limit, 0 = none */
    double kill_grace_s;   /* type = command: SIGTERM to SIGKILL delay */
} hp_study_config;

/* Reads and validates PATH.  cores is the machine's core count (defaults
** for workers and threads).  Returns 0, or -1 with a message (with
** FILE:LINE where there is one) in err; cfg is then empty. */
int study_load(const char *path, int cores, hp_study_config *cfg, char *err);
void study_deinit(hp_study_config *cfg);

/* The same from the text of a study file (as stored with a study); PATH
** names it in messages and anchors relative paths. */
int study_load_text(const char *path, const char *text, int cores, hp_study_config *cfg,
                    char *err);

/* Parses a duration ("90", "90s", "30m", "1.5h", "2d") into seconds.
** Returns 0 or -1. */
int study_parse_duration(const char *s, double *seconds);

#endif
