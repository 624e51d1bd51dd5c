/*
** The command objective: runs the user's program once per trial, without a
** shell, in a fresh trial folder, and reads its result from its output.
**
** Invariant: a child never outlives its trial or hpsearch.  It runs in its
** own process group, which is signalled as a whole (SIGTERM, then SIGKILL
** after the grace period) on timeout or interrupt and swept with SIGKILL
** once the child has exited; PR_SET_PDEATHSIG kills it if hpsearch dies,
** even by kill -9.
**
** Memory stays bounded whatever the child prints: stdout is streamed to a
** file and parsed line by line with a fixed-size line buffer, stderr goes
** straight to a file whose tail is read once at the end.
*/
/* pipe2 (close-on-exec pipes with no window for other threads' forks) and
   nftw (removing a trial folder) are GNU/XSI: only this file needs them */
#define _GNU_SOURCE
#include "objective_command.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmdline.h"

extern char **environ;

#define LINE_MAX_BYTES 65536   /* longer lines are cut for parsing, kept in the file */
#define LAST_LINE_BYTES 4096
#define STDERR_TAIL_LINES 20
#define STDERR_TAIL_BYTES 8192

struct hp_command_objective {
    const hp_study_config *cfg;
    char **words;        /* the command template, split once */
    char *study_dir;     /* the study file's folder, absolute */
    char *trials_dir;    /* <study_dir>/<name>-trials: the trial folders */
};

/* What one evaluation needs for placeholders. */
typedef struct {
    const hp_command_objective *obj;
    char **texts;        /* a text per parameter */
    char trial[32], seed[32];
    const char *trial_dir;
} expand_ctx;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *lookup(void *ctx, const char *name)
{
    expand_ctx *e = ctx;
    if (strcmp(name, "trial") == 0)
        return e->trial;
    if (strcmp(name, "seed") == 0)
        return e->seed;
    if (strcmp(name, "study") == 0)
        return e->obj->cfg->name;
    if (strcmp(name, "trial_dir") == 0)
        return e->trial_dir;
    if (strcmp(name, "study_dir") == 0)
        return e->obj->study_dir;
    int i = space_find(e->obj->cfg->space, name);
    return i >= 0 ? e->texts[i] : NULL;
}

int command_objective_new(const hp_study_config *cfg, hp_command_objective **out,
                          char *err)
{
    hp_command_objective *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    o->cfg = cfg;
    if (cmdline_split(cfg->command, &o->words, err, HP_ERR_LEN) < 0) {
        free(o);
        return -1;
    }
    char dir[4096];
    const char *slash = strrchr(cfg->path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - cfg->path) : 1,
             slash ? cfg->path : ".");
    o->study_dir = realpath(dir, NULL);
    if (!o->study_dir) {
        snprintf(err, HP_ERR_LEN, "cannot resolve the folder of '%s': %s", cfg->path,
                 strerror(errno));
        command_objective_free(o);
        return -1;
    }
    size_t n = strlen(o->study_dir) + strlen(cfg->name) + 16;
    o->trials_dir = malloc(n);
    if (!o->trials_dir) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        command_objective_free(o);
        return -1;
    }
    snprintf(o->trials_dir, n, "%s/%s-trials", o->study_dir, cfg->name);
    *out = o;
    return 0;
}

