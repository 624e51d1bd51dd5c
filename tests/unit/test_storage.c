/*
** Unit tests of engine/storage: schema and version checks, the claim's
** budget arithmetic, finishing, releasing, stale recovery by dead pid and
** by stopped heartbeat, worker identity, ownership of trials, and the values
** a model-based sampler sees of pruned trials (engine/rung_model.c).
**
** With HP_TEST_PG_URL set (a postgresql:// URL of a scratch database) the
** same tests run against PostgreSQL, each on a study of its own; the
** SQLite-file tests are left out there.  "pg" as the first argument asks
** for that run, which exits 77 (skipped) when the variable is not set.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../engine/error.h"
#include "../../engine/rung_model.h"
#include "../../engine/storage.h"

static char db[1024];
static int on_pg;
static char study_name[64];
static int study_serial;

static void remove_db(void)
{
    char p[300];
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(study_name, sizeof study_name, "s-%d-%d", (int)getpid(), study_serial++);
    if (on_pg)
        return 0;
    snprintf(db, sizeof db, "/tmp/hpsearch-test-storage-%d.db", (int)getpid());
    remove_db();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (!on_pg)
        remove_db();
    return 0;
}

/* Claimers: this process, as the runner names it, and others. */
#define ORIGIN "boot-1/pid:[1]"
#define CLAIMER(host, pid, worker, instance, origin) \
    (hp_claimer) { host, pid, worker, instance, origin }

/* Proposes x = number / 10 for trial NUMBER. */
static int propose(void *ctx, int64_t number, hp_claim *c, char *err)
{
    (void)err;
    int *calls = ctx;
    (*calls)++;
    c->params = calloc(1, sizeof *c->params);
    c->params[0].name = strdup("x");
    c->params[0].value = number / 10.0;
    c->n_params = 1;
    char json[64];
    snprintf(json, sizeof json, "{\"x\": %g}", number / 10.0);
    c->params_json = strdup(json);
    c->seed = (uint64_t)number * 7;
    return 0;
}

static hp_store *open_with_study(int64_t *study_id)
{
    hp_store *s;
    char err[HP_ERR_LEN];
    int rc = store_open(db, 1, &s, err);
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, HP_OK);
    hp_study_row row;
    memset(&row, 0, sizeof row);
    strcpy(row.name, study_name);
    strcpy(row.direction, "minimize");
    strcpy(row.metric, "value");
    strcpy(row.sampler, "random");
    strcpy(row.space_hash, "0123456789abcdef");
    row.trials = 3;
    assert_int_equal(store_create_study(s, &row, "[study]\n", err), HP_OK);
    *study_id = row.study_id;
    return s;
}

static void test_open_errors(void **state)
{
    (void)state;
    hp_store *s;
    char err[HP_ERR_LEN];
    assert_int_equal(store_open(db, 0, &s, err), HP_EINPUT);
    assert_non_null(strstr(err, "no database"));
    FILE *f = fopen(db, "w");
    fputs("this is not a database, just some text that is long enough", f);
    fclose(f);
    assert_int_equal(store_open(db, 1, &s, err), HP_EINPUT);
    assert_non_null(strstr(err, "not an SQLite database"));
    remove_db();
    assert_int_equal(store_open("/nonexistent-dir/x.db", 1, &s, err), HP_EINPUT);
    assert_non_null(strstr(err, "does not exist"));
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    int64_t id;
    hp_store *s = open_with_study(&id);
    store_close(s);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'PRAGMA user_version = 99'", db);
    if (system(cmd) != 0)
        skip();
    char err[HP_ERR_LEN];
    assert_int_equal(store_open(db, 1, &s, err), HP_EINPUT);
    assert_non_null(strstr(err, "newer"));
}

