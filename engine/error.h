/*
** Status codes of the engine, each defined once with its message and the
** process exit code it leads to (the exit codes of the user contract).
** Every fallible engine call returns one of these and, when it is not
** HP_OK, writes the details into a caller-supplied char err[HP_ERR_LEN].
*/
#ifndef HP_ERROR_H
#define HP_ERROR_H

#include "../search/limits.h"

/* X(code, value, exit code, message) */
#define HP_ERRNO_MAP(X)                                                          \
    X(HP_OK, 0, 0, "success")                                                    \
    X(HP_ERUNTIME, -4, 1, "runtime failure (storage, a host-side error, "        \
      "every trial failed, a broken objective stopped by max_failures)")         \
    X(HP_ESTORAGE, -2, 1, "storage failure")                                     \
    X(HP_ENOMEM, -3, 1, "out of memory")                                         \
    X(HP_EINPUT, -1, 2, "bad usage or bad input (nothing was written)")          \
    X(HP_ESTOP, -6, 3, "tell --step: the pruner says the trial should stop")     \
    X(HP_ENOTHING, -7, 4, "ask: the study has its trials, nothing to give")      \
    X(HP_EINTERRUPTED, -5, 130, "interrupted by the user (the study is resumable)")

typedef enum {
#define X(code, value, exit_code, msg) code = value,
    HP_ERRNO_MAP(X)
#undef X
} hp_status;

/* The message of CODE ("unknown error" for a code not in the map). */
const char *hp_strerror(int code);

/* The process exit code for CODE (1 for unknown codes). */
int hp_exit_code(int code);

/* Writes the exit-code table, one "  CODE  meaning" line per distinct exit
** code, for --help. */
#include <stdio.h>
void hp_print_exit_codes(FILE *out);

#endif
