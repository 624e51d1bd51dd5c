/*
** A study's constraints (Optuna's constraints_func, written in the study
** file): "[study] constraint = n_params <= 100000, train_seconds < 60",
** each a final metric the objective reports compared with a number.  A
** complete trial that breaks one is infeasible: every sampler ranks it
** after the feasible ones (the proposer hands it to them as a failed
** trial), and `best` and the Pareto front hold feasible trials only.
*/
#ifndef HP_CONSTRAINTS_H
#define HP_CONSTRAINTS_H

#include "../search/limits.h"

#define HP_MAX_CONSTRAINTS 8

typedef enum { CONSTRAINT_LE, CONSTRAINT_LT, CONSTRAINT_GE, CONSTRAINT_GT } hp_constraint_op;

typedef struct {
    int n;
    char names[HP_MAX_CONSTRAINTS][HP_NAME_MAX + 1];
    hp_constraint_op op[HP_MAX_CONSTRAINTS];
    double bound[HP_MAX_CONSTRAINTS];
} hp_constraints;

/* Parses TEXT ("metric <= 5, other > 0") into OUT; an empty text is no
** constraint.  Returns 0, or -1 with err. */
int constraints_parse(const char *text, hp_constraints *out, char *err);

/* How far VALUES (one per constraint, NaN when the trial did not report
** the metric) break the constraints: 0 when every one holds, else the sum
** of each broken one's distance to its bound over max(1, |bound|);
** INFINITY when a metric is missing. */
double constraints_violation(const hp_constraints *c, const double *values);

#endif
