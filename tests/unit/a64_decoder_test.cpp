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

TEST_CASE("unallocated encodings do not decode; FP/SIMD ones decode to their lines", "[a64][decoder]")
{
    CHECK(decode(0x00000000) == nullptr);  // UDF #0
    // FP data processing with ftype 10 matches FMOV (register), whose builder refuses it.
    Op op{};
    CHECK(decode(0x1ea04000)->build(op, 0x1ea04000) == Build::Undefined);
    CHECK(std::string(decode(0x1e202800)->name) == "FADD_s");  // FADD s0, s0, s0
    CHECK(std::string(decode(0x4e208400)->name) == "ADD_v");   // ADD v0.16b, v0.16b, v0.16b
    CHECK(std::string(decode(0x4f000400)->name) == "IMM_op0_lo");  // MOVI v0.4s, #0 (immh = 0)
    CHECK(std::string(decode(0x6f00e400)->name) == "IMM_op1_hi");  // MOVI v0.2d, #0
}
