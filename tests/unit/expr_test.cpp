// The watch-expression language of rr-replay --print and rr-bisect --until, evaluated against
// a fake machine: a table of registers, 256 bytes of RAM at 0x40001000 and an icount.
#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <map>
#include <string>

#include "replay/search/expr.h"

using emu::Expr;
using emu::ExprContext;
using emu::ExprError;
using emu::ExitStatus;

namespace {

constexpr uint64_t kRamBase = 0x40001000;

struct FakeMachine : ExprContext {
    std::map<std::string, uint64_t, std::less<>> regs;
    std::array<uint8_t, 256> ram{};
    uint64_t count = 0;
    mutable unsigned memory_reads = 0;

    std::optional<uint64_t> reg(std::string_view name) const override
    {
        auto it = regs.find(name);
        if (it == regs.end())
            return std::nullopt;
        return it->second;
    }
    std::vector<std::string> register_names() const override
    {
        std::vector<std::string> names;
        for (const auto& [name, value] : regs)
            names.push_back(name);
        return names;
    }
    bool read_memory(uint64_t addr, unsigned size, uint64_t& value) const override
    {
        ++memory_reads;
        if (addr < kRamBase || addr - kRamBase > ram.size() - size)
            return false;
        value = 0;
        for (unsigned i = 0; i < size; ++i)
            value |= uint64_t{ram[addr - kRamBase + i]} << (8 * i);
        return true;
    }
    uint64_t icount() const override { return count; }
};

FakeMachine a64_machine()
{
    FakeMachine m;
    for (int i = 0; i <= 30; ++i)
        m.regs[std::string("x").append(std::to_string(i))] = 0;  // not "x" + ...: GCC 12's -Wrestrict misfires on it
    m.regs["sp"] = 0x40080000;
    m.regs["pc"] = 0x40000000;
    m.regs["nzcv"] = 0x60000000;
    return m;
}

FakeMachine i386_machine()
{
    FakeMachine m;
    for (const char* n : {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags"})
        m.regs[n] = 0;
    return m;
}

// Parses and evaluates against an empty machine; fails the test on any error.
uint64_t value_of(std::string_view text, const ExprContext& ctx = FakeMachine{})
{
    auto e = Expr::parse(text);
    INFO(text << ": " << (e ? "" : e.error().message));
    REQUIRE(e.ok());
    auto v = e->eval(ctx);
    INFO(text << ": " << (v ? "" : v.error().message));
    REQUIRE(v.ok());
    return *v;
}

std::string parenthesised(std::string_view text)
{
    auto e = Expr::parse(text);
    INFO(text << ": " << (e ? "" : e.error().message));
    REQUIRE(e.ok());
    return e->to_string();
}

ExprError syntax_error(std::string_view text)
{
    ExprError detail;
    auto e = Expr::parse(text, &detail);
    INFO(text);
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().status == ExitStatus::Usage);
    CHECK(e.error().message == detail.line());
    CHECK(e.error().message.find('\n') == std::string::npos);
    return detail;
}

}  // namespace

TEST_CASE("expr: literals in decimal, hex and binary, with '_' separators", "[expr]")
{
    CHECK(value_of("0") == 0);
    CHECK(value_of("42") == 42);
    CHECK(value_of("010") == 10);  // a leading zero does not mean octal
    CHECK(value_of("0x1234") == 0x1234);
    CHECK(value_of("0XdeadBEEF") == 0xdeadbeef);
    CHECK(value_of("0b1011") == 11);
    CHECK(value_of("1_000_000") == 1000000);
    CHECK(value_of("0x4000_1000") == 0x40001000);
    CHECK(value_of("0xffff_ffff_ffff_ffff") == UINT64_MAX);
    CHECK(value_of("18446744073709551615") == UINT64_MAX);
    CHECK(value_of("  \t7\n") == 7);
}

TEST_CASE("expr: every binary operator", "[expr]")
{
    struct Row {
        const char* text;
        uint64_t value;
    };
    const Row rows[] = {
        {"6 * 7", 42},       {"43 / 5", 8},       {"43 % 5", 3},      {"40 + 2", 42},    {"44 - 2", 42},
        {"1 << 4", 16},      {"0x80 >> 3", 16},   {"2 < 3", 1},       {"3 < 3", 0},      {"3 <= 3", 1},
        {"4 <= 3", 0},       {"4 > 3", 1},        {"3 > 3", 0},       {"3 >= 3", 1},     {"2 >= 3", 0},
        {"5 == 5", 1},       {"5 == 6", 0},       {"5 != 6", 1},      {"5 != 5", 0},     {"0xc & 0xa", 8},
        {"0xc ^ 0xa", 6},    {"0xc | 0xa", 14},   {"2 && 3", 1},      {"2 && 0", 0},     {"0 && 3", 0},
        {"0 || 0", 0},       {"0 || 7", 1},       {"7 || 0", 1},      {"0-1", UINT64_MAX},
    };
    for (const Row& r : rows) {
        INFO(r.text);
        CHECK(value_of(r.text) == r.value);
    }
}

TEST_CASE("expr: unary operators", "[expr]")
{
    CHECK(value_of("-1") == UINT64_MAX);
    CHECK(value_of("-0") == 0);
    CHECK(value_of("~0") == UINT64_MAX);
    CHECK(value_of("~0xff") == 0xffffffffffffff00);
    CHECK(value_of("!0") == 1);
    CHECK(value_of("!5") == 0);
    CHECK(value_of("!!5") == 1);
    CHECK(value_of("- -3") == 3);
    CHECK(value_of("--3") == 3);  // two negations: there is no decrement operator
    CHECK(value_of("-~0") == 1);
}

TEST_CASE("expr: arithmetic is unsigned 64-bit and wraps", "[expr]")
{
    CHECK(value_of("0xffffffffffffffff + 1") == 0);
    CHECK(value_of("0 - 1") == UINT64_MAX);
    CHECK(value_of("0x8000000000000000 * 2") == 0);
    CHECK(value_of("0x100000000 * 0x100000001") == 0x100000000);
    CHECK(value_of("-1 / 2") == 0x7fffffffffffffff);  // unsigned division
    CHECK(value_of("-1 > 0") == 1);                    // unsigned comparison
    CHECK(value_of("1 << 63") == 0x8000000000000000);
    CHECK(value_of("(1 << 63) >> 63") == 1);            // logical shift
}

TEST_CASE("expr: shifts by 64 or more give 0", "[expr]")
{
    CHECK(value_of("1 << 64") == 0);
    CHECK(value_of("1 << 65") == 0);
    CHECK(value_of("-1 >> 64") == 0);
    CHECK(value_of("-1 >> 0xffffffffffffffff") == 0);
    CHECK(value_of("-1 << 0x100000000") == 0);  // not taken modulo 64 as the hardware would
    CHECK(value_of("-1 >> 63") == 1);
}

TEST_CASE("expr: precedence and associativity follow C", "[expr]")
{
    struct Row {
        const char* text;
        const char* tree;
        uint64_t value;
    };
    const Row rows[] = {
        {"1 + 2 * 3", "(1 + (2 * 3))", 7},
        {"(1 + 2) * 3", "((1 + 2) * 3)", 9},
        {"10 - 4 - 3", "((10 - 4) - 3)", 3},
        {"100 / 10 / 5", "((100 / 10) / 5)", 2},
        {"100 / 10 % 3", "((100 / 10) % 3)", 1},
        {"7 % 4 * 2", "((7 % 4) * 2)", 6},
        {"1 << 2 + 1", "(1 << (2 + 1))", 8},
        {"256 >> 2 >> 1", "((0x100 >> 2) >> 1)", 32},
        {"1 + 2 < 4", "((1 + 2) < 4)", 1},
        {"1 < 2 == 1", "((1 < 2) == 1)", 1},
        {"2 == 2 == 1", "((2 == 2) == 1)", 1},
        {"1 << 2 < 5", "((1 << 2) < 5)", 1},
        {"3 & 1 == 1", "(3 & (1 == 1))", 1},
        {"6 & 3 ^ 1", "((6 & 3) ^ 1)", 3},
        {"4 ^ 6 | 1", "((4 ^ 6) | 1)", 3},
        {"1 | 2 && 0", "((1 | 2) && 0)", 0},
        {"1 || 0 && 0", "(1 || (0 && 0))", 1},
        {"0 && 1 || 1", "((0 && 1) || 1)", 1},
        {"-2 * 3", "((-2) * 3)", uint64_t(-6)},
        {"-x0 + 1", "((-x0) + 1)", 1},
        {"!0 + 1", "((!0) + 1)", 2},
        {"~1 & 3", "((~1) & 3)", 2},
        {"!x0 == 1", "((!x0) == 1)", 1},
        {"- - ~ ! 0", "(-(-(~(!0))))", uint64_t(-2)},
        {"2 * (3 + 4) * 5", "((2 * (3 + 4)) * 5)", 70},
        {"((((1))))", "1", 1},
        {"x0 == 0x1234 && mem32[0x40001000] != 0", "((x0 == 0x1234) && (mem32[0x40001000] != 0))", 0},
    };
    FakeMachine m = a64_machine();
    for (const Row& r : rows) {
        INFO(r.text);
        CHECK(parenthesised(r.text) == r.tree);
        CHECK(value_of(r.text, m) == r.value);
    }
}

TEST_CASE("expr: && and || give 0 or 1 and short-circuit", "[expr]")
{
    FakeMachine m = a64_machine();
    CHECK(value_of("5 && 9", m) == 1);
    CHECK(value_of("0 || 9", m) == 1);
    // The right side would read an unreadable address: it must not run.
    m.memory_reads = 0;
    CHECK(value_of("x0 != 0 && mem64[x0] == 1", m) == 0);
    CHECK(value_of("x0 == 0 || mem64[x0] == 1", m) == 1);
    CHECK(m.memory_reads == 0);
    // Chains keep short-circuiting to the end.
    CHECK(value_of("0 && mem8[0] && mem8[0] || 1", m) == 1);
    CHECK(value_of("1 || mem8[0] || mem8[0]", m) == 1);
    CHECK(m.memory_reads == 0);
    // When the left side does not decide, the right one runs.
    auto e = Expr::parse("1 && mem8[0]");
    REQUIRE(e.ok());
    CHECK_FALSE(e->eval(m).ok());
}

TEST_CASE("expr: registers by name from the context", "[expr]")
{
    FakeMachine a64 = a64_machine();
    a64.regs["x0"] = 0x1234;
    a64.regs["x30"] = 7;
    a64.ram[0] = 1;
    CHECK(value_of("x0", a64) == 0x1234);
    CHECK(value_of("x0 + x30", a64) == 0x123b);
    CHECK(value_of("x0 == 0x1234 && mem32[0x40001000] != 0", a64) == 1);
    CHECK(value_of("nzcv >> 28 & 0xf", a64) == 6);
    CHECK(value_of("sp - 0x80000 == 0x40000000", a64) == 1);

    FakeMachine x86 = i386_machine();
    x86.regs["eip"] = 0x100020;
    x86.regs["eax"] = 6;
    CHECK(value_of("eip == 0x100020 && eax > 5", x86) == 1);
    x86.regs["eax"] = 5;
    CHECK(value_of("eip == 0x100020 && eax > 5", x86) == 0);

    // A name used twice is read twice, and the same name on another machine is unknown.
    CHECK(value_of("eax * eax", x86) == 25);
    auto e = Expr::parse("eax");
    REQUIRE(e.ok());
    CHECK_FALSE(e->eval(a64).ok());
}

TEST_CASE("expr: icount is the current instruction count", "[expr]")
{
    FakeMachine m = a64_machine();
    m.count = 123456789;
    CHECK(value_of("icount", m) == 123456789);
    CHECK(value_of("icount >= 100_000_000 && icount % 2 == 1", m) == 1);
    m.count = 0;
    CHECK(value_of("icount", m) == 0);
}

TEST_CASE("expr: memory reads are little-endian at each width", "[expr]")
{
    FakeMachine m = a64_machine();
    const uint8_t bytes[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    std::memcpy(&m.ram[0x10], bytes, 8);
    m.regs["x1"] = kRamBase + 0x10;
    CHECK(value_of("mem8[0x40001010]", m) == 0x11);
    CHECK(value_of("mem16[0x40001010]", m) == 0x2211);
    CHECK(value_of("mem32[0x40001010]", m) == 0x44332211);
    CHECK(value_of("mem64[0x40001010]", m) == 0x8877665544332211);
    CHECK(value_of("mem8[x1 + 7]", m) == 0x88);
    CHECK(value_of("mem16[x1 + 1]", m) == 0x3322);  // unaligned
    // The address is any expression, including another read.
    m.ram[0x20] = 0x10;
    CHECK(value_of("mem8[0x40001000 + mem8[0x40001020] + 1]", m) == 0x22);
    CHECK(value_of("mem32 [ x1 ]", m) == 0x44332211);
}

TEST_CASE("expr: an unreadable address is an evaluation error naming it", "[expr]")
{
    FakeMachine m = a64_machine();
    ExprError detail;
    auto e = Expr::parse("x0 == 1 || mem32[0x90000000] == 5");
    REQUIRE(e.ok());
    auto v = e->eval(m, &detail);
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().status == ExitStatus::Usage);
    CHECK(v.error().message == "expression:12: mem32[0x90000000] is not readable guest memory");
    CHECK(detail.column == 12);
    // The last readable bytes are readable; one byte further is not.
    CHECK(value_of("mem64[0x400010f8]", m) == 0);
    auto past = Expr::parse("mem64[0x400010f9]");
    REQUIRE(past.ok());
    CHECK(past->eval(m).error().message == "expression:1: mem64[0x400010f9] is not readable guest memory");
}

TEST_CASE("expr: division and remainder by zero are evaluation errors", "[expr]")
{
    FakeMachine m = a64_machine();
    auto div = Expr::parse("10 / x0");
    REQUIRE(div.ok());
    auto v = div->eval(m);
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().status == ExitStatus::Usage);
    CHECK(v.error().message == "expression:4: division by zero");
    auto mod = Expr::parse("10 % (x0 & 1)");
    REQUIRE(mod.ok());
    CHECK(mod->eval(m).error().message == "expression:4: remainder by zero");
    m.regs["x0"] = 3;
    CHECK(*div->eval(m) == 3);
    CHECK(*mod->eval(m) == 0);
}

