/*
** What a study's report shows, loaded from storage in three streaming
** queries (trials, parameters, learning curves) into flat arrays: fast and
** small enough at 100k trials.  The report's charts read only this.
*/
#ifndef HP_REPORT_DATA_H
#define HP_REPORT_DATA_H

#include <stdint.h>

#include "storage.h"
#include "study.h"

typedef struct {
    int64_t number;
    hp_trial_state state;
    double value;            /* the study metric; NaN when none */
    double started, finished;/* unix seconds; NaN when unknown */
    int worker;              /* index into workers; -1 for ask/tell */
    char *error;             /* FAILED: the reason (heap), else NULL */
} rp_trial;

typedef struct {
    const hp_param *param;   /* in the study's space */
    int log;                 /* drawn on a log axis */
} rp_param;

typedef struct {
    hp_study_row study;    /* a multi-objective study's: its first objective's
                              metric and direction, the charts' value */
    int n_objectives;
    char objectives[256];  /* "minimize f1, maximize f2" when several */
    hp_study_config cfg;     /* the study file stored with the study */
    int has_cfg;
    int maximize;
    int n;                   /* trials, by number */
    rp_trial *trials;
    int n_workers;
    char **workers;          /* "host:pid/wN" */
    int d;                   /* searched parameters */
    rp_param *params;
    double *pv;              /* n x d: a number, or a category's index; NaN =
                                absent (another version of the space) */
    int *curve_start, *curve_len;   /* per trial, into the arrays below */
    int64_t *curve_step;
    double *curve_value;
    int n_points, cap_points;
    double generated;        /* unix seconds the data was read */
} hp_report_data;

/* Reads study STUDY of STORE.  Returns HP_OK or a status with err. */
int report_load(hp_store *store, const hp_study_row *study, hp_report_data *data, char *err);
void report_data_deinit(hp_report_data *data);

/* The index of the best complete trial, or -1. */
int report_best(const hp_report_data *data);

#endif
