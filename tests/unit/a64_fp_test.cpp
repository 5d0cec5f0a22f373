// A64 floating point and Advanced SIMD: the semantics that are easy to get subtly wrong, with
// expected values worked out by hand from the ARM ARM's pseudocode and rules (FPProcessNaNs,
// FPMulAdd, FPRound's tininess-before-rounding and flush-to-zero, FPRecipEstimate,
// FPRSqrtEstimate, FPToFixed, FPConvert with AHP, SatQ) rather than taken from our code.
//
// Encodings come from aarch64-linux-gnu-as; each is commented with its assembly.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "core/state_archive.h"
#include "cpu/a64/fp.h"
#include "cpu/a64/sysreg_keys.h"
#include "support/test_board.h"

using namespace emu::a64;
using emu::RunEnd;
using emu::test::A64TestBoard;

namespace {

constexpr uint64_t kCode = A64TestBoard::kDefaultRamBase;

// FPCR values: a rounding mode and the FZ/DN/AHP bits.
constexpr uint64_t kRN = 0, kRP = 1u << 22, kRM = 2u << 22, kRZ = 3u << 22;
constexpr uint64_t kFZ = kFpcrFz, kDN = kFpcrDn, kAHP = kFpcrAhp;

// Single precision constants.
constexpr uint64_t kOne = 0x3F800000, kTwo = 0x40000000, kHalf = 0x3F000000;
constexpr uint64_t kPosInf = 0x7F800000, kNegInf = 0xFF800000;
constexpr uint64_t kPosZero = 0x00000000, kNegZero = 0x80000000;
constexpr uint64_t kDefaultNaN = 0x7FC00000;
constexpr uint64_t kMinNormal = 0x00800000, kMaxNormal = 0x7F7FFFFF;

struct Result {
    uint64_t value;
    uint32_t flags;
};

template <class F>
Result run(uint64_t fpcr, F f)
{
    fp::Env env(fpcr);
    uint64_t v = f(env);
    return {v, env.flags};
}

struct Board : A64TestBoard {
    Board() { cpu.s.sys.cpacr_el1 = 3u << 20; }
    uint64_t& x(unsigned i) { return cpu.s.r[i]; }

    void exec(const std::vector<uint32_t>& insns)
    {
        load(kCode, insns);
        REQUIRE(cpu.run(insns.size()) == RunEnd::Budget);
        REQUIRE(cpu.s.pc == kCode + 4 * insns.size());
    }
};

}  // namespace

TEST_CASE("NaN operands: signalling before quiet, then the first operand; DN gives the default NaN",
          "[a64][fp]")
{
    constexpr uint64_t qnan1 = 0x7FC00001, qnan2 = 0xFFC00002, snan2 = 0x7F800002;
    // Two quiet NaNs: the first, unchanged, no flags.
    auto r = run(kRN, [&](fp::Env& e) { return fp::add<32>(qnan1, qnan2, e); });
    CHECK(r.value == qnan1);
    CHECK(r.flags == 0);
    // A signalling NaN in the second operand beats a quiet one in the first; it is quieted.
    r = run(kRN, [&](fp::Env& e) { return fp::add<32>(qnan1, snan2, e); });
    CHECK(r.value == 0x7FC00002);
    CHECK(r.flags == kFpsrIoc);
    // Default NaN mode replaces the payload and sign.
    r = run(kDN, [&](fp::Env& e) { return fp::mul<32>(qnan2, kOne, e); });
    CHECK(r.value == kDefaultNaN);
    // FSUB returns a NaN operand as it is: the negation is of the value, not of the NaN.
    r = run(kRN, [&](fp::Env& e) { return fp::sub<32>(kOne, qnan1, e); });
    CHECK(r.value == qnan1);
    // Double precision quieting sets bit 51.
    r = run(kRN, [&](fp::Env& e) { return fp::add<64>(0x7FF0000000000001, 0x3FF0000000000000, e); });
    CHECK(r.value == 0x7FF8000000000001);
    CHECK(r.flags == kFpsrIoc);
}

