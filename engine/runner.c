/*
** Worker pool.  Invariant: a worker only ever reports to, finishes or
** releases the trials it claimed, under its own worker id, so a trial that
** went stale and was re-run elsewhere is never written by its first
** claimer.  Every trial ends through trial.c's outcome policy.
**
** Signals are blocked in every thread and taken synchronously by the main
** thread (sigtimedwait), which also writes heartbeats and draws progress:
** no signal handler and no global flag.
*/
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../search/seed.h"
#include "clock.h"
#include "error.h"
#include "progress.h"
#include "proposer.h"
#include "run_tally.h"
#include "storage.h"
#include "store_pool.h"
#include "identity.h"
#include "trial.h"

/* Heartbeats every 5 s; a trial whose heartbeat is 12 s old is stale (about
** twice the interval plus room for a slow commit). */
#define HEARTBEAT_INTERVAL 5.0
#define STALE_AFTER 12.0

typedef struct worker worker;

typedef struct {
    const hp_study_config *cfg;
    const hp_run_options *opt;
    int64_t study_id;
    hp_objective *objective;
    hp_identity me;
    atomic_int stop;         /* stop claiming new trials */
    atomic_int interrupt;    /* interrupt running trials too */
    atomic_int active;       /* workers not yet finished */
    pthread_mutex_t lock;    /* guards everything below and the output */
    worker *workers;
    hp_store_pool *pool;     /* the workers' connections */
    int shares_stores;       /* workers take one per call (else one each) */
    hp_run_tally tally;
    int running;
    int first_failure_shown;
    char last_error[HP_ERR_LEN];
    int fatal;               /* first storage or host error of a worker */
    char fatal_err[HP_ERR_LEN];
    int too_many_failures;
} run_ctx;

struct worker {
    run_ctx *run;
    pthread_t thread;
    int started;
    char id[320];            /* host:pid/wN#instance */
    hp_store *store;         /* kept for the worker's life, or taken per call */
    int keeps_store;
    hp_trial_run trial;      /* the trial being evaluated */
    int64_t shown_number;    /* for progress, under run->lock: -1 = idle */
    int64_t shown_step;
};

static void set_fatal(run_ctx *r, int code, const char *msg)
{
    pthread_mutex_lock(&r->lock);
    if (!r->fatal) {
        r->fatal = code;
        snprintf(r->fatal_err, sizeof r->fatal_err, "%s", msg);
    }
    pthread_mutex_unlock(&r->lock);
    atomic_store(&r->stop, 1);
}

static int worker_should_stop(void *ctx)
{
    worker *w = ctx;
    return atomic_load(&w->run->interrupt);
}

/* A worker that shares the run's connections takes one for each storage
** call; one that keeps its own has it already. */
static int take_store(worker *w, char *err)
{
    return w->keeps_store ? HP_OK : store_pool_take(w->run->pool, &w->store, err);
}

static void give_store(worker *w)
{
    if (!w->keeps_store) {
        store_pool_give(w->run->pool, w->store);
        w->store = NULL;
    }
}

static int worker_report(void *ctx, int64_t step, const char *name, double value)
{
    worker *w = ctx;
    run_ctx *r = w->run;
    char err[HP_ERR_LEN];
    hp_trial_waiter waiter = {worker_should_stop, w};
    int rc = take_store(w, err);
    if (!rc) {
        rc = trial_report(w->store, r->cfg, r->study_id, w->id, &w->trial, step, name, value,
                          &waiter, err);
        give_store(w);
    }
    if (rc == HP_EINPUT) {
        /* stale and taken by another worker: this run of it must stop */
        w->trial.pruned = 0;
        return 1;
    }
    if (rc)
        set_fatal(r, rc, err);
    if (strcmp(name, r->cfg->metric) == 0) {
        pthread_mutex_lock(&r->lock);
        w->shown_step = step;
        pthread_mutex_unlock(&r->lock);
    }
    return w->trial.pruned || atomic_load(&r->interrupt) || rc != HP_OK;
}

