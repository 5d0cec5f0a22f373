// Our soft-float (cpu/x86/x87_float.h) against the host's own x87, on x86 hosts: random
// operands from every class (zeros, denormals, pseudo-denormals, unnormals, infinities, NaNs,
// tiny and huge numbers, exact integers), random rounding and precision control and exception
// masks; compared are the result's 80 bits, the exception flags, ES and C0-C3. With unmasked
// exceptions the state is taken by FNSAVE, which does not wait. The hardware is a reference
// nobody here wrote: Unicorn (QEMU 5.0) lacks the x87's flags and stack-fault responses.
//
// Where the SDM and the host disagree the SDM decides: FCOM and FUCOM leave the condition codes
// alone when their invalid-operation exception is unmasked (the SDM's FCOM page), which AMD's
// processors do not; the comparison skips C0-C3 there. Transcendental results (F2XM1, FYL2X,
// FYL2XP1, FPATAN, FSIN, FCOS, FPTAN) must be within one unit in the last place of the
// host's, which both guarantee against the true value; ours are correctly rounded in nearly
// every case.
//
// RR_DIFF_ITERATIONS sets the number of cases.
#include <catch2/catch.hpp>

#if defined(__x86_64__) || defined(__i386__)

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cpu/x86/x87_float.h"
#include "split_mix.h"

using emu::x86::Float80;
namespace x87 = emu::x86::x87;

namespace {

struct F80 {
    uint64_t m;
    uint16_t se;
} __attribute__((packed));

struct Fsave {
    uint32_t cw, sw, tw, fip, fcs, fdp, fds;
    F80 st[8];
} __attribute__((packed));

Float80 random_operand(emu::test::SplitMix64& rng)
{
    auto bits = [&](unsigned n) { return n >= 64 ? rng.next() : rng.next() & ((uint64_t{1} << n) - 1); };
    Float80 f;
    switch (rng.below(12)) {
    case 0: f = {0, 0}; break;
    case 1: f = {bits(63) >> rng.below(64), 0}; break;                       // denormal
    case 2: f = {bits(64) | (1ull << 63), 0}; break;                          // pseudo-denormal
    case 3: f = {1ull << 63, 0x7FFF}; break;                                  // infinity
    case 4: f = {(1ull << 63) | (bits(63) | 1), 0x7FFF}; break;               // NaN
    case 5: f = {bits(64) | (1ull << 63), static_cast<uint16_t>(1 + rng.below(0x40))}; break;
    case 6: f = {bits(64) | (1ull << 63), static_cast<uint16_t>(0x7FFE - rng.below(0x40))}; break;
    case 7: f = {(bits(64) | (1ull << 63)) & ~((1ull << rng.below(64)) - 1), static_cast<uint16_t>(16383 + rng.below(80) - 10)}; break;
    case 8: f = {bits(63), static_cast<uint16_t>(1 + rng.below(0x7FFE))}; break;  // unnormal
    default: f = {bits(64) | (1ull << 63), static_cast<uint16_t>(1 + rng.below(0x7FFE))}; break;
    }
    if (rng.chance(1, 2))
        f.se |= 0x8000;
    return f;
}

enum class Op {
    Add, Mul, Div, Sqrt, Rndint, Scale, Prem, Prem1, Xtract, Com, Ucom,
    Fist16, Fist32, Fist64, Fst32, Fst64, Fbstp, Fld32, Fld64, Count
};
const char* const kNames[] = {"FADD", "FMUL", "FDIV", "FSQRT", "FRNDINT", "FSCALE", "FPREM", "FPREM1", "FXTRACT", "FCOM",
                              "FUCOM", "FIST m16", "FIST m32", "FISTP m64", "FST m32", "FST m64", "FBSTP", "FLD m32",
                              "FLD m64"};

// The host: operands b then a pushed (ST0 = a, ST1 = b), the operation, FNSTSW and FNSAVE.
uint16_t host(Op op, uint16_t cw, Float80 a, Float80 b, uint32_t m32, uint64_t m64, Fsave& sv, uint8_t (&mem)[16])
{
    F80 fa{a.mant, a.se}, fb{b.mant, b.se};
    uint16_t sw;
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]" : : [cw] "m"(cw), [a] "m"(fa), [b] "m"(fb));
    switch (op) {
    case Op::Add: __asm__ volatile("fadd %%st(1), %%st" ::: "memory"); break;
    case Op::Mul: __asm__ volatile("fmul %%st(1), %%st" ::: "memory"); break;
    case Op::Div: __asm__ volatile("fdiv %%st(1), %%st" ::: "memory"); break;
    case Op::Sqrt: __asm__ volatile("fsqrt" ::: "memory"); break;
    case Op::Rndint: __asm__ volatile("frndint" ::: "memory"); break;
    case Op::Scale: __asm__ volatile("fscale" ::: "memory"); break;
    case Op::Prem: __asm__ volatile("fprem" ::: "memory"); break;
    case Op::Prem1: __asm__ volatile("fprem1" ::: "memory"); break;
    case Op::Xtract: __asm__ volatile("fxtract" ::: "memory"); break;
    case Op::Com: __asm__ volatile("fcom %%st(1)" ::: "memory"); break;
    case Op::Ucom: __asm__ volatile("fucom %%st(1)" ::: "memory"); break;
    case Op::Fist16: __asm__ volatile("fists %0" : "=m"(*reinterpret_cast<uint16_t*>(mem))); break;
    case Op::Fist32: __asm__ volatile("fistl %0" : "=m"(*reinterpret_cast<uint32_t*>(mem))); break;
    case Op::Fist64: __asm__ volatile("fistpll %0" : "=m"(*reinterpret_cast<uint64_t*>(mem))); break;
    case Op::Fst32: __asm__ volatile("fsts %0" : "=m"(*reinterpret_cast<uint32_t*>(mem))); break;
    case Op::Fst64: __asm__ volatile("fstl %0" : "=m"(*reinterpret_cast<uint64_t*>(mem))); break;
    case Op::Fbstp: __asm__ volatile("fbstp %0" : "=m"(*reinterpret_cast<uint8_t(*)[10]>(mem))); break;
    case Op::Fld32: __asm__ volatile("flds %0" ::"m"(m32)); break;
    case Op::Fld64: __asm__ volatile("fldl %0" ::"m"(m64)); break;
    case Op::Count: break;
    }
    __asm__ volatile("fnstsw %0\n\tfnsave %1" : "=m"(sw), "=m"(sv));
    return sw;
}

