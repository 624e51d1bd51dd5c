/*
** The space's representation, shared by space.c (parameters and the unit
** cube), space_conditions.c (when a parameter is active) and space_grid.c
** (the grid's enumeration).  Private to search/.
*/
#ifndef HP_SPACE_INTERNALS_H
#define HP_SPACE_INTERNALS_H

#include "name_index.h"
#include "space_types.h"

typedef enum {
    COND_EQ, COND_NE, COND_LT, COND_LE, COND_GT, COND_GE, COND_IN, COND_NOT_IN
} hp_cond_op;

/* One comparison "PARENT op VALUES" of a parameter's condition. */
typedef struct {
    char *parent_name;
    int parent;              /* its index, once space_resolve ran */
    hp_cond_op op;
    int n_values;            /* 1, or the list of in / not in */
    char **values;           /* as written, unquoted */
    int *quoted;
    double *numbers;         /* each value's number, NaN when not a number */
    unsigned char *allowed;  /* text parents (CHOICE/FIXED): per choice, 1 when
                                the clause holds for it */
} hp_clause;

/* A parameter's condition: all its clauses hold (and so their parents are
** active).  n_clauses = 0: always active. */
typedef struct {
    char *text;              /* after "if", for messages and the hash */
    hp_clause *clauses;
    int n_clauses;
} hp_condition;

struct hp_space {
    hp_param *params;
    hp_condition *conds;     /* one per parameter */
    int n, cap;
    int dim;
    hp_name_index *by_name;  /* name -> index, ignoring case (names that
                                differ only in case are refused) */
    int n_conditional;       /* parameters with a condition */
    int resolved;            /* space_resolve succeeded since the last add */
    int *order;              /* parents before children (after resolve) */
    int *group;              /* per parameter: its activation group */
    int n_groups;
};

/* Parses TEXT (what follows "if") into COND.  Returns 0, or -1 with err. */
int condition_parse(const char *text, hp_condition *cond, char *err);
void condition_free(hp_condition *cond);

/* Number of admissible values of a discrete parameter, 0 if continuous. */
uint64_t space_param_count(const hp_param *p);

/* 1 when clause C holds for VALUES (its parent active and matching). */
int clause_holds(const hp_clause *c, const hp_value *values);

/* 1 when clause C, on a range parent, holds at the parent's value X. */
int clause_range_holds(const hp_clause *c, double x);

/* 1 when S is a parameter's name: a letter or _, then letters, digits, _
** (in space_condition_parse.c, whose syntax needs it first). */
int space_valid_name(const char *s);

/* 1 when A and B are the same number within a relative 1e-9 (a condition's
** value read from text against a parameter's value). */
int space_same_number(double a, double b);

#endif
