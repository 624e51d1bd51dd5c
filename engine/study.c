/*
** Study file validation.  Each section has a table of known keys; anything
** else is an error naming the file and line.  Values are parsed strictly:
** "trials = 10x" is an error, not 10.
*/
#include "study.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../search/functions.h"
#include "../search/sampler.h"
#include "cmdline.h"
#include "objective_mlp.h"

static const char *const study_keys[] = {
    "name", "storage", "direction", "metric", "trials", "workers", "threads",
    "seed", "sampler", "timeout", "pruner", NULL};
static const char *const pruner_keys[] = {
    "min_resource", "reduction", "warmup_trials", "deterministic", NULL};
static const char *const function_keys[] = {
    "type", "name", "sleep", "fail_rate", "nan_rate", NULL};
static const char *const mlp_keys[] = {
    "type", "dataset", "label", "task", "valid_split", "test_split", "epochs", "patience",
    NULL};
static const char *const command_keys[] = {
    "type", "command", "timeout", "kill_grace", NULL};
static const char *const sections[] = {
    "study", "sampler", "pruner", "objective", "params", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static int fail_at(char *err, const hp_ini *ini, int line, const char *fmt, const char *a,
                   const char *b)
{
    char msg[HP_ERR_LEN];
    snprintf(msg, sizeof msg, fmt, a, b);
    if (line > 0)
        snprintf(err, HP_ERR_LEN, "%s:%d: %s", ini->path, line, msg);
    else
        snprintf(err, HP_ERR_LEN, "%s: %s", ini->path, msg);
    return -1;
}

/* Refuses any key of [SECTION] not in KEYS; HINT ends the message. */
static int reject_unknown_keys(const hp_ini *ini, const char *section,
                               const char *const *keys, const char *hint, char *err)
{
    for (int i = 0; i < ini->n_entries; i++) {
        const hp_ini_entry *e = &ini->entries[i];
        if (strcmp(e->section, section) == 0 && !in_list(keys, e->key)) {
            char where[64];
            snprintf(where, sizeof where, "[%s]", section);
            return fail_at(err, ini, e->line, "unknown key '%s' in %s", e->key,
                           hint[0] ? hint : where);
        }
    }
    return 0;
}

static int parse_int64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int study_parse_duration(const char *s, double *seconds)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    double unit = 1;
    if (*end == 's')
        unit = 1;
    else if (*end == 'm')
        unit = 60;
    else if (*end == 'h')
        unit = 3600;
    else if (*end == 'd')
        unit = 86400;
    else if (*end)
        return -1;
    if (*end && end[1])
        return -1;
    *seconds = v * unit;
    return 0;
}

/* The value of [section] key, or DEF when absent; *line gets its line. */
static const char *get(const hp_ini *ini, const char *section, const char *key,
                       const char *def, int *line)
{
    const hp_ini_entry *e = ini_get(ini, section, key);
    *line = e ? e->line : ini_section_line(ini, section);
    return e ? e->value : def;
}

static char *resolve_path(const char *study_path, const char *rel)
{
    if (rel[0] == '/')
        return strdup(rel);
    const char *slash = strrchr(study_path, '/');
    size_t dir_len = slash ? (size_t)(slash - study_path) + 1 : 0;
    size_t n = dir_len + strlen(rel) + 1;
    char *p = malloc(n);
    if (!p)
        return NULL;
    memcpy(p, study_path, dir_len);
    strcpy(p + dir_len, rel);
    return p;
}

/* Placeholders a command may use: the parameters and the trial's facts. */
static const char *placeholder_known(void *ctx, const char *name)
{
    const hp_study_config *cfg = ctx;
    if (strcmp(name, "trial") == 0 || strcmp(name, "seed") == 0 ||
        strcmp(name, "study") == 0 || strcmp(name, "trial_dir") == 0 ||
        strcmp(name, "study_dir") == 0)
        return "";
    return space_find(cfg->space, name) >= 0 ? "" : NULL;
}

