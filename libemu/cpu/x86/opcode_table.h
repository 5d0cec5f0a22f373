// The i386 decode tables: one table per opcode map (the one-byte map and the 0F map), and one
// per ModRM.reg group of an opcode (Intel SDM vol. 2, appendix A: "opcode extensions"). Each
// entry says what follows the opcode (a ModRM byte, which immediate) and how the instruction
// is executed: a selector that picks the threaded-code handler (and may fill the op's small
// operands), plus flags. Tables are built at compile time from lists of entries; filling a
// slot twice does not compile. A new mode or instruction set (real mode, x87, 64-bit) extends
// a table, not a switch.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "cpu/x86/op.h"

namespace emu::x86 {

// The immediate (or other bytes) after the opcode and ModRM.
enum class Imm : uint8_t {
    None,
    Ib,      // 8 bits, zero-extended
    IbS,     // 8 bits, sign-extended
    Iw,      // 16 bits
    Iz,      // 16 or 32 bits by operand size
    IzS,     // 16 or 32 bits by operand size, sign-extended (relative branches, IMUL)
    Moffs,   // a memory offset of address size, into disp (MOV AL/eAX <-> moffs)
    IwIb,    // 16 bits, then 8 bits into imm2 (ENTER)
    FarPtr,  // an offset of operand size, then a 16-bit selector into imm2 (far JMP/CALL)
};

enum OpcodeFlag : uint8_t {
    kModRM = 1 << 0,        // a ModRM byte (and SIB and displacement) follows the opcode
    kRegInOpcode = 1 << 1,  // the low three opcode bits name a register (into op.reg)
    kEndBlock = 1 << 2,     // control flow, I/O or system state may change after it
    kEndIfRep = 1 << 3,     // ends the block when it has a REP prefix (string instructions)
    kLockable = 1 << 4,     // LOCK is allowed, with a memory operand
    kMemoryOnly = 1 << 5,   // a register operand in ModRM is #UD
    kModRMRegOnly = 1 << 6, // ModRM.mod is ignored: always registers (MOV to/from CR and DR)
};

// Picks the handler for a decoded instruction, given its operand size (2 or 4) and opcode, and
// fills any small operands the handler reads (op.aux, op.seg). Null: the encoding is #UD.
using Select = Handler (*)(Op& op, unsigned osize, uint8_t opcode);

struct GroupTable;
struct X87Table;

struct OpcodeDef {
    const char* name = nullptr;  // the mnemonic, for reports
    uint8_t flags = 0;
    Imm imm = Imm::None;
    Select select = nullptr;
    // An opcode whose ModRM.reg picks the instruction: the group entry's name, flags,
    // immediate and selector apply (its flags add to these).
    const GroupTable* group = nullptr;
    // An x87 escape (D8-DF): the ModRM byte picks the entry, as for a group.
    const X87Table* x87 = nullptr;
};

struct GroupTable {
    std::array<OpcodeDef, 8> by_reg{};
};

struct OpcodeEntry {
    uint8_t first;
    uint8_t last;
    OpcodeDef def;
};

template <std::size_t N>
consteval std::array<OpcodeDef, N> make_opcode_table(std::initializer_list<OpcodeEntry> entries)
{
    std::array<OpcodeDef, N> table{};
    for (const OpcodeEntry& e : entries) {
        if (e.first > e.last || e.last >= N)
            throw "an opcode range is out of order or out of the table";
        for (unsigned i = e.first; i <= e.last; ++i) {
            if (table[i].name)
                throw "an opcode slot is filled twice";
            table[i] = e.def;
        }
    }
    return table;
}

consteval GroupTable make_group(std::initializer_list<OpcodeEntry> entries)
{
    return GroupTable{make_opcode_table<8>(entries)};
}

// An x87 escape's two sub-tables (Intel SDM vol. 2, appendix A.5): memory forms by ModRM.reg,
// register forms (ModRM.mod = 3) by the ModRM byte's low six bits, reg * 8 + rm.
struct X87Table {
    std::array<OpcodeDef, 8> memory{};
    std::array<OpcodeDef, 64> registers{};
};

consteval X87Table make_x87_table(std::initializer_list<OpcodeEntry> memory, std::initializer_list<OpcodeEntry> registers)
{
    return X87Table{make_opcode_table<8>(memory), make_opcode_table<64>(registers)};
}

// The escape tables, D8 to DF (opcodes_x87.cpp), by the escape's low three bits.
extern const X87Table kX87Escapes[8];

// The one-byte map (prefixes and the 0F escape are the decoder's, not entries) and the 0F map.
const std::array<OpcodeDef, 256>& one_byte_opcodes();
const std::array<OpcodeDef, 256>& two_byte_opcodes();

}  // namespace emu::x86
