/*
** Sampler dispatch: one table entry per kind, looked up by name.
*/
#include "sampler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sampler_impl.h"

struct hp_sampler {
    const hp_sampler_kind *kind;
    void *state;
};

static const hp_sampler_kind *const kinds[] = {
    &sampler_grid_kind,
    &sampler_random_kind,
    &sampler_sobol_kind,
};

static const hp_sampler_kind *find_kind(const char *name)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i]->name, name) == 0)
            return kinds[i];
    return NULL;
}

int sampler_known(const char *name)
{
    return find_kind(name) != NULL;
}

int sampler_new(const char *name, const hp_space *space, uint64_t seed,
                hp_sampler **out, char *err)
{
    const hp_sampler_kind *kind = find_kind(name);
    if (!kind) {
        snprintf(err, HP_ERR_LEN, "unknown sampler '%s' (expected %s)", name,
                 SAMPLER_NAMES);
        return -1;
    }
    hp_sampler *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    s->kind = kind;
    if (kind->create(space, seed, &s->state, err)) {
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void sampler_free(hp_sampler *sampler)
{
    if (!sampler)
        return;
    sampler->kind->destroy(sampler->state);
    free(sampler);
}

uint64_t sampler_capacity(const hp_sampler *sampler)
{
    return sampler->kind->capacity(sampler->state);
}

int sampler_propose(hp_sampler *sampler, uint64_t number, hp_value *out,
                    char *err)
{
    if (number >= sampler_capacity(sampler)) {
        snprintf(err, HP_ERR_LEN, "trial %llu is beyond the sampler's %llu points",
                 (unsigned long long)number,
                 (unsigned long long)sampler_capacity(sampler));
        return -1;
    }
    return sampler->kind->propose(sampler->state, number, out, err);
}
