/*
** The command objective (type = command): runs the user's program once per
** trial, without a shell, and reads its result from its output.  An
** evaluation reads as prepare (argv and environment with the trial's
** values) -> spawn (child.c) -> pump (its output into command_output.c,
** with the timeout and stop requests) -> classify (the outcome).
**
** The child runs in the study file's folder, so relative paths in the
** command work as they would in a shell there.  {trial_dir} is a fresh
** folder per run of the trial holding stdout.txt and stderr.txt;
** {checkpoint_dir} is kept across re-runs of the same trial and removed
** once it finishes.  Both are also in the environment, with the trial's
** parameters as HPSEARCH_PARAM_<NAME>.
*/
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "error.h"
#include "clock.h"
#include "cmdline.h"
#include "command_output.h"
#include "objective_impl.h"
#include "parse.h"

extern char **environ;

#define STDERR_TAIL_LINES 20
#define STDERR_TAIL_BYTES 8192

typedef struct {
    char *command;         /* the template, as written */
    double timeout_s;      /* per trial, 0 = none */
    double kill_grace_s;   /* SIGTERM to SIGKILL */
    const hp_space *space;
    const char *metric;
    const char *study_name;
} command_opts;

typedef struct {
    const command_opts *opts;
    char **words;          /* the template, split once */
    char *study_dir;       /* the study file's folder, absolute: the child's cwd */
} command_state;

static const char *const keys[] = {"type", "command", "timeout", "kill_grace", NULL};

/* What one evaluation needs for placeholders. */
typedef struct {
    const command_state *st;
    char **texts;          /* a text per parameter; NULL: inactive */
    int names_inactive;    /* the word being expanded names an inactive one */
    char trial[32], seed[32];
    const char *trial_dir, *checkpoint_dir;
} expand_ctx;

static const char *lookup(void *ctx, const char *name)
{
    expand_ctx *e = ctx;
    if (strcmp(name, "trial") == 0)
        return e->trial;
    if (strcmp(name, "seed") == 0)
        return e->seed;
    if (strcmp(name, "study") == 0)
        return e->st->opts->study_name;
    if (strcmp(name, "trial_dir") == 0)
        return e->trial_dir;
    if (strcmp(name, "checkpoint_dir") == 0)
        return e->checkpoint_dir;
    if (strcmp(name, "study_dir") == 0)
        return e->st->study_dir;
    int i = space_find(e->st->opts->space, name);
    if (i >= 0 && !e->texts[i]) {
        e->names_inactive = 1;
        return "";
    }
    return i >= 0 ? e->texts[i] : NULL;
}

/* At parse time: every placeholder must be known. */
static const char *placeholder_known(void *ctx, const char *name)
{
    const hp_space *space = ctx;
    static const char *const facts[] = {"trial", "seed", "study", "trial_dir",
                                        "checkpoint_dir", "study_dir", NULL};
    for (int i = 0; facts[i]; i++)
        if (strcmp(facts[i], name) == 0)
            return "";
    return space_find(space, name) >= 0 ? "" : NULL;
}

static void free_opts(void *opts)
{
    command_opts *o = opts;
    if (o)
        free(o->command);
    free(o);
}

