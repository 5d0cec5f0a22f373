// The A64 decode table. Every encoding is one line of a family list (`*.inc` beside this file):
//
//     A64_INSN(ADD_imm, "x00100010hiiiiiiiiiiiinnnnnddddd")
//
// Bits are written from 31 down to 0; '0' and '1' are fixed, any other letter is a field.
// Patterns are parsed at compile time into a mask and a match value. Lookup tries more
// specific patterns (more fixed bits) first, so an alias or a reserved sub-case can be listed
// as its own line. The same table feeds the block builder, reports and the random instruction
// generator of the differential tests.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "cpu/a64/op.h"

namespace emu::a64 {

struct Pattern {
    uint32_t mask = 0;
    uint32_t value = 0;
};

consteval Pattern parse_pattern(std::string_view p)
{
    if (p.size() != 32)
        throw "an A64 pattern has exactly 32 characters";
    Pattern r;
    for (unsigned i = 0; i < 32; i++) {
        uint32_t b = 1u << (31 - i);
        if (p[i] == '0' || p[i] == '1') {
            r.mask |= b;
            if (p[i] == '1')
                r.value |= b;
        }
    }
    return r;
}

struct InsnDef {
    const char* name;
    const char* pattern;  // 32 characters, bit 31 first
    Pattern bits;
    Builder build;
};

// Every encoding we implement, in table order.
std::span<const InsnDef> insn_table();

// The definition matching `insn`, or null (unallocated or not implemented).
const InsnDef* decode(uint32_t insn);

}  // namespace emu::a64
