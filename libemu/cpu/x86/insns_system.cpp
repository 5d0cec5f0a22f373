// System instructions: interrupt flag, descriptor tables and task register, control and debug
// registers, CPUID, RDTSC, MSRs, descriptor queries, and what raises #UD.
#include "cpu/x86/cpuid.h"
#include "cpu/x86/operands.h"

namespace emu::x86 {

namespace {

constexpr uint32_t kMsrTsc = 0x10;
// IA32_BIOS_SIGN_ID: the microcode revision in the high half, which a write of 0 followed by
// CPUID loads (writes change nothing else). QEMU's CPUs report revision 1.
constexpr uint32_t kMsrBiosSignId = 0x8B;
constexpr uint64_t kMicrocodeRevision = uint64_t{1} << 32;

const Op* cli_sti(Cpu& c, const Op* op)
{
    if (!c.io_allowed())
        return c.fault_counted(op, kExcGP);
    if (op->aux) {
        if (!(c.s.eflags & kIF))
            c.hold_interrupts_one_instruction();
        c.s.eflags |= kIF;
    } else {
        c.s.eflags &= ~kIF;
    }
    return c.exit_after(op);
}

bool privileged(Cpu& c, const Op* op)
{
    if (c.s.cpl == 0)
        return true;
    c.fault_counted(op, kExcGP);
    return false;
}

// Loads LDTR or TR from a GDT descriptor of the expected system type.
const Op* load_system_segment(Cpu& c, const Op* op, bool task)
{
    uint32_t v;
    if (!privileged(c, op) || !get_rm<2>(c, op, v))
        return nullptr;
    uint16_t sel = static_cast<uint16_t>(v);
    if ((sel & ~3u) == 0) {
        if (task)
            return c.fault(op, kExcGP, 0);
        c.s.ldtr = Segment{sel, 0, 0, 0};
        return c.exit_after(op);
    }
    uint32_t index = sel & ~7u;
    if ((sel & 4) || index + 7 > c.s.gdtr.limit)
        return c.fault(op, kExcGP, sel & ~3u);
    uint64_t d;
    if (!c.read_linear(c.s.gdtr.base + index, 8, d, false, op))
        return nullptr;
    unsigned type = (d >> 40) & 0x1F;
    if (task ? type != 0x09 : type != 0x02)  // available 32-bit TSS / LDT
        return c.fault(op, kExcGP, sel & ~3u);
    if (!((d >> 47) & 1))
        return c.fault(op, kExcNP, sel & ~3u);
    Segment g = segment_from_descriptor(d, sel);
    if (task) {
        g.attr |= 0x02;  // busy, in the register and in the GDT
        if (!c.write_linear(c.s.gdtr.base + index + 5, 1, (d >> 40 & 0xFF) | 0x02, false, op))
            return nullptr;
        c.s.tr = g;
    } else {
        c.s.ldtr = g;
    }
    return c.exit_after(op);
}

// VERR/VERW/LAR/LSL: whether the selector names a descriptor visible at this privilege level.
bool visible_descriptor(Cpu& c, uint16_t sel, uint64_t& d, const Op* op, bool& faulted)
{
    faulted = false;
    if ((sel & ~3u) == 0)
        return false;
    bool local = sel & 4;
    uint32_t base = local ? c.s.ldtr.base : c.s.gdtr.base;
    uint32_t limit = local ? c.s.ldtr.limit : c.s.gdtr.limit;
    if ((sel & ~7u) + 7 > limit)
        return false;
    if (!c.read_linear(base + (sel & ~7u), 8, d, false, op)) {
        faulted = true;
        return false;
    }
    bool is_segment = (d >> 44) & 1;
    bool conforming_code = is_segment && ((d >> 42) & 3) == 3;
    unsigned dpl = (d >> 45) & 3;
    if (!conforming_code && (dpl < c.s.cpl || dpl < (sel & 3u)))
        return false;
    return true;
}

const Op* group6(Cpu& c, const Op* op)
{
    // The LDT, TR and descriptor queries exist in protected mode only.
    if (c.s.real_segments())
        return c.fault_counted(op, kExcUD);
    switch (op->reg) {
    case 0:  // SLDT
    case 1: {  // STR
        uint16_t sel = op->reg == 0 ? c.s.ldtr.selector : c.s.tr.selector;
        if (op->rm != kNoReg) {
            if (op->osize == 4)
                c.s.r[op->rm] = sel;
            else
                set_reg<2>(c, op->rm, sel);
        } else if (!c.write<uint16_t>(op->seg, c.ea(op), sel, op)) {
            return nullptr;
        }
        return c.next(op);
    }
    case 2: return load_system_segment(c, op, false);
    case 3: return load_system_segment(c, op, true);
    case 4:    // VERR
    case 5: {  // VERW
        uint32_t v;
        if (!get_rm<2>(c, op, v))
            return nullptr;
        uint64_t d;
        bool faulted;
        bool ok = visible_descriptor(c, static_cast<uint16_t>(v), d, op, faulted);
        if (faulted)
            return nullptr;
        if (ok) {
            bool is_segment = (d >> 44) & 1, code = (d >> 43) & 1, rw = (d >> 41) & 1;
            ok = is_segment && (op->reg == 4 ? (!code || rw) : (!code && rw));
        }
        c.flags() = ok ? c.flags() | kZF : c.flags() & ~kZF;
        return c.next(op);
    }
    default: return c.fault_counted(op, kExcUD);
    }
}

const Op* group7(Cpu& c, const Op* op)
{
    switch (op->reg) {
    case 0:    // SGDT (memory operands only: the decode table refuses registers)
    case 1: {  // SIDT
        const DescriptorTable& t = op->reg == 0 ? c.s.gdtr : c.s.idtr;
        uint32_t base = op->osize == 2 ? t.base & 0x00FFFFFF : t.base;
        if (!c.write<uint16_t>(op->seg, c.ea(op), t.limit, op) || !c.write<uint32_t>(op->seg, c.ea(op) + 2, base, op))
            return nullptr;
        return c.next(op);
    }
    case 2:    // LGDT (memory operands only)
    case 3: {  // LIDT
        if (!privileged(c, op))
            return nullptr;
        uint16_t limit;
        uint32_t base;
        if (!c.read<uint16_t>(op->seg, c.ea(op), limit, op) || !c.read<uint32_t>(op->seg, c.ea(op) + 2, base, op))
            return nullptr;
        DescriptorTable& t = op->reg == 2 ? c.s.gdtr : c.s.idtr;
        t = DescriptorTable{op->osize == 2 ? base & 0x00FFFFFF : base, limit};
        return c.exit_after(op);
    }
    case 4: {  // SMSW
        if (op->rm != kNoReg) {
            if (op->osize == 4)
                c.s.r[op->rm] = c.s.cr0;
            else
                set_reg<2>(c, op->rm, c.s.cr0);
            return c.step(op);
        }
        if (!c.write<uint16_t>(op->seg, c.ea(op), static_cast<uint16_t>(c.s.cr0), op))
            return nullptr;
        return c.next(op);
    }
    case 6: {  // LMSW: PE MP EM TS; PE cannot be cleared
        uint32_t v;
        if (!privileged(c, op) || !get_rm<2>(c, op, v))
            return nullptr;
        uint32_t cr0 = (c.s.cr0 & ~0xEu) | (v & 0xF) | (c.s.cr0 & kCr0PE);
        if (!c.write_cr(0, cr0, op))
            return nullptr;
        return c.exit_after(op);
    }
    case 7: {  // INVLPG (memory operands only)
        if (!privileged(c, op))
            return nullptr;
        c.invalidate_page(c.s.seg[op->seg].base + c.ea(op));
        return c.exit_after(op);
    }
    default: return c.fault_counted(op, kExcUD);
    }
}

// MOV to/from CR0-CR4: op->reg is the control register, op->rm the general register.
const Op* mov_cr(Cpu& c, const Op* op)
{
    if (!privileged(c, op))
        return nullptr;
    if (op->reg == 1 || op->reg > 4)
        return c.fault_counted(op, kExcUD);
    if (op->aux) {
        if (!c.write_cr(op->reg, c.s.r[op->rm], op))
            return nullptr;
        return c.exit_after(op);
    }
    const uint32_t crs[5] = {c.s.cr0, 0, c.s.cr2, c.s.cr3, c.s.cr4};
    c.s.r[op->rm] = crs[op->reg];
    return c.step(op);
}

// MOV to/from DR0-DR7: op->reg is the debug register, op->rm the general register, op->aux 1
// for a write.
const Op* mov_dr(Cpu& c, const Op* op)
{
    if (op->aux) {
        if (!c.write_dr(op->reg, c.s.r[op->rm], op))
            return nullptr;
        return c.exit_after(op);
    }
    uint32_t v;
    if (!c.read_dr(op->reg, v, op))
        return nullptr;
    c.s.r[op->rm] = v;
    return c.next(op);
}

const Op* clts(Cpu& c, const Op* op)
{
    if (!privileged(c, op))
        return nullptr;
    c.s.cr0 &= ~kCr0TS;
    return c.exit_after(op);
}

const Op* cpuid(Cpu& c, const Op* op)
{
    CpuidResult r = cpuid_leaf(c.s.r[kEax], c.s.r[kEcx], c.has_apic && c.has_apic());
    c.s.r[kEax] = r.eax;
    c.s.r[kEbx] = r.ebx;
    c.s.r[kEcx] = r.ecx;
    c.s.r[kEdx] = r.edx;
    return c.step(op);
}

const Op* rdtsc(Cpu& c, const Op* op)
{
    if ((c.s.cr4 & (1u << 2)) && c.s.cpl != 0)  // CR4.TSD
        return c.fault(op, kExcGP, 0);
    uint64_t t = c.timestamp(op);
    c.s.r[kEax] = static_cast<uint32_t>(t);
    c.s.r[kEdx] = static_cast<uint32_t>(t >> 32);
    return c.step(op);
}

// The time-stamp counter (read-only) and the microcode signature are the CPU's own MSRs; the
// board serves the others (IA32_APIC_BASE). An MSR nobody has is #GP(0), as on a CPU without
// it.
const Op* rdmsr_wrmsr(Cpu& c, const Op* op)
{
    if (!privileged(c, op))
        return nullptr;
    uint32_t msr = c.s.r[kEcx];
    if (op->aux) {
        uint64_t v = (uint64_t{c.s.r[kEdx]} << 32) | c.s.r[kEax];
        if (msr == kMsrBiosSignId)
            return c.next(op);
        if (msr == kMsrTsc || !c.write_msr || !c.write_msr(msr, v))
            return c.fault(op, kExcGP, 0);
        return c.exit_after(op);  // the write may have changed what interrupts are due
    }
    uint64_t v;
    if (msr == kMsrTsc)
        v = c.timestamp(op);
    else if (msr == kMsrBiosSignId)
        v = kMicrocodeRevision;
    else if (!c.read_msr || !c.read_msr(msr, v))
        return c.fault(op, kExcGP, 0);
    c.s.r[kEax] = static_cast<uint32_t>(v);
    c.s.r[kEdx] = static_cast<uint32_t>(v >> 32);
    return c.step(op);
}

template <unsigned N>
const Op* lar_lsl(Cpu& c, const Op* op)
{
    if (c.s.real_segments())
        return c.fault_counted(op, kExcUD);
    uint32_t v;
    if (!get_rm<2>(c, op, v))
        return nullptr;
    uint64_t d;
    bool faulted;
    bool ok = visible_descriptor(c, static_cast<uint16_t>(v), d, op, faulted);
    if (faulted)
        return nullptr;
    if (ok) {
        unsigned type = (d >> 40) & 0x1F;
        bool is_segment = type & 0x10;
        // System types LAR accepts: TSS, LDT, gates; LSL: TSS and LDT only.
        bool lar_system = type == 1 || type == 2 || type == 3 || type == 4 || type == 5 || type == 9 || type == 0xB ||
                          type == 0xC;
        bool lsl_system = type == 1 || type == 2 || type == 3 || type == 9 || type == 0xB;
        ok = is_segment || (op->aux ? lsl_system : lar_system);
    }
    if (ok) {
        uint32_t r;
        if (op->aux) {
            r = segment_from_descriptor(d, 0).limit;
        } else {
            r = static_cast<uint32_t>(d >> 32) & 0x00F0FF00;
        }
        set_reg_operand<N>(c, op, r);
        c.flags() |= kZF;
    } else {
        c.flags() &= ~kZF;
    }
    return c.next(op);
}

const Op* arpl(Cpu& c, const Op* op)
{
    if (c.s.real_segments())
        return c.fault_counted(op, kExcUD);
    uint32_t dst;
    if (!get_rm<2>(c, op, dst))
        return nullptr;
    uint32_t src = get_reg<2>(c, op->reg);
    if ((dst & 3) < (src & 3)) {
        if (!set_rm<2>(c, op, (dst & ~3u) | (src & 3)))
            return nullptr;
        c.flags() |= kZF;
    } else {
        c.flags() &= ~kZF;
    }
    return c.next(op);
}

const Op* nop(Cpu& c, const Op* op) { return c.step(op); }

const Op* cache_op(Cpu& c, const Op* op)
{
    if (!privileged(c, op))
        return nullptr;
    return c.step(op);
}

const Op* undefined(Cpu& c, const Op* op) { return c.fault_counted(op, kExcUD); }

}  // namespace

namespace handlers {

Handler cli_sti() { return x86::cli_sti; }
Handler group6() { return x86::group6; }
Handler group7() { return x86::group7; }
Handler mov_cr() { return x86::mov_cr; }
Handler mov_dr() { return x86::mov_dr; }
Handler clts() { return x86::clts; }
Handler cpuid() { return x86::cpuid; }
Handler rdtsc() { return x86::rdtsc; }
Handler rdmsr_wrmsr() { return x86::rdmsr_wrmsr; }
Handler lar_lsl(unsigned size) { return X86_BY_SIZE_16_32(x86::lar_lsl, size); }
Handler arpl() { return x86::arpl; }
Handler nop() { return x86::nop; }
Handler cache_op() { return x86::cache_op; }
Handler undefined() { return x86::undefined; }

}  // namespace handlers

}  // namespace emu::x86
