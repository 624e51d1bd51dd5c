/*
** Random sampler: each trial's point is drawn from a Mersenne Twister seeded
** with (study seed, trial number), so trial N gets the same parameters
** whichever worker claims it and whatever ran before.
*/
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "sampler_impl.h"
#include "seed.h"

typedef struct {
    const hp_space *space;
    uint64_t seed;
    gsl_rng *rng;  /* reseeded for every proposal */
    double *u;     /* space_dim coordinates */
} random_state;

static void random_destroy(void *state)
{
    random_state *r = state;
    if (!r)
        return;
    gsl_rng_free(r->rng);
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
    r->rng = gsl_rng_alloc(gsl_rng_mt19937);
    r->u = calloc((size_t)space_dim(space) + 1, sizeof(double));
    if (!r->rng || !r->u)
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
    /* mt19937 takes 32 bits of seed; fold the 64-bit mix into them */
    uint64_t s = seed_for_trial(r->seed, SEED_STREAM_SAMPLER, number);
    gsl_rng_set(r->rng, (unsigned long)((s ^ (s >> 32)) & 0xffffffffUL));
    int d = space_dim(r->space);
    for (int k = 0; k < d; k++)
        r->u[k] = gsl_rng_uniform(r->rng);
    space_decode(r->space, r->u, out);
    return 0;
}

const hp_sampler_kind sampler_random_kind = {
    "random", random_create, random_destroy, random_capacity, random_propose, 0, NULL,
    NULL,
};
