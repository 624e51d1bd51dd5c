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

int importance_describe(hp_target *t, hp_buf *out, int json)
{
    char err[HP_ERR_LEN];
    buf_reset(out);
    if (strcmp(t->study.sampler, "gp") != 0 && !(t->has_cfg && strcmp(t->cfg.sampler, "gp") == 0))
        return -1;
    hp_study_config stored, *cfg = &t->cfg;
    int own = 0;
    if (!t->has_cfg) {
        hp_buf text;
        buf_init(&text);
        int rc = store_study_config(t->store, t->study.study_id, &text, err);
        rc = rc || study_load_text("stored study", buf_str(&text), 1, &stored, err);
        buf_deinit(&text);
        if (rc)
            return -1;
        cfg = &stored;
        own = 1;
    }
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
