/*
** The report's charts over time: learning curves (the study metric by
** step) and the timeline of the workers.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../search/pruner.h"
#include "../search/report_stats.h"
#include "html.h"
#include "report_charts.h"
#include "report_svg.h"

#define W 760
#define H 320

/* Curves drawn at most: a tangle beyond this tells nothing more. */
#define MAX_CURVES 300

void chart_curves(hp_buf *b, const hp_report_data *d)
{
    int *idx = malloc(sizeof(int) * ((size_t)d->n + 1));
    int *with = malloc(sizeof(int) * ((size_t)d->n + 1));
    unsigned char *keep = calloc((size_t)d->n + 1, 1);
    if (!idx || !with || !keep)
        goto out;
    int best = report_best(d), n = 0;
    for (int i = 0; i < d->n; i++)
        if (d->curve_len[i] > 0) {
            keep[n] = i == best;
            with[n++] = i;
        }
    int m = stats_sample(n, MAX_CURVES, keep, idx);
    svg_scale x, y;
    double *steps = malloc(sizeof(double) * ((size_t)d->n_points + 1));
    if (!steps)
        goto out;
    for (int k = 0; k < d->n_points; k++)
        steps[k] = (double)d->curve_step[k];
    svg_scale_fit(&x, steps, d->n_points, 0, 70, W - 16);
    svg_scale_fit(&y, d->curve_value, d->n_points,
                  stats_spans_decades(d->curve_value, d->n_points), H - 48, 14);
    free(steps);
    svg_open(b, "curves", W, H, "learning curves");
    svg_axes(b, &x, &y, "step (epoch)", d->study.metric);
    /* ASHA's rungs, where pruning decisions are made */
    if (d->has_cfg && d->cfg.pruner_cfg.kind == PRUNER_ASHA)
        for (int s = (int)ceil(x.lo); s <= (int)x.hi; s++)
            if (s >= 1 && pruner_is_rung(&d->cfg.pruner_cfg, s))
                buf_printf(b, "<line class=\"rung\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
                           "y2=\"%.1f\"><title>rung at step %d</title></line>", svg_px(&x, s),
                           svg_px(&x, s), y.p0, y.p1, s);
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < m; k++) {
            int i = with[idx[k]];
            if ((i == best) != pass)
                continue;
            const rp_trial *t = &d->trials[i];
            buf_printf(b, "<polyline class=\"mark curve%s%s\" points=\"",
                       i == best ? " best" : "", t->state == TRIAL_PRUNED ? " pruned" : "");
            int s0 = d->curve_start[i];
            double lx = 0, ly = 0;
            for (int p = 0; p < d->curve_len[i]; p++) {
                if (!isfinite(d->curve_value[s0 + p]))
                    continue;
                lx = svg_px(&x, (double)d->curve_step[s0 + p]);
                ly = svg_px(&y, d->curve_value[s0 + p]);
                buf_printf(b, "%.1f,%.1f ", lx, ly);
            }
            buf_puts(b, "\">");
            chart_tooltip(b, d, i);
            buf_puts(b, "</polyline>");
            if (t->state == TRIAL_PRUNED) /* where the pruner stopped it */
                buf_printf(b, "<path class=\"end\" d=\"M%.1f %.1fl6 6m0 -6l-6 6\"/>", lx - 3,
                           ly - 3);
        }
    svg_close(b);
    buf_puts(b, "<p class=\"note\">Pruned trials end with a cross at the step they were "
             "stopped; the best trial is highlighted.</p>");
    chart_note(b, m, n, "learning curves");
out:
    free(idx);
    free(with);
    free(keep);
}

static const char *state_class(hp_trial_state s)
{
    switch (s) {
    case TRIAL_COMPLETE: return "complete";
    case TRIAL_PRUNED: return "pruned";
    case TRIAL_FAILED: return "failed";
    case TRIAL_RUNNING: return "running";
    default: return "waiting";
    }
}

void chart_timeline(hp_buf *b, const hp_report_data *d)
{
    int *idx = malloc(sizeof(int) * ((size_t)d->n + 1));
    if (!idx)
        return;
    int m = 0, asked = 0;
    for (int i = 0; i < d->n; i++)
        if (isfinite(d->trials[i].started)) {
            idx[m++] = i;
            asked |= d->trials[i].worker < 0;
        }
    int rows = d->n_workers + asked; /* ask/tell trials get a row of their own */
    if (rows == 0)
        rows = 1;
    int *pick = malloc(sizeof(int) * ((size_t)m + 1));
    int shown = pick ? stats_sample(m, REPORT_MAX_MARKS, NULL, pick) : 0;
    double t0 = chart_first_start(d), t1 = t0 + 1e-3;
    for (int k = 0; k < m; k++) {
        const rp_trial *t = &d->trials[idx[k]];
        double end = isfinite(t->finished) ? t->finished : d->generated;
        t1 = end > t1 ? end : t1;
    }
    int row_h = rows > 40 ? 8 : 18, h = rows * row_h + 60, left = 170;
    /* rows named by their worker, top down; past 60 rows names are noise */
    const char **names = calloc((size_t)rows + 1, sizeof *names);
    for (int r = 0; names && r < rows; r++)
        names[r] = r < d->n_workers ? d->workers[r] : "ask/tell";
    svg_scale x = {0, t1 - t0, 0, 0, NULL, left, W - 16};
    svg_scale y = {0, rows, 0, rows, rows <= 60 ? names : NULL, 10, rows * row_h + 10};
    svg_scale frame = y;
    frame.p0 = y.p1;
    frame.p1 = y.p0;
    svg_open(b, "timeline", W, h, "timeline of the workers");
    svg_axes(b, &x, &frame, "wall time since the first trial (s)", "");
    free(names);
    for (int k = 0; k < shown; k++) {
        const rp_trial *t = &d->trials[idx[pick[k]]];
        int r = t->worker >= 0 ? t->worker : rows - 1;
        double end = isfinite(t->finished) ? t->finished : d->generated;
        double a = svg_px(&x, t->started - t0), e = svg_px(&x, end - t0);
        buf_printf(b, "<rect class=\"mark %s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\">",
                   state_class(t->state), a, 10 + (rows - 1 - r) * row_h + 1, e - a > 0.8 ? e - a : 0.8,
                   row_h - 2);
        chart_tooltip(b, d, idx[pick[k]]);
        buf_puts(b, "</rect>");
    }
    svg_close(b);
    if (rows > 60)
        buf_printf(b, "<p class=\"note\">%d workers: one row each, unnamed.</p>", rows);
    chart_note(b, shown, m, "trials");
    free(pick);
    free(idx);
}
