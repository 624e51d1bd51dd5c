/*
** Storage figures that only a program inside the engine can take; run by
** tests/bench/storage_bench.sh, which starts the servers and the workers.
**
**   storage_bench latency STUDY.ini DB N
**       claims and finishes N trials of STUDY (its sampler proposes),
**       timing each claim; prints "claims N p50 X ms p99 Y ms".
**   storage_bench gp STUDY.ini DB TRIALS
**       fills STUDY with TRIALS finished trials proposed at random, then
**       times 6 gp claims as a run makes them: the first fits the model
**       from scratch, the next 5 (a trial finished before each) are warm.
*/
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../engine/clock.h"
#include "../../engine/error.h"
#include "../../engine/proposer.h"
#include "../../engine/target.h"

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int open_study(const char *ini, const char *db, const char *sampler, hp_target *t,
                      char *err)
{
    int rc = target_load_study(ini, t, err);
    if (!rc)
        rc = study_apply_overrides(&t->cfg, 0, 0, db, err);
    if (!rc && sampler) {
        free(t->cfg.sampler);
        t->cfg.sampler = strdup(sampler);
    }
    if (!rc)
        rc = target_open_study(t, err);
    return rc;
}

/* Claims and finishes N trials; LAT (may be NULL) gets each claim's time. */
static int claim_loop(hp_target *t, hp_proposer *p, int64_t n, double *lat, char *err)
{
    char worker[64];
    snprintf(worker, sizeof worker, "bench:%d", (int)getpid());
    char instance[40];
    snprintf(instance, sizeof instance, "bench-%d", (int)getpid());
    hp_claimer who = {"bench", (int)getpid(), worker, instance, "bench"};
    for (int64_t i = 0; i < n; i++) {
        hp_claim c;
        hp_claim_status st;
        double t0 = clock_monotonic();
        int rc = store_claim(t->store, t->study.study_id, t->cfg.trials, proposer_capacity(p),
                             60, &who, proposer_propose, p, &c, &st, err);
        double dt = clock_monotonic() - t0;
        if (rc)
            return rc;
        if (st != CLAIM_OK) {
            snprintf(err, HP_ERR_LEN, "the study's budget ran out after %lld claims",
                     (long long)i);
            return HP_ERUNTIME;
        }
        if (lat)
            lat[i] = dt;
        double v = 0;
        for (int k = 0; k < c.n_params; k++)
            v += c.params[k].value * c.params[k].value;
        rc = store_finish(t->store, c.trial_id, worker, TRIAL_COMPLETE, v, NULL, NULL, NULL, 0,
                          err);
        store_claim_deinit(&c);
        if (rc)
            return rc;
    }
    return HP_OK;
}

static int latency(const char *ini, const char *db, int64_t n, char *err)
{
    hp_target t;
    hp_proposer *p = NULL;
    double *lat = malloc(sizeof *lat * (size_t)n);
    int rc = lat ? open_study(ini, db, NULL, &t, err) : HP_ENOMEM;
    if (!rc)
        rc = proposer_new(&t.cfg, &p, err);
    if (!rc) {
        proposer_set_store(p, t.store, t.study.study_id);
        rc = claim_loop(&t, p, n, lat, err);
    }
    if (!rc) {
        qsort(lat, (size_t)n, sizeof *lat, by_value);
        printf("claims %lld p50 %.2f ms p99 %.2f ms max %.2f ms\n", (long long)n,
               1e3 * lat[n / 2], 1e3 * lat[(n * 99) / 100], 1e3 * lat[n - 1]);
    }
    proposer_free(p);
    target_close(&t);
    free(lat);
    return rc;
}

static int gp(const char *ini, const char *db, int64_t trials, char *err)
{
    hp_target t;
    hp_proposer *random = NULL;
    int rc = open_study(ini, db, "random", &t, err);
    if (!rc)
        rc = proposer_new(&t.cfg, &random, err);
    if (!rc) {
        proposer_set_store(random, t.store, t.study.study_id);
        rc = claim_loop(&t, random, trials, NULL, err);
    }
    proposer_free(random);
    if (rc) {
        target_close(&t);
        return rc;
    }
    free(t.cfg.sampler);
    t.cfg.sampler = strdup("gp");
    /* as a run does: one proposer, whose first proposal fits the model
       from scratch and whose later ones (one trial finished in between)
       read only what is new and refit when due; each timed as a whole
       claim (claim, history read, fit, acquisition, parameters stored) */
    hp_proposer *p = NULL;
    double times[6];
    if (!(rc = proposer_new(&t.cfg, &p, err))) {
        proposer_set_store(p, t.store, t.study.study_id);
        rc = claim_loop(&t, p, 6, times, err);
    }
    proposer_free(p);
    if (!rc) {
        qsort(times + 1, 5, sizeof *times, by_value);
        printf("gp claim at %lld trials: first %.0f ms (fit from scratch), then median "
               "%.0f ms (min %.0f, max %.0f)\n", (long long)trials, 1e3 * times[0],
               1e3 * times[3], 1e3 * times[1], 1e3 * times[5]);
    }
    target_close(&t);
    return rc;
}

int main(int argc, char **argv)
{
    char err[HP_ERR_LEN] = "";
    int rc;
    /* as hpsearch's main: every GSL status is checked, none aborts */
    gsl_set_error_handler_off();
    if (argc == 5 && strcmp(argv[1], "latency") == 0)
        rc = latency(argv[2], argv[3], atoll(argv[4]), err);
    else if (argc == 5 && strcmp(argv[1], "gp") == 0)
        rc = gp(argv[2], argv[3], atoll(argv[4]), err);
    else {
        fprintf(stderr, "usage: storage_bench latency|gp STUDY.ini DB N\n");
        return 2;
    }
    if (rc)
        fprintf(stderr, "storage_bench: %s\n", err);
    return rc ? 1 : 0;
}