/* Counts a finished trial; prints its line and the first failure. */
static void record(run_ctx *r, const hp_claim *c, hp_trial_state state, const hp_outcome *out)
{
    pthread_mutex_lock(&r->lock);
    tally_count(&r->tally, r->cfg, c->number, state, out);
    const char *error = state == TRIAL_FAILED ? out->error : NULL;
    if (state == TRIAL_FAILED) {
        snprintf(r->last_error, sizeof r->last_error, "trial %lld: %s", (long long)c->number,
                 error);
        if (!r->first_failure_shown && !r->opt->quiet) {
            /* once, as it happens: the rest are in `hpsearch trials --state failed` */
            r->first_failure_shown = 1;
            if (r->opt->live)
                fputc('\n', r->opt->out);
            fprintf(stderr, "hpsearch: trial %lld failed: %s\n", (long long)c->number, error);
            fprintf(stderr, "hpsearch: (later failures are listed by 'hpsearch trials %s "
                    "--state failed')\n", r->cfg->path);
        }
    }
    const hp_run_tally *t = &r->tally;
    int max = r->cfg->max_failures;
    if (max > 0 && t->complete == 0 && t->pruned == 0 && t->failed >= max &&
        !r->too_many_failures) {
        r->too_many_failures = 1;
        atomic_store(&r->stop, 1);
    }
    if (!r->opt->quiet && !r->opt->live)
        progress_trial(r->opt->out, c->number, store_state_name(state), out->value,
                       c->params_json, error);
    pthread_mutex_unlock(&r->lock);
}

/* Evaluates claimed trial C and ends it by the outcome policy. */
static void run_trial(worker *w, hp_value *values, hp_claim *c)
{
    run_ctx *r = w->run;
    char err[HP_ERR_LEN];
    hp_outcome out;
    trial_begin(&w->trial, c->trial_id, c->number);
    if (proposer_claim_values(r->cfg->space, c, values, err)) {
        memset(&out, 0, sizeof out);
        out.kind = OUTCOME_FAILED;
        snprintf(out.error, sizeof out.error, "%s", err);
    } else {
        hp_reporter rep = {worker_report, worker_should_stop, w};
        objective_evaluate(r->objective, values, c->number, c->seed, r->cfg->threads, &rep,
                           &out);
    }
    hp_trial_state state;
    int rc = take_store(w, err);
    if (!rc) {
        rc = trial_finish(w->store, &r->cfg->objectives, w->id, &w->trial, &out, &state, err);
        give_store(w);
    }
    if (rc == HP_EINPUT)
        return; /* it went stale and someone else runs it now: theirs counts */
    if (rc) {
        set_fatal(r, rc, err);
        return;
    }
    if (out.kind == OUTCOME_HOST_ERROR) {
        /* not the objective's fault: the trial runs again once the host is fixed */
        char msg[HP_ERR_LEN];
        snprintf(msg, sizeof msg, "trial %lld: %s (the trial is kept to run again)",
                 (long long)c->number, out.error);
        set_fatal(r, HP_ERUNTIME, msg);
        return;
    }
    if (state == TRIAL_WAITING)
        return; /* interrupted: put back */
    objective_trial_finished(r->objective, c->number, state == TRIAL_FAILED);
    record(r, c, state, &out);
}

static void set_shown(worker *w, int64_t number)
{
    pthread_mutex_lock(&w->run->lock);
    w->shown_number = number;
    w->shown_step = 0;
    w->run->running += number >= 0 ? 1 : -1;
    pthread_mutex_unlock(&w->run->lock);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    run_ctx *r = w->run;
    char err[HP_ERR_LEN];
    hp_proposer *proposer = NULL;
    hp_value *values = calloc((size_t)space_size(r->cfg->space), sizeof *values);
    w->keeps_store = !r->shares_stores;
    int rc = w->keeps_store ? store_pool_take(r->pool, &w->store, err) : HP_OK;
    if (rc || !values || proposer_new(r->cfg, &proposer, err)) {
        set_fatal(r, rc ? rc : HP_ERUNTIME, values ? err : "out of memory");
        goto out;
    }
    if (w->keeps_store)
        proposer_set_store(proposer, w->store, r->study_id);
    hp_claimer who = {r->me.host, r->me.pid, w->id, r->me.instance, r->me.origin};
    uint64_t jitter = seed_mix((uint64_t)(uintptr_t)w ^ (uint64_t)r->me.pid);
    while (!atomic_load(&r->stop)) {
        hp_claim claim;
        hp_claim_status status;
        if (!(rc = take_store(w, err))) {
            rc = store_claim(w->store, r->study_id, r->cfg->trials,
                             proposer_capacity(proposer), STALE_AFTER, &who, proposer_propose,
                             proposer, &claim, &status, err);
            give_store(w);
        }
        if (rc) {
            set_fatal(r, rc, err);
            break;
        }
        if (status == CLAIM_DONE)
            break;
        if (status == CLAIM_WAIT) {
            /* others hold the rest of the budget; one of them may die */
            jitter = seed_mix(jitter);
            clock_sleep(0.05 + (double)(jitter % 1000) * 1e-4);
            continue;
        }
        set_shown(w, claim.number);
        run_trial(w, values, &claim);
        set_shown(w, -1);
        store_claim_deinit(&claim);
    }
out:
    proposer_free(proposer);
    free(values);
    trial_deinit(&w->trial);
    if (w->keeps_store && w->store)
        store_pool_give(r->pool, w->store);
    w->store = NULL;
    atomic_fetch_sub(&r->active, 1);
    return NULL;
}

