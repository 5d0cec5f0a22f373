// The engine's fast path (blocks chained and linked straight into each other) against the
// plain loop that runs one block per trip and looks every block up afresh: random A64
// programs full of branches, loads, stores and self-modifying stores, run on two CPUs with the
// same random budgets, compared register by register, byte by byte and in icount at every
// run() exit. Between runs the test rewrites code and (with the MMU on) remaps code pages, as
// a loader or kernel would, so that links into dead or remapped code get their chance to be
// followed wrongly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "support/a64_page_tables.h"
#include "a64_random_insn.h"
#include "split_mix.h"
#include "support/test_board.h"

using namespace emu;
using namespace emu::a64;
using namespace emu::test;

namespace {

constexpr uint64_t kRam = A64TestBoard::kDefaultRamBase;
constexpr uint64_t kRamSize = 4 << 20;
constexpr uint64_t kPage = 0x1000;
constexpr uint64_t kCodePa = kRam;            // the program: kCodePages pages
constexpr unsigned kCodePages = 3;
constexpr unsigned kSlots = kCodePages * kPage / 4;
constexpr uint64_t kVbar = kRam + 0x40000;
constexpr uint64_t kData = kRam + 0x80000;    // loads and stores: [x28, #imm12 << size]
constexpr uint64_t kDataSize = 0x8000;
constexpr uint64_t kTables = kRam + 0x100000;
// With the MMU on the program runs at two virtual windows: the first, at its physical
// address, maps its pages shuffled (the test reshuffles them, and turns the MMU off and on,
// so that the same virtual pc is another block), the second maps them in order.
constexpr uint64_t kCodeVa = kCodePa;
constexpr uint64_t kAliasVa = 0x20000000;

// Registers the random instructions leave alone: the data base, the self-modifying store's
// address and value, the exception handler's scratch, and the link register.
constexpr unsigned kDataBase = 28, kSmcAddr = 26, kSmcValue = 25, kScratch = 27;
bool reserved(unsigned r) { return (r >= 24 && r <= 28) || r == 30; }

constexpr uint64_t kSctlrM = 1;
constexpr uint32_t ADD_X0_1 = 0x91000400;  // add x0, x0, #1
constexpr uint32_t STR_W25_X26 = 0xb9000359;
constexpr uint32_t RET = 0xd65f03c0;
constexpr uint32_t B_TO_START = 0x14000000;  // patched with the offset back to slot 0
// Every vector skips the instruction that took it: mrs x27, elr_el1; add x27, x27, #4;
// msr elr_el1, x27; eret.
constexpr uint32_t kSkipHandler[] = {0xd538403b, 0x9100137b, 0xd518403b, 0xd69f03e0};

uint32_t imm19(int64_t words) { return static_cast<uint32_t>(words & 0x7FFFF) << 5; }

// A branch target for slot `i`, as a word offset: half of them near (short loops and skips,
// which traces follow within a page), the others anywhere in the program.
int64_t random_target(SplitMix64& rng, unsigned i)
{
    if (rng.chance(1, 2))
        return static_cast<int64_t>(rng.below(kSlots)) - i;
    int64_t to = static_cast<int64_t>(rng.below(33)) - 16;
    return std::clamp<int64_t>(i + to, 0, kSlots - 1) - i;
}

// One random instruction for slot `i` of kSlots: mostly data processing (from the decode
// table), then loads and stores, branches of every direct kind to random slots, calls and
// returns, and now and then the self-modifying store.
uint32_t random_insn(SplitMix64& rng, A64InsnGenerator& gen, unsigned i)
{
    unsigned kind = static_cast<unsigned>(rng.below(100));
    int64_t to = random_target(rng, i);
    unsigned rt = static_cast<unsigned>(rng.below(32));
    if (kind < 50) {
        for (;;) {
            A64InsnGenerator::Insn in = gen.next(rng);
            InsnGroup g = group_of(*in.def);
            if (g != InsnGroup::DataProcImm && g != InsnGroup::DataProcReg && g != InsnGroup::SimdFp)
                continue;
            if (!reserved(in.bits & 31))
                return in.bits;
        }
    }
    if (kind < 70) {
        uint32_t size = static_cast<uint32_t>(rng.below(4));
        bool load = rng.chance(1, 2);
        if (load && reserved(rt))
            rt = 0;
        return 0x39000000 | size << 30 | uint32_t{load} << 22 | static_cast<uint32_t>(rng.below(4096)) << 10 |
               kDataBase << 5 | rt;
    }
    if (kind < 80)
        return 0x54000000 | imm19(to) | static_cast<uint32_t>(rng.below(15));  // B.cond
    if (kind < 85)
        return (rng.chance(1, 2) ? 0xB4000000 : 0x34000000) | uint32_t{rng.chance(1, 2)} << 24 | imm19(to) | rt;
    if (kind < 90) {
        uint32_t bitno = static_cast<uint32_t>(rng.below(64));
        return 0x36000000 | (bitno >> 5) << 31 | uint32_t{rng.chance(1, 2)} << 24 | (bitno & 31) << 19 |
               static_cast<uint32_t>(to & 0x3FFF) << 5 | rt;
    }
    if (kind < 93)
        return 0x14000000 | static_cast<uint32_t>(to & 0x3FFFFFF);  // B
    if (kind < 96)
        return 0x94000000 | static_cast<uint32_t>(to & 0x3FFFFFF);  // BL
    if (kind < 98)
        return RET;
    return STR_W25_X26;
}

struct Program {
    std::vector<uint32_t> insns;
    unsigned smc_slot;
};

// A flag-setting compare for a B.cond after it: CMP, CMN, TST (64 or 32-bit, immediate or
// shifted register) or SUBS/ADDS/ANDS writing a register.
uint32_t random_compare(SplitMix64& rng)
{
    uint32_t sf = uint32_t{rng.chance(1, 2)} << 31;
    uint32_t rd = rng.chance(2, 3) ? 31 : static_cast<uint32_t>(rng.below(24));
    uint32_t rn = static_cast<uint32_t>(rng.below(24)), rm = static_cast<uint32_t>(rng.below(32));
    switch (rng.below(5)) {
    case 0:  // SUBS/CMP (immediate)
        return 0x71000000 | sf | static_cast<uint32_t>(rng.below(4096)) << 10 | rn << 5 | rd;
    case 1:  // ADDS/CMN (immediate)
        return 0x31000000 | sf | static_cast<uint32_t>(rng.below(4096)) << 10 | rn << 5 | rd;
    case 2: {  // SUBS/CMP (shifted register), LSL: half of them unshifted, as CMP Xn, Xm is
        uint32_t amount = rng.chance(1, 2) ? 0 : static_cast<uint32_t>(rng.below(sf ? 64 : 32));
        return 0x6B000000 | sf | rm << 16 | amount << 10 | rn << 5 | rd;
    }
    case 3:  // ADDS/CMN (shifted register), no shift
        return 0x2B000000 | sf | rm << 16 | rn << 5 | rd;
    default:  // ANDS/TST (shifted register), no shift
        return 0x6A000000 | sf | rm << 16 | rn << 5 | rd;
    }
}

Program random_program(SplitMix64& rng, A64InsnGenerator& gen)
{
    Program p;
    for (unsigned i = 0; i + 1 < kSlots; i++) {
        // Compare and branch, as compiled loops and ifs end.
        if (i + 2 < kSlots && rng.chance(1, 16)) {
            p.insns.push_back(random_compare(rng));
            i++;
            p.insns.push_back(0x54000000 | imm19(random_target(rng, i)) | static_cast<uint32_t>(rng.below(15)));
            continue;
        }
        p.insns.push_back(random_insn(rng, gen, i));
    }
    p.insns.push_back(B_TO_START | static_cast<uint32_t>(-int64_t{kSlots - 1} & 0x3FFFFFF));
    p.smc_slot = static_cast<unsigned>(rng.below(kSlots - 1));
    return p;
}

// An instruction that reads NZCV within the block: CSEL/CSINC/CSINV/CSNEG, CCMP/CCMN
// (register or immediate), ADC/ADCS/SBC/SBCS, MRS NZCV or a B.cond (not fused when something
// stands between it and the compare).
uint32_t random_flag_reader(SplitMix64& rng, unsigned i)
{
    uint32_t sf = uint32_t{rng.chance(1, 2)} << 31;
    uint32_t rd = static_cast<uint32_t>(rng.below(24));
    uint32_t rn = static_cast<uint32_t>(rng.below(32)), rm = static_cast<uint32_t>(rng.below(32));
    uint32_t cond = static_cast<uint32_t>(rng.below(16)) << 12;
    constexpr uint32_t kCondSelect[] = {0x1A800000, 0x1A800400, 0x5A800000, 0x5A800400};
    constexpr uint32_t kCondCompare[] = {0x7A400000, 0x7A400800, 0x3A400000, 0x3A400800};
    constexpr uint32_t kWithCarry[] = {0x1A000000, 0x3A000000, 0x5A000000, 0x7A000000};
    switch (rng.below(5)) {
    case 0: return kCondSelect[rng.below(4)] | sf | rm << 16 | cond | rn << 5 | rd;
    case 1: return kCondCompare[rng.below(4)] | sf | rm << 16 | cond | rn << 5 | static_cast<uint32_t>(rng.below(16));
    case 2: return kWithCarry[rng.below(4)] | sf | rm << 16 | rn << 5 | rd;
    case 3: return 0xD53B4200 | rd;  // mrs xd, nzcv
    default: return 0x54000000 | imm19(random_target(rng, i)) | static_cast<uint32_t>(rng.below(15));
    }
}

// Compares and the instructions that read their flags, one or two apart, among ordinary
// random instructions.
Program random_flag_program(SplitMix64& rng, A64InsnGenerator& gen)
{
    Program p;
    for (unsigned i = 0; i + 1 < kSlots; i++) {
        if (i + 4 < kSlots && rng.chance(1, 3)) {
            p.insns.push_back(random_compare(rng));
            for (uint64_t k = rng.below(3); k > 0; k--, i++)
                p.insns.push_back(rng.chance(1, 2) ? random_compare(rng) : random_insn(rng, gen, i + 1));
            p.insns.push_back(random_flag_reader(rng, i + 1));
            i++;
            continue;
        }
        p.insns.push_back(random_insn(rng, gen, i));
    }
    p.insns.push_back(B_TO_START | static_cast<uint32_t>(-int64_t{kSlots - 1} & 0x3FFFFFF));
    p.smc_slot = static_cast<unsigned>(rng.below(kSlots - 1));
    return p;
}

// One of the two CPUs, with the program, vectors, data and (optionally) translation tables.
struct Side : A64TestBoard {
    PageTableBuilder pt;
    bool mmu;

