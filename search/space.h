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

#include "space_types.h"

/* A new empty space, or NULL when out of memory.  Free with space_free. */
hp_space *space_new(void);
void space_free(hp_space *space);

/* Parses SPEC ("uniform(1e-4, 1)", "int(16, 256, log)", "choice(a, \"b c\")",
** or a bare value) and appends a parameter NAME.  Returns 0, or -1 with a
** message in err (nothing is added then).
**
** SPEC may end in a condition: "uniform(0.5, 0.99) if optimizer in (sgd,
** nesterov)", "int(16, 256, log) if layers >= 3".  A condition is one or
** more comparisons joined by "and", each "PARENT op VALUE" with op one of
** == != < <= > >=, or "PARENT in (V, ...)" / "PARENT not in (V, ...)".  The
** parameter is active in a trial when every comparison holds, and so when
** every parent is active itself; otherwise it has no value there.  Parents
** may be declared later: once every parameter is added, space_resolve
** checks the conditions. */
int space_add(hp_space *space, const char *name, const char *spec, char *err);

/* Checks the conditions of a complete space: parents that exist, no cycle,
** values a parent can take, and a condition that can hold at all.  Returns
** 0, or -1 with err and in *BAD the index of the parameter to blame.  A
** space with conditions must be resolved before it decodes, encodes or
** grids; a space without them needs no call. */
int space_resolve(hp_space *space, int *bad, char *err);

/* 1 when parameter I has a condition (it may be inactive in a trial). */
int space_is_conditional(const hp_space *space, int i);

/* Parameter I's condition as written after "if", or NULL. */
const char *space_condition(const hp_space *space, int i);

/* The parameters grouped by condition: parameters of one group are active
** in exactly the same trials.  Group 0 holds the parameters without a
** condition (it may be empty); space_groups is 1 for a space without
** conditions.  Valid after space_resolve. */
int space_groups(const hp_space *space);
int space_group(const hp_space *space, int i);

/* 1 when parameter I's condition holds for VALUES (its parents active and
** matching; 1 for a parameter without a condition). */
int space_condition_holds(const hp_space *space, int i, const hp_value *values);

/* Marks the parameters whose condition does not hold for VALUES inactive
** (parents first, so a parameter under an inactive parent is inactive).
** space_decode calls it; a trial read back from storage needs it. */
void space_apply_conditions(const hp_space *space, hp_value *values);

int space_size(const hp_space *space);                /* all parameters */
int space_dim(const hp_space *space);                 /* searched ones */
const hp_param *space_param(const hp_space *space, int i);
int space_find(const hp_space *space, const char *name); /* index or -1 */

/* Maps a point u of the unit cube (space_dim coordinates, each in [0,1))
** to values for all space_size parameters. */
void space_decode(const hp_space *space, const double *u, hp_value *out);

/* Maps values back to the cell centres of the unit cube (inverse of decode
** on the admissible values).  An inactive parameter's coordinate is NaN. */
void space_encode(const hp_space *space, const hp_value *in, double *u);

/* Number of grid points: the product of the searched parameters' value
** counts, or with conditions the number of distinct trials (an inactive
** parameter adds no values).  -1 with a message naming the first parameter
** that has no finite grid (a continuous range without step) or when the
** grid exceeds max_points. */
int space_grid_size(const hp_space *space, uint64_t max_points, uint64_t *n,
                    char *err);

/* Values of grid point INDEX (0 <= index < grid size), mixed radix with the
** last parameter varying fastest; with conditions, the points of one
** combination of the parents' values (parents in the order of space_resolve)
** come together, the active other parameters varying as without. */
void space_grid_point(const hp_space *space, uint64_t index, hp_value *out);

/* A value's text as a user would write it: full precision for floats, the
** integer for ints, the choice text for categories.  Returns buf. */
const char *space_format_value(const hp_space *space, int i, hp_value v,
                               char *buf, int len);

/* V in the shortest form that reads back as the same double ("0.2").
** Returns buf. */
const char *space_format_number(double v, char *buf, int len);

/* 1 when the value is printed as a JSON/CSV number, 0 when as a string. */
int space_value_is_numeric(const hp_space *space, int i);

/* A 64-bit FNV-1a hash of the canonical description of the space (names,
** kinds, bounds, choices), as 16 hex digits plus NUL. */
void space_hash(const hp_space *space, char out[17]);

#endif
