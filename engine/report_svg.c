#include "report_svg.h"

#include <math.h>
#include <stdio.h>

#include "html.h"

void svg_scale_fit(svg_scale *s, const double *v, int n, int log, double p0, double p1)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        if (!isfinite(v[i]) || (log && v[i] <= 0))
            continue;
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    s->log = log;
    s->n_cats = 0;
    s->cats = NULL;
    s->p0 = p0;
    s->p1 = p1;
    if (!(lo <= hi)) {
        s->lo = log ? 1 : 0;
        s->hi = log ? 10 : 1;
        return;
    }
    if (log) {
        double a = log10(lo), c = log10(hi), pad = (c - a) * 0.04 + (c == a ? 0.5 : 0);
        s->lo = pow(10, a - pad);
        s->hi = pow(10, c + pad);
    } else {
        double pad = (hi - lo) * 0.04 + (hi == lo ? (fabs(hi) > 0 ? fabs(hi) * 0.1 : 1) : 0);
        s->lo = lo - pad;
        s->hi = hi + pad;
    }
}

double svg_px(const svg_scale *s, double v)
{
    double t;
    if (s->n_cats > 0)
        t = (v + 0.5) / s->n_cats;
    else if (s->log)
        t = (log10(v > 0 ? v : s->lo) - log10(s->lo)) / (log10(s->hi) - log10(s->lo));
    else
        t = (v - s->lo) / (s->hi - s->lo);
    if (!isfinite(t))
        t = 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return s->p0 + t * (s->p1 - s->p0);
}

void svg_open(hp_buf *b, const char *name, int w, int h, const char *label)
{
    buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"%s\" "
               "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
               name, w, h, w, h);
    html_attr(b, label);
    buf_puts(b, "\">");
}

void svg_close(hp_buf *b)
{
    buf_puts(b, "</svg>\n");
}

const char *svg_tick_text(double v, char *buf, int len)
{
    if (v == 0)
        snprintf(buf, (size_t)len, "0");
    else if (fabs(v) >= 1e5 || fabs(v) < 1e-3)
        snprintf(buf, (size_t)len, "%.2g", v);
    else
        snprintf(buf, (size_t)len, "%.3g", v);
    return buf;
}

/* Tick values for a linear axis: steps of 1, 2 or 5 times a power of ten. */
static int linear_ticks(double lo, double hi, double *out, int max)
{
    double span = hi - lo;
    if (!(span > 0))
        return 0;
    double raw = span / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;
    double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    int n = 0;
    for (double t = ceil(lo / step) * step; t <= hi + step * 1e-9 && n < max; t += step)
        out[n++] = fabs(t) < step * 1e-9 ? 0 : t;
    return n;
}

static int log_ticks(double lo, double hi, double *out, int max)
{
    int a = (int)ceil(log10(lo) - 1e-9), c = (int)floor(log10(hi) + 1e-9), n = 0;
    int every = (c - a) / 6 + 1;
    for (int k = a; k <= c && n < max; k += every)
        out[n++] = pow(10, k);
    return n;
}

static void ticks(hp_buf *b, const svg_scale *s, int horizontal, double at)
{
    double t[16];
    char text[32];
    if (s->n_cats > 0) {
        for (int i = 0; i < s->n_cats && s->cats; i++) {
            double p = svg_px(s, i);
            if (horizontal)
                buf_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                           p, at + 14);
            else
                buf_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
                           at - 4, p + 4);
            html_text(b, s->cats[i]);
            buf_puts(b, "</text>");
        }
        return;
    }
    int n = s->log ? log_ticks(s->lo, s->hi, t, 16) : linear_ticks(s->lo, s->hi, t, 16);
    for (int i = 0; i < n; i++) {
        double p = svg_px(s, t[i]);
        svg_tick_text(t[i], text, sizeof text);
        if (horizontal)
            buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                       "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
                       p, p, at, at + 4, p, at + 15, text);
        else
            buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                       "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                       at - 4, at, p, p, at - 6, p + 4, text);
    }
}

void svg_axes(hp_buf *b, const svg_scale *x, const svg_scale *y, const char *x_title,
              const char *y_title)
{
    buf_printf(b, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
               x->p0, y->p1, x->p1 - x->p0, y->p0 - y->p1);
    ticks(b, x, 1, y->p0);
    ticks(b, y, 0, x->p0);
    buf_printf(b, "<text class=\"title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
               (x->p0 + x->p1) / 2, y->p0 + 32);
    html_text(b, x_title);
    buf_printf(b, "</text><text class=\"title\" transform=\"translate(%.1f %.1f) rotate(-90)\" "
               "text-anchor=\"middle\">", x->p0 - 48, (y->p0 + y->p1) / 2);
    html_text(b, y_title);
    buf_puts(b, "</text>");
}

const char *svg_ramp(double t, char *buf)
{
    /* a viridis-like ramp from five stops */
    static const double stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140},
                                       {94, 201, 98}, {253, 231, 37}};
    if (!isfinite(t))
        t = 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double f = t * 4;
    int k = (int)f < 4 ? (int)f : 3;
    double u = f - k;
    int rgb[3];
    for (int c = 0; c < 3; c++)
        rgb[c] = (int)(stops[k][c] + u * (stops[k + 1][c] - stops[k][c]) + 0.5);
    snprintf(buf, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    return buf;
}
