// The decode table itself: well-formed patterns, no encoding listed twice, and every pattern
// decodes to its own line unless a more specific line claims it.
#include <catch2/catch.hpp>

#include <bit>
#include <set>
#include <string>

#include "cpu/a64/decoder.h"

using namespace emu::a64;

TEST_CASE("every A64 table line is a distinct, well-formed pattern", "[a64][decoder]")
{
    std::set<std::pair<uint32_t, uint32_t>> seen;
    std::set<std::string> names;
    for (const InsnDef& d : insn_table()) {
        INFO(d.name);
        CHECK(std::string(d.pattern).size() == 32);
        CHECK((d.bits.value & ~d.bits.mask) == 0);
        CHECK(seen.insert({d.bits.mask, d.bits.value}).second);
        CHECK(names.insert(d.name).second);
    }
}

TEST_CASE("a pattern's own fixed bits decode to it or to a more specific line", "[a64][decoder]")
{
    for (const InsnDef& d : insn_table()) {
        INFO(d.name);
        const InsnDef* got = decode(d.bits.value);
        REQUIRE(got != nullptr);
        if (got != &d)
            CHECK(std::popcount(got->bits.mask) > std::popcount(d.bits.mask));
    }
}

TEST_CASE("FP/SIMD and unallocated encodings do not decode", "[a64][decoder]")
{
    CHECK(decode(0x00000000) == nullptr);  // UDF #0
    CHECK(decode(0x1e202800) == nullptr);  // FADD s0, s0, s0
    CHECK(decode(0x4e208400) == nullptr);  // ADD v0.16b, v0.16b, v0.16b
}