static void draw(run_ctx *r, double started)
{
    pthread_mutex_lock(&r->lock);
    hp_progress p;
    memset(&p, 0, sizeof p);
    p.done = r->tally.finished;
    p.total = r->cfg->trials;
    p.failed = r->tally.failed;
    p.pruned = r->tally.pruned;
    p.running = r->running;
    p.has_best = r->tally.has_best;
    p.best = r->tally.best;
    p.best_number = r->tally.best_number;
    p.max_step = r->cfg->pruner_cfg.max_resource;
    for (int i = 0; i < r->cfg->workers && p.n_shown < PROGRESS_SHOWN_RUNNING; i++)
        if (r->workers[i].started && r->workers[i].shown_number >= 0) {
            p.shown_number[p.n_shown] = r->workers[i].shown_number;
            p.shown_step[p.n_shown++] = r->workers[i].shown_step;
        }
    double elapsed = clock_monotonic() - started;
    p.rate = elapsed > 0 ? (double)r->tally.done / elapsed : 0;
    progress_live(r->opt->out, &p);
    pthread_mutex_unlock(&r->lock);
}

/* Says, after a first Ctrl-C, what the run waits for. */
static void say_waiting(run_ctx *r)
{
    pthread_mutex_lock(&r->lock);
    fprintf(stderr, "hpsearch: interrupted: waiting for %d running trial%s to stop",
            r->running, r->running == 1 ? "" : "s");
    int n = 0;
    for (int i = 0; i < r->cfg->workers; i++)
        if (r->workers[i].started && r->workers[i].shown_number >= 0)
            fprintf(stderr, "%s%lld", n++ ? ", " : " (trial ",
                    (long long)r->workers[i].shown_number);
    fprintf(stderr, "%s; press Ctrl-C again to quit at once; run the same command to "
            "resume\n", n ? ")" : "");
    pthread_mutex_unlock(&r->lock);
}

/* The main thread's loop: signals, heartbeats, the timeout, the live line.
** Returns 1 when the user asked twice (abandon). */
static int supervise(run_ctx *r, hp_store *store, const sigset_t *signals, double started,
                     int *interrupted)
{
    const hp_run_options *opt = r->opt;
    double last_beat = started, last_draw = 0, last_tick = started;
    while (atomic_load(&r->active) > 0) {
        struct timespec wait = {0, 100 * 1000000L};
        int sig = sigtimedwait(signals, NULL, &wait);
        if (sig > 0) {
            if (*interrupted)
                return 1;
            *interrupted = 1;
            atomic_store(&r->stop, 1);
            atomic_store(&r->interrupt, 1);
            if (!opt->quiet) {
                if (opt->live && last_draw > 0)
                    progress_end(opt->out);
                say_waiting(r);
            }
        }
        double now = clock_monotonic();
        if (now - last_beat >= HEARTBEAT_INTERVAL) {
            char beat_err[HP_ERR_LEN];
            if (store_heartbeat(store, r->me.instance, beat_err) == HP_OK)
                last_beat = now;
        }
        if (r->cfg->timeout_s > 0 && now - started >= r->cfg->timeout_s &&
            !atomic_load(&r->stop)) {
            atomic_store(&r->stop, 1);
            if (!opt->quiet)
                fprintf(stderr, "\nhpsearch: timeout reached: finishing the running trials\n");
        }
        if (opt->tick && now - last_tick >= opt->tick_s) {
            opt->tick(opt->tick_ctx);
            last_tick = clock_monotonic();
        }
        if (opt->live && !opt->quiet && !*interrupted && now - last_draw >= 0.2) {
            draw(r, started);
            last_draw = now;
        }
    }
    if (opt->live && !opt->quiet && !*interrupted && last_draw > 0) {
        draw(r, started);
        progress_end(opt->out);
    }
    return 0;
}

static int start_workers(run_ctx *r)
{
    for (int i = 0; i < r->cfg->workers; i++) {
        worker *w = &r->workers[i];
        w->run = r;
        w->shown_number = -1;
        /* the instance keeps ids apart when two containers share a host
           name and a pid */
        snprintf(w->id, sizeof w->id, "%s:%d/w%d#%.8s", r->me.host, r->me.pid, i,
                 r->me.instance);
        atomic_fetch_add(&r->active, 1);
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            atomic_fetch_sub(&r->active, 1);
            set_fatal(r, HP_ERUNTIME, "cannot start a worker thread");
            return -1;
        }
        w->started = 1;
    }
    return 0;
}

