/*
** Worker pool.  Invariant: a worker only ever finishes or releases the
** trials it claimed, under its own worker id, so a trial that went stale
** and was re-run elsewhere is never overwritten by its first claimer.
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
#include <time.h>
#include <unistd.h>

#include "../search/seed.h"
#include "error.h"
#include "objective.h"
#include "progress.h"
#include "proposer.h"
#include "pruning.h"
#include "storage.h"

/* Heartbeats every 5 s; a trial whose heartbeat is 12 s old is stale (about
** twice the interval plus room for a slow commit). */
#define HEARTBEAT_INTERVAL 5.0
#define STALE_AFTER 12.0

typedef struct {
    const hp_study_config *cfg;
    const hp_run_options *opt;
    int64_t study_id;
    hp_objective *objective;
    char host[256];
    int pid;
    atomic_int stop;         /* stop claiming new trials */
    atomic_int interrupt;    /* interrupt running trials too */
    atomic_int active;       /* workers not yet finished */
    pthread_mutex_t lock;    /* guards everything below and the output */
    int64_t finished;        /* finished trials of the study */
    int64_t run_done, run_failed;
    int running;
    int has_best;
    double best;
    int64_t best_number;
    char last_error[HP_ERR_LEN];
    int fatal;               /* first storage error of a worker */
    char fatal_err[HP_ERR_LEN];
} run_ctx;