static void test_claim_budget(void **state)
{
    (void)state;
    int64_t id;
    hp_store *s = open_with_study(&id);
    char err[HP_ERR_LEN];
    int calls = 0;
    hp_claimer me = CLAIMER("hostA", (int)getpid(), "w0", "i-me", ORIGIN);
    hp_claim c[4];
    hp_claim_status st;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &me, propose, &calls, &c[i],
                                     &st, err), HP_OK);
        assert_int_equal(st, CLAIM_OK);
        assert_int_equal(c[i].number, i);
        assert_float_equal(c[i].params[0].value, i / 10.0, 1e-12);
    }
    /* budget 3 held by running trials: wait, not done */
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &me, propose, &calls, &c[3], &st,
                                 err), HP_OK);
    assert_int_equal(st, CLAIM_WAIT);
    hp_metric m = {"value", 1.5};
    assert_int_equal(store_finish(s, c[0].trial_id, "w0", TRIAL_COMPLETE, 1.5, NULL, NULL, &m, 1,
                                  err), HP_OK);
    assert_int_equal(store_finish(s, c[1].trial_id, "w0", TRIAL_FAILED, NAN, "boom", NULL, NULL,
                                  0, err), HP_OK);
    /* someone else's worker id cannot finish it */
    assert_int_equal(store_finish(s, c[2].trial_id, "w9", TRIAL_COMPLETE, 0.5, NULL, NULL, NULL, 0,
                                  err), HP_EINPUT);
    /* released: it goes back to WAITING and is claimed again, same params */
    assert_int_equal(store_release(s, c[2].trial_id, "w0", err), HP_OK);
    hp_claim again;
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &me, propose, &calls, &again, &st,
                                 err), HP_OK);
    assert_int_equal(st, CLAIM_OK);
    assert_int_equal(again.number, 2);
    assert_string_equal(again.params_json, c[2].params_json);
    assert_int_equal(again.seed, c[2].seed);
    assert_int_equal(calls, 3); /* the sampler was not asked again */
    assert_int_equal(store_finish(s, again.trial_id, "w0", TRIAL_COMPLETE, 0.25, NULL, NULL, NULL,
                                  0, err), HP_OK);
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &me, propose, &calls, &c[3], &st,
                                 err), HP_OK);
    assert_int_equal(st, CLAIM_DONE);
    int64_t counts[TRIAL_N_STATES];
    assert_int_equal(store_counts(s, id, counts, err), HP_OK);
    assert_int_equal(counts[TRIAL_COMPLETE], 2);
    assert_int_equal(counts[TRIAL_FAILED], 1);
    /* a larger budget lets claiming go on from number 3 */
    assert_int_equal(store_claim(s, id, 4, UINT64_MAX, 60, &me, propose, &calls, &c[3], &st,
                                 err), HP_OK);
    assert_int_equal(st, CLAIM_OK);
    assert_int_equal(c[3].number, 3);
    for (int i = 0; i < 4; i++)
        store_claim_deinit(&c[i]);
    store_claim_deinit(&again);
    int ok;
    assert_int_equal(store_integrity_check(s, &ok, err), HP_OK);
    assert_true(ok);
    store_close(s);
}

static void test_capacity(void **state)
{
    (void)state;
    int64_t id;
    hp_store *s = open_with_study(&id);
    char err[HP_ERR_LEN];
    int calls = 0;
    hp_claimer me = CLAIMER("hostA", (int)getpid(), "w0", "i-me", ORIGIN);
    hp_claim c;
    hp_claim_status st;
    assert_int_equal(store_claim(s, id, 10, 1, 60, &me, propose, &calls, &c, &st, err), HP_OK);
    assert_int_equal(st, CLAIM_OK);
    hp_claim d;
    assert_int_equal(store_claim(s, id, 10, 1, 60, &me, propose, &calls, &d, &st, err), HP_OK);
    assert_int_equal(st, CLAIM_WAIT);
    assert_int_equal(store_finish(s, c.trial_id, "w0", TRIAL_COMPLETE, 1, NULL, NULL, NULL, 0, err),
                     HP_OK);
    assert_int_equal(store_claim(s, id, 10, 1, 60, &me, propose, &calls, &d, &st, err), HP_OK);
    assert_int_equal(st, CLAIM_DONE);
    store_claim_deinit(&c);
    store_close(s);
}

static int dead_pid(void)
{
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    return (int)child;
}

