// Random x87 states and instructions for the x87 lockstep test (x87_lockstep_test.cpp). A
// state has a random control word (rounding, precision control, often all exceptions masked,
// else random masks), TOP, empty registers and register contents drawn from the classes that
// matter: zeros, normals (some exactly representable in single or double precision, some near
// one), denormals, pseudo-denormals, infinities, QNaNs, SNaNs and, rarely, unnormals and
// pseudo-NaNs. An instruction is any x87 instruction of a P6 (every escape's memory and
// register forms, FWAIT), chosen with the current state in view so that stack faults are
// possible but rare; memory operands lie in a data window and are given interesting values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpu/x86/x87_state.h"
#include "split_mix.h"
#include "x86_random_insn.h"

namespace emu::test {

// What the comparison must know about an instruction (see x87_lockstep_test.cpp).
enum class X87Kind : uint8_t {
    Arith,           // FADD..FDIVR, memory and register forms
    Compare,         // FCOM FUCOM FICOM FTST (C0 C2 C3)
    CompareEflags,   // FCOMI FUCOMI
    Load,            // FLD m32/m64/m80, FILD, constants, FLD ST(i)
    LoadBcd,         // FBLD
    Store,           // FST/FSTP m32/m64/m80, FST ST(i)
    StoreInt,        // FIST/FISTP
    StoreBcd,        // FBSTP
    Stack,           // FXCH FFREE FFREEP FINCSTP FDECSTP FNOP
    Unary,           // FCHS FABS FSQRT FRNDINT
    Scale,           // FSCALE
    Extract,         // FXTRACT
    Examine,         // FXAM
    Remainder,       // FPREM FPREM1
    Transcendental,  // F2XM1 FYL2X FYL2XP1 FPTAN FPATAN FSIN FCOS FSINCOS
    Move,            // FCMOVcc
    Control,         // FNINIT FNCLEX FLDCW FNSTCW FWAIT FNENI FNDISI FNSETPM
    StatusStore,     // FNSTSW m16, FNSTSW AX
    Environment,     // FNSTENV FLDENV FNSAVE FRSTOR
};

struct X87Insn {
    uint8_t bytes[16];
    unsigned len = 0;
    std::string name;
    X87Kind kind = X87Kind::Arith;
    std::vector<X86Poke> pokes;
    uint32_t mem = 0;       // memory operand address (0: none)
    unsigned mem_len = 0;   // bytes it covers
    uint8_t opcode = 0;     // the escape byte (D8-DF) or 0x9B
    uint8_t modrm = 0;
    bool stack_fault = false;  // from the state it was drawn for: an empty operand or a full push
};

x86::Float80 random_x87_value(SplitMix64& rng);
x86::FpuState random_x87_state(SplitMix64& rng);
X87Insn random_x87_insn(SplitMix64& rng, const x86::FpuState& now);

}  // namespace emu::test
