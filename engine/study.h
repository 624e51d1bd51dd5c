/*
** A study file parsed into a validated configuration.  Everything a run
** needs is checked here, before storage is touched, so bad input is
** reported with FILE:LINE and nothing is ever written for it.  The
** [objective] section belongs to its kind's module (objective.h): this
** config holds it only as an opaque spec.
*/
#ifndef HP_STUDY_H
#define HP_STUDY_H

#include <stdint.h>

#include "../search/pruner.h"
#include "../search/sampler.h"
#include "../search/space.h"
#include "ini.h"
#include "objective.h"
#include "constraints.h"
#include "objectives.h"

typedef struct {
    hp_ini ini;            /* the file as read, kept for its text and lines */
    char *path;            /* the study file as given */
    char *name;            /* [study] name */
    char *storage;         /* SQLite path, resolved against the file's folder */
    int maximize;          /* direction (of the first objective) */
    char *metric;          /* reported value that is optimized (the first
                              objective of a multi-objective study) */
    hp_objectives objectives;  /* every objective, in the order of the file */
    hp_constraints constraints;  /* [study] constraint; n = 0: none */
    int64_t trials;        /* finished trials wanted (> 0) */
    int workers;           /* concurrent trials in this process (>= 1) */
    int threads;           /* kernel threads per trial (>= 1) */
    int workers_set;       /* workers came from the file (or --workers) */
    int threads_set;       /* threads came from the file */
    int cores;             /* the machine's, for the defaults */
    uint64_t seed;
    char *sampler;         /* a name sampler_known() accepts */
    hp_sampler_options sampler_opt;  /* [sampler] */
    double timeout_s;      /* wall-clock budget for one run, 0 = none */
    int max_failures;      /* stop a run whose first N finished trials all
                              failed; 0 = never */
    char *pruner;          /* "none", "median" or "asha" */
    hp_pruner_config pruner_cfg;  /* [pruner], max_resource = the objective's */
    hp_space *space;       /* [params] */
    int has_objective;     /* 0: driven by ask/tell only */
    hp_objective_spec *objective;  /* [objective], NULL when absent */
} hp_study_config;

/* Reads and validates PATH.  cores is the machine's core count (defaults
** for workers and threads).  Returns HP_OK, or HP_EINPUT (HP_ENOMEM) with
** a message (with FILE:LINE where there is one) in err; cfg is then empty. */
int study_load(const char *path, int cores, hp_study_config *cfg, char *err);
void study_deinit(hp_study_config *cfg);

/* The same from the text of a study file (as stored with a study); PATH
** names it in messages and anchors relative paths. */
int study_load_text(const char *path, const char *text, int cores, hp_study_config *cfg,
                    char *err);

/* Applies what the command line overrides: WORKERS (0 = keep), TRIALS (0 =
** keep) and STORAGE (NULL = keep).  The thread count per trial is chosen
** after them: the file's, or cores / workers, so that workers x threads
** never exceeds the cores unless the file asks.  Returns HP_OK, or
** HP_EINPUT with err. */
int study_apply_overrides(hp_study_config *cfg, int workers, int64_t trials,
                          const char *storage, char *err);

/* Parses a duration ("90", "90s", "30m", "1.5h", "2d") into seconds.
** Returns 0 or -1. */
int study_parse_duration(const char *s, double *seconds);

#endif
