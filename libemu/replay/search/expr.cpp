// A hand-written lexer and precedence-climbing parser that emits a postfix program, and the
// stack machine that runs it. Columns are 1-based byte offsets into the text.
#include "replay/search/expr.h"

#include <cstdio>

namespace emu {

namespace {

enum class Tok : uint8_t {
    End, Number, Ident, Bad,
    LParen, RParen, LBracket, RBracket,
    Plus, Minus, Star, Slash, Percent, Shl, Shr,
    Lt, Le, Gt, Ge, EqEq, Ne,
    Amp, AmpAmp, Pipe, PipePipe, Caret, Tilde, Bang,
};

struct Token {
    Tok kind = Tok::End;
    size_t begin = 0;  // byte offset
    size_t len = 0;
};

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Binding strength of a binary operator, as in C; 0 for anything else.
int binary_precedence(Tok t)
{
    switch (t) {
    case Tok::PipePipe: return 1;
    case Tok::AmpAmp: return 2;
    case Tok::Pipe: return 3;
    case Tok::Caret: return 4;
    case Tok::Amp: return 5;
    case Tok::EqEq: case Tok::Ne: return 6;
    case Tok::Lt: case Tok::Le: case Tok::Gt: case Tok::Ge: return 7;
    case Tok::Shl: case Tok::Shr: return 8;
    case Tok::Plus: case Tok::Minus: return 9;
    case Tok::Star: case Tok::Slash: case Tok::Percent: return 10;
    default: return 0;
    }
}

Expr::Op binary_op(Tok t)
{
    using Op = Expr::Op;
    switch (t) {
    case Tok::Star: return Op::Mul;
    case Tok::Slash: return Op::Div;
    case Tok::Percent: return Op::Mod;
    case Tok::Plus: return Op::Add;
    case Tok::Minus: return Op::Sub;
    case Tok::Shl: return Op::Shl;
    case Tok::Shr: return Op::Shr;
    case Tok::Lt: return Op::Lt;
    case Tok::Le: return Op::Le;
    case Tok::Gt: return Op::Gt;
    case Tok::Ge: return Op::Ge;
    case Tok::EqEq: return Op::Eq;
    case Tok::Ne: return Op::Ne;
    case Tok::Amp: return Op::BitAnd;
    case Tok::Caret: return Op::BitXor;
    case Tok::Pipe: return Op::BitOr;
    default: return Op::Const;  // not reached: callers check binary_precedence first
    }
}

const char* op_spelling(Expr::Op op)
{
    using Op = Expr::Op;
    switch (op) {
    case Op::Neg: return "-";
    case Op::BitNot: return "~";
    case Op::LogNot: return "!";
    case Op::Mul: return "*";
    case Op::Div: return "/";
    case Op::Mod: return "%";
    case Op::Add: return "+";
    case Op::Sub: return "-";
    case Op::Shl: return "<<";
    case Op::Shr: return ">>";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
    case Op::Eq: return "==";
    case Op::Ne: return "!=";
    case Op::BitAnd: return "&";
    case Op::BitXor: return "^";
    case Op::BitOr: return "|";
    case Op::AndThen: case Op::AndEnd: return "&&";
    case Op::OrElse: case Op::OrEnd: return "||";
    case Op::Const: case Op::Reg: case Op::Icount: case Op::Load: return "";
    }
    return "";
}

std::string hex(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string literal_text(uint64_t v) { return v < 256 ? std::to_string(v) : hex(v); }

uint64_t width_mask(unsigned size) { return size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1; }

// "mem8".."mem64" -> 1..8 bytes; 0 for another width; -1 when `name` is not mem<digits>.
int memory_width(std::string_view name)
{
    if (name.size() <= 3 || name.substr(0, 3) != "mem")
        return -1;
    std::string_view digits = name.substr(3);
    for (char c : digits)
        if (!is_digit(c))
            return -1;
    if (digits == "8") return 1;
    if (digits == "16") return 2;
    if (digits == "32") return 4;
    if (digits == "64") return 8;
    return 0;
}

}  // namespace

// --- ExprError ---

std::string ExprError::line() const { return "expression:" + std::to_string(column) + ": " + message; }

std::string ExprError::caret() const
{
    std::string out;
    out.reserve(2 * text.size() + 3);
    for (char c : text)
        out += (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f ? ' ' : c;
    out += '\n';
    for (size_t i = 0; i + 1 < column; ++i)
        out += i < text.size() && text[i] == '\t' ? '\t' : ' ';
    out += '^';
    return out;
}

Error ExprError::error() const { return Error{ExitStatus::Usage, line()}; }

// --- Parser ---

class ExprParser {
public:
    explicit ExprParser(std::string_view text) : text_(text) { expr_.text_ = std::string(text); }

    Result<Expr> run(ExprError* detail)
    {
        advance();
        if (tok_.kind == Tok::End && !failed_) {
            fail(1, "empty expression");
        } else if (parse_binary(1) && tok_.kind != Tok::End) {
            if (tok_.kind == Tok::RParen)
                fail_at_token("unmatched ')'");
            else if (tok_.kind == Tok::RBracket)
                fail_at_token("unmatched ']'");
            else if (tok_.kind != Tok::Bad)
                fail_at_token("expected an operator, found " + describe(tok_));
            else
                fail_bad_token();
        }
        if (failed_) {
            if (detail)
                *detail = error_;
            return error_.error();
        }
        return std::move(expr_);
    }

private:
    // --- lexing ---

    void advance()
    {
        prev_ = tok_;
        size_t i = tok_.begin + tok_.len;
        while (i < text_.size() && is_space(text_[i]))
            ++i;
        tok_ = Token{Tok::End, i, 0};
        if (i >= text_.size())
            return;
        char c = text_[i];
        char d = i + 1 < text_.size() ? text_[i + 1] : '\0';
        auto set = [&](Tok k, size_t len) { tok_ = Token{k, i, len}; };
        if (is_digit(c) || is_ident_start(c)) {
            size_t j = i;
            while (j < text_.size() && is_ident_char(text_[j]))
                ++j;
            // A literal swallows the letters after it too, so that "0xZZ" and "12ab" are one
            // malformed literal rather than a number followed by a name.
            return set(is_digit(c) ? Tok::Number : Tok::Ident, j - i);
        }
        switch (c) {
        case '(': return set(Tok::LParen, 1);
        case ')': return set(Tok::RParen, 1);
        case '[': return set(Tok::LBracket, 1);
        case ']': return set(Tok::RBracket, 1);
        case '+': return set(Tok::Plus, 1);
        case '-': return set(Tok::Minus, 1);
        case '*': return set(Tok::Star, 1);
        case '/': return set(Tok::Slash, 1);
        case '%': return set(Tok::Percent, 1);
        case '^': return set(Tok::Caret, 1);
        case '~': return set(Tok::Tilde, 1);
        case '<': return d == '<' ? set(Tok::Shl, 2) : d == '=' ? set(Tok::Le, 2) : set(Tok::Lt, 1);
        case '>': return d == '>' ? set(Tok::Shr, 2) : d == '=' ? set(Tok::Ge, 2) : set(Tok::Gt, 1);
        case '=': return d == '=' ? set(Tok::EqEq, 2) : set(Tok::Bad, 1);
        case '!': return d == '=' ? set(Tok::Ne, 2) : set(Tok::Bang, 1);
        case '&': return d == '&' ? set(Tok::AmpAmp, 2) : set(Tok::Amp, 1);
        case '|': return d == '|' ? set(Tok::PipePipe, 2) : set(Tok::Pipe, 1);
        default: return set(Tok::Bad, 1);
        }
    }

    std::string_view spelling(const Token& t) const { return text_.substr(t.begin, t.len); }

    std::string describe(const Token& t) const
    {
        if (t.kind == Tok::End)
            return "end of expression";
        std::string_view s = spelling(t);
        // Built by appending: GCC 12 warns (-Wrestrict) on "'" + std::string(...).
        std::string quoted(1, '\'');
        quoted += s.size() > 24 ? s.substr(0, 21) : s;
        quoted += s.size() > 24 ? "...'" : "'";
        return quoted;
    }

    // --- errors: the first one wins ---

    bool fail(size_t column, std::string message)
    {
        if (!failed_) {
            failed_ = true;
            error_ = ExprError{std::string(text_), column, std::move(message)};
        }
        return false;
    }
    bool fail_at_token(std::string message) { return fail(tok_.begin + 1, std::move(message)); }
    bool fail_bad_token()
    {
        unsigned char c = static_cast<unsigned char>(text_[tok_.begin]);
        if (c == '=')
            return fail_at_token("unexpected '='; did you mean '=='?");
        if (c >= 0x21 && c < 0x7f)
            return fail_at_token(std::string("unexpected character '") + static_cast<char>(c) + "'");
        char buf[40];
        std::snprintf(buf, sizeof buf, "unexpected byte 0x%02x", c);
        return fail_at_token(buf);
    }

    // --- emitting ---

    size_t emit(Expr::Op op, const Token& at, uint64_t arg = 0, uint8_t size = 0)
    {
        using Op = Expr::Op;
        switch (op) {
        case Op::Const: case Op::Reg: case Op::Icount: ++stack_; break;
        case Op::Load: case Op::Neg: case Op::BitNot: case Op::LogNot: case Op::AndEnd: case Op::OrEnd: break;
        case Op::Mul: case Op::Div: case Op::Mod: case Op::Add: case Op::Sub: case Op::Shl: case Op::Shr:
        case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
        case Op::BitAnd: case Op::BitXor: case Op::BitOr: case Op::AndThen: case Op::OrElse: --stack_; break;
        }
        if (stack_ > Expr::kMaxStack)
            fail(at.begin + 1, "expression too large: it needs more than " + std::to_string(Expr::kMaxStack) +
                                   " intermediate values");
        uint32_t column = static_cast<uint32_t>(std::min<size_t>(at.begin + 1, UINT32_MAX));
        expr_.program_.push_back(Expr::Insn{op, size, column, arg});
        return expr_.program_.size() - 1;
    }

    // --- grammar ---

    // binary := unary { OP binary-of-higher-precedence }   (left-associative)
    bool parse_binary(int min_precedence)
    {
        if (!parse_unary())
            return false;
        for (;;) {
            int precedence = binary_precedence(tok_.kind);
            if (precedence == 0 || precedence < min_precedence)
                return true;
            Token op = tok_;
            advance();
            size_t jump = 0;
            if (op.kind == Tok::AmpAmp)
                jump = emit(Expr::Op::AndThen, op);
            else if (op.kind == Tok::PipePipe)
                jump = emit(Expr::Op::OrElse, op);
            if (!parse_binary(precedence + 1))
                return false;
            if (op.kind == Tok::AmpAmp || op.kind == Tok::PipePipe) {
                emit(op.kind == Tok::AmpAmp ? Expr::Op::AndEnd : Expr::Op::OrEnd, op);
                expr_.program_[jump].arg = expr_.program_.size();
            } else {
                emit(binary_op(op.kind), op);
            }
            if (failed_)
                return false;
        }
    }

    // unary := ("-" | "~" | "!") unary | primary
    bool parse_unary()
    {
        if (depth_ >= Expr::kMaxNesting)
            return fail_at_token("expression nested more than " + std::to_string(Expr::kMaxNesting) +
                                 " levels deep");
        ++depth_;
        bool ok = parse_unary_inner();
        --depth_;
        return ok;
    }

    bool parse_unary_inner()
    {
        Expr::Op op;
        switch (tok_.kind) {
        case Tok::Minus: op = Expr::Op::Neg; break;
        case Tok::Tilde: op = Expr::Op::BitNot; break;
        case Tok::Bang: op = Expr::Op::LogNot; break;
        default: return parse_primary();
        }
        Token at = tok_;
        advance();
        if (!parse_unary())
            return false;
        emit(op, at);
        return !failed_;
    }

    // primary := number | "icount" | register | mem "[" binary "]" | "(" binary ")"
    bool parse_primary()
    {
        Token t = tok_;
        switch (t.kind) {
        case Tok::Number: {
            uint64_t value = 0;
            if (!parse_literal(t, value))
                return false;
            advance();
            emit(Expr::Op::Const, t, value);
            return !failed_;
        }
        case Tok::Ident: return parse_name(t);
        case Tok::LParen: {
            advance();
            if (!parse_binary(1))
                return false;
            if (tok_.kind != Tok::RParen)
                return expected_closing(')', t);
            advance();
            return true;
        }
        case Tok::Bad: return fail_bad_token();
        default:
            if (prev_.len == 0)
                return fail_at_token("expected an operand, found " + describe(tok_));
            return fail_at_token("expected an operand after " + describe(prev_) + ", found " + describe(tok_));
        }
    }

    bool expected_closing(char closer, const Token& opener)
    {
        if (tok_.kind == Tok::Bad)
            return fail_bad_token();
        return fail_at_token(std::string("expected '") + closer + "' to close the '" + text_[opener.begin] +
                             "' at column " + std::to_string(opener.begin + 1) + ", found " + describe(tok_));
    }

    bool parse_name(const Token& t)
    {
        std::string_view name = spelling(t);
        advance();
        if (name == "icount") {
            emit(Expr::Op::Icount, t);
            return !failed_;
        }
        int width = memory_width(name);
        if (width == 0)
            return fail(t.begin + 1, "unknown memory width '" + std::string(name) +
                                         "' (there are mem8, mem16, mem32 and mem64)");
        if (width > 0) {
            if (tok_.kind != Tok::LBracket)
                return fail_at_token("expected '[' after '" + std::string(name) + "', found " + describe(tok_));
            Token open = tok_;
            advance();
            if (tok_.kind == Tok::RBracket)
                return fail_at_token("expected an address in '" + std::string(name) + "[]'");
            if (!parse_binary(1))
                return false;
            if (tok_.kind != Tok::RBracket)
                return expected_closing(']', open);
            advance();
            emit(Expr::Op::Load, t, 0, static_cast<uint8_t>(width));
            return !failed_;
        }
        size_t index = 0;
        while (index < expr_.names_.size() && expr_.names_[index] != name)
            ++index;
        if (index == expr_.names_.size())
            expr_.names_.emplace_back(name);
        emit(Expr::Op::Reg, t, index);
        return !failed_;
    }

    // number := "0x" hex { ["_"] hex } | "0b" bin { ["_"] bin } | dec { ["_"] dec }
    bool parse_literal(const Token& t, uint64_t& value)
    {
        std::string_view s = spelling(t);
        unsigned base = 10;
        size_t i = 0;
        const char* base_name = "decimal";
        if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            base = 16, i = 2, base_name = "hexadecimal";
        } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
            base = 2, i = 2, base_name = "binary";
        }
        if (i == s.size())
            return fail(t.begin + i + 1, std::string("expected ") + base_name + " digits after '" +
                                             std::string(s.substr(0, 2)) + "'");
        value = 0;
        bool overflow = false;
        for (size_t start = i; i < s.size(); ++i) {
            char c = s[i];
            if (c == '_') {
                if (i == start || s[i - 1] == '_' || i + 1 == s.size())
                    return fail(t.begin + i + 1, "misplaced '_' in literal (separators go between digits)");
                continue;
            }
            unsigned digit = is_digit(c) ? unsigned(c - '0')
                             : (c >= 'a' && c <= 'z') ? unsigned(c - 'a' + 10)
                                                      : unsigned(c - 'A' + 10);
            if (digit >= base)
                return fail(t.begin + i + 1,
                            std::string("invalid digit '") + c + "' in " + base_name + " literal");
            if (value > (UINT64_MAX - digit) / base)
                overflow = true;
            value = value * base + digit;
        }
        if (overflow)
            return fail(t.begin + 1, "literal " + std::string(s) + " does not fit in 64 bits");
        return true;
    }

