/*
** The types of a search space that all its files share (space.h is the
** interface; space.c, space_conditions.c and space_grid.c implement it):
** a parameter as declared, a parameter's value in one trial, and the
** opaque space.
*/
#ifndef HP_SPACE_TYPES_H
#define HP_SPACE_TYPES_H

#include <stdint.h>

#include "limits.h"

typedef enum {
    HP_PARAM_FLOAT,  /* uniform/loguniform, optionally stepped */
    HP_PARAM_INT,    /* int(a, b) or int(a, b, log) */
    HP_PARAM_CHOICE, /* choice(v1, v2, ...) */
    HP_PARAM_FIXED   /* a bare value: part of every config, never searched */
} hp_param_kind;

/* One parameter as declared.  Owned by the space; read-only for callers. */
typedef struct {
    char *name;          /* identifier: [A-Za-z_][A-Za-z0-9_]* */
    hp_param_kind kind;
    double lo, hi;       /* FLOAT/INT bounds, lo < hi (hi snapped to the step grid) */
    double step;         /* FLOAT: 0 = continuous; INT: 1 */
    int log;             /* 1 = sampled uniformly in log space (lo > 0) */
    int n_choices;       /* CHOICE: number of values (>= 1); FIXED: 1 */
    char **choices;      /* CHOICE/FIXED: the values as written, unquoted */
    double *choice_num;  /* CHOICE/FIXED: numeric value of each, if numeric */
    int numeric;         /* CHOICE/FIXED: 1 when every value parses as a number */
} hp_param;

/* A parameter's value in one trial.  For CHOICE/FIXED, index selects the
** text in param->choices and value is its number (or the index when the
** values are not numeric); for FLOAT/INT index is -1.  A parameter whose
** condition does not hold in the trial has index HP_INACTIVE and value NaN:
** it is not part of the trial at all. */
typedef struct {
    double value;
    int index;
} hp_value;

#define HP_INACTIVE (-2)

static inline int space_value_active(hp_value v)
{
    return v.index != HP_INACTIVE;
}

typedef struct hp_space hp_space;

/* 1 when parameter P's values are texts of its choices (CHOICE, FIXED). */
static inline int space_param_is_text(const hp_param *p)
{
    return p->kind == HP_PARAM_CHOICE || p->kind == HP_PARAM_FIXED;
}

#endif
