// x87 control instructions (FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW, FLDENV, FNSTENV, FRSTOR,
// FNSAVE), WAIT, FXSAVE and FXRSTOR, and the checks every x87 instruction starts with: #NM as
// CR0.EM, TS and MP say, then for a waiting instruction an unmasked exception left pending,
// reported as #MF when CR0.NE = 1 or else through FERR# (the PC's IRQ 13), the instruction
// waiting until an interrupt unless IGNNE# is up (SDM vol. 1, 8.7 and appendix D).
//
// FSTENV and FSAVE store the 14- or 28-byte environment of the operand size and mode: in real
// and virtual-8086 mode the instruction and data pointers as 20- or 32-bit linear addresses
// with the opcode, in protected mode as offsets and selectors; reserved halves of the 32-bit
// format read as ones.
#include "cpu/x86/operands.h"
#include "cpu/x86/x87_insns.h"
#include "cpu/x86/x87_stack.h"

namespace emu::x86 {

bool Cpu::fpu_ready(const Op* op, FpuWait wait, bool is_wait_insn)
{
    if (is_wait_insn ? (s.cr0 & (kCr0TS | kCr0MP)) == (kCr0TS | kCr0MP) : (s.cr0 & (kCr0EM | kCr0TS)) != 0) {
        fault_counted(op, kExcNM);
        return false;
    }
    if (wait == FpuWait::No || !(s.fpu.sw & kFswES))
        return true;
    if (s.cr0 & kCr0NE) {
        fault(op, kExcMF);
        return false;
    }
    if (ignne_ || !fpu_error)
        return true;  // with IGNNE# (or nothing to signal FERR# to) the exception is ignored
    if (!ferr_) {
        ferr_ = true;
        fpu_error(true);
    }
    freeze(op);
    return false;
}

void Cpu::fpu_error_update()
{
    // FERR# follows ES; when it drops, the chipset drops IGNNE#.
    if (ferr_ && !(s.fpu.sw & kFswES)) {
        ferr_ = ignne_ = false;
        if (fpu_error)
            fpu_error(false);
    }
}

namespace {

using namespace fpu_stack;
using handlers::fpu::Control;

void initialize(FpuState& f)
{
    f.cw = kFcwInit;
    f.sw = 0;
    f.empty = 0xFF;
    f.fip = f.fdp = 0;
    f.fcs = f.fds = f.fop = 0;
}

// The pointers as the environment's format has them.
struct Pointers {
    uint32_t ip, dp;  // linear in real mode, offsets in protected mode
    uint16_t cs, ds, op;
};

Pointers pointers(const Cpu& c)
{
    const FpuState& f = c.s.fpu;
    if (c.s.real_segments())
        return {(uint32_t{f.fcs} << 4) + f.fip, (uint32_t{f.fds} << 4) + f.fdp, 0, 0, f.fop};
    return {f.fip, f.fdp, f.fcs, f.fds, f.fop};
}

bool store_environment(Cpu& c, const Op* op, uint32_t at)
{
    const FpuState& f = c.s.fpu;
    const bool real = c.s.real_segments();
    Pointers p = pointers(c);
    uint16_t tw = tag_word(f);
    if (op->osize == 4) {
        uint32_t v[7] = {0xFFFF0000u | f.cw, 0xFFFF0000u | f.sw, 0xFFFF0000u | tw};
        if (real) {
            v[3] = 0xFFFF0000u | (p.ip & 0xFFFF);
            v[4] = ((p.ip >> 16) << 12) | (p.op & 0x7FF);
            v[5] = 0xFFFF0000u | (p.dp & 0xFFFF);
            v[6] = (p.dp >> 16) << 12;
        } else {
            v[3] = p.ip;
            v[4] = p.cs | (uint32_t{p.op} << 16);
            v[5] = p.dp;
            v[6] = 0xFFFF0000u | p.ds;
        }
        for (unsigned i = 0; i < 7; ++i)
            if (!c.write<uint32_t>(op->seg, at + 4 * i, v[i], op))
                return false;
        return true;
    }
    uint16_t v[7] = {f.cw, f.sw, tw};
    if (real) {
        v[3] = static_cast<uint16_t>(p.ip);
        v[4] = static_cast<uint16_t>((((p.ip >> 16) & 0xF) << 12) | (p.op & 0x7FF));
        v[5] = static_cast<uint16_t>(p.dp);
        v[6] = static_cast<uint16_t>(((p.dp >> 16) & 0xF) << 12);
    } else {
        v[3] = static_cast<uint16_t>(p.ip);
        v[4] = p.cs;
        v[5] = static_cast<uint16_t>(p.dp);
        v[6] = p.ds;
    }
    for (unsigned i = 0; i < 7; ++i)
        if (!c.write<uint16_t>(op->seg, at + 2 * i, v[i], op))
            return false;
    return true;
}

// The environment read from memory, applied only once everything was read.
struct Environment {
    uint16_t cw, sw, tw;
    uint32_t ip, dp;
    uint16_t cs, ds, op;
};

bool load_environment(Cpu& c, const Op* op, uint32_t at, Environment& e)
{
    const bool real = c.s.real_segments();
    uint32_t v[7];
    for (unsigned i = 0; i < 7; ++i) {
        if (op->osize == 4) {
            if (!c.read<uint32_t>(op->seg, at + 4 * i, v[i], op))
                return false;
        } else {
            uint16_t w;
            if (!c.read<uint16_t>(op->seg, at + 2 * i, w, op))
                return false;
            v[i] = w;
        }
    }
    e.cw = static_cast<uint16_t>(v[0]);
    e.sw = static_cast<uint16_t>(v[1]);
    e.tw = static_cast<uint16_t>(v[2]);
    unsigned high_mask = op->osize == 4 ? 0xFFFF : 0xF;
    if (real) {
        e.ip = (v[3] & 0xFFFF) | (((v[4] >> 12) & high_mask) << 16);
        e.op = static_cast<uint16_t>(v[4] & 0x7FF);
        e.dp = (v[5] & 0xFFFF) | (((v[6] >> 12) & high_mask) << 16);
        e.cs = e.ds = 0;
    } else {
        e.ip = op->osize == 4 ? v[3] : v[3] & 0xFFFF;
        e.cs = static_cast<uint16_t>(v[4]);
        e.op = op->osize == 4 ? static_cast<uint16_t>((v[4] >> 16) & 0x7FF) : 0;
        e.dp = op->osize == 4 ? v[5] : v[5] & 0xFFFF;
        e.ds = static_cast<uint16_t>(v[6]);
    }
    return true;
}

void apply_environment(Cpu& c, const Environment& e)
{
    FpuState& f = c.s.fpu;
    f.cw = static_cast<uint16_t>((e.cw & kFcwWritable) | kFcwFixed1);
    f.sw = e.sw;
    f.empty = 0;
    for (unsigned i = 0; i < 8; ++i)
        if (((e.tw >> (2 * i)) & 3) == 3)
            f.empty |= static_cast<uint8_t>(1u << i);
    f.fip = e.ip;
    f.fdp = e.dp;
    f.fcs = e.cs;
    f.fds = e.ds;
    f.fop = e.op;
    update_summary(f);
    c.fpu_error_update();
}

template <Control K>
const Op* control(Cpu& c, const Op* op)
{
    constexpr bool kWaiting = K == Control::Ldcw || K == Control::Ldenv || K == Control::Rstor;
    if (!c.fpu_ready(op, kWaiting ? Cpu::FpuWait::Yes : Cpu::FpuWait::No))
        return nullptr;
    FpuState& f = c.s.fpu;
    const uint32_t at = op->rm == kNoReg ? c.ea(op) : 0;
    switch (K) {
    case Control::Ignored: return c.step(op);
    case Control::Init:
        initialize(f);
        c.fpu_error_update();
        return c.step(op);
    case Control::Clex:
        f.sw &= 0x7F00;  // the exception flags, SF, ES and B; C0-C3 and TOP stay
        c.fpu_error_update();
        return c.step(op);
    case Control::Ldcw: {
        uint16_t v;
        if (!c.read<uint16_t>(op->seg, at, v, op))
            return nullptr;
        // Unmasking a flag already set makes it pending (ES): the next waiting instruction
        // reports it.
        f.cw = static_cast<uint16_t>((v & kFcwWritable) | kFcwFixed1);
        update_summary(f);
        c.fpu_error_update();
        return c.next(op);
    }
    case Control::Stcw:
        if (!c.write<uint16_t>(op->seg, at, f.cw, op))
            return nullptr;
        return c.next(op);
    case Control::Stsw:
        if (!c.write<uint16_t>(op->seg, at, f.sw, op))
            return nullptr;
        return c.next(op);
    case Control::StswAx:
        c.s.r[kEax] = (c.s.r[kEax] & 0xFFFF0000u) | f.sw;
        return c.step(op);
    case Control::Ldenv: {
        Environment e;
        if (!load_environment(c, op, at, e))
            return nullptr;
        apply_environment(c, e);
        return c.next(op);
    }
    case Control::Stenv:
        if (!store_environment(c, op, at))
            return nullptr;
        f.cw |= kFcwMasks;  // FNSTENV then masks every exception
        update_summary(f);
        c.fpu_error_update();
        return c.next(op);
    case Control::Rstor: {
        Environment e;
        Float80 regs[8];
        uint32_t base = at + (op->osize == 4 ? 28 : 14);
        if (!load_environment(c, op, at, e))
            return nullptr;
        for (unsigned i = 0; i < 8; ++i)
            if (!c.read<uint64_t>(op->seg, base + 10 * i, regs[i].mant, op) ||
                !c.read<uint16_t>(op->seg, base + 10 * i + 8, regs[i].se, op))
                return nullptr;
        apply_environment(c, e);
        for (unsigned i = 0; i < 8; ++i)
            f.reg[f.phys(i)] = regs[i];  // in stack order, by the TOP just loaded
        return c.next(op);
    }
    case Control::Save: {
        uint32_t base = at + (op->osize == 4 ? 28 : 14);
        if (!store_environment(c, op, at))
            return nullptr;
        for (unsigned i = 0; i < 8; ++i)
            if (!c.write<uint64_t>(op->seg, base + 10 * i, f.st(i).mant, op) ||
                !c.write<uint16_t>(op->seg, base + 10 * i + 8, f.st(i).se, op))
                return nullptr;
        initialize(f);
        c.fpu_error_update();
        return c.next(op);
    }
    }
    return c.step(op);
}

const Op* wait(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, Cpu::FpuWait::Yes, true))
        return nullptr;
    return c.step(op);
}