    Side(const Program& p, bool fast, bool mmu_on, uint64_t data_seed)
        : A64TestBoard(kRam, kRamSize),
          pt([this](uint64_t a, uint64_t v) { write64(a, v); }, 12, 39, kTables, 1 << 20),
          mmu(mmu_on)
    {
        cpu.set_chaining(fast);
        load(kCodePa, p.insns);
        for (unsigned v = 0; v < 16; v++)
            for (unsigned k = 0; k < 4; k++)
                bus.write_bytes(kVbar + 0x80 * v + 4 * k, &kSkipHandler[k], 4);
        SplitMix64 d(data_seed);
        for (uint64_t a = kData; a < kData + kDataSize; a += 8)
            write64(a, d.next());
        cpu.s.sys.vbar_el1 = kVbar;
        cpu.s.sys.cpacr_el1 = uint64_t{3} << 20;  // FP and SIMD on
        cpu.s.r[kDataBase] = kData;
        cpu.s.r[kSmcValue] = ADD_X0_1;
        cpu.s.r[kSmcAddr] = kCodeVa + 4 * p.smc_slot;
        cpu.s.r[kLr] = kCodeVa;
        cpu.s.pc = kCodeVa;
        if (mmu) {
            constexpr uint64_t kNormal = desc::attr_index(kAttrNormal) | desc::kShInner;
            pt.map(kVbar, kVbar, kPage, kNormal);
            pt.map(kData, kData, kDataSize, kNormal);
            pt.map(kAliasVa, kCodePa, kCodePages * kPage, kNormal);
            cpu.s.sys.mair_el1 = kTestMair;
            cpu.s.sys.tcr_el1 = tcr_for_ttbr0(12, 39);
            cpu.s.sys.ttbr0_el1 = pt.root();
            cpu.s.sys.sctlr_el1 |= kSctlrM;
        }
    }

