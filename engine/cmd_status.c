/*
** hpsearch status: where a study stands.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cli.h"
#include "front.h"
#include "importance.h"
#include "progress.h"
#include "proposer.h"

static int show_best(void *ctx, const hp_trial_row *row)
{
    (void)ctx;
    char v[40];
    printf("best       %s (trial %lld) %s\n", buf_number_text(row->value, v, sizeof v),
           (long long)row->number, row->params_json);
    return 0;
}

static int show_running(void *ctx, const hp_trial_row *row)
{
    double *now = ctx;
    char age[32];
    printf("running    trial %lld on %s for %s %s\n", (long long)row->number,
           row->worker ? row->worker : "ask/tell",
           progress_duration(*now - row->started_at, age, sizeof age), row->params_json);
    return 0;
}

typedef struct {
    int n;
    hp_buf text;
} runs_ctx;

static int add_run(void *ctx, const char *sampler, int has_seed, uint64_t seed, int64_t first,
                   int64_t last, int64_t count)
{
    runs_ctx *r = ctx;
    buf_printf(&r->text, "%s%s", r->n++ ? "; " : "", sampler[0] ? sampler : "(not recorded)");
    if (has_seed)
        buf_printf(&r->text, " seed %llu", (unsigned long long)seed);
    if (first == last)
        buf_printf(&r->text, " for trial %lld", (long long)first);
    else
        buf_printf(&r->text, " for %lld trials in %lld-%lld", (long long)count,
                   (long long)first, (long long)last);
    return 0;
}

typedef struct {
    int maximize;
    int n, cap;
    double *best;    /* the best so far after each complete trial */
} spark_ctx;

static int take_best(void *ctx, const hp_trial_row *row)
{
    spark_ctx *s = ctx;
    if (!isfinite(row->value) || buf_grow_array(&s->best, &s->cap, s->n + 1, sizeof *s->best))
        return 0;
    double b = row->value;
    if (s->n > 0 && (s->maximize ? s->best[s->n - 1] > b : s->best[s->n - 1] < b))
        b = s->best[s->n - 1];
    s->best[s->n++] = b;
    return 0;
}

/* One line of block characters: the best value so far over the complete
** trials, from the first (left) to the last, taller = better. */
static void sparkline(hp_target *t, int maximize, char *err)
{
    spark_ctx s = {maximize, 0, 0, NULL};
    if (store_list_trials(t->store, t->study.study_id, TRIAL_COMPLETE, 0, maximize, 0,
                          take_best, &s, err) == HP_OK && s.n >= 2) {
        static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                               "\u2585", "\u2586", "\u2587", "\u2588"};
        double first = s.best[0], last = s.best[s.n - 1];
        int width = s.n < 48 ? s.n : 48;
        printf("progress   ");
        for (int c = 0; c < width; c++) {
            double v = s.best[(int)((double)c * (s.n - 1) / (width - 1))];
            double f = last != first ? (v - first) / (last - first) : 1;
            int k = (int)(f * 7 + 0.5);
            fputs(blocks[k < 0 ? 0 : k > 7 ? 7 : k], stdout);
        }
        char a[40], b[40];
        printf(" best so far over %d complete trials: %s to %s\n", s.n,
               buf_number_text(first, a, sizeof a), buf_number_text(last, b, sizeof b));
    }
    free(s.best);
}

