/* SPDX-License-Identifier: MIT */
/* rng.h -- the simulator's own pseudo-random numbers.
 *
 * Output must be byte-identical for a seed on every libc, so nothing here
 * touches rand() or libm: xoshiro256** for streams, seeded through
 * splitmix64, and a bijective 64-bit mixer for values that must be unique
 * (ids derived from serial numbers) or reproducible at formatting time
 * without carrying state (derived from an item's sequence number). */
#ifndef MT_SIM_RNG_H
#define MT_SIM_RNG_H

#include <stdint.h>

struct sim_rng {
    uint64_t s[4];
};

/* splitmix64's finaliser: a bijection on 64-bit values, so distinct inputs
 * give distinct outputs (used for unique ids). */
static inline uint64_t sim_mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        x += 0x9e3779b97f4a7c15ULL;
        r->s[i] = sim_mix64(x);
    }
}

static inline uint64_t sim_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t sim_next(struct sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = sim_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = sim_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n) by multiply-shift; the bias is below 2^-32 for the
 * small n used here and, unlike a rejection loop, costs one draw. */
static inline uint32_t sim_below(struct sim_rng *r, uint32_t n)
{
    return (uint32_t)(((sim_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline int64_t sim_range(struct sim_rng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(sim_next(r) % span);
}

/* True with probability per_mille / 1000. */
static inline int sim_chance(struct sim_rng *r, uint32_t per_mille)
{
    return sim_below(r, 1000) < per_mille;
}

#endif