TEST_CASE("FMADD: NaNs by addend, then the multiplicands; a quiet NaN addend with inf * 0 is invalid",
          "[a64][fp]")
{
    constexpr uint64_t qnan_a = 0x7FC000AA, snan_n = 0x7F8000BB;
    // Signalling NaNs first, whichever operand holds them.
    auto r = run(kRN, [&](fp::Env& e) { return fp::muladd<32>(qnan_a, snan_n, kOne, e); });
    CHECK(r.value == 0x7FC000BB);
    CHECK(r.flags == kFpsrIoc);
    // Quiet NaN addend: it is returned...
    r = run(kRN, [&](fp::Env& e) { return fp::muladd<32>(qnan_a, kTwo, kOne, e); });
    CHECK(r.value == qnan_a);
    CHECK(r.flags == 0);
    // ...unless the product is infinity times zero: the default NaN and Invalid Operation.
    r = run(kRN, [&](fp::Env& e) { return fp::muladd<32>(qnan_a, kPosInf, kPosZero, e); });
    CHECK(r.value == kDefaultNaN);
    CHECK(r.flags == kFpsrIoc);
    // inf * 0 without a NaN: default NaN, invalid.
    r = run(kRN, [&](fp::Env& e) { return fp::muladd<32>(kOne, kPosZero, kNegInf, e); });
    CHECK(r.value == kDefaultNaN);
    CHECK(r.flags == kFpsrIoc);
    // Opposite infinities: +inf + (-inf * 1) is invalid.
    r = run(kRN, [&](fp::Env& e) { return fp::muladd<32>(kPosInf, kNegInf, kOne, e); });
    CHECK(r.value == kDefaultNaN);
}

TEST_CASE("FMADD rounds once: x * x - round(x * x) is the exact rounding error", "[a64][fp]")
{
    // x = 1 + 2^-12; x * x = 1 + 2^-11 + 2^-24, which rounds (tie, to even) to 1 + 2^-11.
    constexpr uint64_t x = 0x3F800800, p = 0x3F801000;
    auto r = run(kRN, [&](fp::Env& e) { return fp::mul<32>(x, x, e); });
    CHECK(r.value == p);
    CHECK(r.flags == kFpsrIxc);
    r = run(kRN, [&](fp::Env& e) { return fp::muladd<32>(p | 0x80000000, x, x, e); });
    CHECK(r.value == 0x33800000);  // 2^-24, exact
    CHECK(r.flags == 0);
    // An exact zero sum is +0, or -0 when rounding towards minus infinity.
    r = run(kRN, [&](fp::Env& e) { return fp::muladd<32>(kNegZero | kOne, kOne, kOne, e); });
    CHECK(r.value == kPosZero);
    r = run(kRM, [&](fp::Env& e) { return fp::muladd<32>(kNegZero | kOne, kOne, kOne, e); });
    CHECK(r.value == kNegZero);
}

TEST_CASE("rounding modes on a tie and on overflow", "[a64][fp]")
{
    // 2^-24 is exactly half an ulp of 1.0.
    constexpr uint64_t half_ulp = 0x33800000, minus_half_ulp = 0xB3800000;
    struct Case {
        uint64_t fpcr, a, b, expected;
    } cases[] = {
        {kRN, kOne, half_ulp, kOne},                   // tie to even
        {kRP, kOne, half_ulp, 0x3F800001},             // up
        {kRM, kOne, half_ulp, kOne},                   // down
        {kRZ, kOne, half_ulp, kOne},                   // towards zero
        {kRN, 0x3F800001, half_ulp, 0x3F800002},       // tie, odd below: to even above
        {kRM, 0xBF800000, minus_half_ulp, 0xBF800001}, // -(1 + 2^-24) towards -inf
        {kRP, 0xBF800000, minus_half_ulp, 0xBF800000}, // ... towards +inf
        {kRZ, 0xBF800000, minus_half_ulp, 0xBF800000}, // ... towards zero
    };
    for (const Case& c : cases) {
        INFO(std::hex << c.fpcr << " " << c.a);
        auto r = run(c.fpcr, [&](fp::Env& e) { return fp::add<32>(c.a, c.b, e); });
        CHECK(r.value == c.expected);
        CHECK(r.flags == kFpsrIxc);
    }
    // Overflow: to infinity when the mode rounds away, else to the largest normal.
    for (auto [fpcr, expected] : {std::pair{kRN, kPosInf}, {kRP, kPosInf}, {kRM, kMaxNormal}, {kRZ, kMaxNormal}}) {
        auto r = run(fpcr, [&](fp::Env& e) { return fp::mul<32>(kMaxNormal, kTwo, e); });
        CHECK(r.value == expected);
        CHECK(r.flags == (kFpsrOfc | kFpsrIxc));
    }
}

