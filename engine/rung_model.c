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

/* by step, then from the best value to the worst */
static int cmp_standing(const void *a, const void *b, int maximize)
{
    const curve_point *p = a, *q = b;
    if (p->step != q->step)
        return (p->step > q->step) - (p->step < q->step);
    double x = maximize ? -p->value : p->value, y = maximize ? -q->value : q->value;
    return (x > y) - (x < y);
}

static int cmp_standing_min(const void *a, const void *b)
{
    return cmp_standing(a, b, 0);
}

static int cmp_standing_max(const void *a, const void *b)
{
    return cmp_standing(a, b, 1);
}

/* The first of SORTED's points from FROM to M (by cmp_standing) at which
** AHEAD, true of a prefix of them, stops holding for (STEP, VALUE). */
static int first_not_ahead(const curve_point *sorted, int from, int m, int64_t step,
                           double value, int maximize,
                           int (*ahead)(const curve_point *, int64_t, double, int))
{
    int lo = from, hi = m;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (ahead(&sorted[mid], step, value, maximize))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int before_step(const curve_point *p, int64_t step, double value, int maximize)
{
    (void)value, (void)maximize;
    return p->step < step;
}

static int better_at_step(const curve_point *p, int64_t step, double value, int maximize)
{
    return p->step == step && (maximize ? p->value > value : p->value < value);
}

static int at_or_before_step(const curve_point *p, int64_t step, double value, int maximize)
{
    (void)value, (void)maximize;
    return p->step <= step;
}

/* Where VALUE stands among the values reported at STEP (SORTED, M points
** by cmp_standing): 0 the best of them, 1 the worst. */
static double standing(const curve_point *sorted, int m, int64_t step, double value,
                       int maximize)
{
    int first = first_not_ahead(sorted, 0, m, step, value, maximize, before_step);
    int better = first_not_ahead(sorted, first, m, step, value, maximize, better_at_step) - first;
    int count = first_not_ahead(sorted, first, m, step, value, maximize, at_or_before_step) - first;
    return count > 1 ? (double)better / (count - 1) : 1;
}

/* Pruned trials without a value at the modelled STEP (-1: final values)
** sit below the worst modelled value, as far below as the modelled values
** spread at most, in the order in which they stood among the trials that
** reported their last step: one pruned near the top of its rung stays
** near the survivors, one at chance level, or diverged, far below.  (At
** their last value, no better than the worst, most of a study pruned at
** its first rung sat on that bound and the model saw a flat landscape.) */
static int impute_pruned(const curve_set *c, const int64_t *numbers, int n, int64_t step,
                         const unsigned char *pruned, const char *modelled, double *y_model,
                         int maximize)
{
    double worst = NAN, best = NAN;
    for (int i = 0; i < n; i++)
        if (modelled[i] && isfinite(y_model[i])) {
            worst = worse(worst, y_model[i], maximize);
            best = worse(best, y_model[i], !maximize);
        }
    double span = fabs(worst - best);
    if (!(span > 0))
        span = fmax(fabs(worst), 1e-12);
    curve_point *sorted = malloc(sizeof *sorted * (size_t)(c->n ? c->n : 1));
    curve_point *last = malloc(sizeof *last * (size_t)(n ? n : 1));
    if (!sorted || !last) {
        free(sorted);
        free(last);
        return HP_ENOMEM;
    }
    for (int i = 0; i < n; i++)
        last[i] = (curve_point){numbers[i], -1, NAN};
    int m = 0;
    for (int k = 0; k < c->n; k++) {
        int i = row_of(numbers, n, c->points[k].number);
        if (i < 0)
            continue;
        sorted[m++] = c->points[k];
        if ((step < 0 || c->points[k].step <= step) && c->points[k].step > last[i].step)
            last[i] = c->points[k];
    }
    qsort(sorted, (size_t)m, sizeof *sorted, maximize ? cmp_standing_max : cmp_standing_min);
    for (int i = 0; i < n; i++) {
        if (modelled[i] || !pruned[i])
            continue;
        if (!isfinite(worst))
            y_model[i] = NAN;
        else if (last[i].step < 0) /* no curve: its last value, bounded */
            y_model[i] = pruned_value(y_model[i], worst, maximize);
        else
            y_model[i] = worst + (maximize ? -1 : 1) * span *
                                     standing(sorted, m, last[i].step, last[i].value, maximize);
    }
    free(sorted);
    free(last);
    return HP_OK;
}

/* Each trial's value at STEP (which REACHED trials reported), or its last
** value before it: a completed trial that skipped the step counts as
** modelled there; a pruned one is left to impute_pruned. */
static void modelled_at_step(const curve_set *c, int64_t step, int reached,
                             const int64_t *numbers, int n, const unsigned char *pruned,
                             const double *y_final, double *y_model, char *modelled,
                             hp_rung_note *note)
{
    for (int i = 0; i < n; i++)
        y_model[i] = NAN;
    for (int k = 0; k < c->n; k++) {
        const curve_point *q = &c->points[k];
        int i = row_of(numbers, n, q->number);
        if (i < 0 || q->step > step)
            continue;
        if (q->step == step)
            modelled[i] = 1;
        y_model[i] = q->value; /* points come in step order per trial */
    }
    *note = (hp_rung_note){step, reached, 0};
    for (int i = 0; i < n; i++) {
        if (modelled[i])
            continue;
        if (pruned[i]) {
            note->imputed++;
        } else if (!isfinite(y_final[i])) {
            y_model[i] = NAN; /* failed */
        } else if (!isfinite(y_model[i])) {
            y_model[i] = y_final[i];
        }
        /* a completed trial that skipped the step counts as modelled */
        if (!pruned[i])
            modelled[i] = 1;
    }
}

int rung_model_values(hp_store *store, int64_t study_id, const char *metric, int maximize,
                      int n_min, int n, const int64_t *numbers, const unsigned char *pruned,
                      const double *y_final, double *y_model, hp_rung_note *note, char *err)
{
    int complete = 0;
    for (int i = 0; i < n; i++)
        complete += !pruned[i] && isfinite(y_final[i]);
    curve_set c = {0};
    int rc = store_study_curves(store, study_id, metric, take_point, &c, err);
    if (!rc && c.oom)
        rc = HP_ENOMEM;
    char *modelled = calloc((size_t)(n ? n : 1), 1);
    if (!rc && !modelled)
        rc = HP_ENOMEM;
    int reached = 0;
    int64_t step = rc || complete >= n_min ? -1 : modelled_step(&c, numbers, n, n_min, &reached);
    if (step == -2)
        rc = HP_ENOMEM;
    if (rc) {
        free(c.points);
        free(modelled);
        if (rc == HP_ENOMEM)
            snprintf(err, HP_ERR_LEN, "out of memory");
        return rc;
    }
    if (step < 0) {
        *note = (hp_rung_note){-1, 0, 0};
        for (int i = 0; i < n; i++) {
            y_model[i] = y_final[i];
            modelled[i] = !pruned[i];
            note->reached += !pruned[i] && isfinite(y_final[i]);
            note->imputed += pruned[i] != 0;
        }
    } else {
        modelled_at_step(&c, step, reached, numbers, n, pruned, y_final, y_model, modelled,
                         note);
    }
    rc = impute_pruned(&c, numbers, n, step, pruned, modelled, y_model, maximize);
    free(c.points);
    free(modelled);
    if (rc)
        snprintf(err, HP_ERR_LEN, "out of memory");
    return rc;
}

const char *rung_model_describe(const hp_rung_note *note, const char *metric, char *buf,
                                int len)
{
    if (note->step < 0)
        snprintf(buf, (size_t)len, "final %s of %d complete trials; %d pruned below the "
                 "worst, in the order they stood when stopped", metric, note->reached,
                 note->imputed);
    else
        snprintf(buf, (size_t)len, "%s at step %lld (%d trials reached it; %d pruned before "
                 "it, below the worst there, in the order they stood when stopped)", metric,
                 (long long)note->step, note->reached, note->imputed);
    return buf;
}
