/*
** The 24 noiseless functions of the COCO/BBOB suite, after their published
** definitions (Hansen, Finck, Ros, Auger: "Real-Parameter Black-Box
** Optimization Benchmarking 2009: Noiseless Functions Definitions", INRIA
** RR-6829), on the domain [-5, 5]^d, d >= 2.
**
** An instance (function, dimension, instance number) draws its optimum
** x_opt, its rotations and, for the Gallagher functions, its peaks from a
** generator seeded with those three numbers; the same triple is the same
** function on every machine.  The draws follow the definitions' laws but
** not COCO's own generator, so instance k here is not COCO's instance k.
** f_opt is 0: a value is the regret.
*/
#ifndef HP_BBOB_H
#define HP_BBOB_H

#define BBOB_FUNCTIONS 24
#define BBOB_MAX_DIM 40

typedef struct hp_bbob hp_bbob;

/* Creates instance INSTANCE (>= 1) of function FUNCTION (1..24) in DIM
** dimensions (2..BBOB_MAX_DIM).  Returns NULL on a bad argument or when
** out of memory. */
hp_bbob *bbob_new(int function, int dim, int instance);
void bbob_free(hp_bbob *f);

/* f(x) - f_opt, for x of the instance's dimension. */
double bbob_eval(const hp_bbob *f, const double *x);

/* The instance's optimum (dim coordinates).  For f5 (linear slope) it is a
** corner of the domain; for f20 (Schwefel) the definition's approximate
** optimum, where f is below 1e-9. */
const double *bbob_xopt(const hp_bbob *f);

/* "sphere", "rastrigin_rotated", ... for function 1..24. */
const char *bbob_name(int function);

#endif
