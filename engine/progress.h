/*
** What `run` prints: a first line saying what runs and how (workers x
** threads); then on a terminal one live line rewritten in place, piped one
** line per finished trial (easy to grep and to follow in logs); the first
** failure's reason once, as it happens; and a summary on its own line.
*/
#ifndef HP_PROGRESS_H
#define HP_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#define PROGRESS_SHOWN_RUNNING 3

typedef struct {
    int64_t done;        /* finished trials of the study */
    int64_t total;       /* the budget */
    int64_t failed;      /* failed and pruned trials of this run */
    int64_t pruned;
    int running;         /* trials running in this process */
    int has_best;
    double best;
    int64_t best_number;
    double rate;         /* trials finished per second in this run */
    int n_shown;         /* running trials shown with their latest step */
    int64_t shown_number[PROGRESS_SHOWN_RUNNING];
    int64_t shown_step[PROGRESS_SHOWN_RUNNING];   /* 0: no report yet */
    int max_step;        /* the objective's last step, 0 = unknown */
} hp_progress;

/* Rewrites the live line on OUT (a terminal). */
void progress_live(FILE *out, const hp_progress *p);

/* Ends the live line (newline) if one was drawn. */
void progress_end(FILE *out);

/* One line for a finished trial: "trial 12 COMPLETE value=0.5 {params}". */
void progress_trial(FILE *out, int64_t number, const char *state, double value,
                    const char *params_json, const char *error);

/* Formats seconds as H:MM:SS or M:SS into BUF. */
const char *progress_duration(double seconds, char *buf, int len);

#endif
