/*
** Kernel benchmark: training samples/s and effective GFLOP/s of the MLP
** core on the shapes of the model issue, with 1 and 2 threads, beside the
** naive reference kernels and (when built with OpenBLAS) OpenBLAS's sgemm
** on the same GEMM shapes, all measured in this one run.
**
**   build/tests/kernel_bench            (unset OPENBLAS_CORETYPE and
**                                        OPENBLAS_L2_SIZE for OpenBLAS's
**                                        best kernels)
**
** FLOP per step = 3 * sum_l 2 B N_l K_l - 2 B N_1 K_1 (no dX for the input
** layer).  Anchors (PyTorch 1.13 CPU, Adam, float32, this machine):
** 784-256-128-10 b128: 118k samples/s on 1 thread, 166k on 2;
** 64-128-64-10 b32: 141k; 10-64-64-1 b64: 484k.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../model/kernels.h"
#include "../../model/mlp.h"
#include "../../model/optim.h"

#ifdef HP_HAVE_OPENBLAS
#include <cblas.h>
#undef I /* complex.h, pulled in by cblas.h, defines it; here it is a width */
void openblas_set_num_threads(int num_threads);
#endif

typedef struct {
    const char *name;
    int widths[4];
    int n_layers; /* weight layers */
    int batch;
    int classification;
    double torch_1t, torch_2t; /* anchors, samples/s (0 = none) */
} shape;

static const shape shapes[] = {
    {"784-256-128-10 b128", {784, 256, 128, 10}, 3, 128, 1, 118e3, 166e3},
    {"64-128-64-10 b32", {64, 128, 64, 10}, 3, 32, 1, 141e3, 0},
    {"10-64-64-1 b64", {10, 64, 64, 1}, 3, 64, 0, 484e3, 0},
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return v[n / 2];
}

static double step_flops(const shape *s)
{
    double f = 0;
    for (int l = 0; l < s->n_layers; l++)
        f += 3 * 2.0 * s->batch * s->widths[l + 1] * s->widths[l];
    return f - 2.0 * s->batch * s->widths[1] * s->widths[0];
}

/* Median seconds per training step (forward, backward, Adam). */
static double time_steps(const shape *s, int threads)
{
    hp_mlp_config cfg = {0};
    cfg.n_in = s->widths[0];
    cfg.n_out = s->widths[s->n_layers];
    cfg.n_hidden = s->n_layers - 1;
    for (int l = 0; l < cfg.n_hidden; l++)
        cfg.hidden[l] = s->widths[l + 1];
    cfg.activation = ACT_RELU;
    cfg.loss = s->classification ? LOSS_CROSS_ENTROPY : LOSS_MSE;
    cfg.classification = s->classification;
    hp_mlp *m;
    char err[256];
    if (mlp_new(&cfg, s->batch, 1, &m, err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    hp_optim_config oc = {0};
    oc.kind = OPT_ADAM;
    oc.beta1 = 0.9;
    oc.beta2 = 0.999;
    oc.epsilon = 1e-8;
    hp_optim *opt = optim_new(&oc, mlp_n_params(m));
    float *x = malloc(sizeof(float) * (size_t)s->batch * (size_t)cfg.n_in);
    float *t = malloc(sizeof(float) * (size_t)s->batch);
    int *y = malloc(sizeof(int) * (size_t)s->batch);
    hp_rng r;
    rng_seed(&r, 7);
    for (int k = 0; k < s->batch * cfg.n_in; k++)
        x[k] = (float)rng_normal(&r);
    for (int k = 0; k < s->batch; k++) {
        y[k] = (int)rng_below(&r, (uint64_t)cfg.n_out);
        t[k] = (float)rng_normal(&r);
    }
    double times[15];
    int reps = 15;
    for (int k = 0; k < 10; k++) { /* warm-up */
        mlp_train_step(m, x, y, t, s->batch, NULL, threads);
        optim_step(opt, mlp_params(m), mlp_grads(m), mlp_weight_mask(m), 1e-4, threads);
        mlp_sync(m, threads);
    }
    /* each sample: enough steps to last ~20 ms */
    int steps = 50;
    for (int rep = 0; rep < reps; rep++) {
        double t0 = now();
        for (int k = 0; k < steps; k++) {
            mlp_train_step(m, x, y, t, s->batch, NULL, threads);
            optim_step(opt, mlp_params(m), mlp_grads(m), mlp_weight_mask(m), 1e-4, threads);
            mlp_sync(m, threads);
        }
        times[rep] = (now() - t0) / steps;
    }
    free(x);
    free(t);
    free(y);
    optim_free(opt);
    mlp_free(m);
    return median(times, reps);
}

typedef void (*gemm_fn)(const shape *s, int l, float *buf[6], int threads);

/* The three products of layer l with our kernels. */
static void ours(const shape *s, int l, float *b[6], int threads)
{
    int B = s->batch, I = s->widths[l], O = s->widths[l + 1];
    kern_linear_forward(b[2], b[0], b[1], b[5], B, I, O, threads);
    if (l > 0)
        kern_linear_backward_input(b[3], b[2], b[1], B, I, O, threads);
    kern_linear_backward_weight(b[4], b[5], b[2], b[0], B, I, O, threads);
}

static void naive(const shape *s, int l, float *b[6], int threads)
{
    (void)threads;
    int B = s->batch, I = s->widths[l], O = s->widths[l + 1];
    kern_linear_forward_naive(b[2], b[0], b[1], b[5], B, I, O);
    if (l > 0)
        kern_linear_backward_input_naive(b[3], b[2], b[1], B, I, O);
    kern_linear_backward_weight_naive(b[4], b[5], b[2], b[0], B, I, O);
}

#ifdef HP_HAVE_OPENBLAS
static void openblas(const shape *s, int l, float *b[6], int threads)
{
    (void)threads;
    int B = s->batch, I = s->widths[l], O = s->widths[l + 1];
    /* Z = X W^T (NT), dX = dZ W (NN), dW = dZ^T X (TN), row-major */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, O, I, 1, b[0], I, b[1], I, 0,
                b[2], O);
    if (l > 0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, I, O, 1, b[2], O, b[1], I,
                    0, b[3], I);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, O, I, B, 1, b[2], O, b[0], I, 0,
                b[4], I);
}
#endif

