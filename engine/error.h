/*
** Status codes of the engine, each defined once with its message and the
** process exit code it leads to (SPEC.md section 1).
*/
#ifndef HP_ERROR_H
#define HP_ERROR_H

#include "../search/space.h" /* HP_ERR_LEN */

/* X(code, value, exit code, message) */
#define HP_ERRNO_MAP(X)                                              \
    X(HP_OK, 0, 0, "success")                                        \
    X(HP_EINPUT, -1, 2, "bad input")                                 \
    X(HP_ESTORAGE, -2, 1, "storage failure")                         \
    X(HP_ENOMEM, -3, 1, "out of memory")                             \
    X(HP_ERUNTIME, -4, 1, "runtime failure")                         \
    X(HP_EINTERRUPTED, -5, 130, "interrupted")

typedef enum {
#define X(code, value, exit_code, msg) code = value,
    HP_ERRNO_MAP(X)
#undef X
} hp_status;

/* The message of CODE ("unknown error" for a code not in the map). */
const char *hp_strerror(int code);

/* The process exit code for CODE (1 for unknown codes). */
int hp_exit_code(int code);

#endif
