#include "report_data.h"

#include "objectives.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../search/name_index.h"
#include "buf.h"
#include "clock.h"
#include "error.h"

typedef struct {
    hp_report_data *d;
    int cap, cap_workers;
    hp_name_index *workers;  /* worker -> index: ask/tell gives each trial its own */
    int oom;
} load_ctx;

static int intern_worker(load_ctx *c, const char *w)
{
    hp_report_data *d = c->d;
    if (!w)
        return -1;
    int i = name_index_get(c->workers, w);
    if (i >= 0)
        return i;
    if (buf_grow_array(&d->workers, &c->cap_workers, d->n_workers + 1, sizeof *d->workers) ||
        !(d->workers[d->n_workers] = strdup(w)) ||
        name_index_put(c->workers, w, d->n_workers))
        return -2;
    return d->n_workers++;
}

static int take_trial(void *ctx, const hp_trial_row *row)
{
    load_ctx *c = ctx;
    hp_report_data *d = c->d;
    if (buf_grow_array(&d->trials, &c->cap, d->n + 1, sizeof *d->trials)) {
        c->oom = 1;
        return 1;
    }
    rp_trial *t = &d->trials[d->n];
    memset(t, 0, sizeof *t);
    t->number = row->number;
    t->state = row->state;
    t->value = row->value;
    t->started = row->started_at;
    t->finished = row->finished_at;
    t->worker = intern_worker(c, row->worker);
    if (t->worker == -2 || (row->error && !(t->error = strdup(row->error)))) {
        c->oom = 1;
        return 1;
    }
    d->n++;
    return 0;
}

