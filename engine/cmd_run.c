/*
** hpsearch run: create or resume a study and run it to its budget.
*/
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "objective.h"
#include "runner.h"

int cmd_run(int argc, char **argv)
{
    hp_option opts[] = {{"--workers", 1, NULL}, {"--trials", 1, NULL},
                        {"--storage", 1, NULL}, {"--quiet", 0, NULL}};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(argc, argv, opts, 4, pos, 1, &n_pos);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (n_pos != 1) {
        cli_error("run: which study? usage: hpsearch run STUDY.ini");
        return 2;
    }
    int64_t workers = 0, trials = 0;
    if (opts[0].value && cli_parse_count("--workers", opts[0].value, &workers))
        return 2;
    if (opts[1].value && cli_parse_count("--trials", opts[1].value, &trials))
        return 2;
    if (workers > 1024) {
        cli_error("--workers must be at most 1024");
        return 2;
    }
    hp_target t;
    /* the objective is checked before storage is touched */
    hp_study_config probe;
    char err[HP_ERR_LEN];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (study_load(pos[0], cores > 0 ? (int)cores : 1, &probe, err)) {
        cli_error("%s", err);
        return 2;
    }
    if (!probe.has_objective) {
        study_deinit(&probe);
        cli_error("%s: the study has no [objective] section, so there is nothing to run; "
                  "drive it with 'hpsearch ask' and 'hpsearch tell'", pos[0]);
        return 2;
    }
    /* the objective (and its data set) before storage: bad data writes nothing */
    hp_objective *objective;
    if (objective_new(&probe, &objective, err)) {
        study_deinit(&probe);
        cli_error("%s", err);
        return 2;
    }
    if ((rc = cli_prepare_study(pos[0], opts[2].value, trials, &t))) {
        objective_free(objective);
        study_deinit(&probe);
        return rc;
    }
    hp_run_options ro;
    ro.trials = t.cfg.trials;
    ro.workers = workers > 0 ? (int)workers : t.cfg.workers;
    ro.timeout_s = t.cfg.timeout_s;
    ro.quiet = opts[3].value != NULL;
    ro.live = isatty(STDOUT_FILENO);
    ro.out = stdout;
    /* the runner opens its own connections */
    store_close(t.store);
    t.store = NULL;
    int abandoned;
    rc = runner_run(&t.cfg, objective, t.study.study_id, &ro, &abandoned, err);
    if (!abandoned) {
        /* after a second Ctrl-C, workers may still use them: left to exit */
        cli_close_target(&t);
        objective_free(objective);
        study_deinit(&probe);
    }
    if (rc == HP_EINTERRUPTED)
        return 130;
    if (rc)
        return cli_fail(rc, err);
    return 0;
}
