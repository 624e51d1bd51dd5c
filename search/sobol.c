/*
** Sobol sampler: point NUMBER of GSL's Sobol sequence (Halton above 40
** dimensions, GSL's Sobol limit), shifted modulo 1 by a random vector drawn
** from the study seed (a Cranley-Patterson rotation).  The shift keeps the
** low discrepancy, gives each seed its own design, and moves the first
** point off the corner of the cube.
**
** GSL's generators only step forward, so the sampler keeps its position and
** restarts only when asked for an earlier number; workers claim numbers in
** increasing order, so a proposal costs O(d) amortised.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>

#include "sampler_impl.h"
#include "seed.h"

typedef struct {
    const hp_space *space;
    gsl_qrng *qrng;
    uint64_t next;   /* index of the point qrng yields next */
    int dim;         /* generator dimension (>= 1) */
    double *shift;   /* dim entries in [0, 1) */
    double *u;       /* dim entries */
} sobol_state;

static void sobol_destroy(void *state)
{
    sobol_state *s = state;
    if (!s)
        return;
    gsl_qrng_free(s->qrng);
    free(s->shift);
    free(s->u);
    free(s);
}

static int sobol_create(const hp_space *space, uint64_t seed, const hp_sampler_options *opt,
                        void **state, char *err)
{
    (void)opt;
    sobol_state *s = calloc(1, sizeof *s);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!s || !rng)
        goto oom;
    s->space = space;
    s->dim = space_dim(space) > 0 ? space_dim(space) : 1;
    if (s->dim > 1229) {
        snprintf(err, HP_ERR_LEN, "sobol sampler: %d searched parameters is more "
                 "than the 1229 it supports", s->dim);
        gsl_rng_free(rng);
        free(s);
        return -1;
    }
    s->qrng = gsl_qrng_alloc(s->dim <= 40 ? gsl_qrng_sobol : gsl_qrng_halton,
                             (unsigned)s->dim);
    s->shift = calloc((size_t)s->dim, sizeof(double));
    s->u = calloc((size_t)s->dim, sizeof(double));
    if (!s->qrng || !s->shift || !s->u)
        goto oom;
    uint64_t k = seed_for_trial(seed, SEED_STREAM_STUDY, 0x50f0);
    gsl_rng_set(rng, (unsigned long)((k ^ (k >> 32)) & 0xffffffffUL));
    for (int j = 0; j < s->dim; j++)
        s->shift[j] = gsl_rng_uniform(rng);
    gsl_rng_free(rng);
    *state = s;
    return 0;
oom:
    gsl_rng_free(rng);
    sobol_destroy(s);
    snprintf(err, HP_ERR_LEN, "out of memory");
    return -1;
}

static uint64_t sobol_capacity(const void *state)
{
    (void)state;
    /* GSL's Sobol uses 30-bit direction numbers: 2^30 distinct points */
    return 1ULL << 30;
}

static int sobol_propose(void *state, uint64_t number, const hp_history *history,
                        hp_value *out, char *err)
{
    (void)history;
    (void)err;
    sobol_state *s = state;
    if (number < s->next) {
        gsl_qrng_init(s->qrng);
        s->next = 0;
    }
    while (s->next <= number) {
        gsl_qrng_get(s->qrng, s->u);
        s->next++;
    }
    for (int j = 0; j < s->dim; j++) {
        double v = s->u[j] + s->shift[j];
        s->u[j] = v - floor(v);
    }
    space_decode(s->space, s->u, out);
    /* s->u now holds the shifted point; the next call overwrites it from
       the generator, so no unshifting is needed */
    return 0;
}

const hp_sampler_kind sampler_sobol_kind = {
    "sobol", sobol_create, sobol_destroy, sobol_capacity, sobol_propose, 0, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL, NULL,
};