/* The trial's index from its number: numbers are dense from 0. */
static int index_of(const hp_report_data *d, int64_t number)
{
    if (number >= 0 && number < d->n && d->trials[number].number == number)
        return (int)number;
    int lo = 0, hi = d->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (d->trials[mid].number == number)
            return mid;
        if (d->trials[mid].number < number)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

typedef struct {
    hp_report_data *d;
    hp_name_index *by_name;   /* parameter name -> column */
} param_ctx;

static int take_param(void *ctx, int64_t number, const char *name, double value,
                      const char *text)
{
    param_ctx *c = ctx;
    hp_report_data *d = c->d;
    int i = index_of(d, number);
    int j = name_index_get(c->by_name, name);
    if (i < 0 || j < 0)
        return 0;
    const hp_param *p = d->params[j].param;
    double v = NAN;
    if (space_param_is_text(p)) {
        for (int k = 0; k < p->n_choices && text; k++)
            if (strcmp(p->choices[k], text) == 0)
                v = k;
    } else if (!text) {
        v = value;
    }
    d->pv[(size_t)i * (size_t)d->d + (size_t)j] = v;
    return 0;
}

static int take_point(void *ctx, int64_t number, int64_t step, double value)
{
    load_ctx *c = ctx;
    hp_report_data *d = c->d;
    int i = index_of(d, number);
    if (i < 0)
        return 0;
    if (buf_grow_array(&d->curve_step, &d->cap_points, d->n_points + 1,
                       sizeof *d->curve_step)) {
        c->oom = 1;
        return 1;
    }
    int cap = d->cap_points;
    double *nv = realloc(d->curve_value, sizeof *nv * (size_t)cap);
    if (!nv) {
        c->oom = 1;
        return 1;
    }
    d->curve_value = nv;
    if (d->curve_len[i] == 0)
        d->curve_start[i] = d->n_points;
    d->curve_step[d->n_points] = step;
    d->curve_value[d->n_points++] = value;
    d->curve_len[i]++;
    return 0;
}

/* The searched parameters of the stored study file, with their axes. */
static int load_params(hp_report_data *d)
{
    const hp_space *space = d->cfg.space;
    d->params = calloc((size_t)space_size(space) + 1, sizeof *d->params);
    if (!d->params)
        return -1;
    for (int i = 0; i < space_size(space); i++) {
        const hp_param *p = space_param(space, i);
        if (p->kind == HP_PARAM_FIXED)
            continue;
        d->params[d->d].param = p;
        d->params[d->d].log = p->log;
        d->d++;
    }
    size_t cells = (size_t)d->n * (size_t)(d->d ? d->d : 1);
    d->pv = malloc(sizeof *d->pv * (cells ? cells : 1));
    if (!d->pv)
        return -1;
    for (size_t k = 0; k < cells; k++)
        d->pv[k] = NAN;
    return 0;
}

int report_load(hp_store *store, const hp_study_row *study, hp_report_data *d, char *err)
{
    memset(d, 0, sizeof *d);
    d->study = *study;
    hp_objectives o;
    int which;
    d->n_objectives = 1;
    if (objectives_parse(study->metric, study->direction, &o, &which, err) == 0 && o.n > 1) {
        size_t at = 0;
        for (int j = 0; j < o.n && at < sizeof d->objectives; j++)
            at += (size_t)snprintf(d->objectives + at, sizeof d->objectives - at, "%s%s %s",
                                   j ? ", " : "", o.maximize[j] ? "maximize" : "minimize",
                                   o.names[j]);
        d->n_objectives = o.n;
        snprintf(d->study.metric, sizeof d->study.metric, "%s", o.names[0]);
        snprintf(d->study.direction, sizeof d->study.direction, "%s",
                 o.maximize[0] ? "maximize" : "minimize");
    }
    err[0] = '\0';
    d->maximize = strncmp(study->direction, "maximize", 8) == 0;
    d->generated = clock_wall();
    hp_buf text;
    buf_init(&text);
    int rc = store_study_config(store, study->study_id, &text, err);
    if (rc == HP_OK && study_load_text("stored study", buf_str(&text), 1, &d->cfg, err) == 0)
        d->has_cfg = 1;
    buf_deinit(&text);
    if (rc)
        return rc;
    load_ctx c = {d, 0, 0, name_index_new(0), 0};
    if (!c.workers)
        c.oom = 1;
    else
        rc = store_list_trials(store, study->study_id, -1, 0, d->maximize, 0, take_trial, &c, err);
    if (rc == HP_OK && !c.oom) {
        d->curve_start = calloc((size_t)d->n + 1, sizeof *d->curve_start);
        d->curve_len = calloc((size_t)d->n + 1, sizeof *d->curve_len);
        if (!d->curve_start || !d->curve_len || (d->has_cfg && load_params(d)))
            c.oom = 1;
    }
    if (rc == HP_OK && !c.oom && d->has_cfg) {
        param_ctx pc = {d, name_index_new(0)};
        for (int j = 0; pc.by_name && j < d->d; j++)
            if (name_index_put(pc.by_name, d->params[j].param->name, j))
                c.oom = 1;
        if (!pc.by_name)
            c.oom = 1;
        else if (!c.oom)
            rc = store_study_params(store, study->study_id, take_param, &pc, err);
        name_index_free(pc.by_name);
    }
    if (rc == HP_OK && !c.oom)
        rc = store_study_curves(store, study->study_id, study->metric, take_point, &c, err);
    name_index_free(c.workers);
    if (rc == HP_OK && c.oom) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        rc = HP_ENOMEM;
    }
    if (rc)
        report_data_deinit(d);
    return rc;
}

void report_data_deinit(hp_report_data *d)
{
    for (int i = 0; i < d->n; i++)
        free(d->trials[i].error);
    free(d->trials);
    for (int i = 0; i < d->n_workers; i++)
        free(d->workers[i]);
    free(d->workers);
    free(d->params);
    free(d->pv);
    free(d->curve_start);
    free(d->curve_len);
    free(d->curve_step);
    free(d->curve_value);
    if (d->has_cfg)
        study_deinit(&d->cfg);
    memset(d, 0, sizeof *d);
}

int report_best(const hp_report_data *d)
{
    int best = -1;
    for (int i = 0; i < d->n; i++) {
        const rp_trial *t = &d->trials[i];
        if (t->state != TRIAL_COMPLETE || !isfinite(t->value))
            continue;
        if (best < 0 || (d->maximize ? t->value > d->trials[best].value
                                     : t->value < d->trials[best].value))
            best = i;
    }
    return best;
}
