/*
** The training loop.  Everything it needs is allocated before the first
** epoch; the loop itself allocates nothing.
*/
#include "train.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"

double metrics_get(const hp_metric_set *m, const char *name)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->name[i], name) == 0)
            return m->value[i];
    return NAN;
}

void metrics_put(hp_metric_set *m, const char *name, double value)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->name[i], name) == 0) {
            m->value[i] = value;
            return;
        }
    if (m->n < METRICS_MAX) {
        snprintf(m->name[m->n], sizeof m->name[0], "%s", name);
        m->value[m->n++] = value;
    }
}

static void put(hp_metric_set *m, const char *prefix, const char *name, double v)
{
    char full[32];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    metrics_put(m, full, v);
}

void metrics_compute(const hp_dataset *ds, const hp_mlp_config *net, const int *rows,
                     int n, const float *pred, const char *prefix, hp_metric_set *out)
{
    int C = net->n_out;
    /* regression metrics in the target's original units */
    double sd = !ds->classification && ds->target_sd > 0 ? ds->target_sd : 1;
    double shift = !ds->classification && ds->target_sd > 0 ? ds->target_mean : 0;
    double loss = 0;
    for (int k = 0; k < n; k++) {
        int r = rows[k];
        if (ds->classification) {
            loss += mlp_row_loss(net, pred + (size_t)k * C, ds->label[r], 0);
        } else {
            float p = (float)(pred[k] * sd + shift), t = (float)(ds->target[r] * sd + shift);
            loss += mlp_row_loss(net, &p, 0, t);
        }
    }
    put(out, prefix, "loss", n ? loss / n : NAN);
    if (!ds->classification) {
        double se = 0, ae = 0, mean = 0, tot = 0;
        for (int k = 0; k < n; k++)
            mean += ds->target[rows[k]] * sd + shift;
        mean /= n ? n : 1;
        for (int k = 0; k < n; k++) {
            double t = ds->target[rows[k]] * sd + shift, e = (pred[k] * sd + shift) - t;
            se += e * e;
            ae += fabs(e);
            tot += (t - mean) * (t - mean);
        }
        put(out, prefix, "mse", n ? se / n : NAN);
        put(out, prefix, "mae", n ? ae / n : NAN);
        put(out, prefix, "r2", tot > 0 ? 1 - se / tot : NAN);
        return;
    }
    /* a confusion matrix of counts: true class x predicted class */
    long tp[1024] = {0}, pred_count[1024] = {0}, true_count[1024] = {0};
    int cc = C < 1024 ? C : 1024;
    long correct = 0;
    for (int k = 0; k < n; k++) {
        const float *p = pred + (size_t)k * C;
        int best = 0;
        for (int c = 1; c < C; c++)
            if (p[c] > p[best])
                best = c;
        int y = ds->label[rows[k]];
        correct += best == y;
        if (best < cc && y < cc) {
            pred_count[best]++;
            true_count[y]++;
            tp[y] += best == y;
        }
    }
    /* macro averages over the classes present in truth or prediction,
       as scikit-learn does; an empty denominator counts as 0 */
    double ps = 0, rs = 0, fs = 0;
    int classes = 0;
    for (int c = 0; c < cc; c++) {
        if (!pred_count[c] && !true_count[c])
            continue;
        double prec = pred_count[c] ? (double)tp[c] / pred_count[c] : 0;
        double rec = true_count[c] ? (double)tp[c] / true_count[c] : 0;
        ps += prec;
        rs += rec;
        fs += prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
        classes++;
    }
    put(out, prefix, "accuracy", n ? (double)correct / n : NAN);
    put(out, prefix, "precision", classes ? ps / classes : NAN);
    put(out, prefix, "recall", classes ? rs / classes : NAN);
    put(out, prefix, "f1", classes ? fs / classes : NAN);
}

typedef struct {
    hp_mlp *mlp;
    float *xb, *tb, *pred;  /* batch inputs, targets, predictions */
    int *yb;
    int max_batch;
} workspace;

/* Predictions for ROWS in chunks of the batch size. */
static void predict_rows(workspace *w, const hp_dataset *ds, const int *rows, int n,
                         float *out, int C, int threads)
{
    for (int s = 0; s < n; s += w->max_batch) {
        int b = n - s < w->max_batch ? n - s : w->max_batch;
        for (int k = 0; k < b; k++)
            memcpy(w->xb + (size_t)k * ds->d, ds->x + (size_t)rows[s + k] * ds->d,
                   sizeof(float) * (size_t)ds->d);
        mlp_predict(w->mlp, w->xb, b, out + (size_t)s * C, threads);
    }
}

