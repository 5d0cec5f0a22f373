// EFLAGS arithmetic, computed eagerly for each operand size (1, 2 or 4 bytes), and the
// condition codes of Jcc/SETcc/CMOVcc.
#pragma once

#include <cstdint>

#include "cpu/x86/state.h"

namespace emu::x86 {

constexpr uint32_t size_mask(unsigned n) { return n == 4 ? 0xFFFFFFFFu : (1u << (8 * n)) - 1; }
constexpr uint32_t sign_bit(unsigned n) { return 1u << (8 * n - 1); }

inline uint32_t parity_flag(uint32_t r) { return __builtin_parity(r & 0xFF) ? 0 : kPF; }

// ZF, SF and PF of a result.
template <unsigned N>
inline uint32_t szp(uint32_t r)
{
    r &= size_mask(N);
    return (r == 0 ? kZF : 0) | (r & sign_bit(N) ? kSF : 0) | parity_flag(r);
}

inline void set_status(uint32_t& eflags, uint32_t flags) { eflags = (eflags & ~kStatusFlags) | flags; }

// a + b + carry; returns the result, sets every status flag.
template <unsigned N>
[[gnu::always_inline]] inline uint32_t add_flags(uint32_t& eflags, uint32_t a, uint32_t b, uint32_t carry)
{
    constexpr uint32_t m = size_mask(N);
    a &= m;
    b &= m;
    uint64_t wide = uint64_t{a} + b + carry;
    uint32_t r = static_cast<uint32_t>(wide) & m;
    uint32_t f = szp<N>(r) | (wide > m ? kCF : 0) | ((a ^ b ^ r) & 0x10 ? kAF : 0) |
                 ((a ^ r) & (b ^ r) & sign_bit(N) ? kOF : 0);
    set_status(eflags, f);
    return r;
}

// a - b - borrow; returns the result, sets every status flag.
template <unsigned N>
[[gnu::always_inline]] inline uint32_t sub_flags(uint32_t& eflags, uint32_t a, uint32_t b, uint32_t borrow)
{
    constexpr uint32_t m = size_mask(N);
    a &= m;
    b &= m;
    uint32_t r = (a - b - borrow) & m;
    uint32_t f = szp<N>(r) | (uint64_t{a} < uint64_t{b} + borrow ? kCF : 0) | ((a ^ b ^ r) & 0x10 ? kAF : 0) |
                 ((a ^ b) & (a ^ r) & sign_bit(N) ? kOF : 0);
    set_status(eflags, f);
    return r;
}

// AND, OR, XOR, TEST: CF and OF clear, AF undefined (cleared, as QEMU does).
template <unsigned N>
inline uint32_t logic_flags(uint32_t& eflags, uint32_t r)
{
    r &= size_mask(N);
    set_status(eflags, szp<N>(r));
    return r;
}

// The sixteen conditions of Jcc/SETcc/CMOVcc, by the low nibble of the opcode.
inline bool condition(uint32_t f, unsigned cc)
{
    bool r;
    switch (cc >> 1) {
    case 0: r = f & kOF; break;                                   // O
    case 1: r = f & kCF; break;                                   // B
    case 2: r = f & kZF; break;                                   // E
    case 3: r = f & (kCF | kZF); break;                           // BE
    case 4: r = f & kSF; break;                                   // S
    case 5: r = f & kPF; break;                                   // P
    case 6: r = !(f & kSF) != !(f & kOF); break;                  // L
    default: r = (f & kZF) || (!(f & kSF) != !(f & kOF)); break;  // LE
    }
    return (cc & 1) ? !r : r;
}

}  // namespace emu::x86
