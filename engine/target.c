#include "target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"

int target_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int target_load_study(const char *path, hp_target *t, char *err)
{
    memset(t, 0, sizeof *t);
    if (study_load(path, target_cores(), &t->cfg, err))
        return HP_EINPUT;
    t->has_cfg = 1;
    return HP_OK;
}

int target_config(hp_target *t, hp_study_config *stored, int *own,
                  const hp_study_config **out, char *err)
{
    *own = 0;
    *out = &t->cfg;
    if (t->has_cfg)
        return HP_OK;
    hp_buf text;
    buf_init(&text);
    int rc = store_study_config(t->store, t->study.study_id, &text, err);
    if (!rc && study_load_text("stored study", buf_str(&text), 1, stored, err))
        rc = HP_EINPUT;
    buf_deinit(&text);
    if (rc)
        return rc;
    *own = 1;
    *out = stored;
    return HP_OK;
}

void target_close(hp_target *t)
{
    store_close(t->store);
    if (t->has_cfg)
        study_deinit(&t->cfg);
    memset(t, 0, sizeof *t);
}

typedef struct {
    int n;
    char first[256];
    hp_buf names;
} study_names;

static int collect_name(void *ctx, const hp_study_row *row,
                        const int64_t counts[TRIAL_N_STATES])
{
    (void)counts;
    study_names *s = ctx;
    if (s->n++ == 0)
        snprintf(s->first, sizeof s->first, "%s", row->name);
    buf_printf(&s->names, "%s'%s'", s->n > 1 ? ", " : "", row->name);
    return 0;
}

/* The only study of the database, or an error listing them. */
static int only_study(hp_target *t, const char *db_path, char *name, size_t len, char *err)
{
    study_names names = {0, "", {0}};
    buf_init(&names.names);
    int rc = store_list_studies(t->store, collect_name, &names, err);
    if (!rc && names.n != 1) {
        if (names.n == 0)
            snprintf(err, HP_ERR_LEN, "'%s' holds no studies", db_path);
        else
            snprintf(err, HP_ERR_LEN, "'%s' holds %d studies (%s): choose one with --study "
                     "NAME", db_path, names.n, buf_str(&names.names));
        rc = HP_EINPUT;
    }
    snprintf(name, len, "%s", names.first);
    buf_deinit(&names.names);
    return rc;
}

int target_open(const char *target, const char *study_name, const char *storage,
                hp_target *t, char *err)
{
    memset(t, 0, sizeof *t);
    const char *db_path = target;
    const char *name = study_name;
    char only[256];
    int rc;
    if (!store_is_url(target) && access(target, F_OK) != 0) {
        snprintf(err, HP_ERR_LEN, "no such file '%s'", target);
        return HP_EINPUT;
    }
    if (storage && store_is_database(target)) {
        snprintf(err, HP_ERR_LEN, "--storage goes with a study file, not with a database "
                 "('%s')", target);
        return HP_EINPUT;
    }
    if (!store_is_database(target)) {
        if ((rc = target_load_study(target, t, err)))
            return rc;
        if (storage && (rc = study_apply_overrides(&t->cfg, 0, 0, storage, err))) {
            target_close(t);
            return rc;
        }
        db_path = t->cfg.storage;
        if (!name)
            name = t->cfg.name;
        if (!store_is_url(db_path) && access(db_path, F_OK) != 0) {
            snprintf(err, HP_ERR_LEN, "study '%s' has not been run yet (no database '%s')",
                     t->cfg.name, db_path);
            target_close(t);
            return HP_EINPUT;
        }
    }
    if ((rc = store_open(db_path, 0, &t->store, err)))
        goto fail;
    if (!name) {
        if ((rc = only_study(t, db_path, only, sizeof only, err)))
            goto fail;
        name = only;
    }
    int found;
    if ((rc = store_find_study(t->store, name, &t->study, &found, err)))
        goto fail;
    if (!found) {
        snprintf(err, HP_ERR_LEN, "no study '%s' in '%s'; 'hpsearch studies %s' lists them",
                 name, db_path, db_path);
        rc = HP_EINPUT;
        goto fail;
    }
    return HP_OK;
fail:
    target_close(t);
    return rc;
}

/* Checks that the stored study is the one the file describes. */
static int check_same_study(hp_target *t, const char *hash, char *err)
{
    const hp_study_config *cfg = &t->cfg;
    const hp_study_row *row = &t->study;
    char direction[sizeof row->direction], metric[sizeof row->metric];
    objectives_direction_text(&cfg->objectives, direction, sizeof direction);
    objectives_metric_text(&cfg->objectives, metric, sizeof metric);
    if (strcmp(row->space_hash, hash) != 0) {
        snprintf(err, HP_ERR_LEN, "%s: study '%s' already exists in '%s' with a different "
                 "search space; give this study a new name (e.g. name = %s-2) or another "
                 "storage", cfg->path, cfg->name, cfg->storage, cfg->name);
        return HP_EINPUT;
    }
    /* the history would mean nothing under another direction or metric */
    if (strcmp(row->direction, direction) != 0 || strcmp(row->metric, metric) != 0) {
        snprintf(err, HP_ERR_LEN, "%s: study '%s' in '%s' %ss '%s', not %s '%s'; give this "
                 "study a new name", cfg->path, cfg->name, cfg->storage, row->direction,
                 row->metric, direction, metric);
        return HP_EINPUT;
    }
    t->sampler_changed = strcmp(row->sampler, cfg->sampler) != 0 || row->seed != cfg->seed;
    return HP_OK;
}

int target_open_study(hp_target *t, char *err)
{
    hp_study_config *cfg = &t->cfg;
    /* no look at the file here: another process may be creating it right
       now; store_open lets SQLite judge it before anything is written */
    int rc = store_open(cfg->storage, 1, &t->store, err);
    if (rc)
        return rc;
    char hash[17];
    space_hash(cfg->space, hash);
    for (int attempt = 0; attempt < 2; attempt++) {
        int found;
        if ((rc = store_find_study(t->store, cfg->name, &t->study, &found, err)))
            return rc;
        if (found) {
            if ((rc = check_same_study(t, hash, err)))
                return rc;
            if (t->study.trials != cfg->trials &&
                (rc = store_set_trials(t->store, t->study.study_id, cfg->trials, err)))
                return rc;
            t->study.trials = cfg->trials;
            return HP_OK;
        }
        hp_study_row row;
        memset(&row, 0, sizeof row);
        snprintf(row.name, sizeof row.name, "%s", cfg->name);
        objectives_direction_text(&cfg->objectives, row.direction, sizeof row.direction);
        objectives_metric_text(&cfg->objectives, row.metric, sizeof row.metric);
        snprintf(row.sampler, sizeof row.sampler, "%s", cfg->sampler);
        memcpy(row.space_hash, hash, sizeof hash);
        row.seed = cfg->seed;
        row.trials = cfg->trials;
        rc = store_create_study(t->store, &row, cfg->ini.text, err);
        if (rc == HP_OK) {
            t->study = row;
            return HP_OK;
        }
        if (rc != HP_EINPUT)
            return rc;
        /* another process created it between our look and our insert */
    }
    return rc;
}
