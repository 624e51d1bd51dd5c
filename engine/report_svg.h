/*
** SVG charts for the report, written as text by our own code: scales with
** readable ticks (linear, log, categories), axes with titles, and marks.
** Every text that reaches the page goes through html.h's escaping.
*/
#ifndef HP_REPORT_SVG_H
#define HP_REPORT_SVG_H

#include "buf.h"

/* A mapping from data to pixels along one axis. */
typedef struct {
    double lo, hi;       /* the data range shown */
    int log;             /* log10 axis (lo > 0) */
    int n_cats;          /* > 0: a categorical axis of n_cats cells */
    const char *const *cats;  /* their names */
    double p0, p1;       /* pixels of lo and hi */
} svg_scale;

/* A scale over the finite values of V (N of them, positive ones for LOG),
** padded by 4%; [0, 1] when there are none. */
void svg_scale_fit(svg_scale *s, const double *v, int n, int log, double p0, double p1);

/* The pixel of V (clamped to the axis). */
double svg_px(const svg_scale *s, double v);

/* Opens a chart: an <svg> of W x H with data-chart=NAME and an aria label. */
void svg_open(hp_buf *b, const char *name, int w, int h, const char *label);
void svg_close(hp_buf *b);

/* Draws the frame, ticks and titles of X (horizontal) and Y (vertical)
** scales, inside the plot area X.p0..X.p1 by Y.p1..Y.p0. */
void svg_axes(hp_buf *b, const svg_scale *x, const svg_scale *y, const char *x_title,
              const char *y_title);

/* A number as an axis tick shows it (3 significant digits). */
const char *svg_tick_text(double v, char *buf, int len);

/* A colour from a ramp over T in [0, 1] (dark blue to yellow), as
** "#rrggbb" into BUF. */
const char *svg_ramp(double t, char *buf);

#endif
