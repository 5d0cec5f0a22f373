// Data movement: MOV forms, MOVZX/MOVSX, LEA, XCHG, the stack (PUSH, POP, PUSHA, POPA, PUSHF,
// POPF, ENTER, LEAVE), XLAT, segment register moves and far pointer loads.
#include "cpu/x86/operands.h"

namespace emu::x86 {

namespace {

// The hot loads and stores: a memory form's flat-segment hit runs on to the next op; anything
// else goes through the general variant (Cpu::read_flat), which is kept out of line (handlers
// are only called through pointers, so noinline costs nothing else).
template <unsigned N, RmForm F = RmForm::Any>
[[gnu::noinline]] const Op* mov_rm_reg(Cpu& c, const Op* op)
{
    if constexpr (is_memory_form(F)) {
        if (__builtin_expect(c.write_flat<UInt<N>>(op->seg, ea_as<F>(c, op), static_cast<UInt<N>>(get_reg_operand<N>(c, op))), 1))
            return c.step(op);
        return mov_rm_reg<N>(c, op);
    }
    if (!set_rm_as<N, F>(c, op, get_reg_operand<N>(c, op)))
        return nullptr;
    return next_after<F>(c, op);
}

template <unsigned N, RmForm F = RmForm::Any>
[[gnu::noinline]] const Op* mov_reg_rm(Cpu& c, const Op* op)
{
    if constexpr (is_memory_form(F)) {
        UInt<N> t;
        if (__builtin_expect(c.read_flat<UInt<N>>(op->seg, ea_as<F>(c, op), t), 1)) {
            set_reg_operand<N>(c, op, t);
            return c.step(op);
        }
        return mov_reg_rm<N>(c, op);
    }
    uint32_t v;
    if (!get_rm_as<N, F>(c, op, v))
        return nullptr;
    set_reg_operand<N>(c, op, v);
    return next_after<F>(c, op);
}

template <unsigned N>
const Op* mov_rm_imm(Cpu& c, const Op* op)
{
    if (!set_rm<N>(c, op, op->imm))
        return nullptr;
    return c.next(op);
}

template <unsigned N>
const Op* mov_reg_imm(Cpu& c, const Op* op)
{
    set_reg_operand<N>(c, op, op->imm);
    return c.step(op);
}

template <unsigned N>
const Op* mov_acc_moffs(Cpu& c, const Op* op)
{
    UInt<N> v;
    if (!c.read<UInt<N>>(op->seg, op->disp, v, op))
        return nullptr;
    set_reg<N>(c, kEax, v);
    return c.next(op);
}

template <unsigned N>
const Op* mov_moffs_acc(Cpu& c, const Op* op)
{
    if (!c.write<UInt<N>>(op->seg, op->disp, static_cast<UInt<N>>(get_reg<N>(c, kEax)), op))
        return nullptr;
    return c.next(op);
}

template <unsigned Src, unsigned N, bool Sign, RmForm F = RmForm::Any>
[[gnu::noinline]] const Op* movx(Cpu& c, const Op* op)
{
    if constexpr (is_memory_form(F)) {
        UInt<Src> t;
        if (__builtin_expect(c.read_flat<UInt<Src>>(op->seg, ea_as<F>(c, op), t), 1)) {
            set_reg_operand<N>(c, op, Sign ? sign_extend<Src>(t) : uint32_t{t});
            return c.step(op);
        }
        return movx<Src, N, Sign>(c, op);
    }
    uint32_t v;
    if (!get_rm_as<Src, F>(c, op, v))
        return nullptr;
    set_reg_operand<N>(c, op, Sign ? sign_extend<Src>(v) : v);
    return next_after<F>(c, op);
}

// The 32-bit form has a variant per addressing form.
template <unsigned N, RmForm F = RmForm::Any>
const Op* lea(Cpu& c, const Op* op)
{
    set_reg_operand<N>(c, op, ea_as<F>(c, op));
    return c.step(op);
}

template <unsigned N>
const Op* xchg_rm(Cpu& c, const Op* op)
{
    uint32_t a;
    if (!get_rm<N>(c, op, a) || !set_rm<N>(c, op, get_reg_operand<N>(c, op)))
        return nullptr;
    set_reg_operand<N>(c, op, a);
    return c.next(op);
}

template <unsigned N>
const Op* xchg_acc(Cpu& c, const Op* op)
{
    uint32_t a = get_reg<N>(c, kEax);
    set_reg<N>(c, kEax, get_reg_operand<N>(c, op));
    set_reg_operand<N>(c, op, a);
    return c.step(op);
}

template <unsigned N>
const Op* push_reg(Cpu& c, const Op* op)
{
    if (!c.push(get_reg_operand<N>(c, op), N, op))
        return nullptr;
    return c.next(op);
}

template <unsigned N>
const Op* push_imm(Cpu& c, const Op* op)
{
    if (!c.push(op->imm, N, op))
        return nullptr;
    return c.next(op);
}

template <unsigned N>
const Op* push_rm(Cpu& c, const Op* op)
{
    uint32_t v;
    if (!get_rm<N>(c, op, v) || !c.push(v, N, op))
        return nullptr;
    return c.next(op);
}

template <unsigned N>
const Op* pop_reg(Cpu& c, const Op* op)
{
    uint32_t v;
    if (!c.pop(v, N, op))
        return nullptr;
    set_reg_operand<N>(c, op, v);
    return c.next(op);
}

// POP r/m with a memory destination: ESP is incremented before the address is computed, and
// a faulting store leaves ESP as it was.
template <unsigned N>
const Op* pop_rm(Cpu& c, const Op* op)
{
    uint32_t esp = c.s.r[kEsp];
    uint32_t v;
    if (!c.pop(v, N, op))
        return nullptr;
    if (!set_rm<N>(c, op, v)) {
        c.s.r[kEsp] = esp;
        return nullptr;
    }
    return c.next(op);
}

template <unsigned N>
const Op* push_seg(Cpu& c, const Op* op)
{
    // A 32-bit push of a segment register writes only its low 16 bits on recent processors;
    // QEMU writes all 32 (zero-extended), which is what we do.
    if (!c.push(c.s.seg[op->aux].selector, N, op))
        return nullptr;
    return c.next(op);
}

template <unsigned N>
const Op* pop_seg(Cpu& c, const Op* op)
{
    // The stack pointer moves by the old SS's B bit, whatever POP SS loads.
    uint32_t esp = c.s.r[kEsp];
    UInt<N> v;
    if (!c.read<UInt<N>>(kSs, c.stack_offset(esp), v, op))
        return nullptr;
    c.set_stack_pointer(esp + N);
    uint32_t popped_esp = c.s.r[kEsp];
    c.s.r[kEsp] = esp;
    if (!c.load_segment(op->aux, static_cast<uint16_t>(v), op))
        return nullptr;
    c.s.r[kEsp] = popped_esp;
    return op->aux == kSs ? c.exit_after(op) : c.next(op);
}

template <unsigned N>
const Op* pusha(Cpu& c, const Op* op)
{
    uint32_t esp = c.s.r[kEsp];
    for (unsigned r = 0; r < 8; ++r)
        if (!c.push(r == kEsp ? esp : c.s.r[r], N, op)) {
            c.s.r[kEsp] = esp;
            return nullptr;
        }
    return c.next(op);
}

template <unsigned N>
const Op* popa(Cpu& c, const Op* op)
{
    uint32_t esp = c.s.r[kEsp];
    uint32_t v[8];
    for (int r = 7; r >= 0; --r)
        if (!c.pop(v[r], N, op)) {
            c.s.r[kEsp] = esp;
            return nullptr;
        }
    for (unsigned r = 0; r < 8; ++r)
        if (r != kEsp)
            set_reg<N>(c, static_cast<uint8_t>(r), v[r]);
    return c.next(op);
}

template <unsigned N>
const Op* pushf(Cpu& c, const Op* op)
{
    // VM and RF are cleared in the image pushed.
    if (!c.push(c.flags() & ~(kRF | (1u << 17)), N, op))
        return nullptr;
    return c.next(op);
}

// POPF: which flags change depends on the privilege level (IOPL only at CPL 0, IF only at
// CPL <= IOPL); VM and RF are never set by it. It ends the block: IF may have changed.
template <unsigned N>
const Op* popf(Cpu& c, const Op* op)
{
    uint32_t v;
    if (!c.pop(v, N, op))
        return nullptr;
    uint32_t changeable = kStatusFlags | kTF | kDF | kNT | kAC | kID;
    if (c.s.cpl == 0)
        changeable |= kIOPL;
    if (c.s.cpl <= ((c.s.eflags & kIOPL) >> 12))
        changeable |= kIF;
    if (N == 2)
        changeable &= 0xFFFF;
    c.flags() = (c.flags() & ~changeable) | (v & changeable) | kEflagsFixed1;
    return c.exit_after(op);
}

template <unsigned N>
const Op* enter(Cpu& c, const Op* op)
{
    uint32_t esp0 = c.s.r[kEsp];
    uint32_t ebp = c.s.r[kEbp];
    unsigned level = op->imm2 & 31;
    if (!c.push(get_reg<N>(c, kEbp), N, op))
        return nullptr;
    uint32_t frame = c.s.r[kEsp];
    for (unsigned i = 1; i < level; ++i) {
        ebp -= N;
        UInt<N> v;
        if (!c.read<UInt<N>>(kSs, c.stack_offset(ebp), v, op) || !c.push(v, N, op)) {
            c.s.r[kEsp] = esp0;
            return nullptr;
        }
    }
    if (level > 0 && !c.push(frame, N, op)) {
        c.s.r[kEsp] = esp0;
        return nullptr;
    }
    set_reg<N>(c, kEbp, frame);
    c.set_stack_pointer(c.s.r[kEsp] - (op->imm & 0xFFFF));
    return c.next(op);
}

template <unsigned N>
const Op* leave(Cpu& c, const Op* op)
{
    uint32_t esp = c.s.r[kEsp];
    c.set_stack_pointer(c.s.r[kEbp]);
    uint32_t v;
    if (!c.pop(v, N, op)) {
        c.s.r[kEsp] = esp;
        return nullptr;
    }
    set_reg<N>(c, kEbp, v);
    return c.next(op);
}

const Op* xlat(Cpu& c, const Op* op)
{
    uint8_t v;
    uint32_t addr = c.s.r[kEbx] + (c.s.r[kEax] & 0xFF);
    if (!c.read<uint8_t>(op->seg, op->addr16 ? addr & 0xFFFF : addr, v, op))
        return nullptr;
    set_reg<1>(c, kEax, v);
    return c.next(op);
}

// MOV r/m16, Sreg: a register destination gets the selector zero-extended (32-bit operand),
// memory gets 16 bits.
const Op* mov_from_seg(Cpu& c, const Op* op)
{
    uint16_t sel = c.s.seg[op->reg].selector;
    if (op->rm != kNoReg) {
        if (op->osize == 4)
            c.s.r[op->rm] = sel;
        else
            set_reg<2>(c, op->rm, sel);
        return c.step(op);
    }
    if (!c.write<uint16_t>(op->seg, c.ea(op), sel, op))
        return nullptr;
    return c.next(op);
}

const Op* mov_to_seg(Cpu& c, const Op* op)
{
    uint32_t v;
    if (!get_rm<2>(c, op, v) || !c.load_segment(op->reg, static_cast<uint16_t>(v), op))
        return nullptr;
    // MOV SS holds off interrupts for one instruction, which ending the block allows.
    return c.exit_after(op);
}

template <unsigned N>
const Op* load_far_pointer(Cpu& c, const Op* op)
{
    uint32_t addr = c.ea(op);
    UInt<N> offset;
    uint16_t sel;
    if (!c.read<UInt<N>>(op->seg, addr, offset, op) || !c.read<uint16_t>(op->seg, addr + N, sel, op) ||
        !c.load_segment(op->aux, sel, op))
        return nullptr;
    set_reg_operand<N>(c, op, offset);
    return c.exit_after(op);
}

}  // namespace

namespace handlers {

Handler mov(MovForm form, unsigned size)
{
    switch (form) {
    case MovForm::RmReg: return X86_BY_SIZE(mov_rm_reg, size);
    case MovForm::RegRm: return X86_BY_SIZE(mov_reg_rm, size);
    case MovForm::RmImm: return X86_BY_SIZE(mov_rm_imm, size);
    case MovForm::RegImm: return X86_BY_SIZE(mov_reg_imm, size);
    case MovForm::AccMoffs: return X86_BY_SIZE(mov_acc_moffs, size);
    case MovForm::MoffsAcc: return X86_BY_SIZE(mov_moffs_acc, size);
    }
    return nullptr;
}

Handler movx(bool sign, unsigned src_size, unsigned size)
{
    if (src_size == 1)
        return sign ? (size == 2 ? x86::movx<1, 2, true> : x86::movx<1, 4, true>)
                    : (size == 2 ? x86::movx<1, 2, false> : x86::movx<1, 4, false>);
    return sign ? (size == 2 ? x86::movx<2, 2, true> : x86::movx<2, 4, true>)
                : (size == 2 ? x86::movx<2, 2, false> : x86::movx<2, 4, false>);
}

Handler specialise_move(Handler h, const Op& op)
{
    static const std::array<FormVariants, 15> kFamilies = {
        X86_FORM_VARIANTS(mov_rm_reg, 1),        X86_FORM_VARIANTS(mov_rm_reg, 2),
        X86_FORM_VARIANTS(mov_rm_reg, 4),        X86_FORM_VARIANTS(mov_reg_rm, 1),
        X86_FORM_VARIANTS(mov_reg_rm, 2),        X86_FORM_VARIANTS(mov_reg_rm, 4),
        X86_FORM_VARIANTS(x86::movx, 1, 2, true), X86_FORM_VARIANTS(x86::movx, 1, 4, true),
        X86_FORM_VARIANTS(x86::movx, 1, 2, false), X86_FORM_VARIANTS(x86::movx, 1, 4, false),
        X86_FORM_VARIANTS(x86::movx, 2, 2, true), X86_FORM_VARIANTS(x86::movx, 2, 4, true),
        X86_FORM_VARIANTS(x86::movx, 2, 2, false), X86_FORM_VARIANTS(x86::movx, 2, 4, false),
        X86_FORM_VARIANTS(x86::lea, 4),
    };
    return pick_form(h, op, kFamilies);
}

Handler lea(unsigned size) { return X86_BY_SIZE_16_32(x86::lea, size); }
Handler xchg(bool acc_reg, unsigned size) { return acc_reg ? X86_BY_SIZE_16_32(xchg_acc, size) : X86_BY_SIZE(xchg_rm, size); }

Handler push(StackForm form, unsigned size)
{
    switch (form) {
    case StackForm::Reg: return X86_BY_SIZE_16_32(push_reg, size);
    case StackForm::Imm: return X86_BY_SIZE_16_32(push_imm, size);
    case StackForm::Rm: return X86_BY_SIZE_16_32(push_rm, size);
    }
    return nullptr;
}

Handler pop(StackForm form, unsigned size)
{
    return form == StackForm::Reg ? X86_BY_SIZE_16_32(pop_reg, size) : X86_BY_SIZE_16_32(pop_rm, size);
}
Handler push_seg(unsigned size) { return X86_BY_SIZE_16_32(x86::push_seg, size); }
Handler pop_seg(unsigned size) { return X86_BY_SIZE_16_32(x86::pop_seg, size); }
Handler pusha(unsigned size) { return X86_BY_SIZE_16_32(x86::pusha, size); }
Handler popa(unsigned size) { return X86_BY_SIZE_16_32(x86::popa, size); }
Handler pushf(unsigned size) { return X86_BY_SIZE_16_32(x86::pushf, size); }
Handler popf(unsigned size) { return X86_BY_SIZE_16_32(x86::popf, size); }
Handler enter(unsigned size) { return X86_BY_SIZE_16_32(x86::enter, size); }
Handler leave(unsigned size) { return X86_BY_SIZE_16_32(x86::leave, size); }
Handler xlat() { return x86::xlat; }
Handler mov_from_seg() { return x86::mov_from_seg; }
Handler mov_to_seg() { return x86::mov_to_seg; }
Handler load_far_pointer(unsigned size) { return X86_BY_SIZE_16_32(x86::load_far_pointer, size); }

}  // namespace handlers

}  // namespace emu::x86