TEST_CASE("underflow is detected before rounding; flush-to-zero flushes inputs (IDC) and outputs (UFC)",
          "[a64][fp]")
{
    // (1 - 2^-24) * 2^-126 is tiny before rounding and rounds (a tie, to even) up to the
    // smallest normal: ARM raises Underflow here (IEEE tininess before rounding).
    auto r = run(kRN, [&](fp::Env& e) { return fp::mul<32>(0x3F7FFFFF, kMinNormal, e); });
    CHECK(r.value == kMinNormal);
    CHECK(r.flags == (kFpsrUfc | kFpsrIxc));
    // An exact denormal result is not an underflow.
    r = run(kRN, [&](fp::Env& e) { return fp::mul<32>(kHalf, kMinNormal, e); });
    CHECK(r.value == 0x00400000);
    CHECK(r.flags == 0);
    // FZ: the same result is flushed to +0 with only UFC.
    r = run(kFZ, [&](fp::Env& e) { return fp::mul<32>(kHalf, kMinNormal, e); });
    CHECK(r.value == kPosZero);
    CHECK(r.flags == kFpsrUfc);
    // FZ: a denormal input counts as zero, with IDC; the sign of the zero stays.
    r = run(kFZ, [&](fp::Env& e) { return fp::add<32>(0x80000001, kNegZero, e); });
    CHECK(r.value == kNegZero);
    CHECK(r.flags == kFpsrIdc);
    // Comparisons flush too: a denormal equals zero under FZ.
    fp::Env env(kFZ);
    CHECK(fp::compare<32>(0x00000001, kPosZero, false, env) == (kFlagZ | kFlagC));
    CHECK(env.flags == kFpsrIdc);
}

TEST_CASE("FMAX/FMIN on zeros and NaNs; FMAXNM/FMINNM prefer numbers to quiet NaNs", "[a64][fp]")
{
    fp::Env e(kRN);
    CHECK(fp::max<32>(kPosZero, kNegZero, e) == kPosZero);
    CHECK(fp::max<32>(kNegZero, kPosZero, e) == kPosZero);
    CHECK(fp::min<32>(kPosZero, kNegZero, e) == kNegZero);
    CHECK(fp::max<32>(0x7FC00001, kOne, e) == 0x7FC00001);
    CHECK(e.flags == 0);
    CHECK(fp::maxnum<32>(0x7FC00001, kOne, e) == kOne);
    CHECK(fp::minnum<32>(kOne, 0xFFC00001, e) == kOne);
    CHECK(e.flags == 0);
    // A signalling NaN still wins, quieted, with Invalid Operation.
    CHECK(fp::maxnum<32>(0x7F800001, kOne, e) == 0x7FC00001);
    CHECK(e.flags == kFpsrIoc);
}

