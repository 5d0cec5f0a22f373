// One decoded i386 instruction of a threaded-code block: its handler plus operands extracted
// once at decode time.
#pragma once

#include <cstdint>

namespace emu::x86 {

class Cpu;
struct Op;
using Handler = const Op* (*)(Cpu&, const Op*);

constexpr uint8_t kNoReg = 0xFF;

struct Op {
    // Instructions start at any byte (the block cache's jump index).
    static constexpr unsigned kInsnAlignBits = 0;

    Handler fn;
    int16_t off = 0;     // from the block's first instruction (negative: a trace went back)
    uint8_t len = 0;     // bytes
    uint8_t idx = 0;     // the instruction's place in its block, for icount (a trace's JMP has no op, trace.h)
    uint8_t reg = 0;     // ModRM.reg (register operand or opcode extension)
    uint8_t rm = kNoReg; // register operand of ModRM (mod 3), kNoReg for memory
    uint8_t base = kNoReg, index = kNoReg, scale = 0;  // memory operand
    uint8_t seg = 3;     // segment of the memory operand (DS unless overridden or SS-based)
    uint8_t osize = 4;   // operand size in bytes: 1, 2 or 4
    uint8_t addr16 = 0;  // 16-bit addressing (0x67 prefix)
    uint8_t rep = 0;     // 0, 0xF3 (REP/REPE) or 0xF2 (REPNE)
    uint8_t aux = 0;     // condition code, ALU operation, shift kind, ...
    uint32_t disp = 0;
    uint32_t imm = 0;
    uint32_t imm2 = 0;   // second immediate (ENTER level, far pointer selector)
    // reg and rm as byte registers (AL..BL, AH..BH): their byte offsets in State::r, which
    // the decoder works out so that a byte operand costs no test at run time (operands.h).
    uint8_t reg8 = 0, rm8 = 0;
};

}  // namespace emu::x86
