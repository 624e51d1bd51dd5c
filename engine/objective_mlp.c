/*
** The MLP objective (type = mlp): trains model/'s network on the study's
** data set with each trial's parameters (mapped by mlp_params.c).
**
** The data set is read, split (by the study seed, stratified) and
** standardised once, when the objective is made; every trial and worker
** then shares it read-only.  Each epoch is checkpointed in the trial's
** checkpoint folder, so a trial cut short resumes where it stopped, with
** the same result as an uninterrupted run.
**
** The traps a practitioner falls into are refused when the study file is
** read, with the fix in the message: a metric the task does not produce,
** a direction that contradicts the metric, selecting on the test set, a
** loss that does not fit the task.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/dataset.h"
#include "../model/train.h"
#include "mlp_params.h"
#include "error.h"
#include "objective_impl.h"
#include "files.h"
#include "parse.h"

typedef struct {
    char *dataset;        /* CSV path (or IDX images), resolved */
    char *idx_labels;     /* IDX labels when the data set is IDX */
    char *label;          /* label column, NULL = the last */
    int classification;
    double valid_split, test_split;
    int epochs, patience;
    const char *metric;   /* the study's (owned by the study) */
    int maximize;
    uint64_t seed;
    const hp_space *space;
} mlp_opts;

typedef struct {
    const mlp_opts *opts;
    hp_dataset *ds;
    hp_split split;
} mlp_state;

static const char *const keys[] = {"type", "dataset", "label", "task", "valid_split",
                                   "test_split", "epochs", "patience", NULL};

/* Metrics and the side that is better: +1 higher, -1 lower, 0 either;
** and the task that reports them: 'c' classification, 'r' regression,
** 'b' both. */
typedef struct {
    const char *name;
    int better;
    char task;
} metric_info;

static const metric_info metric_table[] = {
    {"val_accuracy", 1, 'c'}, {"val_f1", 1, 'c'}, {"val_precision", 1, 'c'},
    {"val_recall", 1, 'c'},   {"val_loss", -1, 'b'}, {"train_loss", -1, 'b'},
    {"train_accuracy", 1, 'c'}, {"val_mse", -1, 'r'}, {"val_mae", -1, 'r'},
    {"val_r2", 1, 'r'},       {"best_epoch", 0, 'b'},
    /* what a model costs: second objectives */
    {"n_params", -1, 'b'},    {"train_seconds", -1, 'b'}, {"predict_us_per_sample", -1, 'b'},
    {NULL, 0, 0}};

static const metric_info *metric_find(const char *name)
{
    for (int i = 0; metric_table[i].name; i++)
        if (strcmp(metric_table[i].name, name) == 0)
            return &metric_table[i];
    return NULL;
}

static void free_opts(void *opts)
{
    mlp_opts *o = opts;
    if (!o)
        return;
    free(o->dataset);
    free(o->idx_labels);
    free(o->label);
    free(o);
}

/* Objective METRIC's checks (to MAXIMIZE or not), with the line of [study]
** metric (or direction). */
static int check_one_metric(const hp_objective_setup *s, const mlp_opts *o, const char *metric,
                            int maximize, char *err)
{
    const hp_ini_entry *me = ini_get(s->ini, "study", "metric");
    const hp_ini_entry *de = ini_get(s->ini, "study", "direction");
    int line = me ? me->line : ini_section_line(s->ini, "study");
    hp_objective_setup one = *s;
    one.metric = metric;
    one.maximize = maximize;
    s = &one;
    if (strncmp(s->metric, "test_", 5) == 0)
        return objective_fail(s, line, err, "metric '%s' would select on the test set, which "
                              "must stay unseen until the end; use 'val_%s' (the test metrics "
                              "are still reported for every trial)", s->metric,
                              s->metric + 5);
    const metric_info *m = metric_find(s->metric);
    if (!m)
        return objective_fail(s, line, err, "the mlp objective reports no metric '%s' (it "
                              "reports val_accuracy, val_loss, val_f1, val_precision, "
                              "val_recall, train_loss, train_accuracy, val_mse, val_mae, "
                              "val_r2, best_epoch, and what a model costs: n_params, "
                              "train_seconds, predict_us_per_sample)", s->metric);
    if (m->task == 'c' && !o->classification)
        return objective_fail(s, line, err, "metric '%s' needs task = classification; a "
                              "regression reports val_loss, val_mse, val_mae and val_r2",
                              s->metric);
    if (m->task == 'r' && o->classification)
        return objective_fail(s, line, err, "metric '%s' needs task = regression; a "
                              "classification reports val_accuracy, val_f1, val_precision, "
                              "val_recall and val_loss", s->metric);
    if (m->better != 0 && (m->better > 0) != (s->maximize != 0))
        return objective_fail(s, de ? de->line : line, err, "direction = %s contradicts "
                              "metric '%s', which is better when %s; write direction = %s",
                              s->maximize ? "maximize" : "minimize", s->metric,
                              m->better > 0 ? "higher" : "lower",
                              m->better > 0 ? "maximize" : "minimize");
    return 0;
}