typedef struct {
    run_ctx *run;
    pthread_t thread;
    int started;
    char id[320];            /* host:pid/wN */
    hp_store *store;
    int64_t trial_id;        /* the trial being evaluated */
    int64_t number;
    int pruned;              /* the pruner stopped it */
    int64_t last_step;       /* the last step it reported the study metric at */
    double last_value;       /* and that value */
    hp_prune_scratch scratch;
} worker;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_seconds(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static int better(const run_ctx *r, double a, double b)
{
    return r->cfg->maximize ? a > b : a < b;
}

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

static int worker_report(void *ctx, int64_t step, const char *name, double value)
{
    worker *w = ctx;
    run_ctx *r = w->run;
    char err[HP_ERR_LEN];
    if (store_report(w->store, w->trial_id, step, name, value, err) == HP_ESTORAGE)
        set_fatal(r, HP_ESTORAGE, err);
    if (strcmp(name, r->cfg->metric) == 0) {
        w->last_step = step;
        w->last_value = value;
        int prune = 0;
        if (!w->pruned &&
            prune_decide(w->store, r->cfg, r->study_id, w->number, w->trial_id, step, value,
                         &w->scratch, 1, worker_should_stop, w, &prune, err) == HP_ESTORAGE)
            set_fatal(r, HP_ESTORAGE, err);
        if (prune)
            w->pruned = 1;
    }
    return w->pruned || atomic_load(&r->interrupt);
}


static void record(run_ctx *r, const hp_claim *c, hp_trial_state state, double value,
                   const char *error)
{
    pthread_mutex_lock(&r->lock);
    r->finished++;
    r->run_done++;
    if (state == TRIAL_FAILED) {
        r->run_failed++;
        snprintf(r->last_error, sizeof r->last_error, "trial %lld: %s",
                 (long long)c->number, error ? error : "failed");
    }
    if (state == TRIAL_COMPLETE && (!r->has_best || better(r, value, r->best))) {
        r->has_best = 1;
        r->best = value;
        r->best_number = c->number;
    }
    if (!r->opt->quiet && !r->opt->live)
        progress_trial(r->opt->out, c->number, store_state_name(state), value,
                       c->params_json, error);
    pthread_mutex_unlock(&r->lock);
}

/* Evaluates claimed trial C and stores its outcome. */
static void run_trial(worker *w, hp_value *values, hp_claim *c)
{
    run_ctx *r = w->run;
    char err[HP_ERR_LEN];
    hp_outcome out;
    w->trial_id = c->trial_id;
    w->number = c->number;
    w->pruned = 0;
    w->last_step = 0;
    w->last_value = NAN;
    if (proposer_claim_values(r->cfg->space, c, values, err)) {
        out.kind = OUTCOME_FAILED;
        out.n_metrics = 0;
        out.output[0] = '\0';
        snprintf(out.error, sizeof out.error, "%s", err);
    } else {
        hp_reporter rep = {worker_report, worker_should_stop, w};
        objective_evaluate(r->objective, values, c->number, c->seed, &rep, &out);
    }
    if (w->pruned) {
        /* stopped by the pruner: PRUNED with its last value and step */
        out.kind = OUTCOME_PRUNED;
        out.value = w->last_value;
        out.n_metrics = 1;
        snprintf(out.metric_names[0], sizeof out.metric_names[0], "pruned_step");
        out.metric_values[0] = (double)w->last_step;
    }
    if (out.kind == OUTCOME_INTERRUPTED) {
        int rc = store_release(w->store, c->trial_id, w->id, err);
        if (rc)
            set_fatal(r, rc, err);
        return;
    }
    hp_trial_state state = out.kind == OUTCOME_PRUNED ? TRIAL_PRUNED
                           : out.kind == OUTCOME_FAILED ? TRIAL_FAILED
                                                        : TRIAL_COMPLETE;
    const char *error = state == TRIAL_FAILED ? out.error : NULL;
    if (state == TRIAL_FAILED)
        out.value = NAN; /* a failed trial has no value, whatever was set */
    if (state == TRIAL_COMPLETE && !isfinite(out.value)) {
        state = TRIAL_FAILED;
        snprintf(out.error, sizeof out.error, "the objective returned %s for '%s'",
                 isnan(out.value) ? "NaN" : "infinity", r->cfg->metric);
        error = out.error;
    }
    hp_metric metrics[OBJECTIVE_MAX_METRICS];
    for (int i = 0; i < out.n_metrics; i++) {
        metrics[i].name = out.metric_names[i];
        metrics[i].value = out.metric_values[i];
    }
    int rc = store_finish(w->store, c->trial_id, w->id, state, out.value, error, out.output,
                          metrics, out.n_metrics, err);
    if (rc == HP_EINPUT)
        return; /* it went stale and someone else runs it now: theirs counts */
    if (rc) {
        set_fatal(r, rc, err);
        return;
    }
    record(r, c, state, out.value, error);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    run_ctx *r = w->run;
    char err[HP_ERR_LEN];
    hp_proposer *proposer = NULL;
    hp_value *values = calloc((size_t)space_size(r->cfg->space), sizeof *values);
    int rc = store_open(r->cfg->storage, 0, &w->store, err);
    if (rc || !values || proposer_new(r->cfg, &proposer, err)) {
        set_fatal(r, rc ? rc : HP_ERUNTIME, values ? err : "out of memory");
        goto out;
    }
    proposer_set_store(proposer, w->store, r->study_id);
    hp_claimer who = {r->host, r->pid, w->id};
    uint64_t jitter = seed_mix((uint64_t)(uintptr_t)w ^ (uint64_t)r->pid);
    while (!atomic_load(&r->stop)) {
        hp_claim claim;
        hp_claim_status status;
        rc = store_claim(w->store, r->study_id, r->opt->trials, proposer_capacity(proposer),
                         STALE_AFTER, &who, proposer_propose, proposer, &claim, &status,
                         err);
        if (rc) {
            set_fatal(r, rc, err);
            break;
        }
        if (status == CLAIM_DONE)
            break;
        if (status == CLAIM_WAIT) {
            /* others hold the rest of the budget; one of them may die */
            jitter = seed_mix(jitter);
            sleep_seconds(0.05 + (double)(jitter % 1000) * 1e-4);
            continue;
        }
        pthread_mutex_lock(&r->lock);
        r->running++;
        pthread_mutex_unlock(&r->lock);
        run_trial(w, values, &claim);
        pthread_mutex_lock(&r->lock);
        r->running--;
        pthread_mutex_unlock(&r->lock);
        store_claim_deinit(&claim);
    }
out:
    proposer_free(proposer);
    free(values);
    prune_scratch_deinit(&w->scratch);
    store_close(w->store);
    w->store = NULL;
    atomic_fetch_sub(&r->active, 1);
    return NULL;
}

static void draw(run_ctx *r, double started)
{
    pthread_mutex_lock(&r->lock);
    hp_progress p = {r->finished, r->opt->trials, r->running, r->has_best, r->best,
                     r->best_number, 0};
    double elapsed = now_seconds() - started;
    p.rate = elapsed > 0 ? (double)r->run_done / elapsed : 0;
    progress_live(r->opt->out, &p);
    pthread_mutex_unlock(&r->lock);
}

static int remember_best(void *ctx, const hp_trial_row *row)
{
    run_ctx *r = ctx;
    r->has_best = 1;
    r->best = row->value;
    r->best_number = row->number;
    return 0;
}

/* Loads the finished count and the best trial so far, for progress. */
static int load_history(run_ctx *r, hp_store *store, char *err)
{
    int64_t counts[TRIAL_N_STATES];
    int found, rc = store_counts(store, r->study_id, counts, err);
    if (rc)
        return rc;
    r->finished = counts[TRIAL_COMPLETE] + counts[TRIAL_PRUNED] + counts[TRIAL_FAILED];
    return store_best(store, r->study_id, r->cfg->maximize, remember_best, r, &found, err);
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
    r->pid = (int)getpid();
    if (gethostname(r->host, sizeof r->host - 1) != 0)
        snprintf(r->host, sizeof r->host, "localhost");
    atomic_init(&r->stop, 0);
    atomic_init(&r->interrupt, 0);
    atomic_init(&r->active, 0);
    pthread_mutex_init(&r->lock, NULL);

    hp_store *store = NULL;
    worker *workers = calloc((size_t)opt->workers, sizeof *workers);
    int rc = workers ? store_open(cfg->storage, 0, &store, err) : HP_ENOMEM;
    if (!workers)
        snprintf(err, HP_ERR_LEN, "out of memory");
    r->objective = objective;
    if (rc || (rc = load_history(r, store, err)))
        goto done;

    sigset_t signals, old_mask;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, &old_mask);

    double started = now_seconds();
    for (int i = 0; i < opt->workers; i++) {
        worker *w = &workers[i];
        w->run = r;
        snprintf(w->id, sizeof w->id, "%s:%d/w%d", r->host, r->pid, i);
        atomic_fetch_add(&r->active, 1);
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            atomic_fetch_sub(&r->active, 1);
            set_fatal(r, HP_ERUNTIME, "cannot start a worker thread");
            break;
        }
        w->started = 1;
    }

    int interrupted = 0, abandoned = 0;
    double last_beat = started, last_draw = 0;
    while (atomic_load(&r->active) > 0) {
        struct timespec wait = {0, 100 * 1000000L};
        int sig = sigtimedwait(&signals, NULL, &wait);
        if (sig > 0) {
            if (interrupted) {
                /* a second press: leave now; the running trials' pid is
                   gone then, so the next run re-queues them at once */
                abandoned = 1;
                break;
            }
            interrupted = 1;
            atomic_store(&r->stop, 1);
            atomic_store(&r->interrupt, 1);
            if (!opt->quiet) {
                if (opt->live && last_draw > 0)
                    progress_end(opt->out);
                fprintf(stderr, "hpsearch: interrupted: stopping the running trials "
                        "(press Ctrl-C again to quit at once); run the same command "
                        "to resume\n");
            }
        }
        double now = now_seconds();
        if (now - last_beat >= HEARTBEAT_INTERVAL) {
            char beat_err[HP_ERR_LEN];
            if (store_heartbeat(store, r->host, r->pid, beat_err) == HP_OK)
                last_beat = now;
        }
        if (opt->timeout_s > 0 && now - started >= opt->timeout_s && !atomic_load(&r->stop)) {
            atomic_store(&r->stop, 1);
            if (!opt->quiet)
                fprintf(stderr, "\nhpsearch: timeout reached: finishing the running "
                        "trials\n");
        }
        if (opt->live && !opt->quiet && now - last_draw >= 0.2) {
            draw(r, started);
            last_draw = now;
        }
    }
    if (abandoned) {
        *abandoned_out = 1;
        for (int i = 0; i < opt->workers; i++)
            if (workers[i].started)
                pthread_detach(workers[i].thread);
        snprintf(err, HP_ERR_LEN, "interrupted");
        /* workers still use workers[], the objective and the lock: they are
           left to the process exit that follows */
        store_close(store);
        return HP_EINTERRUPTED;
    }
    for (int i = 0; i < opt->workers; i++)
        if (workers[i].started)
            pthread_join(workers[i].thread, NULL);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    double elapsed = now_seconds() - started;
    if (opt->live && !opt->quiet && !interrupted) {
        draw(r, started);
        progress_end(opt->out);
    }
    if (!opt->quiet) {
        fprintf(opt->out, "%lld trials in %.2f s (%.1f/s), %lld failed; study has "
                "%lld/%lld finished", (long long)r->run_done, elapsed,
                elapsed > 0 ? (double)r->run_done / elapsed : 0.0, (long long)r->run_failed,
                (long long)r->finished, (long long)opt->trials);
        if (r->has_best)
            fprintf(opt->out, "; best %.10g (trial %lld)", r->best, (long long)r->best_number);
        fputc('\n', opt->out);
        fflush(opt->out);
    }
    if (r->fatal) {
        rc = r->fatal;
        snprintf(err, HP_ERR_LEN, "%s", r->fatal_err);
    } else if (interrupted) {
        rc = HP_EINTERRUPTED;
        snprintf(err, HP_ERR_LEN, "interrupted");
    } else if (r->run_done > 0 && r->run_failed == r->run_done) {
        rc = HP_ERUNTIME;
        snprintf(err, HP_ERR_LEN, "all %lld trials of this run failed; last: %s",
                 (long long)r->run_done, r->last_error);
    }
done:
    store_close(store);
    free(workers);
    pthread_mutex_destroy(&r->lock);
    free(r);
    return rc;
}
