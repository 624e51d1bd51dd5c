#include "report_charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../search/report_stats.h"
#include "html.h"
#include "report_svg.h"

#define W 760
#define H 320
#define LEFT 70
#define RIGHT 16
#define TOP 14
#define BOTTOM 48

void chart_note(hp_buf *b, int shown, int all, const char *what)
{
    if (shown < all)
        buf_printf(b, "<p class=\"note\">Showing %d of %d %s, sampled evenly; the best "
                   "are always shown.</p>\n", shown, all, what);
}

void chart_tooltip(hp_buf *b, const hp_report_data *d, int i)
{
    const rp_trial *t = &d->trials[i];
    char v[40];
    buf_printf(b, "<title>trial %lld %s", (long long)t->number, store_state_name(t->state));
    if (isfinite(t->value)) {
        buf_puts(b, " ");
        html_text(b, d->study.metric);
        buf_printf(b, "=%s", buf_number_text(t->value, v, sizeof v));
    }
    for (int j = 0; j < d->d; j++) {
        double x = d->pv[(size_t)i * (size_t)d->d + (size_t)j];
        const hp_param *p = d->params[j].param;
        if (isnan(x))
            continue;
        buf_puts(b, j ? ", " : "; ");
        html_text(b, p->name);
        buf_puts(b, "=");
        if (space_param_is_text(p))
            html_text(b, p->choices[(int)x]);
        else
            buf_puts(b, buf_number_text(x, v, sizeof v));
    }
    buf_puts(b, "</title>");
}

/* The sample of trials to draw: every best-so-far step and the best kept. */
int chart_sample_trials(const hp_report_data *d, int *idx, int only_finished)
{
    unsigned char *keep = calloc((size_t)d->n + 1, 1);
    int *all = malloc(sizeof(int) * ((size_t)d->n + 1));
    int n = 0, m = 0;
    double best = NAN;
    if (keep && all) {
        for (int i = 0; i < d->n; i++) {
            const rp_trial *t = &d->trials[i];
            if (only_finished && t->state != TRIAL_COMPLETE && t->state != TRIAL_PRUNED &&
                t->state != TRIAL_FAILED)
                continue;
            if (t->state == TRIAL_COMPLETE && isfinite(t->value) &&
                (isnan(best) || (d->maximize ? t->value > best : t->value < best))) {
                best = t->value;
                keep[n] = 1;
            }
            all[n++] = i;
        }
        int *pick = malloc(sizeof(int) * ((size_t)n + 1));
        if (pick) {
            m = stats_sample(n, REPORT_MAX_MARKS, keep, pick);
            for (int k = 0; k < m; k++)
                idx[k] = all[pick[k]];
            free(pick);
        }
    }
    free(keep);
    free(all);
    return m;
}

double chart_first_start(const hp_report_data *d)
{
    double t0 = INFINITY;
    for (int i = 0; i < d->n; i++)
        if (isfinite(d->trials[i].started) && d->trials[i].started < t0)
            t0 = d->trials[i].started;
    return isfinite(t0) ? t0 : 0;
}

