/*
** hpsearch best: the best complete trial, as an INI [params] block to paste
** into a study file, or as JSON; for a multi-objective study, every trial
** of the Pareto front so, best first by the first objective.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "front.h"
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

/* A front member's row, kept from the query. */
typedef struct {
    int64_t trial_id;
    char *params_json, *metrics_json;
} member_row;

static int keep_member(void *ctx, const hp_trial_row *row)
{
    member_row *m = ctx;
    m->trial_id = row->trial_id;
    m->params_json = strdup(row->params_json);
    m->metrics_json = strdup(row->metrics_json);
    return 1;
}

/* The Pareto front of a study of several objectives O. */
/* The message for a study without a complete feasible trial. */
static int none_yet(const hp_target *t, const hp_front *f, char *err)
{
    if (f->infeasible)
        snprintf(err, HP_ERR_LEN, "study '%s' has no feasible trial yet: its %d complete "
                 "trials break the constraints", t->study.name, f->infeasible);
    else
        snprintf(err, HP_ERR_LEN, "study '%s' has no complete trial yet", t->study.name);
    return HP_ERUNTIME;
}

static int print_front(hp_target *t, const hp_objectives *o, const hp_constraints *cons,
                       int json, char *err)
{
    hp_front f;
    int rc = front_load(t->store, t->study.study_id, o, cons, &f, err);
    if (rc)
        return rc;
    if (f.front == 0) {
        rc = none_yet(t, &f, err);
        front_free(&f);
        return rc;
    }
    int *idx = malloc(sizeof(int) * (size_t)f.front);
    if (!idx) {
        front_free(&f);
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    int m = front_members(&f, o, idx);
    hp_buf name;
    buf_init(&name);
    buf_json_string(&name, t->study.name);
    char v[40];
    if (json) {
        printf("{\"study\": %s, \"objectives\": [", buf_str(&name));
        for (int j = 0; j < o->n; j++) {
            buf_reset(&name);
            buf_json_string(&name, o->names[j]);
            printf("%s{\"metric\": %s, \"direction\": \"%s\"}", j ? ", " : "",
                   buf_str(&name), o->maximize[j] ? "maximize" : "minimize");
        }
        printf("], \"front\": [");
    } else {
        printf("; Pareto front of study '%s': %d of %d complete%s trials (", t->study.name, m,
               f.n, cons ? " feasible" : "");
        for (int j = 0; j < o->n; j++)
            printf("%s%s %s", j ? ", " : "", o->maximize[j] ? "maximize" : "minimize",
                   o->names[j]);
        printf(")\n");
    }
    for (int a = 0; a < m && rc == HP_OK; a++) {
        int i = idx[a];
        member_row row = {0, NULL, NULL};
        int found;
        rc = store_trial_by_number(t->store, t->study.study_id, f.numbers[i], keep_member, &row,
                                   &found, err);
        if (rc == HP_OK && (!row.params_json || !row.metrics_json)) {
            snprintf(err, HP_ERR_LEN, "out of memory");
            rc = HP_ENOMEM;
        }
        if (rc == HP_OK && json) {
            printf("%s{\"trial\": %lld, \"values\": {", a ? ", " : "", (long long)f.numbers[i]);
            for (int j = 0; j < o->n; j++) {
                buf_reset(&name);
                buf_json_string(&name, o->names[j]);
                printf("%s%s: %s", j ? ", " : "", buf_str(&name),
                       buf_number_text(f.values[(size_t)i * (size_t)o->n + (size_t)j], v,
                                       sizeof v));
            }
            printf("}, \"params\": %s, \"metrics\": %s}", row.params_json, row.metrics_json);
        } else if (rc == HP_OK) {
            printf("\n; trial %lld:", (long long)f.numbers[i]);
            for (int j = 0; j < o->n; j++)
                printf("%s %s = %s", j ? "," : "", o->names[j],
                       buf_number_text(f.values[(size_t)i * (size_t)o->n + (size_t)j], v,
                                       sizeof v));
            printf("\n[params]\n");
            rc = store_trial_params(t->store, row.trial_id, print_ini_param, NULL, err);
        }
        free(row.params_json);
        free(row.metrics_json);
    }
    if (rc == HP_OK && json)
        printf("]}\n");
    buf_deinit(&name);
    free(idx);
    front_free(&f);
    return rc;
}

int cmd_best(const hp_args *a, hp_target *t, char *err)
{
    const char *format = args_get(a, "--format") ? args_get(a, "--format") : "ini";
    if (strcmp(format, "ini") != 0 && strcmp(format, "json") != 0) {
        snprintf(err, HP_ERR_LEN, "best: --format must be ini or json, got '%s'", format);
        return HP_EINPUT;
    }
    hp_objectives o;
    int which;
    if (objectives_parse(t->study.metric, t->study.direction, &o, &which, err))
        return HP_EINPUT;
    const hp_constraints *cons = t->has_cfg && t->cfg.constraints.n ? &t->cfg.constraints
                                                                      : NULL;
    if (o.n > 1)
        return print_front(t, &o, cons, strcmp(format, "json") == 0, err);
    best_ctx b;
    memset(&b, 0, sizeof b);
    b.t = t;
    b.json = strcmp(format, "json") == 0;
    int found, rc;
    if (cons) {
        /* the best feasible trial: the front of one objective */
        hp_front f;
        if ((rc = front_load(t->store, t->study.study_id, &o, cons, &f, err)))
            return rc;
        if (f.front == 0) {
            rc = none_yet(t, &f, err);
            front_free(&f);
            return rc;
        }
        int *members = malloc(sizeof(int) * (size_t)f.front);
        if (!members) {
            front_free(&f);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
        front_members(&f, &o, members);
        int64_t number = f.numbers[members[0]];
        free(members);
        front_free(&f);
        rc = store_trial_by_number(t->store, t->study.study_id, number, keep_best, &b, &found,
                                   b.err);
    } else {
        rc = store_best(t->store, t->study.study_id,
                        strncmp(t->study.direction, "maximize", 8) == 0, keep_best, &b, &found,
                        b.err);
    }
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
