// The access watch (core/access_watch.h) as the CPUs feed it: which instructions are reported
// and at which icount (loads, stores, a read-modify-write as both, DC ZVA; not fetches), that a
// watched page stays off the fast paths for as long as it is watched (every one of many loads
// from it is reported, though the first would otherwise have put it in the TLB or the flat
// window), and that nothing is reported once the ranges are cleared. Encodings come from
// aarch64-linux-gnu-as and the Intel SDM's opcode tables.
#include <catch2/catch.hpp>

#include "support/test_board.h"
#include "x86_test_board.h"

using namespace emu;
using namespace emu::test;

namespace {

constexpr uint32_t NOP = 0xd503201f;
constexpr uint32_t LDR_X0_X1 = 0xf9400020;
constexpr uint32_t STR_X0_X1 = 0xf9000020;
constexpr uint32_t LDADD_X2_X0_X1 = 0xf8220020;
constexpr uint32_t LDR_X0_X3 = 0xf9400060;
constexpr uint32_t DC_ZVA_X4 = 0xd50b7424;
constexpr uint32_t B_BACK_1 = 0x17ffffff;  // b .-4
constexpr uint32_t B_SELF = 0x14000000;

struct Seen {
    uint64_t icount;
    bool write;
};

std::vector<Seen> first_and_last(const AccessWatch& w)
{
    std::vector<Seen> out;
    if (w.first_hit())
        out.push_back({w.first_hit()->icount, w.first_hit()->write});
    if (w.last_hit())
        out.push_back({w.last_hit()->icount, w.last_hit()->write});
    return out;
}

bool operator==(const Seen& a, const Seen& b) { return a.icount == b.icount && a.write == b.write; }

}  // namespace

TEST_CASE("access watch: AArch64 loads, stores, atomics and DC ZVA, not fetches", "[cpu][a64][watch]")
{
    const uint64_t code = A64TestBoard::kDefaultRamBase;
    const uint64_t data = code + 0x10000, other = code + 0x20000, zeroed = code + 0x30000;
    auto run = [&](std::vector<WatchedRange> ranges) {
        A64TestBoard b;
        // icount 0: nop; 1: load; 2: nop; 3: store; 4: atomic add; 5: a load elsewhere;
        // 6: DC ZVA; then a branch to itself.
        b.load(code, {NOP, LDR_X0_X1, NOP, STR_X0_X1, LDADD_X2_X0_X1, LDR_X0_X3, DC_ZVA_X4, B_SELF});
        b.cpu.s.r[1] = data;
        b.cpu.s.r[3] = other;
        b.cpu.s.r[4] = zeroed + 8;
        b.bus.access_watch().set_ranges(std::move(ranges));
        b.cpu.run(10);
        REQUIRE(b.cpu.icount() == 10);
        const AccessWatch& w = b.bus.access_watch();
        return std::make_pair(w.hit_count(), first_and_last(w));
    };
    SECTION("reads")
    {
        auto [count, seen] = run({{data, 8, true, false}});
        CHECK(count == 2);  // the load and the atomic's read
        CHECK(seen == std::vector<Seen>{{1, false}, {4, false}});
    }
    SECTION("reads and writes, one byte of the word")
    {
        auto [count, seen] = run({{data + 3, 1, true, true}});
        CHECK(count == 4);  // load, store, the atomic's read and write
        CHECK(seen == std::vector<Seen>{{1, false}, {4, true}});
    }
    SECTION("writes only, and DC ZVA zeroes its whole block")
    {
        auto [count, seen] = run({{data, 8, false, true}, {zeroed + 60, 4, true, true}});
        CHECK(count == 3);
        CHECK(seen == std::vector<Seen>{{3, true}, {6, true}});
    }
    SECTION("next to the range, and code fetched from a watched range")
    {
        auto [count, seen] = run({{data + 8, 8, true, true}, {data - 1, 1, true, true}, {code, 32, true, true}});
        CHECK(count == 0);
        CHECK(seen.empty());
    }
    SECTION("nothing watched")
    {
        auto [count, seen] = run({});
        CHECK(count == 0);
    }
}

