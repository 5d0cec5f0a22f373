#include "debug/hex.h"

namespace emu::debug {

namespace {

constexpr char kDigits[] = "0123456789abcdef";

int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string to_hex(std::span<const uint8_t> bytes)
{
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 15]);
    }
    return out;
}

std::string to_hex(std::string_view text)
{
    return to_hex(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::optional<std::vector<uint8_t>> from_hex(std::string_view hex)
{
    if (hex.size() % 2 != 0)
        return std::nullopt;
    std::vector<uint8_t> out(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        int hi = digit_value(hex[2 * i]);
        int lo = digit_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return out;
}

std::string hex_number(uint64_t value)
{
    char buf[16];
    size_t n = sizeof buf;
    do {
        buf[--n] = kDigits[value & 15];
        value >>= 4;
    } while (value != 0);
    return std::string(buf + n, sizeof buf - n);
}

std::optional<uint64_t> PacketCursor::hex()
{
    size_t i = 0;
    uint64_t value = 0;
    unsigned significant = 0;
    for (; i < rest_.size(); ++i) {
        int d = digit_value(rest_[i]);
        if (d < 0)
            break;
        if (value != 0 || d != 0)
            ++significant;
        if (significant > 16)
            return std::nullopt;
        value = value << 4 | static_cast<unsigned>(d);
    }
    if (i == 0)
        return std::nullopt;
    rest_.remove_prefix(i);
    return value;
}

bool PacketCursor::skip(char c)
{
    if (rest_.empty() || rest_.front() != c)
        return false;
    rest_.remove_prefix(1);
    return true;
}

std::optional<std::string_view> PacketCursor::until(char c)
{
    size_t at = rest_.find(c);
    if (at == std::string_view::npos)
        return std::nullopt;
    std::string_view field = rest_.substr(0, at);
    rest_.remove_prefix(at + 1);
    return field;
}

}  // namespace emu::debug
