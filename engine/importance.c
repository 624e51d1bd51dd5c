#include "importance.h"

#include <stdlib.h>
#include <string.h>

#include "proposer.h"

/* Sorts the searched parameters' indices by importance, largest first. */
static void rank(const double *imp, int *order, int k)
{
    for (int j = 0; j < k; j++)
        order[j] = j;
    for (int a = 1; a < k; a++) {
        int v = order[a], b = a;
        while (b > 0 && imp[order[b - 1]] < imp[v]) {
            order[b] = order[b - 1];
            b--;
        }
        order[b] = v;
    }
}

static int has_gp(const char *sampler)
{
    return strcmp(sampler, "gp") == 0 || strcmp(sampler, "auto") == 0;
}

int importance_describe(hp_target *t, hp_buf *out, int json)
{
    char err[HP_ERR_LEN];
    buf_reset(out);
    /* importances come from a gp's length-scales (auto's gp, if it has one) */
    if (!has_gp(t->study.sampler) && !(t->has_cfg && has_gp(t->cfg.sampler)))
        return -1;
    hp_study_config stored;
    const hp_study_config *cfg;
    int own;
    if (target_config(t, &stored, &own, &cfg, err))
        return -1;
    hp_proposer *p = NULL;
    int d = space_dim(cfg->space), rc = -1;
    double *imp = calloc((size_t)d + 1, sizeof *imp);
    int *order = calloc((size_t)d + 1, sizeof *order);
    const char **names = calloc((size_t)d + 1, sizeof *names);
    if (imp && order && names && proposer_new(cfg, &p, err) == 0) {
        proposer_set_store(p, t->store, t->study.study_id);
        rc = proposer_importance(p, imp, err);
    }
    if (rc == 0) {
        int k = 0;
        for (int i = 0; i < space_size(cfg->space) && k < d; i++)
            if (space_param(cfg->space, i)->kind != HP_PARAM_FIXED)
                names[k++] = space_param(cfg->space, i)->name;
        rank(imp, order, k);
        buf_puts(out, json ? "{" : "");
        for (int j = 0; j < k; j++) {
            if (json) {
                buf_printf(out, "%s", j ? ", " : "");
                buf_json_string(out, names[order[j]]);
                buf_printf(out, ": %.4f", imp[order[j]]);
            } else {
                buf_printf(out, "%s%s %.2f", j ? ", " : "", names[order[j]], imp[order[j]]);
            }
        }
        buf_puts(out, json ? "}" : "");
    }
    proposer_free(p);
    free(imp);
    free(order);
    free(names);
    if (own)
        study_deinit(&stored);
    return rc == 0 && buf_ok(out) ? 0 : -1;
}
