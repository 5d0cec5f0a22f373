// Shared pieces of the Advanced SIMD handlers (simd_*.cpp, crypto.cpp): element types by
// size, saturation with FPSR.QC, and the builder conventions.
//
// Builders put the register numbers in rd/rn/rm (raw, 0-31: V31 is a register like any
// other) and the number of elements the instruction writes in `b`. A result narrower than
// 128 bits clears the rest of its register, as every AdvSIMD write does.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include "cpu/a64/cpu.h"
#include "cpu/a64/fields.h"

namespace emu::a64::simd {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

template <unsigned Bytes>
using UInt = std::conditional_t<Bytes == 1, uint8_t,
             std::conditional_t<Bytes == 2, uint16_t, std::conditional_t<Bytes == 4, uint32_t, uint64_t>>>;

// The signed and unsigned views of an element type.
template <class T>
using S = std::make_signed_t<T>;
template <class T>
using U = std::make_unsigned_t<T>;

// Saturates a wide value into T, noting saturation.
template <class T>
T saturate(i128 v, bool& qc)
{
    constexpr i128 lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
    if (v < lo) {
        qc = true;
        return static_cast<T>(lo);
    }
    if (v > hi) {
        qc = true;
        return static_cast<T>(hi);
    }
    return static_cast<T>(v);
}

inline void set_qc(Cpu& c, bool qc)
{
    if (qc)
        c.s.sys.fpsr |= kFpsrQc;
}

// The common fields of an AdvSIMD encoding.
inline void set_regs(Op& op, uint32_t insn)
{
    op.rd = static_cast<uint8_t>(bits(insn, 4, 0));
    op.rn = static_cast<uint8_t>(bits(insn, 9, 5));
    op.rm = static_cast<uint8_t>(bits(insn, 20, 16));
}

inline bool q_bit(uint32_t insn) { return bit(insn, 30); }
inline unsigned size_field(uint32_t insn) { return bits(insn, 23, 22); }
// Elements of 8 << size bits in 64 or 128 bits.
inline uint8_t lanes(uint32_t insn, unsigned size) { return static_cast<uint8_t>((q_bit(insn) ? 16 : 8) >> size); }

}  // namespace emu::a64::simd
