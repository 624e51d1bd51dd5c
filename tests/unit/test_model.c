/*
** Unit tests of model/: kernels against their naive twins and across
** thread counts, gradients by finite differences for every activation and
** loss, optimizer steps by hand, metrics by a hand confusion matrix, data
** loading with every bad-data case, determinism, and a tiny training that
** must learn a separable problem.
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
#include <unistd.h>

#include <zlib.h>

#include "../../model/dataset.h"
#include "../../model/kernels.h"
#include "../../model/mlp.h"
#include "../../model/optim.h"
#include "../../model/train.h"

static void fill(float *v, size_t n, uint64_t seed)
{
    hp_rng r;
    rng_seed(&r, seed);
    for (size_t k = 0; k < n; k++)
        v[k] = (float)(2 * rng_uniform(&r) - 1);
}

static void test_kernels_vs_naive(void **state)
{
    (void)state;
    /* the last two exceed the ~2 MFLOP below which kernels use one thread */
    int shapes[][3] = {{7, 13, 5}, {32, 64, 10}, {33, 17, 129}, {1, 3, 1}, {128, 256, 64},
                       {61, 300, 70}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int B = shapes[s][0], I = shapes[s][1], O = shapes[s][2];
        float *X = malloc(sizeof(float) * B * I), *W = malloc(sizeof(float) * O * I);
        float *Wt = malloc(sizeof(float) * O * I), *b = malloc(sizeof(float) * O);
        float *dZ = malloc(sizeof(float) * B * O);
        float *Z1 = malloc(sizeof(float) * B * O), *Z2 = malloc(sizeof(float) * B * O);
        float *Z3 = malloc(sizeof(float) * B * O);
        float *dX1 = malloc(sizeof(float) * B * I), *dX2 = malloc(sizeof(float) * B * I);
        float *dX3 = malloc(sizeof(float) * B * I);
        float *dW1 = malloc(sizeof(float) * O * I), *dW2 = malloc(sizeof(float) * O * I);
        float *dW3 = malloc(sizeof(float) * O * I), *db1 = malloc(sizeof(float) * O);
        float *db2 = malloc(sizeof(float) * O), *db3 = malloc(sizeof(float) * O);
        fill(X, (size_t)B * I, 1);
        fill(W, (size_t)O * I, 2);
        fill(b, (size_t)O, 3);
        fill(dZ, (size_t)B * O, 4);
        kern_transpose(Wt, W, O, I, 1);
        kern_linear_forward(Z1, X, Wt, b, B, I, O, 1);
        kern_linear_forward(Z3, X, Wt, b, B, I, O, 2);
        kern_linear_forward_naive(Z2, X, Wt, b, B, I, O);
        kern_linear_backward_input(dX1, dZ, W, B, I, O, 1);
        kern_linear_backward_input(dX3, dZ, W, B, I, O, 2);
        kern_linear_backward_input_naive(dX2, dZ, W, B, I, O);
        kern_linear_backward_weight(dW1, db1, dZ, X, B, I, O, 1);
        kern_linear_backward_weight(dW3, db3, dZ, X, B, I, O, 2);
        kern_linear_backward_weight_naive(dW2, db2, dZ, X, B, I, O);
        /* within float rounding of the double-accumulated reference
           (|error| <= c K eps sum|a||b|, inputs in [-1, 1]) */
        double tol_f = 4.0 * I * 6e-8 * I, tol_x = 4.0 * O * 6e-8 * O, tol_w = 4.0 * B * 6e-8 * B;
        for (int k = 0; k < B * O; k++)
            assert_true(fabs(Z1[k] - Z2[k]) <= tol_f + 1e-6);
        for (int k = 0; k < B * I; k++)
            assert_true(fabs(dX1[k] - dX2[k]) <= tol_x + 1e-6);
        for (int k = 0; k < O * I; k++)
            assert_true(fabs(dW1[k] - dW2[k]) <= tol_w + 1e-6);
        for (int k = 0; k < O; k++)
            assert_true(fabs(db1[k] - db2[k]) <= tol_w + 1e-6);
        /* bit-identical between instruction sets (each element is the same
           FMA chain) where this CPU has AVX-512 */
        if (kern_select_isa("avx512") == 0) {
            float *Z4 = malloc(sizeof(float) * B * O), *Z5 = malloc(sizeof(float) * B * O);
            kern_linear_forward(Z4, X, Wt, b, B, I, O, 1);
            assert_int_equal(kern_select_isa("avx2"), 0);
            kern_linear_forward(Z5, X, Wt, b, B, I, O, 1);
            assert_memory_equal(Z4, Z5, sizeof(float) * B * O);
            float *W4 = malloc(sizeof(float) * O * I), *b4 = malloc(sizeof(float) * O);
            kern_linear_backward_weight(W4, b4, dZ, X, B, I, O, 1);
            assert_memory_equal(W4, dW1, sizeof(float) * O * I);
            kern_select_isa(NULL);
            kern_linear_backward_weight(W4, b4, dZ, X, B, I, O, 1);
            assert_memory_equal(W4, dW1, sizeof(float) * O * I);
            free(Z4);
            free(Z5);
            free(W4);
            free(b4);
        }
        /* bit-identical with 2 threads */
        assert_memory_equal(Z1, Z3, sizeof(float) * B * O);
        assert_memory_equal(dX1, dX3, sizeof(float) * B * I);
        assert_memory_equal(dW1, dW3, sizeof(float) * O * I);
        assert_memory_equal(db1, db3, sizeof(float) * O);
        float *ptrs[] = {X, W, Wt, b, dZ, Z1, Z2, Z3, dX1, dX2, dX3, dW1, dW2, dW3, db1, db2, db3};
        for (size_t k = 0; k < sizeof ptrs / sizeof ptrs[0]; k++)
            free(ptrs[k]);
    }
}

