// Lockstep of our x87 FPU against Unicorn's (QEMU 5.0's softfloat floatx80): streams of random
// x87 instructions (x87_random_insn.h) from random FPU states with random control words
// (rounding, precision control, exception masks) and register contents (NaNs, infinities,
// denormals, pseudo-denormals, unnormals), run one instruction at a time on both. Compared
// after every instruction: the registers in use (by physical number), which are empty, TOP,
// the control word, C0, C2 and C3 (C1 after FXAM), FIP, FCS, FDP and FDS, the general registers
// and EFLAGS, and memory.
//
// Where QEMU 5.0 departs from the SDM, the SDM decides (ours is checked against it by the unit
// tests and against the host's x87 by x87_host_test.cpp); the lockstep then copies our state
// into Unicorn and goes on, counting the case as "not comparable" (see known_x87_deviation):
//  - QEMU 5.0 keeps no exception flags except ZE (set for any zero divisor, 0/0 included),
//    sets no C1 for a rounding up, stores results even when an exception is unmasked (where
//    the x87 withholds them, or biases the exponent of an overflow or underflow), and detects
//    no stack overflow or underflow: the status word's exception bits and C1 are not compared,
//    and an instruction after which ours has a newly unmasked exception or a stack fault is
//    not comparable.
//  - F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS, FPREM and FPREM1 are computed
//    through host doubles: not comparable.
//  - Arithmetic, comparisons and conversions take a pseudo-denormal's integer bit for a
//    fraction bit (QEMU 5.1 fixed it): not comparable with a pseudo-denormal operand.
//  - FIST/FISTP of an out-of-range value or NaN give 0x7FFF... for positive overflow instead of
//    the integer indefinite; FBSTP has no range check and stores -0 as +0; FXTRACT of anything
//    but a normal number or zero takes the exponent field as a number; FXAM calls unnormals
//    normal and pseudo-NaNs NaNs; FSCALE by a NaN or infinity converts it to an integer, and
//    rounds its result to the precision control; FLD m32fp and m64fp of an SNaN keep it
//    signaling: those cases are not comparable.
//  - FCOMI and friends leave OF, SF and AF alone (the SDM clears them): not compared.
//  - FNSTENV does not mask the exceptions afterwards in QEMU: the control word is copied. An
//    SNaN stored by FST m32fp or m64fp stays signaling in QEMU 5.0: not comparable.
//  - FNSTENV and FNSAVE write zeros in the 32-bit format's reserved halves (a P6 writes ones)
//    and no opcode beside FCS; FNSTSW and the environment's status word carry the exception
//    bits QEMU lacks: those bytes are copied from ours.
//  - FINCSTP, FDECSTP, FFREE(P), FNSTSW AX and FNENI/FNDISI/FNSETPM update FIP and FCS in QEMU;
//    the SDM counts them as control instructions, which do not: FIP and FCS are copied. FLDENV
//    and FRSTOR load no pointers in QEMU: they are copied too.
//  - FST/FSTP ST(i) into an empty ST(i) leaves it tagged empty in QEMU: not comparable.
//  - QEMU 5.0 rounds the constants of FLDL2T..FLDLN2 to nearest whatever RC says (QEMU 7.2
//    follows RC, as the SDM): not comparable under another rounding mode.
//
// Environment: RR_DIFF_SEED / RR_DIFF_ITERATIONS as the integer lockstep (iterations are
// instructions).
#include <catch2/catch.hpp>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cpu/x86/x87_float.h"
#include "x86_lockstep_rig.h"
#include "x87_random_insn.h"

using namespace emu;
using namespace emu::test;
using emu::x86::Float80;
namespace x87 = emu::x86::x87;

