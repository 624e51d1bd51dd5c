/*
** hpsearch tell: record what an asked trial gave: its final value, its
** failure, or an intermediate value at a step.
*/
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pruning.h"

typedef struct {
    int64_t trial_id;
    hp_trial_state state;
} found_trial;

static int keep_trial(void *ctx, const hp_trial_row *row)
{
    found_trial *f = ctx;
    f->trial_id = row->trial_id;
    f->state = row->state;
    return 0;
}

static int parse_value(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return (!*s || *end || errno == ERANGE) ? -1 : 0;
}

int cmd_tell(int argc, char **argv)
{
    hp_option opts[] = {{"--fail", 1, NULL}, {"--step", 1, NULL}};
    const char *pos[3];
    int n_pos;
    int rc = cli_parse(argc, argv, opts, 2, pos, 3, &n_pos);
    if (rc)
        return rc < 0 ? 0 : rc;
    int want = opts[0].value ? 2 : 3;
    if (n_pos != want || (opts[0].value && opts[1].value)) {
        cli_error("tell: usage: hpsearch tell STUDY.ini TRIAL VALUE | --fail REASON | "
                  "--step N VALUE");
        return 2;
    }
    int64_t number, step = 0;
    char *end;
    errno = 0;
    number = strtoll(pos[1], &end, 10);
    if (!*pos[1] || *end || errno || number < 0) {
        cli_error("tell: trial must be a trial number, got '%s'", pos[1]);
        return 2;
    }
    if (opts[1].value) {
        step = strtoll(opts[1].value, &end, 10);
        if (!*opts[1].value || *end || step < 0) {
            cli_error("tell: --step must be a non-negative integer, got '%s'",
                      opts[1].value);
            return 2;
        }
    }
    double value = NAN;
    if (!opts[0].value && parse_value(pos[2], &value)) {
        cli_error("tell: value must be a number, got '%s'", pos[2]);
        return 2;
    }
    hp_target t;
    if ((rc = cli_open_target(pos[0], NULL, &t)))
        return rc;
    char err[HP_ERR_LEN];
    found_trial f = {0, TRIAL_WAITING};
    int found;
    if ((rc = store_trial_by_number(t.store, t.study.study_id, number, keep_trial, &f,
                                    &found, err)))
        goto fail;
    if (!found) {
        cli_error("tell: study '%s' has no trial %lld", t.study.name, (long long)number);
        cli_close_target(&t);
        return 2;
    }
    if (f.state != TRIAL_RUNNING) {
        cli_error("tell: trial %lld is %s, not RUNNING", (long long)number,
                  store_state_name(f.state));
        cli_close_target(&t);
        return 2;
    }
    if (opts[1].value) {
        rc = store_report(t.store, f.trial_id, step, t.study.metric, value, err);
        int prune = 0;
        hp_prune_scratch scratch = {0};
        if (!rc && t.has_cfg)
            /* never waits: one script may hold several asked trials */
            rc = prune_decide(t.store, &t.cfg, t.study.study_id, number, f.trial_id, step,
                              value, &scratch, 0, NULL, NULL, &prune, err);
        prune_scratch_deinit(&scratch);
        if (!rc && prune) {
            /* the pruner says stop: the trial is PRUNED, exit 3 tells the asker */
            hp_metric m = {"pruned_step", (double)step};
            rc = store_finish(t.store, f.trial_id, NULL, TRIAL_PRUNED, value, NULL, NULL, &m, 1,
                              err);
            if (!rc) {
                cli_close_target(&t);
                return 3;
            }
        }
    } else if (opts[0].value) {
        rc = store_finish(t.store, f.trial_id, NULL, TRIAL_FAILED, NAN, opts[0].value,
                          NULL, NULL, 0, err);
    } else if (!isfinite(value)) {
        char why[64];
        snprintf(why, sizeof why, "the value told was %s", isnan(value) ? "NaN" : "infinite");
        rc = store_finish(t.store, f.trial_id, NULL, TRIAL_FAILED, NAN, why, NULL, NULL, 0,
                          err);
    } else {
        hp_metric m = {t.study.metric, value};
        rc = store_finish(t.store, f.trial_id, NULL, TRIAL_COMPLETE, value, NULL, NULL, &m, 1,
                          err);
    }
    if (rc)
        goto fail;
    cli_close_target(&t);
    return 0;
fail:
    cli_close_target(&t);
    return cli_fail(rc, err);
}
