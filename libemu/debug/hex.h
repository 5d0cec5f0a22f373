// Hex text as the gdb remote protocol uses it: register and memory contents as pairs of hex
// digits in memory order, numbers as unpadded hex, and a cursor that takes a packet's fields
// apart without ever reading past its end.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace emu::debug {

// Two lower-case hex digits per byte, in order.
std::string to_hex(std::span<const uint8_t> bytes);
std::string to_hex(std::string_view text);
// The bytes of `hex`; nullopt for an odd length or a character that is not a hex digit.
std::optional<std::vector<uint8_t>> from_hex(std::string_view hex);
// Lower-case hex without leading zeros ("0" for zero).
std::string hex_number(uint64_t value);

// Reads the fields of one packet from left to right.
class PacketCursor {
public:
    explicit PacketCursor(std::string_view text) : rest_(text) {}

    // A hex number of 1 to 16 significant digits (leading zeros allowed); nullopt and nothing
    // consumed if there is none or it does not fit 64 bits.
    std::optional<uint64_t> hex();
    // Consumes `c` if it comes next.
    bool skip(char c);
    // Everything up to (not including) `c`, consumed with `c`; nullopt if there is no `c`.
    std::optional<std::string_view> until(char c);
    std::string_view rest() const { return rest_; }
    bool at_end() const { return rest_.empty(); }

private:
    std::string_view rest_;
};

}  // namespace emu::debug
