/*
** The command table and what every command shares: parsing options by
** their spec, checking positionals, the setup the flags ask for, usage
** and help, and turning a status into an exit code.
*/
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "suggest.h"

static const hp_option_spec study_only[] = {
    {"--study", "NAME", "the study to use when the database holds several"},
    {"--storage", "DB", "the database (an SQLite file or a postgresql:// URL), instead of "
     "the file's storage"},
    {NULL, NULL, NULL}};

static const hp_option_spec run_options[] = {
    {"--workers", "N", "trials run at once in this process (default: the file's workers, "
     "else the cores); kernel threads per trial follow: the file's threads, else cores / N"},
    {"--trials", "N", "the study's total of finished trials (not how many more to run)"},
    {"--storage", "DB", "the database (an SQLite file or a postgresql:// URL), instead of "
     "the file's storage"},
    {"--connections", "N", "PostgreSQL sessions this process's workers share when their "
     "storage calls are short (no model-based sampler, no pruner; default 2)"},
    {"--retry-failed", NULL, "first put the study's FAILED trials back in the queue, with "
     "their numbers and parameters (after fixing the objective)"},
    {"--report", "FILE", "keep FILE, the study's HTML report, up to date: every 10 s and "
     "at the end"},
    {"--quiet", NULL, "print nothing but errors"},
    {NULL, NULL, NULL}};

static const hp_option_spec best_options[] = {
    {"--study", "NAME", "the study to use when the database holds several"},
    {"--storage", "DB", "the database (an SQLite file or a postgresql:// URL), instead of "
     "the file's storage"},
    {"--format", "ini|json", "ini (default): a [params] block to paste into a study file"},
    {NULL, NULL, NULL}};

static const hp_option_spec trials_options[] = {
    {"--study", "NAME", "the study to use when the database holds several"},
    {"--storage", "DB", "the database (an SQLite file or a postgresql:// URL), instead of "
     "the file's storage"},
    {"--format", "table|csv|json", "output format (default table)"},
    {"--state", "STATE", "only trials in STATE: complete, pruned, failed, running, waiting"},
    {"--sort", "value|number", "order by value (best first) or by number (default)"},
    {"--limit", "N", "at most N trials"},
    {NULL, NULL, NULL}};

static const hp_option_spec export_options[] = {
    {"--study", "NAME", "the study to use when the database holds several"},
    {"--storage", "DB", "the database (an SQLite file or a postgresql:// URL), instead of "
     "the file's storage"},
    {"--format", "csv|json", "output format (required)"},
    {"-o", "FILE", "write FILE whole or not at all, instead of standard output"},
    {"--output", "FILE", "the same as -o"},
    {NULL, NULL, NULL}};

static const hp_option_spec ask_options[] = {
    {"--format", "json|env", "json (default): {\"trial\": N, \"params\": {...}}; env: "
     "HPSEARCH_TRIAL=N and HPSEARCH_PARAM_<NAME>='value' lines for eval"},
    {"--storage", "DB", "the database (an SQLite file or a postgresql:// URL), instead of "
     "the file's storage"},
    {NULL, NULL, NULL}};

static const hp_option_spec tell_options[] = {
    {"--storage", "DB", "the database (an SQLite file or a postgresql:// URL), instead of "
     "the file's storage"},
    {"--fail", "REASON", "the trial failed, for REASON"},
    {"--step", "N", "VALUE is an intermediate value at step N (exit 3: the pruner says "
     "stop)"},
    {"--force", NULL, "record it even though a 'run' worker is running the trial (its "
     "own result is then refused)"},
    {NULL, NULL, NULL}};

static const hp_option_spec report_options[] = {
    {"--study", "NAME", "the study to use when the database holds several"},
    {"--storage", "DB", "the database (an SQLite file or a postgresql:// URL), instead of "
     "the file's storage"},
    {"-o", "FILE", "the page to write (default report.html), whole or not at all"},
    {"--output", "FILE", "the same as -o"},
    {"--watch", "N", "rewrite the page every N seconds until Ctrl-C; it reloads itself"},
    {NULL, NULL, NULL}};

static const hp_option_spec copy_options[] = {
    {"--study", "NAME", "the study to copy when the source holds several"},
    {NULL, NULL, NULL}};

static const hp_option_spec no_options[] = {{NULL, NULL, NULL}};