/* Mean loss of a batch at the current parameters (no dropout). */
static double batch_loss(hp_mlp *m, const hp_mlp_config *cfg, const float *x, const int *y,
                         const float *t, int B)
{
    float out[64 * 8];
    mlp_sync(m, 1);
    mlp_predict(m, x, B, out, 1);
    double s = 0;
    for (int r = 0; r < B; r++)
        s += mlp_row_loss(cfg, out + r * cfg->n_out, y ? y[r] : 0, t ? t[r] : 0);
    return s / B;
}

static void check_gradients(hp_activation act, hp_loss loss, int classification)
{
    hp_mlp_config cfg = {0};
    cfg.n_in = 4;
    cfg.n_out = classification ? 3 : 1;
    cfg.n_hidden = 2;
    cfg.hidden[0] = 5;
    cfg.hidden[1] = 4;
    cfg.activation = act;
    cfg.loss = loss;
    cfg.init = INIT_XAVIER;
    cfg.classification = classification;
    hp_mlp *m;
    char err[256];
    int B = 6;
    assert_int_equal(mlp_new(&cfg, B, 9, &m, err), 0);
    float x[24], t[6];
    int y[6] = {0, 1, 2, 1, 0, 2};
    fill(x, 24, 5);
    fill(t, 6, 6);
    mlp_train_step(m, x, y, t, B, NULL, 1);
    size_t n = mlp_n_params(m);
    float *g = malloc(sizeof(float) * n);
    memcpy(g, mlp_grads(m), sizeof(float) * n);
    float *w = mlp_params(m);
    int bad = 0;
    for (size_t k = 0; k < n; k++) {
        float keep = w[k];
        double eps = 1e-3;
        w[k] = keep + (float)eps;
        double lp = batch_loss(m, &cfg, x, classification ? y : NULL, t, B);
        w[k] = keep - (float)eps;
        double lm = batch_loss(m, &cfg, x, classification ? y : NULL, t, B);
        w[k] = keep;
        double fd = (lp - lm) / (2 * eps);
        /* float32 network: a relative 2% or absolute 2e-3 agreement; MAE's and
           ReLU's kinks can sit inside the step, so they are allowed a few */
        if (fabs(fd - g[k]) > 2e-3 + 0.02 * fabs(fd))
            bad++;
    }
    int allowed = (loss == LOSS_MAE || loss == LOSS_HUBER || act == ACT_RELU ||
                   act == ACT_LEAKY_RELU) ? 3 : 0;
    if (bad > allowed)
        print_error("activation %d loss %d: %d of %zu gradients off\n", act, loss, bad, n);
    assert_true(bad <= allowed);
    mlp_sync(m, 1);
    free(g);
    mlp_free(m);
}

