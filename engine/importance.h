/*
** Parameter importance of a study whose sampler has a model (gp): the
** model fitted to the history (a fit, not a proposal), its importances
** ranked, for status and best.
*/
#ifndef HP_IMPORTANCE_H
#define HP_IMPORTANCE_H

#include "buf.h"
#include "target.h"

/* Writes "name 0.61, name2 0.39" (or a JSON object when JSON) into OUT,
** most important first.  Returns 0, or -1 when there is none (another
** sampler, too few trials) with OUT empty. */
int importance_describe(hp_target *t, hp_buf *out, int json);

#endif