// Ours: the status word bits (flags, ES, C0-C3) and the stack as the instruction leaves it.
struct Outcome {
    uint16_t sw = 0;
    Float80 st[3];
    unsigned depth = 2;
    uint8_t mem[16];
};

Outcome ours(Op op, uint16_t cw, Float80 a, Float80 b, uint32_t m32, uint64_t m64)
{
    x87::Env e = x87::Env::from_control_word(cw);
    Outcome o;
    std::memset(o.mem, 0xAA, sizeof o.mem);
    o.st[0] = a;
    o.st[1] = b;
    auto store = [&](Float80 r) {
        if (!e.suppressed())
            o.st[0] = r;
    };
    auto unmasked = [&](uint8_t f) { return (e.flags & ~e.masks & f) != 0; };
    uint16_t cc = 0;
    switch (op) {
    case Op::Add: store(x87::add(e, a, b)); break;
    case Op::Mul: store(x87::mul(e, a, b)); break;
    case Op::Div: store(x87::div(e, a, b)); break;
    case Op::Sqrt: store(x87::sqrt(e, a)); break;
    case Op::Rndint: store(x87::round_to_integer(e, a)); break;
    case Op::Scale: store(x87::scale(e, a, b)); break;
    case Op::Prem:
    case Op::Prem1: {
        x87::PartialRemainder r = x87::remainder(e, a, b, op == Op::Prem ? x87::Quotient::Truncated : x87::Quotient::Nearest);
        if (!e.suppressed()) {
            o.st[0] = r.value;
            cc = static_cast<uint16_t>((r.complete ? 0 : 0x400) | ((r.quotient & 4) ? 0x100 : 0) | ((r.quotient & 2) ? 0x4000 : 0) |
                                       ((r.quotient & 1) ? 0x200 : 0));
        }
        break;
    }
    case Op::Xtract: {
        Float80 ex, sg;
        x87::extract(e, a, ex, sg);
        if (!e.suppressed()) {
            o.st[0] = sg;
            o.st[1] = ex;
            o.st[2] = b;
            o.depth = 3;
        }
        break;
    }
    case Op::Com:
    case Op::Ucom: {
        x87::Relation r = x87::compare(e, a, b, op == Op::Com ? x87::Compare::Ordered : x87::Compare::Unordered);
        cc = r == x87::Relation::Less ? 0x100 : r == x87::Relation::Equal ? 0x4000 : r == x87::Relation::Unordered ? 0x4500 : 0;
        break;
    }
    case Op::Fist16:
    case Op::Fist32:
    case Op::Fist64: {
        unsigned bits = op == Op::Fist16 ? 16 : op == Op::Fist32 ? 32 : 64;
        int64_t v = x87::to_int(e, a, bits);
        if (!unmasked(x87::kInvalid)) {
            std::memcpy(o.mem, &v, bits / 8);
            if (op == Op::Fist64) {
                o.st[0] = b;
                o.depth = 1;
            }
        }
        break;
    }
    case Op::Fst32: {
        uint32_t v = x87::to_float32(e, a);
        if (!unmasked(x87::kInvalid | x87::kOverflow | x87::kUnderflow))
            std::memcpy(o.mem, &v, 4);
        break;
    }
    case Op::Fst64: {
        uint64_t v = x87::to_float64(e, a);
        if (!unmasked(x87::kInvalid | x87::kOverflow | x87::kUnderflow))
            std::memcpy(o.mem, &v, 8);
        break;
    }
    case Op::Fbstp: {
        uint8_t bcd[10];
        x87::to_bcd(e, a, bcd);
        if (!unmasked(x87::kInvalid)) {
            std::memcpy(o.mem, bcd, 10);
            o.st[0] = b;
            o.depth = 1;
        }
        break;
    }
    case Op::Fld32:
    case Op::Fld64: {
        Float80 v = op == Op::Fld32 ? x87::from_float32(e, m32) : x87::from_float64(e, m64);
        // A denormal loads even with DE unmasked; only an unmasked invalid operation stops it.
        if (!unmasked(x87::kInvalid)) {
            o.st[2] = b;
            o.st[1] = a;
            o.st[0] = v;
            o.depth = 3;
        }
        break;
    }
    case Op::Count: break;
    }
    o.sw = static_cast<uint16_t>(e.flags | cc | (e.rounded_up ? 0x200 : 0));
    if (e.flags & ~e.masks)
        o.sw |= 0x80;
    return o;
}

}  // namespace