static int parse(const hp_objective_setup *s, void **out, char *err)
{
    int line;
    const char *cmd = objective_get(s, "command", NULL, &line);
    if (!cmd || !*cmd)
        return objective_fail(s, line, err, "type = command needs 'command' (the program "
                              "and its arguments, with {param} placeholders)");
    char msg[HP_ERR_LEN];
    char **words;
    if (cmdline_split(cmd, &words, msg, sizeof msg) < 0)
        return objective_fail(s, line, err, "command: %s", msg);
    for (char **w = words; *w; w++) {
        char *x = cmdline_expand(*w, placeholder_known, (void *)s->space, msg, sizeof msg);
        if (!x) {
            cmdline_free(words);
            return objective_fail(s, line, err, "command: %s", msg);
        }
        free(x);
    }
    cmdline_free(words);
    command_opts *o = calloc(1, sizeof *o);
    if (!o || !(o->command = strdup(cmd))) {
        free(o);
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    o->space = s->space;
    o->metric = s->metric;
    o->study_name = s->study_name;
    o->kill_grace_s = 5;
    const char *v;
    if ((v = objective_get(s, "timeout", NULL, &line)) &&
        (parse_duration(v, &o->timeout_s) || o->timeout_s <= 0)) {
        free_opts(o);
        return objective_fail(s, line, err, "timeout must be a duration like 90s or 10m, "
                              "got '%s'", v);
    }
    if ((v = objective_get(s, "kill_grace", NULL, &line)) &&
        parse_duration(v, &o->kill_grace_s)) {
        free_opts(o);
        return objective_fail(s, line, err, "kill_grace must be a duration like 5s, got "
                              "'%s'", v);
    }
    *out = o;
    return 0;
}

static void describe(const void *opts, hp_buf *out)
{
    const command_opts *o = opts;
    buf_printf(out, "command %s", o->command);
}

static void destroy(void *state)
{
    command_state *st = state;
    if (!st)
        return;
    cmdline_free(st->words);
    free(st->study_dir);
    free(st);
}

static int create(const void *opts, const hp_objective_setup *setup, void **state, char *err)
{
    const command_opts *o = opts;
    command_state *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    st->opts = o;
    if (cmdline_split(o->command, &st->words, err, HP_ERR_LEN) < 0 ||
        !(st->study_dir = objective_study_dir(setup, err))) {
        destroy(st);
        return HP_EINPUT;
    }
    *state = st;
    return 0;
}

/* The program to execute: a bare name is looked up in PATH (before fork:
** execvp is not async-signal-safe); a relative path is taken from the study
** file's folder, where the child runs. */
static char *resolve_program(const command_state *st, const char *name)
{
    char path[4096];
    if (strchr(name, '/')) {
        if (name[0] == '/')
            return strdup(name);
        snprintf(path, sizeof path, "%s/%s", st->study_dir, name);
        return strdup(path);
    }
    const char *env = getenv("PATH");
    const char *p = env && *env ? env : "/usr/local/bin:/usr/bin:/bin";
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(path, sizeof path, "%.*s/%s", (int)n, n ? p : ".", name);
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0)
            return strdup(path);
        p += n + (colon ? 1 : 0);
        if (!colon)
            break;
    }
    return NULL;
}

/* The child's environment: ours without HPSEARCH_* plus the trial's. */
static char **build_env(const command_state *st, const expand_ctx *e)
{
    size_t n = 0;
    while (environ[n])
        n++;
    int np = space_size(st->opts->space);
    char **env = calloc(n + (size_t)np + 8, sizeof(char *));
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "HPSEARCH_", 9) != 0)
            env[k++] = strdup(environ[i]);
    hp_buf b;
    buf_init(&b);
    for (int i = 0; i < np; i++) {
        if (!e->texts[i])
            continue; /* inactive in this trial: not in the environment */
        buf_reset(&b);
        buf_puts(&b, "HPSEARCH_PARAM_");
        for (const char *c = space_param(st->opts->space, i)->name; *c; c++) {
            char u = (*c >= 'a' && *c <= 'z') ? (char)(*c - 32) : *c;
            buf_append(&b, &u, 1);
        }
        buf_printf(&b, "=%s", e->texts[i]);
        env[k++] = strdup(buf_str(&b));
    }
    const char *pairs[5][2] = {{"HPSEARCH_TRIAL", e->trial}, {"HPSEARCH_SEED", e->seed},
                               {"HPSEARCH_STUDY", st->opts->study_name},
                               {"HPSEARCH_TRIAL_DIR", e->trial_dir},
                               {"HPSEARCH_CHECKPOINT_DIR", e->checkpoint_dir}};
    for (int i = 0; i < 5; i++) {
        buf_reset(&b);
        buf_printf(&b, "%s=%s", pairs[i][0], pairs[i][1]);
        env[k++] = strdup(buf_str(&b));
    }
    int ok = buf_ok(&b);
    buf_deinit(&b);
    for (size_t i = 0; i < k; i++)
        ok &= env[i] != NULL;
    if (!ok) {
        cmdline_free(env);
        return NULL;
    }
    return env;
}

