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

// The status flags of the last ADD/ADC/SUB/SBB/CMP/logic/INC/DEC/NEG/SHL/SHR/SAR, as its
// operands and result: most are overwritten before anything reads them, and a Jcc/SETcc/CMOVcc
// evaluates its condition from these without building EFLAGS. While op != None the status bits
// of EFLAGS are stale (Cpu::flags() brings them up to date); the other EFLAGS bits never are.
// Operands and result are kept sign-extended from the operand size, so that no size is stored:
// bit 31 is the size's sign bit, bit 4 (AF) and the low byte (PF) are as they were, and a
// result is zero exactly when its extension is. CF is computed when the record is made (a
// compare, an add or a shift has it for a few instructions), so that INC/DEC, which keep it,
// and ADC/SBB, which read it, copy it.
enum class LazyOp : uint8_t { None, Add, Sub, Logic, Inc, Dec };

struct LazyFlags {
    LazyOp op = LazyOp::None;
    uint8_t cf = 0;      // CF, 0 or 1
    uint32_t a = 0;      // first operand
    uint32_t b = 0;      // second operand (INC/DEC: 1); Logic: OF in bit 31 (shifts set it)
    uint32_t res = 0;    // result

    LazyFlags() = default;
    LazyFlags(LazyOp op, uint32_t cf, uint32_t a, uint32_t b, uint32_t res)
        : op(op), cf(static_cast<uint8_t>(cf)), a(a), b(b), res(res)
    {
    }
    LazyFlags(const LazyFlags&) = default;
    // Field by field: a whole-record copy gets assembled in wide registers first.
    LazyFlags& operator=(const LazyFlags& o)
    {
        op = o.op;
        cf = o.cf;
        a = o.a;
        b = o.b;
        res = o.res;
        return *this;
    }

    bool of() const
    {
        switch (op) {
        case LazyOp::Add:
        case LazyOp::Inc: return ((a ^ res) & (b ^ res)) >> 31;
        case LazyOp::Sub:
        case LazyOp::Dec: return ((a ^ b) & (a ^ res)) >> 31;
        case LazyOp::Logic: return b >> 31;
        case LazyOp::None: return false;
        }
        return false;
    }
    bool zf() const { return res == 0; }
    bool sf() const { return res >> 31; }
    bool pf() const { return !__builtin_parity(res & 0xFF); }
    bool af() const { return op != LazyOp::Logic && ((a ^ b ^ res) & 0x10); }

    uint32_t status() const
    {
        return (cf ? kCF : 0) | (pf() ? kPF : 0) | (af() ? kAF : 0) | (zf() ? kZF : 0) | (sf() ? kSF : 0) |
               (of() ? kOF : 0);
    }
    // Jcc/SETcc/CMOVcc condition `cc` (the opcode's low nibble), from only the flags it reads.
    bool condition(unsigned cc) const
    {
        bool r;
        switch (cc >> 1) {
        case 0: r = of(); break;
        case 1: r = cf; break;
        case 2: r = zf(); break;
        case 3: r = cf || zf(); break;
        case 4: r = sf(); break;
        case 5: r = pf(); break;
        case 6: r = sf() != of(); break;
        default: r = zf() || sf() != of(); break;
        }
        return (cc & 1) ? !r : r;
    }
};

// v, of operand size N, sign-extended to 32 bits.
template <unsigned N>
constexpr uint32_t sign_extend(uint32_t v)
{
    if constexpr (N == 4)
        return v;
    else
        return static_cast<uint32_t>(static_cast<int32_t>(v << (32 - 8 * N)) >> (32 - 8 * N));
}

// The record of an ADD/ADC (K = Add) or SUB/SBB/CMP/NEG (K = Sub) of size N: a + b + carry_in
// or a - b - carry_in = res (operands and result need not be masked).
template <unsigned N, LazyOp K>
[[gnu::always_inline]] inline LazyFlags lazy_arith(uint32_t a, uint32_t b, uint32_t res, uint32_t carry_in = 0)
{
    static_assert(K == LazyOp::Add || K == LazyOp::Sub);
    constexpr uint32_t m = size_mask(N);
    bool cf;
    if constexpr (N == 4)
        cf = K == LazyOp::Add ? (carry_in ? res <= a : res < a) : (carry_in ? a <= b : a < b);
    else
        cf = K == LazyOp::Add ? (a & m) + (b & m) + carry_in > m : (a & m) < (b & m) + carry_in;
    return LazyFlags(K, cf, sign_extend<N>(a), sign_extend<N>(b), sign_extend<N>(res));
}

// Records INC (Dec false) or DEC of a to res in f, which keeps CF: the record's own when there
// is one (left as it is), else EFLAGS's.
template <unsigned N, bool Dec>
[[gnu::always_inline]] inline void record_inc_dec(LazyFlags& f, uint32_t eflags, uint32_t a, uint32_t res)
{
    if (f.op == LazyOp::None)
        f.cf = (eflags & kCF) ? 1 : 0;
    f.op = Dec ? LazyOp::Dec : LazyOp::Inc;
    f.a = sign_extend<N>(a);
    f.b = 1;
    f.res = sign_extend<N>(res);
}

// AND/OR/XOR/TEST (CF and OF clear), or a shift (its CF and OF) of size N: AF clear, as QEMU
// leaves it.
template <unsigned N>
[[gnu::always_inline]] inline LazyFlags lazy_logic(uint32_t res, uint32_t cf = 0, uint32_t of = 0)
{
    return LazyFlags(LazyOp::Logic, cf, 0, of << 31, sign_extend<N>(res));
}

}  // namespace emu::x86
