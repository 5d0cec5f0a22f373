#include <catch2/catch.hpp>

#include <vector>

#include "core/ram_snapshot.h"

TEST_CASE("all_zero finds a single set bit wherever it is", "[ram_snapshot]")
{
    std::vector<uint8_t> page(4096 + 64, 0);
    CHECK(emu::all_zero(page.data(), 0));
    CHECK(emu::all_zero(page.data(), page.size()));
    for (size_t n : {size_t{1}, size_t{2}, size_t{31}, size_t{4096}, page.size()}) {
        for (size_t at : {size_t{0}, n / 2, n - 1}) {
            page[at] = 0x40;
            CHECK_FALSE(emu::all_zero(page.data(), n));
            // Bytes past n do not count.
            CHECK(emu::all_zero(page.data() + at + 1, n - at - 1));
            page[at] = 0;
        }
    }
}