void command_objective_free(hp_command_objective *obj)
{
    if (!obj)
        return;
    cmdline_free(obj->words);
    free(obj->study_dir);
    free(obj->trials_dir);
    free(obj);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

static int remove_tree(const char *path)
{
    if (access(path, F_OK) != 0)
        return 0;
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The program to execute: a bare name is looked up in PATH (before fork:
** execvp is not async-signal-safe); a relative path is taken from the study
** file's folder, since the child runs in its trial folder. */
static char *resolve_program(const hp_command_objective *o, const char *name)
{
    char path[4096];
    if (strchr(name, '/')) {
        if (name[0] == '/')
            return strdup(name);
        snprintf(path, sizeof path, "%s/%s", o->study_dir, name);
        return strdup(path);
    }
    const char *env = getenv("PATH");
    const char *p = env && *env ? env : "/usr/local/bin:/usr/bin:/bin";
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(path, sizeof path, "%.*s/%s", (int)n, n ? p : ".", name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
            return strdup(path);
        p += n + (colon ? 1 : 0);
        if (!colon)
            break;
    }
    return NULL;
}

/* Builds the child's environment: ours without HPSEARCH_* plus the trial's. */
static char **build_env(const hp_command_objective *o, expand_ctx *e)
{
    size_t n = 0;
    while (environ[n])
        n++;
    int np = space_size(o->cfg->space);
    char **env = calloc(n + (size_t)np + 6, sizeof(char *));
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "HPSEARCH_", 9) != 0)
            env[k++] = strdup(environ[i]);
    hp_buf b;
    buf_init(&b);
    for (int i = 0; i < np; i++) {
        buf_reset(&b);
        buf_puts(&b, "HPSEARCH_PARAM_");
        for (const char *c = space_param(o->cfg->space, i)->name; *c; c++) {
            char u = (*c >= 'a' && *c <= 'z') ? (char)(*c - 32) : *c;
            buf_append(&b, &u, 1);
        }
        buf_printf(&b, "=%s", e->texts[i]);
        env[k++] = strdup(buf_str(&b));
    }
    const char *pairs[4][2] = {{"HPSEARCH_TRIAL", e->trial}, {"HPSEARCH_SEED", e->seed},
                               {"HPSEARCH_STUDY", o->cfg->name},
                               {"HPSEARCH_TRIAL_DIR", e->trial_dir}};
    for (int i = 0; i < 4; i++) {
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

/* State of a running child, as the output loop sees it. */
typedef struct {
    const hp_study_config *cfg;
    const hp_reporter *reporter;
    hp_outcome *out;
    int stop;                 /* the reporter asked to stop */
    int has_value;            /* a "hpsearch: value=" line was seen */
    double value;
    char line[LINE_MAX_BYTES];
    size_t line_len;
    int line_cut;
    char last[LAST_LINE_BYTES];  /* the last non-empty line */
} output_state;

static int parse_double(const char *s, const char *end, double *v)
{
    char tmp[64];
    size_t n = (size_t)(end - s);
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *e;
    errno = 0;
    *v = strtod(tmp, &e);
    return (*e || errno == ERANGE) ? -1 : 0;
}

static void add_metric(hp_outcome *out, const char *name, double v)
{
    for (int i = 0; i < out->n_metrics; i++)
        if (strcmp(out->metric_names[i], name) == 0) {
            out->metric_values[i] = v;
            return;
        }
    if (out->n_metrics < OBJECTIVE_MAX_METRICS) {
        snprintf(out->metric_names[out->n_metrics], sizeof out->metric_names[0], "%s",
                 name);
        out->metric_values[out->n_metrics++] = v;
    }
}

/* "hpsearch: step=N value=X name=Y" or "hpsearch: value=X name=Y". */
static void protocol_line(output_state *st, const char *s)
{
    struct { char name[64]; double v; } kv[OBJECTIVE_MAX_METRICS];
    int n = 0;
    long long step = -1;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        const char *eq = strchr(s, '=');
        if (!eq)
            break;
        const char *end = eq + 1;
        while (*end && *end != ' ' && *end != '\t')
            end++;
        double v;
        if ((size_t)(eq - s) < sizeof kv[0].name && parse_double(eq + 1, end, &v) == 0) {
            if ((size_t)(eq - s) == 4 && strncmp(s, "step", 4) == 0)
                step = (long long)v;
            else if (n < OBJECTIVE_MAX_METRICS) {
                snprintf(kv[n].name, sizeof kv[n].name, "%.*s", (int)(eq - s), s);
                if (strcmp(kv[n].name, "value") == 0)
                    snprintf(kv[n].name, sizeof kv[n].name, "%s", st->cfg->metric);
                kv[n].v = v;
                n++;
            }
        }
        s = end;
    }
    for (int i = 0; i < n; i++) {
        if (step >= 0) {
            if (st->reporter->report(st->reporter->ctx, step, kv[i].name, kv[i].v))
                st->stop = 1;
        } else {
            add_metric(st->out, kv[i].name, kv[i].v);
            if (strcmp(kv[i].name, st->cfg->metric) == 0) {
                st->has_value = 1;
                st->value = kv[i].v;
            }
        }
    }
}

static void handle_line(output_state *st)
{
    st->line[st->line_len] = '\0';
    char *s = st->line;
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    if (strncmp(s, "hpsearch:", 9) == 0)
        protocol_line(st, s + 9);
    else if (n > 0)
        snprintf(st->last, sizeof st->last, "%s", s);
    st->line_len = 0;
    st->line_cut = 0;
}

static void feed(output_state *st, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            handle_line(st);
        } else if (st->line_len + 1 < sizeof st->line) {
            st->line[st->line_len++] = data[i];
        } else {
            st->line_cut = 1;
        }
    }
}