/* auto's choice, and why: "auto       gp (5 searched parameters, ...)";
** and for model-based samplers what the model does: "model      warm-up
** 4/10 (...)" or "model      model-based since trial 10; fitted to ...",
** and what the model takes the objective's noise to be ("noise      none
** (a repeated trial gave the same value)"). */
static int describe_sampler(hp_target *t, int64_t finished, char *err)
{
    const char *sampler = t->has_cfg ? t->cfg.sampler : t->study.sampler;
    if (!sampler_known(sampler))
        return HP_OK;
    hp_study_config stored;
    const hp_study_config *cfg;
    int own;
    int rc = target_config(t, &stored, &own, &cfg, err);
    hp_proposer *p = NULL;
    if (!rc && proposer_new(cfg, &p, err))
        rc = HP_EINPUT;
    if (!rc && strcmp(sampler, "auto") == 0) {
        char text[256];
        printf("auto       %s\n", proposer_describe(p, finished, text, sizeof text));
    }
    if (!rc && proposer_needs_history(p)) {
        char text[320];
        proposer_set_store(p, t->store, t->study.study_id);
        rc = proposer_model_note(p, text, sizeof text, err);
        if (!rc)
            printf("model      %s\n", text);
        if (!rc)
            rc = proposer_noise_note(p, text, sizeof text, err);
        if (!rc && *text)
            printf("noise      %s\n", text);
    }
    proposer_free(p);
    if (own)
        study_deinit(&stored);
    return rc;
}

/* With asha, what became of the trials the model expected among the best,
** which pass the first rung whatever they read there: "promising  6 trials
** the model expected among the best third, let past asha's first rung: 3
** complete, 2 pruned later, 0 failed, 1 running". */
static int describe_promising(hp_target *t, char *err)
{
    if (!t->has_cfg || t->cfg.pruner_cfg.kind != PRUNER_ASHA)
        return HP_OK;
    int64_t c[TRIAL_N_STATES];
    int rc = store_promising_counts(t->store, t->study.study_id, c, err);
    if (rc)
        return rc;
    int64_t all = 0;
    for (int k = 0; k < TRIAL_N_STATES; k++)
        all += c[k];
    if (all == 0)
        return HP_OK;
    printf("promising  %lld trial%s the model expected among the best third, let past "
           "asha's first rung: %lld complete, %lld pruned later, %lld failed, %lld running\n",
           (long long)all, all == 1 ? "" : "s", (long long)c[TRIAL_COMPLETE],
           (long long)c[TRIAL_PRUNED], (long long)c[TRIAL_FAILED],
           (long long)(c[TRIAL_RUNNING] + c[TRIAL_WAITING]));
    return HP_OK;
}