static int check_metric(const hp_objective_setup *s, const mlp_opts *o, char *err)
{
    if (!s->objectives)
        return check_one_metric(s, o, s->metric, s->maximize, err);
    for (int i = 0; i < s->objectives->n; i++)
        if (check_one_metric(s, o, s->objectives->names[i], s->objectives->maximize[i], err))
            return -1;
    return 0;
}

/* Every value a parameter can take must mean something to the network. */
static int check_params(const hp_objective_setup *s, const mlp_opts *o, char *err)
{
    char msg[HP_ERR_LEN];
    for (int i = 0; i < space_size(s->space); i++) {
        const hp_param *p = space_param(s->space, i);
        int pline = objective_param_line(s, p->name);
        if (space_param_is_text(p)) {
            for (int k = 0; k < p->n_choices; k++) {
                if (mlp_param_check(p->name, p->numeric ? p->choice_num[k] : NAN,
                                    p->choices[k], msg))
                    return objective_fail(s, pline, err, "%s", msg);
                if (strcmp(p->name, "loss") == 0 && !o->classification &&
                    strcmp(p->choices[k], "cross_entropy") == 0)
                    return objective_fail(s, pline, err, "loss = cross_entropy needs task = "
                                          "classification; a regression trains with mse, "
                                          "mae or huber");
            }
        } else if (mlp_param_check(p->name, p->lo, NULL, msg) ||
                   mlp_param_check(p->name, p->hi, NULL, msg)) {
            return objective_fail(s, pline, err, "%s", msg);
        }
    }
    return 0;
}

static int parse_data(const hp_objective_setup *s, mlp_opts *o, char *err)
{
    int line;
    const char *v = objective_get(s, "dataset", NULL, &line);
    if (!v || !*v)
        return objective_fail(s, line, err, "type = mlp needs 'dataset' (a CSV file with a "
                              "header row)");
    if (strncmp(v, "idx:", 4) == 0) {
        /* idx:IMAGES:LABELS, each resolved against the study file */
        const char *colon = strchr(v + 4, ':');
        if (!colon || colon == v + 4 || !colon[1])
            return objective_fail(s, line, err, "an IDX data set is idx:IMAGES:LABELS, got "
                                  "'%s'", v);
        char images[2048];
        snprintf(images, sizeof images, "%.*s", (int)(colon - v - 4), v + 4);
        o->dataset = files_resolve(s->path, images);
        o->idx_labels = files_resolve(s->path, colon + 1);
        if (!o->idx_labels)
            goto oom;
    } else {
        o->dataset = files_resolve(s->path, v);
    }
    if (!o->dataset)
        goto oom;
    if ((v = objective_get(s, "label", NULL, &line)) && !(o->label = strdup(v)))
        goto oom;
    v = objective_get(s, "task", "classification", &line);
    if (strcmp(v, "classification") == 0)
        o->classification = 1;
    else if (strcmp(v, "regression") == 0)
        o->classification = 0;
    else
        return objective_fail(s, line, err, "task must be classification or regression, got "
                              "'%s'", v);
    if (o->idx_labels && !o->classification)
        return objective_fail(s, line, err, "an IDX data set holds class labels: task must "
                              "be classification");
    return 0;
oom:
    snprintf(err, HP_ERR_LEN, "out of memory");
    return HP_ENOMEM;
}

static int parse_training(const hp_objective_setup *s, mlp_opts *o, char *err)
{
    int line;
    const char *v;
    o->valid_split = 0.15;
    o->test_split = 0.15;
    if ((v = objective_get(s, "valid_split", NULL, &line)) &&
        (parse_double(v, &o->valid_split) || o->valid_split <= 0 || o->valid_split >= 0.9))
        return objective_fail(s, line, err, "valid_split must be a fraction in (0, 0.9), got "
                              "'%s'", v);
    if ((v = objective_get(s, "test_split", NULL, &line)) &&
        (parse_double(v, &o->test_split) || o->test_split < 0 || o->test_split >= 0.9))
        return objective_fail(s, line, err, "test_split must be a fraction in [0, 0.9), got "
                              "'%s'", v);
    if (o->valid_split + o->test_split >= 0.95)
        return objective_fail(s, line, err, "valid_split + test_split leave too little to "
                              "train on");
    int64_t n;
    o->epochs = 20;
    if ((v = objective_get(s, "epochs", NULL, &line))) {
        if (parse_int64(v, &n) || n < 1 || n > 100000)
            return objective_fail(s, line, err, "epochs must be a positive integer, got "
                                  "'%s'", v);
        o->epochs = (int)n;
    }
    if ((v = objective_get(s, "patience", NULL, &line))) {
        if (parse_int64(v, &n) || n < 0 || n > 100000)
            return objective_fail(s, line, err, "patience must be an integer >= 0, got '%s'",
                                  v);
        o->patience = (int)n;
    }
    return 0;
}

