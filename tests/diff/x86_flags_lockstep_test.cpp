// Lockstep of EFLAGS through instruction sequences, our i386 interpreter against Unicorn: the
// status flags are kept lazily between the instruction that sets them and the one that reads
// them (cpu/x86/flags.h), which only shows when both run inside one run() call. Each case is a
// random sequence of register-only flag writers (ALU, INC/DEC, NEG, TEST, shifts and rotates by
// 0, 1 and more, BT*, MUL/IMUL, BSF/BSR, DAA/DAS/AAA/AAS, CLC/STC/CMC, SAHF) and flag readers
// (Jcc over an XCHG, SETcc, CMOVcc, PUSHF, LAHF, ADC/SBB, RCL/RCR, INC/DEC, SALC, CMC, DAA...).
// For every prefix of the sequence both engines run it from the same random state in one go,
// and the general registers, EIP, the defined status flags and the stack are compared: so
// EFLAGS is compared after every instruction, and every flag a reader consumed lazily is
// compared through what the reader did with it.
//
// Flags the SDM leaves undefined (AF after a logic operation, OF after a multi-bit shift, SF
// ZF AF PF after MUL, ...) are tracked through the sequence: readers only read defined flags,
// and undefined ones are masked in the comparison.
//     RR_DIFF_SEED=<n>, RR_DIFF_ITERATIONS=<n>   as for the other lockstep tests
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "x86_lockstep_rig.h"
#include "x86_random_insn.h"

using namespace emu;
using namespace emu::test;

namespace {

using L = X86Layout;
constexpr uint32_t kCF = x86::kCF, kPF = x86::kPF, kAF = x86::kAF, kZF = x86::kZF, kSF = x86::kSF, kOF = x86::kOF;
constexpr uint32_t kStatus = x86::kStatusFlags;
constexpr unsigned kMaxUnits = 6;
constexpr uint64_t kCiCases = 4000;

// The flags each condition code reads (by cc >> 1).
constexpr uint32_t kConditionReads[8] = {kOF, kCF, kZF, kCF | kZF, kSF, kPF, kSF | kOF, kZF | kSF | kOF};

// One instruction of a sequence (a Jcc comes with the XCHG EAX, ECX it jumps over).
struct Unit {
    std::vector<uint8_t> bytes;
    std::string name;
};

class SequenceBuilder {
public:
    explicit SequenceBuilder(SplitMix64& rng) : rng_(rng) {}

    std::vector<Unit> units;
    uint32_t undefined = 0;  // status flags undefined after the units so far

