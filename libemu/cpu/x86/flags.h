// EFLAGS arithmetic for each operand size (1, 2 or 4 bytes): computed eagerly, or kept lazily
// as the operands of the last ALU operation (LazyFlags) until something reads them; and the
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

// The status flags of the last ADD/ADC/SUB/SBB/CMP/logic/INC/DEC/NEG, as its operands and
// result: most are overwritten before anything reads them, and a Jcc/SETcc/CMOVcc evaluates
// its condition from these without building EFLAGS. While op != None the status bits of
// EFLAGS are stale (Cpu::flags() brings them up to date); the other EFLAGS bits never are.
enum class LazyOp : uint8_t { None, Add, Sub, Logic, Inc, Dec };

struct LazyFlags {
    LazyOp op = LazyOp::None;
    uint32_t sign = 0;   // the sign bit of the operand size
    uint32_t a = 0;      // first operand, masked to the size
    uint32_t b = 0;      // second operand, masked
    uint32_t res = 0;    // result, masked
    uint32_t carry = 0;  // ADC/SBB: the carry in (0 or 1); INC/DEC: the CF they leave alone

    uint32_t mask() const { return sign | (sign - 1); }
    bool cf() const
    {
        switch (op) {
        case LazyOp::Add: return uint64_t{a} + b + carry > mask();
        case LazyOp::Sub: return uint64_t{a} < uint64_t{b} + carry;
        case LazyOp::Inc:
        case LazyOp::Dec: return carry;
        default: return false;
        }
    }
    bool of() const
    {
        switch (op) {
        case LazyOp::Add:
        case LazyOp::Inc: return (a ^ res) & (b ^ res) & sign;
        case LazyOp::Sub:
        case LazyOp::Dec: return (a ^ b) & (a ^ res) & sign;
        default: return false;
        }
    }
    bool zf() const { return res == 0; }
    bool sf() const { return res & sign; }
    bool pf() const { return !__builtin_parity(res & 0xFF); }
    bool af() const { return op != LazyOp::Logic && ((a ^ b ^ res) & 0x10); }

    uint32_t status() const
    {
        return (cf() ? kCF : 0) | (pf() ? kPF : 0) | (af() ? kAF : 0) | (zf() ? kZF : 0) | (sf() ? kSF : 0) |
               (of() ? kOF : 0);
    }
    // Jcc/SETcc/CMOVcc condition `cc` (the opcode's low nibble), from only the flags it reads.
    bool condition(unsigned cc) const
    {
        bool r;
        switch (cc >> 1) {
        case 0: r = of(); break;
        case 1: r = cf(); break;
        case 2: r = zf(); break;
        case 3: r = cf() || zf(); break;
        case 4: r = sf(); break;
        case 5: r = pf(); break;
        case 6: r = sf() != of(); break;
        default: r = zf() || sf() != of(); break;
        }
        return (cc & 1) ? !r : r;
    }
};

// The record of an operation of size N whose result is `res` (masked here).
template <unsigned N>
inline LazyFlags lazy_record(LazyOp op, uint32_t a, uint32_t b, uint32_t res, uint32_t carry = 0)
{
    constexpr uint32_t m = size_mask(N);
    return LazyFlags{op, sign_bit(N), a & m, b & m, res & m, carry};
}

}  // namespace emu::x86
