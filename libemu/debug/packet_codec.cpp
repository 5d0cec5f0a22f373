#include "debug/packet_codec.h"

#include <algorithm>

namespace emu::debug {

namespace {

bool needs_escape(uint8_t b)
{
    return b == '#' || b == '$' || b == '}' || b == '*';
}

// A count character stands for itself minus 29 repetitions. '#' and '$' (6 and 7) would
// read as framing, and characters above '~' (97) are not printable, so those are never sent.
constexpr unsigned kRleBias = 29;
constexpr unsigned kRleMaxRepeat = '~' - kRleBias;

}  // namespace

uint8_t checksum(std::string_view data)
{
    uint8_t sum = 0;
    for (char c : data)
        sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
    return sum;
}

std::string escape_binary(std::span<const uint8_t> bytes)
{
    std::string out;
    out.reserve(bytes.size());
    for (uint8_t b : bytes) {
        if (needs_escape(b)) {
            out.push_back('}');
            out.push_back(static_cast<char>(b ^ 0x20));
        } else {
            out.push_back(static_cast<char>(b));
        }
    }
    return out;
}

std::string escape_binary(std::string_view text)
{
    return escape_binary(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::optional<std::vector<uint8_t>> unescape_binary(std::string_view data)
{
    std::vector<uint8_t> out;
    out.reserve(data.size());
    for (size_t i = 0; i < data.size(); ++i) {
        uint8_t b = static_cast<uint8_t>(data[i]);
        if (b == '}') {
            if (++i == data.size())
                return std::nullopt;
            b = static_cast<uint8_t>(data[i]) ^ 0x20;
        }
        out.push_back(b);
    }
    return out;
}

std::string rle_encode(std::string_view data)
{
    std::string out;
    out.reserve(data.size());
    for (size_t i = 0; i < data.size();) {
        char c = data[i];
        size_t run = 1;
        while (i + run < data.size() && data[i + run] == c)
            ++run;
        i += run;
        out.push_back(c);
        size_t more = run - 1;
        // From three more copies on, `c*n` is shorter than the copies.
        while (more >= 3) {
            size_t n = std::min<size_t>(more, kRleMaxRepeat);
            if (n == '#' - kRleBias || n == '$' - kRleBias)
                n = '#' - kRleBias - 1;
            out.push_back('*');
            out.push_back(static_cast<char>(n + kRleBias));
            more -= n;
        }
        out.append(more, c);
    }
    return out;
}

std::optional<std::string> rle_decode(std::string_view data, size_t max_size)
{
    std::string out;
    for (size_t i = 0; i < data.size(); ++i) {
        char c = data[i];
        if (c != '*') {
            out.push_back(c);
        } else {
            if (out.empty() || i + 1 == data.size())
                return std::nullopt;
            unsigned count = static_cast<uint8_t>(data[++i]);
            if (count < kRleBias + 1 || count > '~')
                return std::nullopt;
            out.append(count - kRleBias, out.back());
        }
        if (out.size() > max_size)
            return std::nullopt;
    }
    return out;
}

std::string frame_packet(std::string_view data)
{
    std::string body = rle_encode(data);
    std::string out;
    out.reserve(body.size() + 4);
    out.push_back('$');
    out += body;
    out.push_back('#');
    uint8_t sum = checksum(body);
    const char digits[] = "0123456789abcdef";
    out.push_back(digits[sum >> 4]);
    out.push_back(digits[sum & 15]);
    return out;
}

}  // namespace emu::debug