static void test_stale_dead_pid(void **state)
{
    (void)state;
    int64_t id;
    hp_store *s = open_with_study(&id);
    char err[HP_ERR_LEN];
    int calls = 0;
    hp_claimer gone = CLAIMER("hostA", dead_pid(), "dead/w0", "i-gone", ORIGIN);
    hp_claimer other_host = CLAIMER("hostB", dead_pid(), "b/w0", "i-b", ORIGIN);
    hp_claim c, d, e;
    hp_claim_status st;
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &gone, propose, &calls, &c, &st,
                                 err), HP_OK);
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &other_host, propose, &calls, &d,
                                 &st, err), HP_OK);
    assert_int_equal(store_report(s, c.trial_id, "dead/w0", 1, "loss", 0.5, err), HP_OK);
    /* a report names the step: the same step again replaces it */
    assert_int_equal(store_report(s, c.trial_id, "dead/w0", 1, "loss", 0.25, err), HP_OK);
    /* only the owner reports */
    assert_int_equal(store_report(s, c.trial_id, "b/w0", 2, "loss", 0.5, err), HP_EINPUT);
    store_close(s);
    /* a new connection (a new process) sweeps at its first claim: the dead
       pid on this host is stale at once; hostB's pid cannot be checked from
       here and its heartbeat is fresh, so it stays */
    assert_int_equal(store_open(db, 0, &s, err), HP_OK);
    hp_claimer me = CLAIMER("hostA", (int)getpid(), "me/w0", "i-me", ORIGIN);
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &me, propose, &calls, &e, &st,
                                 err), HP_OK);
    assert_int_equal(st, CLAIM_OK);
    assert_int_equal(e.number, c.number);
    assert_string_equal(e.params_json, c.params_json);
    int64_t counts[TRIAL_N_STATES];
    assert_int_equal(store_counts(s, id, counts, err), HP_OK);
    assert_int_equal(counts[TRIAL_RUNNING], 2);
    /* its step values are kept for a resume from a checkpoint, and are not
       final metrics */
    double v;
    int found;
    assert_int_equal(store_trial_metric(s, e.trial_id, "loss", &v, &found, err), HP_OK);
    assert_false(found);
    /* the old claimer can no longer report to it or finish it */
    assert_int_equal(store_report(s, e.trial_id, "dead/w0", 3, "loss", 0.5, err), HP_EINPUT);
    assert_int_equal(store_finish(s, e.trial_id, "dead/w0", TRIAL_COMPLETE, 1, NULL, NULL, NULL, 0,
                                  err), HP_EINPUT);
    store_claim_deinit(&c);
    store_claim_deinit(&d);
    store_claim_deinit(&e);
    store_close(s);
}

static void test_stale_heartbeat(void **state)
{
    (void)state;
    int64_t id;
    hp_store *s = open_with_study(&id);
    char err[HP_ERR_LEN];
    int calls = 0;
    hp_claimer far = CLAIMER("hostB", 12345, "b/w0", "i-b", "boot-2/pid:[9]");
    hp_claimer asker = CLAIMER("hostA", 0, "ask", "i-ask", ORIGIN);
    hp_claim c, a, d;
    hp_claim_status st;
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &far, propose, &calls, &c, &st,
                                 err), HP_OK);
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &asker, propose, &calls, &a, &st,
                                 err), HP_OK);
    store_close(s);
    usleep(250000);
    assert_int_equal(store_open(db, 0, &s, err), HP_OK);
    hp_claimer me = CLAIMER("hostA", (int)getpid(), "me/w0", "i-me", ORIGIN);
    /* stale after 0.2 s.  PostgreSQL judges by its own clock: hostB's
       heartbeat is 0.25 s old, so its trial is re-queued at the first
       sweep.  SQLite judges by watching the heartbeat not move for 0.2 s of
       this process's clock, so the first sweep only notes it; the next
       sweep (a second later) re-queues it.  The asked trial never goes. */
    assert_int_equal(store_claim(s, id, 4, UINT64_MAX, 0.2, &me, propose, &calls, &d, &st,
                                 err), HP_OK);
    assert_int_equal(st, CLAIM_OK);
    int64_t counts[TRIAL_N_STATES];
    if (on_pg) {
        assert_int_equal(d.number, c.number);
    } else {
        assert_int_equal(d.number, 2);
        store_claim_deinit(&d);
        usleep(1100000);
        assert_int_equal(store_claim(s, id, 4, UINT64_MAX, 0.2, &me, propose, &calls, &d, &st,
                                     err), HP_OK);
        assert_int_equal(st, CLAIM_OK);
        assert_int_equal(d.number, c.number);
    }
    assert_int_equal(store_counts(s, id, counts, err), HP_OK);
    assert_int_equal(counts[TRIAL_WAITING], 0);
    assert_int_equal(counts[TRIAL_RUNNING], on_pg ? 2 : 3);
    store_claim_deinit(&c);
    store_claim_deinit(&a);
    store_claim_deinit(&d);
    store_close(s);
}