TEST_CASE("access watch: an AArch64 page stays slow exactly while it is watched", "[cpu][a64][watch]")
{
    const uint64_t code = A64TestBoard::kDefaultRamBase;
    const uint64_t data = code + 0x10000;
    A64TestBoard b;
    b.load(code, {LDR_X0_X1, B_BACK_1});
    b.cpu.s.r[1] = data;
    b.write64(data, 0x1234);
    AccessWatch& w = b.bus.access_watch();
    // Unwatched first, so the page is in the flat window and the TLB when the watch is set.
    b.cpu.run(100);
    w.set_ranges({{data, 8, true, false}});
    b.cpu.run(2000);
    CHECK(w.hit_count() == 1000);
    CHECK(w.last_hit()->icount == 2098);
    // Another page watched: this one's loads are not reported, and still read right.
    w.set_ranges({{data + 0x1000, 8, true, true}});
    b.write64(data, 0x5678);
    b.cpu.run(1000);
    CHECK(w.hit_count() == 0);
    CHECK(b.cpu.s.r[0] == 0x5678);
    // Watched again after it has been fast again.
    w.set_ranges({{data, 1, true, true}});
    b.cpu.run(1000);
    CHECK(w.hit_count() == 500);
    w.set_ranges({});
    b.cpu.run(1000);
    CHECK(w.hit_count() == 0);
    CHECK_FALSE(w.active());
}

TEST_CASE("access watch: i386 loads, stores and read-modify-writes, with and without paging", "[cpu][x86][watch]")
{
    const uint32_t data = 0x20000, code = X86TestBoard::kCode;
    auto le = [](uint32_t v) {
        return std::vector<uint8_t>{uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
    };
    auto program = [&] {
        std::vector<uint8_t> p = {0x90, 0xA1};  // 0: nop; 1: mov eax, [data]
        for (uint8_t x : le(data)) p.push_back(x);
        p.push_back(0x90);                      // 2: nop
        p.push_back(0xA3);                      // 3: mov [data], eax
        for (uint8_t x : le(data)) p.push_back(x);
        p.insert(p.end(), {0x01, 0x05});        // 4: add [data], eax
        for (uint8_t x : le(data)) p.push_back(x);
        p.insert(p.end(), {0xFF, 0x35});        // 5: push dword [data] (a read and a stack write)
        for (uint8_t x : le(data)) p.push_back(x);
        p.insert(p.end(), {0xEB, 0xFE});       // 6: jmp $
        return p;
    };
    for (bool paging : {false, true}) {
        INFO((paging ? "paging" : "no paging"));
        auto run = [&](std::vector<WatchedRange> ranges) {
            X86TestBoard b;
            b.code(code, program());
            if (paging) {
                // One page table identity-mapping the first 4 MiB, read/write, supervisor.
                const uint32_t dir = 0x90000, table = 0x91000;
                b.write32(dir, table | 3);
                for (uint32_t i = 0; i < 1024; ++i)
                    b.write32(table + 4 * i, (i << 12) | 3);
                b.cpu.s.cr3 = dir;
                b.cpu.s.cr0 |= x86::kCr0PG;
            }
            b.bus.access_watch().set_ranges(std::move(ranges));
            b.cpu.run(9);
            REQUIRE(b.cpu.icount() == 9);
            const AccessWatch& w = b.bus.access_watch();
            return std::make_pair(w.hit_count(), first_and_last(w));
        };
        {
            auto [count, seen] = run({{data, 4, true, false}});
            CHECK(count == 3);
            CHECK(seen == std::vector<Seen>{{1, false}, {5, false}});
        }
        {
            auto [count, seen] = run({{data + 2, 1, true, true}});
            CHECK(count == 5);
            CHECK(seen == std::vector<Seen>{{1, false}, {5, false}});
        }
        {
            auto [count, seen] = run({{data, 4, false, true}});
            CHECK(count == 2);
            CHECK(seen == std::vector<Seen>{{3, true}, {4, true}});
        }
        {
            auto [count, seen] = run({{code, 16, true, true}, {data + 4, 4, true, true}});
            CHECK(count == 0);
        }
        {
            auto [count, seen] = run({});
            CHECK(count == 0);
        }
    }
}

TEST_CASE("access watch: an i386 page stays slow exactly while it is watched", "[cpu][x86][watch]")
{
    const uint32_t data = 0x20000, code = X86TestBoard::kCode;
    X86TestBoard b;
    b.code(code, {0xA1, 0x00, 0x00, 0x02, 0x00, 0xEB, 0xF9});  // mov eax, [data]; jmp back
    b.write32(data, 0x1234);
    AccessWatch& w = b.bus.access_watch();
    b.cpu.run(100);
    w.set_ranges({{data, 4, true, false}});
    b.cpu.run(2000);
    CHECK(w.hit_count() == 1000);
    w.set_ranges({{data + 0x1000, 4, true, true}});
    b.write32(data, 0x5678);
    b.cpu.run(1000);
    CHECK(w.hit_count() == 0);
    CHECK(b.cpu.s.r[x86::kEax] == 0x5678);
    w.set_ranges({{data, 1, true, true}});
    b.cpu.run(1000);
    CHECK(w.hit_count() == 500);
}
