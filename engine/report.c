/*
** The report's page: its frame (CSP, styles for light, dark and print,
** the age script), the summary and failure tables, and the order of the
** sections; the charts come from report_charts*.c.
*/
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../search/report_stats.h"
#include "error.h"
#include "files.h"
#include "html.h"
#include "proposer.h"
#include "report_charts.h"
#include "report_data.h"

static const char *const style =
    ":root{--fg:#1d2330;--bg:#fff;--muted:#5b6475;--grid:#e3e6ec;--accent:#2f6fd6;"
    "--bad:#d6453d;--warn:#e08a1e;--ok:#2f6fd6;--top:#e0542e}"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--bg:#15181e;--muted:#9aa3b2;"
    "--grid:#2c323d;--accent:#79a7ff;--bad:#ff7b72;--warn:#f2b35b;--ok:#79a7ff;--top:#ff9a6b}}"
    "body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);"
    "margin:0 auto;max-width:1100px;padding:16px 24px}"
    "h1{font-size:22px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid var(--grid)}"
    "table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;vertical-align:top}"
    "pre{background:var(--grid);padding:8px;overflow:auto}.note{color:var(--muted);font-size:12px}"
    ".grid{display:flex;flex-wrap:wrap;gap:8px}.scroll{overflow-x:auto}"
    "svg.chart{font-size:11px;fill:var(--fg);max-width:100%;height:auto}"
    "svg .frame{fill:none;stroke:var(--muted)}svg .grid,svg .axis{stroke:var(--grid)}"
    "svg .tick{fill:var(--muted)}svg .title{font-size:12px}"
    "svg .best{fill:none;stroke:var(--top);stroke-width:2}"
    "svg .complete,svg .bar,svg .dot{fill:var(--ok)}svg .dot{fill:var(--fg);opacity:.5}"
    "svg .pruned{stroke:var(--warn);fill:var(--warn);stroke-width:1.5}"
    "svg .failed{stroke:var(--bad);fill:var(--bad);stroke-width:2}"
    "svg .running{fill:var(--muted)}svg .waiting{fill:var(--grid)}"
    "svg .line{fill:none;stroke:var(--muted);opacity:.25}"
    "svg .line.top{stroke:var(--top);opacity:.8}"
    "svg .curve{fill:none;stroke:var(--ok);opacity:.35}svg .curve.pruned{stroke:var(--warn)}"
    "svg .curve.best{stroke:var(--top);stroke-width:2.5;opacity:1}"
    "svg .end{stroke:var(--warn);stroke-width:1.5}svg .rung{stroke:var(--muted);"
    "stroke-dasharray:3 3}.log{display:none}#logscale:checked~.lin{display:none}"
    "#logscale:checked~.log{display:block}"
    "@media print{body{max-width:none}h2{break-after:avoid}svg{break-inside:avoid}}";

/* Says how old the page is, when it is looked at (the only script). */
static const char *const age_script =
    "(function(){var g=Number(document.body.getAttribute('data-generated'));"
    "var e=document.getElementById('age');function t(){var s=Math.max(0,Date.now()/1000-g);"
    "e.textContent=s<90?Math.round(s)+' s ago':s<5400?Math.round(s/60)+' min ago':"
    "Math.round(s/3600)+' h ago';}t();setInterval(t,10000);})();";

static void head(hp_buf *b, const hp_report_data *d, int refresh)
{
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
             "base-uri 'none'; form-action 'none'\">"
             "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
             "<meta name=\"color-scheme\" content=\"light dark\">");
    if (refresh > 0)
        buf_printf(b, "<meta http-equiv=\"refresh\" content=\"%d\">", refresh);
    buf_puts(b, "<title>");
    html_text(b, d->study.name);
    buf_printf(b, " - hpsearch report</title><style>%s</style></head>\n", style);
    buf_printf(b, "<body data-generated=\"%.0f\">", d->generated);
}

static void counts(const hp_report_data *d, int64_t c[TRIAL_N_STATES])
{
    for (int s = 0; s < TRIAL_N_STATES; s++)
        c[s] = 0;
    for (int i = 0; i < d->n; i++)
        c[d->trials[i].state]++;
}