TEST_CASE("expr: check() names an unknown register and lists the machine's", "[expr]")
{
    FakeMachine x86 = i386_machine();
    auto e = Expr::parse("eip == 0x100020 && ebx + eaz > 5");
    REQUIRE(e.ok());
    ExprError detail;
    auto checked = e->check(x86, &detail);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().status == ExitStatus::Usage);
    CHECK(checked.error().message ==
          "expression:26: unknown register 'eaz'; this machine has eax, ebp, ebx, ecx, edi, edx, eflags, eip, esi, esp");
    CHECK(detail.column == 26);
    CHECK(detail.caret() == "eip == 0x100020 && ebx + eaz > 5\n                         ^");
    // eval reports the same, when it gets there.
    x86.regs["eip"] = 0x100020;
    CHECK(e->eval(x86).error().message == checked.error().message);

    // Upper case gets a hint.
    auto upper = Expr::parse("EAX");
    REQUIRE(upper.ok());
    CHECK(upper->check(x86).error().message.starts_with("expression:1: unknown register 'EAX' (did you mean 'eax'?); "));

    // check() reads no memory and accepts names the machine has.
    FakeMachine a64 = a64_machine();
    auto good = Expr::parse("x0 == 0x1234 && mem32[0x90000000] != 0 && pc > sp && icount > 0");
    REQUIRE(good.ok());
    CHECK(good->check(a64).ok());
    CHECK(a64.memory_reads == 0);
    CHECK_FALSE(good->check(x86).ok());
}

