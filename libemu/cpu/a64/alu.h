// Integer ALU helpers shared by the data-processing handlers (dp_imm.cpp, dp_reg.cpp): the
// manual's AddWithCarry with its flags (flags.h), the register shifts, and the operand width.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

#include "cpu/a64/flags.h"
#include "cpu/a64/state.h"

namespace emu::a64 {

// A W (32-bit) result is zero-extended into its 64-bit register slot.
template <bool k64>
constexpr uint64_t to_width(uint64_t v)
{
    return k64 ? v : static_cast<uint32_t>(v);
}

// AddWithCarry(x, y, carry_in) at the operand width: returns the sum and sets `flags`.
template <bool k64>
inline uint64_t add_with_carry(uint64_t x, uint64_t y, uint64_t carry_in, LiveFlags& flags)
{
    if constexpr (k64) {
        uint64_t r;
        bool c = __builtin_add_overflow(x, y, &r);
        c |= __builtin_add_overflow(r, carry_in, &r);
        // Signed overflow: both operands have the same sign and the result the other one.
        flags = arithmetic_flags<true>(r, (x ^ r) & (y ^ r), c);
        return r;
    } else {
        uint32_t x32 = static_cast<uint32_t>(x);
        uint32_t y32 = static_cast<uint32_t>(y);
        uint64_t wide = uint64_t{x32} + y32 + carry_in;
        uint32_t r = static_cast<uint32_t>(wide);
        flags = arithmetic_flags<false>(r, (x32 ^ r) & (y32 ^ r), wide >> 32);
        return r;
    }
}

// The four ADD/SUB flavours; every add/subtract encoding class takes one as a template
// argument.
enum class AddSub { ADD, ADDS, SUB, SUBS };

// ADD/SUB at the operand width. The flag-setting forms are AddWithCarry with a constant carry
// in (x + y + 0, x + NOT(y) + 1), specialised so that C and V come from one operation; SUBS
// leaves its operands for the flags to be derived from (LiveFlags).
template <AddSub kOp, bool k64>
inline uint64_t add_sub(uint64_t x, uint64_t y, LiveFlags& flags)
{
    using T = std::conditional_t<k64, uint64_t, uint32_t>;
    T a = static_cast<T>(x);
    T b = static_cast<T>(y);
    if constexpr (kOp == AddSub::ADD) {
        return static_cast<T>(a + b);
    } else if constexpr (kOp == AddSub::SUB) {
        return static_cast<T>(a - b);
    } else if constexpr (kOp == AddSub::ADDS) {
        T r = a + b;
        flags = arithmetic_flags<k64>(r, static_cast<T>((a ^ r) & (b ^ r)), r < a);
        return r;
    } else {
        flags.set_compare<k64>(x, y);
        return static_cast<T>(a - b);
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