/* The best trial's parameters as a [params] block, values as a study file
** reads them. */
static void params_block(hp_buf *b, const hp_report_data *d, int best)
{
    buf_puts(b, "<pre>[params]\n");
    const hp_space *space = d->cfg.space;
    int j = 0;
    char v[40];
    for (int i = 0; i < space_size(space); i++) {
        const hp_param *p = space_param(space, i);
        html_text(b, p->name);
        buf_puts(b, " = ");
        if (p->kind == HP_PARAM_FIXED) {
            html_text(b, p->choices[0]);
        } else {
            double x = d->pv[(size_t)best * (size_t)d->d + (size_t)j++];
            if (isnan(x))
                buf_puts(b, "?");
            else if (space_param_is_text(p))
                html_text(b, p->choices[(int)x]);
            else
                buf_puts(b, buf_number_text(x, v, sizeof v));
        }
        buf_puts(b, "\n");
    }
    buf_puts(b, "</pre>");
}

static void summary(hp_buf *b, const hp_report_data *d)
{
    int64_t c[TRIAL_N_STATES];
    counts(d, c);
    int64_t finished = c[TRIAL_COMPLETE] + c[TRIAL_PRUNED] + c[TRIAL_FAILED];
    double t0 = chart_first_start(d), t1 = t0;
    for (int i = 0; i < d->n; i++)
        if (isfinite(d->trials[i].finished) && d->trials[i].finished > t1)
            t1 = d->trials[i].finished;
    time_t g = (time_t)d->generated;
    char when[64], v[40];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&g));
    buf_puts(b, "<h1>Study ");
    html_text(b, d->study.name);
    buf_printf(b, "</h1><p class=\"note\">Report written %s (<span id=\"age\">now</span>) by "
               "hpsearch.</p><h2 id=\"summary\">Summary</h2><table>", when);
    if (d->n_objectives > 1) {
        buf_puts(b, "<tr><th>objectives</th><td>");
        html_text(b, d->objectives);
    } else {
        buf_puts(b, "<tr><th>objective</th><td>");
        html_text(b, d->study.direction);
        buf_puts(b, " ");
        html_text(b, d->study.metric);
    }
    buf_puts(b, "</td></tr><tr><th>sampler</th><td>");
    html_text(b, d->study.sampler);
    buf_puts(b, d->has_cfg ? "</td></tr><tr><th>pruner</th><td>" : "");
    if (d->has_cfg)
        html_text(b, d->cfg.pruner);
    buf_printf(b, "</td></tr><tr><th>trials</th><td>%lld of %lld finished: %lld complete, "
               "%lld pruned, %lld failed; %lld running, %lld waiting</td></tr>",
               (long long)finished, (long long)d->study.trials, (long long)c[TRIAL_COMPLETE],
               (long long)c[TRIAL_PRUNED], (long long)c[TRIAL_FAILED],
               (long long)c[TRIAL_RUNNING], (long long)c[TRIAL_WAITING]);
    buf_printf(b, "<tr><th>wall time</th><td>%.1f s, %.2f trials/s</td></tr>", t1 - t0,
               t1 > t0 ? (double)finished / (t1 - t0) : 0.0);
    int best = report_best(d);
    if (best >= 0) {
        buf_printf(b, "<tr><th>best</th><td>trial %lld: ", (long long)d->trials[best].number);
        html_text(b, d->study.metric);
        buf_printf(b, " = %s%s</td></tr></table>",
                   buf_number_text(d->trials[best].value, v, sizeof v),
                   d->n_objectives > 1 ? " (by the first objective; the Pareto front below "
                                         "has every trade-off)" : "");
        if (d->has_cfg)
            params_block(b, d, best);
    } else {
        buf_puts(b, "<tr><th>best</th><td>no complete trial yet</td></tr></table>");
    }
}

/* Sorts K indices of VALUES, largest first. */
static void rank(const double *values, int *order, int k)
{
    for (int j = 0; j < k; j++)
        order[j] = j;
    for (int a = 1; a < k; a++) {
        int v = order[a], c = a;
        while (c > 0 && values[order[c - 1]] < values[v]) {
            order[c] = order[c - 1];
            c--;
        }
        order[c] = v;
    }
}

