// The x87 soft-float (cpu/x86/x87_float.h) against values worked out by hand from the Intel
// SDM vol. 1 (4.8 real numbers and their classes, 4.9 and 8.5 the exceptions and their masked
// and unmasked responses, 8.1.5 precision and rounding control, table 4-7 NaN propagation,
// 8.3.8 the constants): each expected result is the exact value rounded as the SDM says,
// written out in hex.
#include <catch2/catch.hpp>

#include <cstdio>
#include <ostream>

#include "cpu/x86/x87_float.h"

using emu::x86::Float80;
namespace x87 = emu::x86::x87;
using x87::Rounding;

namespace {

constexpr uint64_t kInt = 0x8000000000000000ull;  // the integer bit
constexpr Float80 F(uint16_t se, uint64_t mant) { return Float80{mant, se}; }
constexpr Float80 kOne = F(0x3FFF, kInt);
constexpr Float80 kTwo = F(0x4000, kInt);
constexpr Float80 kZero = F(0, 0);
constexpr Float80 kInf = F(0x7FFF, kInt);
constexpr Float80 kMax = F(0x7FFE, ~0ull);
constexpr Float80 kMinNormal = F(0x0001, kInt);

x87::Env env(Rounding rc = Rounding::Nearest, unsigned precision = 64, uint8_t masks = 0x3F)
{
    x87::Env e;
    e.rounding = rc;
    e.precision = precision;
    e.masks = masks;
    return e;
}

}  // namespace

namespace emu::x86 {
// For Catch's messages.
std::ostream& operator<<(std::ostream& os, const Float80& f)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04x:%016llx", f.se, static_cast<unsigned long long>(f.mant));
    return os << buf;
}
}  // namespace emu::x86

TEST_CASE("x87 rounding control: a tie, more than half and less than half an ulp", "[x87]")
{
    const Float80 half_ulp = F(0x3FFF - 64, kInt);            // 2^-64: half of 1.0's ulp
    const Float80 three_quarter_ulp = F(0x3FFF - 64, 0xC000000000000000);
    const Float80 one_up = F(0x3FFF, kInt | 1);
    struct Case {
        Rounding rc;
        Float80 b, expected;
        bool up;
    } cases[] = {
        {Rounding::Nearest, half_ulp, kOne, false},  // a tie: to even
        {Rounding::Up, half_ulp, one_up, true},
        {Rounding::Down, half_ulp, kOne, false},
        {Rounding::Zero, half_ulp, kOne, false},
        {Rounding::Nearest, three_quarter_ulp, one_up, true},
        {Rounding::Zero, three_quarter_ulp, kOne, false},
    };
    for (const Case& c : cases) {
        x87::Env e = env(c.rc);
        CHECK(x87::add(e, kOne, c.b) == c.expected);
        CHECK(e.flags == x87::kInexact);
        CHECK(e.rounded_up == c.up);  // C1
    }
    SECTION("a negative result: Down rounds its magnitude up")
    {
        const Float80 minus_one = F(0xBFFF, kInt);
        x87::Env down = env(Rounding::Down), up = env(Rounding::Up);
        CHECK(x87::sub(down, minus_one, three_quarter_ulp) == F(0xBFFF, kInt | 1));
        CHECK(down.rounded_up);
        CHECK(x87::sub(up, minus_one, three_quarter_ulp) == minus_one);
        CHECK(!up.rounded_up);
    }
}

