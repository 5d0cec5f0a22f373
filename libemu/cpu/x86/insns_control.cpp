// Control flow (near and far jumps, calls and returns, LOOP, INT, IRET, HLT), string
// instructions and port I/O.
#include "core/format.h"
#include "cpu/x86/operands.h"
#include "cpu/x86/trace.h"

namespace emu::x86 {

namespace {

uint32_t branch_target(const Cpu& c, const Op* op)
{
    uint32_t t = c.next_eip(op) + op->imm;
    return op->osize == 2 ? t & 0xFFFF : t;
}

// Jcc, JMP and CALL rel with a 32-bit operand size link their exits (Cpu::branch_direct); the
// 16-bit forms wrap IP and look their target up every time.
template <unsigned Cc>
const Op* jcc(Cpu& c, const Op* op)
{
    if (c.condition_holds(Cc))
        return c.branch_direct(op, c.direct_target(op), true);
    return c.branch_direct(op, c.next_eip(op), false);
}

const Op* jcc16(Cpu& c, const Op* op)
{
    if (c.condition_holds(op->aux))
        return c.branch(op, branch_target(c, op));
    return c.branch(op, c.next_eip(op));
}

template <unsigned N>
const Op* jmp_rel(Cpu& c, const Op* op)
{
    if (N == 2)
        return c.branch(op, branch_target(c, op));
    return c.branch_direct(op, c.direct_target(op), true);
}

template <unsigned N>
const Op* call_rel(Cpu& c, const Op* op)
{
    if (!c.push(c.next_eip(op), N, op))
        return nullptr;
    if (N == 2)
        return c.branch(op, branch_target(c, op));
    return c.branch_direct(op, c.direct_target(op), true);
}

// Inside a trace (trace.h), the op after a CALL rel is its target's instruction.
const Op* call_in_trace(Cpu& c, const Op* op)
{
    if (!c.push(c.next_eip(op), 4, op))
        return nullptr;
    return c.step(op);
}

// A Jcc inside a trace that goes on the way FollowTaken says; the other way leaves the block.
template <unsigned Cc, bool FollowTaken>
const Op* jcc_in_trace(Cpu& c, const Op* op)
{
    bool taken = c.condition_holds(Cc);
    if (__builtin_expect(taken == FollowTaken, 1))
        return c.step(op);
    return c.branch(op, taken ? c.direct_target(op) : c.next_eip(op));
}

template <bool FollowTaken, std::size_t... Cc>
constexpr std::array<Handler, 16> jcc_in_trace_by_cc(std::index_sequence<Cc...>)
{
    return {jcc_in_trace<Cc, FollowTaken>...};
}

// Indirect JMP and CALL, with variants by r/m form (specialise_control()): a jump table's
// load inlines. JMP's memory forms try a flat-segment hit alone, as the loads in
// insns_move.cpp do, so that their hit path needs no stack frame.
template <unsigned N, RmForm F = RmForm::Any>
[[gnu::noinline]] const Op* jmp_rm(Cpu& c, const Op* op)
{
    if constexpr (is_memory_form(F)) {
        UInt<N> t;
        if (__builtin_expect(c.read_flat<UInt<N>>(op->seg, ea_as<F>(c, op), t), 1))
            return c.branch(op, N == 2 ? t & 0xFFFF : t);
        return jmp_rm<N>(c, op);
    }
    uint32_t t;
    if (!get_rm_as<N, F>(c, op, t))
        return nullptr;
    return c.branch(op, N == 2 ? t & 0xFFFF : t);
}

template <unsigned N, RmForm F = RmForm::Any>
const Op* call_rm(Cpu& c, const Op* op)
{
    uint32_t t;
    if (!get_rm_as<N, F>(c, op, t) || !c.push(c.next_eip(op), N, op))
        return nullptr;
    return c.branch(op, N == 2 ? t & 0xFFFF : t);
}

// RET [imm16]
template <unsigned N>
const Op* ret(Cpu& c, const Op* op)
{
    uint32_t t;
    if (!c.pop(t, N, op))
        return nullptr;
    if (op->imm)
        c.set_stack_pointer(c.s.r[kEsp] + op->imm);
    return c.branch(op, N == 2 ? t & 0xFFFF : t);
}

const Op* loop(Cpu& c, const Op* op)
{
    uint32_t count;
    if (op->aux == 3) {  // JECXZ / JCXZ
        count = op->addr16 ? c.s.r[kEcx] & 0xFFFF : c.s.r[kEcx];
        return c.branch(op, count == 0 ? branch_target(c, op) : c.next_eip(op));
    }
    if (op->addr16) {
        set_reg<2>(c, kEcx, c.s.r[kEcx] - 1);
        count = c.s.r[kEcx] & 0xFFFF;
    } else {
        count = --c.s.r[kEcx];
    }
    bool zf = c.flags() & kZF;
    bool taken = count != 0 && (op->aux == 2 || (op->aux == 1 ? zf : !zf));
    return c.branch(op, taken ? branch_target(c, op) : c.next_eip(op));
}

template <unsigned N, bool Call, bool Indirect>
const Op* far_jmp_call(Cpu& c, const Op* op)
{
    uint32_t offset = op->imm;
    uint16_t sel = static_cast<uint16_t>(op->imm2);
    if (Indirect) {  // a memory operand: the decoder refuses a register
        UInt<N> o;
        uint32_t addr = c.ea(op);
        if (!c.read<UInt<N>>(op->seg, addr, o, op) || !c.read<uint16_t>(op->seg, addr + N, sel, op))
            return nullptr;
        offset = o;
    }
    return c.far_jump(op, sel, offset, Call, N);
}

template <unsigned N>
const Op* far_ret(Cpu& c, const Op* op) { return c.far_return(op, static_cast<uint16_t>(op->imm), N); }

template <unsigned N>
const Op* iret(Cpu& c, const Op* op) { return c.interrupt_return(op, N); }

const Op* int_n(Cpu& c, const Op* op)
{
    switch (op->aux) {
    case 0xCC: return c.software_interrupt(op, kExcBP);
    case 0xCE:
        if (!(c.flags() & kOF))
            return c.exit_after(op);
        return c.software_interrupt(op, kExcOF);
    case 0xF1: return c.software_interrupt(op, kExcDB);
    default: return c.software_interrupt(op, static_cast<uint8_t>(op->imm));
    }
}

// BOUND r, m: the register (signed) must lie within the two bounds stored at m.
template <unsigned N>
const Op* bound(Cpu& c, const Op* op)
{
    using S = std::make_signed_t<UInt<N>>;
    UInt<N> lo, hi;
    uint32_t addr = c.ea(op);
    if (!c.read<UInt<N>>(op->seg, addr, lo, op) || !c.read<UInt<N>>(op->seg, addr + N, hi, op))
        return nullptr;
    S x = static_cast<S>(get_reg_operand<N>(c, op));
    if (x < static_cast<S>(lo) || x > static_cast<S>(hi))
        return c.fault(op, kExcBR);
    return c.exit_after(op);
}

const Op* hlt(Cpu& c, const Op* op)
{
    if (c.s.cpl != 0)
        return c.fault_counted(op, kExcGP);
    return c.halt(op);
}

// String instructions. A REP prefix makes each iteration one retired instruction (as QEMU's
// icount mode counts them): the instruction runs again until the count is exhausted, and the
// run that finds the count zero retires doing nothing. Kind is the opcode with bit 0 set:
// 0xA5 MOVS, 0xA7 CMPS, 0xAB STOS, 0xAD LODS, 0xAF SCAS.
template <unsigned N, unsigned Kind>
[[gnu::noinline]] const Op* string_general(Cpu& c, const Op* op)
{
    const bool a16 = op->addr16;
    auto count = [&] { return a16 ? c.s.r[kEcx] & 0xFFFF : c.s.r[kEcx]; };
    const int32_t step = (c.s.eflags & kDF) ? -static_cast<int32_t>(N) : static_cast<int32_t>(N);
    auto index = [&](uint8_t r) { return a16 ? c.s.r[r] & 0xFFFF : c.s.r[r]; };
    auto advance = [&](uint8_t r) {
        if (a16)
            set_reg<2>(c, r, c.s.r[r] + static_cast<uint32_t>(step));
        else
            c.s.r[r] += static_cast<uint32_t>(step);
    };
    for (;;) {
        if (op->rep && count() == 0)
            return c.branch_direct(op, c.next_eip(op), false);
        bool compares = false;
        switch (Kind) {
        case 0xA5: {  // MOVS
            UInt<N> v;
            if (!c.read<UInt<N>>(op->seg, index(kEsi), v, op) || !c.write<UInt<N>>(kEs, index(kEdi), v, op))
                return nullptr;
            advance(kEsi);
            advance(kEdi);
            break;
        }
        case 0xA7: {  // CMPS
            UInt<N> a, b;
            if (!c.read<UInt<N>>(op->seg, index(kEsi), a, op) || !c.read<UInt<N>>(kEs, index(kEdi), b, op))
                return nullptr;
            sub_flags<N>(c.flags(), a, b, 0);
            advance(kEsi);
            advance(kEdi);
            compares = true;
            break;
        }
        case 0xAB:  // STOS
            if (!c.write<UInt<N>>(kEs, index(kEdi), static_cast<UInt<N>>(get_reg<N>(c, kEax)), op))
                return nullptr;
            advance(kEdi);
            break;
        case 0xAD: {  // LODS
            UInt<N> v;
            if (!c.read<UInt<N>>(op->seg, index(kEsi), v, op))
                return nullptr;
            set_reg<N>(c, kEax, v);
            advance(kEsi);
            break;
        }
        default: {  // SCAS
            UInt<N> b;
            if (!c.read<UInt<N>>(kEs, index(kEdi), b, op))
                return nullptr;
            sub_flags<N>(c.flags(), get_reg<N>(c, kEax), b, 0);
            advance(kEdi);
            compares = true;
            break;
        }
        }
        if (!op->rep)
            return c.next(op);
        if (a16)
            set_reg<2>(c, kEcx, c.s.r[kEcx] - 1);
        else
            c.s.r[kEcx]--;
        if (compares) {
            bool zf = c.flags() & kZF;
            if ((op->rep == 0xF3 && !zf) || (op->rep == 0xF2 && zf))
                return c.branch_direct(op, c.next_eip(op), false);
        }
        c.rep_iteration_done(op);
        // The next iteration is the next instruction, at the same EIP whatever the operand size:
        // when the REP starts its block, that block runs again right here.
        if (op->idx != 0 || !c.repeat_block())
            return c.branch_direct(op, c.eip_of(op), true);
    }
}

// A MOVS or STOS without REP and with 32-bit addressing, as compilers emit in copy loops (the
// decoder picks it for those): with DF clear and both accesses flat-segment hits
// (Cpu::read_flat) it needs nothing else; otherwise the general path above.
template <unsigned N, unsigned Kind>
const Op* string_bare(Cpu& c, const Op* op)
{
    static_assert(Kind == 0xA5 || Kind == 0xAB);
    if (__builtin_expect(!(c.s.eflags & kDF), 1)) {
        UInt<N> v;
        if (Kind == 0xA5 ? c.read_flat<UInt<N>>(op->seg, c.s.r[kEsi], v) : (v = static_cast<UInt<N>>(c.s.r[kEax]), true)) {
            if (c.write_flat<UInt<N>>(kEs, c.s.r[kEdi], v)) {
                if (Kind == 0xA5)
                    c.s.r[kEsi] += N;
                c.s.r[kEdi] += N;
                return c.step(op);
            }
        }
    }
    return string_general<N, Kind>(c, op);
}

template <unsigned N>
Handler string_of_kind(uint8_t opcode, bool bare)
{
    switch (opcode | 1) {
    case 0xA5: return bare ? string_bare<N, 0xA5> : string_general<N, 0xA5>;
    case 0xA7: return string_general<N, 0xA7>;
    case 0xAB: return bare ? string_bare<N, 0xAB> : string_general<N, 0xAB>;
    case 0xAD: return string_general<N, 0xAD>;
    default: return string_general<N, 0xAF>;
    }
}

template <unsigned N>
const Op* in_out(Cpu& c, const Op* op)
{
    uint16_t port = op->aux & 2 ? static_cast<uint16_t>(c.s.r[kEdx]) : static_cast<uint16_t>(op->imm);
    if (!c.io_permitted(port, N, op))
        return nullptr;
    if (op->aux & 1)
        c.port_out(port, get_reg<N>(c, kEax), N, op);
    else
        set_reg<N>(c, kEax, c.port_in(port, N, op));
    return c.exit_after(op);
}

template <unsigned N>
const Op* io_string(Cpu& c, const Op* op)
{
    uint16_t port = static_cast<uint16_t>(c.s.r[kEdx]);
    if (!c.io_permitted(port, N, op))
        return nullptr;
    const bool a16 = op->addr16;
    if (op->rep && (a16 ? c.s.r[kEcx] & 0xFFFF : c.s.r[kEcx]) == 0)
        return c.exit_after(op);
    const uint32_t step = (c.s.eflags & kDF) ? static_cast<uint32_t>(-static_cast<int32_t>(N)) : N;
    uint8_t r = op->aux ? kEsi : kEdi;
    uint32_t addr = a16 ? c.s.r[r] & 0xFFFF : c.s.r[r];
    if (op->aux) {  // OUTS
        UInt<N> v;
        if (!c.read<UInt<N>>(op->seg, addr, v, op))
            return nullptr;
        c.port_out(port, v, N, op);
    } else {  // INS: the destination is checked before the port is read
        UInt<N> probe;
        if (!c.read<UInt<N>>(kEs, addr, probe, op))
            return nullptr;
        if (!c.write<UInt<N>>(kEs, addr, static_cast<UInt<N>>(c.port_in(port, N, op)), op))
            return nullptr;
    }
    if (a16)
        set_reg<2>(c, r, c.s.r[r] + step);
    else
        c.s.r[r] += step;
    if (!op->rep)
        return c.exit_after(op);
    if (a16)
        set_reg<2>(c, kEcx, c.s.r[kEcx] - 1);
    else
        c.s.r[kEcx]--;
    c.rep_iteration_done(op);
    return c.exit_to(op, c.eip_of(op));
}

}  // namespace

namespace handlers {

Handler jcc(unsigned cc, unsigned size)
{
    if (size == 2)
        return x86::jcc16;
    static constexpr Handler table[16] = {x86::jcc<0>,  x86::jcc<1>,  x86::jcc<2>,  x86::jcc<3>,
                                          x86::jcc<4>,  x86::jcc<5>,  x86::jcc<6>,  x86::jcc<7>,
                                          x86::jcc<8>,  x86::jcc<9>,  x86::jcc<10>, x86::jcc<11>,
                                          x86::jcc<12>, x86::jcc<13>, x86::jcc<14>, x86::jcc<15>};
    return table[cc & 15];
}
Handler jmp_rel(unsigned size) { return X86_BY_SIZE_16_32(x86::jmp_rel, size); }
bool is_direct_branch(Handler h)
{
    for (unsigned cc = 0; cc < 16; cc++)
        if (h == jcc(cc, 4))
            return true;
    return h == x86::jmp_rel<4> || h == x86::call_rel<4>;
}
Handler call_rel(unsigned size) { return X86_BY_SIZE_16_32(x86::call_rel, size); }

bool is_return(Handler h) { return h == x86::ret<2> || h == x86::ret<4>; }

std::optional<TraceStep> trace_step(const Op& op, SkippedPath skipped)
{
    const int32_t target = static_cast<int32_t>(op.imm2), next = op.off + op.len;
    if (op.fn == x86::jmp_rel<4>)
        return TraceStep{target, Way::FollowTaken, nullptr};
    if (op.fn == x86::call_rel<4>)
        return TraceStep{target, Way::FollowTaken, x86::call_in_trace};
    const unsigned cc = op.aux & 15;
    if (op.fn != jcc(cc, 4))
        return std::nullopt;
    static constexpr auto kFollowTaken = x86::jcc_in_trace_by_cc<true>(std::make_index_sequence<16>());
    static constexpr auto kFollowNext = x86::jcc_in_trace_by_cc<false>(std::make_index_sequence<16>());
    // A Jcc backwards most likely closes a loop; forwards, it most likely skips something
    // rarely done, unless what it skips returns.
    if (target <= op.off || skipped == SkippedPath::Returns)
        return TraceStep{target, Way::FollowTaken, kFollowTaken[cc]};
    return TraceStep{next, Way::FollowNext, kFollowNext[cc]};
}
Handler jmp_rm(unsigned size) { return size == 2 ? x86::jmp_rm<2> : x86::jmp_rm<4>; }
Handler call_rm(unsigned size) { return size == 2 ? x86::call_rm<2> : x86::call_rm<4>; }

Handler specialise_control(Handler h, const Op& op)
{
    static const std::array<FormVariants, 2> kFamilies = {X86_FORM_VARIANTS(x86::jmp_rm, 4),
                                                          X86_FORM_VARIANTS(x86::call_rm, 4)};
    return pick_form(h, op, kFamilies);
}
Handler ret(unsigned size) { return X86_BY_SIZE_16_32(x86::ret, size); }
Handler loop() { return x86::loop; }

Handler far_jmp_call(FarKind kind, FarTarget target, unsigned size)
{
    bool call = kind == FarKind::Call, indirect = target == FarTarget::Memory;
    if (size == 2)
        return call ? (indirect ? x86::far_jmp_call<2, true, true> : x86::far_jmp_call<2, true, false>)
                    : (indirect ? x86::far_jmp_call<2, false, true> : x86::far_jmp_call<2, false, false>);
    return call ? (indirect ? x86::far_jmp_call<4, true, true> : x86::far_jmp_call<4, true, false>)
                : (indirect ? x86::far_jmp_call<4, false, true> : x86::far_jmp_call<4, false, false>);
}

Handler far_ret(unsigned size) { return X86_BY_SIZE_16_32(x86::far_ret, size); }
Handler iret(unsigned size) { return X86_BY_SIZE_16_32(x86::iret, size); }
Handler int_n() { return x86::int_n; }
Handler hlt() { return x86::hlt; }
Handler bound(unsigned size) { return X86_BY_SIZE_16_32(x86::bound, size); }
Handler string_op(unsigned size, uint8_t opcode, const Op& op)
{
    const bool bare = !op.rep && !op.addr16;
    return by_size(size, string_of_kind<1>(opcode, bare), string_of_kind<2>(opcode, bare), string_of_kind<4>(opcode, bare));
}
Handler in_out(unsigned size) { return X86_BY_SIZE(x86::in_out, size); }
Handler io_string(unsigned size) { return X86_BY_SIZE(x86::io_string, size); }

}  // namespace handlers

}  // namespace emu::x86
