/*
** Unit tests of engine/storage: schema and version checks, the claim's
** budget arithmetic, finishing, releasing, stale recovery by dead pid and
** by old heartbeat, and ownership of trials.
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
#include "../../engine/storage.h"

static char db[256];

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
    snprintf(db, sizeof db, "/tmp/hpsearch-test-storage-%d.db", (int)getpid());
    remove_db();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_db();
    return 0;
}

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
    strcpy(row.name, "s");
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
    hp_claimer me = {"hostA", (int)getpid(), "w0"};
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
    hp_claimer me = {"hostA", (int)getpid(), "w0"};
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
    hp_claimer gone = {"hostA", dead_pid(), "dead/w0"};
    hp_claimer other_host = {"hostB", dead_pid(), "b/w0"};
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
    hp_claimer me = {"hostA", (int)getpid(), "me/w0"};
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
    hp_claimer far = {"hostB", 12345, "b/w0"};
    hp_claimer asker = {"hostA", 0, "ask"};
    hp_claim c, a, d;
    hp_claim_status st;
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &far, propose, &calls, &c, &st,
                                 err), HP_OK);
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 60, &asker, propose, &calls, &a, &st,
                                 err), HP_OK);
    store_close(s);
    usleep(250000);
    assert_int_equal(store_open(db, 0, &s, err), HP_OK);
    hp_claimer me = {"hostA", (int)getpid(), "me/w0"};
    /* stale after 0.1 s: hostB's trial is re-queued, the asked one is not */
    assert_int_equal(store_claim(s, id, 3, UINT64_MAX, 0.1, &me, propose, &calls, &d, &st,
                                 err), HP_OK);
    assert_int_equal(st, CLAIM_OK);
    assert_int_equal(d.number, c.number);
    int64_t counts[TRIAL_N_STATES];
    assert_int_equal(store_counts(s, id, counts, err), HP_OK);
    assert_int_equal(counts[TRIAL_RUNNING], 2);
    assert_int_equal(counts[TRIAL_WAITING], 0);
    /* a heartbeat keeps a trial fresh */
    assert_int_equal(store_heartbeat(s, "hostA", (int)getpid(), err), HP_OK);
    store_claim_deinit(&c);
    store_claim_deinit(&a);
    store_claim_deinit(&d);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_dead_pid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_heartbeat, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