/* GFLOP/s of one step's GEMMs done by FN. */
static double gemm_rate(const shape *s, gemm_fn fn, int threads, int reps)
{
    float *bufs[4][6];
    for (int l = 0; l < s->n_layers; l++) {
        size_t big = (size_t)s->batch * 1024 + (size_t)s->widths[l] * s->widths[l + 1];
        for (int k = 0; k < 6; k++) {
            bufs[l][k] = calloc(big, sizeof(float));
            for (size_t q = 0; q < big; q++)
                bufs[l][k][q] = (float)((q * 7919 % 1000) / 1000.0 - 0.5);
        }
    }
    double times[11];
    int n = reps < 11 ? reps : 11;
    for (int l = 0; l < s->n_layers; l++)
        fn(s, l, bufs[l], threads); /* warm-up: page faults, pools */
    for (int r = 0; r < n; r++) {
        double t0 = now();
        int inner = fn == naive ? 1 : 20;
        for (int k = 0; k < inner; k++)
            for (int l = 0; l < s->n_layers; l++)
                fn(s, l, bufs[l], threads);
        times[r] = (now() - t0) / inner;
    }
    for (int l = 0; l < s->n_layers; l++)
        for (int k = 0; k < 6; k++)
            free(bufs[l][k]);
    return step_flops(s) / median(times, n) / 1e9;
}

int main(void)
{
    printf("hpsearch kernel benchmark (float32, Adam, ReLU; median of 15 x 50 steps)\n");
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const shape *s = &shapes[i];
        double flops = step_flops(s);
        printf("\n%s  (%.2f MFLOP per step)\n", s->name, flops / 1e6);
        double t1 = time_steps(s, 1), t2 = time_steps(s, 2);
        printf("  training, 1 thread : %9.0f samples/s  %6.1f GFLOP/s", s->batch / t1,
               flops / t1 / 1e9);
        if (s->torch_1t > 0)
            printf("  (%.2fx PyTorch's %.0fk)", s->batch / t1 / s->torch_1t, s->torch_1t / 1e3);
        printf("\n  training, 2 threads: %9.0f samples/s  %6.1f GFLOP/s  (%.2fx 1 thread)",
               s->batch / t2, flops / t2 / 1e9, t1 / t2);
        if (s->torch_2t > 0)
            printf("  (%.2fx PyTorch's %.0fk)", s->batch / t2 / s->torch_2t, s->torch_2t / 1e3);
        printf("\n");
        double g_ours = gemm_rate(s, ours, 1, 11), g_naive = gemm_rate(s, naive, 1, 3);
        printf("  GEMMs of a step, 1 thread: ours %.1f GFLOP/s, naive reference %.2f "
               "GFLOP/s (%.0fx)", g_ours, g_naive, g_ours / g_naive);
#ifdef HP_HAVE_OPENBLAS
        openblas_set_num_threads(1);
        double g_blas = gemm_rate(s, openblas, 1, 11);
        printf(", OpenBLAS sgemm %.1f GFLOP/s (ours at %.0f%%)", g_blas, 100 * g_ours / g_blas);
#endif
        printf("\n");
    }
    return 0;
}