static void test_gradients(void **state)
{
    (void)state;
    hp_activation acts[] = {ACT_RELU, ACT_LEAKY_RELU, ACT_TANH, ACT_SIGMOID, ACT_GELU};
    for (int a = 0; a < 5; a++)
        check_gradients(acts[a], LOSS_CROSS_ENTROPY, 1);
    hp_loss losses[] = {LOSS_CROSS_ENTROPY, LOSS_MSE, LOSS_MAE, LOSS_HUBER};
    for (int l = 0; l < 4; l++)
        check_gradients(ACT_TANH, losses[l], 1);
    for (int l = 1; l < 4; l++)
        check_gradients(ACT_TANH, losses[l], 0);
}

static void optim_step_1(hp_optim *o, float *w, float *g, const unsigned char *m, double lr)
{
    optim_step(o, w, g, m, lr, 1);
}

static void test_optimizers_by_hand(void **state)
{
    (void)state;
    unsigned char weight[2] = {1, 0};
    /* SGD with L2 0.5: g' = g + 2*0.5*w */
    hp_optim_config c = {0};
    c.kind = OPT_SGD;
    c.l2 = 0.5;
    hp_optim *o = optim_new(&c, 2);
    float w[2] = {1, 2}, g[2] = {0.5f, 0.25f};
    optim_step_1(o, w, g, weight, 0.1);
    assert_float_equal(w[0], 1 - 0.1 * (0.5 + 1.0), 1e-6);
    assert_float_equal(w[1], 2 - 0.1 * 0.25, 1e-6); /* a bias: no penalty */
    optim_free(o);
    /* momentum twice: v1 = g, v2 = mu v1 + g */
    c = (hp_optim_config){0};
    c.kind = OPT_MOMENTUM;
    c.momentum = 0.9;
    o = optim_new(&c, 1);
    float w1[1] = {1}, g1[1] = {1};
    optim_step_1(o, w1, g1, weight, 0.1);
    g1[0] = 1;
    optim_step_1(o, w1, g1, weight, 0.1);
    assert_float_equal(w1[0], 1 - 0.1 * 1 - 0.1 * 1.9, 1e-6);
    optim_free(o);
    /* nesterov: w -= lr (g + mu v) */
    c.kind = OPT_NESTEROV;
    o = optim_new(&c, 1);
    w1[0] = 1;
    g1[0] = 1;
    optim_step_1(o, w1, g1, weight, 0.1);
    assert_float_equal(w1[0], 1 - 0.1 * (1 + 0.9 * 1), 1e-6);
    optim_free(o);
    /* adam's first step moves by lr * sign(g) (bias-corrected) */
    c = (hp_optim_config){0};
    c.kind = OPT_ADAM;
    c.beta1 = 0.9;
    c.beta2 = 0.999;
    c.epsilon = 1e-8;
    o = optim_new(&c, 1);
    w1[0] = 1;
    g1[0] = 0.3f;
    optim_step_1(o, w1, g1, weight, 0.01);
    assert_float_equal(w1[0], 1 - 0.01, 1e-6);
    optim_free(o);
    /* adamw decays the weight first: w (1 - lr wd) */
    c.kind = OPT_ADAMW;
    c.weight_decay = 0.1;
    o = optim_new(&c, 1);
    w1[0] = 1;
    g1[0] = 0.3f;
    optim_step_1(o, w1, g1, weight, 0.01);
    assert_float_equal(w1[0], 1 * (1 - 0.001) - 0.01, 1e-6);
    optim_free(o);
    /* rmsprop: v = (1-a) g^2, w -= lr g / (sqrt v + eps) */
    c = (hp_optim_config){0};
    c.kind = OPT_RMSPROP;
    c.beta2 = 0.99;
    c.epsilon = 1e-8;
    o = optim_new(&c, 1);
    w1[0] = 1;
    g1[0] = 2;
    optim_step_1(o, w1, g1, weight, 0.01);
    assert_float_equal(w1[0], 1 - 0.01 * 2 / sqrt(0.01 * 4), 1e-5);
    optim_free(o);
    /* clipping by global norm: g = (3, 4) with clip 1 becomes (0.6, 0.8) */
    c = (hp_optim_config){0};
    c.kind = OPT_SGD;
    c.clip = 1;
    o = optim_new(&c, 2);
    float w2[2] = {0, 0}, g2[2] = {3, 4};
    optim_step_1(o, w2, g2, weight, 1);
    assert_float_equal(w2[0], -0.6, 1e-6);
    assert_float_equal(w2[1], -0.8, 1e-6);
    optim_free(o);
}

