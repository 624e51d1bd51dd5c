/*
** Objective dispatch: the kind table, the spec parsed from [objective],
** and the per-trial folders that kinds with files share:
**   <study dir>/<name>-trials/trial-N        fresh for every run of trial N
**   <study dir>/<name>-trials/checkpoint-N   kept across re-runs of trial N,
**                                            removed once it has finished
*/
#include "objective_impl.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "suggest.h"

static const hp_objective_kind *const kinds[] = {
    &objective_function_kind, &objective_mlp_kind, &objective_command_kind, NULL};

struct hp_objective_spec {
    const hp_objective_kind *kind;
    void *opts;
    hp_objective_setup setup;
};

struct hp_objective {
    const hp_objective_spec *spec;
    void *state;
    char *trials_dir;   /* <study dir>/<name>-trials, for kinds with folders */
};

const char *objective_get(const hp_objective_setup *setup, const char *key, const char *def,
                          int *line)
{
    const hp_ini_entry *e = ini_get(setup->ini, "objective", key);
    *line = e ? e->line : ini_section_line(setup->ini, "objective");
    return e ? e->value : def;
}

int objective_param_line(const hp_objective_setup *setup, const char *name)
{
    const hp_ini_entry *e = ini_get(setup->ini, "params", name);
    return e ? e->line : ini_section_line(setup->ini, "params");
}

char *objective_study_dir(const hp_objective_setup *setup, char *err)
{
    char dir[4096];
    files_dirname(setup->path, dir, sizeof dir);
    char *abs = realpath(dir, NULL);
    if (!abs)
        snprintf(err, HP_ERR_LEN, "cannot resolve the folder of '%s': %s", setup->path,
                 strerror(errno));
    return abs;
}

void outcome_set_metric(hp_outcome *out, const char *name, double v)
{
    if (strlen(name) > HP_NAME_MAX)
        return;
    for (int i = 0; i < out->n_metrics; i++)
        if (strcmp(out->metric_names[i], name) == 0) {
            out->metric_values[i] = v;
            return;
        }
    if (out->n_metrics < OBJECTIVE_MAX_METRICS) {
        snprintf(out->metric_names[out->n_metrics], sizeof out->metric_names[0], "%s", name);
        out->metric_values[out->n_metrics++] = v;
    }
}

int objective_spec_parse(const hp_objective_setup *setup, hp_objective_spec **out, char *err)
{
    *out = NULL;
    if (ini_section_line(setup->ini, "objective") == 0)
        return 0;
    int line;
    const char *type = objective_get(setup, "type", NULL, &line);
    if (!type)
        return objective_fail(setup, line, err, "[objective] needs 'type' (%s)",
                              OBJECTIVE_KINDS);
    const hp_objective_kind *kind = NULL;
    const char *names[8];
    int n = 0;
    for (int i = 0; kinds[i]; i++) {
        names[n++] = kinds[i]->name;
        if (strcmp(kinds[i]->name, type) == 0)
            kind = kinds[i];
    }
    names[n] = NULL;
    char hint[96];
    if (!kind)
        return objective_fail(setup, line, err, "unknown objective type '%s' (expected %s)%s",
                              type, OBJECTIVE_KINDS, suggest_hint(type, names, hint,
                                                                   sizeof hint));
    /* every key of the section must mean something to this kind */
    const hp_ini *ini = setup->ini;
    for (int i = 0; i < ini->n_entries; i++) {
        const hp_ini_entry *e = &ini->entries[i];
        if (strcmp(e->section, "objective") != 0)
            continue;
        int known = 0;
        for (int k = 0; kind->keys[k]; k++)
            known |= strcmp(kind->keys[k], e->key) == 0;
        if (known)
            continue;
        char list[256] = "";
        for (int k = 1; kind->keys[k]; k++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                     k > 1 ? (kind->keys[k + 1] ? ", " : " or ") : "", kind->keys[k]);
        return objective_fail(setup, e->line, err, "unknown key '%s' in [objective] for "
                              "type = %s (expected %s)%s", e->key, kind->name, list,
                              suggest_hint(e->key, kind->keys, hint, sizeof hint));
    }
    hp_objective_spec *spec = calloc(1, sizeof *spec);
    if (!spec) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    spec->kind = kind;
    spec->setup = *setup;
    if (kind->parse(setup, &spec->opts, err)) {
        free(spec);
        return HP_EINPUT;
    }
    *out = spec;
    return 0;
}

