/*
** The report's charts over parameters: slices, parallel coordinates and a
** contour of the two most important parameters.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../search/report_stats.h"
#include "html.h"
#include "report_charts.h"
#include "report_svg.h"

/* The scale of parameter J over the sampled trials. */
static void param_scale(svg_scale *s, const hp_report_data *d, int j, const int *idx, int m,
                        double p0, double p1, double *tmp)
{
    const hp_param *p = d->params[j].param;
    if (space_param_is_text(p)) {
        s->n_cats = p->n_choices;
        s->cats = (const char *const *)p->choices;
        s->log = 0;
        s->lo = 0;
        s->hi = p->n_choices;
        s->p0 = p0;
        s->p1 = p1;
        return;
    }
    for (int k = 0; k < m; k++)
        tmp[k] = d->pv[(size_t)idx[k] * (size_t)d->d + (size_t)j];
    svg_scale_fit(s, tmp, m, d->params[j].log, p0, p1);
}

/* A sample of the complete trials; *all gets how many there are. */
static int complete_sample(const hp_report_data *d, int *idx, int *all)
{
    int m = chart_sample_trials(d, idx, 1), n = 0;
    for (int k = 0; k < m; k++)
        if (d->trials[idx[k]].state == TRIAL_COMPLETE && isfinite(d->trials[idx[k]].value))
            idx[n++] = idx[k];
    *all = 0;
    for (int i = 0; i < d->n; i++)
        *all += d->trials[i].state == TRIAL_COMPLETE && isfinite(d->trials[i].value);
    return n;
}

void chart_slices(hp_buf *b, const hp_report_data *d)
{
    int *idx = malloc(sizeof(int) * ((size_t)d->n + 1));
    double *tmp = malloc(sizeof(double) * ((size_t)d->n + 1));
    if (!idx || !tmp)
        goto out;
    int all, m = complete_sample(d, idx, &all);
    for (int k = 0; k < m; k++)
        tmp[k] = d->trials[idx[k]].value;
    int log_y = stats_spans_decades(tmp, m);
    svg_scale y;
    svg_scale_fit(&y, tmp, m, log_y, 230, 10);
    buf_puts(b, "<div class=\"grid\">");
    for (int j = 0; j < d->d; j++) {
        svg_scale x;
        param_scale(&x, d, j, idx, m, 60, 350, tmp);
        char name[96];
        snprintf(name, sizeof name, "slice-%d", j);
        svg_open(b, name, 360, 270, d->params[j].param->name);
        svg_axes(b, &x, &y, d->params[j].param->name, d->study.metric);
        for (int k = 0; k < m; k++) {
            double v = d->pv[(size_t)idx[k] * (size_t)d->d + (size_t)j];
            if (isnan(v))
                continue;
            char colour[8];
            double px = svg_px(&x, v);
            if (x.n_cats > 0) /* spread a category's points over its cell */
                px += ((double)((idx[k] * 2654435761u) % 1000) / 1000 - 0.5) * 0.5 *
                      (x.p1 - x.p0) / x.n_cats;
            buf_printf(b, "<circle class=\"mark\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\">",
                       px, svg_px(&y, d->trials[idx[k]].value),
                       svg_ramp((double)idx[k] / (d->n > 1 ? d->n - 1 : 1), colour));
            chart_tooltip(b, d, idx[k]);
            buf_puts(b, "</circle>");
        }
        svg_close(b);
    }
    buf_puts(b, "</div><p class=\"note\">Colour: trial number, dark (first) to yellow "
             "(last).</p>");
    chart_note(b, m, all, "complete trials");
out:
    free(idx);
    free(tmp);
}

