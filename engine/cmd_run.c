/*
** hpsearch run: create or resume a study and run it to its budget.  The
** objective (and its data set) is made before storage is touched, so bad
** data writes nothing.
*/
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "runner.h"

/* Says how the trials run and what the study's history holds. */
static void first_line(const hp_target *t, int quiet)
{
    const hp_study_config *cfg = &t->cfg;
    /* never silent, even with --quiet: the history now mixes samplers */
    if (t->sampler_changed)
        fprintf(stderr, "hpsearch: note: study '%s' was created with sampler %s and seed %llu; "
                "new trials are proposed by %s with seed %llu (recorded per trial, shown by "
                "'hpsearch status')\n", cfg->name, t->study.sampler,
                (unsigned long long)t->study.seed, cfg->sampler,
                (unsigned long long)cfg->seed);
    if (quiet)
        return;
    hp_buf what;
    buf_init(&what);
    objective_spec_describe(cfg->objective, &what);
    printf("study '%s': %s, sampler %s; %d worker%s x %d thread%s (%d core%s)\n", cfg->name,
           buf_str(&what), cfg->sampler, cfg->workers, cfg->workers == 1 ? "" : "s",
           cfg->threads, cfg->threads == 1 ? "" : "s", cfg->cores, cfg->cores == 1 ? "" : "s");
    fflush(stdout);
    buf_deinit(&what);
}

/* run --report FILE: the report rewritten as the run goes on, through a
** connection of its own. */
typedef struct {
    const char *path;
    hp_store *store;
    hp_study_row study;
    int warned;
} report_tick;

static void write_report(void *ctx)
{
    report_tick *r = ctx;
    char err[HP_ERR_LEN];
    if (report_write(r->store, &r->study, r->path, 10, err) != HP_OK && !r->warned) {
        /* the run goes on: the report is a view, not the study */
        fprintf(stderr, "hpsearch: cannot write the report: %s\n", err);
        r->warned = 1;
    }
}

/* A study that has its trials but not one complete says so, instead of
** reporting success. */
static int check_finished(const hp_target *t, char *err)
{
    int64_t c[TRIAL_N_STATES];
    int rc = store_counts(t->store, t->study.study_id, c, err);
    if (rc)
        return rc;
    int64_t finished = c[TRIAL_COMPLETE] + c[TRIAL_PRUNED] + c[TRIAL_FAILED];
    if (finished >= t->cfg.trials && c[TRIAL_COMPLETE] == 0 && c[TRIAL_PRUNED] == 0) {
        snprintf(err, HP_ERR_LEN, "study '%s' has its %lld trials but none complete: all "
                 "failed; fix the objective, then 'hpsearch run %s --retry-failed' runs them "
                 "again", t->cfg.name, (long long)finished, t->cfg.path);
        return HP_ERUNTIME;
    }
    return HP_OK;
}

/* Each worker holds a database connection (the file, -wal, -shm) and, for a
** command, a pipe and three files: a low open-file limit must be found now,
** not as trials that fail one by one. */
#define FILES_PER_WORKER 8
#define FILES_BESIDE 32

static int check_open_files(int workers, char *err)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return HP_OK;
    rlim_t need = (rlim_t)workers * FILES_PER_WORKER + FILES_BESIDE;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        /* the soft limit may rise up to the hard one without privileges */
        struct rlimit raised = rl;
        raised.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &raised);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        snprintf(err, HP_ERR_LEN, "%d workers need about %llu open files, but this process may "
                 "open %llu (ulimit -n); use fewer workers, or raise the limit",
                 workers, (unsigned long long)need, (unsigned long long)rl.rlim_cur);
        return HP_EINPUT;
    }
    return HP_OK;
}

int cmd_run(const hp_args *a, hp_target *t, char *err)
{
    hp_study_config *cfg = &t->cfg;
    int64_t connections = 0;
    if (check_open_files(cfg->workers, err) ||
        args_count(a, "--connections", 1024, &connections, err))
        return HP_EINPUT;
    if (!cfg->objective) {
        snprintf(err, HP_ERR_LEN, "%s: the study has no [objective] section, so there is "
                 "nothing to run; drive it with 'hpsearch ask' and 'hpsearch tell'",
                 cfg->path);
        return HP_EINPUT;
    }
    hp_objective *objective;
    if (objective_new(cfg->objective, &objective, err))
        return HP_EINPUT;
    int rc = target_open_study(t, err);
    if (!rc && args_get(a, "--retry-failed")) {
        int64_t n;
        rc = store_retry_failed(t->store, t->study.study_id, &n, err);
        if (!rc && !args_get(a, "--quiet"))
            printf("%lld failed trial%s queued again\n", (long long)n, n == 1 ? "" : "s");
    }
    if (!rc)
        rc = check_finished(t, err);
    if (rc) {
        objective_free(objective);
        return rc;
    }
    first_line(t, args_get(a, "--quiet") != NULL);
    hp_run_options ro;
    memset(&ro, 0, sizeof ro);
    ro.connections = (int)connections;
    report_tick rt = {args_get(a, "--report"), NULL, t->study, 0};
    if (rt.path) {
        if ((rc = store_open(cfg->storage, 0, &rt.store, err))) {
            objective_free(objective);
            return rc;
        }
        ro.tick = write_report;
        ro.tick_ctx = &rt;
        ro.tick_s = 10;
    }
    ro.quiet = args_get(a, "--quiet") != NULL;
    ro.live = isatty(STDOUT_FILENO);
    ro.out = stdout;
    /* the runner opens its own connections */
    store_close(t->store);
    t->store = NULL;
    int abandoned;
    rc = runner_run(cfg, objective, t->study.study_id, &ro, &abandoned, err);
    store_close(rt.store);
    if (abandoned) {
        /* after a second Ctrl-C, workers may still use the study and the
           objective: both are left to the process exit */
        memset(t, 0, sizeof *t);
        err[0] = '\0';
        return rc;
    }
    objective_free(objective);
    if (rc == HP_EINTERRUPTED)
        err[0] = '\0'; /* the run said what it waited for and how to resume */
    return rc;
}