TEST_CASE("x87 precision control rounds FADD and FDIV results to 24, 53 or 64 bits", "[x87]")
{
    // 1 + 2^-24 is a tie at 24 bits; 1 + 3 * 2^-25 is above it; 1 + 2^-53 a tie at 53 bits.
    x87::Env e24 = env(Rounding::Nearest, 24);
    CHECK(x87::add(e24, kOne, F(0x3FFF - 24, kInt)) == kOne);
    CHECK(x87::add(e24, kOne, F(0x3FFF - 24, 0xC000000000000000)) == F(0x3FFF, 0x8000010000000000));
    x87::Env e24up = env(Rounding::Up, 24);
    CHECK(x87::add(e24up, kOne, F(0x3FFF - 60, kInt)) == F(0x3FFF, 0x8000010000000000));
    x87::Env e53 = env(Rounding::Nearest, 53);
    CHECK(x87::add(e53, kOne, F(0x3FFF - 53, kInt)) == kOne);
    x87::Env e53up = env(Rounding::Up, 53);
    CHECK(x87::add(e53up, kOne, F(0x3FFF - 53, kInt)) == F(0x3FFF, 0x8000000000000800));
    CHECK(e53up.rounded_up);

    // 1/3 = 0.010101...b: at 64 bits the next bits are 1010...: up; at 53 bits 0101...: down;
    // at 24 bits 1010...: up.
    const Float80 three = F(0x4000, 0xC000000000000000);
    struct Case {
        unsigned precision;
        Rounding rc;
        uint64_t mant;
        bool up;
    } cases[] = {
        {64, Rounding::Nearest, 0xAAAAAAAAAAAAAAABull, true},
        {64, Rounding::Down, 0xAAAAAAAAAAAAAAAAull, false},
        {53, Rounding::Nearest, 0xAAAAAAAAAAAAA800ull, false},
        {53, Rounding::Up, 0xAAAAAAAAAAAAB000ull, true},
        {24, Rounding::Nearest, 0xAAAAAB0000000000ull, true},
        {24, Rounding::Zero, 0xAAAAAA0000000000ull, false},
    };
    for (const Case& c : cases) {
        x87::Env e = env(c.rc, c.precision);
        CHECK(x87::div(e, kOne, three) == F(0x3FFD, c.mant));
        CHECK(e.flags == x87::kInexact);
        CHECK(e.rounded_up == c.up);
    }
}

TEST_CASE("x87 FIST and FRNDINT round in the rounding mode", "[x87]")
{
    const Float80 two_and_half = F(0x4000, 0xA000000000000000);
    const Float80 minus_two_and_half = F(0xC000, 0xA000000000000000);
    struct Case {
        Rounding rc;
        int64_t pos, neg;
    } cases[] = {
        {Rounding::Nearest, 2, -2},
        {Rounding::Down, 2, -3},
        {Rounding::Up, 3, -2},
        {Rounding::Zero, 2, -2},
    };
    for (const Case& c : cases) {
        x87::Env e = env(c.rc);
        CHECK(x87::to_int(e, two_and_half, 32) == c.pos);
        CHECK(x87::to_int(e, minus_two_and_half, 16) == c.neg);
        CHECK(e.flags == x87::kInexact);
        x87::Env r = env(c.rc);
        CHECK(x87::round_to_integer(r, two_and_half) == x87::from_int(c.pos));
    }
    // Out of range: invalid, the integer indefinite.
    x87::Env e = env();
    CHECK(x87::to_int(e, F(0x400F, kInt), 16) == -32768);  // 65536
    CHECK(e.flags == x87::kInvalid);
}

TEST_CASE("x87 invalid operations and zero divides: masked results, unmasked suppression", "[x87]")
{
    const Float80 indefinite = F(0xFFFF, 0xC000000000000000);
    SECTION("masked")
    {
        x87::Env e = env();
        CHECK(x87::div(e, kOne, kZero) == kInf);
        CHECK(e.flags == x87::kZeroDivide);
        e = env();
        CHECK(x87::div(e, F(0xBFFF, kInt), kZero) == F(0xFFFF, kInt));
        e = env();
        CHECK(x87::div(e, kZero, kZero) == indefinite);
        CHECK(e.flags == x87::kInvalid);
        e = env();
        CHECK(x87::sub(e, kInf, kInf) == indefinite);
        CHECK(e.flags == x87::kInvalid);
        e = env();
        CHECK(x87::mul(e, kZero, kInf) == indefinite);
        e = env();
        CHECK(x87::sqrt(e, F(0xBFFF, kInt)) == indefinite);
        CHECK(e.flags == x87::kInvalid);
        e = env();
        CHECK(x87::sqrt(e, F(0x8000, 0)) == F(0x8000, 0));  // sqrt(-0) = -0
        CHECK(e.flags == 0);
    }
    SECTION("unmasked: the destination is left alone")
    {
        x87::Env e = env(Rounding::Nearest, 64, 0x3F & ~x87::kZeroDivide);
        x87::div(e, kOne, kZero);
        CHECK(e.flags == x87::kZeroDivide);
        CHECK(e.suppressed());
        x87::Env i = env(Rounding::Nearest, 64, 0x3F & ~x87::kInvalid);
        x87::add(i, kInf, F(0xFFFF, kInt));
        CHECK(i.suppressed());
    }
}