/* Appends the last MAX_LINES lines of the file at PATH to OUT, after TITLE. */
static void append_tail(const char *path, int max_lines, const char *title, char *out,
                        size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    char buf[STDERR_TAIL_BYTES + 1];
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    long from = size > STDERR_TAIL_BYTES ? size - STDERR_TAIL_BYTES : 0;
    fseek(f, from, SEEK_SET);
    size_t n = fread(buf, 1, STDERR_TAIL_BYTES, f);
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    if (n == 0)
        return;
    char *start = buf;
    int lines = 0;
    for (char *p = buf + n; p > buf; p--)
        if (p[-1] == '\n' && ++lines == max_lines) {
            start = p;
            break;
        }
    size_t used = strlen(out);
    snprintf(out + used, len - used, "%s%s", title, start);
}

/* Everything a run of the child needs, made before it starts. */
typedef struct {
    expand_ctx e;
    char **argv, **env;
    char *program;
    char out_path[4300], err_path[4300];
} prepared;

static void prepared_deinit(prepared *p, int np)
{
    if (p->e.texts)
        for (int i = 0; i < np; i++)
            free(p->e.texts[i]);
    free(p->e.texts);
    cmdline_free(p->argv);
    cmdline_free(p->env);
    free(p->program);
}

/* Builds argv and the environment.  Returns 0, or -1 with out set. */
static int prepare(const command_state *st, const hp_trial_input *t, prepared *p,
                   hp_outcome *out)
{
    const hp_space *space = st->opts->space;
    int np = space_size(space);
    p->e.st = st;
    snprintf(p->e.trial, sizeof p->e.trial, "%lld", (long long)t->number);
    snprintf(p->e.seed, sizeof p->e.seed, "%llu", (unsigned long long)t->seed);
    p->e.trial_dir = t->trial_dir;
    p->e.checkpoint_dir = t->checkpoint_dir;
    snprintf(p->out_path, sizeof p->out_path, "%s/stdout.txt", t->trial_dir);
    snprintf(p->err_path, sizeof p->err_path, "%s/stderr.txt", t->trial_dir);
    int words = 0;
    while (st->words[words])
        words++;
    p->e.texts = calloc((size_t)np + 1, sizeof(char *));
    p->argv = calloc((size_t)words + 1, sizeof(char *));
    if (!p->e.texts || !p->argv)
        goto oom;
    for (int i = 0; i < np; i++) {
        char text[64];
        if (!space_value_active(t->values[i]))
            continue;
        if (!(p->e.texts[i] = strdup(space_format_value(space, i, t->values[i], text,
                                                      sizeof text))))
            goto oom;
    }
    /* a word that names a parameter inactive in this trial is left out,
       whole: "--momentum={momentum}" goes with its value */
    for (int i = 0, k = 0; i < words; i++) {
        p->e.names_inactive = 0;
        char *word = cmdline_expand(st->words[i], lookup, &p->e, out->error,
                                    sizeof out->error);
        if (!word) {
            out->kind = OUTCOME_FAILED;
            return HP_EINPUT;
        }
        if (p->e.names_inactive && i > 0)
            free(word);
        else
            p->argv[k++] = word;
    }
    if (!(p->program = resolve_program(st, p->argv[0]))) {
        out->kind = OUTCOME_FAILED;
        snprintf(out->error, sizeof out->error, "command '%s' not found in PATH",
                 p->argv[0]);
        return HP_EINPUT;
    }
    if (!(p->env = build_env(st, &p->e)))
        goto oom;
    return 0;
oom:
    out->kind = OUTCOME_HOST_ERROR;
    snprintf(out->error, sizeof out->error, "out of memory");
    return HP_EINPUT;
}

/* How the run went, as the pump saw it. */
typedef struct {
    int timed_out, interrupted;
} run_end;

static void on_data(void *ctx, const char *data, size_t n)
{
    output_parser_feed(ctx, data, n);
}