    // Maps kCodeVa's pages to the program's pages in the order `perm`, as a kernel would
    // (tables changed, then the TLB invalidated).
    void map_code(const unsigned (&perm)[kCodePages])
    {
        constexpr uint64_t kNormal = desc::attr_index(kAttrNormal) | desc::kShInner;
        for (unsigned i = 0; i < kCodePages; i++)
            pt.map(kCodeVa + i * kPage, kCodePa + perm[i] * kPage, kPage, kNormal);
        cpu.translation_changed();
    }
    // SCTLR_EL1.M, as MSR SCTLR_EL1 would set it.
    void set_mmu(bool on)
    {
        cpu.s.sys.sctlr_el1 = on ? cpu.s.sys.sctlr_el1 | kSctlrM : cpu.s.sys.sctlr_el1 & ~kSctlrM;
        cpu.translation_changed();
    }
};

std::string hexs(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
    return buf;
}

// Everything the two CPUs must agree on, as text naming the first difference ("" if none).
std::string difference(Side& a, Side& b)
{
    const State& x = a.cpu.s;
    const State& y = b.cpu.s;
    if (a.cpu.icount() != b.cpu.icount())
        return "icount " + std::to_string(a.cpu.icount()) + " vs " + std::to_string(b.cpu.icount());
    if (x.pc != y.pc)
        return "pc " + hexs(x.pc) + " vs " + hexs(y.pc);
    for (unsigned r = 0; r < kNumSlots; r++)
        if (r != kSink && x.r[r] != y.r[r])
            return "x" + std::to_string(r) + " " + hexs(x.r[r]) + " vs " + hexs(y.r[r]);
    for (unsigned v = 0; v < 32; v++)
        if (x.v[v].d[0] != y.v[v].d[0] || x.v[v].d[1] != y.v[v].d[1])
            return "v" + std::to_string(v);
    if (x.nzcv != y.nzcv || x.daif != y.daif || x.el != y.el || x.sp_other != y.sp_other)
        return "PSTATE or SP_EL0";
    if (x.sys.elr_el1 != y.sys.elr_el1 || x.sys.esr_el1 != y.sys.esr_el1 || x.sys.far_el1 != y.sys.far_el1)
        return "ELR, ESR or FAR";
    if (x.sys.fpsr != y.sys.fpsr)
        return "FPSR";
    for (uint64_t base : {kCodePa, kData}) {
        uint64_t len = base == kCodePa ? kCodePages * kPage : kDataSize;
        const uint8_t* p = a.bus.ram_ptr(base, len);
        const uint8_t* q = b.bus.ram_ptr(base, len);
        if (std::memcmp(p, q, len) != 0)
            return "memory at " + hexs(base);
    }
    if (a.cpu.stop().has_value() != b.cpu.stop().has_value())
        return "stopped";
    return "";
}

void run_case(uint64_t seed, bool mmu)
{
    static A64InsnGenerator gen;
    SplitMix64 rng = SplitMix64::for_case(0xfa57, seed);
    Program p = random_program(rng, gen);
    Side fast(p, true, mmu, seed), plain(p, false, mmu, seed);
    unsigned perm[kCodePages] = {2, 0, 1};
    if (mmu) {
        fast.map_code(perm);
        plain.map_code(perm);
    }
    INFO("seed " << seed << (mmu ? " (MMU on)" : " (MMU off)"));
    uint64_t runs = 0;
    while (fast.cpu.icount() < 40000 && !fast.cpu.stop()) {
        uint64_t budget = rng.chance(1, 4) ? 1 + rng.below(8) : 1 + rng.below(600);
        RunEnd ef = fast.cpu.run(budget);
        RunEnd ep = plain.cpu.run(budget);
        INFO("run " << runs << " with budget " << budget << " ending at icount " << plain.cpu.icount());
        REQUIRE(ef == ep);
        std::string diff = difference(fast, plain);
        REQUIRE(diff == "");
        runs++;
        // The host rewrites an instruction (a loader, a debugger), or the kernel remaps code.
        if (rng.chance(1, 8)) {
            unsigned slot = static_cast<unsigned>(rng.below(kSlots - 1));
            uint32_t insn = random_insn(rng, gen, slot);
            fast.bus.write_bytes(kCodePa + 4 * slot, &insn, 4);
            plain.bus.write_bytes(kCodePa + 4 * slot, &insn, 4);
        }
        if (mmu && rng.chance(1, 8)) {
            std::swap(perm[rng.below(kCodePages)], perm[rng.below(kCodePages)]);
            fast.map_code(perm);
            plain.map_code(perm);
        }
        bool mmu_on = fast.cpu.s.sys.sctlr_el1 & kSctlrM;
        uint64_t pc = fast.cpu.s.pc;
        bool in_code = pc - kCodeVa < kCodePages * kPage, in_alias = pc - kAliasVa < kCodePages * kPage;
        if (mmu && mmu_on && (in_code || in_alias) && rng.chance(1, 16)) {
            // Into the other window at the same offset: the same physical blocks entered at
            // other virtual addresses.
            fast.cpu.s.pc = plain.cpu.s.pc = in_code ? pc - kCodeVa + kAliasVa : pc - kAliasVa + kCodeVa;
        } else if (mmu && (in_code || !mmu_on) && rng.chance(1, 12)) {
            // The MMU off (the first window's pages in order) or back on (shuffled).
            fast.set_mmu(!mmu_on);
            plain.set_mmu(!mmu_on);
        }
    }
}

// The flags a compare leaves are kept as its operands while a block runs (flags.h) and
// derived when read; a run of one instruction packs them at its end. Random programs dense in
// compares and flag readers, run whole (fast path, and block at a time) against one
// instruction per run, compared at every exit of the whole runs.
void run_flags_case(uint64_t seed, bool mmu)
{
    static A64InsnGenerator gen;
    SplitMix64 rng = SplitMix64::for_case(0xf1a65, seed);
    Program p = random_flag_program(rng, gen);
    Side fast(p, true, mmu, seed), plain(p, false, mmu, seed), stepped(p, false, mmu, seed);
    const unsigned in_order[kCodePages] = {0, 1, 2};
    // Operands near the edges of both widths, where N, C and V of 32 and 64-bit compares part.
    constexpr uint64_t kEdges[] = {0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 0x7FFFFFFFFFFFFFFF,
                                   0x8000000000000000, ~uint64_t{0}};
    for (unsigned r = 0; r < 24; r++) {
        uint64_t v = rng.chance(1, 2) ? kEdges[rng.below(std::size(kEdges))] + rng.below(3) - 1 : rng.next();
        for (Side* side : {&fast, &plain, &stepped})
            side->cpu.s.r[r] = v;
    }
    if (mmu)
        for (Side* side : {&fast, &plain, &stepped})
            side->map_code(in_order);
    INFO("seed " << seed << (mmu ? " (MMU on)" : " (MMU off)"));
    while (fast.cpu.icount() < 20000 && !fast.cpu.stop()) {
        uint64_t budget = 1 + rng.below(300);
        REQUIRE(fast.cpu.run(budget) == plain.cpu.run(budget));
        while (stepped.cpu.icount() < fast.cpu.icount() && !stepped.cpu.stop())
            stepped.cpu.run(1);
        INFO("ending at icount " << stepped.cpu.icount());
        REQUIRE(difference(fast, stepped) == "");
        REQUIRE(difference(plain, stepped) == "");
    }
}

}  // namespace

