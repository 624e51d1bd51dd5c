/*
** The training loop.  Everything it needs is allocated before the first
** epoch; the loop itself allocates nothing.
*/
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    double loss = 0;
    for (int k = 0; k < n; k++) {
        int r = rows[k];
        loss += mlp_row_loss(net, pred + (size_t)k * C, ds->classification ? ds->label[r] : 0,
                             ds->classification ? 0 : ds->target[r]);
    }
    put(out, prefix, "loss", n ? loss / n : NAN);
    if (!ds->classification) {
        double se = 0, ae = 0, mean = 0, tot = 0;
        for (int k = 0; k < n; k++)
            mean += ds->target[rows[k]];
        mean /= n ? n : 1;
        for (int k = 0; k < n; k++) {
            double t = ds->target[rows[k]], e = pred[k] - t;
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

hp_train_status train_run(const hp_dataset *ds, const hp_split *split,
                          const hp_train_config *cfg, uint64_t seed, hp_epoch_fn on_epoch,
                          void *ctx, hp_metric_set *final, char *err)
{
    memset(final, 0, sizeof *final);
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
    hp_rng rng;
    rng_seed(&rng, seed);
    for (int k = 0; k < split->n_train; k++)
        order[k] = split->train[k];
    double best_score = NAN, plateau_lr = 0;
    int best_epoch = -1, since_best = 0, sched_wait = 0, improved = 1;
    hp_metric_set best_metrics = {0};
    const char *monitor = cfg->monitor[0] ? cfg->monitor : "val_loss";
    int maximize = cfg->monitor[0] ? cfg->maximize : 0;
    for (int epoch = 0; epoch < cfg->epochs; epoch++) {
        double lr = schedule_lr(&cfg->sched, epoch, &plateau_lr, &sched_wait, improved);
        for (int k = split->n_train - 1; k > 0; k--) { /* shuffle by the trial seed */
            int j = (int)rng_below(&rng, (uint64_t)k + 1);
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
                        xr[j] += (float)(cfg->noise * rng_normal(&rng));
                if (ds->classification)
                    w.yb[k] = ds->label[r];
                else
                    w.tb[k] = ds->target[r];
            }
            double loss = mlp_train_step(w.mlp, w.xb, w.yb, w.tb, B, &rng, cfg->threads);
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
        metrics_put(&m, "train_loss", batches ? loss_sum / batches : NAN);
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
        improved = best_epoch < 0 || (maximize ? score > best_score : score < best_score);
        if (improved) {
            best_score = score;
            best_epoch = epoch;
            since_best = 0;
            memcpy(best, mlp_params(w.mlp), sizeof(float) * np);
            best_metrics = m;
        } else {
            since_best++;
        }
        if (on_epoch && on_epoch(ctx, epoch + 1, &m)) {
            status = TRAIN_STOPPED;
            goto out;
        }
        if (cfg->patience > 0 && since_best >= cfg->patience)
            break; /* early stopping */
    }
    /* the best epoch's weights, and the metrics they give */
    memcpy(mlp_params(w.mlp), best, sizeof(float) * np);
    mlp_sync(w.mlp, cfg->threads);
    *final = best_metrics;
    metrics_put(final, "best_epoch", best_epoch + 1);
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