/* The heartbeat refreshes only its own instance's trials: a trial of
** another process (here "i-other") goes stale while this one beats. */
static void test_heartbeat_own_trials(void **state)
{
    (void)state;
    int64_t id;
    hp_store *s = open_with_study(&id);
    char err[HP_ERR_LEN];
    int calls = 0;
    hp_claimer other = CLAIMER("hostB", 4242, "o/w0", "i-other", "boot-2/pid:[9]");
    hp_claimer me = CLAIMER("hostA", (int)getpid(), "me/w0", "i-me", ORIGIN);
    hp_claim c, m, d;
    hp_claim_status st;
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &other, propose, &calls, &c, &st,
                                 err), HP_OK);
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &me, propose, &calls, &m, &st,
                                 err), HP_OK);
    store_close(s);
    assert_int_equal(store_open(db, 0, &s, err), HP_OK);
    hp_claimer third = CLAIMER("hostC", 77, "t/w0", "i-third", "boot-3/pid:[3]");
    /* the first sweep of a new connection; then both beat... but only
       "i-me" does: "i-other" is judged stale, "i-me" is not */
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 0.3, &third, propose, &calls, &d, &st,
                                 err), HP_OK);
    assert_int_equal(d.number, 2);
    store_claim_deinit(&d);
    for (int i = 0; i < 12; i++) {
        usleep(100000);
        assert_int_equal(store_heartbeat(s, "i-me", err), HP_OK);
    }
    assert_int_equal(store_claim(s, id, 4, UINT64_MAX, 0.3, &third, propose, &calls, &d, &st,
                                 err), HP_OK);
    assert_int_equal(st, CLAIM_OK);
    assert_int_equal(d.number, c.number);
    int running, pid;
    char instance[64];
    assert_int_equal(store_trial_owner(s, m.trial_id, &running, &pid, instance, err), HP_OK);
    assert_true(running);
    assert_string_equal(instance, "i-me");
    assert_int_equal(pid, (int)getpid());
    store_claim_deinit(&c);
    store_claim_deinit(&m);
    store_claim_deinit(&d);
    store_close(s);
}

/* Pids are judged only within their own boot and PID namespace: a dead pid
** of another namespace (a container with the same host name) is left to
** its heartbeat, and our own pid under another instance (a restarted
** container whose process got the same pid) is a dead predecessor. */
static void test_pid_namespaces(void **state)
{
    (void)state;
    int64_t id;
    hp_store *s = open_with_study(&id);
    char err[HP_ERR_LEN];
    int calls = 0;
    int gone = dead_pid();
    hp_claimer twin = CLAIMER("hostA", gone, "twin/w0", "i-twin", "boot-1/pid:[2]");
    hp_claimer before = CLAIMER("hostA", (int)getpid(), "before/w0", "i-before", ORIGIN);
    hp_claim c, b, d;
    hp_claim_status st;
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &twin, propose, &calls, &c, &st,
                                 err), HP_OK);
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &before, propose, &calls, &b, &st,
                                 err), HP_OK);
    store_close(s);
    assert_int_equal(store_open(db, 0, &s, err), HP_OK);
    hp_claimer me = CLAIMER("hostA", (int)getpid(), "me/w0", "i-me", ORIGIN);
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &me, propose, &calls, &d, &st,
                                 err), HP_OK);
    assert_int_equal(st, CLAIM_OK);
    assert_int_equal(d.number, b.number);   /* the predecessor's trial */
    int running, pid;
    char instance[64];
    assert_int_equal(store_trial_owner(s, c.trial_id, &running, &pid, instance, err), HP_OK);
    assert_true(running);                   /* the twin's stays */
    assert_string_equal(instance, "i-twin");
    store_claim_deinit(&c);
    store_claim_deinit(&b);
    store_claim_deinit(&d);
    store_close(s);
}

/* A model-based proposal that looks at the database from another
** connection while its trial is claimed: the claim is committed with its
** parameters pending, and the other connection (a sampler that proposes
** inside its claim) claims and reports without waiting. */
typedef struct {
    int64_t study_id;
    int checked;
} peek_ctx;

