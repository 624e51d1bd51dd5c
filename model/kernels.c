/*
** Dense products for the MLP.  Loops are arranged as "broadcast one scalar,
** stream one contiguous row" (y[:] += a * w[:]), which compilers vectorise
** without reassociating sums, so every output keeps one fixed summation
** order.  Rows are processed in blocks of 4 so that each streamed weight row
** serves 4 outputs from cache.
**
** Threading: forward and dX split the batch rows, dW splits its output
** rows; static schedules; no reductions across threads.  With one thread no
** parallel region is entered at all (KERNEL-NOTES: regions cost ~0.5 us
** even idle, which small layers cannot afford).
*/
#include "kernels.h"

#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define ROWS 4

/* Z rows [r0, r1) of the forward product. */
static void forward_rows(float *restrict Z, const float *restrict X,
                         const float *restrict Wt, const float *restrict b, int r0, int r1,
                         int I, int O)
{
    int r = r0;
    for (; r + ROWS <= r1; r += ROWS) {
        float *z0 = Z + (size_t)r * O, *z1 = z0 + O, *z2 = z1 + O, *z3 = z2 + O;
        const float *x0 = X + (size_t)r * I, *x1 = x0 + I, *x2 = x1 + I, *x3 = x2 + I;
        for (int o = 0; o < O; o++)
            z0[o] = z1[o] = z2[o] = z3[o] = b[o];
        for (int i = 0; i < I; i++) {
            const float *w = Wt + (size_t)i * O;
            float a0 = x0[i], a1 = x1[i], a2 = x2[i], a3 = x3[i];
            for (int o = 0; o < O; o++) {
                float wo = w[o];
                z0[o] += a0 * wo;
                z1[o] += a1 * wo;
                z2[o] += a2 * wo;
                z3[o] += a3 * wo;
            }
        }
    }
    for (; r < r1; r++) {
        float *z = Z + (size_t)r * O;
        const float *x = X + (size_t)r * I;
        memcpy(z, b, sizeof(float) * (size_t)O);
        for (int i = 0; i < I; i++) {
            const float *w = Wt + (size_t)i * O;
            float a = x[i];
            for (int o = 0; o < O; o++)
                z[o] += a * w[o];
        }
    }
}

/* dX rows [r0, r1). */
static void backward_input_rows(float *restrict dX, const float *restrict dZ,
                                const float *restrict W, int r0, int r1, int I, int O)
{
    int r = r0;
    for (; r + ROWS <= r1; r += ROWS) {
        float *d0 = dX + (size_t)r * I, *d1 = d0 + I, *d2 = d1 + I, *d3 = d2 + I;
        const float *g0 = dZ + (size_t)r * O, *g1 = g0 + O, *g2 = g1 + O, *g3 = g2 + O;
        memset(d0, 0, sizeof(float) * (size_t)I * ROWS);
        for (int o = 0; o < O; o++) {
            const float *w = W + (size_t)o * I;
            float a0 = g0[o], a1 = g1[o], a2 = g2[o], a3 = g3[o];
            for (int i = 0; i < I; i++) {
                float wi = w[i];
                d0[i] += a0 * wi;
                d1[i] += a1 * wi;
                d2[i] += a2 * wi;
                d3[i] += a3 * wi;
            }
        }
    }
    for (; r < r1; r++) {
        float *d = dX + (size_t)r * I;
        const float *g = dZ + (size_t)r * O;
        memset(d, 0, sizeof(float) * (size_t)I);
        for (int o = 0; o < O; o++) {
            const float *w = W + (size_t)o * I;
            float a = g[o];
            for (int i = 0; i < I; i++)
                d[i] += a * w[i];
        }
    }
}

/* dW rows [o0, o1) and db[o0, o1). */
static void backward_weight_rows(float *restrict dW, float *restrict db,
                                 const float *restrict dZ, const float *restrict X, int B,
                                 int I, int O, int o0, int o1)
{
    for (int o = o0; o < o1; o++) {
        float *dw = dW + (size_t)o * I;
        float s = 0;
        memset(dw, 0, sizeof(float) * (size_t)I);
        for (int r = 0; r < B; r++) {
            float g = dZ[(size_t)r * O + o];
            const float *x = X + (size_t)r * I;
            s += g;
            for (int i = 0; i < I; i++)
                dw[i] += g * x[i];
        }
        db[o] = s;
    }
}