/* Everything of the loop that a resume needs besides the arrays. */
typedef struct {
    hp_rng rng;
    double best_score, plateau_lr;
    int best_epoch, since_best, sched_wait, improved;
    int epochs_done;          /* epochs trained */
    int stopped_early;        /* patience ran out */
    hp_metric_set best_metrics, last_metrics;
} loop_state;

/* The arrays a resume needs, with their element counts. */
typedef struct {
    int *order;          /* the shuffled training rows (shuffled in place) */
    size_t n_order;
    float *params, *best;
    size_t n_params;
    float *m, *v;        /* the optimizer's moments, n_params each */
    long *t;             /* and its step count */
} ckpt_arrays;

#define CKPT_MAGIC 0x4b434850u /* "HPCK" */
#define CKPT_VERSION 1u

/* What a checkpoint must match to be resumed from: the same trial. */
static uint64_t config_fingerprint(const hp_train_config *cfg, const hp_mlp_config *net,
                                   uint64_t seed, const hp_split *split)
{
    /* results do not depend on the thread count: a resume may use another */
    hp_train_config c = *cfg;
    c.threads = 0;
    c.checkpoint = NULL;
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *parts[3] = {(const unsigned char *)&c, (const unsigned char *)net,
                                     (const unsigned char *)&seed};
    size_t sizes[3] = {sizeof c, sizeof *net, sizeof seed};
    for (int p = 0; p < 3; p++)
        for (size_t i = 0; i < sizes[p]; i++)
            h = (h ^ parts[p][i]) * 1099511628211ULL;
    h ^= (uint64_t)split->n_train * 0x9e3779b97f4a7c15ULL;
    return h;
}

static int write_all(FILE *f, const void *p, size_t size, size_t n)
{
    return n == 0 || fwrite(p, size, n, f) == n;
}

static int read_all(FILE *f, void *p, size_t size, size_t n)
{
    return n == 0 || fread(p, size, n, f) == n;
}

/* Writes the state to PATH.tmp, then renames it over PATH: a checkpoint is
** whole or absent, whenever the process dies. */
static int checkpoint_save(const char *path, uint64_t fingerprint, const loop_state *ls,
                           const ckpt_arrays *a, char *err)
{
    char tmp[4400];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, HP_MODEL_ERR_LEN, "cannot write the checkpoint '%s': %s", tmp,
                 strerror(errno));
        return -1;
    }
    uint32_t head[2] = {CKPT_MAGIC, CKPT_VERSION};
    uint64_t sizes[2] = {a->n_order, a->n_params};
    int ok = write_all(f, head, sizeof head, 1) && write_all(f, &fingerprint, 8, 1) &&
             write_all(f, sizes, sizeof sizes, 1) && write_all(f, ls, sizeof *ls, 1) &&
             write_all(f, a->order, sizeof(int), a->n_order) &&
             write_all(f, a->params, sizeof(float), a->n_params) &&
             write_all(f, a->best, sizeof(float), a->n_params) &&
             write_all(f, a->m, sizeof(float), a->n_params) &&
             write_all(f, a->v, sizeof(float), a->n_params) &&
             write_all(f, a->t, sizeof(long), 1);
    ok &= fflush(f) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, HP_MODEL_ERR_LEN, "cannot write the checkpoint '%s': %s", path,
                 strerror(errno ? errno : EIO));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* Restores the state from PATH when it is a checkpoint of this very trial;
** returns 1 then, 0 when there is none to use (the training starts over),
** -1 when it matched but could not be read whole (the arrays are then
** spoilt: the trial fails, and its checkpoint goes with it). */
static int checkpoint_load(const char *path, uint64_t fingerprint, loop_state *ls,
                           ckpt_arrays *a)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint32_t head[2];
    uint64_t fp, sizes[2];
    loop_state tmp;
    int ok = read_all(f, head, sizeof head, 1) && head[0] == CKPT_MAGIC &&
             head[1] == CKPT_VERSION && read_all(f, &fp, 8, 1) && fp == fingerprint &&
             read_all(f, sizes, sizeof sizes, 1) && sizes[0] == a->n_order &&
             sizes[1] == a->n_params && read_all(f, &tmp, sizeof tmp, 1) &&
             tmp.epochs_done >= 1;
    if (!ok) {
        fclose(f);
        return 0;
    }
    /* the arrays are read in place only once the header matched; a torn
       file cannot exist (see checkpoint_save) */
    ok = read_all(f, a->order, sizeof(int), a->n_order) &&
         read_all(f, a->params, sizeof(float), a->n_params) &&
         read_all(f, a->best, sizeof(float), a->n_params) &&
         read_all(f, a->m, sizeof(float), a->n_params) &&
         read_all(f, a->v, sizeof(float), a->n_params) && read_all(f, a->t, sizeof(long), 1);
    fclose(f);
    if (!ok)
        return -1;
    *ls = tmp;
    return 1;
}