void objective_spec_free(hp_objective_spec *spec)
{
    if (!spec)
        return;
    spec->kind->free_opts(spec->opts);
    free(spec);
}

const char *objective_spec_kind(const hp_objective_spec *spec)
{
    return spec->kind->name;
}

int objective_spec_max_resource(const hp_objective_spec *spec)
{
    return spec->kind->max_resource ? spec->kind->max_resource(spec->opts) : 0;
}

int objective_spec_deterministic(const hp_objective_spec *spec)
{
    return spec->kind->deterministic ? spec->kind->deterministic(spec->opts) : -1;
}

void objective_spec_describe(const hp_objective_spec *spec, hp_buf *out)
{
    spec->kind->describe(spec->opts, out);
}

int objective_new(const hp_objective_spec *spec, hp_objective **out, char *err)
{
    hp_objective *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    o->spec = spec;
    if (spec->kind->uses_folders) {
        char *dir = objective_study_dir(&spec->setup, err);
        if (!dir) {
            free(o);
            return HP_EINPUT;
        }
        size_t n = strlen(dir) + strlen(spec->setup.study_name) + 16;
        o->trials_dir = malloc(n);
        if (o->trials_dir)
            snprintf(o->trials_dir, n, "%s/%s-trials", dir, spec->setup.study_name);
        free(dir);
        if (!o->trials_dir) {
            free(o);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
    }
    if (spec->kind->create(spec->opts, &spec->setup, &o->state, err)) {
        free(o->trials_dir);
        free(o);
        return HP_EINPUT;
    }
    *out = o;
    return 0;
}

void objective_free(hp_objective *o)
{
    if (!o)
        return;
    o->spec->kind->destroy(o->state);
    free(o->trials_dir);
    free(o);
}

static void folder(const hp_objective *o, const char *what, int64_t number, char *out,
                   size_t len)
{
    snprintf(out, len, "%s/%s-%lld", o->trials_dir, what, (long long)number);
}

void objective_evaluate(hp_objective *o, const hp_value *values, int64_t number,
                        uint64_t seed, int threads, const hp_reporter *reporter,
                        hp_outcome *out)
{
    memset(out, 0, sizeof *out);
    char trial_dir[4200] = "", checkpoint_dir[4200] = "";
    hp_trial_input in = {values, number, seed, threads > 0 ? threads : 1, trial_dir,
                         checkpoint_dir};
    if (o->trials_dir) {
        folder(o, "trial", number, trial_dir, sizeof trial_dir);
        folder(o, "checkpoint", number, checkpoint_dir, sizeof checkpoint_dir);
        /* a fresh trial folder: a re-run starts from nothing but its checkpoint */
        if (files_remove_tree(trial_dir) != 0 || files_make_dirs(trial_dir) != 0 ||
            files_make_dirs(checkpoint_dir) != 0) {
            out->kind = OUTCOME_HOST_ERROR;
            snprintf(out->error, sizeof out->error, "cannot make the folders of trial %lld "
                     "under '%s': %s", (long long)number, o->trials_dir, strerror(errno));
            return;
        }
    }
    o->spec->kind->evaluate(o->state, &in, reporter, out);
}

void objective_trial_finished(hp_objective *o, int64_t number, int failed)
{
    if (!o->trials_dir)
        return;
    char dir[4200];
    folder(o, "checkpoint", number, dir, sizeof dir);
    files_remove_tree(dir);
    /* failed trials keep their folder for a post-mortem; others free it */
    if (!failed) {
        folder(o, "trial", number, dir, sizeof dir);
        files_remove_tree(dir);
    }
}