void chart_history(hp_buf *b, const hp_report_data *d, int by_time, int log)
{
    int *idx = malloc(sizeof(int) * ((size_t)d->n + 1));
    double *xs = malloc(sizeof(double) * ((size_t)d->n + 1));
    double *ys = malloc(sizeof(double) * ((size_t)d->n + 1));
    if (!idx || !xs || !ys)
        goto out;
    int m = chart_sample_trials(d, idx, 1);
    double t0 = chart_first_start(d);
    for (int k = 0; k < m; k++) {
        const rp_trial *t = &d->trials[idx[k]];
        xs[k] = by_time ? t->finished - t0 : (double)t->number;
        ys[k] = t->value;
    }
    svg_scale x, y;
    svg_scale_fit(&x, xs, m, 0, LEFT, W - RIGHT);
    svg_scale_fit(&y, ys, m, log, H - BOTTOM, TOP);
    char name[48];
    snprintf(name, sizeof name, "history-%s%s", by_time ? "time" : "number", log ? "-log" : "");
    svg_open(b, name, W, H, "optimization history");
    svg_axes(b, &x, &y, by_time ? "wall time since the first trial (s)" : "trial number",
             d->study.metric);
    /* best so far, as steps, over every finished trial (not only the sample) */
    buf_puts(b, "<polyline class=\"best\" points=\"");
    double best = NAN;
    for (int i = 0; i < d->n; i++) {
        const rp_trial *t = &d->trials[i];
        if (t->state != TRIAL_COMPLETE || !isfinite(t->value) ||
            (!isnan(best) && !(d->maximize ? t->value > best : t->value < best)))
            continue;
        double px = svg_px(&x, by_time ? t->finished - t0 : (double)t->number);
        if (!isnan(best))
            buf_printf(b, "%.1f,%.1f ", px, svg_px(&y, best));
        best = t->value;
        buf_printf(b, "%.1f,%.1f ", px, svg_px(&y, best));
    }
    if (!isnan(best))
        buf_printf(b, "%.1f,%.1f", x.p1, svg_px(&y, best));
    buf_puts(b, "\"/>");
    for (int k = 0; k < m; k++) {
        const rp_trial *t = &d->trials[idx[k]];
        double px = svg_px(&x, xs[k]);
        if (t->state == TRIAL_FAILED || !isfinite(t->value)) {
            /* failed: a tick on the bottom axis */
            buf_printf(b, "<path class=\"mark failed\" d=\"M%.1f %.1fv-8\">", px, y.p0);
        } else if (t->state == TRIAL_PRUNED) {
            double py = svg_px(&y, t->value);
            buf_printf(b, "<path class=\"mark pruned\" d=\"M%.1f %.1fl6 6m0 -6l-6 6\">", px - 3,
                       py - 3);
        } else {
            buf_printf(b, "<circle class=\"mark complete\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\">", px,
                       svg_px(&y, t->value));
        }
        chart_tooltip(b, d, idx[k]);
        buf_puts(b, t->state == TRIAL_COMPLETE && isfinite(t->value) ? "</circle>" : "</path>");
    }
    svg_close(b);
    chart_note(b, m, d->n, "trials");
out:
    free(idx);
    free(xs);
    free(ys);
}

void chart_importance(hp_buf *b, const hp_report_data *d, const double *imp, const int *order,
                      int k, const char *label)
{
    int h = 24 * k + 50;
    char name[32];
    snprintf(name, sizeof name, "importance-%s", label[0] == 'g' ? "gp" : "variance");
    svg_open(b, name, W, h, label);
    double max = 0;
    for (int i = 0; i < k; i++)
        max = imp[order[i]] > max ? imp[order[i]] : max;
    if (!(max > 0))
        max = 1;
    int x0 = 200, x1 = W - 60;
    for (int i = 0; i < k; i++) {
        int j = order[i];
        double wpx = (x1 - x0) * imp[j] / max;
        char v[32];
        buf_printf(b, "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", x0 - 6,
                   24 * i + 16);
        html_text(b, d->params[j].param->name);
        buf_printf(b, "</text><rect class=\"mark bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" "
                   "height=\"16\"><title>", x0, 24 * i + 3, wpx > 0.5 ? wpx : 0.5);
        html_text(b, d->params[j].param->name);
        snprintf(v, sizeof v, "%.3f", imp[j]);
        buf_printf(b, ": %s</title></rect><text class=\"tick\" x=\"%.1f\" y=\"%d\">%s</text>", v,
                   x0 + wpx + 4, 24 * i + 16, v);
    }
    buf_printf(b, "<text class=\"title\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (x0 + x1) / 2,
               h - 8);
    html_text(b, label);
    buf_puts(b, "</text>");
    svg_close(b);
}
