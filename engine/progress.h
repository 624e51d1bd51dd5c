/*
** What `run` prints: on a terminal one live line, rewritten in place;
** piped, one line per finished trial (easy to grep and to follow in logs).
*/
#ifndef HP_PROGRESS_H
#define HP_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct {
    int64_t done;        /* finished trials of the study */
    int64_t total;       /* the budget */
    int running;         /* trials running in this process */
    int has_best;
    double best;
    int64_t best_number;
    double rate;         /* trials finished per second in this run */
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