/* Adagrad as PyTorch has it: the sum of squared gradients divides the step.
** w = 1, g = 0.5 twice, lr 0.1: 1 - 0.1 * 0.5 / 0.5 = 0.9, then
** 0.9 - 0.1 * 0.5 / sqrt(0.5) = 0.82928932...; biases alike. */
static void test_adagrad_by_hand(void **state)
{
    (void)state;
    hp_optim_config c = {0};
    c.kind = OPT_ADAGRAD;
    c.epsilon = 1e-10;
    hp_optim *o = optim_new(&c, 2);
    assert_non_null(o);
    unsigned char weight[2] = {1, 0};
    float w[2] = {1, -1}, g[2] = {0.5f, -0.25f};
    optim_step_1(o, w, g, weight, 0.1);
    assert_float_equal(w[0], 0.9, 1e-6);
    assert_float_equal(w[1], -0.9, 1e-6);
    g[0] = 0.5f;
    g[1] = -0.25f;
    optim_step_1(o, w, g, weight, 0.1);
    assert_float_equal(w[0], 0.9 - 0.1 * 0.5 / sqrt(0.5), 1e-6);
    assert_float_equal(w[1], -0.9 + 0.1 * 0.25 / sqrt(0.125), 1e-6);
    optim_free(o);
}

/* Warm-up in front of any schedule: linear up to the base rate, then the
** schedule from its own epoch 0. */
static void test_prefix_warmup(void **state)
{
    (void)state;
    double pl = 0;
    int since = 0;
    hp_schedule s = {SCHED_STEP, 0.1, 0.5, 2, 0, 10, 2};
    assert_float_equal(schedule_lr(&s, 0, &pl, &since, 1), 0.1 / 3, 1e-12);
    assert_float_equal(schedule_lr(&s, 1, &pl, &since, 1), 0.2 / 3, 1e-12);
    assert_float_equal(schedule_lr(&s, 2, &pl, &since, 1), 0.1, 1e-12);
    assert_float_equal(schedule_lr(&s, 4, &pl, &since, 1), 0.05, 1e-12);
    s.kind = SCHED_PLATEAU;
    s.step = 1;
    pl = 0;
    assert_float_equal(schedule_lr(&s, 1, &pl, &since, 1), 0.2 / 3, 1e-12);
    assert_float_equal(schedule_lr(&s, 2, &pl, &since, 1), 0.1, 1e-12);
}

static void test_schedules(void **state)
{
    (void)state;
    double pl = 0;
    int since = 0;
    hp_schedule s = {SCHED_STEP, 0.1, 0.5, 3, 0, 10, 0};
    assert_float_equal(schedule_lr(&s, 2, &pl, &since, 1), 0.1, 1e-12);
    assert_float_equal(schedule_lr(&s, 3, &pl, &since, 1), 0.05, 1e-12);
    s.kind = SCHED_EXPONENTIAL;
    assert_float_equal(schedule_lr(&s, 2, &pl, &since, 1), 0.025, 1e-12);
    s.kind = SCHED_COSINE;
    assert_float_equal(schedule_lr(&s, 5, &pl, &since, 1), 0.05, 1e-12);
    s.kind = SCHED_WARMUP_COSINE;
    s.warmup = 2;
    assert_float_equal(schedule_lr(&s, 0, &pl, &since, 1), 0.1 / 3, 1e-12);
    assert_float_equal(schedule_lr(&s, 2, &pl, &since, 1), 0.1, 1e-12);
    s.kind = SCHED_PLATEAU;
    s.step = 1;
    assert_float_equal(schedule_lr(&s, 0, &pl, &since, 1), 0.1, 1e-12);
    assert_float_equal(schedule_lr(&s, 1, &pl, &since, 0), 0.1, 1e-12);
    assert_float_equal(schedule_lr(&s, 2, &pl, &since, 0), 0.05, 1e-12);
}

