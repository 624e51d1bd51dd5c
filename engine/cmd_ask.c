/*
** hpsearch ask: claim one trial and print its parameters, so that a program
** in any language can use hpsearch as its optimizer (then `tell`).
** Asked trials record no pid: they stay RUNNING until told, however long
** the asking program takes.
*/
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
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
        fputs("HPSEARCH_PARAM_", stdout);
        for (const char *n = p->name; *n; n++)
            putchar(toupper((unsigned char)*n));
        putchar('=');
        if (p->kind == HP_PARAM_CHOICE || p->kind == HP_PARAM_FIXED)
            shell_quote(p->choices[values[i].index]);
        else
            shell_quote(space_format_value(space, i, values[i], text, sizeof text));
        putchar('\n');
    }
}

int cmd_ask(int argc, char **argv)
{
    hp_option opts[] = {{"--format", 1, NULL}, {"--storage", 1, NULL}};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(argc, argv, opts, 2, pos, 1, &n_pos);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (n_pos != 1) {
        cli_error("ask: which study? usage: hpsearch ask STUDY.ini [--format json|env]");
        return 2;
    }
    const char *format = opts[0].value ? opts[0].value : "json";
    if (strcmp(format, "json") != 0 && strcmp(format, "env") != 0) {
        cli_error("ask: --format must be json or env, got '%s'", format);
        return 2;
    }
    hp_target t;
    if ((rc = cli_prepare_study(pos[0], opts[1].value, 0, &t)))
        return rc;
    char err[HP_ERR_LEN];
    char host[256] = "localhost", worker[320];
    gethostname(host, sizeof host - 1);
    snprintf(worker, sizeof worker, "ask:%s:%d", host, (int)getpid());
    hp_claimer who = {host, 0, worker};
    hp_proposer *proposer = NULL;
    hp_value *values = calloc((size_t)space_size(t.cfg.space), sizeof *values);
    if (!values || proposer_new(&t.cfg, &proposer, err)) {
        cli_close_target(&t);
        return cli_fail(values ? HP_EINPUT : HP_ENOMEM, values ? err : NULL);
    }
    proposer_set_store(proposer, t.store, t.study.study_id);
    hp_claim claim;
    hp_claim_status status;
    /* asked trials never go stale by heartbeat: STALE_AFTER is effectively off */
    rc = store_claim(t.store, t.study.study_id, t.cfg.trials, proposer_capacity(proposer),
                     1e300, &who, proposer_propose, proposer, &claim, &status, err);
    int code = 0;
    if (rc) {
        code = cli_fail(rc, err);
    } else if (status != CLAIM_OK) {
        code = 4;
    } else if (proposer_claim_values(t.cfg.space, &claim, values, err)) {
        code = cli_fail(HP_EINPUT, err);
    } else if (strcmp(format, "env") == 0) {
        print_env(t.cfg.space, &claim, values);
    } else {
        printf("{\"trial\": %lld, \"params\": %s}\n", (long long)claim.number,
               claim.params_json);
    }
    if (!rc)
        store_claim_deinit(&claim);
    free(values);
    proposer_free(proposer);
    cli_close_target(&t);
    return code;
}
