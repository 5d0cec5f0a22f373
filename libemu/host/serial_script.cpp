#include "host/serial_script.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "host/input_file.h"

namespace emu {

namespace {

// Splits a script line into words and quoted strings (with escapes resolved); a quoted string
// keeps its unescaped bars marked, so that a pattern splits into alternatives only at them.
struct Token {
    std::string text;
    bool quoted = false;
    std::vector<size_t> bars;  // positions of unescaped `|` in a quoted string
};

std::optional<std::string> tokenize(const std::string& line, std::vector<Token>& out)
{
    size_t i = 0;
    while (i < line.size()) {
        if (std::isspace(static_cast<unsigned char>(line[i]))) {
            ++i;
            continue;
        }
        if (line[i] == '#')
            break;
        Token t;
        if (line[i] != '"') {
            while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])))
                t.text += line[i++];
            out.push_back(std::move(t));
            continue;
        }
        t.quoted = true;
        for (++i;; ++i) {
            if (i >= line.size())
                return "a quoted string has no closing quote";
            char c = line[i];
            if (c == '"')
                break;
            if (c == '|') {
                t.bars.push_back(t.text.size());
                t.text += c;
                continue;
            }
            if (c != '\\') {
                t.text += c;
                continue;
            }
            if (++i >= line.size())
                return "a backslash ends the line";
            switch (line[i]) {
            case 'n': t.text += '\n'; break;
            case 'r': t.text += '\r'; break;
            case 't': t.text += '\t'; break;
            case '0': t.text += '\0'; break;
            case '\\': t.text += '\\'; break;
            case '"': t.text += '"'; break;
            case '|': t.text += '|'; break;
            case 'x': {
                unsigned v = 0;
                if (i + 2 >= line.size() || std::from_chars(&line[i + 1], &line[i + 3], v, 16).ptr != &line[i + 3])
                    return "\\x needs two hex digits";
                t.text += static_cast<char>(v);
                i += 2;
                break;
            }
            default: return std::string("unknown escape \\") + line[i];
            }
        }
        ++i;
        out.push_back(std::move(t));
    }
    return std::nullopt;
}

std::optional<std::vector<std::string>> alternatives(const Token& t)
{
    std::vector<std::string> out;
    size_t from = 0;
    for (size_t bar : t.bars) {
        out.push_back(t.text.substr(from, bar - from));
        from = bar + 1;
    }
    out.push_back(t.text.substr(from));
    if (std::any_of(out.begin(), out.end(), [](const std::string& s) { return s.empty(); }))
        return std::nullopt;
    return out;
}

std::optional<uint64_t> count(const std::string& s)
{
    uint64_t v = 0, scale = 1;
    std::string digits = s;
    if (!digits.empty() && std::strchr("KMG", digits.back())) {
        scale = digits.back() == 'K' ? 1'000 : digits.back() == 'M' ? 1'000'000 : 1'000'000'000;
        digits.pop_back();
    }
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || v == 0 || v > UINT64_MAX / scale)
        return std::nullopt;
    return v * scale;
}

std::string printable(const std::string& s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '\n')
            out += "\\n";
        else if (c == '"' || c == '\\')
            out += std::string("\\") + static_cast<char>(c);
        else if (c >= 0x20 && c < 0x7F)
            out += static_cast<char>(c);
        else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out + "\"";
}

std::string joined(const std::vector<std::string>& patterns)
{
    std::string out;
    for (const std::string& p : patterns)
        out += (out.empty() ? "" : " or ") + printable(p);
    return out;
}

