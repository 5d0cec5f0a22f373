// Integer ALU helpers shared by the data-processing handlers (dp_imm.cpp, dp_reg.cpp): the
// manual's AddWithCarry with its flags, the register shifts, and the operand width.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

#include "cpu/a64/state.h"

namespace emu::a64 {

// A W (32-bit) result is zero-extended into its 64-bit register slot.
template <bool k64>
constexpr uint64_t to_width(uint64_t v)
{
    return k64 ? v : static_cast<uint32_t>(v);
}

// N and Z of a result already cut to the operand width; C and V clear, as logical operations
// leave them.
template <bool k64>
constexpr uint32_t nz_flags(uint64_t r)
{
    uint32_t n = static_cast<uint32_t>(r >> (k64 ? 63 : 31)) & 1u;
    return (n << 31) | (r == 0 ? kFlagZ : 0u);
}

// AddWithCarry(x, y, carry_in) at the operand width: returns the sum and sets `nzcv`.
template <bool k64>
inline uint64_t add_with_carry(uint64_t x, uint64_t y, uint32_t carry_in, uint32_t& nzcv)
{
    if constexpr (k64) {
        uint64_t r;
        bool c = __builtin_add_overflow(x, y, &r);
        c |= __builtin_add_overflow(r, uint64_t{carry_in}, &r);
        // Signed overflow: both operands have the same sign and the result the other one.
        uint32_t v = static_cast<uint32_t>(((x ^ r) & (y ^ r)) >> 63);
        nzcv = nz_flags<true>(r) | (uint32_t{c} << 29) | (v << 28);
        return r;
    } else {
        uint32_t x32 = static_cast<uint32_t>(x);
        uint32_t y32 = static_cast<uint32_t>(y);
        uint64_t wide = uint64_t{x32} + y32 + carry_in;
        uint32_t r = static_cast<uint32_t>(wide);
        uint32_t v = ((x32 ^ r) & (y32 ^ r)) >> 31;
        nzcv = nz_flags<false>(r) | (static_cast<uint32_t>(wide >> 32) << 29) | (v << 28);
        return r;
    }
}

inline uint32_t carry_flag(uint32_t nzcv) { return (nzcv >> 29) & 1u; }

// The four ADD/SUB flavours; every add/subtract encoding class takes one as a template
// argument.
enum class AddSub { ADD, ADDS, SUB, SUBS };

// ADD/SUB at the operand width. The flag-setting forms are AddWithCarry with a constant carry
// in (x + y + 0, x + NOT(y) + 1), specialised so that C and V come from one operation.
template <AddSub kOp, bool k64>
inline uint64_t add_sub(uint64_t x, uint64_t y, uint32_t& nzcv)
{
    using T = std::conditional_t<k64, uint64_t, uint32_t>;
    constexpr unsigned kSignBit = k64 ? 63 : 31;
    T a = static_cast<T>(x);
    T b = static_cast<T>(y);
    if constexpr (kOp == AddSub::ADD) {
        return static_cast<T>(a + b);
    } else if constexpr (kOp == AddSub::SUB) {
        return static_cast<T>(a - b);
    } else if constexpr (kOp == AddSub::ADDS) {
        T r = a + b;
        uint32_t c = r < a;
        uint32_t v = static_cast<uint32_t>(((a ^ r) & (b ^ r)) >> kSignBit);
        nzcv = nz_flags<k64>(r) | (c << 29) | (v << 28);
        return r;
    } else {
        // C is NOT borrow; V when the operands' signs differ and the result's differs from a's.
        T r = a - b;
        uint32_t c = a >= b;
        uint32_t v = static_cast<uint32_t>(((a ^ b) & (a ^ r)) >> kSignBit);
        nzcv = nz_flags<k64>(r) | (c << 29) | (v << 28);
        return r;
    }
}

// The shift field of shifted-register operands, in its encoding order.
enum class ShiftType : uint8_t { LSL, LSR, ASR, ROR };

// ShiftReg at the operand width; `amount` is below the width.
template <bool k64, ShiftType kType>
constexpr uint64_t shift_reg(uint64_t v, unsigned amount)
{
    if constexpr (k64) {
        if constexpr (kType == ShiftType::LSL)
            return v << amount;
        else if constexpr (kType == ShiftType::LSR)
            return v >> amount;
        else if constexpr (kType == ShiftType::ASR)
            return static_cast<uint64_t>(static_cast<int64_t>(v) >> amount);
        else
            return std::rotr(v, static_cast<int>(amount));
    } else {
        uint32_t w = static_cast<uint32_t>(v);
        if constexpr (kType == ShiftType::LSL)
            return static_cast<uint32_t>(w << amount);
        else if constexpr (kType == ShiftType::LSR)
            return w >> amount;
        else if constexpr (kType == ShiftType::ASR)
            return static_cast<uint32_t>(static_cast<int32_t>(w) >> amount);
        else
            return std::rotr(w, static_cast<int>(amount));
    }
}

}  // namespace emu::a64