static int parse(const hp_objective_setup *s, void **out, char *err)
{
    mlp_opts *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    o->metric = s->metric;
    o->maximize = s->maximize;
    o->seed = s->seed;
    o->space = s->space;
    if (parse_data(s, o, err) || parse_training(s, o, err) || check_metric(s, o, err) ||
        check_params(s, o, err)) {
        free_opts(o);
        return HP_EINPUT;
    }
    *out = o;
    return 0;
}

static int max_resource(const void *opts)
{
    return ((const mlp_opts *)opts)->epochs;
}

static void describe(const void *opts, hp_buf *out)
{
    const mlp_opts *o = opts;
    buf_printf(out, "mlp on %s (%s, %d epochs)", o->dataset,
               o->classification ? "classification" : "regression", o->epochs);
}

static void destroy(void *state)
{
    mlp_state *st = state;
    if (!st)
        return;
    dataset_free(st->ds);
    split_deinit(&st->split);
    free(st);
}

static int create(const void *opts, const hp_objective_setup *setup, void **state, char *err)
{
    (void)setup;
    const mlp_opts *o = opts;
    mlp_state *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    st->opts = o;
    int loaded = o->idx_labels
                     ? dataset_load_idx(o->dataset, o->idx_labels, &st->ds, err)
                     : dataset_load_csv(o->dataset, o->label, o->classification, &st->ds, err);
    if (loaded ||
        dataset_split(st->ds, o->valid_split, o->test_split, o->seed, &st->split, err)) {
        destroy(st);
        return HP_EINPUT;
    }
    dataset_standardize(st->ds, &st->split);
    *state = st;
    return 0;
}

static int on_epoch(void *ctx, int epoch, const hp_metric_set *m)
{
    const hp_reporter *r = ctx;
    int stop = 0;
    for (int i = 0; i < m->n; i++)
        stop |= r->report(r->ctx, epoch, m->name[i], m->value[i]);
    return stop || r->should_stop(r->ctx);
}

static void evaluate(void *state, const hp_trial_input *trial, const hp_reporter *reporter,
                     hp_outcome *out)
{
    mlp_state *st = state;
    const mlp_opts *o = st->opts;
    hp_mlp_base base = {o->classification, o->epochs, o->patience, o->metric, o->maximize,
                        trial->threads};
    hp_train_config t;
    if (mlp_trial_config(&base, o->space, trial->values, &t, out->error)) {
        out->kind = OUTCOME_FAILED;
        return;
    }
    char checkpoint[4300] = "";
    if (trial->checkpoint_dir[0])
        snprintf(checkpoint, sizeof checkpoint, "%s/train.ckpt", trial->checkpoint_dir);
    t.checkpoint = checkpoint[0] ? checkpoint : NULL;
    hp_metric_set final;
    char err[HP_ERR_LEN] = "";
    hp_train_status status = train_run(st->ds, &st->split, &t, trial->seed, on_epoch,
                                       (void *)reporter, &final, err);
    if (status == TRAIN_STOPPED) {
        out->kind = OUTCOME_INTERRUPTED;
        return;
    }
    if (status == TRAIN_IO_ERROR) {
        out->kind = OUTCOME_HOST_ERROR;
        snprintf(out->error, sizeof out->error, "%s", err);
        return;
    }
    if (status != TRAIN_DONE) {
        out->kind = OUTCOME_FAILED;
        snprintf(out->error, sizeof out->error, "%s", err);
        return;
    }
    out->kind = OUTCOME_COMPLETE;
    out->value = metrics_get(&final, o->metric);
    for (int i = 0; i < final.n; i++)
        outcome_set_metric(out, final.name[i], final.value[i]);
    if (isnan(out->value)) {
        out->kind = OUTCOME_FAILED;
        snprintf(out->error, sizeof out->error, "metric '%s' is not available for this task",
                 o->metric);
    }
}

static int deterministic(const void *opts)
{
    (void)opts;
    return 0; /* each trial initialises and shuffles from its own seed */
}

const hp_objective_kind objective_mlp_kind = {
    "mlp", keys, 1, parse, free_opts, max_resource, deterministic, describe,
    create, destroy, evaluate};