/* The variance shares of the parameters over the complete trials, from
** their unit-cube coordinates.  Returns 0, or -1 when there are too few. */
static int variance_importance(const hp_report_data *d, double *imp)
{
    const hp_space *space = d->cfg.space;
    int ns = space_size(space), n = 0, rc = -1;
    double *u = malloc(sizeof(double) * (size_t)d->n * (size_t)d->d + 1);
    double *y = malloc(sizeof(double) * ((size_t)d->n + 1));
    hp_value *vals = calloc((size_t)ns + 1, sizeof *vals);
    if (!u || !y || !vals)
        goto out;
    for (int i = 0; i < d->n; i++) {
        const rp_trial *t = &d->trials[i];
        if (t->state != TRIAL_COMPLETE || !isfinite(t->value))
            continue;
        int j = 0, ok = 1;
        for (int s = 0; s < ns; s++) {
            const hp_param *p = space_param(space, s);
            vals[s].index = -1;
            vals[s].value = 0;
            if (p->kind == HP_PARAM_FIXED) {
                vals[s].index = 0;
                continue;
            }
            double x = d->pv[(size_t)i * (size_t)d->d + (size_t)j++];
            if (isnan(x) && space_is_conditional(space, s)) {
                vals[s].index = HP_INACTIVE; /* a bin of its own, below */
                continue;
            }
            ok &= !isnan(x);
            if (space_param_is_text(p))
                vals[s].index = isnan(x) ? 0 : (int)x;
            else
                vals[s].value = x;
        }
        if (!ok)
            continue;
        double *row = u + (size_t)n * (size_t)d->d;
        space_encode(space, vals, row);
        /* inactive: one value below the cube, so the trials where the
           parameter is absent are one bin (stats_importance never splits
           equal values) */
        for (int k = 0; k < d->d; k++)
            if (isnan(row[k]))
                row[k] = -1;
        y[n++] = t->value;
    }
    rc = stats_importance(u, y, n, d->d, n >= 100 ? 10 : n / 10 + 2, imp);
out:
    free(u);
    free(y);
    free(vals);
    return rc;
}

static void importance_section(hp_buf *b, const hp_report_data *d, hp_store *store, int *top)
{
    top[0] = top[1] = -1;
    buf_puts(b, "<h2 id=\"importance\">Parameter importance</h2>");
    double *imp = calloc((size_t)d->d + 1, sizeof *imp);
    int *order = calloc((size_t)d->d + 1, sizeof *order);
    if (!imp || !order || d->d == 0 || variance_importance(d, imp)) {
        buf_puts(b, "<p class=\"note\">Not enough complete trials with varying values to "
                 "tell.</p>");
    } else {
        rank(imp, order, d->d);
        top[0] = order[0];
        top[1] = d->d > 1 ? order[1] : -1;
        chart_importance(b, d, imp, order, d->d, "share of the variance explained");
        buf_puts(b, "<p class=\"note\">Model-free: how much of the variance of the metric "
                 "the mean within bins of each parameter explains (a binned first-order "
                 "Sobol index, the main effects of fANOVA), less what noise would.</p>");
        /* gp studies: the model's own view beside it */
        char err[HP_ERR_LEN];
        hp_proposer *p = NULL;
        if (strcmp(d->study.sampler, "gp") == 0 && proposer_new(&d->cfg, &p, err) == 0) {
            proposer_set_store(p, store, d->study.study_id);
            if (proposer_importance(p, imp, err) == 0) {
                rank(imp, order, d->d);
                chart_importance(b, d, imp, order, d->d, "gp length-scales, 1/l normalised");
                buf_puts(b, "<p class=\"note\">From the Gaussian process's fitted "
                         "length-scales: shorter means the metric changes faster along "
                         "that parameter.</p>");
            }
        }
        proposer_free(p);
    }
    free(imp);
    free(order);
}

/* Failures grouped by the first line of their reason. */
static void failures(hp_buf *b, const hp_report_data *d)
{
    buf_puts(b, "<h2 id=\"failures\">Failures</h2>");
    int *group = malloc(sizeof(int) * ((size_t)d->n + 1)); /* a group's first trial */
    int *count = calloc((size_t)d->n + 1, sizeof(int));
    int groups = 0;
    if (!group || !count)
        goto out;
    for (int i = 0; i < d->n; i++) {
        const char *e = d->trials[i].error;
        if (d->trials[i].state != TRIAL_FAILED)
            continue;
        size_t len = e ? strcspn(e, "\n") : 0;
        int g = 0;
        while (g < groups) {
            const char *f = d->trials[group[g]].error;
            size_t fl = f ? strcspn(f, "\n") : 0;
            if (fl == len && (len == 0 || strncmp(f, e, len) == 0))
                break;
            g++;
        }
        if (g == groups && groups < 50)
            group[groups++] = i;
        if (g < groups)
            count[g]++;
    }
    if (groups == 0) {
        buf_puts(b, "<p>No trial failed.</p>");
        goto out;
    }
    buf_puts(b, "<table class=\"failures\"><tr><th>trials</th><th>first</th><th>reason"
             "</th></tr>");
    for (int g = 0; g < groups; g++) {
        const rp_trial *t = &d->trials[group[g]];
        buf_printf(b, "<tr><td>%d</td><td>%lld</td><td><pre>", count[g], (long long)t->number);
        html_text(b, t->error ? t->error : "(no reason given)");
        buf_puts(b, "</pre></td></tr>");
    }
    buf_puts(b, "</table>");
out:
    free(group);
    free(count);
}