/* Pumps the child's output until it exits, enforcing the timeout and
** stop requests (SIGTERM to the group, SIGKILL after the grace). */
static void pump(const command_opts *o, hp_child *child, hp_output_parser *parser,
                 const hp_reporter *rep, run_end *end)
{
    double started = clock_monotonic(), kill_at = 0;
    while (!child_pump(child, 100, on_data, parser)) {
        double now = clock_monotonic();
        if (!kill_at) {
            if (o->timeout_s > 0 && now - started >= o->timeout_s)
                end->timed_out = 1;
            else if (output_parser_stop_requested(parser) || rep->should_stop(rep->ctx))
                end->interrupted = 1;
            if (end->timed_out || end->interrupted) {
                child_signal(child, SIGTERM);
                kill_at = now + o->kill_grace_s;
            }
        } else if (now >= kill_at) {
            child_signal(child, SIGKILL);
            kill_at = now + 3600; /* once */
        }
    }
    output_parser_finish(parser);
}

/* The outcome from how the child ended and what it printed. */
static void classify(const command_opts *o, int status, const run_end *end,
                     hp_output_parser *parser, hp_outcome *out)
{
    double value = NAN;
    out->kind = OUTCOME_FAILED;
    if (end->interrupted) {
        out->kind = OUTCOME_INTERRUPTED;
    } else if (end->timed_out) {
        snprintf(out->error, sizeof out->error, "timed out after %gs", o->timeout_s);
    } else if (WIFSIGNALED(status)) {
        snprintf(out->error, sizeof out->error, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    } else if (WEXITSTATUS(status) != 0) {
        snprintf(out->error, sizeof out->error, "exit code %d", WEXITSTATUS(status));
    } else if (output_parser_result(parser, &value, out, out->error, sizeof out->error) == 0) {
        out->kind = OUTCOME_COMPLETE;
        out->value = value;
    }
}

static void evaluate(void *state, const hp_trial_input *t, const hp_reporter *rep,
                     hp_outcome *out)
{
    command_state *st = state;
    const command_opts *o = st->opts;
    prepared p;
    memset(&p, 0, sizeof p);
    hp_output_parser *parser = NULL;
    hp_child *child = NULL;
    if (prepare(st, t, &p, out))
        goto done;
    if (!(parser = output_parser_new(o->metric, rep->report, rep->ctx))) {
        out->kind = OUTCOME_HOST_ERROR;
        snprintf(out->error, sizeof out->error, "out of memory");
        goto done;
    }
    hp_child_spec spec = {p.program, p.argv, p.env, st->study_dir, p.out_path, p.err_path};
    if (child_spawn(&spec, &child, out->error, sizeof out->error)) {
        out->kind = OUTCOME_HOST_ERROR;
        goto done;
    }
    run_end end = {0, 0};
    pump(o, child, parser, rep, &end);
    int status = child_wait_status(child);
    int lost = child_output_lost(child);
    child_free(child);
    classify(o, status, &end, parser, out);
    if (lost && out->kind != OUTCOME_INTERRUPTED) {
        /* the disk is full: the trial's own result cannot be trusted to be
           whole, and it is not the program's fault */
        out->kind = OUTCOME_HOST_ERROR;
        snprintf(out->error, sizeof out->error, "cannot write '%s': %s", p.out_path,
                 strerror(ENOSPC));
    }
    if (out->kind == OUTCOME_FAILED)
        append_tail(p.err_path, STDERR_TAIL_LINES, "\n--- last lines of stderr ---\n",
                    out->error, sizeof out->error);
    /* every trial keeps the end of what it printed, beyond its folder */
    append_tail(p.out_path, 10, "--- stdout ---\n", out->output, sizeof out->output);
    append_tail(p.err_path, STDERR_TAIL_LINES, out->output[0] ? "\n--- stderr ---\n"
                                                              : "--- stderr ---\n",
                out->output, sizeof out->output);
done:
    output_parser_free(parser);
    prepared_deinit(&p, space_size(o->space));
}

const hp_objective_kind objective_command_kind = {
    "command", keys, 1, parse, free_opts, NULL, NULL, describe,
    create, destroy, evaluate};