TEST_CASE("FRECPE, FRSQRTE and FRECPX follow the estimate tables", "[a64][fp]")
{
    // RecipEstimate(256) = 511: 1.0 -> 0.998046875; 2^-126 and 2^126 at the ends of the range.
    fp::Env e(kRN);
    CHECK(fp::recip_estimate<32>(kOne, e) == 0x3F7F8000);
    CHECK(fp::recip_estimate<32>(0xC0000000, e) == 0xBEFF8000);  // -2.0 -> -0.4990234375
    CHECK(fp::recip_estimate<64>(0x3FF0000000000000, e) == 0x3FEFF00000000000);
    CHECK(e.flags == 0);
    // Zero: infinity and Divide by Zero; infinity: zero.
    CHECK(fp::recip_estimate<32>(kNegZero, e) == kNegInf);
    CHECK(e.flags == kFpsrDzc);
    CHECK(fp::recip_estimate<32>(kPosInf, e) == kPosZero);
    // Below 2^-128 the reciprocal overflows: infinity in RN, the largest normal in RZ.
    fp::Env tiny(kRN);
    CHECK(fp::recip_estimate<32>(0x00000001, tiny) == kPosInf);
    CHECK(tiny.flags == (kFpsrOfc | kFpsrIxc));
    fp::Env tiny_rz(kRZ);
    CHECK(fp::recip_estimate<32>(0x00000001, tiny_rz) == kMaxNormal);
    // FZ and an input of 2^126 or more: the denormal reciprocal flushes to zero, UFC.
    fp::Env big(kFZ);
    CHECK(fp::recip_estimate<32>(0x7E800000, big) == kPosZero);
    CHECK(big.flags == kFpsrUfc);

    // RecipSqrtEstimate: 1.0 (odd exponent, scaled 128) -> 511; 2.0 (even, scaled 256) -> 361.
    CHECK(fp::rsqrt_estimate<32>(kOne, e) == 0x3F7F8000);
    CHECK(fp::rsqrt_estimate<32>(kTwo, e) == 0x3F348000);
    CHECK(fp::rsqrt_estimate<32>(0x40800000, e) == 0x3EFF8000);  // 4.0 -> 0.4990234375
    fp::Env neg(kRN);
    CHECK(fp::rsqrt_estimate<32>(0xBF800000, neg) == kDefaultNaN);
    CHECK(neg.flags == kFpsrIoc);

    // FRECPX: the exponent inverted, the fraction cleared; zeros and denormals get the
    // largest finite exponent.
    CHECK(fp::recip_exponent<32>(0x40490FDB, e) == 0x3F800000);  // pi: exponent 0x80 -> 0x7F
    CHECK(fp::recip_exponent<32>(0x00000001, e) == 0x7F000000);
    CHECK(fp::recip_exponent<32>(kNegZero, e) == 0xFF000000);

    // URECPE and URSQRTE: below 0.5 (0.25) the result is all ones.
    CHECK(fp::unsigned_recip_estimate(0x7FFFFFFF) == 0xFFFFFFFF);
    CHECK(fp::unsigned_recip_estimate(0x80000000) == 0xFF800000);
    CHECK(fp::unsigned_rsqrt_estimate(0x3FFFFFFF) == 0xFFFFFFFF);
}

TEST_CASE("conversions to integers round as asked and saturate with Invalid Operation", "[a64][fp]")
{
    using fp::Rounding;
    struct Case {
        uint64_t value;
        Rounding mode;
        bool is_unsigned;
        uint64_t expected;
        uint32_t flags;
    } cases[] = {
        {0x40200000, Rounding::TieEven, false, 2, kFpsrIxc},            // 2.5 -> 2
        {0x40600000, Rounding::TieEven, false, 4, kFpsrIxc},            // 3.5 -> 4
        {0x40200000, Rounding::TieAway, false, 3, kFpsrIxc},            // 2.5 -> 3
        {0xC0200000, Rounding::TieAway, false, 0xFFFFFFFD, kFpsrIxc},   // -2.5 -> -3
        {0xC0200000, Rounding::NegInf, false, 0xFFFFFFFD, kFpsrIxc},    // -2.5 -> -3
        {0xC0200000, Rounding::PosInf, false, 0xFFFFFFFE, kFpsrIxc},    // -2.5 -> -2
        {0xC0200000, Rounding::Zero, false, 0xFFFFFFFE, kFpsrIxc},      // -2.5 -> -2
        {0x4F000000, Rounding::Zero, false, 0x7FFFFFFF, kFpsrIoc},      // 2^31 saturates
        {0xCF000000, Rounding::Zero, false, 0x80000000, 0},             // -2^31 fits
        {0xBF000000, Rounding::Zero, true, 0, kFpsrIxc},                // -0.5 -> 0, inexact
        {0xBF800000, Rounding::Zero, true, 0, kFpsrIoc},                // -1 unsigned saturates
        {0x7FC00000, Rounding::Zero, false, 0, kFpsrIoc},               // NaN -> 0
        {kNegInf, Rounding::Zero, false, 0x80000000, kFpsrIoc},
    };
    for (const Case& c : cases) {
        INFO(std::hex << c.value << " mode " << int(c.mode));
        fp::Env e(kRN);
        CHECK(fp::to_fixed<32>(c.value, 0, c.is_unsigned, 32, c.mode, e) == c.expected);
        CHECK(e.flags == c.flags);
    }
    // Fixed point: 1.5 with 4 fraction bits is 24.
    fp::Env e(kRN);
    CHECK(fp::to_fixed<32>(0x3FC00000, 4, false, 32, Rounding::Zero, e) == 24);
    CHECK(fp::from_fixed<32>(24, 4, false, 32, Rounding::TieEven, e) == 0x3FC00000);
    // INT64_MIN converts exactly; 2^63 - 1 rounds to 2^63.
    CHECK(fp::from_fixed<64>(0x8000000000000000, 0, false, 64, Rounding::TieEven, e) == 0xC3E0000000000000);
    CHECK(e.flags == 0);
    CHECK(fp::from_fixed<32>(0x7FFFFFFFFFFFFFFF, 0, false, 64, Rounding::TieEven, e) == 0x5F000000);
    CHECK(e.flags == kFpsrIxc);
}