TEST_CASE("x87 NaN operands propagate as the SDM's table 4-7 says", "[x87]")
{
    const Float80 snan = F(0x7FFF, 0xA000000000000000);
    x87::Env e = env();
    CHECK(x87::add(e, snan, kOne) == F(0x7FFF, 0xE000000000000000));  // made quiet
    CHECK(e.flags == x87::kInvalid);
    // An SNaN and a QNaN: the QNaN.
    const Float80 qnan = F(0xFFFF, 0xC000000000000001);
    e = env();
    CHECK(x87::mul(e, qnan, F(0x7FFF, 0xBFFFFFFFFFFFFFFF)) == qnan);
    CHECK(e.flags == x87::kInvalid);
    // Two QNaNs: the one with the larger significand; no exception.
    e = env();
    CHECK(x87::add(e, F(0x7FFF, 0xC000000000000001), F(0xFFFF, 0xD000000000000000)) == F(0xFFFF, 0xD000000000000000));
    CHECK(e.flags == 0);
    // Comparisons: FCOM's QNaN is invalid, FUCOM's is not.
    e = env();
    CHECK(x87::compare(e, qnan, kOne, x87::Compare::Ordered) == x87::Relation::Unordered);
    CHECK(e.flags == x87::kInvalid);
    e = env();
    CHECK(x87::compare(e, qnan, kOne, x87::Compare::Unordered) == x87::Relation::Unordered);
    CHECK(e.flags == 0);
}

TEST_CASE("x87 overflow: masked to infinity or the largest number, unmasked with the exponent re-biased",
          "[x87]")
{
    struct Case {
        Rounding rc;
        unsigned precision;
        Float80 expected;
        bool up;
    } cases[] = {
        {Rounding::Nearest, 64, kInf, true},
        {Rounding::Up, 64, kInf, true},
        {Rounding::Zero, 64, kMax, false},
        {Rounding::Down, 64, kMax, false},
        {Rounding::Zero, 53, F(0x7FFE, 0xFFFFFFFFFFFFF800), false},
    };
    for (const Case& c : cases) {
        x87::Env e = env(c.rc, c.precision);
        CHECK(x87::mul(e, kMax, kTwo) == c.expected);
        CHECK(e.flags == (x87::kOverflow | x87::kInexact));
        CHECK(e.rounded_up == c.up);
    }
    // 2^16383 * 2 = 2^16384, exact: biased exponent 16384 + 16383 - 24576 = 0x1FFF.
    x87::Env e = env(Rounding::Nearest, 64, 0x3F & ~x87::kOverflow);
    CHECK(x87::mul(e, F(0x7FFE, kInt), kTwo) == F(0x1FFF, kInt));
    CHECK(e.flags == x87::kOverflow);
}

TEST_CASE("x87 underflow: masked denormal results flag UE only when inexact; unmasked re-biases", "[x87]")
{
    x87::Env e = env();
    CHECK(x87::div(e, kMinNormal, kTwo) == F(0, 0x4000000000000000));  // exact: no flag
    CHECK(e.flags == 0);
    // (1 + 2^-63) * 2^-16383: half an ulp below the denormal grid's 2^-16383.
    const Float80 min_plus = F(0x0001, kInt | 1);
    e = env();
    CHECK(x87::div(e, min_plus, kTwo) == F(0, 0x4000000000000000));  // a tie: to even
    CHECK(e.flags == (x87::kUnderflow | x87::kInexact));
    CHECK(!e.rounded_up);
    e = env(Rounding::Up);
    CHECK(x87::div(e, min_plus, kTwo) == F(0, 0x4000000000000001));
    CHECK(e.rounded_up);
    // Unmasked: 2^-16383 is tiny even exactly; biased exponent 0 + 24576.
    e = env(Rounding::Nearest, 64, 0x3F & ~x87::kUnderflow);
    CHECK(x87::div(e, kMinNormal, kTwo) == F(0x6000, kInt));
    CHECK(e.flags == x87::kUnderflow);
}