static const hp_command commands[] = {
    {"run", cmd_run, CMD_LOAD_STUDY, 1, 1, run_options,
     "hpsearch run STUDY.ini [--workers N] [--trials N] [--storage DB] [--retry-failed]\n"
     "                       [--connections N] [--report FILE] [--quiet]",
     "Creates the study if it is new, resumes it if it exists, and runs trials until the "
     "study has its finished trials.  Ctrl-C stops (exit 130); the same command resumes."},
    {"status", cmd_status, CMD_OPEN_TARGET, 1, 1, study_only,
     "hpsearch status STUDY.ini|DB|URL [--study NAME]",
     "Trials by state, the best trial, how trials run (workers x threads), the samplers "
     "that proposed them, and what is running."},
    {"best", cmd_best, CMD_OPEN_TARGET, 1, 1, best_options,
     "hpsearch best STUDY.ini|DB|URL [--study NAME] [--format ini|json]",
     "The best complete trial's parameters, ready to paste into a study file."},
    {"trials", cmd_trials, CMD_OPEN_TARGET, 1, 1, trials_options,
     "hpsearch trials STUDY.ini|DB|URL [--study NAME] [--format table|csv|json]\n"
     "                [--state complete|pruned|failed|running|waiting]\n"
     "                [--sort value|number] [--limit N]",
     "Lists trials."},
    {"export", cmd_export, CMD_OPEN_TARGET, 1, 1, export_options,
     "hpsearch export STUDY.ini|DB|URL [--study NAME] --format csv|json [-o FILE]",
     "Every trial with its parameters and final metrics, one row each."},
    {"ask", cmd_ask, CMD_LOAD_STUDY | CMD_OPEN_STUDY, 1, 1, ask_options,
     "hpsearch ask STUDY.ini [--format json|env] [--storage DB]",
     "Claims one trial and prints its parameters; exit 4 when the study has its trials."},
    {"tell", cmd_tell, CMD_OPEN_TARGET, 2, 3, tell_options,
     "hpsearch tell STUDY.ini TRIAL VALUE\n"
     "hpsearch tell STUDY.ini TRIAL --fail REASON\n"
     "hpsearch tell STUDY.ini TRIAL --step N VALUE",
     "Records an asked trial's final value, its failure, or an intermediate value."},
    {"studies", cmd_studies, 0, 1, 1, no_options, "hpsearch studies DB|URL",
     "Lists the studies in a database."},
    {"copy", cmd_copy, CMD_OPEN_TARGET, 2, 2, copy_options,
     "hpsearch copy STUDY.ini|DB|URL DB|URL [--study NAME]",
     "Copies a study with every trial, parameter, intermediate value and metric to another "
     "database (an SQLite file, created if missing, or a postgresql:// URL); trials running "
     "at the source arrive waiting.  Continue it there with run --storage."},
    {"report", cmd_report, CMD_OPEN_TARGET, 1, 1, report_options,
     "hpsearch report STUDY.ini|DB|URL [--study NAME] [-o report.html] [--watch N]",
     "Writes the study as one self-contained HTML page: summary, history, parameter "
     "importance, slices, parallel coordinates, contour, learning curves, timeline and "
     "failures.  It opens anywhere: no server, no network."},
    {NULL, NULL, 0, 0, 0, NULL, NULL, NULL},
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

const char *args_get(const hp_args *a, const char *name)
{
    for (int i = 0; a->specs[i].name; i++)
        if (strcmp(a->specs[i].name, name) == 0)
            return a->values[i];
    return NULL;
}

int args_count(const hp_args *a, const char *name, int64_t max, int64_t *out, char *err)
{
    const char *v = args_get(a, name);
    if (!v)
        return HP_OK;
    int64_t n;
    if (parse_int64(v, &n) || n <= 0) {
        snprintf(err, HP_ERR_LEN, "%s: %s must be a positive integer, got '%s'", a->command,
                 name, v);
        return HP_EINPUT;
    }
    if (max > 0 && n > max) {
        snprintf(err, HP_ERR_LEN, "%s: %s must be at most %lld", a->command, name,
                 (long long)max);
        return HP_EINPUT;
    }
    *out = n;
    return HP_OK;
}

static const hp_command *find_command(const char *name)
{
    for (const hp_command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static void usage_all(FILE *out)
{
    fprintf(out, "usage: hpsearch COMMAND [ARGS]\n\n");
    for (const hp_command *c = commands; c->name; c++)
        fprintf(out, "%s\n", c->forms);
    fprintf(out, "hpsearch version | --version | --help | help COMMAND | COMMAND --help\n\n"
                 "exit codes:\n");
    hp_print_exit_codes(out);
}

static void usage_command(FILE *out, const hp_command *c)
{
    fprintf(out, "usage: %s\n\n%s\n", c->forms, c->summary);
    if (c->options[0].name)
        fprintf(out, "\noptions:\n");
    for (const hp_option_spec *o = c->options; o->name; o++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-22s %s\n", head, o->help);
    }
}

/* Splits argv into options (by C's spec) and positionals.  A word starting
** with "--" (or "-o", "-h") is an option; anything else, "-1.5" included,
** is positional; "--" ends options.  Returns HP_OK, HP_EINPUT with err, or
** 1 when --help was asked (usage printed). */
static int parse_args(const hp_command *c, int argc, char **argv, hp_args *a, char *err)
{
    memset(a, 0, sizeof *a);
    a->command = c->name;
    a->specs = c->options;
    const char *names[CLI_MAX_OPTIONS + 1];
    int n_specs = 0;
    while (c->options[n_specs].name)
        names[n_specs] = c->options[n_specs].name, n_specs++;
    names[n_specs] = NULL;
    int options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (!options_done && strcmp(w, "--") == 0) {
            options_done = 1;
            continue;
        }
        int is_option = !options_done && (strncmp(w, "--", 2) == 0 || strcmp(w, "-o") == 0 ||
                                           strcmp(w, "-h") == 0);
        if (!is_option) {
            if (a->n_pos == c->max_pos) {
                snprintf(err, HP_ERR_LEN, "%s: unexpected argument '%s'; usage: %s", c->name,
                         w, c->forms);
                return HP_EINPUT;
            }
            a->pos[a->n_pos++] = w;
            continue;
        }
        if (strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0) {
            usage_command(stdout, c);
            return 1;
        }
        char name[64];
        const char *eq = strchr(w, '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - w) : (int)strlen(w), w);
        int k = 0;
        while (k < n_specs && strcmp(names[k], name) != 0)
            k++;
        if (k == n_specs) {
            char hint[96];
            snprintf(err, HP_ERR_LEN, "%s: unknown option '%s'%s; see 'hpsearch %s --help'",
                     c->name, name, suggest_hint(name, names, hint, sizeof hint), c->name);
            return HP_EINPUT;
        }
        const hp_option_spec *o = &c->options[k];
        if (!o->arg) {
            if (eq) {
                snprintf(err, HP_ERR_LEN, "%s: option '%s' takes no value", c->name, name);
                return HP_EINPUT;
            }
            a->values[k] = "1";
        } else if (eq) {
            a->values[k] = eq + 1;
        } else if (i + 1 < argc) {
            a->values[k] = argv[++i];
        } else {
            snprintf(err, HP_ERR_LEN, "%s: option '%s' needs a value (%s)", c->name, name,
                     o->arg);
            return HP_EINPUT;
        }
    }
    if (a->n_pos < c->min_pos) {
        snprintf(err, HP_ERR_LEN, "%s: missing arguments; usage: %s", c->name, c->forms);
        return HP_EINPUT;
    }
    return HP_OK;
}

int cli_parse_command(const char *name, int argc, char **argv, hp_args *a, char *err)
{
    const hp_command *c = find_command(name);
    if (!c) {
        snprintf(err, HP_ERR_LEN, "unknown command '%s'", name);
        return HP_EINPUT;
    }
    return parse_args(c, argc, argv, a, err);
}

/* The setup the command's flags ask for. */
static int setup(const hp_command *c, const hp_args *a, hp_target *t, char *err)
{
    int rc;
    if (c->flags & CMD_LOAD_STUDY) {
        if ((rc = target_load_study(a->pos[0], t, err)))
            return rc;
        int64_t workers = 0, trials = 0;
        if ((rc = args_count(a, "--workers", 1024, &workers, err)) ||
            (rc = args_count(a, "--trials", 0, &trials, err)))
            return rc;
        if (study_apply_overrides(&t->cfg, (int)workers, trials, args_get(a, "--storage"),
                                  err))
            return HP_EINPUT;
    }
    if (c->flags & CMD_OPEN_STUDY)
        return target_open_study(t, err);
    if (c->flags & CMD_OPEN_TARGET)
        return target_open(a->pos[0], args_get(a, "--study"), args_get(a, "--storage"), t,
                           err);
    return HP_OK;
}

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        usage_all(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        if (argc >= 3 && strcmp(name, "help") == 0) {
            const hp_command *c = find_command(argv[2]);
            if (!c) {
                cli_error("unknown command '%s'; see 'hpsearch --help'", argv[2]);
                return 2;
            }
            usage_command(stdout, c);
            return 0;
        }
        usage_all(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("hpsearch %s\n", HPSEARCH_VERSION);
        return 0;
    }
    const hp_command *c = find_command(name);
    if (!c) {
        const char *names[16];
        int n = 0;
        for (const hp_command *k = commands; k->name && n < 14; k++)
            names[n++] = k->name;
        names[n++] = "version";
        names[n] = NULL;
        char hint[96];
        cli_error("unknown command '%s'%s; see 'hpsearch --help'", name,
                  suggest_hint(name, names, hint, sizeof hint));
        return 2;
    }
    char err[HP_ERR_LEN] = "";
    hp_args a;
    int rc = parse_args(c, argc - 1, argv + 1, &a, err);
    if (rc == 1)
        return 0;
    hp_target t;
    memset(&t, 0, sizeof t);
    if (rc == HP_OK)
        rc = setup(c, &a, &t, err);
    if (rc == HP_OK)
        rc = c->fn(&a, &t, err);
    target_close(&t);
    if (fflush(stdout) != 0 && rc == HP_OK) {
        snprintf(err, HP_ERR_LEN, "cannot write the output");
        rc = HP_ERUNTIME;
    }
    if (rc != HP_OK && err[0])
        cli_error("%s", err);
    return hp_exit_code(rc);
}