TEST_CASE("FRINT rounds to integral values, keeping the sign of zero", "[a64][fp]")
{
    using fp::Rounding;
    fp::Env e(kRN);
    CHECK(fp::round_int<32>(0x3FC00000, Rounding::TieEven, false, e) == kTwo);         // 1.5 -> 2
    CHECK(fp::round_int<32>(0xBF000000, Rounding::TieEven, false, e) == kNegZero);     // -0.5 -> -0
    CHECK(fp::round_int<32>(0xBF000000, Rounding::TieAway, false, e) == 0xBF800000);  // -0.5 -> -1
    CHECK(fp::round_int<32>(0x3F000001, Rounding::PosInf, false, e) == kOne);
    CHECK(e.flags == 0);  // only FRINTX reports Inexact
    CHECK(fp::round_int<32>(0x3F000001, Rounding::Zero, true, e) == kPosZero);
    CHECK(e.flags == kFpsrIxc);
}

TEST_CASE("half precision conversions: IEEE overflow, and AHP without infinities or NaNs", "[a64][fp]")
{
    using fp::Rounding;
    // 65520 rounds to 65536, beyond the largest half (65504): infinity, Overflow.
    fp::Env e(kRN);
    CHECK((fp::convert<32, 16>(0x477FF000, e, Rounding::TieEven)) == 0x7C00);
    CHECK(e.flags == (kFpsrOfc | kFpsrIxc));
    // AHP: exponent 31 is a normal number (65536 ... 131008); infinity and NaN are invalid.
    fp::Env ahp(kAHP);
    CHECK((fp::convert<32, 16>(0x477FF000, ahp, Rounding::TieEven)) == 0x7C00);
    CHECK(ahp.flags == kFpsrIxc);
    CHECK((fp::convert<32, 16>(kNegInf, ahp, Rounding::TieEven)) == 0xFFFF);
    CHECK((fp::convert<32, 16>(0x7FC00000, ahp, Rounding::TieEven)) == 0x0000);
    CHECK((fp::convert<16, 32>(0x7C00, ahp, Rounding::TieEven)) == 0x47800000);  // 65536.0
    // IEEE: a NaN keeps the top of its payload and is quieted.
    fp::Env ieee(kRN);
    CHECK((fp::convert<64, 32>(0x7FF4000000000000, ieee, Rounding::TieEven)) == 0x7FE00000);
    CHECK(ieee.flags == kFpsrIoc);
    // FCVTXN rounds to odd: 1 + 2^-26 in double becomes 1 + 2^-23.
    fp::Env odd(kRN);
    CHECK((fp::convert<64, 32>(0x3FF0000004000000, odd, Rounding::Odd)) == 0x3F800001);
}

TEST_CASE("saturating SIMD integer arithmetic sets FPSR.QC, which stays set", "[a64][simd]")
{
    Board b;
    b.cpu.s.v[1] = VReg{{0x7F, 0}};
    b.cpu.s.v[2] = VReg{{0x01, 0}};
    b.exec({0x5e220c20});  // sqadd b0, b1, b2
    CHECK(b.cpu.s.v[0] == VReg{{0x7F, 0}});
    CHECK(b.cpu.s.sys.fpsr == kFpsrQc);

    Board u;
    u.cpu.s.v[1] = VReg{{0x0001000200030004, 0x0005000600070008}};
    u.cpu.s.v[2] = VReg{{0x0002000200020002, 0x0002000200020002}};
    u.exec({0x6e622c20});  // uqsub v0.8h, v1.8h, v2.8h
    CHECK(u.cpu.s.v[0] == VReg{{0x0000000000010002, 0x0003000400050006}});
    CHECK(u.cpu.s.sys.fpsr == kFpsrQc);
}

