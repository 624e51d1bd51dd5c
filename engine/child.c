/* pipe2 (close-on-exec pipes with no window for other threads' forks) is
   GNU */
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct hp_child {
    pid_t pid;
    int pipe_fd;     /* read end of its stdout */
    int out_fd;      /* the stdout file */
    int status;      /* wait status once reaped */
    int reaped;
    int output_lost; /* a write to the stdout file failed */
};

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

int child_spawn(const hp_child_spec *spec, hp_child **out, char *err, size_t err_len)
{
    hp_child *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    c->pipe_fd = c->out_fd = -1;
    int err_fd = open(spec->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int pipe_fd[2] = {-1, -1};
    c->out_fd = open(spec->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (c->out_fd < 0 || err_fd < 0 || null_fd < 0 || pipe2(pipe_fd, O_CLOEXEC) != 0) {
        snprintf(err, err_len, "cannot set up the trial's output files: %s", strerror(errno));
        goto fail;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_len, "cannot start '%s': %s", spec->argv[0], strerror(errno));
        goto fail;
    }
    if (pid == 0) {
        /* the child: only async-signal-safe calls until exec */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (dup2(null_fd, 0) < 0 || dup2(pipe_fd[1], 1) < 0 || dup2(err_fd, 2) < 0 ||
            chdir(spec->cwd) != 0)
            _exit(127);
        execve(spec->program, spec->argv, spec->env);
        static const char msg[] = "hpsearch: cannot execute the command\n";
        if (write(2, msg, sizeof msg - 1) < 0)
            _exit(127);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no signal can reach a group not yet made */
    close_fd(&pipe_fd[1]);
    close_fd(&err_fd);
    close_fd(&null_fd);
    c->pid = pid;
    c->pipe_fd = pipe_fd[0];
    *out = c;
    return 0;
fail:
    close_fd(&err_fd);
    close_fd(&null_fd);
    close_fd(&pipe_fd[0]);
    close_fd(&pipe_fd[1]);
    close_fd(&c->out_fd);
    free(c);
    return -1;
}

/* Reads what the pipe holds now; returns 0 at end of file. */
static int drain(hp_child *c, int timeout_ms,
                 void (*on_data)(void *ctx, const char *data, size_t n), void *ctx)
{
    char chunk[16384];
    struct pollfd pfd = {c->pipe_fd, POLLIN, 0};
    int r = poll(&pfd, 1, timeout_ms);
    if (r <= 0)
        return 1;
    ssize_t n = read(c->pipe_fd, chunk, sizeof chunk);
    if (n > 0) {
        if (write(c->out_fd, chunk, (size_t)n) != n)
            c->output_lost = 1; /* parsing goes on; the run decides */
        on_data(ctx, chunk, (size_t)n);
        return 1;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 1;
    return 0;
}

int child_pump(hp_child *c, int timeout_ms,
               void (*on_data)(void *ctx, const char *data, size_t n), void *ctx)
{
    if (c->pipe_fd >= 0) {
        if (!drain(c, timeout_ms, on_data, ctx))
            close_fd(&c->pipe_fd);
    } else {
        poll(NULL, 0, timeout_ms < 20 ? timeout_ms : 20);
    }
    if (!c->reaped && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
        c->reaped = 1;
    if (!c->reaped)
        return 0;
    /* exited; a grandchild may still hold the pipe: take what is there now */
    while (c->pipe_fd >= 0) {
        struct pollfd pfd = {c->pipe_fd, POLLIN, 0};
        if (poll(&pfd, 1, 0) <= 0 || !drain(c, 0, on_data, ctx))
            break;
    }
    return 1;
}

void child_signal(hp_child *c, int sig)
{
    if (kill(-c->pid, sig) != 0 && errno == ESRCH && !c->reaped)
        kill(c->pid, sig);
}

int child_wait_status(const hp_child *c)
{
    return c->status;
}

int child_output_lost(const hp_child *c)
{
    return c->output_lost;
}

void child_free(hp_child *c)
{
    if (!c)
        return;
    child_signal(c, SIGKILL); /* whatever the child left behind in its group */
    if (!c->reaped)
        waitpid(c->pid, &c->status, 0);
    close_fd(&c->pipe_fd);
    close_fd(&c->out_fd);
    free(c);
}
