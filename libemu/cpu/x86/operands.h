// Operand access shared by the instruction handlers: registers by operand size (byte registers
// AL..BL, AH..BH), the ModRM r/m operand (register or memory), and the handler selectors the
// decoder uses.
#pragma once

#include <cstdint>
#include <type_traits>

#include "cpu/x86/cpu.h"
#include "cpu/x86/flags.h"
#include "cpu/x86/memory.h"

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

template <unsigned N>
inline bool get_rm(Cpu& c, const Op* op, uint32_t& v)
{
    if (op->rm != kNoReg) {
        v = get_reg<N>(c, op->rm);
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
        set_reg<N>(c, op->rm, v);
        return true;
    }
    return c.write<UInt<N>>(op->seg, c.ea(op), static_cast<UInt<N>>(v), op);
}

// The store of a read-modify-write instruction, whose flags are already computed: a store that
// faults leaves EFLAGS as the instruction found them (the instruction never happened).
template <unsigned N>
inline bool store_result(Cpu& c, const Op* op, uint32_t v, uint32_t flags_before)
{
    if (set_rm<N>(c, op, v))
        return true;
    c.s.eflags = flags_before;
    return false;
}

// The handler for operand size n (1, 2 or 4) from three instantiations.
inline Handler by_size(unsigned n, Handler h1, Handler h2, Handler h4) { return n == 1 ? h1 : n == 2 ? h2 : h4; }
#define X86_BY_SIZE(fn, n) by_size((n), fn<1>, fn<2>, fn<4>)
#define X86_BY_SIZE_16_32(fn, n) ((n) == 2 ? fn<2> : fn<4>)

// The handler families, defined in insns_*.cpp, for the decoder.
namespace handlers {
// insns_alu.cpp
// ALU operation `a` (0 ADD .. 7 CMP) in a form: 0 rm op= reg, 1 reg op= rm, 2 rm op= imm, 3 acc op= imm.
Handler alu(unsigned form, unsigned size, unsigned a);
Handler inc_dec(bool dec, bool reg_form, unsigned size);
Handler group3(unsigned sub, unsigned size);  // TEST/NOT/NEG/MUL/IMUL/DIV/IDIV on r/m
Handler test(bool imm, unsigned size);
Handler shift(unsigned count_kind, unsigned size);  // count: 0 by 1, 1 by CL, 2 by imm; op->aux = /reg kind
Handler double_shift(bool right, bool by_cl, unsigned size);
Handler imul_reg(unsigned size);  // IMUL Gv, Ev[, imm]
Handler bit_test(unsigned kind, bool imm, unsigned size);  // kind: 0 BT 1 BTS 2 BTR 3 BTC
Handler bit_scan(bool reverse, unsigned size);
Handler setcc();
Handler cmovcc(unsigned size);
Handler xadd(unsigned size);
Handler cmpxchg(unsigned size);
Handler cmpxchg8b();
Handler bswap();
Handler convert(unsigned which, unsigned size);  // 0 CBW/CWDE, 1 CWD/CDQ
Handler bcd(uint8_t opcode);                      // DAA DAS AAA AAS AAM AAD SALC
Handler flag_op(uint8_t opcode);                  // CLC STC CMC CLD STD LAHF SAHF
// insns_move.cpp
Handler mov(unsigned form, unsigned size);  // 0 rm<-reg 1 reg<-rm 2 rm<-imm 3 reg<-imm 4 acc<-moffs 5 moffs<-acc
Handler movx(bool sign, unsigned src_size, unsigned size);
Handler lea(unsigned size);
Handler xchg(bool reg_form, unsigned size);
Handler push(unsigned form, unsigned size);  // 0 reg 1 imm 2 rm
Handler pop(unsigned form, unsigned size);   // 0 reg 2 rm
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
Handler jcc(unsigned cc);
Handler jmp_rel();
Handler call_rel(unsigned size);
Handler jmp_rm(unsigned size);
Handler call_rm(unsigned size);
Handler ret(unsigned size);
Handler loop(unsigned kind);  // 0 LOOPNE 1 LOOPE 2 LOOP 3 JECXZ
Handler far_jmp_call(bool call, bool indirect, unsigned size);
Handler far_ret(unsigned size);
Handler iret(unsigned size);
Handler int_n(uint8_t opcode);  // INT3 INT n INTO INT1
Handler hlt();
Handler bound(unsigned size);
Handler string_op(uint8_t opcode, unsigned size);
Handler in_out(bool out, bool dx, unsigned size);
Handler io_string(bool out, unsigned size);
// insns_system.cpp
Handler cli_sti(bool sti);
Handler group6(unsigned sub);
Handler group7(unsigned sub, bool reg_form);
Handler mov_cr(bool to_cr);
Handler mov_dr(bool to_dr);
Handler clts();
Handler cpuid();
Handler rdtsc();
Handler rdmsr_wrmsr(bool write);
Handler lar_lsl(bool lsl, unsigned size);
Handler arpl();
Handler nop();
Handler cache_op();  // INVD, WBINVD: privileged no-ops
Handler undefined();
Handler fpu();       // x87 escapes and WAIT: #NM or #UD as CR0 says
}  // namespace handlers

}  // namespace emu::x86