TEST_CASE("expr: syntax errors name the column of the offending token", "[expr]")
{
    struct Row {
        const char* text;
        size_t column;
        const char* message;
    };
    const Row rows[] = {
        {"", 1, "empty expression"},
        {"   ", 1, "empty expression"},
        {"x0 == mem32[0x4000", 19, "expected ']' to close the '[' at column 12, found end of expression"},
        {"(x0 + 1", 8, "expected ')' to close the '(' at column 1, found end of expression"},
        {"(x0 + 1]", 8, "expected ')' to close the '(' at column 1, found ']'"},
        {"x0 + 1)", 7, "unmatched ')'"},
        {"x0 ]", 4, "unmatched ']'"},
        {"x0 1", 4, "expected an operator, found '1'"},
        {"x0 == 1 x1", 9, "expected an operator, found 'x1'"},
        {"pc (1)", 4, "expected an operator, found '('"},
        {"mem12[0]", 1, "unknown memory width 'mem12' (there are mem8, mem16, mem32 and mem64)"},
        {"1 + mem0[0]", 5, "unknown memory width 'mem0' (there are mem8, mem16, mem32 and mem64)"},
        {"mem32 0x4000", 7, "expected '[' after 'mem32', found '0x4000'"},
        {"mem32", 6, "expected '[' after 'mem32', found end of expression"},
        {"mem8[]", 6, "expected an address in 'mem8[]'"},
        {"x0 ==", 6, "expected an operand after '==', found end of expression"},
        {"x0 == == 1", 7, "expected an operand after '==', found '=='"},
        {"* 2", 1, "expected an operand, found '*'"},
        {"()", 2, "expected an operand after '(', found ')'"},
        {"1 + -", 6, "expected an operand after '-', found end of expression"},
        {"0xZZ", 3, "invalid digit 'Z' in hexadecimal literal"},
        {"0x12G4", 5, "invalid digit 'G' in hexadecimal literal"},
        {"x0 + 12ab", 8, "invalid digit 'a' in decimal literal"},
        {"0b102", 5, "invalid digit '2' in binary literal"},
        {"0x", 3, "expected hexadecimal digits after '0x'"},
        {"1 + 0x_1", 7, "misplaced '_' in literal (separators go between digits)"},
        {"1__0", 3, "misplaced '_' in literal (separators go between digits)"},
        {"10_", 3, "misplaced '_' in literal (separators go between digits)"},
        {"0x1_0000_0000_0000_0000", 1, "literal 0x1_0000_0000_0000_0000 does not fit in 64 bits"},
        {"18446744073709551616", 1, "literal 18446744073709551616 does not fit in 64 bits"},
        {"x0 = 1", 4, "unexpected '='; did you mean '=='?"},
        {"x0 === 1", 6, "unexpected '='; did you mean '=='?"},
        {"x0 @ 1", 4, "unexpected character '@'"},
        {"x0 + $1", 6, "unexpected character '$'"},
        {"(1 @", 4, "unexpected character '@'"},
        {"x0 \x01", 4, "unexpected byte 0x01"},
    };
    for (const Row& r : rows) {
        INFO("text: \"" << r.text << "\"");
        ExprError e = syntax_error(r.text);
        CHECK(e.column == r.column);
        CHECK(e.message == r.message);
        CHECK(e.text == r.text);
        CHECK(e.line() == "expression:" + std::to_string(r.column) + ": " + r.message);
    }
}

