/*
** hpsearch studies DB: the studies in a database, one line each.
*/
#include <math.h>

#include "cli.h"

typedef struct {
    hp_store *store;
    int n;
} list_ctx;

static int keep_value(void *ctx, const hp_trial_row *row)
{
    *(double *)ctx = row->value;
    return 0;
}

static int print_study(void *ctx, const hp_study_row *row,
                       const int64_t counts[TRIAL_N_STATES])
{
    list_ctx *l = ctx;
    char err[HP_ERR_LEN];
    if (l->n++ == 0)
        printf("%-24s %-9s %-16s %-7s %9s %8s %s\n", "name", "direction", "metric",
               "sampler", "finished", "running", "best");
    double best = NAN;
    int found = 0;
    store_best(l->store, row->study_id, row->direction[0] == 'm' && row->direction[1] == 'a',
               keep_value, &best, &found, err);
    int64_t finished = counts[TRIAL_COMPLETE] + counts[TRIAL_PRUNED] + counts[TRIAL_FAILED];
    char fin[48], v[40];
    snprintf(fin, sizeof fin, "%lld/%lld", (long long)finished, (long long)row->trials);
    printf("%-24s %-9s %-16s %-7s %9s %8lld %s\n", row->name, row->direction, row->metric,
           row->sampler, fin, (long long)counts[TRIAL_RUNNING],
           found ? buf_number_text(best, v, sizeof v) : "-");
    return 0;
}

int cmd_studies(const hp_args *a, hp_target *t, char *err)
{
    (void)t;
    list_ctx l = {NULL, 0};
    int rc = store_open(a->pos[0], 0, &l.store, err);
    if (rc)
        return rc;
    rc = store_list_studies(l.store, print_study, &l, err);
    store_close(l.store);
    if (!rc && l.n == 0)
        printf("no studies in '%s'\n", a->pos[0]);
    return rc;
}
