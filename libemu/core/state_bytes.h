// Field-by-field little-endian serialization of device state, for state hashes: each device's
// save() appends its fields in a fixed order, never a struct's raw bytes (padding and host
// layout would leak into the hash).
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace emu {

template <class T>
void put_le(std::vector<uint8_t>& out, T v)
{
    static_assert(std::is_integral_v<T> || std::is_enum_v<T>);
    auto u = static_cast<uint64_t>(v);
    for (size_t i = 0; i < sizeof(T); ++i)
        out.push_back(static_cast<uint8_t>(u >> (8 * i)));
}

template <size_t N>
void put_bits(std::vector<uint8_t>& out, const std::bitset<N>& b)
{
    for (size_t i = 0; i < N; i += 8) {
        uint8_t byte = 0;
        for (size_t j = 0; j < 8 && i + j < N; ++j)
            byte |= static_cast<uint8_t>(b[i + j]) << j;
        out.push_back(byte);
    }
}

}  // namespace emu
