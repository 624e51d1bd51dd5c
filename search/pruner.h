/*
** Pruners: decide, from values trials reported at the same step, whether a
** running trial should stop early.  Pure functions of their inputs; the
** engine supplies the values from the database, so a decision is the same
** in one process or several.
**
** Competitors are the trials with lower numbers that reported the step.
** With one worker those are all finished; with several, the lower-numbered
** trials started earlier and are normally ahead, so the decisions match
** without any worker waiting for another (ASHA stays asynchronous).
*/
#ifndef HP_PRUNER_H
#define HP_PRUNER_H

typedef enum { PRUNER_NONE, PRUNER_MEDIAN, PRUNER_ASHA } hp_pruner_kind;

typedef struct {
    hp_pruner_kind kind;
    int min_resource;    /* steps before a trial can be stopped (>= 1) */
    int reduction;       /* ASHA eta (>= 2) */
    int warmup_trials;   /* median: trial numbers below this are never pruned */
    int max_resource;    /* the objective's steps (epochs); 0 = unknown */
    int maximize;        /* the study's direction */
    int deterministic;   /* wait for lower-numbered running trials to report
                            the step first (the engine does the waiting) */
} hp_pruner_config;

/* 1 if STEP is an ASHA rung: min_resource * reduction^k, below max_resource. */
int pruner_is_rung(const hp_pruner_config *cfg, int step);

/* Median pruner: 1 if the trial (number NUMBER) should stop at STEP, its
** best value so far being BEST_SO_FAR, given the values OTHERS (n) that
** lower-numbered trials reported at STEP.  NaN values are ignored. */
int pruner_median_prune(const hp_pruner_config *cfg, int number, int step,
                        double best_so_far, const double *others, int n);

/* ASHA: 1 if the trial should stop at STEP with VALUE there, given the
** values OTHERS (n) that lower-numbered trials reported at STEP.  Only
** rung steps decide.  The trial goes on if it is in the top
** floor((n + 1) / reduction) of the rung's values, its own included, and
** at least the best (Optuna's rule while a rung has fewer than eta). */
int pruner_asha_prune(const hp_pruner_config *cfg, int step, double value,
                      const double *others, int n);

#endif
