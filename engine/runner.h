/*
** The run loop: a pool of worker threads in one process claiming trials
** until the study has its finished trials, each with its own storage
** connection, or (PostgreSQL, short storage calls) taking turns on a few.
** Several processes running the same study cooperate through the database
** alone.
*/
#ifndef HP_RUNNER_H
#define HP_RUNNER_H

#include <stdint.h>
#include <stdio.h>

#include "objective.h"
#include "study.h"

typedef struct {
    int quiet;          /* print nothing but errors */
    int live;           /* 1: a live progress line (terminal); 0: a line per trial */
    FILE *out;          /* where progress goes */
    /* called from the main thread every tick_s seconds while the run goes
       on, and once at its end (NULL: never); e.g. to rewrite a report */
    void (*tick)(void *ctx);
    void *tick_ctx;
    double tick_s;
    /* PostgreSQL sessions the workers share when their storage calls are
       short (see store_pool.h); 0: RUN_SHARED_CONNECTIONS */
    int connections;
} hp_run_options;

#define RUN_SHARED_CONNECTIONS 2

/* Runs study STUDY_ID of CFG (after its overrides: cfg->trials, workers,
** threads) with OBJECTIVE (the caller's, made before storage was touched so
** that bad data writes nothing) until the study has its finished trials,
** the timeout passes, the user interrupts (SIGINT/SIGTERM/SIGHUP: stop
** claiming, interrupt running trials and put them back to WAITING; a second
** signal quits at once and sets *abandoned: workers may then still use CFG
** and OBJECTIVE, so the caller must not free them), the first
** cfg->max_failures finished trials of the run all failed, or a host-side
** error (a full disk) stops it.  Returns HP_OK, HP_EINTERRUPTED,
** HP_ERUNTIME (failures, host errors) or a storage error, with err set. */
int runner_run(const hp_study_config *cfg, hp_objective *objective, int64_t study_id,
               const hp_run_options *opt, int *abandoned, char *err);

#endif
