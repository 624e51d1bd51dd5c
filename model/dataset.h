/*
** Data sets for training: a feature matrix plus class labels or regression
** targets, loaded once per process and then shared read-only by every
** worker.  CSV with a header row; errors name the file and line.
*/
#ifndef HP_DATASET_H
#define HP_DATASET_H

#include <stdint.h>

#include "../search/limits.h"

/* model/ shares the project's one error length */
#define HP_MODEL_ERR_LEN HP_ERR_LEN

typedef struct {
    int n;               /* rows */
    int d;               /* features */
    float *x;            /* n x d, row-major */
    int classification;  /* 1: labels, 0: regression targets */
    int n_classes;       /* classification: distinct labels (>= 2) */
    int *label;          /* classification: n class indices */
    char **class_names;  /* classification: n_classes, as in the file */
    float *target;       /* regression: n values (standardised once
                            dataset_standardize ran) */
    double target_mean;  /* regression: what standardising took away, so */
    double target_sd;    /* metrics report original units; sd 0 = targets
                            are in original units */
} hp_dataset;

/* Loads a CSV file with a header row.  LABEL names the label/target column
** (NULL: the last one).  CLASSIFICATION 1 maps labels (numbers or text) to
** classes, sorted numerically when every label is a number and in order of
** first appearance otherwise; 0 reads numeric targets.  Returns 0, or -1 with "PATH:LINE:
** message" in err: a missing file, an empty file, a ragged row, a
** non-numeric feature, an unknown label column, a single class. */
int dataset_load_csv(const char *path, const char *label, int classification,
                     hp_dataset **out, char *err);
void dataset_free(hp_dataset *ds);

/* Loads an IDX pair (as MNIST and Fashion-MNIST ship them): IMAGES with
** magic 0x803 (n x rows x cols bytes) and LABELS with magic 0x801 (n
** bytes), each gzip-compressed or not.  Pixels become features 0..255, the
** labels classes.  Returns 0, or -1 with "PATH: message" in err. */
int dataset_load_idx(const char *images, const char *labels, hp_dataset **out, char *err);

/* Row indices of a train/valid/test split. */
typedef struct {
    int n_train, n_valid, n_test;
    int *train, *valid, *test;
} hp_split;

/* Splits DS by SEED: VALID and TEST are fractions (each in [0, 0.9], sum
** < 1); stratified by class for classification, so each part keeps the
** class proportions.  Returns 0, or -1 with err. */
int dataset_split(const hp_dataset *ds, double valid, double test, uint64_t seed,
                  hp_split *split, char *err);
void split_deinit(hp_split *split);

/* Standardises every feature column in place with the mean and standard
** deviation of the TRAIN rows only (a constant column becomes 0), and for
** regression the targets too (recording target_mean and target_sd), so
** that a network starts near the right scale whatever the target's units. */
void dataset_standardize(hp_dataset *ds, const hp_split *split);

#endif
