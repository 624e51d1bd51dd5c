/*
** Benchmark functions for testing samplers (minimisation), with their
** usual domains and known global minima.  Pure functions of x.
*/
#ifndef HP_FUNCTIONS_H
#define HP_FUNCTIONS_H

typedef struct {
    const char *name;
    int dim;             /* required dimension, 0 = any d >= 1 */
    double lo, hi;       /* usual domain per coordinate (branin: see below) */
    double minimum;      /* known global minimum value */
} hp_function_info;

/* Names of all functions, for messages. */
#define FUNCTION_NAMES "branin, six_hump_camel, hartmann3, hartmann6, " \
                       "rosenbrock, ackley, levy, sphere"

/* Info of function NAME, or NULL if unknown.  Branin's domain is
** [-5,10]x[0,15]: lo/hi give the first coordinate's. */
const hp_function_info *function_find(const char *name);

/* Value of F at x (d coordinates).  d must be F->dim when that is set. */
double function_eval(const hp_function_info *f, const double *x, int d);

#endif
