#include <catch2/catch.hpp>

#include <algorithm>

#include "core/bus.h"
#include "core/ram_snapshot.h"
#include "core/state_archive.h"

using emu::HostPages;

namespace {

bool all_bytes_zero(const uint8_t* p, size_t n)
{
    return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

}  // namespace

TEST_CASE("guest RAM starts zeroed and zero() clears what was written", "[ram]")
{
    constexpr size_t size = 64 * emu::kPageSize;
    HostPages pages(size);
    REQUIRE(all_bytes_zero(pages.get(), size));
    pages.get()[0] = 1;
    pages.get()[size - 1] = 2;
    pages.get()[17 * emu::kPageSize + 5] = 3;
    pages.zero();
    CHECK(all_bytes_zero(pages.get(), size));
}

TEST_CASE("guest RAM keeps its bytes when its region moves", "[ram]")
{
    emu::Bus bus;
    bus.add_ram(0, 16 * emu::kPageSize).host.get()[100] = 0x5a;
    // A second region makes the vector of regions grow and move the first.
    for (int i = 1; i < 20; i++)
        bus.add_ram(i * 0x100000, emu::kPageSize);
    CHECK(bus.ram_ptr(100, 1)[0] == 0x5a);
}

TEST_CASE("loading a RAM snapshot zeroes pages the snapshot does not hold", "[ram]")
{
    emu::Bus saved;
    saved.add_ram(0, 8 * emu::kPageSize).host.get()[3 * emu::kPageSize] = 7;
    emu::StateWriter w;
    emu::serialize_ram(w, saved, emu::RamPages::Included);

    emu::Bus bus;
    uint8_t* ram = bus.add_ram(0, 8 * emu::kPageSize).host.get();
    ram[5 * emu::kPageSize + 9] = 9;
    emu::StateReader r(w.bytes());
    emu::serialize_ram(r, bus, emu::RamPages::Included);
    CHECK(r.finish());
    CHECK(ram[3 * emu::kPageSize] == 7);
    CHECK(ram[5 * emu::kPageSize + 9] == 0);
}
