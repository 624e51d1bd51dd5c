/*
** Samplers propose the point of the unit cube a trial runs with.  A sampler
** sees only the space, the trial number and its own seed, so the same code
** serves threads, processes and machines; grid, random and sobol proposals
** depend on (study seed, trial number) alone, whatever ran before.
**
** A sampler object may keep caches (sobol keeps its generator position), so
** one object must be used by one thread at a time: give each worker its own.
*/
#ifndef HP_SAMPLER_H
#define HP_SAMPLER_H

#include <stdint.h>

#include "space.h"

typedef struct hp_sampler hp_sampler;

/* Sampler names accepted by sampler_new, for messages. */
#define SAMPLER_NAMES "grid, random, sobol"

/* 1 if NAME names a sampler this library provides. */
int sampler_known(const char *name);

/* Creates sampler NAME over SPACE (which must outlive it) seeded with SEED.
** Returns 0, or -1 with a message in err (unknown name, a grid over a
** continuous range, out of memory). */
int sampler_new(const char *name, const hp_space *space, uint64_t seed,
                hp_sampler **out, char *err);
void sampler_free(hp_sampler *sampler);

/* How many distinct trials the sampler can propose: the grid size for grid,
** UINT64_MAX otherwise. */
uint64_t sampler_capacity(const hp_sampler *sampler);

/* Writes the values of trial NUMBER (space_size entries) into OUT.
** NUMBER must be below sampler_capacity.  Returns 0, or -1 with err. */
int sampler_propose(hp_sampler *sampler, uint64_t number, hp_value *out,
                    char *err);

#endif
