/*
** Grid sampler.  Trial NUMBER runs grid point perm(NUMBER), where perm is a
** seeded bijection of [0, N): every grid point has exactly one trial number,
** so workers and processes that claim distinct numbers (storage makes that
** a unique, transactional act) never run a point twice, and a budget smaller
** than the grid still spreads over the whole grid instead of one corner.
**
** The bijection is a 4-round Feistel network on the smallest even number of
** bits covering N, with cycle-walking back into [0, N): O(1) memory for any
** grid size, and no state shared between workers.
*/
#include <stdio.h>
#include <stdlib.h>

#include "sampler_impl.h"
#include "seed.h"

#define GRID_MAX_POINTS (1ULL << 40)

typedef struct {
    const hp_space *space;
    uint64_t n;          /* grid points */
    int half_bits;       /* Feistel half width */
    uint64_t keys[4];
} grid_state;

static uint64_t feistel(const grid_state *g, uint64_t x)
{
    uint64_t mask = (1ULL << g->half_bits) - 1;
    uint64_t l = x >> g->half_bits, r = x & mask;
    for (int round = 0; round < 4; round++) {
        uint64_t nl = r;
        r = l ^ (seed_mix(g->keys[round] ^ r) & mask);
        l = nl;
    }
    return (l << g->half_bits) | r;
}

static uint64_t grid_permute(const grid_state *g, uint64_t i)
{
    uint64_t x = feistel(g, i);
    while (x >= g->n) /* cycle-walk: stays a bijection of [0, n) */
        x = feistel(g, x);
    return x;
}

static int grid_create(const hp_space *space, uint64_t seed, const hp_sampler_options *opt,
                        void **state, char *err)
{
    (void)opt;
    uint64_t n;
    if (space_grid_size(space, GRID_MAX_POINTS, &n, err))
        return -1;
    grid_state *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    g->space = space;
    g->n = n;
    int bits = 2;
    while ((1ULL << bits) < n)
        bits++;
    if (bits % 2)
        bits++;
    g->half_bits = bits / 2;
    for (int r = 0; r < 4; r++)
        g->keys[r] = seed_for_trial(seed, SEED_STREAM_STUDY, (uint64_t)r);
    *state = g;
    return 0;
}

static void grid_destroy(void *state) { free(state); }

static uint64_t grid_capacity(const void *state)
{
    return ((const grid_state *)state)->n;
}

static int grid_propose(void *state, uint64_t number, const hp_history *history,
                        hp_value *out, char *err)
{
    (void)history;
    (void)err;
    grid_state *g = state;
    space_grid_point(g->space, grid_permute(g, number), out);
    return 0;
}

const hp_sampler_kind sampler_grid_kind = {
    "grid", grid_create, grid_destroy, grid_capacity, grid_propose, 0, NULL, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL,
};
