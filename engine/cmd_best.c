/*
** hpsearch best: the best complete trial, as an INI [params] block to paste
** into a study file, or as JSON.
*/
#include <math.h>
#include <string.h>

#include "cli.h"

typedef struct {
    hp_target *t;
    int json;
    int printed;
    char err[HP_ERR_LEN];
    int rc;
} best_ctx;

static int print_ini_param(void *ctx, const char *name, double value, const char *text)
{
    (void)ctx;
    if (text) {
        /* quote what the study file reader would otherwise split or cut */
        int plain = text[0] && !strpbrk(text, ",;#\"\\") && text[0] != ' ' &&
                    text[strlen(text) - 1] != ' ' && !strchr(text, '(');
        if (plain) {
            printf("%s = %s\n", name, text);
        } else {
            printf("%s = \"", name);
            for (const char *p = text; *p; p++) {
                if (*p == '"' || *p == '\\')
                    putchar('\\');
                putchar(*p);
            }
            printf("\"\n");
        }
    } else if (value == floor(value) && fabs(value) < 1e15) {
        printf("%s = %.0f\n", name, value);
    } else {
        printf("%s = %.17g\n", name, value);
    }
    return 0;
}

static int print_best(void *ctx, const hp_trial_row *row)
{
    best_ctx *b = ctx;
    b->printed = 1;
    hp_buf imp;
    buf_init(&imp);
    int has_imp = cli_importance(b->t, &imp, b->json) == 0;
    if (b->json) {
        printf("{\"study\": ");
        hp_buf name;
        buf_init(&name);
        buf_json_string(&name, b->t->study.name);
        printf("%s, \"trial\": %lld, \"value\": %.17g, \"params\": %s, \"metrics\": %s",
               buf_str(&name), (long long)row->number, row->value, row->params_json,
               row->metrics_json);
        if (has_imp)
            printf(", \"importance\": %s", buf_str(&imp));
        printf("}\n");
        buf_deinit(&name);
        buf_deinit(&imp);
        return 0;
    }
    if (has_imp)
        printf("; parameter importance (gp): %s\n", buf_str(&imp));
    buf_deinit(&imp);
    printf("; best trial %lld of study '%s': %s = %.10g\n[params]\n", (long long)row->number,
           b->t->study.name, b->t->study.metric, row->value);
    b->rc = store_trial_params(b->t->store, row->trial_id, print_ini_param, NULL, b->err);
    return 0;
}

int cmd_best(int argc, char **argv)
{
    hp_option opts[] = {{"--study", 1, NULL}, {"--format", 1, NULL}};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(argc, argv, opts, 2, pos, 1, &n_pos);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (n_pos != 1) {
        cli_error("best: which study? usage: hpsearch best STUDY.ini|DB");
        return 2;
    }
    const char *format = opts[1].value ? opts[1].value : "ini";
    if (strcmp(format, "ini") != 0 && strcmp(format, "json") != 0) {
        cli_error("best: --format must be ini or json, got '%s'", format);
        return 2;
    }
    hp_target t;
    if ((rc = cli_open_target(pos[0], opts[0].value, &t)))
        return rc;
    best_ctx b = {&t, strcmp(format, "json") == 0, 0, "", 0};
    int found;
    rc = store_best(t.store, t.study.study_id, strcmp(t.study.direction, "maximize") == 0,
                    print_best, &b, &found, b.err);
    if (!rc)
        rc = b.rc;
    int printed = b.printed;
    char name[256];
    snprintf(name, sizeof name, "%s", t.study.name);
    cli_close_target(&t);
    if (rc)
        return cli_fail(rc, b.err);
    if (!printed) {
        cli_error("study '%s' has no complete trial yet", name);
        return 1;
    }
    return 0;
}
