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

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define HAVE_AVX2_FMA 1
#endif

#define ROWS 4

#ifdef HAVE_AVX2_FMA
/*
** One micro-kernel for all three products (KERNEL-NOTES sections 1-3):
** C[i, j:j+16] = init[j:j+16] + sum_p a(i, p) * Bm[p, j:j+16], with
** a(i, p) = A[i*rs + p*cs].  The broadcast operand may have any stride,
** which is how one kernel serves X.Wt (rs = I, cs = 1), dZ.W and dZ^T.X
** (rs = 1, cs = O).  Tiles of 6 rows x 16 columns keep 12 accumulators in
** ymm registers; each B row segment is loaded once per tile and serves 6
** rows.  Every output element is one FMA chain in p order, so tiling and
** thread splits never change a result.
*/
#define MR 6

static inline __m256i tail_mask(int n) /* lanes [0, n) */
{
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

static inline __attribute__((always_inline)) void
tile(float *restrict C, int ldc, const float *restrict A, int rs, int cs,
     const float *restrict Bm, int ldb, int K, __m256 i0, __m256 i1, __m256i m0, __m256i m1,
     int rows, int full)
{
    __m256 c[MR][2];
    for (int r = 0; r < MR; r++) {
        c[r][0] = i0;
        c[r][1] = i1;
    }
    for (int p = 0; p < K; p++) {
        const float *b = Bm + (size_t)p * ldb;
        __m256 b0 = full ? _mm256_loadu_ps(b) : _mm256_maskload_ps(b, m0);
        __m256 b1 = full ? _mm256_loadu_ps(b + 8) : _mm256_maskload_ps(b + 8, m1);
        const float *a = A + (size_t)p * cs;
#pragma GCC unroll 6
        for (int r = 0; r < MR; r++) {
            if (r < rows) {
                __m256 av = _mm256_broadcast_ss(a + (size_t)r * rs);
                c[r][0] = _mm256_fmadd_ps(av, b0, c[r][0]);
                c[r][1] = _mm256_fmadd_ps(av, b1, c[r][1]);
            }
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < MR; r++) {
        if (r < rows) {
            float *o = C + (size_t)r * ldc;
            if (full) {
                _mm256_storeu_ps(o, c[r][0]);
                _mm256_storeu_ps(o + 8, c[r][1]);
            } else {
                _mm256_maskstore_ps(o, m0, c[r][0]);
                _mm256_maskstore_ps(o + 8, m1, c[r][1]);
            }
        }
    }
}

/* C (M x N, ldc) = init (N, or zeros) + A-operand (M x K) . Bm (K x N, ldb). */
static void gemm_avx2(float *restrict C, int ldc, const float *restrict A, int rs, int cs,
                 const float *restrict Bm, int ldb, int M, int N, int K,
                 const float *restrict init)
{
    for (int j0 = 0; j0 < N; j0 += 16) {
        int nj = N - j0 < 16 ? N - j0 : 16, full = nj == 16;
        __m256i m0 = tail_mask(nj), m1 = tail_mask(nj - 8);
        __m256 i0 = init ? _mm256_maskload_ps(init + j0, m0) : _mm256_setzero_ps();
        __m256 i1 = init ? _mm256_maskload_ps(init + j0 + 8, m1) : _mm256_setzero_ps();
        for (int i = 0; i < M; i += MR) {
            int rows = M - i < MR ? M - i : MR;
            float *c = C + (size_t)i * ldc + j0;
            const float *a = A + (size_t)i * rs;
            const float *b = Bm + j0;
            /* constant arguments let each call be specialised and unrolled */
            if (full && rows == MR)
                tile(c, ldc, a, rs, cs, b, ldb, K, i0, i1, m0, m1, MR, 1);
            else if (rows == MR)
                tile(c, ldc, a, rs, cs, b, ldb, K, i0, i1, m0, m1, MR, 0);
            else
                switch (rows) {
                case 5: tile(c, ldc, a, rs, cs, b, ldb, K, i0, i1, m0, m1, 5, 0); break;
                case 4: tile(c, ldc, a, rs, cs, b, ldb, K, i0, i1, m0, m1, 4, 0); break;
                case 3: tile(c, ldc, a, rs, cs, b, ldb, K, i0, i1, m0, m1, 3, 0); break;
                case 2: tile(c, ldc, a, rs, cs, b, ldb, K, i0, i1, m0, m1, 2, 0); break;
                default: tile(c, ldc, a, rs, cs, b, ldb, K, i0, i1, m0, m1, 1, 0); break;
                }
        }
    }
}

/*
** The AVX-512 variant: 8 x 32 tiles (16 zmm accumulators), for CPUs that
** have it (chosen at run time).  The same FMA chain per element as AVX2,
** so both give bit-identical results.
*/
#define MR512 8
#define V4 __attribute__((target("arch=x86-64-v4")))

static inline V4 __attribute__((always_inline)) void
tile512(float *restrict C, int ldc, const float *restrict A, int rs, int cs,
        const float *restrict Bm, int ldb, int K, __m512 i0, __m512 i1, __mmask16 k0,
        __mmask16 k1, int rows, int full)
{
    __m512 c[MR512][2];
    for (int r = 0; r < MR512; r++) {
        c[r][0] = i0;
        c[r][1] = i1;
    }
    for (int p = 0; p < K; p++) {
        const float *b = Bm + (size_t)p * ldb;
        __m512 b0 = full ? _mm512_loadu_ps(b) : _mm512_maskz_loadu_ps(k0, b);
        __m512 b1 = full ? _mm512_loadu_ps(b + 16) : _mm512_maskz_loadu_ps(k1, b + 16);
        const float *a = A + (size_t)p * cs;
#pragma GCC unroll 8
        for (int r = 0; r < MR512; r++) {
            if (r < rows) {
                __m512 av = _mm512_set1_ps(a[(size_t)r * rs]);
                c[r][0] = _mm512_fmadd_ps(av, b0, c[r][0]);
                c[r][1] = _mm512_fmadd_ps(av, b1, c[r][1]);
            }
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR512; r++) {
        if (r < rows) {
            float *o = C + (size_t)r * ldc;
            if (full) {
                _mm512_storeu_ps(o, c[r][0]);
                _mm512_storeu_ps(o + 16, c[r][1]);
            } else {
                _mm512_mask_storeu_ps(o, k0, c[r][0]);
                _mm512_mask_storeu_ps(o + 16, k1, c[r][1]);
            }
        }
    }
}

static V4 void gemm_avx512(float *restrict C, int ldc, const float *restrict A, int rs,
                           int cs, const float *restrict Bm, int ldb, int M, int N, int K,
                           const float *restrict init)
{
    for (int j0 = 0; j0 < N; j0 += 32) {
        int nj = N - j0 < 32 ? N - j0 : 32, full = nj == 32;
        int n0 = nj < 16 ? nj : 16, n1 = nj > 16 ? nj - 16 : 0;
        __mmask16 k0 = (__mmask16)((1u << n0) - 1), k1 = (__mmask16)((1u << n1) - 1);
        __m512 i0 = init ? _mm512_maskz_loadu_ps(k0, init + j0) : _mm512_setzero_ps();
        __m512 i1 = init ? _mm512_maskz_loadu_ps(k1, init + j0 + 16) : _mm512_setzero_ps();
        for (int i = 0; i < M; i += MR512) {
            int rows = M - i < MR512 ? M - i : MR512;
            float *c = C + (size_t)i * ldc + j0;
            const float *a = A + (size_t)i * rs;
            const float *b = Bm + j0;
            if (full && rows == MR512)
                tile512(c, ldc, a, rs, cs, b, ldb, K, i0, i1, k0, k1, MR512, 1);
            else if (rows == MR512)
                tile512(c, ldc, a, rs, cs, b, ldb, K, i0, i1, k0, k1, MR512, 0);
            else
                switch (rows) {
                case 7: tile512(c, ldc, a, rs, cs, b, ldb, K, i0, i1, k0, k1, 7, 0); break;
                case 6: tile512(c, ldc, a, rs, cs, b, ldb, K, i0, i1, k0, k1, 6, 0); break;
                case 5: tile512(c, ldc, a, rs, cs, b, ldb, K, i0, i1, k0, k1, 5, 0); break;
                case 4: tile512(c, ldc, a, rs, cs, b, ldb, K, i0, i1, k0, k1, 4, 0); break;
                case 3: tile512(c, ldc, a, rs, cs, b, ldb, K, i0, i1, k0, k1, 3, 0); break;
                case 2: tile512(c, ldc, a, rs, cs, b, ldb, K, i0, i1, k0, k1, 2, 0); break;
                default: tile512(c, ldc, a, rs, cs, b, ldb, K, i0, i1, k0, k1, 1, 0); break;
                }
        }
    }
}

/* Which variant runs: the CPU's best, unless kern_select_isa forced one.
** A process-wide constant once chosen (like the CPU itself), so a relaxed
** atomic read per call is all it costs. */
static _Atomic int isa_choice = -1; /* -1 unknown, 0 avx2, 1 avx512 */

int kern_select_isa(const char *isa)
{
    if (!isa || !*isa) {
        __builtin_cpu_init();
        isa_choice = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
    } else if (strcmp(isa, "avx2") == 0) {
        isa_choice = 0;
    } else if (strcmp(isa, "avx512") == 0) {
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx512f"))
            return -1;
        isa_choice = 1;
    } else {
        return -1;
    }
    return 0;
}

static void gemm(float *restrict C, int ldc, const float *restrict A, int rs, int cs,
                 const float *restrict Bm, int ldb, int M, int N, int K,
                 const float *restrict init)
{
    if (isa_choice < 0)
        kern_select_isa(getenv("HPSEARCH_KERNELS"));
    if (isa_choice == 1)
        gemm_avx512(C, ldc, A, rs, cs, Bm, ldb, M, N, K, init);
    else
        gemm_avx2(C, ldc, A, rs, cs, Bm, ldb, M, N, K, init);
}
#else
int kern_select_isa(const char *isa)
{
    return isa && *isa ? -1 : 0;
}
#endif

/* Z rows [r0, r1) of the forward product. */
static void forward_rows(float *restrict Z, const float *restrict X,
                         const float *restrict Wt, const float *restrict b, int r0, int r1,
                         int I, int O)
{
#ifdef HAVE_AVX2_FMA
    gemm(Z + (size_t)r0 * O, O, X + (size_t)r0 * I, I, 1, Wt, O, r1 - r0, O, I, b);
    return;
#endif
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
#ifdef HAVE_AVX2_FMA
    gemm(dX + (size_t)r0 * I, I, dZ + (size_t)r0 * O, O, 1, W, I, r1 - r0, I, O, NULL);
    return;
#endif
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
#ifdef HAVE_AVX2_FMA
    /* dW rows o: a(o, b) = dZ[b*O + o], so rs = 1 and cs = O */
    gemm(dW + (size_t)o0 * I, I, dZ + o0, 1, O, X, I, o1 - o0, I, B, NULL);
    for (int o = o0; o < o1; o++) {
        float s = 0;
        for (int r = 0; r < B; r++)
            s += dZ[(size_t)r * O + o];
        db[o] = s;
    }
    return;
#endif
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

/* Threads for a product of B x I x O: one below ~2 MFLOP, where an OpenMP
** region costs more than it saves (KERNEL-NOTES section 4: a 32x128x64
** product ran at 1.07x on 2 threads, 128x10x128 at 0.78x). */
static int useful_threads(int threads, int B, int I, int O)
{
    return 2.0 * B * I * O < 2e6 ? 1 : threads;
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
    threads = useful_threads(threads, B, I, O);
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
    threads = useful_threads(threads, B, I, O);
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
    threads = useful_threads(threads, B, I, O);
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

static void transpose_rows(float *restrict Wt, const float *restrict W, int O, int I,
                           int o_begin, int o_end)
{
    /* 16 x 16 tiles keep both sides in cache */
    for (int o0 = o_begin; o0 < o_end; o0 += 16)
        for (int i0 = 0; i0 < I; i0 += 16)
            for (int o = o0; o < o_end && o < o0 + 16; o++)
                for (int i = i0; i < I && i < i0 + 16; i++)
                    Wt[(size_t)i * O + o] = W[(size_t)o * I + i];
}

/* Elementwise passes are split only above this many elements. */
#define ELEMENTWISE_MIN 65536

void kern_transpose(float *restrict Wt, const float *restrict W, int O, int I, int threads)
{
#ifdef _OPENMP
    if (threads > 1 && (size_t)O * I >= ELEMENTWISE_MIN) {
#pragma omp parallel num_threads(threads)
        {
            int t = omp_get_thread_num(), nt = omp_get_num_threads();
            /* whole 16-row tiles per thread */
            int tiles = (O + 15) / 16;
            int b = tiles * t / nt * 16, e = tiles * (t + 1) / nt * 16;
            transpose_rows(Wt, W, O, I, b < O ? b : O, e < O ? e : O);
        }
        return;
    }
#endif
    (void)threads;
    transpose_rows(Wt, W, O, I, 0, O);
}

static void adam_range(float *restrict w, const float *restrict g, float *restrict m,
                       float *restrict v, const unsigned char *restrict decay_mask,
                       size_t begin, size_t end, float b1, float b2, float step,
                       float root_bc2, float eps, float decay)
{
    if (decay != 0) /* AdamW: decay the weights, not the biases */
        for (size_t k = begin; k < end; k++)
            w[k] -= decay_mask[k] ? decay * w[k] : 0.0f;
    /* a loop without branches, so that it vectorises */
    for (size_t k = begin; k < end; k++) {
        m[k] = b1 * m[k] + (1 - b1) * g[k];
        v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
        w[k] -= step * m[k] / (sqrtf(v[k]) / root_bc2 + eps);
    }
}

void kern_adam(float *restrict w, const float *restrict g, float *restrict m,
               float *restrict v, const unsigned char *restrict decay_mask, size_t n,
               float b1, float b2, float step, float root_bc2, float eps, float decay,
               int threads)
{
#ifdef _OPENMP
    if (threads > 1 && n >= ELEMENTWISE_MIN) {
#pragma omp parallel num_threads(threads)
        {
            int t = omp_get_thread_num(), nt = omp_get_num_threads();
            /* 64-byte aligned chunk boundaries: no false sharing */
            size_t chunk = (n / (size_t)nt + 15) & ~(size_t)15;
            size_t b = chunk * (size_t)t, e = b + chunk;
            adam_range(w, g, m, v, decay_mask, b < n ? b : n, e < n && t < nt - 1 ? e : n,
                       b1, b2, step, root_bc2, eps, decay);
        }
        return;
    }
#endif
    (void)threads;
    adam_range(w, g, m, v, decay_mask, 0, n, b1, b2, step, root_bc2, eps, decay);
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
