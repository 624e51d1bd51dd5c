/*
** Conditional parameters: which parameters a trial's values switch off.
** The syntax is in space_condition_parse.c and the checks against the
** whole space (space_resolve) in space_resolve.c.
*/
#include "space.h"
#include "space_internals.h"

#include <math.h>
#include <stddef.h>

int space_same_number(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* Clause C (on a range parent) at parent value X. */
int clause_range_holds(const hp_clause *c, double x)
{
    double v = c->numbers[0];
    switch (c->op) {
    case COND_EQ:
        return space_same_number(x, v);
    case COND_NE:
        return !space_same_number(x, v);
    case COND_LT:
        return x < v && !space_same_number(x, v);
    case COND_LE:
        return x <= v || space_same_number(x, v);
    case COND_GT:
        return x > v && !space_same_number(x, v);
    case COND_GE:
        return x >= v || space_same_number(x, v);
    case COND_IN:
    case COND_NOT_IN:
        for (int i = 0; i < c->n_values; i++)
            if (space_same_number(x, c->numbers[i]))
                return c->op == COND_IN;
        return c->op == COND_NOT_IN;
    }
    return 0;
}

int clause_holds(const hp_clause *c, const hp_value *values)
{
    hp_value v = values[c->parent];
    if (!space_value_active(v))
        return 0;
    if (c->allowed)
        return v.index >= 0 && c->allowed[v.index];
    return clause_range_holds(c, v.value);
}

int space_condition_holds(const hp_space *space, int i, const hp_value *values)
{
    const hp_condition *cond = &space->conds[i];
    if (!space->resolved)
        return 1; /* the parents are not known yet */
    for (int c = 0; c < cond->n_clauses; c++)
        if (!clause_holds(&cond->clauses[c], values))
            return 0;
    return 1;
}

void space_apply_conditions(const hp_space *space, hp_value *values)
{
    if (!space->n_conditional || !space->resolved)
        return;
    for (int k = 0; k < space->n; k++) {
        int i = space->order[k];
        if (!space_condition_holds(space, i, values)) {
            values[i].index = HP_INACTIVE;
            values[i].value = NAN;
        }
    }
}

int space_is_conditional(const hp_space *space, int i)
{
    return space->conds[i].n_clauses > 0;
}

const char *space_condition(const hp_space *space, int i)
{
    return space->conds[i].n_clauses ? space->conds[i].text : NULL;
}

int space_groups(const hp_space *space)
{
    return space->n_conditional && space->resolved ? space->n_groups : 1;
}

int space_group(const hp_space *space, int i)
{
    return space->n_conditional && space->resolved ? space->group[i] : 0;
}
