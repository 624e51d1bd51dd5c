/*
** hpsearch best: the best complete trial, as an INI [params] block to paste
** into a study file, or as JSON.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "importance.h"

typedef struct {
    hp_target *t;
    int json;
    int printed;
    char err[HP_ERR_LEN];
    int rc;
    /* the best trial, kept from the query: nothing else is read while
       the query's row is open */
    int found;
    int64_t trial_id, number;
    double value;
    char *params_json, *metrics_json;
} best_ctx;

static int keep_best(void *ctx, const hp_trial_row *row)
{
    best_ctx *b = ctx;
    b->found = 1;
    b->trial_id = row->trial_id;
    b->number = row->number;
    b->value = row->value;
    b->params_json = strdup(row->params_json);
    b->metrics_json = strdup(row->metrics_json);
    if (!b->params_json || !b->metrics_json) {
        snprintf(b->err, HP_ERR_LEN, "out of memory");
        b->rc = HP_ENOMEM;
    }
    return 1;
}

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
    } else {
        char v[40];
        printf("%s = %s\n", name, buf_number_text(value, v, sizeof v));
    }
    return 0;
}

static void print_best(best_ctx *b)
{
    const best_ctx *row = b;
    b->printed = 1;
    hp_buf imp;
    buf_init(&imp);
    int has_imp = importance_describe(b->t, &imp, b->json) == 0;
    if (b->json) {
        printf("{\"study\": ");
        hp_buf name;
        buf_init(&name);
        buf_json_string(&name, b->t->study.name);
        char v[40];
        printf("%s, \"trial\": %lld, \"value\": %s, \"params\": %s, \"metrics\": %s",
               buf_str(&name), (long long)row->number, buf_number_text(row->value, v, sizeof v),
               row->params_json, row->metrics_json);
        if (has_imp)
            printf(", \"importance\": %s", buf_str(&imp));
        printf("}\n");
        buf_deinit(&name);
        buf_deinit(&imp);
        return;
    }
    if (has_imp)
        printf("; parameter importance (gp): %s\n", buf_str(&imp));
    buf_deinit(&imp);
    char v[40];
    printf("; best trial %lld of study '%s': %s = %s\n[params]\n", (long long)row->number,
           b->t->study.name, b->t->study.metric, buf_number_text(row->value, v, sizeof v));
    b->rc = store_trial_params(b->t->store, row->trial_id, print_ini_param, NULL, b->err);
}

int cmd_best(const hp_args *a, hp_target *t, char *err)
{
    const char *format = args_get(a, "--format") ? args_get(a, "--format") : "ini";
    if (strcmp(format, "ini") != 0 && strcmp(format, "json") != 0) {
        snprintf(err, HP_ERR_LEN, "best: --format must be ini or json, got '%s'", format);
        return HP_EINPUT;
    }
    best_ctx b;
    memset(&b, 0, sizeof b);
    b.t = t;
    b.json = strcmp(format, "json") == 0;
    int found;
    int rc = store_best(t->store, t->study.study_id, strncmp(t->study.direction, "maximize", 8) == 0,
                        keep_best, &b, &found, b.err);
    if (!rc)
        rc = b.rc;
    if (!rc && b.found) {
        print_best(&b);
        rc = b.rc;
    }
    free(b.params_json);
    free(b.metrics_json);
    if (rc) {
        snprintf(err, HP_ERR_LEN, "%s", b.err);
        return rc;
    }
    if (!b.printed) {
        snprintf(err, HP_ERR_LEN, "study '%s' has no complete trial yet", t->study.name);
        return HP_ERUNTIME;
    }
    return HP_OK;
}
