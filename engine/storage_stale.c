/*
** Storage: finding the RUNNING trials whose claimer is gone (a dead pid on
** this machine, or a heartbeat that stopped) and putting them back in the
** queue.  Claims run it at most once a second per connection.
*/
#include "storage_impl.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

/* A heartbeat value as this connection first saw it, by its own clock. */
struct store_seen {
    int64_t trial_id;
    double heartbeat;
    double seen_at;      /* clock_monotonic() */
    int live;            /* seen in the latest sweep */
};

static int pid_is_dead(int pid)
{
    return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
}

static int same_text(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* SQLite's staleness: the heartbeat has not changed for stale_after
** seconds by this process's own clock.  Comparing the stored time with the
** reader's clock would let a process whose clock runs ahead take every
** trial; watching the value change needs no agreement between clocks. */
static int heartbeat_stopped(hp_store *s, int64_t trial_id, double heartbeat,
                             double stale_after, double now)
{
    for (int i = 0; i < s->n_seen; i++) {
        struct store_seen *e = &s->seen[i];
        if (e->trial_id != trial_id)
            continue;
        e->live = 1;
        if (e->heartbeat != heartbeat) {
            e->heartbeat = heartbeat;
            e->seen_at = now;
            return 0;
        }
        return now - e->seen_at >= stale_after;
    }
    if (buf_grow_array(&s->seen, &s->cap_seen, s->n_seen + 1, sizeof *s->seen) == 0)
        s->seen[s->n_seen++] = (struct store_seen){trial_id, heartbeat, now, 1};
    return 0;
}

static void forget_unseen(hp_store *s)
{
    int k = 0;
    for (int i = 0; i < s->n_seen; i++)
        if (s->seen[i].live) {
            s->seen[k] = s->seen[i];
            s->seen[k++].live = 0;
        }
    s->n_seen = k;
}


typedef struct {
    int64_t id;
    double heartbeat;
} stale_trial;

int store_recover_stale(hp_store *s, int64_t study_id, double stale_after,
                        const hp_claimer *who, char *err)
{
    stale_trial *found = NULL;
    int n = 0, cap = 0;
    db_result r;
    db_stmt *st = s->running_trials;
    double now = clock_monotonic();
    int by_server_clock = db_get_kind(s->db) == DB_POSTGRES;
    db_bind_int64(st, 1, study_id);
    db_bind_double(st, 2, stale_after);
    while ((r = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        const char *instance = db_column_text(st, 3);
        if (same_text(instance, who->instance))
            continue;    /* ours, and we are alive */
        int pid = (int)db_column_int64(st, 2);
        double heartbeat = store_column_or_nan(st, 5);
        /* a trial claimed before schema 4 has no origin: its host name is
           all there is, as that version judged it */
        const char *origin = db_column_text(st, 4);
        int same_machine = same_text(db_column_text(st, 1), who->host) &&
                           (!origin || same_text(origin, who->origin));
        /* a pid means something only in the PID namespace and boot it came
           from; there, our own pid under another instance is a predecessor */
        int dead = same_machine && (pid == who->pid || pid_is_dead(pid));
        int stale = by_server_clock ? db_column_int64(st, 6) != 0
                                    : heartbeat_stopped(s, id, heartbeat, stale_after, now);
        if (!dead && !stale)
            continue;
        if (buf_grow_array(&found, &cap, n + 1, sizeof *found)) {
            db_reset(st);
            free(found);
            snprintf(err, HP_ERR_LEN, "out of memory");
            return HP_ENOMEM;
        }
        found[n++] = (stale_trial){id, dead ? NAN : heartbeat};
    }
    db_reset(st);
    if (r != DB_DONE) {
        free(found);
        return store_fail(s, "cannot scan running trials", err);
    }
    if (!by_server_clock)
        forget_unseen(s);
    int rc = HP_OK;
    for (int i = 0; i < n && rc == HP_OK; i++)
        rc = store_requeue(s, found[i].id, NULL, found[i].heartbeat, err);
    free(found);
    return rc;
}