bool ends_with(const std::string& s, const std::string& tail)
{
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

Result<SerialScript> SerialScript::open(const std::string& path, Options options)
{
    Result<std::vector<uint8_t>> bytes = read_input_file(path);
    if (!bytes)
        return bytes.error();
    return parse(std::string(bytes->begin(), bytes->end()), path, options);
}

Result<SerialScript> SerialScript::parse(const std::string& text, const std::string& name, Options options)
{
    std::vector<Step> steps;
    std::optional<uint64_t> standing_timeout;
    unsigned line_no = 0;
    size_t from = 0;
    while (from <= text.size()) {
        size_t nl = text.find('\n', from);
        std::string line = text.substr(from, nl == std::string::npos ? std::string::npos : nl - from);
        from = nl == std::string::npos ? text.size() + 1 : nl + 1;
        ++line_no;
        auto bad = [&](const std::string& why) {
            return Error{ExitStatus::Usage, name + ":" + std::to_string(line_no) + ": " + why};
        };
        std::vector<Token> tokens;
        if (std::optional<std::string> e = tokenize(line, tokens))
            return bad(*e);
        if (tokens.empty())
            continue;
        const std::string& verb = tokens[0].text;
        if (tokens[0].quoted)
            return bad("a line starts with expect, send, fail or timeout, not a string");
        auto pattern_at = [&](size_t i) -> Result<std::vector<std::string>> {
            if (i >= tokens.size() || !tokens[i].quoted)
                return bad("`" + tokens[i - 1].text + "` needs a quoted pattern");
            std::optional<std::vector<std::string>> alts = alternatives(tokens[i]);
            if (!alts)
                return bad("an empty pattern (or an empty alternative beside a `|`)");
            return *alts;
        };
        Step step;
        step.line = line_no;
        if (verb == "send") {
            if (tokens.size() != 2 || !tokens[1].quoted || tokens[1].text.empty())
                return bad("send takes one non-empty quoted string");
            step.kind = Step::Kind::Send;
            step.text = tokens[1].text;
        } else if (verb == "expect") {
            Result<std::vector<std::string>> p = pattern_at(1);
            if (!p)
                return p.error();
            step.kind = Step::Kind::Expect;
            step.patterns = *p;
            step.timeout = standing_timeout;
            for (size_t i = 2; i < tokens.size(); i += 2) {
                if (tokens[i].text == "fail" && !tokens[i].quoted) {
                    Result<std::vector<std::string>> f = pattern_at(i + 1);
                    if (!f)
                        return f.error();
                    step.fail_patterns.insert(step.fail_patterns.end(), f->begin(), f->end());
                } else if (tokens[i].text == "timeout" && !tokens[i].quoted && i + 1 < tokens.size()) {
                    step.timeout = count(tokens[i + 1].text);
                    if (!step.timeout || tokens[i + 1].quoted)
                        return bad("timeout takes a count of instructions such as 500000, 20M or 2G");
                } else {
                    return bad("after expect's pattern come only `fail \"PATTERN\"` and `timeout COUNT`");
                }
            }
        } else if (verb == "fail") {
            if (tokens.size() != 2)
                return bad("fail takes one quoted pattern");
            Result<std::vector<std::string>> p = pattern_at(1);
            if (!p)
                return p.error();
            step.kind = Step::Kind::Fail;
            step.patterns = *p;
        } else if (verb == "timeout") {
            if (tokens.size() != 2 || !(standing_timeout = count(tokens[1].text)) || tokens[1].quoted)
                return bad("timeout takes a count of instructions such as 500000, 20M or 2G");
            continue;
        } else {
            return bad("unknown command `" + verb + "`: expect, send, fail or timeout");
        }
        steps.push_back(std::move(step));
    }
    if (steps.empty())
        return Error{ExitStatus::Usage, name + ": the script has no expect, send or fail line"};
    return SerialScript(name, std::move(steps), options);
}

SerialScript::SerialScript(std::string name, std::vector<Step> steps, Options options)
    : name_(std::move(name)), steps_(std::move(steps)), options_(options)
{
    for (const Step& s : steps_) {
        for (const std::string& p : s.patterns)
            keep_ = std::max(keep_, p.size());
        for (const std::string& p : s.fail_patterns)
            keep_ = std::max(keep_, p.size());
    }
    advance(0);  // the sends before the first expectation are due at once
}

std::string SerialScript::where(const Step& s) const { return name_ + ":" + std::to_string(s.line); }

void SerialScript::advance(uint64_t icount)
{
    bool sent = false;
    for (; next_ < steps_.size(); ++next_) {
        Step& s = steps_[next_];
        if (s.kind == Step::Kind::Expect) {
            expect_started_ = icount;
            break;
        }
        if (s.kind == Step::Kind::Send) {
            pending_ += s.text;
            sent = true;
        } else {
            standing_fails_.insert(standing_fails_.end(), s.patterns.begin(), s.patterns.end());
        }
    }
    if (sent && on_change)
        on_change();
}

void SerialScript::conclude(Verdict v)
{
    if (verdict_)
        return;
    verdict_ = std::move(v);
    if (on_change)
        on_change();
}

void SerialScript::observe(uint8_t byte, uint64_t icount)
{
    if (verdict_)
        return;
    output_ += static_cast<char>(byte);
    const Step* expecting = next_ < steps_.size() ? &steps_[next_] : nullptr;
    auto failed = [&](const std::string& p, const Step* at) {
        std::string what = "the guest printed " + printable(p) + " at icount " + std::to_string(icount);
        if (expecting)
            what += ", while " + where(*expecting) + " expected " + joined(expecting->patterns);
        conclude(Verdict{StopKind::ScriptFailed, (at ? where(*at) + ": " : name_ + ": ") + what});
    };
    for (const std::string& p : standing_fails_)
        if (ends_with(output_, p))
            return failed(p, nullptr);
    if (expecting) {
        for (const std::string& p : expecting->fail_patterns)
            if (ends_with(output_, p))
                return failed(p, expecting);
        for (const std::string& p : expecting->patterns) {
            if (ends_with(output_, p)) {
                output_.clear();  // the next expectation looks at output after this match
                ++next_;
                advance(icount);
                if (next_ == steps_.size() && on_change)
                    on_change();  // the script is done: a run that ends on success ends here
                return;
            }
        }
    }
    if (output_.size() > 2 * keep_)
        output_.erase(0, output_.size() - keep_);
}

std::optional<uint64_t> SerialScript::deadline() const
{
    if (verdict_ || next_ >= steps_.size() || !steps_[next_].timeout)
        return std::nullopt;
    return expect_started_ + *steps_[next_].timeout;
}

std::optional<Verdict> SerialScript::verdict(uint64_t icount)
{
    if (verdict_)
        return verdict_;
    if (std::optional<uint64_t> d = deadline(); d && icount >= *d) {
        const Step& s = steps_[next_];
        conclude(Verdict{StopKind::ScriptTimeout, where(s) + ": " + joined(s.patterns) + " did not appear within " +
                                                           std::to_string(*s.timeout) + " instructions (icount " +
                                                           std::to_string(icount) + ")"});
        return verdict_;
    }
    if (options_.exit_on_success && next_ == steps_.size() && pending_.empty())
        return Verdict{StopKind::ScriptPassed, name_ + ": every line passed by icount " + std::to_string(icount)};
    return std::nullopt;
}

size_t SerialScript::take(uint8_t* out, size_t max)
{
    size_t n = std::min(max, pending_.size());
    std::copy_n(pending_.begin(), n, out);
    pending_.erase(0, n);
    return n;
}

}  // namespace emu