TEST_CASE("x87 denormal, pseudo-denormal and unsupported operands", "[x87]")
{
    x87::Env e = env();
    CHECK(x87::add(e, F(0, 1), kOne) == kOne);
    CHECK(e.flags == (x87::kDenormal | x87::kInexact));
    e = env(Rounding::Nearest, 64, 0x3F & ~x87::kDenormal);
    x87::add(e, F(0, 1), kOne);
    CHECK(e.suppressed());
    // A pseudo-denormal (exponent 0, integer bit set) is 2^-16382 read with DE.
    CHECK(x87::classify(F(0, kInt)) == x87::Kind::Denormal);
    e = env();
    CHECK(x87::add(e, F(0, kInt), kZero) == kMinNormal);
    CHECK(e.flags == x87::kDenormal);
    // Unnormals, pseudo-infinities and pseudo-NaNs are invalid operands since the 387.
    for (Float80 bad : {F(0x3FFF, 0x4000000000000000), F(0x7FFF, 0), F(0x7FFF, 0x4000000000000000)}) {
        CHECK(x87::classify(bad) == x87::Kind::Unsupported);
        e = env();
        CHECK(x87::add(e, bad, kOne) == F(0xFFFF, 0xC000000000000000));
        CHECK(e.flags == x87::kInvalid);
    }
}

TEST_CASE("x87 FPREM, FPREM1, FSQRT, FPATAN and the constants", "[x87]")
{
    const Float80 seven = F(0x4001, 0xE000000000000000);
    x87::Env e = env();
    x87::PartialRemainder r = x87::remainder(e, seven, kTwo, x87::Quotient::Truncated);
    CHECK(r.complete);
    CHECK(r.value == kOne);
    CHECK((r.quotient & 7) == 3);
    r = x87::remainder(e, seven, kTwo, x87::Quotient::Nearest);  // 3.5 to even: 4
    CHECK(r.value == F(0xBFFF, kInt));
    CHECK((r.quotient & 7) == 4);

    e = env();
    CHECK(x87::sqrt(e, kTwo) == F(0x3FFF, 0xB504F333F9DE6484));  // the next bits are 0101...
    CHECK(e.flags == x87::kInexact);
    e = env(Rounding::Up);
    CHECK(x87::sqrt(e, kTwo) == F(0x3FFF, 0xB504F333F9DE6485));

    // pi = 0xC90FDAA22168C234 C4C6..., the FPU's 66-bit value ends in 11b: nearest and up give
    // ...C235, down and toward zero ...C234 (SDM vol. 1, 8.3.8).
    CHECK(x87::constant(x87::Constant::Pi, Rounding::Nearest) == F(0x4000, 0xC90FDAA22168C235));
    CHECK(x87::constant(x87::Constant::Pi, Rounding::Up) == F(0x4000, 0xC90FDAA22168C235));
    CHECK(x87::constant(x87::Constant::Pi, Rounding::Down) == F(0x4000, 0xC90FDAA22168C234));
    CHECK(x87::constant(x87::Constant::Pi, Rounding::Zero) == F(0x4000, 0xC90FDAA22168C234));
    e = env();
    CHECK(x87::fpatan(e, kOne, kOne) == F(0x3FFE, 0xC90FDAA22168C235));  // pi/4
    e = env();
    CHECK(x87::fyl2x(e, F(0x4002, kInt), F(0x4000, 0xC000000000000000)) == F(0x4002, 0x9000000000000000));  // 3 * log2(8)
    CHECK(e.flags == 0);
}
