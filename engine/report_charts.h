/*
** The report's charts, each from hp_report_data into SVG text.  Charts of
** many trials draw a sample (stats_sample: the marks that matter always
** kept) and say so under the chart.  Every mark has class "mark" and a
** <title> tooltip naming its trial and parameters.
*/
#ifndef HP_REPORT_CHARTS_H
#define HP_REPORT_CHARTS_H

#include "buf.h"
#include "report_data.h"

/* Marks per chart at most: what a browser draws at once without effort. */
#define REPORT_MAX_MARKS 2000

void chart_history(hp_buf *b, const hp_report_data *d, int by_time, int log);
void chart_importance(hp_buf *b, const hp_report_data *d, const double *importance,
                      const int *order, int k, const char *label);
void chart_slices(hp_buf *b, const hp_report_data *d);
void chart_parallel(hp_buf *b, const hp_report_data *d);
void chart_contour(hp_buf *b, const hp_report_data *d, int pa, int pb);
void chart_curves(hp_buf *b, const hp_report_data *d);
void chart_timeline(hp_buf *b, const hp_report_data *d);

/* A multi-objective study's Pareto front, read from STORE, of the trials
** that meet CONSTRAINTS (NULL: all): a section with a scatter per pair of
** objectives (nothing for a single objective). */
void chart_front(hp_buf *b, hp_store *store, const hp_study_row *study,
                 const hp_constraints *constraints);

/* Shared by the chart files: a sample of at most REPORT_MAX_MARKS trial
** indices (finished ones only when ONLY_FINISHED) into IDX (room for n);
** the note under a sampled chart; the first trial's start time. */
int chart_sample_trials(const hp_report_data *d, int *idx, int only_finished);
void chart_note(hp_buf *b, int shown, int all, const char *what);
double chart_first_start(const hp_report_data *d);

/* A trial's tooltip: "trial N STATE value V; name=value, ..." (escaped). */
void chart_tooltip(hp_buf *b, const hp_report_data *d, int i);

#endif
