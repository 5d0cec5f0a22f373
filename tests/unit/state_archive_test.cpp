// The snapshot serialization: one function per component saves and restores; the reader names
// the section and field where a snapshot stops matching the component reading it.
#include <catch2/catch.hpp>

#include "core/state_archive.h"

using namespace emu;

namespace {

struct Thing {
    uint8_t a = 0;
    uint16_t b = 0;
    uint32_t c = 0;
    uint64_t d = 0;
    bool e = false;
    std::bitset<20> f;
    std::vector<uint8_t> g;

    void serialize(StateArchive& ar)
    {
        ar.section("thing", 2);
        ar.field("a", a);
        ar.field("b", b);
        ar.field("c", c);
        ar.field("d", d);
        ar.field("e", e);
        ar.field("f", f);
        ar.blob("g", g);
    }
};

Thing sample()
{
    Thing t;
    t.a = 0xAB;
    t.b = 0xBEEF;
    t.c = 0xDEADBEEF;
    t.d = 0x0123456789ABCDEFull;
    t.e = true;
    t.f.set(0).set(19).set(7);
    t.g = {1, 2, 3, 0, 255};
    return t;
}

}  // namespace

TEST_CASE("state archive: a component saves and restores through one function", "[snapshot]")
{
    Thing t = sample();
    StateWriter w;
    t.serialize(w);

    Thing back;
    StateReader r(w.bytes());
    back.serialize(r);
    REQUIRE(r.finish());
    CHECK(back.a == t.a);
    CHECK(back.b == t.b);
    CHECK(back.c == t.c);
    CHECK(back.d == t.d);
    CHECK(back.e == t.e);
    CHECK(back.f == t.f);
    CHECK(back.g == t.g);

    StateWriter again;
    back.serialize(again);
    CHECK(again.bytes() == w.bytes());
}

TEST_CASE("state archive: a bitset is its little-endian bytes, bit i in byte i / 8", "[snapshot]")
{
    struct Bits {
        std::bitset<288> wide;  // a GIC's interrupts: several words and a partial one
        void serialize(StateArchive& ar)
        {
            ar.section("bits", 1);
            ar.field("wide", wide);
        }
    } bits;
    for (size_t i : {0, 9, 63, 64, 70, 200, 255, 256, 287})
        bits.wide.set(i);
    StateWriter w;
    bits.serialize(w);

    auto fields = list_state_fields(w.bytes());
    REQUIRE(fields);
    REQUIRE(fields->size() == 1);
    std::vector<uint8_t> want(36, 0);
    for (size_t i : {0, 9, 63, 64, 70, 200, 255, 256, 287})
        want[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
    CHECK(std::vector<uint8_t>((*fields)[0].value.begin(), (*fields)[0].value.end()) == want);

    Bits back;
    back.wide.set(5);  // loading replaces every bit
    StateReader r(w.bytes());
    back.serialize(r);
    REQUIRE(r.finish());
    CHECK(back.wide == bits.wide);
}

TEST_CASE("state archive: mismatches are named", "[snapshot]")
{
    StateWriter w;
    Thing t = sample();
    t.serialize(w);

    SECTION("another section")
    {
        struct Other {
            uint8_t a = 0;
            void serialize(StateArchive& ar)
            {
                ar.section("other", 1);
                ar.field("a", a);
            }
        } o;
        StateReader r(w.bytes());
        o.serialize(r);
        REQUIRE(r.error());
        CHECK(*r.error() == "section (none): expected section 'other', found section 'thing'");
    }
    SECTION("a renamed field")
    {
        struct Renamed {
            uint8_t x = 0;
            void serialize(StateArchive& ar)
            {
                ar.section("thing", 2);
                ar.field("x", x);
            }
        } o;
        StateReader r(w.bytes());
        o.serialize(r);
        REQUIRE(r.error());
        CHECK(*r.error() == "section thing: expected field 'x', found field 'a'");
    }
    SECTION("a retyped field")
    {
        struct Retyped {
            uint32_t a = 0;
            void serialize(StateArchive& ar)
            {
                ar.section("thing", 2);
                ar.field("a", a);
            }
        } o;
        StateReader r(w.bytes());
        o.serialize(r);
        REQUIRE(r.error());
        CHECK(r.error()->find("field 'a' has 1 bytes, expected 4") != std::string::npos);
    }
    SECTION("a newer version")
    {
        struct Older {
            void serialize(StateArchive& ar) { ar.section("thing", 1); }
        } o;
        StateReader r(w.bytes());
        o.serialize(r);
        REQUIRE(r.error());
        CHECK(r.error()->find("version 2 is newer than this build reads (1)") != std::string::npos);
    }
    SECTION("every truncation is an error, never a crash")
    {
        for (size_t n = 0; n < w.bytes().size(); ++n) {
            Thing back;
            StateReader r(std::span<const uint8_t>(w.bytes().data(), n));
            back.serialize(r);
            CHECK_FALSE(r.finish());
        }
    }
    SECTION("bytes left over")
    {
        std::vector<uint8_t> longer = w.bytes();
        longer.push_back(0);
        Thing back;
        StateReader r(longer);
        back.serialize(r);
        CHECK_FALSE(r.finish());
        CHECK(r.error()->find("1 bytes left over") != std::string::npos);
    }
}