/* Monotonic seconds, for the cost metrics. */
static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

hp_train_status train_run(const hp_dataset *ds, const hp_split *split,
                          const hp_train_config *cfg, uint64_t seed, hp_epoch_fn on_epoch,
                          void *ctx, hp_metric_set *final, char *err)
{
    memset(final, 0, sizeof *final);
    double started = seconds_now();
    hp_mlp_config net = cfg->net;
    net.n_in = ds->d;
    net.n_out = ds->classification ? ds->n_classes : 1;
    net.classification = ds->classification;
    int B = cfg->batch_size > 0 ? cfg->batch_size : 32;
    if (B > split->n_train)
        B = split->n_train;
    int n_eval = split->n_valid > split->n_test ? split->n_valid : split->n_test;
    if (split->n_train > n_eval)
        n_eval = split->n_train;
    workspace w = {0};
    w.max_batch = B;
    int C = net.n_out;
    hp_optim *opt = NULL;
    float *best = NULL;
    int *order = malloc(sizeof(int) * (size_t)split->n_train);
    w.xb = malloc(sizeof(float) * (size_t)B * (size_t)ds->d);
    w.tb = malloc(sizeof(float) * (size_t)B);
    w.yb = malloc(sizeof(int) * (size_t)B);
    w.pred = malloc(sizeof(float) * (size_t)n_eval * (size_t)C);
    hp_train_status status = TRAIN_FAILED;
    if (!order || !w.xb || !w.tb || !w.yb || !w.pred) {
        snprintf(err, HP_MODEL_ERR_LEN, "out of memory");
        goto out;
    }
    if (mlp_new(&net, B, seed, &w.mlp, err))
        goto out;
    size_t np = mlp_n_params(w.mlp);
    opt = optim_new(&cfg->opt, np);
    best = malloc(sizeof(float) * np);
    if (!opt || !best) {
        snprintf(err, HP_MODEL_ERR_LEN, "out of memory");
        goto out;
    }
    loop_state ls;
    memset(&ls, 0, sizeof ls);
    rng_seed(&ls.rng, seed);
    for (int k = 0; k < split->n_train; k++)
        order[k] = split->train[k];
    ls.best_score = NAN;
    ls.best_epoch = -1;
    ls.improved = 1;
    ckpt_arrays arrays = {order, (size_t)split->n_train, mlp_params(w.mlp), best, np, NULL,
                          NULL, NULL};
    optim_state(opt, &arrays.m, &arrays.v, &arrays.t);
    uint64_t fingerprint = config_fingerprint(cfg, &net, seed, split);
    const char *monitor = cfg->monitor[0] ? cfg->monitor : "val_loss";
    int maximize = cfg->monitor[0] ? cfg->maximize : 0;
    /* a unit for train_loss in the target's original units */
    double unit = 1;
    if (!ds->classification && ds->target_sd > 0)
        unit = net.loss == LOSS_MSE ? ds->target_sd * ds->target_sd
               : net.loss == LOSS_MAE ? ds->target_sd : 1;
    int resumed = cfg->checkpoint ? checkpoint_load(cfg->checkpoint, fingerprint, &ls, &arrays)
                                  : 0;
    if (resumed < 0) {
        snprintf(err, HP_MODEL_ERR_LEN, "the checkpoint '%s' is damaged", cfg->checkpoint);
        goto out;
    }
    if (resumed) {
        mlp_sync(w.mlp, cfg->threads);
        /* the report of the checkpointed epoch may have been lost with the
           process: make it again (reports are idempotent) */
        if (on_epoch && on_epoch(ctx, ls.epochs_done, &ls.last_metrics)) {
            status = TRAIN_STOPPED;
            goto out;
        }
    }
    for (int epoch = ls.epochs_done; epoch < cfg->epochs && !ls.stopped_early; epoch++) {
        double lr = schedule_lr(&cfg->sched, epoch, &ls.plateau_lr, &ls.sched_wait,
                                ls.improved);
        for (int k = split->n_train - 1; k > 0; k--) { /* shuffle by the trial seed */
            int j = (int)rng_below(&ls.rng, (uint64_t)k + 1);
            int t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        double loss_sum = 0;
        int batches = 0;
        /* drop the last partial batch: every step sees B rows */
        for (int s = 0; s + B <= split->n_train; s += B) {
            for (int k = 0; k < B; k++) {
                int r = order[s + k];
                float *xr = w.xb + (size_t)k * ds->d;
                memcpy(xr, ds->x + (size_t)r * ds->d, sizeof(float) * (size_t)ds->d);
                if (cfg->noise > 0)
                    for (int j = 0; j < ds->d; j++)
                        xr[j] += (float)(cfg->noise * rng_normal(&ls.rng));
                if (ds->classification)
                    w.yb[k] = ds->label[r];
                else
                    w.tb[k] = ds->target[r];
            }
            double loss = mlp_train_step(w.mlp, w.xb, w.yb, w.tb, B, &ls.rng, cfg->threads);
            if (!isfinite(loss)) {
                snprintf(err, HP_MODEL_ERR_LEN, "diverged at epoch %d", epoch + 1);
                status = TRAIN_DIVERGED;
                goto out;
            }
            loss_sum += loss;
            batches++;
            optim_step(opt, mlp_params(w.mlp), mlp_grads(w.mlp), mlp_weight_mask(w.mlp), lr,
                       cfg->threads);
            mlp_sync(w.mlp, cfg->threads);
        }
        hp_metric_set m = {0};
        metrics_put(&m, "train_loss", batches ? loss_sum / batches * unit : NAN);
        if (split->n_valid > 0) {
            predict_rows(&w, ds, split->valid, split->n_valid, w.pred, C, cfg->threads);
            metrics_compute(ds, &net, split->valid, split->n_valid, w.pred, "val_", &m);
        }
        double score = metrics_get(&m, monitor);
        if (isnan(score))
            score = metrics_get(&m, "train_loss");
        if (!isfinite(metrics_get(&m, "train_loss"))) {
            snprintf(err, HP_MODEL_ERR_LEN, "diverged at epoch %d", epoch + 1);
            status = TRAIN_DIVERGED;
            goto out;
        }
        ls.improved = ls.best_epoch < 0 ||
                      (maximize ? score > ls.best_score : score < ls.best_score);
        if (ls.improved) {
            ls.best_score = score;
            ls.best_epoch = epoch;
            ls.since_best = 0;
            memcpy(best, mlp_params(w.mlp), sizeof(float) * np);
            ls.best_metrics = m;
        } else {
            ls.since_best++;
        }
        ls.epochs_done = epoch + 1;
        ls.last_metrics = m;
        if (cfg->patience > 0 && ls.since_best >= cfg->patience)
            ls.stopped_early = 1; /* early stopping */
        /* saved before the report, so that a report never names an epoch a
           resume would train again */
        if (cfg->checkpoint && checkpoint_save(cfg->checkpoint, fingerprint, &ls, &arrays,
                                               err)) {
            status = TRAIN_IO_ERROR;
            goto out;
        }
        if (on_epoch && on_epoch(ctx, epoch + 1, &m)) {
            status = TRAIN_STOPPED;
            goto out;
        }
    }
    /* the best epoch's weights, and the metrics they give */
    memcpy(mlp_params(w.mlp), best, sizeof(float) * np);
    mlp_sync(w.mlp, cfg->threads);
    *final = ls.best_metrics;
    metrics_put(final, "best_epoch", ls.best_epoch + 1);
    /* what a model costs, for second objectives: its size, this run's
       training time, and the time to predict one validation row (the
       whole validation set at once, with the trial's threads) */
    metrics_put(final, "n_params", (double)np);
    metrics_put(final, "train_seconds", seconds_now() - started);
    const int *rows = split->n_valid > 0 ? split->valid : split->train;
    int n_rows = split->n_valid > 0 ? split->n_valid : split->n_train;
    double t0 = seconds_now();
    predict_rows(&w, ds, rows, n_rows, w.pred, C, cfg->threads);
    metrics_put(final, "predict_us_per_sample", (seconds_now() - t0) * 1e6 / n_rows);
    predict_rows(&w, ds, split->train, split->n_train, w.pred, C, cfg->threads);
    hp_metric_set tm = {0};
    metrics_compute(ds, &net, split->train, split->n_train, w.pred, "train_", &tm);
    if (ds->classification)
        metrics_put(final, "train_accuracy", metrics_get(&tm, "train_accuracy"));
    if (split->n_test > 0) {
        predict_rows(&w, ds, split->test, split->n_test, w.pred, C, cfg->threads);
        metrics_compute(ds, &net, split->test, split->n_test, w.pred, "test_", final);
    }
    status = TRAIN_DONE;
out:
    mlp_free(w.mlp);
    optim_free(opt);
    free(best);
    free(order);
    free(w.xb);
    free(w.tb);
    free(w.yb);
    free(w.pred);
    return status;
}