static int propose_and_peek(void *ctx, int64_t number, hp_claim *c, char *err)
{
    peek_ctx *p = ctx;
    hp_store *other;
    assert_int_equal(store_open(db, 0, &other, err), HP_OK);
    int64_t counts[TRIAL_N_STATES];
    assert_int_equal(store_counts(other, p->study_id, counts, err), HP_OK);
    assert_int_equal(counts[TRIAL_RUNNING], 1);
    hp_claimer them = CLAIMER("hostB", 4321, "them/w0", "i-them", "boot-2/pid:[9]");
    hp_claim d;
    hp_claim_status st;
    int calls = 0;
    assert_int_equal(store_claim(other, p->study_id, 5, UINT64_MAX, 60, &them, propose, &calls,
                                 &d, &st, err), HP_OK);
    assert_int_equal(st, CLAIM_OK);
    assert_int_equal(d.number, number + 1);
    assert_int_equal(store_report(other, d.trial_id, "them/w0", 1, "loss", 2.0, err), HP_OK);
    store_claim_deinit(&d);
    store_close(other);
    p->checked = 1;
    int ignored;
    return propose(&ignored, number, c, err);
}

static void test_proposal_outside_claim(void **state)
{
    (void)state;
    int64_t id;
    hp_store *s = open_with_study(&id);
    char err[HP_ERR_LEN];
    peek_ctx p = {id, 0};
    store_serialize_proposals(s, 1);   /* a model-based sampler's claims */
    hp_claimer me = CLAIMER("hostA", (int)getpid(), "me/w0", "i-me", ORIGIN);
    hp_claim c;
    hp_claim_status st;
    assert_int_equal(store_claim(s, id, 5, UINT64_MAX, 60, &me, propose_and_peek, &p, &c, &st,
                                 err), HP_OK);
    assert_true(p.checked);
    assert_int_equal(st, CLAIM_OK);
    assert_int_equal(c.number, 0);
    assert_float_equal(c.params[0].value, 0.0, 1e-12);
    int ok;
    assert_int_equal(store_integrity_check(s, &ok, err), HP_OK);
    assert_true(ok);
    store_claim_deinit(&c);
    store_close(s);
}

/* A claimer that dies between its claim and storing its parameters leaves
** a trial that the next claimer takes and proposes for, under its number. */
static int propose_and_die(void *ctx, int64_t number, hp_claim *c, char *err)
{
    (void)ctx;
    (void)number;
    (void)c;
    (void)err;
    _exit(0);
}

static void test_death_before_proposal(void **state)
{
    (void)state;
    int64_t id;
    hp_store *s = open_with_study(&id);
    store_close(s);
    pid_t child = fork();
    if (child == 0) {
        char err[HP_ERR_LEN];
        hp_store *cs;
        if (store_open(db, 0, &cs, err))
            _exit(1);
        store_serialize_proposals(cs, 1);
        hp_claimer dying = CLAIMER("hostA", (int)getpid(), "dying/w0", "i-dying", ORIGIN);
        hp_claim c;
        hp_claim_status st;
        store_claim(cs, id, 3, UINT64_MAX, 60, &dying, propose_and_die, NULL, &c, &st, err);
        _exit(2);
    }
    int status;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char err[HP_ERR_LEN];
    assert_int_equal(store_open(db, 0, &s, err), HP_OK);
    store_serialize_proposals(s, 1);
    int64_t counts[TRIAL_N_STATES];
    assert_int_equal(store_counts(s, id, counts, err), HP_OK);
    assert_int_equal(counts[TRIAL_RUNNING], 1);
    hp_claimer me = CLAIMER("hostA", (int)getpid(), "me/w0", "i-me", ORIGIN);
    hp_claim c;
    hp_claim_status st;
    int calls = 0;
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &me, propose, &calls, &c, &st, err),
                     HP_OK);
    assert_int_equal(st, CLAIM_OK);
    assert_int_equal(c.number, 0);
    assert_int_equal(calls, 1);
    assert_float_equal(c.params[0].value, 0.0, 1e-12);
    assert_int_equal(store_finish(s, c.trial_id, "me/w0", TRIAL_COMPLETE, 1, NULL, NULL, NULL, 0,
                                  err), HP_OK);
    int ok;
    assert_int_equal(store_integrity_check(s, &ok, err), HP_OK);
    assert_true(ok);
    store_claim_deinit(&c);
    store_close(s);
}

static void assert_values(const double *got, const double *want, int n)
{
    for (int i = 0; i < n; i++)
        assert_float_equal(got[i], want[i], 1e-12);
}