    void add_random()
    {
        if (rng_.chance(1, 2))
            add_writer();
        else
            add_reader();
    }

private:
    unsigned nonstack_reg()
    {
        unsigned r = static_cast<unsigned>(rng_.below(7));
        return r >= 4 ? r + 1 : r;
    }
    uint8_t modrm_rr(unsigned reg_field, unsigned rm) { return static_cast<uint8_t>(0xC0 | (reg_field << 3) | rm); }
    // Size prefix and the byte/word-or-dword opcode choice: 1, 2 or 4 bytes.
    unsigned size() { return rng_.chance(1, 3) ? 1 : rng_.chance(1, 4) ? 2 : 4; }
    // A register for an operand of `size` bytes that never touches ESP (AH..BH are 4-7 at size 1).
    unsigned operand_reg(unsigned sz) { return sz == 1 ? static_cast<unsigned>(rng_.below(8)) : nonstack_reg(); }
    void emit(std::vector<uint8_t> b, std::string name) { units.push_back(Unit{std::move(b), std::move(name)}); }
    void prefix(std::vector<uint8_t>& b, unsigned sz)
    {
        if (sz == 2)
            b.push_back(0x66);
    }
    uint32_t imm_value()
    {
        static const uint32_t kEdges[] = {0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF};
        return rng_.chance(1, 2) ? kEdges[rng_.below(std::size(kEdges))] : static_cast<uint32_t>(rng_.next());
    }
    void push_imm(std::vector<uint8_t>& b, uint32_t v, unsigned sz)
    {
        for (unsigned i = 0; i < sz; i++)
            b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    // The flags written, defined and undefined, by the instruction just emitted.
    void wrote(uint32_t defined, uint32_t undefined_now)
    {
        undefined = (undefined & ~defined & ~undefined_now) | undefined_now;
    }
    bool defined(uint32_t flags) const { return !(undefined & flags); }

    void add_writer()
    {
        unsigned sz = size();
        std::vector<uint8_t> b;
        switch (rng_.below(11)) {
        case 0:
        case 1: {  // ALU r, r or r, imm (ADC/SBB read CF)
            unsigned op = static_cast<unsigned>(rng_.below(8));
            if ((op == 2 || op == 3) && !defined(kCF))
                op = 0;
            prefix(b, sz);
            if (rng_.chance(1, 2)) {
                b.push_back(static_cast<uint8_t>(op * 8 + (sz == 1 ? 0 : 1)));
                b.push_back(modrm_rr(operand_reg(sz), operand_reg(sz)));
            } else {
                b.push_back(sz == 1 ? 0x80 : 0x81);
                b.push_back(modrm_rr(op, operand_reg(sz)));
                push_imm(b, imm_value(), sz);
            }
            bool logic = op == 1 || op == 4 || op == 6;
            wrote(kStatus, logic ? kAF : 0);
            emit(b, "alu");
            break;
        }
        case 2: {  // INC/DEC r/m (CF kept), NEG
            unsigned kind = static_cast<unsigned>(rng_.below(3));
            prefix(b, sz);
            b.push_back(kind == 2 ? (sz == 1 ? 0xF6 : 0xF7) : (sz == 1 ? 0xFE : 0xFF));
            b.push_back(modrm_rr(kind == 2 ? 3 : kind, operand_reg(sz)));
            wrote(kind == 2 ? kStatus : kStatus & ~kCF, 0);
            emit(b, "inc/dec/neg");
            break;
        }
        case 3: {  // TEST r, r / r, imm
            prefix(b, sz);
            if (rng_.chance(1, 2)) {
                b.push_back(sz == 1 ? 0x84 : 0x85);
                b.push_back(modrm_rr(operand_reg(sz), operand_reg(sz)));
            } else {
                b.push_back(sz == 1 ? 0xF6 : 0xF7);
                b.push_back(modrm_rr(0, operand_reg(sz)));
                push_imm(b, imm_value(), sz);
            }
            wrote(kStatus, kAF);
            emit(b, "test");
            break;
        }
        case 4:
        case 5: {  // shifts and rotates by 1 or imm8 (0, 1, small, large)
            unsigned kind = static_cast<unsigned>(rng_.below(8));
            if ((kind == 2 || kind == 3) && !defined(kCF))
                kind = 4;
            prefix(b, sz);
            unsigned count;
            if (rng_.chance(1, 3)) {
                b.push_back(sz == 1 ? 0xD0 : 0xD1);
                b.push_back(modrm_rr(kind, operand_reg(sz)));
                count = 1;
            } else {
                static const uint8_t kCounts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33};
                count = kCounts[rng_.below(std::size(kCounts))];
                b.push_back(sz == 1 ? 0xC0 : 0xC1);
                b.push_back(modrm_rr(kind, operand_reg(sz)));
                b.push_back(static_cast<uint8_t>(count));
            }
            count &= 31;
            bool rotate = kind < 4;
            if (count == 0) {
                // No flag changes.
            } else if (rotate) {
                // A rotation by a multiple of the width (or of width + 1 for RCL/RCR) still
                // writes CF and OF; OF only defined for a count of 1.
                wrote(kCF | kOF, count == 1 ? 0 : kOF);
            } else {
                uint32_t undef = kAF | (count == 1 ? 0 : kOF);
                if (count >= 8 * sz)
                    undef |= kCF;  // shifts by the width or more: CF undefined
                wrote(kStatus, undef);
            }
            emit(b, "shift/rotate");
            break;
        }
        case 6: {  // BT/BTS/BTR/BTC r, imm8 / r, r (16 or 32 bits)
            unsigned s2 = rng_.chance(1, 2) ? 2 : 4;
            prefix(b, s2);
            b.push_back(0x0F);
            if (rng_.chance(1, 2)) {
                b.push_back(0xBA);
                b.push_back(modrm_rr(4 + static_cast<unsigned>(rng_.below(4)), nonstack_reg()));
                b.push_back(static_cast<uint8_t>(rng_.next()));
            } else {
                b.push_back(static_cast<uint8_t>(0xA3 + 8 * rng_.below(4)));
                b.push_back(modrm_rr(nonstack_reg(), nonstack_reg()));
            }
            wrote(kCF | kOF | kSF | kAF | kPF, kOF | kSF | kAF | kPF);
            emit(b, "bt*");
            break;
        }
        case 7: {  // MUL/IMUL r/m (one operand), IMUL r, r/m
            if (rng_.chance(1, 3) && sz != 1) {
                prefix(b, sz);
                b.push_back(0x0F);
                b.push_back(0xAF);
                b.push_back(modrm_rr(nonstack_reg(), operand_reg(sz)));
            } else {
                prefix(b, sz);
                b.push_back(sz == 1 ? 0xF6 : 0xF7);
                b.push_back(modrm_rr(4 + static_cast<unsigned>(rng_.below(2)), operand_reg(sz)));
            }
            wrote(kStatus, kSF | kZF | kAF | kPF);
            emit(b, "mul");
            break;
        }
        case 8: {  // BSF/BSR
            unsigned s2 = rng_.chance(1, 2) ? 2 : 4;
            prefix(b, s2);
            b.push_back(0x0F);
            b.push_back(rng_.chance(1, 2) ? 0xBC : 0xBD);
            b.push_back(modrm_rr(nonstack_reg(), nonstack_reg()));
            wrote(kStatus, kStatus & ~kZF);
            emit(b, "bsf/bsr");
            break;
        }
        case 9: {  // DAA DAS (OF undefined), AAA AAS (OF SF ZF PF undefined)
            static const uint8_t kOps[] = {0x27, 0x2F, 0x37, 0x3F};
            uint8_t o = kOps[rng_.below(4)];
            if (!defined(kCF | kAF)) {
                add_reader();
                return;
            }
            b.push_back(o);
            wrote(kStatus, o == 0x27 || o == 0x2F ? kOF : kOF | kSF | kZF | kPF);
            emit(b, "bcd");
            break;
        }
        default: {  // CLC STC, SAHF
            if (rng_.chance(1, 2)) {
                b.push_back(rng_.chance(1, 2) ? 0xF8 : 0xF9);
                wrote(kCF, 0);
            } else {
                b.push_back(0x9E);
                wrote(kSF | kZF | kAF | kPF | kCF, 0);
            }
            emit(b, "clc/stc/sahf");
            break;
        }
        }
    }