TEST_CASE("fast path: random A64 programs agree with block-at-a-time execution", "[a64][engine][fast-path]")
{
    for (uint64_t seed = 0; seed < 60; seed++)
        run_case(seed, false);
}

TEST_CASE("fast path: with the MMU on, remapped and aliased code agrees too", "[a64][engine][fast-path][mmu]")
{
    for (uint64_t seed = 0; seed < 60; seed++)
        run_case(seed, true);
}

TEST_CASE("fast path: a looping trace stopped by every budget agrees with block-at-a-time execution",
          "[a64][engine][fast-path]")
{
    // A counted loop closed by CMP and B.NE, a call, a TBZ skip and a return, all in one page,
    // so that traces unroll the loop and go through the call; a store rewrites an instruction
    // of the running trace now and then. Runs stop after 1, 2, 3, ... 61 instructions in turn,
    // so every exit of every trace shape is a budget's end somewhere.
    Program p;
    p.insns = {
        0x91000421,  // loop: add  x1, x1, #1
        0xf100943f,  //       cmp  x1, #37
        0x54ffffc1,  //       b.ne loop
        0x94000004,  //       bl   f
        0xb9000359,  //       str  w25, [x26]   (slot 9 becomes add x0, x0, #1)
        0xd2800001,  //       mov  x1, #0
        0x17fffffa,  //       b    loop
        0x8b010042,  // f:    add  x2, x2, x1
        0x36180042,  //       tbz  w2, #3, r
        0x91000463,  //       add  x3, x3, #1
        0xd65f03c0,  // r:    ret
    };
    p.insns.resize(kSlots, 0xd503201f);  // nop
    p.smc_slot = 9;
    for (bool mmu : {false, true}) {
        Side fast(p, true, mmu, 1), plain(p, false, mmu, 1);
        const unsigned in_order[kCodePages] = {0, 1, 2};
        if (mmu) {
            fast.map_code(in_order);
            plain.map_code(in_order);
        }
        INFO((mmu ? "MMU on" : "MMU off"));
        for (uint64_t budget = 1; fast.cpu.icount() < 30000; budget = budget % 61 + 1) {
            REQUIRE(fast.cpu.run(budget) == plain.cpu.run(budget));
            INFO("budget " << budget << " ending at icount " << plain.cpu.icount());
            REQUIRE(difference(fast, plain) == "");
        }
        CHECK(fast.cpu.s.r[0] > 0);  // the rewritten instruction ran
    }
}

