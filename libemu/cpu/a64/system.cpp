// A64 exception-generating and system instructions: SVC/HVC/SMC/BRK/HLT, ERET, hints,
// barriers, PSTATE writes, cache and TLB maintenance, MRS/MSR. Anything that can change
// interrupt state or what runs next ends its block.
#include "cpu/a64/cpu.h"
#include "cpu/a64/fields.h"
#include "cpu/a64/sysreg_keys.h"

namespace emu::a64 {

namespace {

constexpr uint16_t kSemihostingHlt = 0xF000;

const Op* NOP(Cpu& c, const Op* op) { return c.step(op); }

const Op* SVC(Cpu& c, const Op* op)
{
    return c.raise(op, ExceptionClass::Svc, static_cast<uint32_t>(op->imm), c.pc_of(op) + 4, true);
}

const Op* HVC(Cpu& c, const Op* op) { return c.hypervisor_call(op, false, static_cast<uint16_t>(op->imm)); }
const Op* SMC(Cpu& c, const Op* op) { return c.hypervisor_call(op, true, static_cast<uint16_t>(op->imm)); }

const Op* BRK(Cpu& c, const Op* op)
{
    return c.raise(op, ExceptionClass::Brk, static_cast<uint32_t>(op->imm), c.pc_of(op), true);
}

const Op* HLT(Cpu& c, const Op* op)
{
    // Without an external debugger HLT is undefined; #0xF000 is the semihosting trap.
    if (op->imm == kSemihostingHlt)
        return c.semihosting_call(op);
    return c.undefined(op);
}

// SCTLR_EL1 bits that open EL0 to what EL1 may otherwise trap.
constexpr unsigned kSctlrUma = 9;    // DAIF and MSR DAIFSet/DAIFClr
constexpr unsigned kSctlrDze = 14;   // DC ZVA
constexpr unsigned kSctlrNTwi = 16;  // WFI
constexpr unsigned kSctlrNTwe = 18;  // WFE
constexpr unsigned kSctlrUci = 26;   // DC CVAU, CVAC, CIVAC and IC IVAU

bool el0_denied(const Cpu& c, unsigned sctlr_bit) { return c.s.el == 0 && !((c.s.sys.sctlr_el1 >> sctlr_bit) & 1); }

const Op* ERET(Cpu& c, const Op* op) { return c.exception_return(op); }

const Op* WFI(Cpu& c, const Op* op)
{
    if (el0_denied(c, kSctlrNTwi))
        return c.wfx_trap(op, false);
    return c.wait_for_interrupt(op);
}

// WFE is a no-op on this single CPU (no events to wait for), unless EL0 may not issue it.
const Op* WFE(Cpu& c, const Op* op)
{
    if (el0_denied(c, kSctlrNTwe))
        return c.wfx_trap(op, true);
    return c.step(op);
}

const Op* END_BLOCK_AFTER(Cpu& c, const Op* op) { return c.exit_after(op); }

const Op* CLREX(Cpu& c, const Op* op)
{
    c.monitor.valid = false;
    return c.step(op);
}

enum PstateField : uint8_t { kSpSel, kDaifSet, kDaifClr };

const Op* MSR_imm(Cpu& c, const Op* op)
{
    uint32_t imm = op->b;
    switch (static_cast<PstateField>(op->a)) {
    case kSpSel:
        if (c.s.el == 0)
            return c.undefined(op);
        c.set_el_and_sp(c.s.el, imm & 1);
        break;
    case kDaifSet:
    case kDaifClr:
        if (el0_denied(c, kSctlrUma))
            return c.sysreg_trap(op);
        if (op->a == kDaifSet)
            c.s.daif |= imm << 6;
        else
            c.s.daif &= ~(imm << 6);
        break;
    }
    return c.exit_after(op);
}

// FPCR and FPSR belong to the FP unit: CPACR_EL1.FPEN traps them like FP instructions.
bool is_fp_sysreg(uint64_t key) { return key == sysreg::FPCR || key == sysreg::FPSR; }

const Op* MRS(Cpu& c, const Op* op)
{
    if (is_fp_sysreg(op->imm) && c.fp_trapped())
        return c.fp_access_trap(op);
    uint64_t v;
    switch (c.sysreg_read(static_cast<uint32_t>(op->imm), v, op)) {
    case Cpu::SysregAccess::Done: break;
    case Cpu::SysregAccess::Undefined: return c.undefined(op);
    case Cpu::SysregAccess::Trapped: return c.sysreg_trap(op);
    }
    c.s.r[op->rd] = v;
    return c.step(op);
}

const Op* MSR_reg(Cpu& c, const Op* op)
{
    if (is_fp_sysreg(op->imm) && c.fp_trapped())
        return c.fp_access_trap(op);
    switch (c.sysreg_write(static_cast<uint32_t>(op->imm), c.s.r[op->rn], op)) {
    case Cpu::SysregAccess::Done: break;
    case Cpu::SysregAccess::Undefined: return c.undefined(op);
    case Cpu::SysregAccess::Trapped: return c.sysreg_trap(op);
    }
    if (c.stop())
        return nullptr;
    return c.exit_after(op);
}

const Op* DC_ZVA(Cpu& c, const Op* op)
{
    if (el0_denied(c, kSctlrDze))
        return c.sysreg_trap(op);
    return c.zero_block(op, c.s.r[op->rn]);
}

// DC CVAC, DC CVAU, DC CIVAC, IC IVAU: EL0 may issue them if SCTLR_EL1.UCI says so.
const Op* CACHE_CLEAN_VA(Cpu& c, const Op* op)
{
    if (el0_denied(c, kSctlrUci))
        return c.sysreg_trap(op);
    return c.cache_maintenance(op, c.s.r[op->rn], false);
}

// DC IVAC: EL1 only.
const Op* CACHE_INVALIDATE_VA(Cpu& c, const Op* op)
{
    if (c.s.el == 0)
        return c.undefined(op);
    return c.cache_maintenance(op, c.s.r[op->rn], true);
}

// AT S1E1R, S1E1W, S1E0R, S1E0W (op2 0..3): EL1 only.
const Op* AT(Cpu& c, const Op* op)
{
    if (c.s.el == 0)
        return c.undefined(op);
    c.address_translate(c.s.r[op->rn], op->a & 2 ? 0 : 1, op->a & 1);
    return c.step(op);
}

// TLBI by op2: EL1 only.
const Op* TLBI(Cpu& c, const Op* op)
{
    if (c.s.el == 0)
        return c.undefined(op);
    c.tlb_invalidate(op->a, c.s.r[op->rn]);
    return c.step(op);
}

const Op* UNDEFINED_AT_EL0(Cpu& c, const Op* op) { return c.s.el == 0 ? c.undefined(op) : c.step(op); }

Build exception_imm(Op& op, uint32_t insn, Handler h)
{
    op.fn = h;
    op.imm = bits(insn, 20, 5);
    return Build::EndBlock;
}

}  // namespace

Build build_SVC(Op& op, uint32_t insn) { return exception_imm(op, insn, SVC); }
Build build_HVC(Op& op, uint32_t insn) { return exception_imm(op, insn, HVC); }
Build build_SMC(Op& op, uint32_t insn) { return exception_imm(op, insn, SMC); }
Build build_BRK(Op& op, uint32_t insn) { return exception_imm(op, insn, BRK); }
Build build_HLT(Op& op, uint32_t insn) { return exception_imm(op, insn, HLT); }

Build build_ERET(Op& op, uint32_t)
{
    op.fn = ERET;
    return Build::EndBlock;
}

Build build_HINT(Op& op, uint32_t insn)
{
    // CRm:op2. WFI idles; every other hint (YIELD, WFE, SEV, and the pointer-authentication and
    // BTI hints of later architectures) is a no-op on this single-threaded, PAC-less CPU,
    // though WFE may trap at EL0.
    constexpr uint32_t kWfe = 2, kWfi = 3;
    if (bits(insn, 11, 5) == kWfi) {
        op.fn = WFI;
        return Build::EndBlock;
    }
    if (bits(insn, 11, 5) == kWfe) {
        op.fn = WFE;
        return Build::Next;
    }
    op.fn = NOP;
    return Build::Nothing;
}

Build build_CLREX(Op& op, uint32_t)
{
    op.fn = CLREX;
    return Build::Next;
}

Build build_DSB(Op& op, uint32_t)
{
    op.fn = NOP;
    return Build::Nothing;
}

Build build_DMB(Op& op, uint32_t)
{
    op.fn = NOP;
    return Build::Nothing;
}

Build build_ISB(Op& op, uint32_t)
{
    // A context synchronisation event: code written before it must be what runs after it.
    op.fn = END_BLOCK_AFTER;
    return Build::EndBlock;
}

Build build_MSR_imm(Op& op, uint32_t insn)
{
    uint32_t op1 = bits(insn, 18, 16);
    uint32_t op2 = bits(insn, 7, 5);
    op.fn = MSR_imm;
    op.b = static_cast<uint8_t>(bits(insn, 11, 8));
    if (op1 == 0 && op2 == 5)
        op.a = kSpSel;
    else if (op1 == 3 && op2 == 6)
        op.a = kDaifSet;
    else if (op1 == 3 && op2 == 7)
        op.a = kDaifClr;
    else
        return Build::Undefined;  // PAN, UAO, DIT, SSBS, ...: not implemented
    return Build::EndBlock;
}

Build build_SYS(Op& op, uint32_t insn)
{
    uint32_t op1 = bits(insn, 18, 16);
    uint32_t crn = bits(insn, 15, 12);
    uint32_t crm = bits(insn, 11, 8);
    uint32_t op2 = bits(insn, 7, 5);
    op.rn = src_zr(bits(insn, 4, 0));
    op.a = static_cast<uint8_t>(op2);
    // Caches are not modelled (stores already invalidate translated code), but maintenance by
    // VA translates its address and may fault; by set/way it only checks the EL.
    if (crn == 7 && op1 == 3 && crm == 4 && op2 == 1) {  // DC ZVA
        op.fn = DC_ZVA;
        return Build::Next;
    }
    if (crn == 7 && op1 == 3 && (crm == 10 || crm == 11 || crm == 14 || crm == 5) && op2 == 1) {
        op.fn = CACHE_CLEAN_VA;  // DC CVAC, DC CVAU, DC CIVAC, IC IVAU
        return Build::Next;
    }
    if (crn == 7 && op1 == 0 && crm == 6 && op2 == 1) {
        op.fn = CACHE_INVALIDATE_VA;  // DC IVAC
        return Build::Next;
    }
    if (crn == 7 && op1 == 0 && crm == 8 && op2 < 4) {  // AT S1E1R/W, S1E0R/W
        op.fn = AT;
        return Build::Next;
    }
    if (op1 == 0 && crn == 7 && ((crm == 1 && op2 == 0) || (crm == 5 && op2 == 0) || (crm == 6 && op2 == 2) ||
                                 (crm == 10 && op2 == 2) || (crm == 14 && op2 == 2))) {
        op.fn = UNDEFINED_AT_EL0;  // IC IALLUIS, IC IALLU, DC ISW, DC CSW, DC CISW
        return Build::Next;
    }
    if (op1 == 0 && crn == 8 && (crm == 3 || crm == 7) && (op2 <= 3 || op2 == 5 || op2 == 7)) {
        // The ARMv8.0 TLBI operations at EL1: VMALLE1(IS), VAE1(IS), ASIDE1(IS), VAAE1(IS),
        // VALE1(IS), VAALE1(IS). One CPU: the Inner Shareable forms are the local ones.
        op.fn = TLBI;
        return Build::Next;
    }
    return Build::Undefined;
}

Build build_MRS(Op& op, uint32_t insn)
{
    op.fn = MRS;
    op.imm = bits(insn, 20, 5);
    op.rd = dst_zr(bits(insn, 4, 0));
    return Build::Next;
}

Build build_MSR_reg(Op& op, uint32_t insn)
{
    op.fn = MSR_reg;
    op.imm = bits(insn, 20, 5);
    op.rn = src_zr(bits(insn, 4, 0));
    return Build::EndBlock;
}

}  // namespace emu::a64