// FXSAVE and FXRSTOR: the 512-byte image's x87 part (bytes 0-159). This CPU has no SSE: the
// MXCSR fields are stored as zero and ignored on restore, the XMM area is not touched.
template <bool Restore>
const Op* fxsave(Cpu& c, const Op* op)
{
    if (!c.fpu_ready(op, Cpu::FpuWait::No))
        return nullptr;
    uint32_t at = c.ea(op);
    if ((c.s.seg[op->seg].base + at) & 15)
        return c.fault(op, kExcGP, 0);
    FpuState& f = c.s.fpu;
    if constexpr (Restore) {
        uint16_t cw, sw, fop, fcs, fds;
        uint8_t abridged;
        uint32_t fip, fdp;
        Float80 regs[8];
        bool ok = c.read<uint16_t>(op->seg, at, cw, op) && c.read<uint16_t>(op->seg, at + 2, sw, op) &&
                  c.read<uint8_t>(op->seg, at + 4, abridged, op) && c.read<uint16_t>(op->seg, at + 6, fop, op) &&
                  c.read<uint32_t>(op->seg, at + 8, fip, op) && c.read<uint16_t>(op->seg, at + 12, fcs, op) &&
                  c.read<uint32_t>(op->seg, at + 16, fdp, op) && c.read<uint16_t>(op->seg, at + 20, fds, op);
        for (unsigned i = 0; ok && i < 8; ++i)
            ok = c.read<uint64_t>(op->seg, at + 32 + 16 * i, regs[i].mant, op) &&
                 c.read<uint16_t>(op->seg, at + 40 + 16 * i, regs[i].se, op);
        if (!ok)
            return nullptr;
        f.cw = static_cast<uint16_t>((cw & kFcwWritable) | kFcwFixed1);
        f.sw = sw;
        f.empty = static_cast<uint8_t>(~abridged);  // the abridged tag: 1 = in use
        f.fop = fop & 0x7FF;
        f.fip = fip;
        f.fcs = fcs;
        f.fdp = fdp;
        f.fds = fds;
        for (unsigned i = 0; i < 8; ++i)
            f.reg[f.phys(i)] = regs[i];
        update_summary(f);
        c.fpu_error_update();
        return c.next(op);
    }
    uint8_t image[160] = {};
    auto put16 = [&](unsigned o, uint16_t v) { image[o] = static_cast<uint8_t>(v), image[o + 1] = static_cast<uint8_t>(v >> 8); };
    auto put32 = [&](unsigned o, uint32_t v) { put16(o, static_cast<uint16_t>(v)), put16(o + 2, static_cast<uint16_t>(v >> 16)); };
    put16(0, f.cw);
    put16(2, f.sw);
    image[4] = static_cast<uint8_t>(~f.empty);
    put16(6, f.fop);
    put32(8, f.fip);
    put16(12, f.fcs);
    put32(16, f.fdp);
    put16(20, f.fds);
    for (unsigned i = 0; i < 8; ++i) {
        put32(32 + 16 * i, static_cast<uint32_t>(f.st(i).mant));
        put32(36 + 16 * i, static_cast<uint32_t>(f.st(i).mant >> 32));
        put16(40 + 16 * i, f.st(i).se);
    }
    for (unsigned o = 0; o < sizeof image; o += 4) {
        uint32_t v = uint32_t{image[o]} | (uint32_t{image[o + 1]} << 8) | (uint32_t{image[o + 2]} << 16) |
                     (uint32_t{image[o + 3]} << 24);
        if (!c.write<uint32_t>(op->seg, at + o, v, op))
            return nullptr;
    }
    return c.next(op);
}

}  // namespace

namespace handlers::fpu {

Handler control(Control k)
{
    switch (k) {
    case Control::Init: return x86::control<Control::Init>;
    case Control::Clex: return x86::control<Control::Clex>;
    case Control::Ignored: return x86::control<Control::Ignored>;
    case Control::Ldcw: return x86::control<Control::Ldcw>;
    case Control::Stcw: return x86::control<Control::Stcw>;
    case Control::Stsw: return x86::control<Control::Stsw>;
    case Control::StswAx: return x86::control<Control::StswAx>;
    case Control::Ldenv: return x86::control<Control::Ldenv>;
    case Control::Stenv: return x86::control<Control::Stenv>;
    case Control::Rstor: return x86::control<Control::Rstor>;
    case Control::Save: return x86::control<Control::Save>;
    }
    return nullptr;
}

Handler wait() { return x86::wait; }
Handler fxsave(bool restore) { return restore ? x86::fxsave<true> : x86::fxsave<false>; }

}  // namespace handlers::fpu

}  // namespace emu::x86
