// The expression language of `rr-replay --print EXPR` and `rr-bisect --until EXPR`: registers
// by name, `icount`, guest memory (`mem32[ADDR]`), integer literals and C's operators on
// unsigned 64-bit values. The grammar and the messages are documented in docs/expressions.md.
//
// An expression is parsed once into a compact postfix program and then evaluated against a
// machine state, possibly millions of times during a linear search: evaluation allocates
// nothing unless it fails, and && and || short-circuit, so `x0 != 0 && mem64[x0] == 1` never
// reads address 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace emu {

// What an expression can look at. A tool implements it over a Machine; tests over a table.
class ExprContext {
public:
    virtual ~ExprContext() = default;
    // The value of a register by its architectural name ("x0", "eip"), or nullopt when the
    // machine has no register of that name. Called once per occurrence per evaluation, so it
    // should be cheap (a switch or a small table, no allocation).
    virtual std::optional<uint64_t> reg(std::string_view name) const = 0;
    // Every name reg() accepts, for the message that rejects an unknown one.
    virtual std::vector<std::string> register_names() const = 0;
    // Reads `size` (1, 2, 4 or 8) bytes of guest physical memory at `addr`, little-endian.
    // False when any of them is not readable (no RAM there).
    virtual bool read_memory(uint64_t addr, unsigned size, uint64_t& value) const = 0;
    virtual uint64_t icount() const = 0;
};

// Where and why an expression was rejected, for tools that want more than the one-line Error:
//   error.line()   "expression:18: expected ']' after the address, found end of expression"
//   error.caret()  "x0 == mem32[0x4000\n                 ^"
struct ExprError {
    std::string text;     // the whole expression as given
    size_t column = 0;    // 1-based byte column; text.size() + 1 points just past the end
    std::string message;  // without the position: "expected ']' after the address, ..."

    // "expression:COLUMN: MESSAGE", the message of the Error that parse/check/eval return.
    std::string line() const;
    // Two lines without a final newline: the expression (control characters shown as spaces),
    // then a '^' under the column. Tabs before the column are kept so the caret lines up.
    std::string caret() const;
    // Error{ExitStatus::Usage, line()}.
    Error error() const;
};

class Expr {
public:
    // Nesting of parentheses, brackets and unary operators beyond this is refused (so hostile
    // input cannot overflow the parser's stack); no real watch expression comes close.
    static constexpr unsigned kMaxNesting = 100;
    // Intermediate values an evaluation may hold at once; evaluation keeps them in a fixed
    // array on the stack.
    static constexpr unsigned kMaxStack = 256;

    // Syntax errors are ExitStatus::Usage with a message "expression:COLUMN: ...". When
    // `detail` is given it receives the same error with its parts, for ExprError::caret().
    static Result<Expr> parse(std::string_view text, ExprError* detail = nullptr);

    // The value, or ExitStatus::Usage for an unknown register, an unreadable address or a
    // division or remainder by zero, each naming the column of the culprit. Allocates only
    // when it fails.
    Result<uint64_t> eval(const ExprContext& ctx, ExprError* detail = nullptr) const;

    // Checks every register name against the context, so that a misspelt name is reported
    // before a long search rather than at its first evaluation. Reads no memory.
    Result<Done> check(const ExprContext& ctx, ExprError* detail = nullptr) const;

    // The expression as given.
    const std::string& text() const { return text_; }
    // Fully parenthesised, with normalised spacing and literals (below 256 in decimal, others
    // in hex): "x0 == 0x1234 && mem32[0x40001000] != 0" gives
    // "((x0 == 0x1234) && (mem32[0x40001000] != 0))". For tests and verbose output.
    std::string to_string() const;

    // Opcodes of the postfix program; internal, public only so expr.cpp's helpers can name them.
    enum class Op : uint8_t {
        Const, Reg, Icount, Load,                          // push (Load pops the address)
        Neg, BitNot, LogNot,                               // unary, in place
        Mul, Div, Mod, Add, Sub, Shl, Shr,                 // binary: pop b, pop a, push a op b
        Lt, Le, Gt, Ge, Eq, Ne, BitAnd, BitXor, BitOr,
        AndThen, OrElse,  // pop a; if it decides the result push 0 / 1 and jump to `arg`
        AndEnd, OrEnd,    // the right operand of && / || becomes 0 or 1
    };
    struct Insn {
        Op op;
        uint8_t size = 0;      // Load: 1, 2, 4 or 8
        uint32_t column = 0;   // of the token, for run-time errors
        uint64_t arg = 0;      // Const: the value; Reg: index into names_; AndThen/OrElse: target
    };

private:
    Expr() = default;
    friend class ExprParser;

    Error failure(size_t column, std::string message, ExprError* detail) const;
    Error unknown_register(const Insn& insn, const ExprContext& ctx, ExprError* detail) const;

    std::string text_;
    std::vector<Insn> program_;
    std::vector<std::string> names_;  // registers named in the text, each once
};

}  // namespace emu
