// Random starting states for one instruction: register values mixing small numbers, edge
// values and full-width noise; flags at random; and, where the instruction addresses memory,
// base registers that point into the data window both engines share.
#pragma once

#include <cstdint>
#include <vector>

#include "a64_random_insn.h"
#include "a64_snapshot.h"
#include "split_mix.h"

namespace emu::test {

// The RAM both engines map in the random-instruction test. Instructions run from the code
// page in the middle, so that PC-relative loads reach the whole window either side.
struct DataWindow {
    uint64_t base;
    uint64_t size;
    uint64_t code_page;
    // Base registers stay this far from the ends, beyond any immediate or small index offset.
    uint64_t margin;
};

// Bytes to place in memory (in both engines) before the instruction runs.
struct Poke {
    uint64_t addr;
    uint8_t bytes[16];
    unsigned len;
};

struct RandomCase {
    A64Snapshot state;
    std::vector<Poke> pokes;
};

// Whether the instruction reads or writes the vector registers, FPCR or FPSR: only then are
// they set up and compared (reading them from Unicorn is not free).
bool uses_fp_state(const A64InsnGenerator::Insn& insn);

RandomCase random_case(SplitMix64& rng, const A64InsnGenerator::Insn& insn, const DataWindow& w);

}  // namespace emu::test
