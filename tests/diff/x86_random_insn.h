// Random i386 test cases for the lockstep test: one valid instruction together with the state
// it starts from, for 32-bit protected mode, real mode or 16-bit protected mode (X86Mode). The
// instruction is drawn class by class (ALU, shifts, string operations, ...) with random forms,
// the other operand size (0x66) and address size (0x67) for a subset, LOCK on the
// read-modify-write forms that allow it, and REP/REPE/REPNE on strings.
// The registers start as a mix of small numbers, edge values and noise; those the
// instruction uses as addresses are then chosen so that every memory operand lands in a data
// window of the shared RAM, the stack lies in RAM, and branch targets stay in the code region.
//
// Each case also says which results the Intel SDM leaves undefined for that instruction from
// that state (flags, and for BSF/BSR and 16-bit SHLD/SHRD the destination): the comparison
// masks exactly those.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "split_mix.h"

namespace emu::test {

// The mode a case's code runs in. In the 16-bit modes the operand and address sizes default to
// 16 bits (0x66 and 0x67 select 32), CS's base is X86Layout::kCode (IP counts from there), the
// stack is a 16-bit one at SS base 0 (SP below 64 KiB) and the data segments have base 0 and
// 4 GiB limits (big real mode in real mode), so that both engines agree on every address.
enum class X86Mode : uint8_t { Protected32, Real16, Protected16 };
const char* mode_name(X86Mode m);

enum class X86Class : uint8_t {
    Alu,          // ADD OR ADC SBB AND SUB XOR CMP, every form
    IncDec,
    NegNot,
    Test,
    Mov,          // 88-8B, C6/C7, B0-BF, A0-A3
    MovExtend,    // MOVZX, MOVSX
    Lea,
    Xchg,
    Xadd,
    Cmpxchg,
    Cmpxchg8b,
    Bswap,
    BitTest,      // BT BTS BTR BTC, register and immediate offsets
    BitScan,      // BSF BSR
    Shift,        // SHL SHR SAR by 1, CL, imm8
    Rotate,       // ROL ROR RCL RCR by 1, CL, imm8
    DoubleShift,  // SHLD SHRD
    Mul,
    Imul,         // one-, two- and three-operand forms
    Div,          // DIV IDIV, #DE included
    Convert,      // CBW CWDE CWD CDQ
    Setcc,
    Cmovcc,
    Jcc,          // Jcc rel8/rel32, JECXZ, LOOP/LOOPE/LOOPNE
    JmpCallRet,   // JMP/CALL rel and r/m, RET, RET imm16
    Stack,        // PUSH POP PUSHF POPF PUSHA POPA ENTER LEAVE
    String,       // MOVS STOS LODS CMPS SCAS without REP
    RepString,    // the same with REP/REPE/REPNE
    FlagOps,      // CLC STC CMC CLD STD SAHF LAHF
    Nop,          // 90 and 0F 1F /0
    Segments,     // 16-bit modes only: MOV/PUSH/POP Sreg, LDS..LGS, far JMP/CALL/RET, IRET
};
inline constexpr unsigned kNumX86Classes = static_cast<unsigned>(X86Class::Segments) + 1;
// Whether a mode's cases include the class.
inline bool class_in_mode(X86Class c, X86Mode m) { return c != X86Class::Segments || m != X86Mode::Protected32; }
const char* class_name(X86Class c);

// Properties of a case counted separately, so that the test can check each was reached.
enum X86Feature : uint32_t {
    kFeatO16 = 1u << 0,     // 0x66 operand-size prefix
    kFeatA16 = 1u << 1,     // 0x67 address-size prefix (16-bit addressing)
    kFeatLock = 1u << 2,    // LOCK prefix
    kFeatMem = 1u << 3,     // a ModRM memory operand
    kFeatDf = 1u << 4,      // string instruction with DF set
    kFeatDivZero = 1u << 5, // divisor zero: #DE expected
    kFeatByte = 1u << 6,    // 8-bit operand
};
inline constexpr unsigned kNumX86Features = 7;
const char* feature_name(unsigned bit);

// The shared RAM and where things live in it. 16-bit addressing reaches linear 0-0xFFFF
// (segment bases are 0), so RAM starts at 0.
struct X86Layout {
    static constexpr uint32_t kRamBase = 0;
    static constexpr uint32_t kRamSize = 0x40000;
    // Two pages of HLTs around the instruction under test; branch targets stay inside.
    static constexpr uint32_t kCode = 0x20000;
    static constexpr uint32_t kCodeSize = 0x2000;
    // The stack: ESP starts in [kStackLow, kStackHigh).
    static constexpr uint32_t kStackLow = 0x34000;
    static constexpr uint32_t kStackHigh = 0x3C000;
    // 16-bit modes: SP in [kStackLow16, kStackHigh16), below 64 KiB; real mode's CS is the
    // paragraph of kCode.
    static constexpr uint32_t kStackLow16 = 0x4000;
    static constexpr uint32_t kStackHigh16 = 0xC000;
    static constexpr uint16_t kCodeParagraph = kCode >> 4;
};


struct X86Poke {
    uint32_t addr;
    uint8_t bytes[8];
    unsigned len;
};

struct X86Case {
    X86Mode mode = X86Mode::Protected32;
    X86Class cls;
    std::string name;  // mnemonic and form, "ADD r/m32, imm8"
    uint8_t bytes[16];
    unsigned len = 0;
    uint32_t features = 0;

    uint32_t r[8];
    uint32_t eip;                // the EIP register: an offset from code_base
    uint32_t code_base = 0;      // CS's base: the instruction is at code_base + eip
    uint32_t eflags;
    std::vector<X86Poke> pokes;  // memory to set (in both engines) before the instruction runs
    bool has_mem = false;        // the ModRM operand is memory, at mem_addr (linear)
    uint32_t mem_addr = 0;

    // Results the SDM leaves undefined from this state.
    uint32_t undefined_flags = 0;
    int undefined_reg = -1;             // a register whose bits in undefined_reg_mask are undefined
    uint32_t undefined_reg_mask = 0;
    bool undefined_reg_if_zf = false;   // ... only when ZF comes out set (BSF/BSR of zero)
    uint32_t undefined_mem_addr = 0;    // memory bytes whose value is undefined (16-bit SHLD/SHRD
    unsigned undefined_mem_len = 0;     // by more than 16)
    bool rep = false;                   // REP string: runs until EIP leaves the instruction
};

// The case for iteration `index` of the run with `seed` is
// random_x86_case(SplitMix64::for_case(seed, index), mode).
X86Case random_x86_case(SplitMix64& rng, X86Mode mode = X86Mode::Protected32);

// "f7 f3" for reports.
std::string hex_bytes(const uint8_t* p, unsigned len);

}  // namespace emu::test
