#include "proposer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../search/seed.h"
#include "error.h"
#include "rung_model.h"

/* Room for a saved fit: a GP's 2 + 64 numbers at full precision. */
#define MODEL_TEXT 2048

struct hp_proposer {
    const hp_study_config *cfg;
    hp_sampler *sampler;
    hp_value *values;  /* space_size entries, scratch */
    hp_buf json;
    hp_store *store;   /* history source for model-based samplers */
    int64_t study_id;
    /* the history as the sampler sees it; grown as needed.  Rows below
       n_kept are the finished trials numbered below next_number, which
       never change: later loads read only from next_number on */
    double *x, *y, *x_running;
    int n, n_running, cap, cap_running;
    /* per finished row: trial number, pruned or not, and the values the
       sampler sees (y with pruned trials filled in; see rung_model.h) */
    int64_t *numbers;
    unsigned char *pruned;
    double *y_model;
    double *ys;        /* several objectives: n x k final values, NaN = none */
    double *cv;        /* constraints: n x n_constraints metric values */
    hp_rung_note note;
    int modelled_pruned;  /* the last load had pruned trials */
    char model[MODEL_TEXT];  /* the fit last saved or loaded */
    int n_kept;
    int64_t next_number;
    int extending;     /* while loading: every trial so far is finished */
    int load_rc;
    char load_err[HP_ERR_LEN];
};

int proposer_new(const hp_study_config *cfg, hp_proposer **out, char *err)
{
    hp_proposer *p = calloc(1, sizeof *p);
    if (!p)
        goto oom;
    p->cfg = cfg;
    buf_init(&p->json);
    p->values = calloc((size_t)space_size(cfg->space), sizeof(hp_value));
    if (!p->values)
        goto oom;
    if (sampler_new(cfg->sampler, cfg->space, cfg->seed, &cfg->sampler_opt, &p->sampler,
                    err)) {
        proposer_free(p);
        return HP_EINPUT;
    }
    *out = p;
    return 0;
oom:
    proposer_free(p);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return HP_ENOMEM;
}

void proposer_free(hp_proposer *p)
{
    if (!p)
        return;
    sampler_free(p->sampler);
    free(p->values);
    free(p->x);
    free(p->y);
    free(p->x_running);
    free(p->numbers);
    free(p->pruned);
    free(p->y_model);
    free(p->ys);
    free(p->cv);
    buf_deinit(&p->json);
    free(p);
}

void proposer_set_store(hp_proposer *p, hp_store *store, int64_t study_id)
{
    p->store = store;
    p->study_id = study_id;
    /* a model must see the proposals made beside it */
    store_serialize_proposals(store, sampler_needs_history(p->sampler));
    p->n = p->n_kept = 0;
    p->next_number = 0;
    /* start from the study's last fit; without one (or if it cannot be
       read) the sampler fits from scratch, as before it was saved */
    if (sampler_needs_history(p->sampler)) {
        hp_buf text;
        buf_init(&text);
        int64_t trials = 0;
        int found = 0;
        char err[HP_ERR_LEN];
        if (!store_load_sampler_state(store, study_id, p->cfg->sampler, &trials, &text, &found,
                                      err) &&
            found && trials <= INT32_MAX &&
            sampler_load_model(p->sampler, buf_str(&text), (int)trials) == 0)
            snprintf(p->model, sizeof p->model, "%s", buf_str(&text));
        buf_deinit(&text);
    }
}

/* Saves the sampler's fit when it changed, for the next process.  A save
** that fails costs that process a fit from scratch, nothing else. */
static void save_model(hp_proposer *p)
{
    char text[MODEL_TEXT], err[HP_ERR_LEN];
    int trials = 0;
    if (sampler_save_model(p->sampler, text, sizeof text, &trials) <= 0 ||
        strcmp(text, p->model) == 0)
        return;
    if (store_save_sampler_state(p->store, p->study_id, p->cfg->sampler, trials, text, err) ==
        0)
        snprintf(p->model, sizeof p->model, "%s", text);
}

int proposer_needs_history(const hp_proposer *p)
{
    return sampler_needs_history(p->sampler);
}