static int load_command(hp_study_config *cfg, char *err)
{
    const hp_ini *ini = &cfg->ini;
    int line;
    if (reject_unknown_keys(ini, "objective", command_keys, "[objective] for type = command "
                            "(expected command, timeout or kill_grace)", err))
        return -1;
    const char *cmd = get(ini, "objective", "command", NULL, &line);
    if (!cmd || !*cmd)
        return fail_at(err, ini, line, "type = command needs 'command' (the program "
                       "and its arguments, with {param} placeholders)%s%s", "", "");
    char msg[HP_ERR_LEN];
    char **words;
    if (cmdline_split(cmd, &words, msg, sizeof msg) < 0)
        return fail_at(err, ini, line, "command: %s%s", msg, "");
    for (char **w = words; *w; w++) {
        char *x = cmdline_expand(*w, placeholder_known, cfg, msg, sizeof msg);
        if (!x) {
            cmdline_free(words);
            return fail_at(err, ini, line, "command: %s%s", msg, "");
        }
        free(x);
    }
    cmdline_free(words);
    cfg->command = strdup(cmd);
    cfg->command_line = line;
    const char *v;
    if ((v = get(ini, "objective", "timeout", NULL, &line)) &&
        (study_parse_duration(v, &cfg->trial_timeout_s) || cfg->trial_timeout_s <= 0))
        return fail_at(err, ini, line, "timeout must be a duration like 90s or 10m, got "
                       "'%s'%s", v, "");
    cfg->kill_grace_s = 5;
    if ((v = get(ini, "objective", "kill_grace", NULL, &line)) &&
        study_parse_duration(v, &cfg->kill_grace_s))
        return fail_at(err, ini, line, "kill_grace must be a duration like 5s, got "
                       "'%s'%s", v, "");
    if (!cfg->command) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    return 0;
}

static int load_mlp(hp_study_config *cfg, char *err)
{
    const hp_ini *ini = &cfg->ini;
    int line;
    if (reject_unknown_keys(ini, "objective", mlp_keys, "[objective] for type = mlp "
                            "(expected dataset, label, task, valid_split, test_split, epochs "
                            "or patience)", err))
        return -1;
    const char *v = get(ini, "objective", "dataset", NULL, &line);
    if (!v || !*v)
        return fail_at(err, ini, line, "type = mlp needs 'dataset' (a CSV file with a header "
                       "row)%s%s", "", "");
    if (strncmp(v, "idx:", 4) == 0) {
        /* idx:IMAGES:LABELS, each resolved against the study file */
        const char *colon = strchr(v + 4, ':');
        if (!colon || colon == v + 4 || !colon[1])
            return fail_at(err, ini, line, "an IDX data set is idx:IMAGES:LABELS, got '%s'%s",
                           v, "");
        char images[2048];
        snprintf(images, sizeof images, "%.*s", (int)(colon - v - 4), v + 4);
        cfg->dataset = resolve_path(cfg->path, images);
        cfg->idx_labels = resolve_path(cfg->path, colon + 1);
        if (!cfg->idx_labels) {
            snprintf(err, HP_ERR_LEN, "out of memory");
            return -1;
        }
    } else {
        cfg->dataset = resolve_path(cfg->path, v);
    }
    if ((v = get(ini, "objective", "label", NULL, &line)))
        cfg->label = strdup(v);
    v = get(ini, "objective", "task", "classification", &line);
    if (strcmp(v, "classification") == 0)
        cfg->classification = 1;
    else if (strcmp(v, "regression") == 0)
        cfg->classification = 0;
    else
        return fail_at(err, ini, line, "task must be classification or regression, got "
                       "'%s'%s", v, "");
    if (cfg->idx_labels && !cfg->classification)
        return fail_at(err, ini, line, "an IDX data set holds class labels: task must be "
                       "classification%s%s", "", "");
    cfg->valid_split = 0.15;
    cfg->test_split = 0.15;
    if ((v = get(ini, "objective", "valid_split", NULL, &line)) &&
        (parse_double(v, &cfg->valid_split) || cfg->valid_split <= 0 ||
         cfg->valid_split >= 0.9))
        return fail_at(err, ini, line, "valid_split must be a fraction in (0, 0.9), got "
                       "'%s'%s", v, "");
    if ((v = get(ini, "objective", "test_split", NULL, &line)) &&
        (parse_double(v, &cfg->test_split) || cfg->test_split < 0 || cfg->test_split >= 0.9))
        return fail_at(err, ini, line, "test_split must be a fraction in [0, 0.9), got '%s'%s",
                       v, "");
    if (cfg->valid_split + cfg->test_split >= 0.95)
        return fail_at(err, ini, line, "valid_split + test_split leave too little to train "
                       "on%s%s", "", "");
    int64_t n;
    cfg->epochs = 20;
    if ((v = get(ini, "objective", "epochs", NULL, &line)) &&
        (parse_int64(v, &n) || n < 1 || n > 100000))
        return fail_at(err, ini, line, "epochs must be a positive integer, got '%s'%s", v, "");
    if (v)
        cfg->epochs = (int)n;
    cfg->patience = 0;
    if ((v = get(ini, "objective", "patience", NULL, &line)) &&
        (parse_int64(v, &n) || n < 0 || n > 100000))
        return fail_at(err, ini, line, "patience must be an integer >= 0, got '%s'%s", v, "");
    if (v)
        cfg->patience = (int)n;
    if (!mlp_metric_known(cfg->metric)) {
        get(ini, "study", "metric", NULL, &line);
        return fail_at(err, ini, line, "the mlp objective reports no metric '%s' (it reports "
                       "%s)", cfg->metric, MLP_METRICS);
    }
    /* every value a parameter can take must mean something to the network */
    char msg[HP_ERR_LEN];
    for (int i = 0; i < space_size(cfg->space); i++) {
        const hp_param *p = space_param(cfg->space, i);
        int pline = ini_get(ini, "params", p->name)->line;
        if (p->kind == HP_PARAM_CHOICE || p->kind == HP_PARAM_FIXED) {
            for (int k = 0; k < p->n_choices; k++)
                if (mlp_param_check(p->name, p->numeric ? p->choice_num[k] : NAN,
                                    p->choices[k], msg))
                    return fail_at(err, ini, pline, "%s%s", msg, "");
        } else if (mlp_param_check(p->name, p->lo, NULL, msg) ||
                   mlp_param_check(p->name, p->hi, NULL, msg)) {
            return fail_at(err, ini, pline, "%s%s", msg, "");
        }
    }
    if (!cfg->dataset || (get(ini, "objective", "label", NULL, &line) && !cfg->label)) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    return 0;
}