static void test_metrics_by_hand(void **state)
{
    (void)state;
    /* 3 classes; truth 0 0 1 1 2 2, predicted 0 1 1 1 2 0 */
    hp_dataset ds = {0};
    int labels[6] = {0, 0, 1, 1, 2, 2}, rows[6] = {0, 1, 2, 3, 4, 5};
    ds.n = 6;
    ds.classification = 1;
    ds.n_classes = 3;
    ds.label = labels;
    int predicted[6] = {0, 1, 1, 1, 2, 0};
    float pred[18] = {0};
    for (int r = 0; r < 6; r++) {
        for (int c = 0; c < 3; c++)
            pred[r * 3 + c] = 0.1f;
        pred[r * 3 + predicted[r]] = 0.8f;
    }
    hp_mlp_config net = {0};
    net.n_out = 3;
    net.classification = 1;
    hp_metric_set m = {0};
    metrics_compute(&ds, &net, rows, 6, pred, "val_", &m);
    assert_float_equal(metrics_get(&m, "val_accuracy"), 4.0 / 6, 1e-12);
    /* precision: c0 1/2, c1 2/3, c2 1/1; recall: c0 1/2, c1 2/2, c2 1/2 */
    double p = (0.5 + 2.0 / 3 + 1) / 3, r = (0.5 + 1 + 0.5) / 3;
    double f1 = (0.5 + 2 * (2.0 / 3) * 1 / (2.0 / 3 + 1) + 2 * 1 * 0.5 / 1.5) / 3;
    assert_float_equal(metrics_get(&m, "val_precision"), p, 1e-12);
    assert_float_equal(metrics_get(&m, "val_recall"), r, 1e-12);
    assert_float_equal(metrics_get(&m, "val_f1"), f1, 1e-12);
    /* cross-entropy: 4 rows give the truth 0.8, 2 rows give it 0.1 */
    assert_float_equal(metrics_get(&m, "val_loss"), (4 * -log(0.8) + 2 * -log(0.1)) / 6, 1e-6);
    /* regression: targets 1 2 3, predictions 1 3 5 */
    hp_dataset rd = {0};
    float targets[3] = {1, 2, 3}, rp[3] = {1, 3, 5};
    rd.n = 3;
    rd.target = targets;
    hp_mlp_config rn = {0};
    rn.n_out = 1;
    rn.loss = LOSS_MSE;
    hp_metric_set rm = {0};
    metrics_compute(&rd, &rn, rows, 3, rp, "val_", &rm);
    assert_float_equal(metrics_get(&rm, "val_mse"), 5.0 / 3, 1e-9);
    assert_float_equal(metrics_get(&rm, "val_mae"), 1.0, 1e-9);
    assert_float_equal(metrics_get(&rm, "val_r2"), 1 - 5.0 / 2, 1e-9);
}

static char path[256];