/* The [begin, end) share of N items for thread T of NT, in whole blocks of
** ROWS so thread boundaries fall where a single thread's blocks would. */
static void share(int n, int t, int nt, int *begin, int *end)
{
    int blocks = (n + ROWS - 1) / ROWS;
    int b0 = (int)((long)blocks * t / nt), b1 = (int)((long)blocks * (t + 1) / nt);
    *begin = b0 * ROWS < n ? b0 * ROWS : n;
    *end = b1 * ROWS < n ? b1 * ROWS : n;
}

void kern_linear_forward(float *restrict Z, const float *restrict X,
                         const float *restrict Wt, const float *restrict b, int B, int I,
                         int O, int threads)
{
#ifdef _OPENMP
    if (threads > 1) {
#pragma omp parallel num_threads(threads)
        {
            int r0, r1;
            share(B, omp_get_thread_num(), omp_get_num_threads(), &r0, &r1);
            forward_rows(Z, X, Wt, b, r0, r1, I, O);
        }
        return;
    }
#endif
    (void)threads;
    forward_rows(Z, X, Wt, b, 0, B, I, O);
}

void kern_linear_backward_input(float *restrict dX, const float *restrict dZ,
                                const float *restrict W, int B, int I, int O, int threads)
{
#ifdef _OPENMP
    if (threads > 1) {
#pragma omp parallel num_threads(threads)
        {
            int r0, r1;
            share(B, omp_get_thread_num(), omp_get_num_threads(), &r0, &r1);
            backward_input_rows(dX, dZ, W, r0, r1, I, O);
        }
        return;
    }
#endif
    (void)threads;
    backward_input_rows(dX, dZ, W, 0, B, I, O);
}

void kern_linear_backward_weight(float *restrict dW, float *restrict db,
                                 const float *restrict dZ, const float *restrict X, int B,
                                 int I, int O, int threads)
{
#ifdef _OPENMP
    if (threads > 1) {
#pragma omp parallel num_threads(threads)
        {
            int o0, o1;
            share(O, omp_get_thread_num(), omp_get_num_threads(), &o0, &o1);
            backward_weight_rows(dW, db, dZ, X, B, I, O, o0, o1);
        }
        return;
    }
#endif
    (void)threads;
    backward_weight_rows(dW, db, dZ, X, B, I, O, 0, O);
}

void kern_transpose(float *restrict Wt, const float *restrict W, int O, int I)
{
    /* 16 x 16 tiles keep both sides in cache */
    for (int o0 = 0; o0 < O; o0 += 16)
        for (int i0 = 0; i0 < I; i0 += 16)
            for (int o = o0; o < O && o < o0 + 16; o++)
                for (int i = i0; i < I && i < i0 + 16; i++)
                    Wt[(size_t)i * O + o] = W[(size_t)o * I + i];
}

void kern_linear_forward_naive(float *Z, const float *X, const float *Wt, const float *b,
                               int B, int I, int O)
{
    for (int r = 0; r < B; r++)
        for (int o = 0; o < O; o++) {
            double s = b[o];
            for (int i = 0; i < I; i++)
                s += (double)X[(size_t)r * I + i] * Wt[(size_t)i * O + o];
            Z[(size_t)r * O + o] = (float)s;
        }
}

void kern_linear_backward_input_naive(float *dX, const float *dZ, const float *W, int B,
                                      int I, int O)
{
    for (int r = 0; r < B; r++)
        for (int i = 0; i < I; i++) {
            double s = 0;
            for (int o = 0; o < O; o++)
                s += (double)dZ[(size_t)r * O + o] * W[(size_t)o * I + i];
            dX[(size_t)r * I + i] = (float)s;
        }
}

void kern_linear_backward_weight_naive(float *dW, float *db, const float *dZ,
                                       const float *X, int B, int I, int O)
{
    for (int o = 0; o < O; o++) {
        double sb = 0;
        for (int r = 0; r < B; r++)
            sb += dZ[(size_t)r * O + o];
        db[o] = (float)sb;
        for (int i = 0; i < I; i++) {
            double s = 0;
            for (int r = 0; r < B; r++)
                s += (double)dZ[(size_t)r * O + o] * X[(size_t)r * I + i];
            dW[(size_t)o * I + i] = (float)s;
        }
    }
}