/* What a model-based sampler sees of pruned trials (engine/rung_model.c),
** from curves stored here: a pruned trial below the worst modelled value,
** by as much as the modelled values spread times where it stood at its
** last step (0 the best there, 1 the worst), so one that diverged stays
** far below one that nearly survived. */
static void test_rung_model_pruned_values(void **state)
{
    (void)state;
    int64_t id;
    hp_store *s = open_with_study(&id);
    char err[HP_ERR_LEN];
    int calls = 0;
    hp_claimer me = CLAIMER("hostA", (int)getpid(), "w0", "i-me", ORIGIN);
    /* value (minimised) per step 1..3 of trials 0-4; NAN: not reached */
    static const double curves[5][3] = {
        {0.5, 0.3, 0.2},   /* complete */
        {0.6, 0.5, 0.4},   /* complete */
        {0.45, 0.35, NAN}, /* pruned at step 2, better than trial 1 there */
        {9.0, NAN, NAN},   /* pruned at step 1: diverged */
        {0.45, NAN, NAN},  /* pruned at step 1 */
    };
    static const unsigned char pruned[5] = {0, 0, 1, 1, 1};
    int64_t numbers[5];
    double y_final[5];
    for (int i = 0; i < 5; i++) {
        hp_claim c;
        hp_claim_status st;
        assert_int_equal(store_claim(s, id, 5, UINT64_MAX, 60, &me, propose, &calls, &c, &st,
                                     err), HP_OK);
        assert_int_equal(st, CLAIM_OK);
        numbers[i] = c.number;
        for (int k = 0; k < 3 && !isnan(curves[i][k]); k++) {
            assert_int_equal(store_report(s, c.trial_id, "w0", k + 1, "value", curves[i][k], err),
                             HP_OK);
            y_final[i] = curves[i][k];
        }
        assert_int_equal(store_finish(s, c.trial_id, "w0", pruned[i] ? TRIAL_PRUNED
                                      : TRIAL_COMPLETE, y_final[i], NULL, NULL, NULL, 0, err),
                         HP_OK);
        store_claim_deinit(&c);
    }
    double y[5];
    hp_rung_note note;
    /* 3 trials for a model: fewer completed, so the value at step 2 (the
       highest 3 trials reached: 0.3 to 0.5), the two pruned at step 1
       below trial 1's 0.5 by 0.2 times their standing there: 9.0 the worst
       of 5 (1), 0.45 the best (0) */
    assert_int_equal(rung_model_values(s, id, "value", 0, 3, 5, numbers, pruned, y_final, y,
                                       &note, err), HP_OK);
    static const double at_step2[5] = {0.3, 0.5, 0.35, 0.7, 0.5};
    assert_values(y, at_step2, 5);
    assert_int_equal(note.step, 2);
    assert_int_equal(note.reached, 3);
    assert_int_equal(note.imputed, 2);
    /* 2 trials for a model: both completed, so final values (0.2 to 0.4),
       the pruned ones below 0.4: trial 2 stood second of 3 at step 2 */
    assert_int_equal(rung_model_values(s, id, "value", 0, 2, 5, numbers, pruned, y_final, y,
                                       &note, err), HP_OK);
    static const double finals[5] = {0.2, 0.4, 0.5, 0.6, 0.4};
    assert_values(y, finals, 5);
    assert_int_equal(note.step, -1);
    assert_int_equal(note.imputed, 3);
    /* maximised, the same curves: below the lowest survivor, and 9.0 is
       the best at step 1 */
    assert_int_equal(rung_model_values(s, id, "value", 1, 2, 5, numbers, pruned, y_final, y,
                                       &note, err), HP_OK);
    static const double finals_max[5] = {0.2, 0.4, 0.1, 0.2, 0.05};
    assert_values(y, finals_max, 5);
    store_close(s);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest file_tests[] = {
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_claim_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_dead_pid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_heartbeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_own_trials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pid_namespaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proposal_outside_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_death_before_proposal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rung_model_pruned_values, setup, teardown),
    };
    if (argc > 1 && strcmp(argv[1], "pg") == 0) {
        const char *url = getenv("HP_TEST_PG_URL");
        if (!url || !*url) {
            fprintf(stderr, "HP_TEST_PG_URL is not set: no PostgreSQL to test against\n");
            return 77;
        }
        snprintf(db, sizeof db, "%s", url);
        on_pg = 1;
        return cmocka_run_group_tests_name("storage on PostgreSQL", tests, NULL, NULL);
    }
    return cmocka_run_group_tests_name("storage files", file_tests, NULL, NULL) |
           cmocka_run_group_tests_name("storage on SQLite", tests, NULL, NULL);
}
