/*
** A child process for one trial, run without a shell: fork/exec in its
** own process group with PR_SET_PDEATHSIG, stdin from /dev/null, stdout
** through a pipe (the caller parses it) and into a file, stderr into a
** file.
**
** Invariant: a child never outlives its trial or hpsearch.  Its group is
** signalled as a whole (child_signal) and swept with SIGKILL when it is
** freed; PR_SET_PDEATHSIG kills it if hpsearch dies, even by kill -9.
*/
#ifndef HP_CHILD_H
#define HP_CHILD_H

#include <stddef.h>

typedef struct {
    const char *program;      /* the file to execute (a path) */
    char *const *argv;        /* NULL-terminated */
    char *const *env;         /* NULL-terminated */
    const char *cwd;          /* where it runs */
    const char *stdout_path;  /* a copy of its stdout */
    const char *stderr_path;  /* its stderr */
} hp_child_spec;

typedef struct hp_child hp_child;

/* Starts the child.  Returns 0, or -1 with err: a host-side failure
** (files, pipe, fork), not the program's. */
int child_spawn(const hp_child_spec *spec, hp_child **out, char *err, size_t err_len);

/* Waits up to TIMEOUT_MS for output, passes what came to ON_DATA (and to
** the stdout file), and reaps the child if it has exited.  Returns 1 once
** the child has exited and its output is drained, 0 while it runs. */
int child_pump(hp_child *c, int timeout_ms, void (*on_data)(void *ctx, const char *data,
                                                            size_t n), void *ctx);

/* Sends SIG to the child's whole process group. */
void child_signal(hp_child *c, int sig);

/* How the child ended (a wait status), valid once child_pump returned 1. */
int child_wait_status(const hp_child *c);

/* 1 if writing its stdout file failed (a full disk, say). */
int child_output_lost(const hp_child *c);

/* Kills what is left of its group, closes everything, frees C. */
void child_free(hp_child *c);

#endif
