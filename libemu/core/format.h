// Small text helpers for messages and reports.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace emu {

// "0x" followed by lower-case hex digits, no padding.
inline std::string hex(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace emu
