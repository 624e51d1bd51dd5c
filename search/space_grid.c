/*
** The grid of a space whose searched parameters are all discrete.
**
** Without conditions the grid is the product of the value counts, and a
** point's index is a mixed-radix number.  With conditions a product would
** count trials twice (a parameter that is inactive has no values to vary),
** so the grid is a list of branches: each combination of the parents'
** values (a parent inactive under its own parents counts once) with the
** product of the value counts of the other parameters active there.  The
** branches are walked afresh for every count and every point: no state,
** and a walk costs the number of branches, which the conditions people
** write keep small (and GRID_MAX_BRANCHES bounds).
*/
#include "space.h"
#include "space_internals.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define GRID_MAX_BRANCHES 1000000

/* Grid value number DIGIT of parameter P. */
static hp_value grid_value(const hp_param *p, uint64_t digit)
{
    hp_value v;
    if (space_param_is_text(p)) {
        v.index = (int)digit;
        v.value = p->choice_num[digit];
    } else {
        v.index = -1;
        v.value = fmin(p->lo + (double)digit * p->step, p->hi);
    }
    return v;
}

typedef struct {
    const hp_space *s;
    const unsigned char *is_parent;
    int *parents;            /* the parents, parents first */
    int n_parents;
    hp_value *values;
    uint64_t max_points, total, branches;
    int too_many;            /* 1: points, 2: branches */
    /* looking a point up: its index within the branches still to come */
    hp_value *out;
    uint64_t target;
} grid_walk;

/* Fills the non-parent parameters of the current branch; returns their
** number of combinations (0 when it exceeds the limit). */
static uint64_t branch_points(grid_walk *w)
{
    const hp_space *s = w->s;
    uint64_t count = 1;
    for (int i = 0; i < s->n; i++) {
        if (w->is_parent[i])
            continue;
        if (!space_condition_holds(s, i, w->values)) {
            w->values[i].index = HP_INACTIVE;
            w->values[i].value = NAN;
            continue;
        }
        w->values[i] = grid_value(&s->params[i], 0); /* active: varied below */
        uint64_t c = space_param_count(&s->params[i]);
        if (count > w->max_points / c)
            return 0;
        count *= c;
    }
    return count;
}

/* Walks the branches from parent K on; returns 1 once the point looked up
** is written, else 0. */
static int walk(grid_walk *w, int k)
{
    const hp_space *s = w->s;
    if (w->too_many)
        return 0;
    if (k == w->n_parents) {
        uint64_t count = branch_points(w);
        if (count == 0 || w->total > w->max_points - count) {
            w->too_many = 1;
            return 0;
        }
        if (++w->branches > GRID_MAX_BRANCHES) {
            w->too_many = 2;
            return 0;
        }
        if (w->out && w->target < count) {
            uint64_t index = w->target;
            for (int i = s->n - 1; i >= 0; i--) {
                if (!w->is_parent[i] && space_value_active(w->values[i])) {
                    uint64_t c = space_param_count(&s->params[i]);
                    w->values[i] = grid_value(&s->params[i], index % c);
                    index /= c;
                }
                w->out[i] = w->values[i];
            }
            return 1;
        }
        if (w->out)
            w->target -= count;
        w->total += count;
        return 0;
    }
    int i = w->parents[k];
    if (!space_condition_holds(s, i, w->values)) {
        w->values[i].index = HP_INACTIVE;
        w->values[i].value = NAN;
        return walk(w, k + 1);
    }
    uint64_t c = space_param_count(&s->params[i]);
    for (uint64_t d = 0; d < c; d++) {
        w->values[i] = grid_value(&s->params[i], d);
        if (walk(w, k + 1))
            return 1;
        if (w->too_many)
            return 0;
    }
    return 0;
}

/* Runs a walk over the whole grid (OUT NULL) or to point TARGET.  Returns 0,
** or -1 with err (out of memory, or a grid beyond the limits). */
static int run_walk(const hp_space *s, uint64_t max_points, hp_value *out, uint64_t target,
                    uint64_t *total, char *err)
{
    grid_walk w = {s, NULL, NULL, 0, NULL, max_points, 0, 0, 0, out, target};
    unsigned char *is_parent = calloc((size_t)s->n + 1, 1);
    w.parents = malloc(sizeof(int) * (size_t)(s->n + 1));
    w.values = calloc((size_t)s->n + 1, sizeof(hp_value));
    int rc = -1;
    if (!is_parent || !w.parents || !w.values) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        goto done;
    }
    for (int i = 0; i < s->n; i++)
        for (int c = 0; c < s->conds[i].n_clauses; c++)
            is_parent[s->conds[i].clauses[c].parent] = 1;
    for (int k = 0; k < s->n; k++)
        if (is_parent[s->order[k]])
            w.parents[w.n_parents++] = s->order[k];
    w.is_parent = is_parent;
    walk(&w, 0);
    if (w.too_many == 1) {
        snprintf(err, HP_ERR_LEN, "grid sampler: the grid has more than %llu points; use "
                 "random or sobol", (unsigned long long)max_points);
        goto done;
    }
    if (w.too_many == 2) {
        snprintf(err, HP_ERR_LEN, "grid sampler: the conditions give more than %d "
                 "combinations of the parents' values; use random or sobol",
                 GRID_MAX_BRANCHES);
        goto done;
    }
    *total = w.total;
    rc = 0;
done:
    free(is_parent);
    free(w.parents);
    free(w.values);
    return rc;
}

int space_grid_size(const hp_space *space, uint64_t max_points, uint64_t *n, char *err)
{
    uint64_t total = 1;
    for (int i = 0; i < space->n; i++) {
        const hp_param *p = &space->params[i];
        uint64_t c = space_param_count(p);
        if (c == 0) {
            snprintf(err, HP_ERR_LEN, "grid sampler: parameter '%s' is a continuous "
                     "range; give it a step (uniform(a, b, step=s)) or use "
                     "choice()", p->name);
            return -1;
        }
        if (!space->n_conditional && total > max_points / c) {
            snprintf(err, HP_ERR_LEN, "grid sampler: the grid has more than %llu "
                     "points; use random or sobol", (unsigned long long)max_points);
            return -1;
        }
        total *= c;
    }
    if (space->n_conditional)
        return run_walk(space, max_points, NULL, 0, n, err);
    *n = total;
    return 0;
}

void space_grid_point(const hp_space *space, uint64_t index, hp_value *out)
{
    if (space->n_conditional) {
        /* the size was checked when the grid was made: the walk succeeds
           unless memory runs out, and then the first point is as good as
           any (the caller cannot tell this apart from a repeat) */
        char err[HP_ERR_LEN];
        uint64_t total;
        if (run_walk(space, UINT64_MAX, out, index, &total, err) == 0)
            return;
        index = 0;
    }
    for (int i = space->n - 1; i >= 0; i--) {
        const hp_param *p = &space->params[i];
        uint64_t c = space_param_count(p);
        out[i] = grid_value(p, index % c);
        index /= c;
    }
    space_apply_conditions(space, out);
}