    // A condition code reading only defined flags, or -1.
    int defined_condition()
    {
        for (int tries = 0; tries < 16; tries++) {
            unsigned cc = static_cast<unsigned>(rng_.below(16));
            if (defined(kConditionReads[cc >> 1]))
                return static_cast<int>(cc);
        }
        return -1;
    }

    void add_reader()
    {
        std::vector<uint8_t> b;
        unsigned kind = static_cast<unsigned>(rng_.below(9));
        int cc = defined_condition();
        if (kind <= 2 && cc < 0)
            kind = 7;
        switch (kind) {
        case 0:  // Jcc rel8 over XCHG EAX, ECX; sometimes the rel32 form
            if (rng_.chance(1, 4))
                b = {0x0F, static_cast<uint8_t>(0x80 + cc), 1, 0, 0, 0, 0x91};
            else
                b = {static_cast<uint8_t>(0x70 + cc), 1, 0x91};
            emit(b, "jcc");
            return;
        case 1:  // SETcc r8
            b = {0x0F, static_cast<uint8_t>(0x90 + cc), modrm_rr(0, static_cast<unsigned>(rng_.below(8)))};
            emit(b, "setcc");
            return;
        case 2:  // CMOVcc r, r
            if (rng_.chance(1, 3))
                b.push_back(0x66);
            b.push_back(0x0F);
            b.push_back(static_cast<uint8_t>(0x40 + cc));
            b.push_back(modrm_rr(nonstack_reg(), nonstack_reg()));
            emit(b, "cmovcc");
            return;
        case 3:  // PUSHF (16 or 32 bits), LAHF
            if (!defined(kStatus))
                break;
            if (rng_.chance(1, 3))
                b = {0x9F};
            else if (rng_.chance(1, 4))
                b = {0x66, 0x9C};
            else
                b = {0x9C};
            emit(b, "pushf/lahf");
            return;
        case 4: {  // ADC/SBB r, r
            if (!defined(kCF))
                break;
            unsigned sz = size();
            prefix(b, sz);
            b.push_back(static_cast<uint8_t>((rng_.chance(1, 2) ? 0x10 : 0x18) + (sz == 1 ? 0 : 1)));
            b.push_back(modrm_rr(operand_reg(sz), operand_reg(sz)));
            wrote(kStatus, 0);
            emit(b, "adc/sbb");
            return;
        }
        case 5: {  // RCL/RCR by 1, SALC, CMC
            if (!defined(kCF))
                break;
            unsigned which = static_cast<unsigned>(rng_.below(3));
            if (which == 0) {
                unsigned sz = size();
                prefix(b, sz);
                b.push_back(sz == 1 ? 0xD0 : 0xD1);
                b.push_back(modrm_rr(2 + static_cast<unsigned>(rng_.below(2)), operand_reg(sz)));
                wrote(kCF | kOF, 0);
            } else if (which == 1) {
                b = {0xD6};  // SALC
            } else {
                b = {0xF5};  // CMC
                wrote(kCF, 0);
            }
            emit(b, "rcl/rcr/salc/cmc");
            return;
        }
        case 6: {  // INC/DEC r32 (one byte): CF passes through
            b = {static_cast<uint8_t>((rng_.chance(1, 2) ? 0x40 : 0x48) + nonstack_reg())};
            wrote(kStatus & ~kCF, 0);
            emit(b, "inc/dec");
            return;
        }
        default:
            break;
        }
        // Nothing fitted what is defined: a writer instead.
        add_writer();
    }

