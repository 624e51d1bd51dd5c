/*
** hpsearch status: where a study stands.
*/
#include <math.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "progress.h"

static int show_best(void *ctx, const hp_trial_row *row)
{
    (void)ctx;
    printf("best       %.10g (trial %lld) %s\n", row->value, (long long)row->number,
           row->params_json);
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

int cmd_status(int argc, char **argv)
{
    hp_option opts[] = {{"--study", 1, NULL}};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(argc, argv, opts, 1, pos, 1, &n_pos);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (n_pos != 1) {
        cli_error("status: which study? usage: hpsearch status STUDY.ini|DB");
        return 2;
    }
    hp_target t;
    if ((rc = cli_open_target(pos[0], opts[0].value, &t)))
        return rc;
    char err[HP_ERR_LEN];
    int64_t c[TRIAL_N_STATES];
    if ((rc = store_counts(t.store, t.study.study_id, c, err)))
        goto fail;
    int64_t finished = c[TRIAL_COMPLETE] + c[TRIAL_PRUNED] + c[TRIAL_FAILED];
    time_t created = (time_t)t.study.created_at;
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&created));
    printf("study      %s (created %s)\n", t.study.name, when);
    printf("objective  %s %s, sampler %s, seed %llu\n", t.study.direction,
           t.study.metric, t.study.sampler, (unsigned long long)t.study.seed);
    printf("trials     %lld/%lld finished: %lld complete, %lld pruned, %lld failed; "
           "%lld running, %lld waiting%s\n",
           (long long)finished, (long long)t.study.trials, (long long)c[TRIAL_COMPLETE],
           (long long)c[TRIAL_PRUNED], (long long)c[TRIAL_FAILED],
           (long long)c[TRIAL_RUNNING], (long long)c[TRIAL_WAITING],
           finished >= t.study.trials ? " (done)" : "");
    if (c[TRIAL_PRUNED] > 0) {
        int64_t pruned;
        double steps;
        if ((rc = store_pruned_steps(t.store, t.study.study_id, &pruned, &steps, err)))
            goto fail;
        int max = t.has_cfg ? t.cfg.pruner_cfg.max_resource : 0;
        if (max > 0)
            printf("pruning    %lld trials pruned, %.0f epochs saved (of %lld)\n",
                   (long long)pruned, (double)pruned * max - steps, (long long)pruned * max);
        else
            printf("pruning    %lld trials pruned, at steps totalling %.0f\n",
                   (long long)pruned, steps);
    }
    int found;
    int maximize = strcmp(t.study.direction, "maximize") == 0;
    if ((rc = store_best(t.store, t.study.study_id, maximize, show_best, NULL, &found, err)))
        goto fail;
    if (!found)
        printf("best       - (no complete trial yet)\n");
    hp_buf imp;
    buf_init(&imp);
    if (cli_importance(&t, &imp, 0) == 0)
        printf("importance %s (gp length-scales: shorter = more important)\n",
               buf_str(&imp));
    buf_deinit(&imp);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double now = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
    if ((rc = store_list_trials(t.store, t.study.study_id, TRIAL_RUNNING, 0, maximize, 20,
                                show_running, &now, err)))
        goto fail;
    cli_close_target(&t);
    return 0;
fail:
    cli_close_target(&t);
    return cli_fail(rc, err);
}