TEST_CASE("FP instructions merge flags into FPSR; FPCR and FPSR keep only their defined bits",
          "[a64][fp]")
{
    Board b;
    b.cpu.s.v[1] = VReg{{0x4F000000, 0}};  // 2^31
    b.x(1) = ~uint64_t{0};
    b.exec({0x1e380020,    // fcvtzs w0, s1
            0xd51b4401,    // msr fpcr, x1
            0xd53b4402});  // mrs x2, fpcr
    CHECK(b.x(0) == 0x7FFFFFFF);
    CHECK(b.cpu.s.sys.fpsr == kFpsrIoc);
    CHECK(b.x(2) == kFpcrMask);
}

TEST_CASE("FPCR, FPSR and FP loads trap while CPACR_EL1.FPEN denies FP", "[a64][fp]")
{
    for (uint32_t insn : {0xd53b4400u,    // mrs x0, fpcr
                          0x4cdfa020u}) {  // ld1 {v0.16b, v1.16b}, [x1], #32
        A64TestBoard b;
        b.load(kCode, {insn});
        b.cpu.run(1);
        INFO(std::hex << insn);
        CHECK(b.cpu.s.sys.esr_el1 == 0x1fe00000);  // EC 0x07, IL, CV = 1, COND = AL
        CHECK(b.cpu.s.sys.elr_el1 == kCode);
    }
}

TEST_CASE("vector registers survive a snapshot round trip", "[a64][simd]")
{
    Board b;
    for (unsigned i = 0; i < 32; i++)
        b.cpu.s.v[i] = VReg{{0x0123456789ABCDEFull * (i + 1), ~uint64_t{i}}};
    emu::StateWriter w;
    b.cpu.serialize(w);
    Board c;
    emu::StateReader r(w.bytes());
    c.cpu.serialize(r);
    for (unsigned i = 0; i < 32; i++)
        CHECK(c.cpu.s.v[i] == b.cpu.s.v[i]);
}

TEST_CASE("identification registers report FP, AdvSIMD, CRC32 and the crypto extension", "[a64][fp]")
{
    Board b;
    b.exec({0xd5380400,    // mrs x0, id_aa64pfr0_el1
            0xd5380601,    // mrs x1, id_aa64isar0_el1
            0xd5380302,    // mrs x2, mvfr0_el1
            0xd5380323,    // mrs x3, mvfr1_el1
            0xd5380344});  // mrs x4, mvfr2_el1
    // ID_AA64PFR0_EL1.FP (19:16) and .AdvSIMD (23:20): 0, implemented without half-precision
    // arithmetic (0xF would say not implemented).
    CHECK(((b.x(0) >> 16) & 0xFF) == 0);
    // ID_AA64ISAR0_EL1: AES (7:4) 2 = AES and PMULL, SHA1 (11:8) 1, SHA2 (15:12) 1 = SHA256 only,
    // CRC32 (19:16) 1.
    CHECK(((b.x(1) >> 4) & 0xFFFF) == 0x1112);
    // MVFR0-2 as a Cortex-A57 (ARM DDI 0488, and QEMU's cortex-a57) reports them.
    CHECK(b.x(2) == 0x10110222);
    CHECK(b.x(3) == 0x12111111);
    CHECK(b.x(4) == 0x00000043);
}

TEST_CASE("CPACR_EL1.FPEN = 01 traps FP at EL0 only", "[a64][fp]")
{
    for (uint8_t el : {uint8_t{0}, uint8_t{1}}) {
        A64TestBoard b;
        b.cpu.s.sys.cpacr_el1 = 1u << 20;
        b.cpu.set_el_and_sp(el, el);
        b.cpu.s.v[1] = VReg{{0x3F800000, 0}};
        b.load(kCode, {0x1e222820});  // fadd s0, s1, s2
        b.cpu.run(1);
        INFO("EL" << int(el));
        if (el == 0) {
            CHECK(b.cpu.s.sys.esr_el1 == 0x1fe00000);
            CHECK(b.cpu.s.sys.elr_el1 == kCode);
        } else {
            CHECK(b.cpu.s.pc == kCode + 4);
            CHECK(b.cpu.s.v[0] == VReg{{0x3F800000, 0}});
        }
    }
}
