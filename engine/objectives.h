/*
** A study's objectives: one metric and direction, or (a multi-objective
** study) a list of each, as [study] metric and direction write them:
** "metric = val_accuracy, n_params" with "direction = maximize, minimize".
** The stored study keeps the canonical texts, so that the query commands
** read the objectives back from the database alone.
*/
#ifndef HP_OBJECTIVES_H
#define HP_OBJECTIVES_H

#include <stddef.h>

#include "../search/limits.h"

typedef struct {
    int n;                                       /* 1 .. HP_MAX_OBJECTIVES */
    char names[HP_MAX_OBJECTIVES][HP_NAME_MAX + 1];
    int maximize[HP_MAX_OBJECTIVES];
} hp_objectives;

/* Parses the comma-separated METRIC and DIRECTION lists into OUT.  Returns
** 0, or -1 with err and *WHICH (0: the metric list is wrong, 1: the
** direction list). */
int objectives_parse(const char *metric, const char *direction, hp_objectives *out, int *which,
                     char *err);

/* The canonical texts: "val_accuracy, n_params" and "maximize, minimize"
** ("value" and "minimize" for one objective, as single-objective studies
** always stored them). */
void objectives_metric_text(const hp_objectives *o, char *buf, size_t len);
void objectives_direction_text(const hp_objectives *o, char *buf, size_t len);

/* VALUES (o->n, as reported) turned into minimisation: maximised ones
** negated (what search/pareto.h works on). */
void objectives_to_min(const hp_objectives *o, const double *values, double *out);

#endif
