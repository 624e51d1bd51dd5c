#include "rung_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "error.h"

typedef struct {
    int64_t number, step;
    double value;
} curve_point;

typedef struct {
    curve_point *points;
    int n, cap, oom;
} curve_set;

static int take_point(void *ctx, int64_t number, int64_t step, double value)
{
    curve_set *c = ctx;
    if (!isfinite(value))
        return 0;
    if (buf_grow_array(&c->points, &c->cap, c->n + 1, sizeof *c->points)) {
        c->oom = 1;
        return 1;
    }
    c->points[c->n++] = (curve_point){number, step, value};
    return 0;
}

static int cmp_step(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Row of trial NUMBER among the N sorted NUMBERS, or -1. */
static int row_of(const int64_t *numbers, int n, int64_t number)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (numbers[mid] == number)
            return mid;
        if (numbers[mid] < number)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static double worse(double a, double b, int maximize)
{
    if (!isfinite(a))
        return b;
    return maximize ? fmin(a, b) : fmax(a, b);
}

/* A pruned trial's value in the model: the worse of its own last value
** (LAST, NAN if none) and the worst value of the trials that went on
** (WORST).  It lost to the survivors of its rung, so it is put no better
** than the worst of them; and a trial that was far worse when it stopped
** (an optimizer that diverged, a learning rate too small to move) stays
** far worse, instead of looking as good as the weakest survivor, which
** left the model a flat landscape and the search wandering into the
** worst region again and again (README, "What the samplers learn"). */
static double pruned_value(double last, double worst, int maximize)
{
    return isfinite(worst) ? worse(last, worst, maximize) : NAN;
}

/* Final values: completed trials as they are, pruned ones at the worse of
** their last value and the worst final value. */
static void final_values(int n, const unsigned char *pruned, const double *y_final,
                         int maximize, double *y_model, hp_rung_note *note)
{
    double worst = NAN;
    for (int i = 0; i < n; i++)
        if (!pruned[i] && isfinite(y_final[i]))
            worst = worse(worst, y_final[i], maximize);
    *note = (hp_rung_note){-1, 0, 0};
    for (int i = 0; i < n; i++) {
        y_model[i] = pruned[i] ? pruned_value(y_final[i], worst, maximize) : y_final[i];
        note->reached += !pruned[i] && isfinite(y_final[i]);
        note->imputed += pruned[i] && isfinite(worst);
    }
}

/* The highest step that at least N_MIN of the history's trials reported;
** else the step most of them reported; -1 when no step has two. */
static int64_t modelled_step(const curve_set *c, const int64_t *numbers, int n, int n_min,
                             int *reached)
{
    int64_t *steps = malloc(sizeof(int64_t) * (size_t)(c->n ? c->n : 1));
    if (!steps)
        return -2;
    int m = 0;
    for (int k = 0; k < c->n; k++)
        if (row_of(numbers, n, c->points[k].number) >= 0)
            steps[m++] = c->points[k].step;
    qsort(steps, (size_t)m, sizeof *steps, cmp_step);
    /* a trial reports a step once (store_report replaces), so the run
       length of a step is the number of trials that reached it */
    int64_t best = -1, most = -1;
    int best_count = 0, most_count = 0;
    for (int k = 0; k < m;) {
        int j = k;
        while (j < m && steps[j] == steps[k])
            j++;
        int count = j - k;
        if (count >= n_min)
            best = steps[k], best_count = count;
        if (count > most_count)
            most = steps[k], most_count = count;
        k = j;
    }
    free(steps);
    if (best < 0 && most_count >= 2)
        best = most, best_count = most_count;
    *reached = best_count;
    return best;
}

int rung_model_values(hp_store *store, int64_t study_id, const char *metric, int maximize,
                      int n_min, int n, const int64_t *numbers, const unsigned char *pruned,
                      const double *y_final, double *y_model, hp_rung_note *note, char *err)
{
    int complete = 0;
    for (int i = 0; i < n; i++)
        complete += !pruned[i] && isfinite(y_final[i]);
    if (complete >= n_min) {
        final_values(n, pruned, y_final, maximize, y_model, note);
        return HP_OK;
    }
    curve_set c = {0};
    int rc = store_study_curves(store, study_id, metric, take_point, &c, err);
    if (!rc && c.oom)
        rc = HP_ENOMEM;
    int reached = 0;
    int64_t step = rc ? -1 : modelled_step(&c, numbers, n, n_min, &reached);
    if (step == -2)
        rc = HP_ENOMEM;
    if (rc || step < 0) {
        free(c.points);
        if (rc == HP_ENOMEM)
            snprintf(err, HP_ERR_LEN, "out of memory");
        if (rc)
            return rc;
        final_values(n, pruned, y_final, maximize, y_model, note);
        return HP_OK;
    }
    /* each trial's value at the step, or its last value before it (a
       completed trial that skipped it; one pruned before it, then bounded
       by the worst there) */
    double worst = NAN;
    char *at_step = calloc((size_t)(n ? n : 1), 1);
    if (!at_step) {
        free(c.points);
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    for (int i = 0; i < n; i++)
        y_model[i] = NAN;
    for (int k = 0; k < c.n; k++) {
        const curve_point *q = &c.points[k];
        int i = row_of(numbers, n, q->number);
        if (i < 0 || q->step > step)
            continue;
        if (q->step == step) {
            worst = worse(worst, q->value, maximize);
            at_step[i] = 1;
        }
        y_model[i] = q->value; /* points come in step order per trial */
    }
    *note = (hp_rung_note){step, reached, 0};
    for (int i = 0; i < n; i++) {
        if (at_step[i])
            continue;
        if (pruned[i]) {
            y_model[i] = pruned_value(y_model[i], worst, maximize);
            note->imputed++;
        } else if (!isfinite(y_final[i])) {
            y_model[i] = NAN; /* failed */
        } else if (!isfinite(y_model[i])) {
            y_model[i] = y_final[i];
        }
    }
    free(at_step);
    free(c.points);
    return HP_OK;
}

const char *rung_model_describe(const hp_rung_note *note, const char *metric, char *buf,
                                int len)
{
    if (note->step < 0)
        snprintf(buf, (size_t)len, "final %s of %d complete trials; %d pruned at their last "
                 "value, no better than the worst", metric, note->reached, note->imputed);
    else
        snprintf(buf, (size_t)len, "%s at step %lld (%d trials reached it; %d pruned before "
                 "it, at their last value, no better than the worst there)", metric,
                 (long long)note->step, note->reached, note->imputed);
    return buf;
}
