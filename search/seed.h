/*
** Seed derivation.  Every random choice in a study derives from the study
** seed and a trial number through this mix, never from shared generator
** state, so results do not depend on which worker or process ran what.
*/
#ifndef HP_SEED_H
#define HP_SEED_H

#include <stdint.h>

/* splitmix64's finaliser: a bijective mix with good avalanche. */
static inline uint64_t seed_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* The seed of trial NUMBER in a study seeded with STUDY_SEED, for STREAM
** (distinct streams for distinct uses: sampling, the objective, ...). */
static inline uint64_t seed_for_trial(uint64_t study_seed, uint64_t stream,
                                      uint64_t number)
{
    return seed_mix(seed_mix(seed_mix(study_seed) ^ stream) ^ number);
}

/* The K-th uniform draw in [0, 1) of the stream of a 64-bit SEED: all 64
** bits of the seed matter (a generator seeded with 32 bits would give two
** distinct trials the same configuration once in ~2^16 pairs of seeds), and
** any draw is had without the ones before it. */
static inline double seed_unit(uint64_t seed, uint64_t k)
{
    return (double)(seed_mix(seed_mix(seed) + k * 0x9e3779b97f4a7c15ULL) >> 11) * 0x1.0p-53;
}

enum {
    SEED_STREAM_SAMPLER = 0x53414d50, /* "SAMP" */
    SEED_STREAM_TRIAL = 0x54524941,   /* "TRIA": the seed handed to objectives */
    SEED_STREAM_STUDY = 0x53545544    /* "STUD": per-study constants (shifts, orders) */
};

#endif
