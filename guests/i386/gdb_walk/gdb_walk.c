/* A guest to debug with gdb (tests/gdb/gdb_replay_e2e.py): a loop calls `step` once per round,
 * and `step` folds eight calls of `mix` into the global `total`, so that breakpoints, write
 * watchpoints and reverse-finish have a function, its caller and a variable to work on. The
 * test computes `total` after each round itself (the same xorshift). The AArch64 guest of the
 * same name is this program; this one exits with code 0 through isa-debug-exit. */
#include "rt.h"

#define ROUNDS 200

volatile uint32_t total = 1;

__attribute__((noinline)) uint32_t mix(uint32_t x, uint32_t i)
{
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x + i;
}

__attribute__((noinline)) void step(uint32_t round)
{
    uint32_t t = total;
    for (uint32_t k = 0; k < 8; k++)
        t = mix(t, round + k);
    total = t;
}

void guest_main(void)
{
    for (uint32_t round = 0; round < ROUNDS; round++) {
        step(round);
        if (round % 50 == 0)
            rt_printf("gdb_walk: round %u total 0x%08x\n", round, total);
    }
    rt_printf("gdb_walk: %u rounds, total 0x%08x\n", ROUNDS, total);
    rt_exit(0);
}
