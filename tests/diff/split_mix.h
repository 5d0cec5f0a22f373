// A small, fast, seedable generator (SplitMix64) for the differential tests: every case is a
// pure function of (seed, iteration), so a failure can be replayed from those two numbers.
#pragma once

#include <cstdint>

namespace emu::test {

class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed) : s_(seed) {}
    // The generator for case `index` of the run with `seed`.
    static SplitMix64 for_case(uint64_t seed, uint64_t index)
    {
        SplitMix64 g(seed);
        g.s_ ^= g.next() + index * 0xD1B54A32D192ED03ull;
        return g;
    }

    uint64_t next()
    {
        uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n); the modulo bias is irrelevant at these sizes.
    uint64_t below(uint64_t n) { return next() % n; }
    // True with probability num/den.
    bool chance(unsigned num, unsigned den) { return below(den) < num; }

private:
    uint64_t s_;
};

}  // namespace emu::test