static int load_objective(hp_study_config *cfg, char *err)
{
    const hp_ini *ini = &cfg->ini;
    int line;
    cfg->has_objective = ini_section_line(ini, "objective") > 0;
    if (!cfg->has_objective)
        return 0;
    const char *type = get(ini, "objective", "type", NULL, &line);
    if (!type)
        return fail_at(err, ini, line, "[objective] needs 'type' (function, mlp or "
                       "command)%s%s", "", "");
    if (strcmp(type, "command") == 0) {
        cfg->objective_type = strdup(type);
        return cfg->objective_type ? load_command(cfg, err) : -1;
    }
    if (strcmp(type, "mlp") == 0) {
        cfg->objective_type = strdup(type);
        return cfg->objective_type ? load_mlp(cfg, err) : -1;
    }
    if (strcmp(type, "function") != 0) {
        return fail_at(err, ini, line, "unknown objective type '%s' (expected "
                       "function, mlp or command)%s", type, "");
    }
    cfg->objective_type = strdup(type);
    if (reject_unknown_keys(ini, "objective", function_keys, "[objective] for type = "
                            "function (expected name, sleep, fail_rate or nan_rate)", err))
        return -1;
    const char *fname = get(ini, "objective", "name", NULL, &line);
    if (!fname)
        return fail_at(err, ini, line, "type = function needs 'name' (one of %s)%s",
                       FUNCTION_NAMES, "");
    const hp_function_info *f = function_find(fname);
    if (!f)
        return fail_at(err, ini, line, "unknown function '%s' (expected one of %s)",
                       fname, FUNCTION_NAMES);
    cfg->function_name = strdup(fname);
    int d = 0;
    for (int i = 0; i < space_size(cfg->space); i++) {
        const hp_param *p = space_param(cfg->space, i);
        if (!space_value_is_numeric(cfg->space, i)) {
            return fail_at(err, ini, ini_get(ini, "params", p->name)->line,
                           "function '%s' takes numeric parameters; '%s' is not "
                           "numeric", fname, p->name);
        }
        d++;
    }
    if (d == 0)
        return fail_at(err, ini, ini_section_line(ini, "params"),
                       "function '%s' needs its coordinates in [params]%s", fname, "");
    if (f->dim && d != f->dim) {
        char want[32];
        snprintf(want, sizeof want, "%d", f->dim);
        return fail_at(err, ini, ini_section_line(ini, "params"),
                       "function '%s' takes %s parameters", fname, want);
    }
    const char *v;
    if ((v = get(ini, "objective", "sleep", NULL, &line)) &&
        study_parse_duration(v, &cfg->sleep_s))
        return fail_at(err, ini, line, "sleep must be a duration like 0.2s or 1m, "
                       "got '%s'%s", v, "");
    if ((v = get(ini, "objective", "fail_rate", NULL, &line)) &&
        (parse_double(v, &cfg->fail_rate) || cfg->fail_rate < 0 || cfg->fail_rate > 1))
        return fail_at(err, ini, line, "fail_rate must be a number in [0, 1], got "
                       "'%s'%s", v, "");
    if ((v = get(ini, "objective", "nan_rate", NULL, &line)) &&
        (parse_double(v, &cfg->nan_rate) || cfg->nan_rate < 0 || cfg->nan_rate > 1))
        return fail_at(err, ini, line, "nan_rate must be a number in [0, 1], got "
                       "'%s'%s", v, "");
    return 0;
}

