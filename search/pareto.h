/*
** Pareto dominance, non-dominated sorting, crowding distance and the
** hypervolume, for N points of K objectives, all minimised (negate a
** maximised one first), row-major N x K.  Pure functions, no state.
*/
#ifndef HP_PARETO_H
#define HP_PARETO_H

/* 1 when A is no worse than B in every objective and better in one. */
int pareto_dominates(const double *a, const double *b, int k);

/* Non-dominated sorting (Deb et al. 2002): RANK[i] = 0 for the points no
** other dominates, 1 for those only rank-0 points dominate, and so on.
** Points with a NaN get the rank after every other.  Returns the number
** of ranks, or -1 when out of memory. */
int pareto_ranks(const double *y, int n, int k, int *rank);

/* The crowding distance of each of the M points IDX[0..m) of one front:
** for each objective, the gap between a point's neighbours over the
** front's range, summed; the extremes get INFINITY. */
void pareto_crowding(const double *y, int k, const int *idx, int m, double *dist);

/* The volume dominated by the N points within the box below REF (points
** not below REF in every objective add nothing); exact for K = 1, 2, 3
** (O(n^2 log n) for 3), -1 for other K or when out of memory. */
double pareto_hypervolume(const double *y, int n, int k, const double *ref);

/* ParEGO's scalarisation (Knowles 2006): each of the K objectives of the
** N points normalised from its minimum (0) to the front's nadir (1, the
** maximum over the non-dominated points; dominated points may exceed 1),
** over the points without a NaN, then
** OUT[i] = max_j w_j f_ij + 0.05 sum_j w_j f_ij, to minimise (NaN for a
** point with a NaN).  W: K weights summing to 1.  Returns 0, or -1 when
** out of memory. */
int pareto_chebyshev(const double *y, int n, int k, const double *w, double *out);

/* K weights uniform on the simplex from K uniform draws U in (0, 1). */
void pareto_simplex_weights(int k, const double *u, double *w);

#endif