namespace {

// Runs `p` on a fast and a plain CPU with x24 at kNowhere (a load through it faults), the
// MMU off and on, stopping after 1, 2, ... 17 instructions in turn and comparing at every stop;
// then `check` looks at the fast CPU, whose last fault must have been at kNowhere.
constexpr uint64_t kNowhere = 0x100;  // neither RAM nor a device, nor mapped with the MMU on

template <class Check>
void run_every_short_budget(const Program& p, Check check)
{
    for (bool mmu : {false, true}) {
        Side fast(p, true, mmu, 1), plain(p, false, mmu, 1);
        const unsigned in_order[kCodePages] = {0, 1, 2};
        for (Side* side : {&fast, &plain}) {
            side->cpu.s.r[24] = kNowhere;
            if (mmu)
                side->map_code(in_order);
        }
        INFO((mmu ? "MMU on" : "MMU off"));
        for (uint64_t budget = 1; fast.cpu.icount() < 3000; budget = budget % 17 + 1) {
            REQUIRE(fast.cpu.run(budget) == plain.cpu.run(budget));
            INFO("budget " << budget << " ending at icount " << plain.cpu.icount());
            REQUIRE(difference(fast, plain) == "");
        }
        check(fast);
        CHECK(fast.cpu.s.sys.far_el1 == kNowhere);
    }
}

}  // namespace

