/*
** What a model-based sampler learns from pruned trials.  A pruned trial has
** no final value, but it was worse than the survivors of its rung at the
** step it stopped.  Following BOHB, the model is fitted to the metric at the
** highest step that enough trials reached; a trial pruned before that step
** is put below the worst value seen there (the pruner judged it worse than
** the survivors), by up to the spread of the values there, in the order
** in which it stood among the trials that reported its last step.  So it
** counts toward the initial design, steers the search away from where it
** was, and one that had barely learnt stays far below one that nearly
** went on.  Once enough trials have completed, the model is fitted to
** final values, and pruned trials sit below the worst final value in the
** same way.
*/
#ifndef HP_RUNG_MODEL_H
#define HP_RUNG_MODEL_H

#include <stdint.h>

#include "storage.h"

typedef struct {
    int64_t step;          /* the modelled step; -1: final values */
    int reached;           /* trials with a value there */
    int imputed;           /* pruned trials, bounded by the worst value */
} hp_rung_note;

/* The history's rows: N trials in number order (NUMBERS), PRUNED flags and
** values Y_FINAL (the final value of a completed trial, the last one of a
** pruned trial, NaN when failed).  Fills Y_MODEL (n) with
** the values the sampler should see, reading the study's learning curves
** of METRIC from STORE (the modelled step while fewer than N_MIN trials
** completed; where each pruned trial stood when it stopped).  Failed
** trials stay NaN.  Returns HP_OK, or an error code with err. */
int rung_model_values(hp_store *store, int64_t study_id, const char *metric, int maximize,
                      int n_min, int n, const int64_t *numbers, const unsigned char *pruned,
                      const double *y_final, double *y_model, hp_rung_note *note, char *err);

/* One line for `status`: "val_loss at step 3 (12 trials reached it; 27
** pruned before it, below the worst there, in the order they stood when
** stopped)". Returns BUF. */
const char *rung_model_describe(const hp_rung_note *note, const char *metric, char *buf,
                                int len);

#endif
