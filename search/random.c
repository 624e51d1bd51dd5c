/*
** Random sampler: each trial's point is drawn from the 64-bit stream of its
** (study seed, trial number) seed, so trial N gets the same parameters
** whichever worker claims it and whatever ran before.
*/
#include <stdio.h>
#include <stdlib.h>

#include "sampler_impl.h"
#include "seed.h"

typedef struct {
    const hp_space *space;
    uint64_t seed;
    double *u;     /* space_dim coordinates */
} random_state;

static void random_destroy(void *state)
{
    random_state *r = state;
    if (!r)
        return;
    free(r->u);
    free(r);
}

static int random_create(const hp_space *space, uint64_t seed, const hp_sampler_options *opt,
                        void **state, char *err)
{
    (void)opt;
    random_state *r = calloc(1, sizeof *r);
    if (!r)
        goto oom;
    r->space = space;
    r->seed = seed;
    r->u = calloc((size_t)space_dim(space) + 1, sizeof(double));
    if (!r->u)
        goto oom;
    *state = r;
    return 0;
oom:
    random_destroy(r);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return -1;
}

static uint64_t random_capacity(const void *state)
{
    (void)state;
    return UINT64_MAX;
}

static int random_propose(void *state, uint64_t number, const hp_history *history,
                        hp_value *out, char *err)
{
    (void)history;
    (void)err;
    random_state *r = state;
    uint64_t s = seed_for_trial(r->seed, SEED_STREAM_SAMPLER, number);
    int d = space_dim(r->space);
    for (int k = 0; k < d; k++)
        r->u[k] = seed_unit(s, (uint64_t)k);
    space_decode(r->space, r->u, out);
    return 0;
}

const hp_sampler_kind sampler_random_kind = {
    "random", random_create, random_destroy, random_capacity, random_propose, 0, NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};