TEST_CASE("the x87 soft-float computes what the host's x87 does", "[diff][x86][x87]")
{
    const char* env = std::getenv("RR_DIFF_ITERATIONS");
    const uint64_t n = env && *env ? std::strtoull(env, nullptr, 0) : 400000;
    emu::test::SplitMix64 rng(0x80387);
    uint64_t bad[static_cast<unsigned>(Op::Count)] = {};
    std::string report;
    unsigned shown = 0;
    for (uint64_t k = 0; k < n; ++k) {
        Op op = static_cast<Op>(rng.below(static_cast<unsigned>(Op::Count)));
        Float80 a = random_operand(rng), b = random_operand(rng);
        if (op == Op::Scale)
            b.se = static_cast<uint16_t>((b.se & 0x8000) | (16383 + rng.below(16)));
        if ((op == Op::Prem || op == Op::Prem1) && rng.chance(1, 2)) {
            int e = static_cast<int>(a.exp()) - static_cast<int>(rng.below(80));
            b.se = static_cast<uint16_t>((b.se & 0x8000) | (e > 0 ? e : 1));
            b.mant |= 1ull << 63;
        }
        static constexpr uint16_t kPc[4] = {0x000, 0x200, 0x300, 0x300};
        uint16_t cw = static_cast<uint16_t>(0x0040 | kPc[rng.below(4)] | (rng.below(4) << 10) |
                                            (rng.chance(1, 2) ? 0x3F : rng.below(64)));
        uint32_t m32 = static_cast<uint32_t>(rng.next());
        uint64_t m64 = rng.next();
        if (rng.chance(1, 4))
            m32 &= 0x807FFFFF;
        if (rng.chance(1, 4))
            m64 &= 0x800FFFFFFFFFFFFFull;
        Fsave sv;
        uint8_t mem[16];
        std::memset(mem, 0xAA, sizeof mem);
        uint16_t sw = host(op, cw, a, b, m32, m64, sv, mem);
        Outcome o = ours(op, cw, a, b, m32, m64);
        uint16_t mask = 0x3F | 0x80 | 0x4700;
        // The SDM: FCOM and FUCOM set no condition codes when IE is unmasked and raised.
        if ((op == Op::Com || op == Op::Ucom) && (o.sw & 1) && !(cw & 1))
            mask &= static_cast<uint16_t>(~0x4700u);
        bool same = (sw & mask) == (o.sw & mask) && std::memcmp(mem, o.mem, sizeof mem) == 0;
        for (unsigned i = 0; i < o.depth; ++i)
            same &= sv.st[i].m == o.st[i].mant && sv.st[i].se == o.st[i].se;
        if (!same) {
            bad[static_cast<unsigned>(op)]++;
            if (shown++ < 16) {
                char line[256];
                std::snprintf(line, sizeof line,
                              "%s cw=%04x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 ": host sw %04x st0 %04x:%016" PRIx64
                              ", ours sw %04x st0 %04x:%016" PRIx64 "\n",
                              kNames[static_cast<unsigned>(op)], cw, a.se, a.mant, b.se, b.mant, sw & mask, sv.st[0].se,
                              sv.st[0].m, o.sw & mask, o.st[0].se, o.st[0].mant);
                report += line;
            }
        }
    }
    uint64_t total = 0;
    for (unsigned i = 0; i < static_cast<unsigned>(Op::Count); ++i) {
        std::printf("  %-10s %" PRIu64 " differ\n", kNames[i], bad[i]);
        total += bad[i];
    }
    std::printf("%" PRIu64 " random operations against the host x87, %" PRIu64 " differ\n", n, total);
    if (total)
        FAIL(report);
}

