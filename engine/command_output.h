/*
** The output protocol of a command objective, as a pure parser: bytes in,
** reports and a result out, no I/O.  A program reports with lines
**   hpsearch: step=N value=X [name=Y ...]   an intermediate report at step N
**   hpsearch: value=X [name=Y ...]          the final value (and metrics)
** and otherwise its last non-empty line is the result: a number, or a flat
** JSON object holding the study metric ({"val_loss": 0.31}).  "value"
** stands for the study metric.
**
** Memory is bounded whatever the program prints: lines longer than the
** line buffer are cut for parsing.  A step must be a non-negative integer
** (digits only); any other protocol line is malformed, and the first one
** is kept for the trial's error.
*/
#ifndef HP_COMMAND_OUTPUT_H
#define HP_COMMAND_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "objective.h"

typedef struct hp_output_parser hp_output_parser;

/* Called for each intermediate report; returns 1 when the trial should
** stop. */
typedef int (*hp_output_report_fn)(void *ctx, int64_t step, const char *name, double value);

/* A parser for study metric METRIC (copied).  NULL when out of memory. */
hp_output_parser *output_parser_new(const char *metric, hp_output_report_fn report,
                                    void *ctx);
void output_parser_free(hp_output_parser *p);

/* Feeds N bytes of the program's stdout. */
void output_parser_feed(hp_output_parser *p, const char *data, size_t n);

/* Ends the stream (a last line without a newline counts). */
void output_parser_finish(hp_output_parser *p);

/* 1 once a report callback asked to stop. */
int output_parser_stop_requested(const hp_output_parser *p);

/* The result after finish: returns 0 with *value and the final metrics
** set in OUT (through outcome_set_metric), or -1 with the reason in WHY
** (no value, a malformed protocol line). */
int output_parser_result(hp_output_parser *p, double *value, hp_outcome *out, char *why,
                         size_t why_len);

#endif