    std::string_view text_;
    Expr expr_;
    Token tok_;
    Token prev_;  // the last token consumed; len 0 before the first
    unsigned depth_ = 0;
    unsigned stack_ = 0;
    bool failed_ = false;
    ExprError error_;
};

// --- Expr ---

Result<Expr> Expr::parse(std::string_view text, ExprError* detail) { return ExprParser(text).run(detail); }

Error Expr::failure(size_t column, std::string message, ExprError* detail) const
{
    ExprError e{text_, column, std::move(message)};
    Error out = e.error();
    if (detail)
        *detail = std::move(e);
    return out;
}

Error Expr::unknown_register(const Insn& insn, const ExprContext& ctx, ExprError* detail) const
{
    const std::string& name = names_[insn.arg];
    std::vector<std::string> names = ctx.register_names();
    std::string lower = name;
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    std::string message = "unknown register '" + name + "'";
    for (const std::string& n : names)
        if (n == lower && lower != name)
            message += " (did you mean '" + n + "'?)";
    message += names.empty() ? "; this machine has no registers" : "; this machine has ";
    for (size_t i = 0; i < names.size(); ++i)
        message += (i ? ", " : "") + names[i];
    return failure(insn.column, std::move(message), detail);
}

Result<uint64_t> Expr::eval(const ExprContext& ctx, ExprError* detail) const
{
    uint64_t stack[kMaxStack];
    size_t sp = 0;
    const Insn* code = program_.data();
    const size_t n = program_.size();
    for (size_t pc = 0; pc < n; ++pc) {
        const Insn& insn = code[pc];
        switch (insn.op) {
        case Op::Const: stack[sp++] = insn.arg; break;
        case Op::Reg: {
            std::optional<uint64_t> v = ctx.reg(names_[insn.arg]);
            if (!v)
                return unknown_register(insn, ctx, detail);
            stack[sp++] = *v;
            break;
        }
        case Op::Icount: stack[sp++] = ctx.icount(); break;
        case Op::Load: {
            uint64_t addr = stack[sp - 1];
            uint64_t v = 0;
            if (!ctx.read_memory(addr, insn.size, v))
                return failure(insn.column,
                               "mem" + std::to_string(8 * insn.size) + "[" + hex(addr) + "] is not readable guest memory",
                               detail);
            stack[sp - 1] = v & width_mask(insn.size);
            break;
        }
        case Op::Neg: stack[sp - 1] = 0 - stack[sp - 1]; break;
        case Op::BitNot: stack[sp - 1] = ~stack[sp - 1]; break;
        case Op::LogNot: stack[sp - 1] = stack[sp - 1] == 0; break;
        case Op::AndEnd: case Op::OrEnd: stack[sp - 1] = stack[sp - 1] != 0; break;
        case Op::AndThen: case Op::OrElse: {
            uint64_t a = stack[--sp];
            bool decided = insn.op == Op::AndThen ? a == 0 : a != 0;
            if (decided) {
                stack[sp++] = insn.op == Op::OrElse;
                pc = insn.arg - 1;  // the loop's ++pc lands on the target
            }
            break;
        }
        case Op::Mul: case Op::Div: case Op::Mod: case Op::Add: case Op::Sub: case Op::Shl: case Op::Shr:
        case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
        case Op::BitAnd: case Op::BitXor: case Op::BitOr: {
            uint64_t b = stack[--sp];
            uint64_t& a = stack[sp - 1];
            switch (insn.op) {
            case Op::Mul: a *= b; break;
            case Op::Div:
            case Op::Mod:
                if (b == 0)
                    return failure(insn.column, insn.op == Op::Div ? "division by zero" : "remainder by zero", detail);
                a = insn.op == Op::Div ? a / b : a % b;
                break;
            case Op::Add: a += b; break;
            case Op::Sub: a -= b; break;
            case Op::Shl: a = b >= 64 ? 0 : a << b; break;
            case Op::Shr: a = b >= 64 ? 0 : a >> b; break;
            case Op::Lt: a = a < b; break;
            case Op::Le: a = a <= b; break;
            case Op::Gt: a = a > b; break;
            case Op::Ge: a = a >= b; break;
            case Op::Eq: a = a == b; break;
            case Op::Ne: a = a != b; break;
            case Op::BitAnd: a &= b; break;
            case Op::BitXor: a ^= b; break;
            case Op::BitOr: a |= b; break;
            default: break;  // the unary and stack operations, handled above
            }
            break;
        }
        }
    }
    return stack[0];
}

Result<Done> Expr::check(const ExprContext& ctx, ExprError* detail) const
{
    for (const Insn& insn : program_)
        if (insn.op == Op::Reg && !ctx.reg(names_[insn.arg]))
            return unknown_register(insn, ctx, detail);
    return Done{};
}

std::string Expr::to_string() const
{
    std::vector<std::string> stack;
    for (const Insn& insn : program_) {
        switch (insn.op) {
        case Op::Const: stack.push_back(literal_text(insn.arg)); break;
        case Op::Reg: stack.push_back(names_[insn.arg]); break;
        case Op::Icount: stack.emplace_back("icount"); break;
        case Op::Load: stack.back() = std::string("mem").append(std::to_string(8 * insn.size)) + "[" + stack.back() + "]"; break;
        case Op::Neg: case Op::BitNot: case Op::LogNot:
            stack.back() = std::string(1, '(').append(op_spelling(insn.op)) + stack.back() + ")";
            break;
        case Op::AndThen: case Op::OrElse: break;  // the left operand stays until the matching End
        case Op::Mul: case Op::Div: case Op::Mod: case Op::Add: case Op::Sub: case Op::Shl: case Op::Shr:
        case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
        case Op::BitAnd: case Op::BitXor: case Op::BitOr: case Op::AndEnd: case Op::OrEnd: {
            std::string b = std::move(stack.back());
            stack.pop_back();
            stack.back() = "(" + stack.back() + " " + op_spelling(insn.op) + " " + b + ")";
            break;
        }
        }
    }
    return stack.empty() ? std::string() : stack.back();
}

}  // namespace emu
