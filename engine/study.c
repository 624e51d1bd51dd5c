/*
** Study file validation.  Each section has a table of known keys; anything
** else is an error naming the file and line, with the closest known key as
** a hint.  Values are parsed strictly: "trials = 10x" is an error, not 10.
** The [objective] section is handed to its kind's module.
*/
#include "study.h"
#include "error.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "storage.h"
#include "parse.h"
#include "suggest.h"

static const char *const study_keys[] = {
    "name", "storage", "direction", "metric", "trials", "workers", "threads",
    "seed", "sampler", "timeout", "pruner", "max_failures", "constraint", NULL};
static const char *const pruner_keys[] = {
    "min_resource", "reduction", "warmup_trials", "deterministic", NULL};
static const char *const sections[] = {
    "study", "sampler", "pruner", "objective", "params", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* "FILE:LINE: message" in err; returns HP_EINPUT (ini_fail's -1). */
#define fail_at(err, ini, line, ...) ini_fail(err, (ini)->path, line, __VA_ARGS__)

/* Refuses any key of [SECTION] not in KEYS, naming the closest one. */
static int reject_unknown_keys(const hp_ini *ini, const char *section,
                               const char *const *keys, char *err)
{
    for (int i = 0; i < ini->n_entries; i++) {
        const hp_ini_entry *e = &ini->entries[i];
        if (strcmp(e->section, section) == 0 && !in_list(keys, e->key)) {
            char hint[96];
            return fail_at(err, ini, e->line, "unknown key '%s' in [%s]%s", e->key, section,
                           suggest_hint(e->key, keys, hint, sizeof hint));
        }
    }
    return 0;
}

int study_parse_duration(const char *s, double *seconds)
{
    return parse_duration(s, seconds);
}

/* The value of [section] key, or DEF when absent; *line gets its line. */
static const char *get(const hp_ini *ini, const char *section, const char *key,
                       const char *def, int *line)
{
    const hp_ini_entry *e = ini_get(ini, section, key);
    *line = e ? e->line : ini_section_line(ini, section);
    return e ? e->value : def;
}

/* An integer in [LO, HI] or -1 with the message. */
static int get_int(const hp_ini *ini, const char *key, int64_t lo, int64_t hi, int64_t *out,
                   int *set, char *err)
{
    int line;
    const char *v = get(ini, "study", key, NULL, &line);
    *set = v != NULL;
    if (v && (parse_int64(v, out) || *out < lo || *out > hi))
        return fail_at(err, ini, line, "%s must be an integer from %lld to %lld, got '%s'",
                       key, (long long)lo, (long long)hi, v);
    return 0;
}

static int load_sampler(hp_study_config *cfg, char *err)
{
    const hp_ini *ini = &cfg->ini;
    int line;
    const char *v = get(ini, "study", "sampler", "auto", &line);
    if (!sampler_known(v)) {
        static const char *const names[] = {"auto", "grid", "random", "sobol", "gp", "tpe",
                                            "nsga2", NULL};
        char hint[96];
        return fail_at(err, ini, line, "unknown sampler '%s' (expected %s)%s", v,
                       SAMPLER_NAMES, suggest_hint(v, names, hint, sizeof hint));
    }
    cfg->sampler = strdup(v);
    sampler_options_init(&cfg->sampler_opt);
    cfg->sampler_opt.maximize = cfg->maximize;
    cfg->sampler_opt.n_objectives = cfg->objectives.n;
    memcpy(cfg->sampler_opt.maximize_objective, cfg->objectives.maximize,
           sizeof cfg->objectives.maximize);
    for (int i = 0; i < ini->n_entries; i++) {
        const hp_ini_entry *e = &ini->entries[i];
        char msg[HP_ERR_LEN];
        if (strcmp(e->section, "sampler") == 0 &&
            sampler_option_set(v, &cfg->sampler_opt, e->key, e->value, msg))
            return fail_at(err, ini, e->line, "%s", msg);
    }
    return 0;
}

static int load_pruner(hp_study_config *cfg, char *err)
{
    const hp_ini *ini = &cfg->ini;
    int line;
    const char *v = get(ini, "study", "pruner", "none", &line);
    hp_pruner_config *pc = &cfg->pruner_cfg;
    memset(pc, 0, sizeof *pc);
    if (strcmp(v, "none") == 0)
        pc->kind = PRUNER_NONE;
    else if (strcmp(v, "median") == 0)
        pc->kind = PRUNER_MEDIAN;
    else if (strcmp(v, "asha") == 0)
        pc->kind = PRUNER_ASHA;
    else
        return fail_at(err, ini, line, "unknown pruner '%s' (expected none, median or asha)",
                       v);
    if (pc->kind != PRUNER_NONE && cfg->objectives.n > 1)
        return fail_at(err, ini, line, "pruner %s compares one metric, and this study has "
                       "%d objectives; set pruner = none", v, cfg->objectives.n);
    cfg->pruner = strdup(v);
    pc->min_resource = 1;
    pc->reduction = 3;
    pc->warmup_trials = 5;
    pc->maximize = cfg->maximize;
    for (int i = 0; i < ini->n_entries; i++) {
        const hp_ini_entry *e = &ini->entries[i];
        if (strcmp(e->section, "pruner") != 0)
            continue;
        if (strcmp(e->key, "deterministic") == 0) {
            if (strcmp(e->value, "true") && strcmp(e->value, "false"))
                return fail_at(err, ini, e->line, "%s must be true or false, got '%s'",
                               e->key, e->value);
            pc->deterministic = strcmp(e->value, "true") == 0;
            continue;
        }
        int64_t lo = strcmp(e->key, "reduction") == 0 ? 2
                     : strcmp(e->key, "warmup_trials") == 0 ? 0 : 1;
        int64_t n;
        if (parse_int64(e->value, &n) || n < lo || n > 1000000)
            return fail_at(err, ini, e->line, "%s must be an integer >= %lld, got '%s'",
                           e->key, (long long)lo, e->value);
        if (strcmp(e->key, "min_resource") == 0)
            pc->min_resource = (int)n;
        else if (strcmp(e->key, "reduction") == 0)
            pc->reduction = (int)n;
        else
            pc->warmup_trials = (int)n;
    }
    return 0;
}

static int load_study(hp_study_config *cfg, int cores, char *err)
{
    const hp_ini *ini = &cfg->ini;
    int line;
    const char *v;
    for (int i = 0; i < ini->n_sections; i++)
        if (!in_list(sections, ini->sections[i].name)) {
            char hint[96];
            return fail_at(err, ini, ini->sections[i].line, "unknown section [%s] (expected "
                           "study, sampler, pruner, objective or params)%s",
                           ini->sections[i].name,
                           suggest_hint(ini->sections[i].name, sections, hint, sizeof hint));
        }
    if (reject_unknown_keys(ini, "study", study_keys, err) ||
        reject_unknown_keys(ini, "pruner", pruner_keys, err))
        return HP_EINPUT;
    if (!ini_section_line(ini, "study"))
        return fail_at(err, ini, 0, "missing [study] section");
    const char *name = get(ini, "study", "name", NULL, &line);
    if (!name || !*name)
        return fail_at(err, ini, line, "[study] needs a 'name'");
    if (strlen(name) > HP_STUDY_NAME_MAX)
        return fail_at(err, ini, line, "the study name is longer than %d characters",
                       HP_STUDY_NAME_MAX);
    /* the name makes file names (NAME.db, NAME-trials/): no folders, no
       "..", nothing a shell or another system would read differently */
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
            return fail_at(err, ini, line, "the study name '%s' may hold only letters, "
                           "digits, '_', '-' and '.'", name);
    if (name[0] == '.' || name[0] == '-')
        return fail_at(err, ini, line, "the study name '%s' must start with a letter, a "
                       "digit or '_'", name);
    cfg->name = strdup(name);

    char default_db[1024];
    snprintf(default_db, sizeof default_db, "%s.db", name);
    v = get(ini, "study", "storage", default_db, &line);
    if (strstr(v, "://") && !store_is_url(v))
        return fail_at(err, ini, line, "storage '%s' is not supported; give an SQLite "
                       "file path or a postgresql:// URL", v);
    /* a URL is used as written: libpq reads PGPASSWORD, ~/.pgpass and
       service files itself */
    cfg->storage = store_is_url(v) ? strdup(v) : files_resolve(cfg->path, v);

    int direction_line, which;
    const char *direction = get(ini, "study", "direction", "minimize", &direction_line);
    v = get(ini, "study", "metric", "value", &line);
    char msg[HP_ERR_LEN];
    if (objectives_parse(v, direction, &cfg->objectives, &which, msg))
        return fail_at(err, ini, which ? direction_line : line, "%s", msg);
    cfg->maximize = cfg->objectives.maximize[0];
    v = get(ini, "study", "constraint", "", &line);
    if (constraints_parse(v, &cfg->constraints, msg))
        return fail_at(err, ini, line, "%s", msg);
    cfg->metric = strdup(cfg->objectives.names[0]);

    v = get(ini, "study", "trials", NULL, &line);
    if (v && (parse_int64(v, &cfg->trials) || cfg->trials <= 0))
        return fail_at(err, ini, line, "trials must be a positive integer, got '%s'", v);
    if (!v)
        cfg->trials = -1; /* grid: the whole grid; others: an error below */

    int64_t n;
    cfg->cores = cores;
    if (get_int(ini, "workers", 1, 1024, &n, &cfg->workers_set, err))
        return HP_EINPUT;
    cfg->workers = cfg->workers_set ? (int)n : cores;
    if (get_int(ini, "threads", 1, 1024, &n, &cfg->threads_set, err))
        return HP_EINPUT;
    cfg->threads = cfg->threads_set ? (int)n : 1;
    int set;
    if (get_int(ini, "max_failures", 0, 1000000, &n, &set, err))
        return HP_EINPUT;
    cfg->max_failures = set ? (int)n : 5;

    v = get(ini, "study", "seed", "0", &line);
    if (parse_int64(v, &n) || n < 0)
        return fail_at(err, ini, line, "seed must be a non-negative integer, got '%s'", v);
    cfg->seed = (uint64_t)n;

    v = get(ini, "study", "timeout", NULL, &line);
    if (v && (parse_duration(v, &cfg->timeout_s) || cfg->timeout_s <= 0))
        return fail_at(err, ini, line, "timeout must be a duration like 90s, 30m or 2h, "
                       "got '%s'", v);
    return load_sampler(cfg, err) || load_pruner(cfg, err) ? -1 : 0;
}

static int load_params(hp_study_config *cfg, char *err)
{
    const hp_ini *ini = &cfg->ini;
    char msg[HP_ERR_LEN];
    cfg->space = space_new();
    if (!cfg->space) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    for (int i = 0; i < ini->n_entries; i++) {
        const hp_ini_entry *e = &ini->entries[i];
        if (strcmp(e->section, "params") != 0)
            continue;
        if (strlen(e->key) > HP_NAME_MAX)
            return fail_at(err, ini, e->line, "the parameter name '%.20s...' is longer than "
                           "%d characters", e->key, HP_NAME_MAX);
        if (space_add(cfg->space, e->key, e->value, msg))
            return fail_at(err, ini, e->line, "parameter '%s': %s", e->key, msg);
    }
    if (space_size(cfg->space) == 0)
        return fail_at(err, ini, ini_section_line(ini, "params"),
                       "the study has no parameters: add a [params] section");
    int bad;
    if (space_resolve(cfg->space, &bad, msg)) {
        /* the line of the parameter whose condition is wrong */
        int line = ini_section_line(ini, "params");
        const char *name = bad >= 0 ? space_param(cfg->space, bad)->name : NULL;
        for (int i = 0; name && i < ini->n_entries; i++)
            if (strcmp(ini->entries[i].section, "params") == 0 &&
                strcmp(ini->entries[i].key, name) == 0)
                line = ini->entries[i].line;
        if (!name)
            return fail_at(err, ini, line, "%s", msg);
        return fail_at(err, ini, line, "parameter '%s': %s", name, msg);
    }
    return 0;
}

static int load_objective(hp_study_config *cfg, char *err)
{
    hp_objective_setup setup = {&cfg->ini, cfg->path, cfg->name, cfg->space, cfg->metric,
                                cfg->maximize, cfg->seed, &cfg->objectives};
    if (objective_spec_parse(&setup, &cfg->objective, err))
        return HP_EINPUT;
    cfg->has_objective = cfg->objective != NULL;
    if (!cfg->objective)
        return 0;
    /* ASHA's rungs stop below the objective's last step */
    cfg->pruner_cfg.max_resource = objective_spec_max_resource(cfg->objective);
    /* what the objective says of its noise, unless [sampler] says */
    if (!ini_get(&cfg->ini, "sampler", "deterministic"))
        cfg->sampler_opt.deterministic = objective_spec_deterministic(cfg->objective);
    return 0;
}

/* The sampler validates the space for itself (grid needs steps), and the
** budget defaults to the whole grid. */
static int check_budget(hp_study_config *cfg, char *err)
{
    if (strcmp(cfg->sampler, "grid") == 0) {
        uint64_t points;
        int line;
        get(&cfg->ini, "study", "sampler", NULL, &line);
        char msg[HP_ERR_LEN];
        if (space_grid_size(cfg->space, 1ULL << 40, &points, msg))
            return fail_at(err, &cfg->ini, line, "%s", msg);
        if (cfg->trials < 0 || (uint64_t)cfg->trials > points)
            cfg->trials = (int64_t)points;
    } else if (cfg->trials < 0) {
        return fail_at(err, &cfg->ini, ini_section_line(&cfg->ini, "study"),
                       "[study] needs 'trials' (how many finished trials the study wants)");
    }
    return 0;
}

static int study_validate(const char *path, int cores, hp_study_config *cfg, char *err)
{
    if (cores < 1)
        cores = 1;
    cfg->path = strdup(path);
    if (!cfg->path) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        goto fail;
    }
    if (load_study(cfg, cores, err))
        goto fail;
    if (!cfg->name || !cfg->storage || !cfg->metric || !cfg->sampler || !cfg->pruner) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        goto fail;
    }
    if (load_params(cfg, err) || load_objective(cfg, err) || check_budget(cfg, err) ||
        study_apply_overrides(cfg, 0, 0, NULL, err))
        goto fail;
    return 0;
fail:
    study_deinit(cfg);
    return HP_EINPUT;
}