TEST_CASE("fast path: a fault or a budget right after a B left out of a trace lands where block-at-a-time does",
          "[a64][engine][fast-path]")
{
    // Each B goes on in the trace and has no op there (trace.h): the instruction after it
    // must still see the B counted (icount) and its own pc. A load there faults (not retired,
    // ELR its pc, FAR), an undefined instruction there traps (retired); the vectors skip both.
    // Runs stop after 1, 2, ... 17 instructions in turn, so that a budget ends right after
    // every B too.
    Program p;
    p.insns = {
        0x91000400,  // loop: add x0, x0, #1
        0x14000002,  //       b   1f
        0xd503201f,  //       nop
        0xb9400301,  // 1:    ldr w1, [x24]    data abort
        0x14000002,  //       b   2f
        0xd503201f,  //       nop
        0x00000000,  // 2:    udf #0
        0x14000002,  //       b   3f
        0xd503201f,  //       nop
        0x91000442,  // 3:    add x2, x2, #1
        0x17fffff6,  //       b   loop
    };
    p.insns.resize(kSlots, 0xd503201f);  // nop
    p.smc_slot = 2;
    run_every_short_budget(p, [](const Side& fast) {
        // A trip retires 15 instructions: 7 of the loop (not the faulting load) and 4 in each
        // vector; add x2 is the 14th.
        uint64_t trips = fast.cpu.icount() / 15, rest = fast.cpu.icount() % 15;
        CHECK(fast.cpu.s.r[0] == trips + (rest >= 1));
        CHECK(fast.cpu.s.r[2] == trips + (rest >= 14));
    });
}

