// The AArch64 fast path's rule for keeping links (Cpu::link_allowed()) with the MMU on: one
// physical block run from two virtual windows whose next pages are different physical pages.
// A static exit out of the block's page reaches different code from each window, so a link
// made from one window must not be followed from the other. The random remapping test in
// tests/diff/a64_fast_path_test.cpp passes with links always allowed; this one does not.
#include <catch2/catch.hpp>

#include <cstdint>
#include <iterator>
#include <vector>

#include "support/a64_page_tables.h"
#include "support/test_board.h"

using namespace emu;
using namespace emu::test;

namespace {

constexpr uint64_t kRam = A64TestBoard::kDefaultRamBase;
constexpr uint64_t kPage = 0x1000;
constexpr uint64_t kShared = kRam;              // the block both windows run
constexpr uint64_t kNext1 = kRam + 0x1000;      // the next page from window 1
constexpr uint64_t kNext2 = kRam + 0x2000;      // the next page from window 2
constexpr uint64_t kVbar = kRam + 0x10000;      // every vector `b .`: a fault shows in pc
constexpr uint64_t kTables = kRam + 0x80000;
constexpr uint64_t kWindow1 = 0x10000000;
constexpr uint64_t kWindow2 = 0x10008000;  // other fetch TLB entries than window 1's

// Two static exits out of the shared page: `b` from 0xFF0 to the next page's 0x10, and
// falling through from its last word to the next page's first.
constexpr uint64_t kBranchAt = 0xFF0, kFallAt = 0xFFC;
constexpr uint32_t B_PLUS_0x20 = 0x14000008;
constexpr uint32_t ADD_X1_X1_1 = 0x91000421;
constexpr uint32_t B_SELF = 0x14000000;
constexpr uint32_t NOP = 0xd503201f;
uint32_t movz_x0(uint16_t imm) { return 0xd2800000 | uint32_t{imm} << 5; }

// What the code of next page `k` (1 or 2) leaves in x0 when entered at `offset`.
uint16_t mark(unsigned k, uint64_t offset) { return static_cast<uint16_t>(offset | k); }

struct WindowsBoard : A64TestBoard {
    PageTableBuilder pt;

    explicit WindowsBoard(bool fast)
        : A64TestBoard(kRam, 1 << 20), pt([this](uint64_t a, uint64_t v) { write64(a, v); }, 12, 39, kTables, 0x40000)
    {
        cpu.set_chaining(fast);
        std::vector<uint32_t> shared(kPage / 4, NOP);
        shared[kBranchAt / 4] = B_PLUS_0x20;
        shared[kFallAt / 4] = ADD_X1_X1_1;
        load(kShared, shared);
        // Each next page sets x0 to its mark and stays: at 0 (falling through) and at 0x10
        // (the branch).
        for (unsigned k : {1u, 2u}) {
            uint64_t page = k == 1 ? kNext1 : kNext2;
            load(page, {movz_x0(mark(k, 0)), B_SELF});
            load(page + 0x10, {movz_x0(mark(k, 0x10)), B_SELF});
        }
        load(kVbar, std::vector<uint32_t>(0x800 / 4, B_SELF));

        constexpr uint64_t kNormal = desc::attr_index(kAttrNormal) | desc::kShInner;
        pt.map(kWindow1, kShared, kPage, kNormal);
        pt.map(kWindow1 + kPage, kNext1, kPage, kNormal);
        pt.map(kWindow2, kShared, kPage, kNormal);
        pt.map(kWindow2 + kPage, kNext2, kPage, kNormal);
        pt.map(kVbar, kVbar, kPage, kNormal);
        cpu.s.sys.vbar_el1 = kVbar;
        cpu.s.sys.mair_el1 = kTestMair;
        cpu.s.sys.tcr_el1 = tcr_for_ttbr0(12, 39);
        cpu.s.sys.ttbr0_el1 = pt.root();
        cpu.s.sys.sctlr_el1 |= 1;  // M
        cpu.translation_changed();
    }

    // Enters the shared page at `offset` through `window`, as a branch or an ERET would (the
    // translation and the block cache stay as they are), and runs long enough for the exit
    // to chain into the next page.
    void run_from(uint64_t window, uint64_t offset)
    {
        cpu.s.pc = window + offset;
        cpu.run(1000);
    }
};

}  // namespace

TEST_CASE("fast path: a link out of a page is not followed from another virtual window of the same block",
          "[a64][engine][fast-path][mmu]")
{
    for (uint64_t exit_at : {kFallAt, kBranchAt}) {
        INFO((exit_at == kFallAt ? "falling through" : "branching") << " into the next page");
        WindowsBoard fast(true), plain(false);
        const uint64_t generation = fast.cpu.cache().generation();
        const uint64_t entered_at = exit_at == kFallAt ? 0 : 0x10;
        // Each window twice in a row: the first run finds the next page's block uncached, the
        // second finds it cached (and in the TLB), where a link can be made.
        const unsigned windows[] = {1, 1, 2, 2, 1, 1, 2, 2};
        for (unsigned run = 0; run < std::size(windows); run++) {
            const unsigned w = windows[run];
            INFO("run " << run << " from window " << w);
            for (WindowsBoard* b : {&fast, &plain})
                b->run_from(w == 1 ? kWindow1 : kWindow2, exit_at);
            CHECK(fast.cpu.s.r[0] == mark(w, entered_at));
            CHECK(plain.cpu.s.r[0] == mark(w, entered_at));
            CHECK(fast.cpu.s.pc == (w == 1 ? kWindow1 : kWindow2) + kPage + entered_at + 4);
            CHECK(fast.cpu.s.pc == plain.cpu.s.pc);
            CHECK(fast.cpu.s.r[1] == plain.cpu.s.r[1]);
            CHECK(fast.cpu.icount() == plain.cpu.icount());
        }
        // Nothing dropped the links between the runs: only the rule kept them from being made.
        CHECK(fast.cpu.cache().generation() == generation);
        CHECK(fast.cpu.cache().flushes() == 0);
        CHECK(fast.cpu.cache().invalidations() == 0);
    }
}