int study_load(const char *path, int cores, hp_study_config *cfg, char *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (ini_load(path, &cfg->ini, err, HP_ERR_LEN))
        return HP_EINPUT;
    return study_validate(path, cores, cfg, err);
}

int study_load_text(const char *path, const char *text, int cores, hp_study_config *cfg,
                    char *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (ini_load_text(path, text, &cfg->ini, err, HP_ERR_LEN))
        return HP_EINPUT;
    return study_validate(path, cores, cfg, err);
}

int study_apply_overrides(hp_study_config *cfg, int workers, int64_t trials,
                          const char *storage, char *err)
{
    if (workers > 0) {
        cfg->workers = workers;
        cfg->workers_set = 1;
    }
    if (trials > 0)
        cfg->trials = trials;
    if (storage) {
        if (strstr(storage, "://") && !store_is_url(storage)) {
            snprintf(err, HP_ERR_LEN, "--storage '%s' is not supported; give an SQLite file "
                     "path or a postgresql:// URL", storage);
            return HP_EINPUT;
        }
        char *s = strdup(storage);
        if (!s) {
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
        free(cfg->storage);
        cfg->storage = s;
    }
    /* kernel threads share the cores with the other trials: chosen last */
    if (!cfg->threads_set)
        cfg->threads = cfg->cores / cfg->workers > 0 ? cfg->cores / cfg->workers : 1;
    return 0;
}

void study_deinit(hp_study_config *cfg)
{
    ini_deinit(&cfg->ini);
    free(cfg->path);
    free(cfg->name);
    free(cfg->storage);
    free(cfg->metric);
    free(cfg->sampler);
    free(cfg->pruner);
    objective_spec_free(cfg->objective);
    space_free(cfg->space);
    memset(cfg, 0, sizeof *cfg);
}