TEST_CASE("x87 transcendental results are within one ulp of the host's", "[diff][x86][x87]")
{
    emu::test::SplitMix64 rng(0x80287);
    auto operand = [&](int lo, int hi) {
        Float80 f{rng.next() | (1ull << 63), static_cast<uint16_t>(16383 + lo + static_cast<int>(rng.below(hi - lo + 1)))};
        if (rng.chance(1, 2))
            f.se |= 0x8000;
        return f;
    };
    const char* const names[] = {"F2XM1", "FYL2X", "FYL2XP1", "FPATAN", "FSIN", "FCOS", "FPTAN"};
    unsigned exact = 0, one_ulp = 0, worse = 0;
    std::string report;
    for (unsigned k = 0; k < 30000; ++k) {
        unsigned op = static_cast<unsigned>(rng.below(7));
        Float80 a = op == 0 ? operand(-70, -1) : op == 1 ? operand(-40, 40) : op == 2 ? operand(-70, -3) : op == 3 ? operand(-30, 30) : operand(-40, 20);
        Float80 b = operand(-20, 20);
        if (op == 1)
            a.se &= 0x7FFF;
        uint16_t cw = static_cast<uint16_t>(0x037F | (rng.below(4) << 10));
        F80 fa{a.mant, a.se}, fb{b.mant, b.se}, fo{};
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]" : : [cw] "m"(cw), [a] "m"(fa), [b] "m"(fb));
        switch (op) {
        case 0: __asm__ volatile("f2xm1"); break;
        case 1: __asm__ volatile("fyl2x"); break;
        case 2: __asm__ volatile("fyl2xp1"); break;
        case 3: __asm__ volatile("fpatan"); break;
        case 4: __asm__ volatile("fsin"); break;
        case 5: __asm__ volatile("fcos"); break;
        default: __asm__ volatile("fptan\n\tfstp %st(0)"); break;
        }
        __asm__ volatile("fstpt %0\n\tfninit" : "=m"(fo));
        x87::Env e = x87::Env::from_control_word(cw);
        Float80 r;
        switch (op) {
        case 0: r = x87::f2xm1(e, a); break;
        case 1: r = x87::fyl2x(e, a, b); break;
        case 2: r = x87::fyl2xp1(e, a, b); break;
        case 3: r = x87::fpatan(e, b, a); break;
        case 4: x87::sin_cos(e, a, &r, nullptr); break;
        case 5: x87::sin_cos(e, a, nullptr, &r); break;
        default: x87::tan(e, a, r); break;
        }
        int64_t d = static_cast<int64_t>(fo.m - r.mant);
        if (fo.se == r.se && d == 0) {
            exact++;
        } else if (fo.se == r.se && (d == 1 || d == -1)) {
            one_ulp++;
        } else {
            worse++;
            char line[200];
            std::snprintf(line, sizeof line, "%s a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 " host %04x:%016" PRIx64 " ours %04x:%016" PRIx64 "\n",
                          names[op], a.se, a.mant, b.se, b.mant, fo.se, fo.m, r.se, r.mant);
            report += line;
        }
    }
    std::printf("transcendentals against the host x87: %u identical, %u one ulp apart, %u further\n", exact, one_ulp, worse);
    if (worse)
        FAIL(report);
}

#endif
