// The threaded-code operation: one pre-decoded A64 instruction. Handlers return the next
// operation to run, or null when control leaves the block (branch, exception, I/O).
#pragma once

#include <cstdint>

namespace emu::a64 {

class Cpu;
struct Op;
using Handler = const Op* (*)(Cpu&, const Op*);

struct Op {
    // Instructions are 4-byte aligned (the block cache's jump index).
    static constexpr unsigned kInsnAlignBits = 2;

    Handler fn;
    uint32_t insn;      // the raw encoding, for reports and rarely-run handlers
    uint16_t idx;       // instructions before this one in the block: its icount is start + idx + 1
    uint8_t rd, rn, rm, ra;  // register slots (see RegSlot), already mapped for 31
    uint8_t a, b;       // small operands: shift, amount, condition, size, ...
    uint16_t inner;     // a wrapped handler, or kChecksSpItself (sp_alignment.h)
    // Where the instruction is: pc = block pc + 4 * pos. Equal to idx until a trace follows a
    // branch (cpu.cpp, build_block), negative when it went back before the block's start.
    int16_t pos;
    uint64_t imm;       // immediate, offset or mask
};
static_assert(sizeof(Op) == 32, "keep operations at half a cache line");

// What a builder made of an encoding.
enum class Build {
    Next,       // ordinary instruction; the block goes on
    Nothing,    // an instruction that does nothing (NOP, the other hints, DMB, DSB): the block
                // goes on, and with chaining on it has no op (the next op's idx counts it)
    EndBlock,   // control may leave the block or interrupt state may change after it
    Undefined,  // unallocated or unimplemented: the Undefined exception when executed
};

using Builder = Build (*)(Op&, uint32_t insn);

}  // namespace emu::a64
