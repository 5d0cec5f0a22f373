// The threaded-code engine: exact budgets inside blocks, and self-modifying code.
#include <catch2/catch.hpp>

#include <vector>

#include "support/test_board.h"

using namespace emu;
using namespace emu::a64;
using emu::RunEnd;
using emu::StopKind;

namespace {

constexpr uint64_t kCode = test::A64TestBoard::kDefaultRamBase;
constexpr uint32_t ADD_X0_1 = 0x91000400;  // add x0, x0, #1
constexpr uint32_t B_SELF = 0x14000000;    // b .

}  // namespace

TEST_CASE("a budget stops exactly, inside a block too", "[a64][engine]")
{
    test::A64TestBoard b;
    std::vector<uint32_t> code(20, ADD_X0_1);
    code.push_back(B_SELF);
    b.load(kCode, code);
    for (uint64_t step : {3, 1, 5, 11}) {
        uint64_t before = b.cpu.icount();
        REQUIRE(b.cpu.run(step) == RunEnd::Budget);
        CHECK(b.cpu.icount() == before + step);
        CHECK(b.cpu.s.r[0] == std::min<uint64_t>(b.cpu.icount(), 20));
    }
    CHECK(b.cpu.s.pc == kCode + 80);  // 20 adds retired, then the branch to itself
    b.cpu.run(1000);
    CHECK(b.cpu.icount() == 1020);
    CHECK(b.cpu.s.pc == kCode + 80);
}

TEST_CASE("stepping one instruction at a time matches running the block whole", "[a64][engine]")
{
    test::A64TestBoard whole, stepped;
    std::vector<uint32_t> code(50, ADD_X0_1);
    code.push_back(B_SELF);
    whole.load(kCode, code);
    stepped.load(kCode, code);
    whole.cpu.run(60);
    for (int i = 0; i < 60; i++)
        stepped.cpu.run(1);
    CHECK(whole.cpu.icount() == stepped.cpu.icount());
    CHECK(whole.cpu.s.r[0] == stepped.cpu.s.r[0]);
    CHECK(whole.cpu.s.pc == stepped.cpu.s.pc);
}

TEST_CASE("a write into cached code invalidates it", "[a64][engine][smc]")
{
    test::A64TestBoard b;
    b.load(kCode, {ADD_X0_1, B_SELF});
    b.cpu.run(2);
    CHECK(b.cpu.s.r[0] == 1);
    REQUIRE(b.cpu.cache().block_count() > 0);

    // The host (a DMA or loader) rewrites the first instruction: add x0, x0, #2.
    uint32_t add2 = 0x91000800;
    b.bus.write_bytes(kCode, &add2, 4);
    b.cpu.s.pc = kCode;
    b.cpu.run(1);
    CHECK(b.cpu.s.r[0] == 3);
    CHECK(b.cpu.cache().invalidations() >= 1);
}

TEST_CASE("chaining leaves a cached fetch fault to the run loop", "[a64][engine]")
{
    // A budget that ends at a branch to a misaligned target stops there, before the PC
    // alignment fault, whether or not the fault's block is already cached.
    test::A64TestBoard b;
    constexpr uint32_t BR_X0 = 0xd61f0000;  // br x0
    constexpr uint64_t kVbar = kCode + 0x1000;
    b.load(kVbar + 0x200, {B_SELF});  // current EL with SPx, synchronous
    b.load(kCode, {BR_X0});
    b.cpu.s.sys.vbar_el1 = kVbar;
    b.cpu.s.r[0] = kCode + 0x102;
    for (int pass = 0; pass < 2; pass++) {
        b.cpu.s.pc = kCode;
        b.cpu.s.sys.esr_el1 = 0;
        REQUIRE(b.cpu.run(1) == RunEnd::Budget);
        CHECK(b.cpu.s.pc == kCode + 0x102);
        CHECK(b.cpu.s.sys.esr_el1 == 0);
        REQUIRE(b.cpu.run(1) == RunEnd::Budget);  // takes the fault, runs the vector's b .
        CHECK(b.cpu.s.pc == kVbar + 0x200);
        CHECK(b.cpu.s.sys.esr_el1 >> 26 == 0x22);  // PC alignment
    }
}

TEST_CASE("a fault whose vector cannot be fetched stops the CPU instead of hanging", "[a64][engine]")
{
    test::A64TestBoard b;
    constexpr uint32_t LDR_X0_X1 = 0xf9400020;  // ldr x0, [x1]
    b.load(kCode, {LDR_X0_X1});
    b.cpu.s.r[1] = 0x10;                 // unmapped: a data abort
    b.cpu.s.sys.vbar_el1 = 0x7f000000;   // unmapped too: the vector cannot be fetched
    CHECK(b.cpu.run(1000) == RunEnd::Stopped);
    CHECK(b.cpu.icount() == 0);
    REQUIRE(b.cpu.stop());
    CHECK(b.cpu.stop()->kind == StopKind::ExceptionLoop);
    CHECK_THAT(b.cpu.stop()->detail, Catch::Contains("no instruction retired"));
}

TEST_CASE("a handler that faults at once ends the run as an exception loop", "[a64][engine]")
{
    test::A64TestBoard b;
    constexpr uint32_t LDR_X0_X1 = 0xf9400020;  // ldr x0, [x1]
    constexpr uint64_t kVectors = kCode + 0x1000;
    b.load(kCode, {LDR_X0_X1});
    // The vector is RAM holding the same load: every data abort takes another at once.
    for (unsigned off = 0; off < 0x800; off += 4)
        b.load(kVectors + off, {LDR_X0_X1});
    b.cpu.s.pc = kCode;
    b.cpu.s.r[1] = 0x10;
    b.cpu.s.sys.vbar_el1 = kVectors;
    CHECK(b.cpu.run(1000) == RunEnd::Stopped);
    CHECK(b.cpu.icount() == 0);
    REQUIRE(b.cpu.stop());
    CHECK(b.cpu.stop()->kind == StopKind::ExceptionLoop);
}