/* The value of METRIC in a flat JSON object line, e.g. {"acc": 0.9}. */
static int json_metric(const char *line, const char *metric, double *v, hp_outcome *out)
{
    if (line[0] != '{')
        return -1;
    int found = -1;
    const char *p = line + 1;
    for (;;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (*p != '"')
            break;
        const char *k = ++p;
        while (*p && *p != '"')
            p++;
        if (!*p)
            break;
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(p - k), k);
        p++;
        while (*p == ' ')
            p++;
        if (*p != ':')
            break;
        p++;
        while (*p == ' ')
            p++;
        const char *end = p;
        while (*end && *end != ',' && *end != '}' && *end != ' ')
            end++;
        double x;
        if (parse_double(p, end, &x) == 0) {
            add_metric(out, key, x);
            if (strcmp(key, metric) == 0) {
                *v = x;
                found = 0;
            }
        }
        p = end;
        if (*p == '"') /* a string value: skip it */
            break;
    }
    return found;
}

/* Appends the last LINES lines of the file at PATH to OUT, after TITLE. */
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

/* Signals the child's whole process group. */
static void signal_group(pid_t pid, int sig)
{
    if (kill(-pid, sig) != 0 && errno == ESRCH)
        kill(pid, sig);
}

void command_objective_evaluate(hp_command_objective *o, const hp_value *values,
                                int64_t number, uint64_t seed, const hp_reporter *rep,
                                hp_outcome *out)
{
    const hp_study_config *cfg = o->cfg;
    int np = space_size(cfg->space);
    expand_ctx e;
    memset(&e, 0, sizeof e);
    e.obj = o;
    snprintf(e.trial, sizeof e.trial, "%lld", (long long)number);
    snprintf(e.seed, sizeof e.seed, "%llu", (unsigned long long)seed);
    char dir[4096], out_path[4200], err_path[4200];
    snprintf(dir, sizeof dir, "%s/trial-%lld", o->trials_dir, (long long)number);
    snprintf(out_path, sizeof out_path, "%s/stdout.txt", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", dir);
    e.trial_dir = dir;
    char **argv = NULL, **env = NULL, *program = NULL;
    int out_fd = -1, err_fd = -1, null_fd = -1, pipe_fd[2] = {-1, -1};
    output_state *st = NULL;
    out->kind = OUTCOME_FAILED;

    e.texts = calloc((size_t)np + 1, sizeof(char *));
    st = calloc(1, sizeof *st);
    if (!e.texts || !st)
        goto oom;
    for (int i = 0; i < np; i++) {
        char text[64];
        const hp_param *p = space_param(cfg->space, i);
        if (p->kind == HP_PARAM_CHOICE || p->kind == HP_PARAM_FIXED)
            e.texts[i] = strdup(p->choices[values[i].index]);
        else
            e.texts[i] = strdup(space_format_value(cfg->space, i, values[i], text,
                                                   sizeof text));
        if (!e.texts[i])
            goto oom;
    }
    /* a fresh trial folder: a re-run starts from nothing */
    if ((mkdir(o->trials_dir, 0777) != 0 && errno != EEXIST) || remove_tree(dir) != 0 ||
        mkdir(dir, 0777) != 0) {
        snprintf(out->error, sizeof out->error, "cannot create the trial folder '%s': %s",
                 dir, strerror(errno));
        goto done;
    }
    int n_words = 0;
    while (o->words[n_words])
        n_words++;
    argv = calloc((size_t)n_words + 1, sizeof(char *));
    if (!argv)
        goto oom;
    for (int i = 0; i < n_words; i++)
        if (!(argv[i] = cmdline_expand(o->words[i], lookup, &e, out->error,
                                       sizeof out->error)))
            goto done;
    program = resolve_program(o, argv[0]);
    if (!program) {
        snprintf(out->error, sizeof out->error, "command '%s' not found in PATH", argv[0]);
        goto done;
    }
    if (!(env = build_env(o, &e)))
        goto oom;
    out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out_fd < 0 || err_fd < 0 || null_fd < 0 || pipe2(pipe_fd, O_CLOEXEC) != 0) {
        snprintf(out->error, sizeof out->error, "cannot set up the trial's output: %s",
                 strerror(errno));
        goto done;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(out->error, sizeof out->error, "cannot start '%s': %s", argv[0],
                 strerror(errno));
        goto done;
    }
    if (pid == 0) {
        /* the child: only async-signal-safe calls until exec */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (dup2(null_fd, 0) < 0 || dup2(pipe_fd[1], 1) < 0 || dup2(err_fd, 2) < 0 ||
            chdir(dir) != 0)
            _exit(127);
        execve(program, argv, env);
        static const char msg[] = "hpsearch: cannot execute the command\n";
        if (write(2, msg, sizeof msg - 1) < 0)
            _exit(127);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no signal can reach a group not yet made */
    close(pipe_fd[1]);
    pipe_fd[1] = -1;

    st->cfg = cfg;
    st->reporter = rep;
    st->out = out;
    out->n_metrics = 0;
    double started = now_seconds(), kill_at = 0;
    int timed_out = 0, interrupted = 0, open_pipe = 1, status = 0, reaped = 0;
    char chunk[16384];
    while (!reaped) {
        if (open_pipe) {
            struct pollfd pfd = {pipe_fd[0], POLLIN, 0};
            int r = poll(&pfd, 1, 100);
            if (r > 0) {
                ssize_t n = read(pipe_fd[0], chunk, sizeof chunk);
                if (n > 0) {
                    if (write(out_fd, chunk, (size_t)n) < 0) {
                        /* a full disk must not stop the trial: parsing goes on */
                    }
                    feed(st, chunk, (size_t)n);
                } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                    open_pipe = 0;
                }
            }
        } else {
            struct timespec ts = {0, 20000000};
            nanosleep(&ts, NULL);
        }
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid && !open_pipe)
            reaped = 1;
        else if (w == pid) {
            /* exited, but a grandchild may hold the pipe: drain what is there */
            reaped = 1;
            for (;;) {
                struct pollfd pfd = {pipe_fd[0], POLLIN, 0};
                if (poll(&pfd, 1, 0) <= 0)
                    break;
                ssize_t n = read(pipe_fd[0], chunk, sizeof chunk);
                if (n <= 0)
                    break;
                if (write(out_fd, chunk, (size_t)n) < 0) {
                    /* see above */
                }
                feed(st, chunk, (size_t)n);
            }
        }
        if (reaped)
            break;
        double now = now_seconds();
        if (!kill_at) {
            if (cfg->trial_timeout_s > 0 && now - started >= cfg->trial_timeout_s)
                timed_out = 1;
            else if (st->stop || rep->should_stop(rep->ctx))
                interrupted = 1;
            if (timed_out || interrupted) {
                signal_group(pid, SIGTERM);
                kill_at = now + cfg->kill_grace_s;
            }
        } else if (now >= kill_at) {
            signal_group(pid, SIGKILL);
            kill_at = now + 3600; /* once */
        }
    }
    signal_group(pid, SIGKILL); /* whatever the child left behind in its group */
    if (st->line_len > 0)
        handle_line(st);

    double value = NAN;
    if (interrupted) {
        out->kind = OUTCOME_INTERRUPTED;
    } else if (timed_out) {
        snprintf(out->error, sizeof out->error, "timed out after %gs", cfg->trial_timeout_s);
    } else if (WIFSIGNALED(status)) {
        snprintf(out->error, sizeof out->error, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    } else if (WEXITSTATUS(status) != 0) {
        snprintf(out->error, sizeof out->error, "exit code %d", WEXITSTATUS(status));
    } else if (st->has_value) {
        value = st->value;
        out->kind = OUTCOME_COMPLETE;
    } else if (parse_double(st->last, st->last + strlen(st->last), &value) == 0 ||
               json_metric(st->last, cfg->metric, &value, out) == 0) {
        out->kind = OUTCOME_COMPLETE;
    } else if (st->last[0]) {
        snprintf(out->error, sizeof out->error, "no value for '%s' in the output; its last "
                 "line was '%.200s'", cfg->metric, st->last);
    } else {
        snprintf(out->error, sizeof out->error, "the command printed nothing (expected a "
                 "value for '%s')", cfg->metric);
    }
    if (out->kind == OUTCOME_COMPLETE) {
        out->value = value;
        add_metric(out, cfg->metric, value);
    }
    if (out->kind == OUTCOME_FAILED)
        append_tail(err_path, STDERR_TAIL_LINES, "\n--- last lines of stderr ---\n",
                    out->error, sizeof out->error);
    /* every trial keeps the end of what it printed, beyond its folder */
    append_tail(out_path, 10, "--- stdout ---\n", out->output, sizeof out->output);
    append_tail(err_path, STDERR_TAIL_LINES, out->output[0] ? "\n--- stderr ---\n"
                                                            : "--- stderr ---\n",
                out->output, sizeof out->output);
    goto done;
oom:
    snprintf(out->error, sizeof out->error, "out of memory");
    out->kind = OUTCOME_FAILED;
done:
    if (pipe_fd[0] >= 0)
        close(pipe_fd[0]);
    if (pipe_fd[1] >= 0)
        close(pipe_fd[1]);
    if (out_fd >= 0)
        close(out_fd);
    if (err_fd >= 0)
        close(err_fd);
    if (null_fd >= 0)
        close(null_fd);
    /* failed trials keep their folder for a post-mortem; others free it */
    if (out->kind != OUTCOME_FAILED)
        remove_tree(dir);
    if (e.texts)
        for (int i = 0; i < np; i++)
            free(e.texts[i]);
    free(e.texts);
    cmdline_free(argv);
    cmdline_free(env);
    free(program);
    free(st);
}
