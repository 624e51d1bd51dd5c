/*
** The search space: the parameters of a study and how each maps to and from
** the unit interval.  Samplers work in the unit cube [0,1)^d, one coordinate
** per searched parameter; space_decode turns a point into the values a trial
** really runs with, so every sampler inherits the same handling of log
** scales, integers, steps and categories.
**
** Integer and stepped ranges are widened by half a step on each side before
** normalising, so every admissible value owns a cell of equal width and the
** end values are drawn as often as the middle ones.
**
** No I/O and no global state.  Errors are returned as -1 with a message in a
** caller-supplied buffer of HP_ERR_LEN bytes.
*/
#ifndef HP_SPACE_H
#define HP_SPACE_H

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
** values are not numeric); for FLOAT/INT index is -1. */
typedef struct {
    double value;
    int index;
} hp_value;

typedef struct hp_space hp_space;

/* A new empty space, or NULL when out of memory.  Free with space_free. */
hp_space *space_new(void);
void space_free(hp_space *space);

/* Parses SPEC ("uniform(1e-4, 1)", "int(16, 256, log)", "choice(a, \"b c\")",
** or a bare value) and appends a parameter NAME.  Returns 0, or -1 with a
** message in err (nothing is added then). */
int space_add(hp_space *space, const char *name, const char *spec, char *err);

int space_size(const hp_space *space);                /* all parameters */
int space_dim(const hp_space *space);                 /* searched ones */
const hp_param *space_param(const hp_space *space, int i);
int space_find(const hp_space *space, const char *name); /* index or -1 */

/* Maps a point u of the unit cube (space_dim coordinates, each in [0,1))
** to values for all space_size parameters. */
void space_decode(const hp_space *space, const double *u, hp_value *out);

/* Maps values back to the cell centres of the unit cube (inverse of decode
** on the admissible values). */
void space_encode(const hp_space *space, const hp_value *in, double *u);

/* Number of grid points (product of the searched parameters' value counts),
** or -1 with a message naming the first parameter that has no finite grid
** (a continuous range without step) or when the grid exceeds max_points. */
int space_grid_size(const hp_space *space, uint64_t max_points, uint64_t *n,
                    char *err);

/* Values of grid point INDEX (0 <= index < grid size), mixed radix with the
** last parameter varying fastest. */
void space_grid_point(const hp_space *space, uint64_t index, hp_value *out);

/* A value's text as a user would write it: full precision for floats, the
** integer for ints, the choice text for categories.  Returns buf. */
const char *space_format_value(const hp_space *space, int i, hp_value v,
                               char *buf, int len);

/* V in the shortest form that reads back as the same double ("0.2").
** Returns buf. */
const char *space_format_number(double v, char *buf, int len);

/* 1 when parameter P's values are texts of its choices (CHOICE, FIXED). */
static inline int space_param_is_text(const hp_param *p)
{
    return p->kind == HP_PARAM_CHOICE || p->kind == HP_PARAM_FIXED;
}

/* 1 when the value is printed as a JSON/CSV number, 0 when as a string. */
int space_value_is_numeric(const hp_space *space, int i);

/* A 64-bit FNV-1a hash of the canonical description of the space (names,
** kinds, bounds, choices), as 16 hex digits plus NUL. */
void space_hash(const hp_space *space, char out[17]);

#endif