TEST_CASE("fast path: a fault or a budget right after a no-op left out of a block lands where block-at-a-time does",
          "[a64][engine][fast-path]")
{
    // NOP, DMB, DSB and the hints that do nothing here (BTI, PACIASP) have no op with chaining
    // on (Build::Nothing): the instruction after one must still see it counted (icount) and
    // its own pc. A load there faults, an undefined instruction there traps, as above; runs
    // stop after 1, 2, ... 17 instructions in turn, so that a budget ends right after each.
    Program p;
    p.insns = {
        0x91000400,  // loop: add x0, x0, #1
        0xd503201f,  //       nop
        0xb9400301,  //       ldr w1, [x24]    data abort
        0xd5033bbf,  //       dmb ish
        0xd503245f,  //       bti c
        0x00000000,  //       udf #0
        0xd5033f9f,  //       dsb sy
        0x91000442,  //       add x2, x2, #1
        0xd503233f,  //       paciasp
        0xd503201f,  //       nop
        0x17fffff6,  //       b   loop
    };
    p.insns.resize(kSlots, 0xd503201f);  // nop
    p.smc_slot = 1;
    run_every_short_budget(p, [](const Side& fast) { CHECK(fast.cpu.s.r[2] > 100); });
}

TEST_CASE("fast path: flags of compares read within a block agree with one instruction per run",
          "[a64][engine][fast-path][flags]")
{
    for (uint64_t seed = 0; seed < 40; seed++) {
        run_flags_case(seed, false);
        run_flags_case(seed, true);
    }
}

TEST_CASE("fast path: a store across two code pages rewrites both, the running block's included",
          "[a64][engine][fast-path]")
{
    // str x25, [x26] writes the last word of the first page, where the trace it runs in goes
    // next, and the first word of the second page: both become add x0, x0, #1. str x25, [x24]
    // writes across two data pages.
    constexpr unsigned kLast = kPage / 4 - 1;
    constexpr uint64_t kAcross = kData + kPage - 4;
    Program p;
    p.insns.assign(kSlots, 0xd503201f);  // nop
    p.insns[0] = 0xf9000359;             // str x25, [x26]
    p.insns[1] = 0xf9000319;             // str x25, [x24]
    p.insns[2] = 0x14000000 | (kLast - 2);  // b slot kLast
    p.insns[kLast + 2] = B_TO_START | static_cast<uint32_t>(-int64_t{kLast + 2} & 0x3FFFFFF);
    p.smc_slot = kLast;
    for (bool mmu : {false, true}) {
        Side fast(p, true, mmu, 1), plain(p, false, mmu, 1);
        const unsigned in_order[kCodePages] = {0, 1, 2};
        for (Side* side : {&fast, &plain}) {
            side->cpu.s.r[kSmcValue] = uint64_t{ADD_X0_1} << 32 | ADD_X0_1;
            side->cpu.s.r[24] = kAcross;
            if (mmu)
                side->map_code(in_order);
        }
        INFO((mmu ? "MMU on" : "MMU off"));
        for (uint64_t budget = 1; fast.cpu.icount() < 2000; budget = budget % 13 + 1) {
            REQUIRE(fast.cpu.run(budget) == plain.cpu.run(budget));
            INFO("budget " << budget << " ending at icount " << plain.cpu.icount());
            REQUIRE(difference(fast, plain) == "");
        }
        // Each trip runs both stores, b, then both adds: from the first trip on, as the store
        // left them.
        uint64_t trips = fast.cpu.icount() / 6, rest = fast.cpu.icount() % 6;
        CHECK(fast.cpu.s.r[0] == 2 * trips + (rest >= 4) + (rest >= 5));
        CHECK(fast.read64(kAcross) == fast.cpu.s.r[kSmcValue]);
    }
}
