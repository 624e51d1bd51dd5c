/*
** What a command works on: a study, from a study file (parsed once per
** command, with the command line's overrides applied) or from a database,
** with its storage open.
*/
#ifndef HP_TARGET_H
#define HP_TARGET_H

#include <stdint.h>

#include "storage.h"
#include "study.h"

typedef struct {
    int has_cfg;           /* the study file was read */
    hp_study_config cfg;
    hp_store *store;       /* NULL until opened */
    hp_study_row study;    /* the stored study, once opened */
    int sampler_changed;   /* the file's sampler or seed differs from the
                              study's first ones (recorded per trial) */
} hp_target;

/* Reads the study file PATH into t->cfg (the machine's cores as defaults).
** Returns HP_OK or HP_EINPUT with err ("FILE:LINE: ..."). */
int target_load_study(const char *path, hp_target *t, char *err);

/* For run and ask: opens (creating) the storage of t->cfg and creates the
** study or checks that the stored one is the same study: the same space,
** direction and metric (else HP_EINPUT); a changed budget is recorded, a
** changed sampler or seed is used from now on and noted.  Returns a status
** with err. */
int target_open_study(hp_target *t, char *err);

/* For the query commands: TARGET is a study file, an SQLite file or a
** postgresql:// URL; STORAGE (may be NULL) replaces a study file's storage.
** Finds the study (STUDY_NAME, else the file's, else the database's only
** one).  Returns a status with err. */
int target_open(const char *target, const char *study_name, const char *storage,
                hp_target *t, char *err);

void target_close(hp_target *t);

/* The study's configuration: the file's when it was read, else the one
** stored with the study, loaded into *STORED (then *OWN is 1 and the
** caller frees it with study_deinit).  Returns HP_OK with *OUT set, or a
** status with err. */
int target_config(hp_target *t, hp_study_config *stored, int *own,
                  const hp_study_config **out, char *err);

/* The number of online cores (>= 1). */
int target_cores(void);

#endif
