/*
** Shared command-line plumbing; see cli.h.
*/
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proposer.h"

const hp_command cli_commands[] = {
    {"run", cmd_run,
     "hpsearch run STUDY.ini [--workers N] [--trials N] [--storage PATH] [--quiet]\n"
     "  Creates the study if it is new, resumes it if it exists, and runs trials\n"
     "  until the study has its finished trials.  Ctrl-C stops (exit 130); the\n"
     "  same command resumes."},
    {"status", cmd_status,
     "hpsearch status STUDY.ini|DB [--study NAME]\n"
     "  Trials by state, the best trial, and what is running."},
    {"best", cmd_best,
     "hpsearch best STUDY.ini|DB [--study NAME] [--format ini|json]\n"
     "  The best complete trial's parameters, ready to paste into a study file."},
    {"trials", cmd_trials,
     "hpsearch trials STUDY.ini|DB [--study NAME] [--format table|csv|json]\n"
     "                [--state complete|pruned|failed|running|waiting]\n"
     "                [--sort value|number] [--limit N]\n"
     "  Lists trials."},
    {"export", cmd_export,
     "hpsearch export STUDY.ini|DB [--study NAME] --format csv|json [-o FILE]\n"
     "  Every trial with its parameters and final metrics, one row each."},
    {"ask", cmd_ask,
     "hpsearch ask STUDY.ini [--format json|env]\n"
     "  Claims one trial and prints its parameters; exit 4 when the study has\n"
     "  its trials."},
    {"tell", cmd_tell,
     "hpsearch tell STUDY.ini TRIAL VALUE\n"
     "hpsearch tell STUDY.ini TRIAL --fail REASON\n"
     "hpsearch tell STUDY.ini TRIAL --step N VALUE\n"
     "  Records a trial's final value, its failure, or an intermediate value."},
    {"studies", cmd_studies,
     "hpsearch studies DB\n"
     "  Lists the studies in a database."},
    {NULL, NULL, NULL},
};

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hpsearch: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_fail(int code, const char *err)
{
    cli_error("%s", err && *err ? err : hp_strerror(code));
    return hp_exit_code(code);
}

void cli_usage(FILE *out, const char *name)
{
    if (name) {
        for (const hp_command *c = cli_commands; c->name; c++)
            if (strcmp(c->name, name) == 0) {
                fprintf(out, "usage: %s\n", c->usage);
                return;
            }
        fprintf(out, "hpsearch: unknown command '%s'\n", name);
        return;
    }
    fprintf(out, "usage: hpsearch COMMAND [ARGS]\n\ncommands:\n");
    for (const hp_command *c = cli_commands; c->name; c++) {
        const char *nl = strchr(c->usage, '\n');
        fprintf(out, "  %.*s\n", nl ? (int)(nl - c->usage) : (int)strlen(c->usage),
                c->usage);
    }
    fprintf(out, "\n'hpsearch COMMAND --help' tells more; 'hpsearch --version'.\n"
                 "Exit codes: 0 ok, 1 runtime failure, 2 bad input, 4 nothing to ask,\n"
                 "130 interrupted (resumable).\n");
}

int cli_parse(int argc, char **argv, hp_option *opts, int n_opts, const char **pos,
              int max_pos, int *n_pos)
{
    *n_pos = 0;
    int options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int is_option = !options_done && (strncmp(a, "--", 2) == 0 ||
                                          strcmp(a, "-o") == 0 || strcmp(a, "-h") == 0);
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = 1;
            continue;
        }
        if (is_option) {
            if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                cli_usage(stdout, argv[0]);
                return -1;
            }
            char name[64];
            const char *eq = strchr(a, '=');
            snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
            hp_option *o = NULL;
            for (int k = 0; k < n_opts; k++)
                if (strcmp(opts[k].name, name) == 0)
                    o = &opts[k];
            if (!o) {
                cli_error("%s: unknown option '%s'; see 'hpsearch %s --help'", argv[0],
                          name, argv[0]);
                return 2;
            }
            if (!o->takes_value) {
                if (eq) {
                    cli_error("%s: option '%s' takes no value", argv[0], name);
                    return 2;
                }
                o->value = "1";
            } else if (eq) {
                o->value = eq + 1;
            } else if (i + 1 < argc) {
                o->value = argv[++i];
            } else {
                cli_error("%s: option '%s' needs a value", argv[0], name);
                return 2;
            }
            continue;
        }
        if (*n_pos == max_pos) {
            cli_error("%s: unexpected argument '%s'; see 'hpsearch %s --help'", argv[0], a,
                      argv[0]);
            return 2;
        }
        pos[(*n_pos)++] = a;
    }
    return 0;
}