static int load_study(hp_study_config *cfg, int cores, char *err)
{
    const hp_ini *ini = &cfg->ini;
    int line;
    const char *v;
    for (int i = 0; i < ini->n_sections; i++)
        if (!in_list(sections, ini->sections[i].name))
            return fail_at(err, ini, ini->sections[i].line, "unknown section [%s] "
                           "(expected study, sampler, pruner, objective or params)%s",
                           ini->sections[i].name, "");
    if (reject_unknown_keys(ini, "study", study_keys, "", err) ||
        reject_unknown_keys(ini, "pruner", pruner_keys, "", err))
        return -1;
    if (!ini_section_line(ini, "study"))
        return fail_at(err, ini, 0, "missing [study] section%s%s", "", "");
    const char *name = get(ini, "study", "name", NULL, &line);
    if (!name || !*name)
        return fail_at(err, ini, line, "[study] needs a 'name'%s%s", "", "");
    if (strlen(name) > 200)
        return fail_at(err, ini, line, "the study name is longer than 200 characters%s%s",
                       "", "");
    cfg->name = strdup(name);

    char default_db[1024];
    snprintf(default_db, sizeof default_db, "%s.db", name);
    v = get(ini, "study", "storage", default_db, &line);
    if (strstr(v, "://"))
        return fail_at(err, ini, line, "storage '%s' is not supported; give a SQLite "
                       "file path%s", v, "");
    cfg->storage = resolve_path(cfg->path, v);

    v = get(ini, "study", "direction", "minimize", &line);
    if (strcmp(v, "minimize") == 0)
        cfg->maximize = 0;
    else if (strcmp(v, "maximize") == 0)
        cfg->maximize = 1;
    else
        return fail_at(err, ini, line, "direction must be minimize or maximize, got "
                       "'%s'%s", v, "");
    cfg->metric = strdup(get(ini, "study", "metric", "value", &line));

    v = get(ini, "study", "trials", NULL, &line);
    if (v && (parse_int64(v, &cfg->trials) || cfg->trials <= 0))
        return fail_at(err, ini, line, "trials must be a positive integer, got '%s'%s",
                       v, "");
    if (!v)
        cfg->trials = -1; /* grid: the whole grid; others: an error below */

    int64_t n;
    v = get(ini, "study", "workers", NULL, &line);
    if (v && (parse_int64(v, &n) || n < 1 || n > 1024))
        return fail_at(err, ini, line, "workers must be an integer from 1 to 1024, got "
                       "'%s'%s", v, "");
    cfg->workers = v ? (int)n : cores;
    v = get(ini, "study", "threads", NULL, &line);
    if (v && (parse_int64(v, &n) || n < 1 || n > 1024))
        return fail_at(err, ini, line, "threads must be an integer from 1 to 1024, got "
                       "'%s'%s", v, "");
    cfg->threads = v ? (int)n : (cores / cfg->workers > 0 ? cores / cfg->workers : 1);

    v = get(ini, "study", "seed", "0", &line);
    if (parse_int64(v, &n) || n < 0)
        return fail_at(err, ini, line, "seed must be a non-negative integer, got '%s'%s",
                       v, "");
    cfg->seed = (uint64_t)n;

    v = get(ini, "study", "sampler", "random", &line);
    if (!sampler_known(v))
        return fail_at(err, ini, line, "unknown sampler '%s' (expected %s)", v,
                       SAMPLER_NAMES);
    cfg->sampler = strdup(v);
    sampler_options_init(&cfg->sampler_opt);
    cfg->sampler_opt.maximize = cfg->maximize;
    for (int i = 0; i < ini->n_entries; i++) {
        const hp_ini_entry *e = &ini->entries[i];
        char msg[HP_ERR_LEN];
        if (strcmp(e->section, "sampler") == 0 &&
            sampler_option_set(v, &cfg->sampler_opt, e->key, e->value, msg))
            return fail_at(err, ini, e->line, "%s%s", msg, "");
    }

    v = get(ini, "study", "timeout", NULL, &line);
    if (v && (study_parse_duration(v, &cfg->timeout_s) || cfg->timeout_s <= 0))
        return fail_at(err, ini, line, "timeout must be a duration like 90s, 30m or 2h, "
                       "got '%s'%s", v, "");

    v = get(ini, "study", "pruner", "none", &line);
    hp_pruner_config *pc = &cfg->pruner_cfg;
    memset(pc, 0, sizeof *pc);
    if (strcmp(v, "none") == 0)
        pc->kind = PRUNER_NONE;
    else if (strcmp(v, "median") == 0)
        pc->kind = PRUNER_MEDIAN;
    else if (strcmp(v, "asha") == 0)
        pc->kind = PRUNER_ASHA;
    else
        return fail_at(err, ini, line, "unknown pruner '%s' (expected none, median or "
                       "asha)%s", v, "");
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
        if (parse_int64(e->value, &n) || n < lo || n > 1000000)
            return fail_at(err, ini, e->line, lo == 2 ? "%s must be an integer >= 2, got '%s'"
                                                      : lo == 1 ? "%s must be an integer >= 1, got '%s'"
                                                                : "%s must be an integer >= 0, got '%s'",
                           e->key, e->value);
        if (strcmp(e->key, "min_resource") == 0)
            pc->min_resource = (int)n;
        else if (strcmp(e->key, "reduction") == 0)
            pc->reduction = (int)n;
        else
            pc->warmup_trials = (int)n;
    }
    return 0;
}

