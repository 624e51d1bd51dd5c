/*
** The report's Pareto front of a multi-objective study: for each pair of
** objectives a scatter of the complete trials, the front's trials marked
** and joined in order of the first of the pair.  Samples like the other
** charts: every front trial is drawn, the others evenly up to the limit.
*/
#include "report_charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../search/report_stats.h"
#include "front.h"
#include "html.h"
#include "report_svg.h"

#define W 420
#define H 320

static int compare_x(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* The scatter of objectives A (x) and B (y). */
static void front_pair(hp_buf *b, const hp_front *f, const hp_objectives *o, int a, int c,
                       const int *shown, int m)
{
    int k = o->n;
    double *xs = malloc(sizeof(double) * ((size_t)f->n + 1));
    double *ys = malloc(sizeof(double) * ((size_t)f->n + 1));
    double *line = malloc(sizeof(double) * 2 * ((size_t)f->front + 1));
    if (!xs || !ys || !line)
        goto out;
    for (int i = 0; i < f->n; i++) {
        xs[i] = f->values[(size_t)i * (size_t)k + (size_t)a];
        ys[i] = f->values[(size_t)i * (size_t)k + (size_t)c];
    }
    svg_scale x, y;
    svg_scale_fit(&x, xs, f->n, 0, 70, W - 16);
    svg_scale_fit(&y, ys, f->n, 0, H - 48, 14);
    char name[64];
    snprintf(name, sizeof name, "front-%d-%d", a, c);
    svg_open(b, name, W, H, "Pareto front");
    svg_axes(b, &x, &y, o->names[a], o->names[c]);
    /* the front as a line through its trials; with 2 objectives it is a
       staircase of non-dominated points, with 3 a projection */
    int q = 0;
    for (int i = 0; i < f->n; i++)
        if (f->rank[i] == 0) {
            line[2 * q] = xs[i];
            line[2 * q + 1] = ys[i];
            q++;
        }
    qsort(line, (size_t)q, 2 * sizeof(double), compare_x);
    if (k == 2 && q > 1) {
        buf_puts(b, "<polyline class=\"front\" fill=\"none\" stroke=\"#c0392b\" points=\"");
        for (int p = 0; p < q; p++)
            buf_printf(b, "%.1f,%.1f ", svg_px(&x, line[2 * p]), svg_px(&y, line[2 * p + 1]));
        buf_puts(b, "\"/>");
    }
    char v[40];
    for (int s = 0; s < m; s++) {
        int i = shown[s], top = f->rank[i] == 0;
        buf_printf(b, "<circle class=\"mark%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\">"
                   "<title>trial %lld", top ? " top" : "", svg_px(&x, xs[i]), svg_px(&y, ys[i]),
                   top ? "3.5" : "2.5", top ? "#c0392b" : "#9aa5b1", (long long)f->numbers[i]);
        for (int j = 0; j < k; j++) {
            buf_puts(b, j ? ", " : " ");
            html_text(b, o->names[j]);
            buf_printf(b, "=%s", buf_number_text(f->values[(size_t)i * (size_t)k + (size_t)j],
                                                 v, sizeof v));
        }
        buf_puts(b, top ? " (on the front)</title></circle>" : "</title></circle>");
    }
    svg_close(b);
out:
    free(xs);
    free(ys);
    free(line);
}

void chart_front(hp_buf *b, hp_store *store, const hp_study_row *study,
                 const hp_constraints *constraints)
{
    hp_objectives o;
    int which;
    char err[HP_ERR_LEN];
    if (objectives_parse(study->metric, study->direction, &o, &which, err) || o.n < 2)
        return;
    hp_front f;
    if (front_load(store, study->study_id, &o, constraints, &f, err)) {
        buf_puts(b, "<p class=\"note\">The front could not be read: ");
        html_text(b, err);
        buf_puts(b, "</p>");
        return;
    }
    buf_puts(b, "<h2 id=\"front\">Pareto front</h2>");
    if (f.front == 0) {
        buf_puts(b, "<p class=\"note\">No complete trial yet.</p>");
        front_free(&f);
        return;
    }
    buf_printf(b, "<p>%d trials on the front of %d complete; hypervolume %.4f (each "
               "objective scaled to [0, 1] over the complete trials, reference point 1.1). "
               "Red: on the front (no other trial is as good in every objective and better "
               "in one).</p>", f.front, f.n, front_hypervolume(&f, &o));
    int *shown = malloc(sizeof(int) * ((size_t)f.n + 1));
    unsigned char *keep = calloc((size_t)f.n + 1, 1);
    int m = 0;
    if (shown && keep) {
        for (int i = 0; i < f.n; i++)
            keep[i] = f.rank[i] == 0;
        m = stats_sample(f.n, REPORT_MAX_MARKS, keep, shown);
    }
    buf_puts(b, "<div class=\"grid\">");
    for (int a = 0; a < o.n; a++)
        for (int c = a + 1; c < o.n; c++)
            front_pair(b, &f, &o, a, c, shown, m);
    buf_puts(b, "</div>");
    chart_note(b, m, f.n, "complete trials");
    free(shown);
    free(keep);
    front_free(&f);
}
