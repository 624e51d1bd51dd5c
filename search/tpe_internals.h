/*
** The tpe sampler's kernel bandwidths, shared with its unit tests.
*/
#ifndef HP_TPE_INTERNALS_H
#define HP_TPE_INTERNALS_H

#include <stddef.h>

/* Bandwidths of one coordinate for M kernel centres X[0], X[STRIDE], ...
** (in [0, 1]), as Optuna 5 computes them for both its univariate and
** multivariate forms: each centre's larger distance to its neighbours among
** the centres and the ends 0 and 1 (the prior's centre is not among them);
** with ENDPOINTS zero (consider_endpoints = false) and at least two
** centres, the lowest and the highest take the distance to their inner
** neighbour instead.  Equal centres share a bandwidth.  SORTED is scratch
** of M + 2 doubles; SIGMA gets M values, before the magic clip. */
void tpe_neighbour_bandwidths(const double *x, size_t stride, int m, int endpoints,
                              double *sorted, double *sigma);

#endif
