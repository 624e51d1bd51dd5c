/*
** Statistics for a study's report: parameter importance, a smoothed
** surface over two parameters, and the sampling that keeps charts of 100k
** trials small.  Pure functions: no I/O, no allocation beyond what each
** says, no global state.
*/
#ifndef HP_REPORT_STATS_H
#define HP_REPORT_STATS_H

#include <stdint.h>

/* First-order importance of each of D parameters: the share of the
** variance of Y (N values) that the means of Y within bins of x_j explain,
** minus what noise alone would explain with that many bins (a binned
** first-order Sobol index; model-free, as fANOVA's main effects are).  X is
** N x D, row-major, each coordinate in the unit cube (as space_encode gives
** it).  Bins hold about N / BINS trials each and never split equal values,
** so a categorical's categories are bins of their own.  Writes D shares in
** [0, 1] to IMPORTANCE.  Returns 0, or -1 when N < 4 or Y does not vary (or
** out of memory). */
int stats_importance(const double *x, const double *y, int n, int d, int bins,
                     double *importance);

/* A smoothed surface of Y over coordinates A and B (N points in [0,1]²):
** Nadaraya-Watson with a Gaussian kernel of bandwidth H, evaluated at the
** centres of a G x G grid (row-major, B along rows).  Cells with almost no
** data nearby get NaN.  Returns 0, or -1 when N < 1. */
int stats_surface(const double *a, const double *b, const double *y, int n, int g, double h,
                  double *out);

/* Chooses at most K of N items to draw, always keeping those whose KEEP
** flag is set (best-so-far steps, the best trial) and spreading the rest
** evenly.  Writes the chosen indices, in increasing order, to OUT (room for
** N) and returns their count. */
int stats_sample(int n, int k, const unsigned char *keep, int *out);

/* 1 when the positive values of Y span more than two decades (a log axis
** helps), ignoring non-finite ones. */
int stats_spans_decades(const double *y, int n);

#endif
