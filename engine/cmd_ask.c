/*
** hpsearch ask: claim one trial and print its parameters, so that a program
** in any language can use hpsearch as its optimizer (then `tell`).
** Asked trials record no pid: they stay RUNNING until told, however long
** the asking program takes.
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "identity.h"
#include "proposer.h"

/* Prints VALUE in single quotes, safe for the shell's eval. */
static void shell_quote(const char *value)
{
    putchar('\'');
    for (const char *p = value; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", stdout);
        else
            putchar(*p);
    }
    putchar('\'');
}

static void print_env(const hp_space *space, const hp_claim *c, const hp_value *values)
{
    printf("HPSEARCH_TRIAL=%lld\n", (long long)c->number);
    printf("HPSEARCH_SEED=%llu\n", (unsigned long long)c->seed);
    char text[64];
    for (int i = 0; i < space_size(space); i++) {
        const hp_param *p = space_param(space, i);
        if (!space_value_active(values[i]))
            continue;
        fputs("HPSEARCH_PARAM_", stdout);
        for (const char *n = p->name; *n; n++)
            putchar(toupper((unsigned char)*n));
        putchar('=');
        shell_quote(space_format_value(space, i, values[i], text, sizeof text));
        putchar('\n');
    }
}

int cmd_ask(const hp_args *a, hp_target *t, char *err)
{
    const char *format = args_get(a, "--format") ? args_get(a, "--format") : "json";
    if (strcmp(format, "json") != 0 && strcmp(format, "env") != 0) {
        snprintf(err, HP_ERR_LEN, "ask: --format must be json or env, got '%s'", format);
        return HP_EINPUT;
    }
    hp_identity me;
    char worker[320];
    if (identity_init(&me, err))
        return HP_ERUNTIME;
    snprintf(worker, sizeof worker, "ask:%s:%d#%.8s", me.host, me.pid, me.instance);
    hp_claimer who = {me.host, 0, worker, me.instance, me.origin};
    hp_proposer *proposer = NULL;
    hp_value *values = calloc((size_t)space_size(t->cfg.space), sizeof *values);
    if (!values) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    if (proposer_new(&t->cfg, &proposer, err)) {
        free(values);
        return HP_EINPUT;
    }
    proposer_set_store(proposer, t->store, t->study.study_id);
    hp_claim claim;
    hp_claim_status status;
    /* asked trials never go stale by heartbeat: STALE_AFTER is effectively off */
    int rc = store_claim(t->store, t->study.study_id, t->cfg.trials,
                         proposer_capacity(proposer), 1e300, &who, proposer_propose, proposer,
                         &claim, &status, err);
    if (rc == HP_OK) {
        if (status != CLAIM_OK) {
            rc = HP_ENOTHING; /* exit 4, quietly: the asker's loop ends */
        } else if (proposer_claim_values(t->cfg.space, &claim, values, err)) {
            rc = HP_EINPUT;
        } else if (strcmp(format, "env") == 0) {
            print_env(t->cfg.space, &claim, values);
        } else {
            printf("{\"trial\": %lld, \"params\": %s}\n", (long long)claim.number,
                   claim.params_json);
        }
        store_claim_deinit(&claim);
    }
    free(values);
    proposer_free(proposer);
    return rc;
}
