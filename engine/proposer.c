#include "proposer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../search/seed.h"

struct hp_proposer {
    const hp_study_config *cfg;
    hp_sampler *sampler;
    hp_value *values;  /* space_size entries, scratch */
    hp_buf json;
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
    if (sampler_new(cfg->sampler, cfg->space, cfg->seed, &p->sampler, err)) {
        proposer_free(p);
        return -1;
    }
    *out = p;
    return 0;
oom:
    proposer_free(p);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return -1;
}

void proposer_free(hp_proposer *p)
{
    if (!p)
        return;
    sampler_free(p->sampler);
    free(p->values);
    buf_deinit(&p->json);
    free(p);
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
    buf_puts(out, "{");
    for (int i = 0; i < space_size(space); i++) {
        const hp_param *par = space_param(space, i);
        if (i)
            buf_puts(out, ", ");
        buf_json_string(out, par->name);
        buf_puts(out, ": ");
        if (space_value_is_numeric(space, i) && par->kind != HP_PARAM_CHOICE &&
            par->kind != HP_PARAM_FIXED)
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
    if (sampler_propose(p->sampler, (uint64_t)number, p->values, err))
        return -1;
    int n = space_size(space);
    c->params = calloc((size_t)n, sizeof *c->params);
    if (!c->params)
        goto oom;
    c->n_params = n;
    for (int i = 0; i < n; i++) {
        const hp_param *par = space_param(space, i);
        c->params[i].name = strdup(par->name);
        c->params[i].value = p->values[i].value;
        if (!c->params[i].name)
            goto oom;
        if (par->kind == HP_PARAM_CHOICE || par->kind == HP_PARAM_FIXED) {
            c->params[i].text = strdup(par->choices[p->values[i].index]);
            if (!c->params[i].text)
                goto oom;
        }
    }
    buf_reset(&p->json);
    proposer_values_json(space, p->values, &p->json);
    if (!buf_ok(&p->json) || !(c->params_json = strdup(buf_str(&p->json))))
        goto oom;
    c->seed = proposer_trial_seed(p->cfg->seed, number);
    return 0;
oom:
    snprintf(err, HP_ERR_LEN, "out of memory");
    return -1;
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
        if (!row) {
            snprintf(err, HP_ERR_LEN, "trial %lld has no parameter '%s'",
                     (long long)c->number, par->name);
            return -1;
        }
        values[i].index = -1;
        values[i].value = row->value;
        if (par->kind == HP_PARAM_CHOICE || par->kind == HP_PARAM_FIXED) {
            for (int k = 0; k < par->n_choices; k++)
                if (row->text && strcmp(row->text, par->choices[k]) == 0)
                    values[i].index = k;
            if (values[i].index < 0) {
                snprintf(err, HP_ERR_LEN, "trial %lld: '%s' is not a value of '%s'",
                         (long long)c->number, row->text ? row->text : "", par->name);
                return -1;
            }
            values[i].value = par->choice_num[values[i].index];
        } else if (!isfinite(row->value)) {
            snprintf(err, HP_ERR_LEN, "trial %lld: parameter '%s' has no number",
                     (long long)c->number, par->name);
            return -1;
        }
    }
    return 0;
}