TEST_CASE("expr: the caret display puts '^' under the column", "[expr]")
{
    ExprError e = syntax_error("x0 == mem32[0x4000");
    CHECK(e.caret() == "x0 == mem32[0x4000\n"
                       "                  ^");
    e = syntax_error("mem12[0]");
    CHECK(e.caret() == "mem12[0]\n^");
    // Tabs before the column are kept so the caret lines up in a terminal; other control
    // characters show as spaces.
    e = syntax_error("\tx0 @");
    CHECK(e.caret() == "\tx0 @\n\t   ^");
    e = syntax_error("x0\n+");
    CHECK(e.caret() == "x0 +\n    ^");
    CHECK(syntax_error("").caret() == "\n^");
}

TEST_CASE("expr: deep nesting is refused with an error, not a crash", "[expr]")
{
    // Within the limit.
    std::string ok = std::string(Expr::kMaxNesting - 1, '(') + "1" + std::string(Expr::kMaxNesting - 1, ')');
    CHECK(value_of(ok) == 1);

    const std::string hostile[] = {
        std::string(10000, '(') + "1" + std::string(10000, ')'),
        std::string(10000, '('),
        std::string(10000, '-') + "1",
        std::string(10000, '!') + "1",
        [] {
            std::string s;
            for (int i = 0; i < 10000; ++i)
                s += "mem8[";
            return s + "0";
        }(),
    };
    for (const std::string& text : hostile) {
        ExprError e = syntax_error(text);
        CHECK(e.message == "expression nested more than 100 levels deep");
        CHECK(e.column == Expr::kMaxNesting * (text[0] == 'm' ? 5 : 1) + 1);
    }

    // Long flat expressions are not nested: they parse and run.
    std::string sum = "1";
    for (int i = 0; i < 100000; ++i)
        sum += " + 1";
    CHECK(value_of(sum) == 100001);
    std::string ors = "0";
    for (int i = 0; i < 10000; ++i)
        ors += " || 0";
    CHECK(value_of(ors + " || 1") == 1);

    // Nesting that stays within the limit but needs many intermediate values at once.
    std::string wide;
    for (int i = 0; i < 99; ++i)
        wide += "1 | 2 ^ 3 & (";
    wide += "1" + std::string(99, ')');
    ExprError e = syntax_error(wide);
    CHECK(e.message == "expression too large: it needs more than 256 intermediate values");
}

TEST_CASE("expr: text() keeps the expression as given; parsed expressions are values", "[expr]")
{
    auto e = Expr::parse("  x0+1 ");
    REQUIRE(e.ok());
    CHECK(e->text() == "  x0+1 ");
    CHECK(e->to_string() == "(x0 + 1)");
    Expr copy = *e;
    FakeMachine m = a64_machine();
    m.regs["x0"] = 41;
    CHECK(*copy.eval(m) == 42);
    CHECK(*e->eval(m) == 42);
}
