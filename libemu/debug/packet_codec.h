// The byte-level encodings of the gdb remote serial protocol: a packet is `$data#cs` with cs
// the modulo-256 sum of data as two hex digits; binary data (qXfer documents, X writes) escapes
// the bytes that would end or confuse a packet as '}' followed by the byte xor 0x20; replies may
// shorten runs of a character as `c*n` (n+29 more copies of c), which gdb expands before
// anything else.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace emu::debug {

uint8_t checksum(std::string_view data);

// '#', '$', '}' and '*' become '}' followed by the byte xor 0x20.
std::string escape_binary(std::span<const uint8_t> bytes);
std::string escape_binary(std::string_view text);
// nullopt if the data ends in an unfinished escape.
std::optional<std::vector<uint8_t>> unescape_binary(std::string_view data);

// Runs of four or more equal characters written as `c*n`. The input must not contain '*'
// itself (binary data is escaped first; text replies never have one).
std::string rle_encode(std::string_view data);
// The inverse, for whatever gdb sends us (gdb itself never compresses, but the protocol allows
// it). nullopt for a '*' with nothing before it or a count outside 1..97, or if the result would
// exceed `max_size`.
std::optional<std::string> rle_decode(std::string_view data, size_t max_size);

// `$data#cs` with data run-length encoded.
std::string frame_packet(std::string_view data);

}  // namespace emu::debug
