/*
** hpsearch report: the study as one HTML page; with --watch N, rewritten
** every N seconds until Ctrl-C, the page reloading itself as often.
*/
#include <signal.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "cli.h"
#include "parse.h"
#include "report.h"

/* Sleeps up to SECONDS, returning 1 early when SIGINT or SIGTERM came. */
static int wait_or_interrupt(double seconds)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    struct timespec ts = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
    return sigtimedwait(&set, NULL, &ts) > 0;
}

int cmd_report(const hp_args *a, hp_target *t, char *err)
{
    const char *out = args_get(a, "-o") ? args_get(a, "-o")
                      : args_get(a, "--output") ? args_get(a, "--output") : "report.html";
    int64_t watch = 0;
    int rc = args_count(a, "--watch", 86400, &watch, err);
    if (rc)
        return rc;
    if (!watch) {
        if ((rc = report_write(t->store, &t->study, out, 0, err)))
            return rc;
        printf("wrote %s\n", out);
        return HP_OK;
    }
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, &old);
    printf("writing %s every %lld s; Ctrl-C stops\n", out, (long long)watch);
    fflush(stdout);
    for (;;) {
        int found;
        /* the study row again: its budget may have changed */
        if ((rc = store_find_study(t->store, t->study.name, &t->study, &found, err)) ||
            (rc = report_write(t->store, &t->study, out, (int)watch, err)))
            break;
        if (wait_or_interrupt((double)watch))
            break;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}
