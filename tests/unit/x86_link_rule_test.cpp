// The i386 fast path's rule for keeping links (Cpu::link_allowed()) where a static exit's
// target depends on more than the block: with paging on, one physical block run from two
// linear windows whose next pages are different physical pages; with a CS limit below 4 GiB,
// a limit cut between the block and its target. A link made in one case must not be followed
// in the other. The random test in x86_fast_path_test.cpp passes with links always allowed;
// these do not.
#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <iterator>

#include "x86_test_board.h"

using namespace emu;
using namespace emu::test;
using B = X86TestBoard;

namespace {

constexpr uint32_t kPage = 0x1000;
constexpr uint32_t kShared = 0x40000;  // the block both windows run
constexpr uint32_t kNext1 = 0x41000;   // the next page from window 1
constexpr uint32_t kNext2 = 0x42000;   // the next page from window 2
constexpr uint32_t kPageDir = 0x20000, kPageTable = 0x21000;
constexpr uint32_t kWindow1 = 0x100000;
constexpr uint32_t kWindow2 = 0x108000;  // other TLB entries than window 1's

// Two static exits out of the shared page: JMP rel32 from 0xFFA to the next page's 0x10, and
// INC ECX, the page's last byte, falling through to the next page's first.
constexpr uint32_t kBranchAt = 0xFFA, kFallAt = 0xFFF;

// What the code of next page `k` (1 or 2) leaves in EAX when entered at `offset`.
uint32_t mark(unsigned k, uint32_t offset) { return offset | k; }

// MOV EAX, value; JMP $.
void set_eax_and_stay(B& b, uint32_t at, uint32_t value)
{
    b.code(at, {0xB8, static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value >> 16),
                static_cast<uint8_t>(value >> 24), 0xEB, 0xFE});
}

struct WindowsBoard : B {
    explicit WindowsBoard(bool fast)
    {
        cpu.set_chaining(fast);
        code(kShared + kBranchAt, {0xE9, 0x11, 0x00, 0x00, 0x00});  // JMP next page + 0x10
        code(kShared + kFallAt, {0x41});                            // INC ECX
        for (unsigned k : {1u, 2u}) {
            uint32_t page = k == 1 ? kNext1 : kNext2;
            set_eax_and_stay(*this, page, mark(k, 0));
            set_eax_and_stay(*this, page + 0x10, mark(k, 0x10));
        }
        // The board's tables, stack and handlers identity mapped; the windows beyond them.
        write32(kPageDir, kPageTable | 7);
        for (uint32_t i = 0; i < 256; i++)
            write32(kPageTable + 4 * i, i * kPage | 7);
        write32(kPageTable + 4 * (kWindow1 >> 12), kShared | 7);
        write32(kPageTable + 4 * ((kWindow1 >> 12) + 1), kNext1 | 7);
        write32(kPageTable + 4 * (kWindow2 >> 12), kShared | 7);
        write32(kPageTable + 4 * ((kWindow2 >> 12) + 1), kNext2 | 7);
        cpu.s.cr3 = kPageDir;
        cpu.s.cr0 |= x86::kCr0PG;
        cpu.flush_tlb();
    }

    // Enters the shared page at `offset` through `window`, as a near jump would (the page
    // tables and the block cache stay as they are), and runs long enough for the exit to chain
    // into the next page.
    void run_from(uint32_t window, uint32_t offset)
    {
        cpu.s.eip = window + offset;
        cpu.run(1000);
    }
};

}  // namespace

TEST_CASE("fast path: a link out of a page is not followed from another linear window of the same block",
          "[x86][engine][fast-path][paging]")
{
    for (uint32_t exit_at : {kFallAt, kBranchAt}) {
        INFO((exit_at == kFallAt ? "falling through" : "branching") << " into the next page");
        WindowsBoard fast(true), plain(false);
        const uint64_t generation = fast.cpu.cache().generation();
        const uint32_t entered_at = exit_at == kFallAt ? 0 : 0x10;
        // Each window twice in a row: the first run finds the next page's block uncached, the
        // second finds it cached (and in the TLB), where a link can be made.
        const unsigned windows[] = {1, 1, 2, 2, 1, 1, 2, 2};
        for (unsigned run = 0; run < std::size(windows); run++) {
            const unsigned w = windows[run];
            INFO("run " << run << " from window " << w);
            for (WindowsBoard* b : {&fast, &plain})
                b->run_from(w == 1 ? kWindow1 : kWindow2, exit_at);
            CHECK(fast.cpu.s.r[x86::kEax] == mark(w, entered_at));
            CHECK(plain.cpu.s.r[x86::kEax] == mark(w, entered_at));
            CHECK(fast.cpu.s.eip == (w == 1 ? kWindow1 : kWindow2) + kPage + entered_at + 5);
            CHECK(fast.cpu.s.eip == plain.cpu.s.eip);
            CHECK(fast.cpu.s.r[x86::kEcx] == plain.cpu.s.r[x86::kEcx]);
            CHECK(fast.cpu.icount() == plain.cpu.icount());
        }
        // Nothing dropped the links between the runs: only the rule kept them from being made.
        CHECK(fast.cpu.cache().generation() == generation);
        CHECK(fast.cpu.cache().flushes() == 0);
        CHECK(fast.cpu.cache().invalidations() == 0);
    }
}

TEST_CASE("fast path: a link is not followed past a CS limit cut after it was made", "[x86][engine][fast-path]")
{
    // JMP rel32 from kShared + 0x100 to kShared + 0x200 (MOV EAX, 1; JMP $), with CS's limit
    // first beyond the target, then cut between the jump and its target: without a link the
    // jump's target is checked against the limit, and #GP's handler halts. Paging is off.
    constexpr uint32_t kJumpAt = kShared + 0x100, kTarget = kShared + 0x200;
    const uint32_t limits[] = {kShared + 0xFFF, kShared + 0xFFF, kShared + 0x180};
    B fast, plain;
    for (B* b : {&fast, &plain}) {
        b->cpu.set_chaining(b == &fast);
        b->code(kJumpAt, {0xE9, 0xFB, 0x00, 0x00, 0x00});
        set_eax_and_stay(*b, kTarget, 1);
    }
    const uint64_t generation = fast.cpu.cache().generation();
    for (unsigned run = 0; run < std::size(limits); run++) {
        INFO("run " << run << " with CS limit 0x" << std::hex << limits[run]);
        RunEnd end[2];
        for (B* b : {&fast, &plain}) {
            b->cpu.s.seg[x86::kCs].limit = limits[run];
            b->cpu.s.r[x86::kEax] = 0;
            b->cpu.s.eip = kJumpAt;
            end[b == &plain] = b->cpu.run(1000);
        }
        const bool cut = limits[run] < kTarget;
        CHECK(end[0] == (cut ? RunEnd::Idle : RunEnd::Budget));
        CHECK(end[0] == end[1]);
        CHECK(fast.cpu.s.r[x86::kEax] == (cut ? 0 : 1));
        CHECK(fast.halted_in_vector() == (cut ? x86::kExcGP : -1));
        CHECK(fast.cpu.s.eip == plain.cpu.s.eip);
        CHECK(fast.cpu.icount() == plain.cpu.icount());
    }
    CHECK(fast.cpu.cache().generation() == generation);
    CHECK(fast.cpu.cache().flushes() == 0);
}
