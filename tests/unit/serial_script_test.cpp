#include <catch2/catch.hpp>

#include "host/serial_script.h"

using emu::ExitStatus;
using emu::SerialScript;
using emu::StopKind;

namespace {

std::string error_of(const std::string& text)
{
    emu::Result<SerialScript> s = SerialScript::parse(text, "t.script", {});
    REQUIRE_FALSE(s);
    CHECK(s.error().status == ExitStatus::Usage);
    return s.error().message;
}

std::string take_all(SerialScript& s)
{
    std::string out;
    uint8_t buf[64];
    while (size_t n = s.take(buf, sizeof buf))
        out.append(reinterpret_cast<char*>(buf), n);
    return out;
}

void print(SerialScript& s, const std::string& text, uint64_t icount)
{
    for (char c : text)
        s.observe(static_cast<uint8_t>(c), icount);
}

}  // namespace

TEST_CASE("serial script: bad scripts name their line", "[script]")
{
    CHECK(error_of("expect \"ok\"\nfrobnicate\n") == "t.script:2: unknown command `frobnicate`: expect, send, fail or timeout");
    CHECK(error_of("send \"unclosed\n") == "t.script:1: a quoted string has no closing quote");
    CHECK(error_of("# comment\n\nexpect \"a||b\"\n") ==
          "t.script:3: an empty pattern (or an empty alternative beside a `|`)");
    CHECK(error_of("timeout lots\n") == "t.script:1: timeout takes a count of instructions such as 500000, 20M or 2G");
    CHECK(error_of("expect \"x\" timeout 0\n") ==
          "t.script:1: timeout takes a count of instructions such as 500000, 20M or 2G");
    CHECK(error_of("send\n") == "t.script:1: send takes one non-empty quoted string");
    CHECK(error_of("send \"\\q\"\n") == "t.script:1: unknown escape \\q");
    CHECK(error_of("send \"\\x4\"\n") == "t.script:1: \\x needs two hex digits");
    CHECK(error_of("expect \"x\" because\n") ==
          "t.script:1: after expect's pattern come only `fail \"PATTERN\"` and `timeout COUNT`");
    CHECK(error_of("# nothing\n") == "t.script: the script has no expect, send or fail line");
}

TEST_CASE("serial script: sends follow the expectations they wait for", "[script]")
{
    auto s = SerialScript::parse("send \"first\\n\"\nexpect \"login: \"\nsend \"root\\x0a\"\nexpect \"# |$ \"\n"
                                 "send \"ls\\n\"\n",
                                 "t", {});
    REQUIRE(s);
    int changes = 0;
    s->on_change = [&] { changes++; };
    CHECK(take_all(*s) == "first\n");  // before any expectation: due at once
    CHECK(s->exhausted());               // nothing more until the guest prints
    print(*s, "boot...\nlogin", 10);
    CHECK_FALSE(s->ready());
    print(*s, ": ", 12);
    CHECK(changes == 1);
    CHECK(take_all(*s) == "root\n");
    print(*s, "welcome\n$ ", 20);  // the second alternative
    CHECK(take_all(*s) == "ls\n");
    CHECK_FALSE(s->verdict(30));  // done, but not asked to end the run
}

TEST_CASE("serial script: a fail pattern, standing or per expectation, ends the run", "[script]")
{
    auto s = SerialScript::parse("fail \"Oops\"\nexpect \"done\" fail \"FAILED\\|1\"\n", "t", {});
    REQUIRE(s);
    print(*s, "test FAILED", 5);
    CHECK_FALSE(s->verdict(6));  // the per-expect pattern is "FAILED|1" with a literal bar
    print(*s, "|1", 7);
    std::optional<emu::Verdict> v = s->verdict(8);
    REQUIRE(v);
    CHECK(v->kind == StopKind::ScriptFailed);
    CHECK(v->detail == "t:2: the guest printed \"FAILED|1\" at icount 7, while t:2 expected \"done\"");

    auto standing = SerialScript::parse("fail \"Oops\"\nexpect \"done\"\n", "t", {});
    REQUIRE(standing);
    print(*standing, "Oops", 3);
    REQUIRE(standing->verdict(4));
    CHECK(standing->verdict(4)->kind == StopKind::ScriptFailed);
}

TEST_CASE("serial script: timeouts count instructions from when the wait began", "[script]")
{
    auto s = SerialScript::parse("timeout 2K\nexpect \"a\"\nexpect \"b\" timeout 100\n", "t", {});
    REQUIRE(s);
    CHECK(s->deadline() == 2000u);
    print(*s, "a", 1500);
    CHECK(s->deadline() == 1600u);
    CHECK_FALSE(s->verdict(1599));
    std::optional<emu::Verdict> v = s->verdict(1600);
    REQUIRE(v);
    CHECK(v->kind == StopKind::ScriptTimeout);
    CHECK(v->detail == "t:3: \"b\" did not appear within 100 instructions (icount 1600)");
}

TEST_CASE("serial script: --exit-on-success ends the run once everything passed and was sent", "[script]")
{
    auto s = SerialScript::parse("expect \"$ \"\nsend \"exit\\n\"\n", "t", {true});
    REQUIRE(s);
    print(*s, "$ ", 10);
    CHECK_FALSE(s->verdict(11));  // "exit\n" is not taken yet
    take_all(*s);
    std::optional<emu::Verdict> v = s->verdict(12);
    REQUIRE(v);
    CHECK(v->kind == StopKind::ScriptPassed);
}