static void write_csv(const char *text)
{
    snprintf(path, sizeof path, "/tmp/hpsearch-test-data-%d.csv", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void expect_bad(const char *text, const char *label, int classification,
                       const char *fragment)
{
    write_csv(text);
    hp_dataset *ds;
    char err[512] = "";
    assert_int_equal(dataset_load_csv(path, label, classification, &ds, err), -1);
    if (!strstr(err, fragment))
        print_error("got '%s', want '%s'\n", err, fragment);
    assert_non_null(strstr(err, fragment));
    unlink(path);
}

static void test_dataset_loading(void **state)
{
    (void)state;
    write_csv("a,b,label\n1,2,cat\n3,4,dog\n5,6,cat\n\n7,8,dog\n");
    hp_dataset *ds;
    char err[512];
    assert_int_equal(dataset_load_csv(path, NULL, 1, &ds, err), 0);
    assert_int_equal(ds->n, 4);
    assert_int_equal(ds->d, 2);
    assert_int_equal(ds->n_classes, 2);
    assert_string_equal(ds->class_names[ds->label[0]], "cat");
    assert_float_equal(ds->x[6], 7, 0);
    dataset_free(ds);
    /* numeric labels are ordered numerically, the label column by name */
    write_csv("y,f\n10,0.5\n2,1.5\n10,2\n");
    assert_int_equal(dataset_load_csv(path, "y", 1, &ds, err), 0);
    assert_string_equal(ds->class_names[0], "2");
    assert_int_equal(ds->label[0], 1);
    assert_float_equal(ds->x[1], 1.5, 0);
    dataset_free(ds);
    write_csv("f,target\n1,0.5\n2,1.5\n");
    assert_int_equal(dataset_load_csv(path, "target", 0, &ds, err), 0);
    assert_float_equal(ds->target[1], 1.5, 0);
    dataset_free(ds);
    unlink(path);
    expect_bad("a,b,label\n1,2,x\n3,y\n", NULL, 1, ":3: 2 cells, but the header has 3");
    expect_bad("a,b,label\n1,2,x\n3,oops,y\n", NULL, 1, ":3: column 2: 'oops' is not a number");
    expect_bad("a,b,label\n1,2,x\n", "class", 1, ":1: no column 'class'");
    expect_bad("", NULL, 1, "is empty");
    expect_bad("a,b,label\n", NULL, 1, "no data rows");
    expect_bad("a,b,label\n1,2,x\n3,4,x\n", NULL, 1, "at least two classes");
    expect_bad("a,target\n1,high\n", NULL, 0, ":2: the target 'high' is not a number");
    assert_int_equal(dataset_load_csv("/nonexistent.csv", NULL, 1, &ds, err), -1);
    assert_non_null(strstr(err, "cannot open"));
}

/* Writes an IDX file: MAGIC, sizes, then BODY bytes (truncated to CUT). */
static void write_idx(const char *path, int gz, unsigned magic, const unsigned *sizes,
                      int dims, const unsigned char *body, size_t n)
{
    unsigned char head[16];
    size_t h = 0;
    unsigned vals[4] = {magic, dims > 0 ? sizes[0] : 0, dims > 1 ? sizes[1] : 0,
                        dims > 2 ? sizes[2] : 0};
    for (int k = 0; k <= dims; k++) {
        head[h++] = (unsigned char)(vals[k] >> 24);
        head[h++] = (unsigned char)(vals[k] >> 16);
        head[h++] = (unsigned char)(vals[k] >> 8);
        head[h++] = (unsigned char)vals[k];
    }
    if (gz) {
        gzFile f = gzopen(path, "wb");
        gzwrite(f, head, (unsigned)h);
        if (n)
            gzwrite(f, body, (unsigned)n);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(head, 1, h, f);
        fwrite(body, 1, n, f);
        fclose(f);
    }
}

static void test_idx_loading(void **state)
{
    (void)state;
    char img[256], lab[256], err[512];
    snprintf(img, sizeof img, "/tmp/hpsearch-test-%d-images.gz", (int)getpid());
    snprintf(lab, sizeof lab, "/tmp/hpsearch-test-%d-labels", (int)getpid());
    unsigned char pixels[3 * 2 * 2] = {0, 255, 10, 20, 1, 2, 3, 4, 9, 8, 7, 6};
    unsigned char labels[3] = {2, 0, 1};
    unsigned isz[3] = {3, 2, 2}, lsz[1] = {3};
    write_idx(img, 1, 0x803, isz, 3, pixels, sizeof pixels);
    write_idx(lab, 0, 0x801, lsz, 1, labels, sizeof labels);
    hp_dataset *ds;
    assert_int_equal(dataset_load_idx(img, lab, &ds, err), 0);
    assert_int_equal(ds->n, 3);
    assert_int_equal(ds->d, 4);
    assert_int_equal(ds->n_classes, 3);
    assert_float_equal(ds->x[1], 255, 0);
    assert_float_equal(ds->x[11], 6, 0);
    assert_int_equal(ds->label[0], 2);
    dataset_free(ds);
    /* labels for images, a count mismatch, a truncated file */
    assert_int_equal(dataset_load_idx(lab, lab, &ds, err), -1);
    assert_non_null(strstr(err, "not an IDX images file"));
    unsigned lsz2[1] = {4};
    unsigned char four[4] = {0, 1, 2, 3};
    write_idx(lab, 1, 0x801, lsz2, 1, four, 4);
    assert_int_equal(dataset_load_idx(img, lab, &ds, err), -1);
    assert_non_null(strstr(err, "do not go with 4 labels"));
    write_idx(lab, 1, 0x801, lsz, 1, labels, sizeof labels);
    write_idx(img, 1, 0x803, isz, 3, pixels, 5);
    assert_int_equal(dataset_load_idx(img, lab, &ds, err), -1);
    assert_non_null(strstr(err, "ends early"));
    assert_int_equal(dataset_load_idx("/nonexistent.gz", lab, &ds, err), -1);
    assert_non_null(strstr(err, "cannot open"));
    unlink(img);
    unlink(lab);
}

static void test_split_and_standardize(void **state)
{
    (void)state;
    hp_dataset ds = {0};
    int n = 200;
    float *x = malloc(sizeof(float) * n);
    int *labels = malloc(sizeof(int) * n);
    for (int i = 0; i < n; i++) {
        x[i] = (float)i;
        labels[i] = i < 150 ? 0 : 1; /* 75% / 25% */
    }
    ds.n = n;
    ds.d = 1;
    ds.x = x;
    ds.classification = 1;
    ds.n_classes = 2;
    ds.label = labels;
    hp_split s;
    char err[256];
    assert_int_equal(dataset_split(&ds, 0.2, 0.2, 7, &s, err), 0);
    assert_int_equal(s.n_train + s.n_valid + s.n_test, n);
    int ones = 0;
    for (int k = 0; k < s.n_valid; k++)
        ones += labels[s.valid[k]];
    assert_int_equal(s.n_valid, 40);
    assert_int_equal(ones, 10); /* stratified: 25% of 40 */
    /* every row exactly once */
    char *seen = calloc((size_t)n, 1);
    int *parts[3] = {s.train, s.valid, s.test}, sizes[3] = {s.n_train, s.n_valid, s.n_test};
    for (int p = 0; p < 3; p++)
        for (int k = 0; k < sizes[p]; k++) {
            assert_false(seen[parts[p][k]]);
            seen[parts[p][k]] = 1;
        }
    free(seen);
    dataset_standardize(&ds, &s);
    double mean = 0, var = 0;
    for (int k = 0; k < s.n_train; k++)
        mean += x[s.train[k]];
    mean /= s.n_train;
    for (int k = 0; k < s.n_train; k++)
        var += (x[s.train[k]] - mean) * (x[s.train[k]] - mean);
    assert_float_equal(mean, 0, 1e-5);
    assert_float_equal(var / s.n_train, 1, 1e-4);
    split_deinit(&s);
    free(x);
    free(labels);
}

/* An epoch callback: stops at epoch *ctx; with *ctx = -1, records the
** first epoch it sees into *ctx instead (and then goes on). */
static int stop_after(void *ctx, int epoch, const hp_metric_set *m)
{
    (void)m;
    int *at = ctx;
    if (*at == -1) {
        *at = epoch;
        return 0;
    }
    return epoch == *at;
}

/* Two Gaussian blobs per class in 2-D: a tiny training must separate them,
** the same seed must give the same result, and a huge learning rate must
** diverge with the epoch named. */
static void test_training(void **state)
{
    (void)state;
    hp_dataset *ds = calloc(1, sizeof *ds);
    int n = 400;
    ds->n = n;
    ds->d = 2;
    ds->x = malloc(sizeof(float) * n * 2);
    ds->label = malloc(sizeof(int) * n);
    ds->classification = 1;
    ds->n_classes = 3;
    hp_rng r;
    rng_seed(&r, 3);
    for (int i = 0; i < n; i++) {
        int c = i % 3;
        ds->label[i] = c;
        ds->x[2 * i] = (float)(3 * cos(2.1 * c) + 0.5 * rng_normal(&r));
        ds->x[2 * i + 1] = (float)(3 * sin(2.1 * c) + 0.5 * rng_normal(&r));
    }
    hp_split s;
    char err[256];
    assert_int_equal(dataset_split(ds, 0.2, 0.2, 1, &s, err), 0);
    dataset_standardize(ds, &s);
    hp_train_config t = {0};
    t.net.n_hidden = 1;
    t.net.hidden[0] = 16;
    t.net.activation = ACT_RELU;
    t.net.loss = LOSS_CROSS_ENTROPY;
    t.opt.kind = OPT_ADAM;
    t.opt.beta1 = 0.9;
    t.opt.beta2 = 0.999;
    t.opt.epsilon = 1e-8;
    t.sched.kind = SCHED_CONSTANT;
    t.sched.lr = 0.01;
    t.batch_size = 16;
    t.epochs = 15;
    t.threads = 1;
    snprintf(t.monitor, sizeof t.monitor, "val_accuracy");
    t.maximize = 1;
    hp_metric_set a, b;
    assert_int_equal(train_run(ds, &s, &t, 11, NULL, NULL, &a, err), TRAIN_DONE);
    assert_true(metrics_get(&a, "val_accuracy") >= 0.95);
    assert_true(metrics_get(&a, "test_accuracy") >= 0.95);
    t.threads = 2;
    assert_int_equal(train_run(ds, &s, &t, 11, NULL, NULL, &b, err), TRAIN_DONE);
    assert_int_equal(a.n, b.n);
    for (int i = 0; i < a.n; i++) {
        if (strcmp(a.name[i], "train_seconds") == 0 ||
            strcmp(a.name[i], "predict_us_per_sample") == 0) {
            /* timings: positive, never identical */
            assert_true(a.value[i] > 0 && b.value[i] > 0);
            continue;
        }
        assert_true(a.value[i] == b.value[i] || (isnan(a.value[i]) && isnan(b.value[i])));
    }
    assert_float_equal(metrics_get(&a, "n_params"), 2 * 16 + 16 + 16 * 3 + 3, 0);
    /* stopped at epoch 4 with a checkpoint, then resumed: bit-identical to
       the uninterrupted run, with epoch 4 reported again and none before */
    char ckpt[128];
    snprintf(ckpt, sizeof ckpt, "/tmp/hpsearch-test-ckpt-%d", (int)getpid());
    remove(ckpt);
    t.checkpoint = ckpt;
    t.noise = 0.1; /* the rng's state must survive too */
    t.opt.kind = OPT_ADAGRAD;
    hp_metric_set c, d;
    t.checkpoint = NULL;
    assert_int_equal(train_run(ds, &s, &t, 11, NULL, NULL, &c, err), TRAIN_DONE);
    t.checkpoint = ckpt;
    int stop_at = 4;
    assert_int_equal(train_run(ds, &s, &t, 11, stop_after, &stop_at, &d, err), TRAIN_STOPPED);
    stop_at = -1; /* records the first epoch reported */
    assert_int_equal(train_run(ds, &s, &t, 11, stop_after, &stop_at, &d, err), TRAIN_DONE);
    assert_int_equal(stop_at, 4);
    assert_int_equal(c.n, d.n);
    for (int i = 0; i < c.n; i++)
        assert_true(c.value[i] == d.value[i] || (isnan(c.value[i]) && isnan(d.value[i])) ||
                    strcmp(c.name[i], "train_seconds") == 0 ||
                    strcmp(c.name[i], "predict_us_per_sample") == 0);
    /* a checkpoint of another configuration is not resumed from */
    t.batch_size = 8;
    stop_at = -1;
    assert_int_equal(train_run(ds, &s, &t, 11, stop_after, &stop_at, &d, err), TRAIN_DONE);
    assert_int_equal(stop_at, 1);
    remove(ckpt);
    t.checkpoint = NULL;
    t.sched.lr = 1e30;
    t.opt.kind = OPT_SGD;
    assert_int_equal(train_run(ds, &s, &t, 11, NULL, NULL, &a, err), TRAIN_DIVERGED);
    assert_non_null(strstr(err, "diverged at epoch 1"));
    split_deinit(&s);
    dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernels_vs_naive), cmocka_unit_test(test_gradients),
        cmocka_unit_test(test_optimizers_by_hand), cmocka_unit_test(test_schedules),
        cmocka_unit_test(test_adagrad_by_hand), cmocka_unit_test(test_prefix_warmup),
        cmocka_unit_test(test_metrics_by_hand),  cmocka_unit_test(test_dataset_loading),
        cmocka_unit_test(test_idx_loading),
        cmocka_unit_test(test_split_and_standardize), cmocka_unit_test(test_training),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