namespace {

using L = X86Layout;
constexpr uint64_t kCiInstructions = 60000;
constexpr unsigned kStreamLength = 24;
constexpr unsigned kMaxReports = 12;
constexpr uint8_t kHlt = 0xF4;

uint64_t env_u64(const char* name, uint64_t fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

// The FPU state as Unicorn has it.
x86::FpuState unicorn_fpu(const UnicornX86& u)
{
    x86::FpuState f;
    for (unsigned i = 0; i < 8; ++i)
        u.fp_register(i, f.reg[i].mant, f.reg[i].se);
    f.cw = u.reg16(UC_X86_REG_FPCW);
    f.sw = u.reg16(UC_X86_REG_FPSW);
    uint16_t tw = u.reg16(UC_X86_REG_FPTAG);
    f.empty = 0;
    for (unsigned i = 0; i < 8; ++i)
        if (((tw >> (2 * i)) & 3) == 3)
            f.empty |= static_cast<uint8_t>(1u << i);
    f.fip = static_cast<uint32_t>(u.reg64(UC_X86_REG_FIP));
    f.fdp = static_cast<uint32_t>(u.reg64(UC_X86_REG_FDP));
    f.fcs = u.reg16(UC_X86_REG_FCS);
    f.fds = u.reg16(UC_X86_REG_FDS);
    return f;
}

void set_unicorn_fpu(UnicornX86& u, const x86::FpuState& f)
{
    for (unsigned i = 0; i < 8; ++i)
        u.set_fp_register(i, f.reg[i].mant, f.reg[i].se);
    u.set_reg16(UC_X86_REG_FPCW, f.cw);
    u.set_reg16(UC_X86_REG_FPSW, f.sw);
    uint16_t tw = 0;
    for (unsigned i = 0; i < 8; ++i)
        tw |= static_cast<uint16_t>((((f.empty >> i) & 1) ? 3u : 0u) << (2 * i));
    u.set_reg16(UC_X86_REG_FPTAG, tw);
    u.set_reg64(UC_X86_REG_FIP, f.fip);
    u.set_reg64(UC_X86_REG_FDP, f.fdp);
    u.set_reg16(UC_X86_REG_FCS, f.fcs);
    u.set_reg16(UC_X86_REG_FDS, f.fds);
}

std::string f80(const Float80& v)
{
    char b[32];
    std::snprintf(b, sizeof b, "%04x:%016" PRIx64, v.se, v.mant);
    return b;
}

std::string describe(const x86::FpuState& f)
{
    char b[160];
    std::snprintf(b, sizeof b, "cw %04x sw %04x top %u empty %02x fip %08x fcs %04x fdp %08x fds %04x\n", f.cw, f.sw,
                  f.top(), f.empty, f.fip, f.fcs, f.fdp, f.fds);
    std::string s = b;
    for (unsigned i = 0; i < 8; ++i)
        s += "    ST(" + std::to_string(i) + ") = R" + std::to_string(f.phys(i)) + " " + f80(f.st(i)) +
             (f.st_empty(i) ? " (empty)" : "") + "\n";
    return s;
}

enum class Verdict { Compare, NotComparable };

// The cases where QEMU 5.0 departs from the SDM (see the file comment). The exception flags
// are cleared before each instruction, so `after`'s are the ones it raised (or loaded).
Verdict known_x87_deviation(const X87Insn& in, const x86::FpuState& before, const x86::FpuState& after)
{
    const bool loads_status = in.kind == X87Kind::Environment && (in.modrm >> 3 & 7) == 4;
    if (in.stack_fault || (!loads_status && (after.sw & ~after.cw & 0x3F)))
        return Verdict::NotComparable;
    const Float80& st0 = before.st(0);
    x87::Kind k0 = x87::classify(st0);
    // QEMU 5.0 computes with pseudo-denormals (exponent 0, integer bit set) as if the integer
    // bit were a fraction bit (fixed in QEMU 5.1): arithmetic on one is not comparable.
    auto pseudo_denormal = [](const Float80& v) { return v.exp() == 0 && (v.mant >> 63); };
    const unsigned i = in.modrm >= 0xC0 ? in.modrm & 7 : 1;
    const bool computes = in.kind == X87Kind::Arith || in.kind == X87Kind::Compare || in.kind == X87Kind::CompareEflags ||
                          in.kind == X87Kind::Store || in.kind == X87Kind::StoreInt || in.kind == X87Kind::StoreBcd ||
                          in.kind == X87Kind::Scale || (in.kind == X87Kind::Unary && in.modrm >= 0xFA);
    if (computes && (pseudo_denormal(st0) || pseudo_denormal(before.st(i))))
        return Verdict::NotComparable;
    const bool rounded_constant = in.opcode == 0xD9 && in.modrm >= 0xE9 && in.modrm <= 0xED;
    switch (in.kind) {
    case X87Kind::Transcendental:
    case X87Kind::Remainder: return Verdict::NotComparable;
    case X87Kind::Load: {
        // QEMU 5.0 rounds FLDL2T..FLDLN2 to nearest whatever RC says, and loads a single or
        // double precision SNaN without making it quiet.
        if (rounded_constant && (before.cw & 0x0C00))
            return Verdict::NotComparable;
        return (after.sw & x87::kInvalid) && in.mem && in.mem_len < 10 ? Verdict::NotComparable : Verdict::Compare;
    }
    case X87Kind::StoreInt:
    case X87Kind::StoreBcd:
        if (after.sw & x87::kInvalid)
            return Verdict::NotComparable;  // out of range or NaN: QEMU stores something else
        return in.kind == X87Kind::StoreBcd && st0.sign() ? Verdict::NotComparable : Verdict::Compare;
    case X87Kind::Extract:
        // QEMU 5.0 takes the exponent field of denormals, NaNs and infinities as a number.
        return k0 == x87::Kind::Normal || k0 == x87::Kind::Zero ? Verdict::Compare : Verdict::NotComparable;
    case X87Kind::Examine: return k0 == x87::Kind::Unsupported ? Verdict::NotComparable : Verdict::Compare;
    case X87Kind::Scale: {
        // QEMU 5.0 rounds FSCALE's result to the precision control (the SDM applies it to
        // FADD..FDIVR and FSQRT only).
        x87::Kind k1 = x87::classify(before.st(1));
        bool plain = k1 == x87::Kind::Normal || k1 == x87::Kind::Zero || k1 == x87::Kind::Denormal;
        return plain && (before.cw & 0x0300) == 0x0300 ? Verdict::Compare : Verdict::NotComparable;
    }
    case X87Kind::Store:
        // FST/FSTP ST(i) into an empty register: QEMU copies the value but leaves it tagged empty.
        if (in.modrm >= 0xC0 && (before.empty >> before.phys(in.modrm & 7) & 1))
            return Verdict::NotComparable;
        // An SNaN stored as single or double precision: QEMU 5.0 does not make it quiet.
        return in.mem && in.mem_len < 10 && k0 == x87::Kind::SNaN ? Verdict::NotComparable : Verdict::Compare;
    default: return Verdict::Compare;
    }
}

class X87Lockstep {
public:
    X87Lockstep() : rig_(L::kRamBase, L::kRamSize)
    {
        // Unicorn's flat segments have selector 0: ours too, so that FCS and FDS agree.
        for (x86::Segment& g : rig_.cpu.s.seg)
            g.selector = 0;
    }

    uint64_t compared = 0, not_comparable = 0, faulted = 0, diverged = 0;
    std::vector<std::string> reports;

    void run(uint64_t seed, uint64_t instructions)
    {
        SplitMix64 fill(seed ^ 0x87878787ull);
        std::vector<uint8_t> bytes(L::kRamSize);
        for (size_t i = 0; i < bytes.size(); i += 8) {
            uint64_t v = fill.next();
            std::memcpy(&bytes[i], &v, 8);
        }
        std::memset(bytes.data() + (L::kCode - L::kRamBase), kHlt, L::kCodeSize);
        rig_.fill(bytes);
        SplitMix64 rng(seed);
        for (uint64_t n = 0; n < instructions;) {
            start_stream(rng);
            for (unsigned k = 0; k < kStreamLength && n < instructions; ++k, ++n) {
                if (!step(rng, seed, n))
                    rig_.resync_unicorn_from_ours();
                // Every instruction starts from the same FPU state on both, what the comparison
                // left out (exception flags, C1) and what QEMU lacks (pointers) included.
                set_unicorn_fpu(rig_.unicorn, rig_.cpu.s.fpu);
            }
        }
    }

private:
    void start_stream(SplitMix64& rng)
    {
        x86::FpuState f = random_x87_state(rng);
        rig_.cpu.s.fpu = f;
        set_unicorn_fpu(rig_.unicorn, f);
        X86Regs r{};
        for (uint32_t& v : r.r)
            v = static_cast<uint32_t>(rng.next());
        r.r[4] = L::kStackLow + 0x1000;
        r.eip = L::kCode + 0x100;
        r.eflags = 2 | (static_cast<uint32_t>(rng.next()) & (x86::kStatusFlags));
        rig_.set_state(r);
    }

    // One instruction; false after a divergence or a deviation, when Unicorn must be
    // resynchronised from ours.
    bool step(SplitMix64& rng, uint64_t seed, uint64_t n)
    {
        X87Insn in = random_x87_insn(rng, rig_.cpu.s.fpu);
        for (const X86Poke& p : in.pokes)
            rig_.write(p.addr, p.bytes, p.len);
        const uint32_t at = L::kCode + 0x100;
        rig_.write(at, in.bytes, in.len);
        X86Regs regs = rig_.ours();
        regs.eip = at;
        rig_.set_state(regs);
        // No exception flags before: afterwards they are the instruction's (QEMU has none).
        rig_.cpu.s.fpu.sw &= static_cast<uint16_t>(~0x80FFu);
        rig_.unicorn.set_reg16(UC_X86_REG_FPSW, rig_.cpu.s.fpu.sw);
        x86::FpuState before = rig_.cpu.s.fpu;
        X86LockstepRig::OurStep ours = rig_.step_ours();
        UnicornX86::StepResult theirs = rig_.unicorn.step(1);
        x86::FpuState o = rig_.cpu.s.fpu, u = unicorn_fpu(rig_.unicorn);
        uint8_t hlts[16];
        std::memset(hlts, kHlt, sizeof hlts);

        std::vector<std::string> diffs;
        if (ours.completed != theirs.completed || ours.vector != theirs.vector)
            diffs.push_back("ours: " + ours.what + (ours.completed ? "completed" : "") + "; unicorn: " + theirs.text());
        if (ours.completed && theirs.completed && known_x87_deviation(in, before, o) == Verdict::NotComparable) {
            not_comparable++;
            rig_.write(at, hlts, in.len);
            return false;
        }
        if (!ours.completed && diffs.empty()) {
            faulted++;
            rig_.write(at, hlts, in.len);
            return true;
        }
        patch_known(in, o, u);
        compare_fpu(in, o, u, diffs);
        X86Regs a = rig_.ours(), b = rig_.theirs();
        uint32_t flag_mask = x86::kStatusFlags;
        if (in.kind == X87Kind::CompareEflags)
            flag_mask = x86::kZF | x86::kPF | x86::kCF;  // QEMU leaves OF, SF, AF
        for (unsigned i = 0; i < 8; ++i) {
            uint32_t mask = ~0u;
            if (i == 0 && in.kind == X87Kind::StatusStore && in.mem == 0)
                mask = ~static_cast<uint32_t>(0xFF | x86::kFswC1 | x86::kFswB);  // FNSTSW AX: flags QEMU lacks
            if ((a.r[i] ^ b.r[i]) & mask)
                diffs.push_back("GPR " + std::to_string(i) + " differs");
        }
        if ((a.eflags ^ b.eflags) & flag_mask)
            diffs.push_back("EFLAGS differ");
        if (a.eip != b.eip)
            diffs.push_back("EIP differs");
        if (!rig_.memory_equal(L::kRamBase, L::kRamSize))
            for (const std::string& s : rig_.memory_differences(L::kRamBase, L::kRamSize, 6))
                diffs.push_back("memory " + s);
        rig_.write(at, hlts, in.len);
        if (diffs.empty()) {
            compared++;
            return true;
        }
        diverged++;
        if (reports.size() < kMaxReports) {
            std::string text = in.name + "  bytes:";
            char b[8];
            for (unsigned i = 0; i < in.len; ++i) {
                std::snprintf(b, sizeof b, " %02x", in.bytes[i]);
                text += b;
            }
            text += "\n  seed " + std::to_string(seed) + ", instruction " + std::to_string(n) + "\n  before: " + describe(before) +
                    "  ours:   " + describe(o) + "  unicorn: " + describe(u) + "  differences:\n";
            for (const std::string& d : diffs)
                text += "    " + d + "\n";
            reports.push_back(text);
        }
        return false;
    }

    // The documented differences that are copied from ours before comparing.
    void patch_known(const X87Insn& in, const x86::FpuState& o, x86::FpuState& u)
    {
        const bool control = in.kind == X87Kind::Stack || in.kind == X87Kind::Control ||
                             (in.kind == X87Kind::StatusStore && in.mem == 0);
        if (control) {
            u.fip = o.fip;
            u.fcs = o.fcs;
        }
        if (in.kind == X87Kind::Environment && in.opcode == 0xD9 && (in.modrm >> 3 & 7) == 6)
            u.cw = o.cw;  // FNSTENV masks every exception afterwards; QEMU does not
        if (in.kind == X87Kind::Environment && (in.modrm >> 3 & 7) == 4) {
            // FLDENV, FRSTOR: QEMU 5.0 loads no instruction or data pointer.
            u.fip = o.fip;
            u.fcs = o.fcs;
            u.fdp = o.fdp;
            u.fds = o.fds;
        }
        if (in.mem == 0)
            return;
        uint8_t* ours = rig_.our_ram() + (in.mem - L::kRamBase);
        auto copy = [&](unsigned off, unsigned len) { rig_.patch_unicorn(in.mem + off, ours + off, len); };
        if (in.kind == X87Kind::StatusStore) {
            copy(0, 2);  // FNSTSW m16: the exception bits and C1
        } else if (in.kind == X87Kind::Environment && (in.modrm >> 3 & 7) == 6) {
            // FNSTENV, FNSAVE: the status word, and the 32-bit format's reserved halves and
            // opcode.
            bool wide = in.mem_len == 28 || in.mem_len == 108;
            if (wide) {
                copy(2, 2);
                copy(4, 2);  // status word: exception bits
                copy(6, 2);
                copy(10, 2);
                copy(18, 2);  // FOP beside FCS
                copy(26, 2);
            } else {
                copy(2, 2);
            }
        }
    }

    void compare_fpu(const X87Insn& in, const x86::FpuState& o, const x86::FpuState& u, std::vector<std::string>& diffs)
    {
        if (o.top() != u.top())
            diffs.push_back("TOP differs");
        if (o.empty != u.empty)
            diffs.push_back("empty registers differ");
        for (unsigned i = 0; i < 8; ++i)
            if (!((o.empty >> i) & 1) && !(o.reg[i] == u.reg[i]))
                diffs.push_back("R" + std::to_string(i) + " ours " + f80(o.reg[i]) + " unicorn " + f80(u.reg[i]));
        if (o.cw != u.cw)
            diffs.push_back("control word differs");
        uint16_t cc = x86::kFswC0 | x86::kFswC2 | x86::kFswC3 | (in.kind == X87Kind::Examine ? x86::kFswC1 : 0);
        if ((o.sw ^ u.sw) & cc)
            diffs.push_back("condition codes differ");
        if (o.fip != u.fip || o.fcs != u.fcs)
            diffs.push_back("FCS:FIP differs");
        if (o.fdp != u.fdp || o.fds != u.fds)
            diffs.push_back("FDS:FDP differs");
    }

    X86LockstepRig rig_;
};

void run_part(unsigned part, uint64_t ci_seed)
{
    uint64_t seed = ci_seed;
    if (std::getenv("RR_DIFF_SEED")) {
        if (part != 1)
            return;
        seed = env_u64("RR_DIFF_SEED", 0);
    }
    uint64_t n = env_u64("RR_DIFF_ITERATIONS", kCiInstructions);
    X87Lockstep run;
    auto t0 = std::chrono::steady_clock::now();
    run.run(seed, n);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("x87, seed %" PRIu64 ": %" PRIu64 " instructions in %.1f s: %" PRIu64 " compared, %" PRIu64
                " faulted alike, %" PRIu64 " not comparable (QEMU 5.0 deviations), %" PRIu64 " diverged\n",
                seed, n, seconds, run.compared, run.faulted, run.not_comparable, run.diverged);
    std::string failure;
    for (const std::string& r : run.reports)
        failure += "DIVERGENCE " + r + "\n";
    // Most instructions must be compared for the test to mean anything.
    if (run.diverged == 0 && n >= kCiInstructions && run.compared < n * 6 / 10)
        failure += "only " + std::to_string(run.compared) + " of " + std::to_string(n) + " instructions compared\n";
    if (!failure.empty())
        FAIL(failure);
}

}  // namespace

TEST_CASE("random x87 instruction streams run the same on our FPU and on Unicorn's (1/2)", "[diff][x86][x87]")
{
    run_part(1, 0x87);
}

TEST_CASE("random x87 instruction streams run the same on our FPU and on Unicorn's (2/2)", "[diff][x86][x87]")
{
    run_part(2, 0x88);
}