void chart_parallel(hp_buf *b, const hp_report_data *d)
{
    int *idx = malloc(sizeof(int) * ((size_t)d->n + 1));
    double *tmp = malloc(sizeof(double) * ((size_t)d->n + 1));
    svg_scale *axes = calloc((size_t)d->d + 1, sizeof *axes);
    if (!idx || !tmp || !axes)
        goto out;
    int all, m = complete_sample(d, idx, &all);
    int gap = 90, w = 80 + gap * d->d + 40, top = 40, bottom = 260;
    for (int j = 0; j < d->d; j++)
        param_scale(&axes[j], d, j, idx, m, bottom, top, tmp);
    for (int k = 0; k < m; k++)
        tmp[k] = d->trials[idx[k]].value;
    svg_scale_fit(&axes[d->d], tmp, m, stats_spans_decades(tmp, m), bottom, top);
    /* the best tenth, drawn last and highlighted */
    double *sorted = malloc(sizeof(double) * ((size_t)m + 1));
    double cut = NAN;
    if (sorted && m > 0) {
        memcpy(sorted, tmp, sizeof(double) * (size_t)m);
        for (int a = 1; a < m; a++) { /* insertion sort is fine for <= 2000 marks */
            double v = sorted[a];
            int c = a;
            while (c > 0 && (d->maximize ? sorted[c - 1] < v : sorted[c - 1] > v)) {
                sorted[c] = sorted[c - 1];
                c--;
            }
            sorted[c] = v;
        }
        cut = sorted[m / 10];
    }
    free(sorted);
    svg_open(b, "parallel", w, 320, "parallel coordinates");
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < m; k++) {
            double v = d->trials[idx[k]].value;
            int top_tenth = d->maximize ? v >= cut : v <= cut;
            if (top_tenth != pass)
                continue;
            buf_printf(b, "<polyline class=\"mark line%s\" points=\"", pass ? " top" : "");
            for (int j = 0; j <= d->d; j++) {
                double x = j < d->d ? d->pv[(size_t)idx[k] * (size_t)d->d + (size_t)j] : v;
                if (isnan(x))
                    continue;
                buf_printf(b, "%d,%.1f ", 80 + gap * j, svg_px(&axes[j], x));
            }
            buf_puts(b, "\">");
            chart_tooltip(b, d, idx[k]);
            buf_puts(b, "</polyline>");
        }
    for (int j = 0; j <= d->d; j++) {
        int x = 80 + gap * j;
        buf_printf(b, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>", x, x, top,
                   bottom);
        buf_printf(b, "<text class=\"title\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x,
                   top - 12);
        html_text(b, j < d->d ? d->params[j].param->name : d->study.metric);
        char lo[32], hi[32];
        if (axes[j].n_cats > 0) {
            buf_puts(b, "</text>");
            for (int c = 0; c < axes[j].n_cats; c++) {
                buf_printf(b, "<text class=\"tick\" x=\"%d\" y=\"%.1f\">", x + 3,
                           svg_px(&axes[j], c) + 4);
                html_text(b, axes[j].cats[c]);
                buf_puts(b, "</text>");
            }
        } else {
            buf_printf(b, "</text><text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s"
                       "</text><text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s"
                       "</text>", x, bottom + 16, svg_tick_text(axes[j].lo, lo, sizeof lo), x,
                       top - 2, svg_tick_text(axes[j].hi, hi, sizeof hi));
        }
    }
    svg_close(b);
    buf_puts(b, "<p class=\"note\">Highlighted: the best tenth of the trials shown.</p>");
    chart_note(b, m, all, "complete trials");
out:
    free(idx);
    free(tmp);
    free(axes);
}

void chart_contour(hp_buf *b, const hp_report_data *d, int pa, int pb)
{
    enum { G = 30 };
    int *idx = malloc(sizeof(int) * ((size_t)d->n + 1));
    double *ua = malloc(sizeof(double) * ((size_t)d->n + 1));
    double *ub = malloc(sizeof(double) * ((size_t)d->n + 1));
    double *y = malloc(sizeof(double) * ((size_t)d->n + 1));
    double surface[G * G];
    if (!idx || !ua || !ub || !y)
        goto out;
    int all, m = complete_sample(d, idx, &all), n = 0;
    svg_scale x, yv;
    param_scale(&x, d, pa, idx, m, 70, 430, ua);
    param_scale(&yv, d, pb, idx, m, 370, 10, ub);
    for (int k = 0; k < m; k++) {
        double a = d->pv[(size_t)idx[k] * (size_t)d->d + (size_t)pa];
        double c = d->pv[(size_t)idx[k] * (size_t)d->d + (size_t)pb];
        if (isnan(a) || isnan(c))
            continue;
        ua[n] = (svg_px(&x, a) - x.p0) / (x.p1 - x.p0);
        ub[n] = (svg_px(&yv, c) - yv.p0) / (yv.p1 - yv.p0);
        y[n++] = d->trials[idx[k]].value;
    }
    if (n < 2 || stats_surface(ua, ub, y, n, G, 0.08, surface))
        goto out;
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < G * G; k++)
        if (isfinite(surface[k])) {
            lo = surface[k] < lo ? surface[k] : lo;
            hi = surface[k] > hi ? surface[k] : hi;
        }
    svg_open(b, "contour", 520, 420, "contour of the two most important parameters");
    double cw = (x.p1 - x.p0) / G, ch = (yv.p0 - yv.p1) / G;
    for (int r = 0; r < G; r++)
        for (int c = 0; c < G; c++) {
            double v = surface[r * G + c];
            if (!isfinite(v))
                continue;
            /* bright = better, whatever the direction */
            double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
            char colour[8], text[40];
            buf_printf(b, "<rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
                       "height=\"%.2f\" fill=\"%s\"><title>about %s</title></rect>",
                       x.p0 + c * cw, yv.p0 - (r + 1) * ch, cw + 0.3, ch + 0.3,
                       svg_ramp(d->maximize ? t : 1 - t, colour),
                       buf_number_text(v, text, sizeof text));
        }
    svg_axes(b, &x, &yv, d->params[pa].param->name, d->params[pb].param->name);
    for (int k = 0; k < n; k++)
        buf_printf(b, "<circle class=\"mark dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\"/>",
                   x.p0 + ua[k] * (x.p1 - x.p0), yv.p0 + ub[k] * (yv.p1 - yv.p0));
    svg_close(b);
    buf_puts(b, "<p class=\"note\">A kernel-smoothed surface of ");
    html_text(b, d->study.metric);
    buf_puts(b, " over the trials (dots); bright is better. Blank where no trial is near.</p>");
out:
    free(idx);
    free(ua);
    free(ub);
    free(y);
}
