/*
** The Pareto front of a multi-objective study, from its storage: what
** `best`, `status` and the report show.  A trial is on the front when it
** is complete with every objective finite and no other such trial is at
** least as good in every objective and better in one.
*/
#ifndef HP_FRONT_H
#define HP_FRONT_H

#include <stdint.h>

#include "constraints.h"
#include "objectives.h"
#include "storage.h"

typedef struct {
    int n;              /* complete feasible trials with every objective */
    int infeasible;     /* complete trials left out for a broken constraint */
    int64_t *numbers;   /* their numbers, ascending */
    double *values;     /* n x objectives->n, as reported */
    int *rank;          /* 0 = on the front (search/pareto.h) */
    int front;          /* how many have rank 0 */
} hp_front;

/* Loads the complete trials of the study that meet the constraints C (NULL
** or n = 0: none) and ranks them.  Returns HP_OK, or an error code with
** err.  Free with front_free. */
int front_load(hp_store *store, int64_t study_id, const hp_objectives *o,
               const hp_constraints *c, hp_front *f, char *err);
void front_free(hp_front *f);

/* The front's hypervolume with each objective scaled to [0, 1] over the
** complete trials (best 0, worst 1) and the reference point at 1.1 in
** each: comparable between studies of one problem only roughly, but a
** number that grows as the front improves.  NaN with fewer than 1 trial. */
double front_hypervolume(const hp_front *f, const hp_objectives *o);

/* The indices of the front's trials, sorted by the first objective (best
** first), into IDX (room for f->front).  Returns the count. */
int front_members(const hp_front *f, const hp_objectives *o, int *idx);

#endif