static int load_params(hp_study_config *cfg, char *err)
{
    const hp_ini *ini = &cfg->ini;
    char msg[HP_ERR_LEN];
    cfg->space = space_new();
    if (!cfg->space) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    for (int i = 0; i < ini->n_entries; i++) {
        const hp_ini_entry *e = &ini->entries[i];
        if (strcmp(e->section, "params") != 0)
            continue;
        if (space_add(cfg->space, e->key, e->value, msg))
            return fail_at(err, ini, e->line, "parameter '%s': %s", e->key, msg);
    }
    if (space_size(cfg->space) == 0)
        return fail_at(err, ini, ini_section_line(ini, "params"),
                       "the study has no parameters: add a [params] section%s%s", "", "");
    return 0;
}

static int study_validate(const char *path, int cores, hp_study_config *cfg, char *err);

int study_load(const char *path, int cores, hp_study_config *cfg, char *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (ini_load(path, &cfg->ini, err, HP_ERR_LEN))
        return -1;
    return study_validate(path, cores, cfg, err);
}

int study_load_text(const char *path, const char *text, int cores, hp_study_config *cfg,
                    char *err)
{
    memset(cfg, 0, sizeof *cfg);
    if (ini_load_text(path, text, &cfg->ini, err, HP_ERR_LEN))
        return -1;
    return study_validate(path, cores, cfg, err);
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
    if (load_study(cfg, cores, err) || load_params(cfg, err) || load_objective(cfg, err))
        goto fail;
    /* ASHA's rungs stop below the objective's last step */
    if (cfg->objective_type && strcmp(cfg->objective_type, "mlp") == 0)
        cfg->pruner_cfg.max_resource = cfg->epochs;
    /* benchmark functions are deterministic: the gp sampler need not learn
       noise for them, unless [sampler] says otherwise */
    if (cfg->objective_type && strcmp(cfg->objective_type, "function") == 0 &&
        !ini_get(&cfg->ini, "sampler", "deterministic") && cfg->nan_rate == 0)
        cfg->sampler_opt.deterministic = 1;
    if (!cfg->name || !cfg->storage || !cfg->metric || !cfg->sampler || !cfg->pruner) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        goto fail;
    }
    /* the sampler validates the space for itself (grid needs steps) */
    if (strcmp(cfg->sampler, "grid") == 0) {
        uint64_t points;
        int line;
        get(&cfg->ini, "study", "sampler", NULL, &line);
        char msg[HP_ERR_LEN];
        if (space_grid_size(cfg->space, 1ULL << 40, &points, msg)) {
            fail_at(err, &cfg->ini, line, "%s%s", msg, "");
            goto fail;
        }
        if (cfg->trials < 0 || (uint64_t)cfg->trials > points)
            cfg->trials = (int64_t)points;
    } else if (cfg->trials < 0) {
        int line = ini_section_line(&cfg->ini, "study");
        fail_at(err, &cfg->ini, line, "[study] needs 'trials' (how many finished trials "
                "the study wants)%s%s", "", "");
        goto fail;
    }
    return 0;
fail:
    study_deinit(cfg);
    return -1;
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
    free(cfg->objective_type);
    free(cfg->function_name);
    free(cfg->command);
    free(cfg->dataset);
    free(cfg->idx_labels);
    free(cfg->label);
    space_free(cfg->space);
    memset(cfg, 0, sizeof *cfg);
}