/* The run's result from how it ended. */
static int outcome(run_ctx *r, int interrupted, char *err)
{
    if (r->fatal) {
        snprintf(err, HP_ERR_LEN, "%s", r->fatal_err);
        return r->fatal;
    }
    if (interrupted) {
        snprintf(err, HP_ERR_LEN, "interrupted");
        return HP_EINTERRUPTED;
    }
    if (r->too_many_failures || (r->tally.done > 0 && r->tally.failed == r->tally.done)) {
        snprintf(err, HP_ERR_LEN, "all %lld trials of this run failed%s; last: %s; fix the "
                 "objective, then 'hpsearch run %s --retry-failed' runs them again",
                 (long long)r->tally.failed,
                 r->too_many_failures ? " (max_failures): stopping the run" : "",
                 r->last_error, r->cfg->path);
        return HP_ERUNTIME;
    }
    return HP_OK;
}

/* Whether the workers share fewer connections than one each, and how many
** (*CONNECTIONS).  Only on PostgreSQL (an SQLite connection costs nothing
** and its writes queue on one lock anyway), and only when a worker's
** storage calls are short: no model reads the history inside a claim, no
** pruner waits for other trials inside a report. */
static int shares_stores(const hp_study_config *cfg, const hp_run_options *opt,
                         int *connections)
{
    if (!store_is_url(cfg->storage) || strcmp(cfg->pruner, "none") != 0)
        return 0;
    hp_proposer *p = NULL;
    char ignored[HP_ERR_LEN];
    if (proposer_new(cfg, &p, ignored))
        return 0;
    int model = proposer_needs_history(p);
    proposer_free(p);
    int n = opt->connections > 0 ? opt->connections : RUN_SHARED_CONNECTIONS;
    if (model || n >= cfg->workers)
        return 0;
    *connections = n;
    return 1;
}

int runner_run(const hp_study_config *cfg, hp_objective *objective, int64_t study_id,
               const hp_run_options *opt, int *abandoned_out, char *err)
{
    *abandoned_out = 0;
    /* on the heap: after a second Ctrl-C, workers may outlive this call */
    run_ctx *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    r->cfg = cfg;
    r->opt = opt;
    r->study_id = study_id;
    r->objective = objective;
    if (identity_init(&r->me, err)) {
        free(r);
        return HP_ERUNTIME;
    }
    atomic_init(&r->stop, 0);
    atomic_init(&r->interrupt, 0);
    atomic_init(&r->active, 0);
    pthread_mutex_init(&r->lock, NULL);

    hp_store *store = NULL;
    r->workers = calloc((size_t)cfg->workers, sizeof *r->workers);
    int connections = cfg->workers;
    r->shares_stores = shares_stores(cfg, opt, &connections);
    r->pool = store_pool_new(cfg->storage, connections);
    int rc = r->workers && r->pool ? store_open(cfg->storage, 0, &store, err) : HP_ENOMEM;
    if (!r->workers || !r->pool)
        snprintf(err, HP_ERR_LEN, "out of memory");
    if (rc || (rc = tally_load(&r->tally, store, cfg, study_id, err)))
        goto done;

    sigset_t signals, old_mask;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, &old_mask);

    double started = clock_monotonic();
    start_workers(r);
    int interrupted = 0;
    if (supervise(r, store, &signals, started, &interrupted)) {
        *abandoned_out = 1;
        for (int i = 0; i < cfg->workers; i++)
            if (r->workers[i].started)
                pthread_detach(r->workers[i].thread);
        snprintf(err, HP_ERR_LEN, "interrupted");
        /* workers still use r, the objective and the lock: they are left to
           the process exit that follows */
        store_close(store);
        return HP_EINTERRUPTED;
    }
    for (int i = 0; i < cfg->workers; i++)
        if (r->workers[i].started)
            pthread_join(r->workers[i].thread, NULL);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    if (opt->tick)
        opt->tick(opt->tick_ctx);
    if (!opt->quiet)
        tally_summary(&r->tally, cfg, clock_monotonic() - started, opt->out);
    rc = outcome(r, interrupted, err);
done:
    store_close(store);
    store_pool_free(r->pool);
    free(r->workers);
    pthread_mutex_destroy(&r->lock);
    free(r);
    return rc;
}