static void history(hp_buf *b, const hp_report_data *d)
{
    buf_puts(b, "<h2 id=\"history\">Optimization history</h2>");
    double *v = malloc(sizeof(double) * ((size_t)d->n + 1));
    int log = 0;
    if (v) {
        for (int i = 0; i < d->n; i++)
            v[i] = d->trials[i].value;
        log = stats_spans_decades(v, d->n);
        free(v);
    }
    if (log)
        buf_puts(b, "<input type=\"checkbox\" id=\"logscale\"><label for=\"logscale\"> log "
                 "scale (the values span decades)</label>");
    for (int by_time = 0; by_time <= 1; by_time++) {
        buf_puts(b, "<div class=\"lin\">");
        chart_history(b, d, by_time, 0);
        buf_puts(b, "</div>");
        if (log) {
            buf_puts(b, "<div class=\"log\">");
            chart_history(b, d, by_time, 1);
            buf_puts(b, "</div>");
        }
    }
    buf_puts(b, "<p class=\"note\">Dots: complete trials; crosses: pruned, at their last "
             "value; red ticks on the axis: failed; the line: the best so far.</p>");
}

static void render(hp_buf *b, const hp_report_data *d, hp_store *store,
                   const hp_study_row *study, int refresh)
{
    head(b, d, refresh);
    summary(b, d);
    int64_t c[TRIAL_N_STATES];
    counts(d, c);
    if (c[TRIAL_COMPLETE] + c[TRIAL_PRUNED] + c[TRIAL_FAILED] == 0) {
        buf_printf(b, "<p id=\"empty\">No trial has finished yet; the charts appear as "
                   "trials finish.</p><script>%s</script></body></html>\n", age_script);
        return;
    }
    /* the stored row: every objective */
    chart_front(b, store, study, d->has_cfg ? &d->cfg.constraints : NULL);
    history(b, d);
    int top[2];
    if (d->has_cfg && d->d > 0) {
        importance_section(b, d, store, top);
        buf_puts(b, "<h2 id=\"slices\">Slices</h2>");
        chart_slices(b, d);
        buf_puts(b, "<h2 id=\"parallel\">Parallel coordinates</h2><div class=\"scroll\">");
        chart_parallel(b, d);
        buf_puts(b, "</div>");
        if (top[1] >= 0) {
            buf_puts(b, "<h2 id=\"contour\">Contour</h2>");
            chart_contour(b, d, top[0], top[1]);
        }
    }
    if (d->n_points > 0) {
        buf_puts(b, "<h2 id=\"curves\">Learning curves</h2>");
        chart_curves(b, d);
    }
    buf_puts(b, "<h2 id=\"timeline\">Timeline</h2>");
    chart_timeline(b, d);
    failures(b, d);
    buf_printf(b, "<script>%s</script></body></html>\n", age_script);
}

int report_write(hp_store *store, const hp_study_row *study, const char *path, int refresh,
                 char *err)
{
    hp_report_data d;
    int rc = report_load(store, study, &d, err);
    if (rc)
        return rc;
    hp_buf b;
    buf_init(&b);
    render(&b, &d, store, study, refresh);
    report_data_deinit(&d);
    if (!buf_ok(&b)) {
        buf_deinit(&b);
        snprintf(err, HP_ERR_LEN, "out of memory");
        return HP_ENOMEM;
    }
    char *tmp = NULL;
    FILE *f = files_open_beside(path, &tmp);
    if (!f) {
        snprintf(err, HP_ERR_LEN, "cannot write '%s': %s", path, strerror(errno));
        buf_deinit(&b);
        return HP_EINPUT;
    }
    int bad = fwrite(b.data, 1, b.len, f) != b.len;
    bad |= fclose(f) != 0;
    buf_deinit(&b);
    if (bad || rename(tmp, path) != 0) {
        snprintf(err, HP_ERR_LEN, "cannot write '%s': %s", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return HP_ERUNTIME;
    }
    free(tmp);
    return HP_OK;
}
