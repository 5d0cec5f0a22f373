// IEEE 754 arithmetic as the ARM ARM's shared pseudocode defines it (FPUnpack, FPRound,
// FPProcessNaNs, FPAdd, FPMulAdd, FPToFixed, FPRecipEstimate, ...), in software: exact
// integer arithmetic on the significands, then one rounding. No host floating point is used,
// so results and flags depend on nothing but the operands and FPCR.
//
// Values are raw bit patterns in a uint64_t; N is the format width (16, 32 or 64). Half
// precision takes part only where ARMv8.0 has it: conversions, with FPCR.AHP.
#pragma once

#include <cstdint>

#include "cpu/a64/state.h"

namespace emu::a64::fp {

enum class Rounding : uint8_t { TieEven, PosInf, NegInf, Zero, TieAway, Odd };

// FPCR as an operation reads it, and the FPSR flags (kFpsr*) it raises. Handlers make one per
// instruction and OR `flags` into FPSR afterwards.
struct Env {
    uint32_t fpcr;
    uint32_t flags = 0;

    explicit Env(uint64_t fpcr_value) : fpcr(static_cast<uint32_t>(fpcr_value)) {}
    // FPCR.RMode: 00 RN, 01 RP, 10 RM, 11 RZ, in the order of Rounding.
    Rounding rounding() const { return static_cast<Rounding>((fpcr >> kFpcrRModeShift) & 3); }
    bool fz() const { return fpcr & kFpcrFz; }
    bool dn() const { return fpcr & kFpcrDn; }
    bool ahp() const { return fpcr & kFpcrAhp; }
};

// Arithmetic (N = 32 or 64).
template <unsigned N> uint64_t add(uint64_t a, uint64_t b, Env& env);
template <unsigned N> uint64_t sub(uint64_t a, uint64_t b, Env& env);
template <unsigned N> uint64_t mul(uint64_t a, uint64_t b, Env& env);
template <unsigned N> uint64_t mulx(uint64_t a, uint64_t b, Env& env);  // inf * 0 = +-2
template <unsigned N> uint64_t div(uint64_t a, uint64_t b, Env& env);
template <unsigned N> uint64_t sqrt(uint64_t a, Env& env);
// addend + a * b with a single rounding (FPMulAdd); negate operands for the other forms.
template <unsigned N> uint64_t muladd(uint64_t addend, uint64_t a, uint64_t b, Env& env);
template <unsigned N> uint64_t max(uint64_t a, uint64_t b, Env& env);
template <unsigned N> uint64_t min(uint64_t a, uint64_t b, Env& env);
template <unsigned N> uint64_t maxnum(uint64_t a, uint64_t b, Env& env);
template <unsigned N> uint64_t minnum(uint64_t a, uint64_t b, Env& env);
template <unsigned N> uint64_t abd(uint64_t a, uint64_t b, Env& env);  // |a - b|

// Sign-bit operations: no NaN processing, no flags.
template <unsigned N> constexpr uint64_t neg(uint64_t a) { return a ^ (uint64_t{1} << (N - 1)); }
template <unsigned N> constexpr uint64_t abs(uint64_t a) { return a & ~(uint64_t{1} << (N - 1)); }

// Reciprocal and reciprocal square root estimates and Newton-Raphson steps.
template <unsigned N> uint64_t recip_estimate(uint64_t a, Env& env);
template <unsigned N> uint64_t rsqrt_estimate(uint64_t a, Env& env);
template <unsigned N> uint64_t recip_step(uint64_t a, uint64_t b, Env& env);  // 2 - a * b
template <unsigned N> uint64_t rsqrt_step(uint64_t a, uint64_t b, Env& env);  // (3 - a * b) / 2
template <unsigned N> uint64_t recip_exponent(uint64_t a, Env& env);          // FRECPX
// URECPE and URSQRTE on one 32-bit element.
uint32_t unsigned_recip_estimate(uint32_t a);
uint32_t unsigned_rsqrt_estimate(uint32_t a);

// Comparisons. compare() returns NZCV as FCMP sets it (bits 31:28); `signal_nans`: quiet
// NaNs raise Invalid Operation too (FCMPE).
template <unsigned N> uint32_t compare(uint64_t a, uint64_t b, bool signal_nans, Env& env);
template <unsigned N> bool compare_eq(uint64_t a, uint64_t b, Env& env);
template <unsigned N> bool compare_ge(uint64_t a, uint64_t b, Env& env);
template <unsigned N> bool compare_gt(uint64_t a, uint64_t b, Env& env);

// Conversions between formats (FCVT, FCVTL, FCVTN, FCVTXN with Rounding::Odd); from and to
// 16 bits observe FPCR.AHP.
template <unsigned From, unsigned To> uint64_t convert(uint64_t a, Env& env, Rounding mode);
// To a signed or unsigned integer of `int_bits` bits, scaled by 2^fbits, saturating.
template <unsigned N> uint64_t to_fixed(uint64_t a, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding mode, Env& env);
// From a signed or unsigned integer of `int_bits` bits, divided by 2^fbits.
template <unsigned N> uint64_t from_fixed(uint64_t v, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding mode, Env& env);
// To an integral value in the same format (FRINT*); `exact`: raise Inexact (FRINTX).
template <unsigned N> uint64_t round_int(uint64_t a, Rounding mode, bool exact, Env& env);

// The value of the 8-bit immediate of FMOV (immediate) and its vector forms (VFPExpandImm).
template <unsigned N> uint64_t expand_imm8(uint32_t imm8);

}  // namespace emu::a64::fp
