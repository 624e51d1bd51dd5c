/*
** The training core's dense products, the only place with OpenMP.  Shapes
** in comments: B batch rows, I inputs, O outputs; all row-major.  W is
** (O x I) as in PyTorch; Wt (I x O) is its transpose, refreshed after each
** update, so that the forward product streams contiguous rows too.
**
** Every output element is one accumulation in a fixed order, and threads
** split outputs, never a reduction: results are bit-identical for any
** thread count.  Kernels never allocate.  Each has a _naive twin (double
** accumulation) used by the tests as the reference.
*/
#ifndef HP_KERNELS_H
#define HP_KERNELS_H

#include <stddef.h>

/* Z (B x O) = X (B x I) . Wt (I x O) + b (O) */
void kern_linear_forward(float *restrict Z, const float *restrict X,
                         const float *restrict Wt, const float *restrict b, int B, int I,
                         int O, int threads);

/* dX (B x I) = dZ (B x O) . W (O x I) */
void kern_linear_backward_input(float *restrict dX, const float *restrict dZ,
                                const float *restrict W, int B, int I, int O, int threads);

/* dW (O x I) = dZ^T (O x B) . X (B x I); db (O) = column sums of dZ.
** Overwrites dW and db. */
void kern_linear_backward_weight(float *restrict dW, float *restrict db,
                                 const float *restrict dZ, const float *restrict X, int B,
                                 int I, int O, int threads);

/* Chooses the instruction set of the products: "avx2", "avx512", or NULL/""
** for the CPU's best (the default, also read from HPSEARCH_KERNELS at the
** first product).  Returns 0, or -1 if this build or CPU lacks it.  Both
** give bit-identical results; tests compare them. */
int kern_select_isa(const char *isa);

/* Wt (I x O) = W (O x I) transposed. */
void kern_transpose(float *restrict Wt, const float *restrict W, int O, int I, int threads);

/* One Adam/AdamW update of N parameters (PyTorch 1.13's order):
** m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
** w -= step * m / (sqrt(v) / root_bc2 + eps), after w -= decay * w where
** DECAY_MASK[k] (AdamW's decoupled decay; decay 0 for Adam).  Elementwise,
** so any thread split gives the same result. */
void kern_adam(float *restrict w, const float *restrict g, float *restrict m,
               float *restrict v, const unsigned char *restrict decay_mask, size_t n,
               float b1, float b2, float step, float root_bc2, float eps, float decay,
               int threads);

void kern_linear_forward_naive(float *Z, const float *X, const float *Wt, const float *b,
                               int B, int I, int O);
void kern_linear_backward_input_naive(float *dX, const float *dZ, const float *W, int B,
                                      int I, int O);
void kern_linear_backward_weight_naive(float *dW, float *db, const float *dZ,
                                       const float *X, int B, int I, int O);

#endif
