// Operand access shared by the instruction handlers: registers by operand size (byte registers
// AL..BL, AH..BH), the ModRM r/m operand (register or memory), and the handler selectors the
// decoder uses.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "cpu/x86/cpu.h"
#include "cpu/x86/flags.h"
#include "cpu/x86/memory.h"
#include "cpu/x86/trace.h"

namespace emu::x86 {

template <unsigned N>
using UInt = std::conditional_t<N == 1, uint8_t, std::conditional_t<N == 2, uint16_t, uint32_t>>;

template <unsigned N>
inline uint32_t get_reg(const Cpu& c, uint8_t r)
{
    if constexpr (N == 1)
        return r < 4 ? c.s.r[r] & 0xFF : (c.s.r[r - 4] >> 8) & 0xFF;
    else if constexpr (N == 2)
        return c.s.r[r] & 0xFFFF;
    else
        return c.s.r[r];
}

template <unsigned N>
inline void set_reg(Cpu& c, uint8_t r, uint32_t v)
{
    if constexpr (N == 1) {
        if (r < 4)
            c.s.r[r] = (c.s.r[r] & ~0xFFu) | (v & 0xFF);
        else
            c.s.r[r - 4] = (c.s.r[r - 4] & ~0xFF00u) | ((v & 0xFF) << 8);
    } else if constexpr (N == 2) {
        c.s.r[r] = (c.s.r[r] & 0xFFFF0000u) | (v & 0xFFFF);
    } else {
        c.s.r[r] = v;
    }
}

// Byte register r (AL..BL, AH..BH) as a byte offset in State::r: the low byte of EAX..EBX,
// or the byte above it. The decoder keeps it in Op::reg8 and Op::rm8.
static_assert(std::endian::native == std::endian::little, "byte registers are addressed as bytes of State::r");
constexpr uint8_t byte_reg_offset(uint8_t r) { return static_cast<uint8_t>((r & 3) * 4 + (r >> 2)); }

inline uint8_t& byte_reg_at(Cpu& c, uint8_t offset) { return reinterpret_cast<uint8_t*>(c.s.r)[offset]; }
inline uint8_t byte_reg_at(const Cpu& c, uint8_t offset) { return reinterpret_cast<const uint8_t*>(c.s.r)[offset]; }

// The ModRM.reg operand of size N.
template <unsigned N>
inline uint32_t get_reg_operand(const Cpu& c, const Op* op)
{
    if constexpr (N == 1)
        return byte_reg_at(c, op->reg8);
    else
        return get_reg<N>(c, op->reg);
}

template <unsigned N>
inline void set_reg_operand(Cpu& c, const Op* op, uint32_t v)
{
    if constexpr (N == 1)
        byte_reg_at(c, op->reg8) = static_cast<uint8_t>(v);
    else
        set_reg<N>(c, op->reg, v);
}

// The r/m operand of size N when it is a register (op->rm != kNoReg).
template <unsigned N>
inline uint32_t get_rm_reg(const Cpu& c, const Op* op)
{
    if constexpr (N == 1)
        return byte_reg_at(c, op->rm8);
    else
        return get_reg<N>(c, op->rm);
}

template <unsigned N>
inline void set_rm_reg(Cpu& c, const Op* op, uint32_t v)
{
    if constexpr (N == 1)
        byte_reg_at(c, op->rm8) = static_cast<uint8_t>(v);
    else
        set_reg<N>(c, op->rm, v);
}

template <unsigned N>
inline bool get_rm(Cpu& c, const Op* op, uint32_t& v)
{
    if (op->rm != kNoReg) {
        v = get_rm_reg<N>(c, op);
        return true;
    }
    UInt<N> t;
    if (!c.read<UInt<N>>(op->seg, c.ea(op), t, op))
        return false;
    v = t;
    return true;
}

template <unsigned N>
inline bool set_rm(Cpu& c, const Op* op, uint32_t v)
{
    if (op->rm != kNoReg) {
        set_rm_reg<N>(c, op, v);
        return true;
    }
    return c.write<UInt<N>>(op->seg, c.ea(op), static_cast<UInt<N>>(v), op);
}

// EFLAGS for an instruction about to overwrite all six status flags: the lazy record is
// dropped rather than materialised.
inline uint32_t& flags_overwritten(Cpu& c)
{
    c.lazy.op = LazyOp::None;
    return c.s.eflags;
}

// The shape of an instruction's ModRM r/m operand, which the decoder fixes (specialise()) so
// that the hot handlers test nothing at run time: a register, or memory through 32-bit
// addressing as [base + disp], [base + index * scale + disp], [disp] or [index * scale + disp];
// Any is the general path (16-bit addressing).
enum class RmForm : uint8_t { Any, Reg, Base, BaseIndex, Disp, Index };
inline constexpr unsigned kNumRmForms = 6;

inline RmForm rm_form(const Op& op)
{
    if (op.rm != kNoReg)
        return RmForm::Reg;
    if (op.addr16)
        return RmForm::Any;
    if (op.base != kNoReg)
        return op.index == kNoReg ? RmForm::Base : RmForm::BaseIndex;
    return op.index == kNoReg ? RmForm::Disp : RmForm::Index;
}

// A memory form with 32-bit addressing: ea_as() computes its offset.
constexpr bool is_memory_form(RmForm f) { return f != RmForm::Any && f != RmForm::Reg; }

template <RmForm F>
inline uint32_t ea_as(const Cpu& c, const Op* op)
{
    if constexpr (F == RmForm::Base)
        return c.s.r[op->base] + op->disp;
    else if constexpr (F == RmForm::BaseIndex)
        return c.s.r[op->base] + (c.s.r[op->index] << op->scale) + op->disp;
    else if constexpr (F == RmForm::Disp)
        return op->disp;
    else if constexpr (F == RmForm::Index)
        return (c.s.r[op->index] << op->scale) + op->disp;
    else
        return c.ea(op);
}

template <unsigned N, RmForm F>
inline bool get_rm_as(Cpu& c, const Op* op, uint32_t& v)
{
    if constexpr (F == RmForm::Any) {
        return get_rm<N>(c, op, v);
    } else if constexpr (F == RmForm::Reg) {
        v = get_rm_reg<N>(c, op);
        return true;
    } else {
        UInt<N> t;
        if (!c.read<UInt<N>>(op->seg, ea_as<F>(c, op), t, op))
            return false;
        v = t;
        return true;
    }
}

template <unsigned N, RmForm F>
inline bool set_rm_as(Cpu& c, const Op* op, uint32_t v)
{
    if constexpr (F == RmForm::Any) {
        return set_rm<N>(c, op, v);
    } else if constexpr (F == RmForm::Reg) {
        set_rm_reg<N>(c, op, v);
        return true;
    } else {
        return c.write<UInt<N>>(op->seg, ea_as<F>(c, op), static_cast<UInt<N>>(v), op);
    }
}

// After an instruction with an r/m operand of form F: a register form touched no memory, so
// it needs no check for a device access or a store into its own block.
template <RmForm F>
inline const Op* next_after(Cpu& c, const Op* op)
{
    return F == RmForm::Reg ? c.step(op) : c.next(op);
}

// A handler's variants by RmForm, indexed by RmForm (Any, the general one, first).
using FormVariants = std::array<Handler, kNumRmForms>;
#define X86_FORM_VARIANTS(fn, ...)                                                              \
    FormVariants { fn<__VA_ARGS__, RmForm::Any>, fn<__VA_ARGS__, RmForm::Reg>, fn<__VA_ARGS__, RmForm::Base>, \
                   fn<__VA_ARGS__, RmForm::BaseIndex>, fn<__VA_ARGS__, RmForm::Disp>, fn<__VA_ARGS__, RmForm::Index> }

// The variant of `h` for op's r/m form, when `h` is the general handler of one of `families`.
template <std::size_t K>
inline Handler pick_form(Handler h, const Op& op, const std::array<FormVariants, K>& families)
{
    for (const FormVariants& f : families)
        if (f[0] == h)
            return f[static_cast<unsigned>(rm_form(op))];
    return h;
}

// The store of a read-modify-write instruction, whose flags are already computed: a store that
// faults leaves EFLAGS as the instruction found them (the instruction never happened).
template <unsigned N>
inline bool store_result(Cpu& c, const Op* op, uint32_t v, uint32_t flags_before)
{
    if (set_rm<N>(c, op, v))
        return true;
    c.flags() = flags_before;
    return false;
}

// The handler for operand size n (1, 2 or 4) from three instantiations.
inline Handler by_size(unsigned n, Handler h1, Handler h2, Handler h4) { return n == 1 ? h1 : n == 2 ? h2 : h4; }
#define X86_BY_SIZE(fn, n) by_size((n), fn<1>, fn<2>, fn<4>)
#define X86_BY_SIZE_16_32(fn, n) ((n) == 2 ? fn<2> : fn<4>)

// The handler families, defined in insns_*.cpp, for the decode tables (opcodes_*.cpp).
namespace handlers {

// Where an instruction's operands come from.
enum class AluForm { RmReg, RegRm, RmImm, AccImm };  // op->aux: 0 ADD, 1 OR, ... 7 CMP
enum class MovForm { RmReg, RegRm, RmImm, RegImm, AccMoffs, MoffsAcc };
enum class StackForm { Reg, Imm, Rm };
enum class ShiftCount { One, Cl, Imm };  // op->aux: the /reg shift kind
enum class BitOp { Test, Set, Reset, Complement };
enum class Convert { Widen, Split };     // CBW/CWDE, CWD/CDQ
enum class FarKind { Jump, Call };
enum class FarTarget { Pointer, Memory };  // ptr16:16/32 in the instruction, or m16:16/32

// insns_alu.cpp
Handler alu(AluForm form, unsigned size, unsigned operation);
Handler inc_dec(bool dec, bool reg_in_opcode, unsigned size);
Handler group3(unsigned size);  // TEST/NOT/NEG/MUL/IMUL/DIV/IDIV on r/m, by /reg
Handler test(bool acc_imm, unsigned size);
// kind = op->aux; reg: a register operand (with an immediate count 2 to 31, shift_select()).
Handler shift(ShiftCount count, unsigned size, unsigned kind, bool reg);
Handler double_shift(bool right, bool by_cl, unsigned size);
Handler imul_reg(unsigned size);  // IMUL Gv, Ev[, imm]
Handler bit_test(BitOp op, bool imm, unsigned size);
Handler bit_scan(bool reverse, unsigned size);
Handler setcc(unsigned cc);
Handler cmovcc(unsigned cc, unsigned size);
Handler xadd(unsigned size);
Handler cmpxchg(unsigned size);
Handler cmpxchg8b();
Handler bswap();
Handler convert(Convert which, unsigned size);
Handler bcd();      // DAA DAS AAA AAS AAM AAD SALC, by op->aux (the opcode)
Handler flag_op();  // CLC STC CMC CLD STD LAHF SAHF, by op->aux (the opcode)
// The handler for a decoded instruction specialised for its r/m operand's form (RmForm): the
// decoder's last step. Handlers without variants come back unchanged.
Handler specialise_alu(Handler h, const Op& op);   // insns_alu.cpp
Handler specialise_move(Handler h, const Op& op);  // insns_move.cpp
Handler specialise_control(Handler h, const Op& op);  // insns_control.cpp: JMP and CALL r/m
inline Handler specialise(Handler h, const Op& op)
{
    return specialise_control(specialise_move(specialise_alu(h, op), op), op);
}
// The handler of one op doing both a 32-bit register CMP or TEST and the 32-bit Jcc right
// after it, the Jcc running the way `way` says (trace.h), or null when the pair is not one of
// those (insns_alu.cpp).
Handler fuse_compare_jcc(const Op& compare, const Op& branch, Way way);
// insns_move.cpp
Handler mov(MovForm form, unsigned size);
Handler movx(bool sign, unsigned src_size, unsigned size);
Handler lea(unsigned size);
Handler xchg(bool acc_reg, unsigned size);
Handler push(StackForm form, unsigned size);
Handler pop(StackForm form, unsigned size);  // Reg or Rm
Handler push_seg(unsigned size);
Handler pop_seg(unsigned size);
Handler pusha(unsigned size);
Handler popa(unsigned size);
Handler pushf(unsigned size);
Handler popf(unsigned size);
Handler enter(unsigned size);
Handler leave(unsigned size);
Handler xlat();
Handler mov_from_seg();
Handler mov_to_seg();
Handler load_far_pointer(unsigned size);  // LDS LES LFS LGS LSS: op->aux = segment
// insns_control.cpp
Handler jcc(unsigned cc, unsigned size);  // op->aux = cc
Handler jmp_rel(unsigned size);
Handler call_rel(unsigned size);
// Whether h is a Jcc, JMP or CALL rel with a 32-bit operand size: the decoder then keeps its
// target's offset from the block's start in op->imm2 (its imm stays the displacement).
bool is_direct_branch(Handler h);
Handler jmp_rm(unsigned size);
Handler call_rm(unsigned size);
Handler ret(unsigned size);
Handler loop();  // op->aux: 0 LOOPNE 1 LOOPE 2 LOOP 3 JECXZ
Handler far_jmp_call(FarKind kind, FarTarget target, unsigned size);
Handler far_ret(unsigned size);
Handler iret(unsigned size);
Handler int_n();  // INT3 INT n INTO INT1, by op->aux (the opcode)
Handler hlt();
Handler bound(unsigned size);
Handler string_op(unsigned size, uint8_t opcode, const Op& op);  // MOVS CMPS STOS LODS SCAS, by op.rep and op.addr16
Handler in_out(unsigned size);     // op->aux: bit 0 OUT, bit 1 port in DX
Handler io_string(unsigned size);  // op->aux: 1 OUTS
// insns_system.cpp
Handler cli_sti();
Handler group6();
Handler group7();
Handler mov_cr();
Handler mov_dr();
Handler clts();
Handler cpuid();
Handler rdtsc();
Handler rdmsr_wrmsr();  // op->aux: 1 WRMSR
Handler lar_lsl(unsigned size);
Handler arpl();
Handler nop();
Handler cache_op();  // INVD, WBINVD: privileged no-ops
Handler undefined();
}  // namespace handlers

}  // namespace emu::x86