int cmd_status(const hp_args *a, hp_target *t, char *err)
{
    (void)a;
    int64_t c[TRIAL_N_STATES];
    int rc = store_counts(t->store, t->study.study_id, c, err);
    if (rc)
        return rc;
    int64_t finished = c[TRIAL_COMPLETE] + c[TRIAL_PRUNED] + c[TRIAL_FAILED];
    time_t created = (time_t)t->study.created_at;
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&created));
    printf("study      %s (created %s)\n", t->study.name, when);
    hp_objectives o;
    int which;
    if (objectives_parse(t->study.metric, t->study.direction, &o, &which, err))
        return HP_EINPUT;
    if (o.n > 1) {
        printf("objectives");
        for (int j = 0; j < o.n; j++)
            printf("%s %s %s", j ? "," : "", o.maximize[j] ? "maximize" : "minimize",
                   o.names[j]);
        printf("; sampler %s, seed %llu\n", t->study.sampler,
               (unsigned long long)t->study.seed);
    } else {
        printf("objective  %s %s, sampler %s, seed %llu\n", t->study.direction,
               t->study.metric, t->study.sampler, (unsigned long long)t->study.seed);
    }
    printf("trials     %lld/%lld finished: %lld complete, %lld pruned, %lld failed; "
           "%lld running, %lld waiting%s\n",
           (long long)finished, (long long)t->study.trials, (long long)c[TRIAL_COMPLETE],
           (long long)c[TRIAL_PRUNED], (long long)c[TRIAL_FAILED],
           (long long)c[TRIAL_RUNNING], (long long)c[TRIAL_WAITING],
           finished >= t->study.trials ? " (done)" : "");
    if (t->has_cfg)
        printf("parallel   %d worker%s x %d kernel thread%s per trial (%d core%s; %s)\n",
               t->cfg.workers, t->cfg.workers == 1 ? "" : "s", t->cfg.threads,
               t->cfg.threads == 1 ? "" : "s", t->cfg.cores, t->cfg.cores == 1 ? "" : "s",
               t->cfg.threads_set ? "threads as the file sets them"
                                  : "run --workers N gives each trial cores / N threads");
    if ((rc = describe_sampler(t, finished, err)))
        return rc;
    runs_ctx runs = {0, {0}};
    buf_init(&runs.text);
    rc = store_sampler_runs(t->store, t->study.study_id, add_run, &runs, err);
    if (!rc && runs.n > 1)
        printf("samplers   %s\n", buf_str(&runs.text));
    buf_deinit(&runs.text);
    if (rc)
        return rc;
    if (c[TRIAL_PRUNED] > 0) {
        int64_t pruned;
        double steps;
        if ((rc = store_pruned_steps(t->store, t->study.study_id, &pruned, &steps, err)))
            return rc;
        int max = t->has_cfg ? t->cfg.pruner_cfg.max_resource : 0;
        if (max > 0)
            printf("pruning    %lld trials pruned, %.0f epochs saved (of %lld)\n",
                   (long long)pruned, (double)pruned * max - steps, (long long)pruned * max);
        else
            printf("pruning    %lld trials pruned, at steps totalling %.0f\n",
                   (long long)pruned, steps);
    }
    if ((rc = describe_promising(t, err)))
        return rc;
    int found;
    int maximize = strncmp(t->study.direction, "maximize", 8) == 0;
    const hp_constraints *cons = t->has_cfg && t->cfg.constraints.n ? &t->cfg.constraints
                                                                      : NULL;
    if (o.n > 1 || cons) {
        hp_front f;
        if ((rc = front_load(t->store, t->study.study_id, &o, cons, &f, err)))
            return rc;
        if (cons) {
            char text[HP_ERR_LEN];
            const hp_ini_entry *e = ini_get(&t->cfg.ini, "study", "constraint");
            snprintf(text, sizeof text, "%s", e ? e->value : "");
            printf("feasible   %d of %d complete trials meet the constraints (%s)\n", f.n,
                   f.n + f.infeasible, text);
        }
        if (f.front == 0)
            printf("%s      - (no complete%s trial yet)\n", o.n > 1 ? "front" : "best ",
                   cons ? " feasible" : "");
        else if (o.n > 1)
            printf("front      %d trials on the Pareto front of %d complete%s; hypervolume "
                   "%.4f (objectives scaled to [0, 1] over those trials, reference "
                   "point 1.1; `best` lists them)\n", f.front, f.n, cons ? " feasible" : "",
                   front_hypervolume(&f, &o));
        else {
            int *members = malloc(sizeof(int) * (size_t)f.front);
            if (members) {
                front_members(&f, &o, members);
                found = 0;
                rc = store_trial_by_number(t->store, t->study.study_id,
                                           f.numbers[members[0]], show_best, NULL, &found, err);
                free(members);
            }
        }
        front_free(&f);
        if (rc)
            return rc;
    } else {
        if ((rc = store_best(t->store, t->study.study_id, maximize, show_best, NULL, &found,
                             err)))
            return rc;
        if (!found)
            printf("best       - (no complete trial yet)\n");
        if (isatty(STDOUT_FILENO))
            sparkline(t, maximize, err);
    }
    hp_buf imp;
    buf_init(&imp);
    if (importance_describe(t, &imp, 0) == 0)
        printf("importance %s (gp length-scales: shorter = more important)\n", buf_str(&imp));
    buf_deinit(&imp);
    double now = clock_wall();
    return store_list_trials(t->store, t->study.study_id, TRIAL_RUNNING, 0, maximize, 20,
                             show_running, &now, err);
}