    SplitMix64& rng_;
};

uint64_t env_u64(const char* name, uint64_t fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

class FlagsLockstep {
public:
    FlagsLockstep() : rig_(L::kRamBase, L::kRamSize)
    {
        std::vector<uint8_t> bytes(L::kRamSize, 0);
        std::memset(bytes.data() + (L::kCode - L::kRamBase), 0xF4, L::kCodeSize);
        rig_.fill(bytes);
        rig_.enter_mode();
    }

    std::vector<std::string> failures;
    uint64_t prefixes = 0;

    void run_case(uint64_t seed, uint64_t index)
    {
        SplitMix64 rng = SplitMix64::for_case(seed, index);
        SequenceBuilder seq(rng);
        std::vector<uint32_t> undefined_after;
        unsigned n = 2 + static_cast<unsigned>(rng.below(kMaxUnits - 1));
        for (unsigned i = 0; i < n; i++) {
            seq.add_random();
            undefined_after.push_back(seq.undefined);
        }
        X86Regs start{};
        static const uint32_t kEdges[] = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF};
        for (unsigned i = 0; i < 8; i++)
            start.r[i] = rng.chance(1, 2) ? kEdges[rng.below(std::size(kEdges))] : static_cast<uint32_t>(rng.next());
        start.r[4] = L::kStackHigh - 16 * static_cast<uint32_t>(rng.below(64));
        start.eip = L::kCode;
        start.eflags = 2 | (static_cast<uint32_t>(rng.next()) & kStatus);

        for (unsigned k = 1; k <= n; k++) {
            std::vector<uint8_t> code;
            for (unsigned i = 0; i < k; i++)
                code.insert(code.end(), seq.units[i].bytes.begin(), seq.units[i].bytes.end());
            std::vector<uint8_t> halts(32, 0xF4);
            rig_.write(L::kCode, halts.data(), static_cast<uint32_t>(halts.size()));
            rig_.write(L::kCode, code.data(), static_cast<uint32_t>(code.size()));
            rig_.set_state(start);
            uint32_t end = L::kCode + static_cast<uint32_t>(code.size());

            // Ours: the whole prefix in one run(), so that lazy flags cross instructions and
            // blocks; a breakpoint at its end stops it there.
            rig_.cpu.set_breakpoints({end});
            uint64_t before = rig_.cpu.icount();
            RunEnd stop = rig_.cpu.run(64);
            uint64_t retired = rig_.cpu.icount() - before;
            rig_.cpu.set_breakpoints({});
            auto theirs_step = rig_.unicorn.step(retired);

            X86Regs o = rig_.ours(), u = rig_.theirs();
            std::vector<std::string> diffs;
            if (stop != RunEnd::Breakpoint || o.eip != end)
                diffs.push_back("ours did not reach the end of the sequence");
            if (!theirs_step.completed)
                diffs.push_back("unicorn: " + theirs_step.text());
            static const char* const kNames[8] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
            char buf[160];
            for (unsigned i = 0; i < 8; i++)
                if (o.r[i] != u.r[i]) {
                    std::snprintf(buf, sizeof buf, "%s ours %08x unicorn %08x", kNames[i], o.r[i], u.r[i]);
                    diffs.push_back(buf);
                }
            if (o.eip != u.eip) {
                std::snprintf(buf, sizeof buf, "EIP ours %08x unicorn %08x", o.eip, u.eip);
                diffs.push_back(buf);
            }
            uint32_t mask = kStatus & ~undefined_after[k - 1];
            if ((o.eflags ^ u.eflags) & mask)
                diffs.push_back("EFLAGS ours " + format_eflags(o.eflags) + " unicorn " + format_eflags(u.eflags) +
                                " compared " + format_eflags(mask));
            if (!rig_.memory_equal(L::kStackLow, L::kStackHigh - L::kStackLow))
                for (const std::string& d : rig_.memory_differences(L::kStackLow, L::kStackHigh - L::kStackLow, 4))
                    diffs.push_back("stack " + d);
            prefixes++;
            if (!diffs.empty()) {
                std::string report = "seed " + std::to_string(seed) + " case " + std::to_string(index) + " prefix " +
                                     std::to_string(k) + ":";
                for (unsigned i = 0; i < k; i++)
                    report += "\n  " + seq.units[i].name + ": " + hex_bytes(seq.units[i].bytes.data(), static_cast<unsigned>(seq.units[i].bytes.size()));
                report += "\n  from " + format_regs(start) + " " + format_eflags(start.eflags);
                for (const std::string& d : diffs)
                    report += "\n  " + d;
                failures.push_back(report);
                rig_.resync_unicorn_from_ours();
                return;
            }
        }
    }

private:
    X86LockstepRig rig_;
};

void run_seeds(std::initializer_list<uint64_t> ci_seeds)
{
    std::vector<uint64_t> seeds(ci_seeds);
    if (const char* s = std::getenv("RR_DIFF_SEED"); s && *s)
        seeds = {std::strtoull(s, nullptr, 0)};
    uint64_t cases = env_u64("RR_DIFF_ITERATIONS", kCiCases);
    FlagsLockstep t;
    for (uint64_t seed : seeds)
        for (uint64_t i = 0; i < cases && t.failures.size() < 8; i++)
            t.run_case(seed, i);
    for (const std::string& f : t.failures)
        UNSCOPED_INFO(f);
    INFO(t.prefixes << " prefixes compared");
    CHECK(t.failures.empty());
    CHECK(t.prefixes >= cases);
}

}  // namespace

TEST_CASE("i386 lazy flags agree with Unicorn through random writer/reader sequences", "[diff][x86][flags]")
{
    run_seeds({1, 2});
}
