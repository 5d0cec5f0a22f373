// Helpers for builders: register-field mapping and the common immediate decodings.
#pragma once

#include <cstdint>
#include <optional>

#include "core/bits.h"
#include "cpu/a64/state.h"

namespace emu::a64 {

// Register 31 as the zero register (sources) or as the discard sink (destinations).
constexpr uint8_t src_zr(uint32_t n) { return static_cast<uint8_t>(n == 31 ? uint32_t{kZr} : n); }
constexpr uint8_t dst_zr(uint32_t n) { return static_cast<uint8_t>(n == 31 ? uint32_t{kSink} : n); }
// Register 31 as the stack pointer (sources and destinations alike).
constexpr uint8_t reg_sp(uint32_t n) { return static_cast<uint8_t>(n == 31 ? uint32_t{kSp} : n); }

// DecodeBitMasks for logical immediates and bitfield moves (ARM ARM, shared pseudocode).
// Returns {wmask, tmask}, or nothing for a reserved combination.
struct BitMasks {
    uint64_t wmask;
    uint64_t tmask;
};
std::optional<BitMasks> decode_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate, unsigned datasize);

}  // namespace emu::a64