/* Reallocates *ITEMS to N items of SIZE bytes.  Returns 0 or -1. */
static int grow(void *items, int n, size_t size)
{
    void **p = items;
    void *q = realloc(*p, size * (size_t)n);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

/* Adds one trial of the history: its parameters encoded to the cube. */
static int take_trial(void *ctx, int64_t number, hp_trial_state state, double value,
                      int n_params, const hp_param_row *params)
{
    hp_proposer *p = ctx;
    int finished = state == TRIAL_COMPLETE || state == TRIAL_FAILED ||
                   state == TRIAL_PRUNED;
    p->extending = p->extending && finished && number == p->next_number;
    /* WAITING trials have no result; PRUNED ones get a value below */
    int modelled = finished || state == TRIAL_RUNNING;
    hp_claim trial = {0};
    trial.params = (hp_param_row *)params;
    trial.n_params = n_params;
    /* a trial from another version of the space: the sampler cannot use it */
    if (modelled && proposer_claim_values(p->cfg->space, &trial, p->values, p->load_err))
        modelled = 0;
    if (modelled) {
        int d = space_dim(p->cfg->space);
        int running = state == TRIAL_RUNNING;
        int *n = running ? &p->n_running : &p->n;
        int *cap = running ? &p->cap_running : &p->cap;
        if (*n == *cap) {
            int nc = *cap ? *cap * 2 : 64;
            double **xs = running ? &p->x_running : &p->x;
            double *nx = realloc(*xs, sizeof(double) * (size_t)nc * (size_t)(d > 0 ? d : 1));
            if (!nx)
                goto oom;
            *xs = nx;
            if (!running) {
                int k = p->cfg->objectives.n, m = p->cfg->constraints.n;
                if ((k > 1 && grow(&p->ys, nc * k, sizeof *p->ys)) ||
                    (m > 0 && grow(&p->cv, nc * m, sizeof *p->cv)) ||
                    grow(&p->y, nc, sizeof *p->y) || grow(&p->y_model, nc, sizeof *p->y_model) ||
                    grow(&p->numbers, nc, sizeof *p->numbers) ||
                    grow(&p->pruned, nc, sizeof *p->pruned))
                    goto oom;
            }
            *cap = nc;
        }
        double *x = (running ? p->x_running : p->x) + (size_t)*n * (size_t)d;
        space_encode(p->cfg->space, p->values, x);
        if (!running) {
            /* a pruned trial's last value: rung_model_values places it */
            p->y[*n] = state == TRIAL_COMPLETE || state == TRIAL_PRUNED ? value : NAN;
            p->numbers[*n] = number;
            p->pruned[*n] = state == TRIAL_PRUNED;
        }
        (*n)++;
    }
    if (p->extending) {
        p->next_number = number + 1;
        p->n_kept = p->n;
    }
    return 0;
oom:
    snprintf(p->load_err, sizeof p->load_err, "out of memory");
    p->load_rc = HP_ENOMEM;
    return 1;
}

/* Puts a final value of the trial numbered NUMBER into its row of p->ys
** when NAME is one of the objectives. */
static int take_final(void *ctx, int64_t number, const char *name, double value)
{
    hp_proposer *p = ctx;
    const hp_objectives *o = &p->cfg->objectives;
    int lo = 0, hi = p->n;
    while (lo < hi) { /* rows are in number order */
        int mid = (lo + hi) / 2;
        if (p->numbers[mid] < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == p->n || p->numbers[lo] != number)
        return 0;
    for (int j = 0; j < o->n && o->n > 1; j++)
        if (strcmp(o->names[j], name) == 0)
            p->ys[(size_t)lo * (size_t)o->n + (size_t)j] = value;
    const hp_constraints *c = &p->cfg->constraints;
    for (int j = 0; j < c->n; j++)
        if (strcmp(c->names[j], name) == 0)
            p->cv[(size_t)lo * (size_t)c->n + (size_t)j] = value;
    return 0;
}

static int load_history(hp_proposer *p, hp_history *h, char *err)
{
    if (!p->store) {
        snprintf(err, HP_ERR_LEN, "sampler '%s' needs the study's history", p->cfg->sampler);
        return HP_EINPUT;
    }
    /* keep the finished prefix; re-read from the first trial that was not
       finished last time */
    p->n = p->n_kept;
    p->n_running = 0;
    p->load_rc = 0;
    p->extending = 1;
    int64_t from = p->next_number;
    int first_row = p->n_kept, k = p->cfg->objectives.n;
    int rc = store_history_since(p->store, p->study_id, p->next_number, take_trial, p, err);
    if (!rc && p->load_rc) {
        rc = p->load_rc;
        snprintf(err, HP_ERR_LEN, "%s", p->load_err);
    }
    int m = p->cfg->constraints.n;
    if (!rc && (k > 1 || m > 0) && p->n > first_row) {
        /* every objective's and constrained metric's final value, from the
           rows read again on */
        for (size_t i = (size_t)first_row * (size_t)k; k > 1 && i < (size_t)p->n * (size_t)k; i++)
            p->ys[i] = NAN;
        for (size_t i = (size_t)first_row * (size_t)m; i < (size_t)p->n * (size_t)m; i++)
            p->cv[i] = NAN;
        rc = store_finals_since(p->store, p->study_id, from, take_final, p, err);
        /* an infeasible trial reaches the sampler as a failed one: gp puts
           it at the worst value, tpe and nsga2 leave it out, so every
           sampler ranks it after the feasible ones */
        for (int i = first_row; !rc && m > 0 && i < p->n; i++)
            if (isfinite(p->y[i]) &&
                constraints_violation(&p->cfg->constraints, p->cv + (size_t)i * (size_t)m) > 0) {
                p->y[i] = NAN;
                for (int j = 0; j < k && k > 1; j++)
                    p->ys[(size_t)i * (size_t)k + (size_t)j] = NAN;
            }
    }
    if (rc) {
        p->n = p->n_kept = 0;
        p->next_number = 0;
        return HP_EINPUT;
    }
    h->n = p->n;
    h->x = p->x;
    h->y = p->y;
    h->ys = k > 1 ? p->ys : NULL;
    p->modelled_pruned = 0;
    for (int i = 0; i < p->n && !p->modelled_pruned; i++)
        p->modelled_pruned = p->pruned[i];
    if (p->modelled_pruned) {
        int n_min = sampler_initial_trials(p->sampler, p->n);
        rc = rung_model_values(p->store, p->study_id, p->cfg->metric, p->cfg->maximize,
                               n_min > 2 ? n_min : 2, p->n, p->numbers, p->pruned, p->y,
                               p->y_model, &p->note, err);
        if (rc)
            return rc;
        h->y = p->y_model;
    }
    h->n_running = p->n_running;
    h->x_running = p->x_running;
    return 0;
}

int proposer_importance(hp_proposer *p, double *importance, char *err)
{
    hp_history h;
    if (!sampler_needs_history(p->sampler) || load_history(p, &h, err))
        return HP_EINPUT;
    /* a fit, not a proposal: no acquisition to optimise for a status line */
    if (sampler_fit(p->sampler, &h, err))
        return HP_EINPUT;
    return sampler_importance(p->sampler, importance);
}

int proposer_model_note(hp_proposer *p, char *buf, int len, char *err)
{
    hp_history h;
    int rc = load_history(p, &h, err);
    if (rc)
        return rc;
    int n_init = sampler_initial_trials(p->sampler, h.n), valid = 0, since = -1;
    for (int i = 0; i < h.n; i++)
        if (isfinite(h.y[i]) && ++valid == n_init)
            since = i;
    if (valid < n_init) {
        snprintf(buf, (size_t)len, "warm-up %d/%d (space-filling trials before the first "
                 "model)", valid, n_init);
        return HP_OK;
    }
    char note[160] = "";
    if (p->modelled_pruned)
        rung_model_describe(&p->note, p->cfg->metric, note, sizeof note);
    snprintf(buf, (size_t)len, "model-based since trial %lld%s%s",
             (long long)(since >= 0 ? p->numbers[since] + 1 : 0), *note ? "; fitted to " : "",
             note);
    return HP_OK;
}

int proposer_noise_note(hp_proposer *p, char *buf, int len, char *err)
{
    hp_history h;
    int rc = load_history(p, &h, err);
    if (rc)
        return rc;
    sampler_noise_note(p->sampler, &h, buf, len);
    return HP_OK;
}

const char *proposer_describe(const hp_proposer *p, int64_t finished, char *buf, int len)
{
    return sampler_describe(p->sampler, finished > INT32_MAX ? INT32_MAX : (int)finished, buf,
                            len);
}

uint64_t proposer_capacity(const hp_proposer *p)
{
    return sampler_capacity(p->sampler);
}

uint64_t proposer_trial_seed(uint64_t study_seed, int64_t number)
{
    /* 63 bits, so that the seed stores as a non-negative SQL integer */
    return seed_for_trial(study_seed, SEED_STREAM_TRIAL, (uint64_t)number) >> 1;
}

void proposer_values_json(const hp_space *space, const hp_value *values, hp_buf *out)
{
    char text[64];
    int first = 1;
    buf_puts(out, "{");
    for (int i = 0; i < space_size(space); i++) {
        const hp_param *par = space_param(space, i);
        if (!space_value_active(values[i]))
            continue; /* not part of this trial */
        if (!first)
            buf_puts(out, ", ");
        first = 0;
        buf_json_string(out, par->name);
        buf_puts(out, ": ");
        if (space_value_is_numeric(space, i) && !space_param_is_text(par))
            buf_puts(out, space_format_value(space, i, values[i], text, sizeof text));
        else if (space_value_is_numeric(space, i))
            buf_json_number(out, values[i].value);
        else
            buf_json_string(out, par->choices[values[i].index]);
    }
    buf_puts(out, "}");
}

int proposer_propose(void *ctx, int64_t number, hp_claim *c, char *err)
{
    hp_proposer *p = ctx;
    const hp_space *space = p->cfg->space;
    hp_history h, *hist = NULL;
    if (sampler_needs_history(p->sampler)) {
        if (load_history(p, &h, err))
            return HP_EINPUT;
        hist = &h;
    }
    if (sampler_propose(p->sampler, (uint64_t)number, hist, p->values, err))
        return HP_EINPUT;
    if (hist)
        save_model(p);
    int n = space_size(space);
    c->params = calloc((size_t)n + 1, sizeof *c->params);
    if (!c->params)
        goto oom;
    c->n_params = 0;
    for (int i = 0; i < n; i++) {
        const hp_param *par = space_param(space, i);
        if (!space_value_active(p->values[i]))
            continue; /* an inactive parameter has no row */
        hp_param_row *row = &c->params[c->n_params++];
        row->name = strdup(par->name);
        row->value = p->values[i].value;
        if (!row->name)
            goto oom;
        if (space_param_is_text(par)) {
            row->text = strdup(par->choices[p->values[i].index]);
            if (!row->text)
                goto oom;
        }
    }
    buf_reset(&p->json);
    proposer_values_json(space, p->values, &p->json);
    if (!buf_ok(&p->json) || !(c->params_json = strdup(buf_str(&p->json))))
        goto oom;
    c->seed = proposer_trial_seed(p->cfg->seed, number);
    c->sampler = p->cfg->sampler;
    c->sampler_seed = p->cfg->seed;
    c->promising = sampler_last_promising(p->sampler);
    return 0;
oom:
    snprintf(err, HP_ERR_LEN, "out of memory");
    return HP_ENOMEM;
}

int proposer_claim_values(const hp_space *space, const hp_claim *c, hp_value *values,
                          char *err)
{
    for (int i = 0; i < space_size(space); i++) {
        const hp_param *par = space_param(space, i);
        const hp_param_row *row = NULL;
        for (int k = 0; k < c->n_params; k++)
            if (strcmp(c->params[k].name, par->name) == 0)
                row = &c->params[k];
        if (!row && space_is_conditional(space, i)) {
            /* inactive, if the trial's other values say so (checked below) */
            values[i].index = HP_INACTIVE;
            values[i].value = NAN;
            continue;
        }
        if (!row) {
            snprintf(err, HP_ERR_LEN, "trial %lld has no parameter '%s'",
                     (long long)c->number, par->name);
            return HP_EINPUT;
        }
        values[i].index = -1;
        values[i].value = row->value;
        if (space_param_is_text(par)) {
            for (int k = 0; k < par->n_choices; k++)
                if (row->text && strcmp(row->text, par->choices[k]) == 0)
                    values[i].index = k;
            if (values[i].index < 0) {
                snprintf(err, HP_ERR_LEN, "trial %lld: '%s' is not a value of '%s'",
                         (long long)c->number, row->text ? row->text : "", par->name);
                return HP_EINPUT;
            }
            values[i].value = par->choice_num[values[i].index];
        } else if (!isfinite(row->value)) {
            snprintf(err, HP_ERR_LEN, "trial %lld: parameter '%s' has no number",
                     (long long)c->number, par->name);
            return HP_EINPUT;
        }
    }
    /* rows of parameters whose condition fails are ignored; a parameter
       missing where its condition holds: another version of the space */
    space_apply_conditions(space, values);
    for (int i = 0; i < space_size(space); i++)
        if (!space_value_active(values[i]) && space_condition_holds(space, i, values)) {
            snprintf(err, HP_ERR_LEN, "trial %lld has no parameter '%s'",
                     (long long)c->number, space_param(space, i)->name);
            return HP_EINPUT;
        }
    return 0;
}