int cli_parse_count(const char *opt, const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v <= 0) {
        cli_error("%s must be a positive integer, got '%s'", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static int is_sqlite_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char head[16] = {0};
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == 16 && memcmp(head, "SQLite format 3", 16) == 0;
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

int cli_open_target(const char *target, const char *study_name, hp_target *t)
{
    char err[HP_ERR_LEN];
    memset(t, 0, sizeof *t);
    const char *db_path = target;
    const char *name = study_name;
    if (access(target, F_OK) != 0) {
        cli_error("no such file '%s'", target);
        return 2;
    }
    if (!is_sqlite_file(target)) {
        if (study_load(target, cores(), &t->cfg, err)) {
            cli_error("%s", err);
            return 2;
        }
        t->has_cfg = 1;
        db_path = t->cfg.storage;
        if (!name)
            name = t->cfg.name;
        if (access(db_path, F_OK) != 0) {
            cli_error("study '%s' has not been run yet (no database '%s')", t->cfg.name,
                      db_path);
            cli_close_target(t);
            return 2;
        }
    }
    int rc = store_open(db_path, 0, &t->store, err);
    if (rc) {
        cli_close_target(t);
        return cli_fail(rc, err);
    }
    study_names names = {0, "", {0}};
    buf_init(&names.names);
    if (!name) {
        if ((rc = store_list_studies(t->store, collect_name, &names, err))) {
            buf_deinit(&names.names);
            cli_close_target(t);
            return cli_fail(rc, err);
        }
        if (names.n != 1) {
            if (names.n == 0)
                cli_error("'%s' holds no studies", db_path);
            else
                cli_error("'%s' holds %d studies (%s): choose one with --study NAME",
                          db_path, names.n, buf_str(&names.names));
            buf_deinit(&names.names);
            cli_close_target(t);
            return 2;
        }
        name = names.first;
    }
    int found;
    rc = store_find_study(t->store, name, &t->study, &found, err);
    buf_deinit(&names.names);
    if (rc) {
        cli_close_target(t);
        return cli_fail(rc, err);
    }
    if (!found) {
        cli_error("no study '%s' in '%s'; 'hpsearch studies %s' lists them", name, db_path,
                  db_path);
        cli_close_target(t);
        return 2;
    }
    return 0;
}

void cli_close_target(hp_target *t)
{
    store_close(t->store);
    if (t->has_cfg)
        study_deinit(&t->cfg);
    memset(t, 0, sizeof *t);
}

/* Checks that the stored study is the one the file describes. */
static int check_same_study(const hp_study_config *cfg, const hp_study_row *row,
                            const char *hash)
{
    const char *direction = cfg->maximize ? "maximize" : "minimize";
    if (strcmp(row->space_hash, hash) != 0) {
        cli_error("%s: study '%s' already exists in '%s' with a different search space; "
                  "give this study a new name (e.g. name = %s-2) or another storage",
                  cfg->path, cfg->name, cfg->storage, cfg->name);
        return 2;
    }
    if (strcmp(row->direction, direction) != 0 || strcmp(row->metric, cfg->metric) != 0) {
        cli_error("%s: study '%s' in '%s' %ss '%s', not %s '%s'; give this study a new "
                  "name", cfg->path, cfg->name, cfg->storage, row->direction, row->metric,
                  direction, cfg->metric);
        return 2;
    }
    return 0;
}

int cli_prepare_study(const char *path, const char *storage_override, int64_t trials,
                      hp_target *t)
{
    char err[HP_ERR_LEN];
    memset(t, 0, sizeof *t);
    if (study_load(path, cores(), &t->cfg, err)) {
        cli_error("%s", err);
        return 2;
    }
    t->has_cfg = 1;
    if (storage_override) {
        if (strstr(storage_override, "://")) {
            cli_error("--storage '%s' is not supported; give a SQLite file path",
                      storage_override);
            cli_close_target(t);
            return 2;
        }
        char *s = strdup(storage_override);
        if (!s) {
            cli_close_target(t);
            return cli_fail(HP_ENOMEM, NULL);
        }
        free(t->cfg.storage);
        t->cfg.storage = s;
    }
    if (trials > 0)
        t->cfg.trials = trials;
    hp_study_config *cfg = &t->cfg;
    /* no look at the file here: another process may be creating it right
       now; store_open lets SQLite judge it before anything is written */
    int rc = store_open(cfg->storage, 1, &t->store, err);
    if (rc) {
        cli_close_target(t);
        return cli_fail(rc, err);
    }
    char hash[17];
    space_hash(cfg->space, hash);
    for (int attempt = 0; attempt < 2; attempt++) {
        int found;
        if ((rc = store_find_study(t->store, cfg->name, &t->study, &found, err)))
            break;
        if (found) {
            int code = check_same_study(cfg, &t->study, hash);
            if (code) {
                cli_close_target(t);
                return code;
            }
            if (t->study.trials != cfg->trials &&
                (rc = store_set_trials(t->store, t->study.study_id, cfg->trials, err)))
                break;
            t->study.trials = cfg->trials;
            return 0;
        }
        hp_study_row row;
        memset(&row, 0, sizeof row);
        snprintf(row.name, sizeof row.name, "%s", cfg->name);
        snprintf(row.direction, sizeof row.direction, "%s",
                 cfg->maximize ? "maximize" : "minimize");
        snprintf(row.metric, sizeof row.metric, "%s", cfg->metric);
        snprintf(row.sampler, sizeof row.sampler, "%s", cfg->sampler);
        memcpy(row.space_hash, hash, sizeof hash);
        row.seed = cfg->seed;
        row.trials = cfg->trials;
        rc = store_create_study(t->store, &row, cfg->ini.text, err);
        if (rc == HP_OK) {
            t->study = row;
            return 0;
        }
        if (rc != HP_EINPUT)
            break;
        /* another process created it between our look and our insert */
    }
    cli_close_target(t);
    return cli_fail(rc ? rc : HP_ESTORAGE, err);
}

int cli_importance(hp_target *t, hp_buf *out, int json)
{
    char err[HP_ERR_LEN];
    buf_reset(out);
    if (strcmp(t->study.sampler, "gp") != 0)
        return -1;
    hp_study_config stored, *cfg = &t->cfg;
    int own = 0;
    if (!t->has_cfg) {
        hp_buf text;
        buf_init(&text);
        int rc = store_study_config(t->store, t->study.study_id, &text, err);
        rc = rc || study_load_text("stored study", buf_str(&text), 1, &stored, err);
        buf_deinit(&text);
        if (rc)
            return -1;
        cfg = &stored;
        own = 1;
    }
    hp_proposer *p = NULL;
    int d = space_dim(cfg->space), rc = -1;
    double *imp = calloc((size_t)d + 1, sizeof *imp);
    int *order = calloc((size_t)d + 1, sizeof *order);
    if (imp && order && proposer_new(cfg, &p, err) == 0) {
        proposer_set_store(p, t->store, t->study.study_id);
        rc = proposer_importance(p, imp, err);
    }
    if (rc == 0) {
        /* searched parameters in order of importance */
        const char *names[64];
        int k = 0;
        for (int i = 0; i < space_size(cfg->space) && k < d && k < 64; i++)
            if (space_param(cfg->space, i)->kind != HP_PARAM_FIXED)
                names[k++] = space_param(cfg->space, i)->name;
        for (int j = 0; j < k; j++)
            order[j] = j;
        for (int a = 0; a < k; a++)
            for (int b = a + 1; b < k; b++)
                if (imp[order[b]] > imp[order[a]]) {
                    int tmp = order[a];
                    order[a] = order[b];
                    order[b] = tmp;
                }
        buf_puts(out, json ? "{" : "");
        for (int j = 0; j < k; j++) {
            if (json) {
                buf_printf(out, "%s", j ? ", " : "");
                buf_json_string(out, names[order[j]]);
                buf_printf(out, ": %.4f", imp[order[j]]);
            } else {
                buf_printf(out, "%s%s %.2f", j ? ", " : "", names[order[j]], imp[order[j]]);
            }
        }
        buf_puts(out, json ? "}" : "");
    }
    proposer_free(p);
    free(imp);
    free(order);
    if (own)
        study_deinit(&stored);
    return rc == 0 && buf_ok(out) ? 0 : -1;
}
