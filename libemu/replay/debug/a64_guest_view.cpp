// The AArch64 CPU as gdb sees it (debug/aarch64_registers.inc).
#include <cstring>

#include "cpu/a64/cpu.h"
#include "cpu/a64/mmu.h"
#include "replay/debug/guest_view.h"

namespace emu {

namespace {

using debug::A64Reg;

void put(std::span<uint8_t> out, uint64_t v)
{
    std::memset(out.data(), 0, out.size());
    std::memcpy(out.data(), &v, std::min<size_t>(out.size(), sizeof v));
}

class A64GuestView final : public GuestView {
public:
    A64GuestView(const a64::Cpu& cpu, Bus& bus) : GuestView(bus), cpu_(cpu) {}
    debug::Arch arch() const override { return debug::Arch::AArch64; }

    bool read_register(unsigned regnum, std::span<uint8_t> out) const override
    {
        const a64::State& s = cpu_.s;
        unsigned v0 = static_cast<unsigned>(A64Reg::v0);
        if (regnum >= v0 && regnum <= static_cast<unsigned>(A64Reg::v31)) {
            std::memset(out.data(), 0, out.size());
            std::memcpy(out.data(), s.v[regnum - v0].d, std::min<size_t>(out.size(), sizeof s.v[0].d));
            return true;
        }
        if (regnum <= static_cast<unsigned>(A64Reg::x30)) {
            put(out, s.r[regnum]);
            return true;
        }
        const a64::SysRegs& sys = s.sys;
        uint64_t v = 0;
        switch (static_cast<A64Reg>(regnum)) {
        case A64Reg::sp: v = s.r[a64::kSp]; break;
        case A64Reg::pc: v = s.pc; break;
        case A64Reg::cpsr: v = cpu_.pstate_to_spsr(); break;
        case A64Reg::fpsr: v = sys.fpsr; break;
        case A64Reg::fpcr: v = sys.fpcr; break;
        case A64Reg::sctlr_el1: v = sys.sctlr_el1; break;
        case A64Reg::tcr_el1: v = sys.tcr_el1; break;
        case A64Reg::ttbr0_el1: v = sys.ttbr0_el1; break;
        case A64Reg::ttbr1_el1: v = sys.ttbr1_el1; break;
        case A64Reg::mair_el1: v = sys.mair_el1; break;
        case A64Reg::amair_el1: v = sys.amair_el1; break;
        case A64Reg::vbar_el1: v = sys.vbar_el1; break;
        case A64Reg::elr_el1: v = sys.elr_el1; break;
        case A64Reg::spsr_el1: v = sys.spsr_el1; break;
        case A64Reg::esr_el1: v = sys.esr_el1; break;
        case A64Reg::far_el1: v = sys.far_el1; break;
        case A64Reg::par_el1: v = sys.par_el1; break;
        case A64Reg::afsr0_el1: v = sys.afsr0_el1; break;
        case A64Reg::afsr1_el1: v = sys.afsr1_el1; break;
        case A64Reg::cpacr_el1: v = sys.cpacr_el1; break;
        case A64Reg::contextidr_el1: v = sys.contextidr_el1; break;
        case A64Reg::tpidr_el0: v = sys.tpidr_el0; break;
        case A64Reg::tpidrro_el0: v = sys.tpidrro_el0; break;
        case A64Reg::tpidr_el1: v = sys.tpidr_el1; break;
        case A64Reg::mdscr_el1: v = sys.mdscr_el1; break;
        case A64Reg::cntkctl_el1: v = sys.cntkctl_el1; break;
        case A64Reg::sp_el0: v = s.sp_el0(); break;
        case A64Reg::sp_el1: v = (s.el == 1 && s.spsel == 1) ? s.r[a64::kSp] : s.sp_other; break;
        // Read above, by number.
        case A64Reg::x0: case A64Reg::x1: case A64Reg::x2: case A64Reg::x3: case A64Reg::x4: case A64Reg::x5:
        case A64Reg::x6: case A64Reg::x7: case A64Reg::x8: case A64Reg::x9: case A64Reg::x10: case A64Reg::x11:
        case A64Reg::x12: case A64Reg::x13: case A64Reg::x14: case A64Reg::x15: case A64Reg::x16: case A64Reg::x17:
        case A64Reg::x18: case A64Reg::x19: case A64Reg::x20: case A64Reg::x21: case A64Reg::x22: case A64Reg::x23:
        case A64Reg::x24: case A64Reg::x25: case A64Reg::x26: case A64Reg::x27: case A64Reg::x28: case A64Reg::x29:
        case A64Reg::x30: case A64Reg::v0: case A64Reg::v1: case A64Reg::v2: case A64Reg::v3: case A64Reg::v4:
        case A64Reg::v5: case A64Reg::v6: case A64Reg::v7: case A64Reg::v8: case A64Reg::v9: case A64Reg::v10:
        case A64Reg::v11: case A64Reg::v12: case A64Reg::v13: case A64Reg::v14: case A64Reg::v15: case A64Reg::v16:
        case A64Reg::v17: case A64Reg::v18: case A64Reg::v19: case A64Reg::v20: case A64Reg::v21: case A64Reg::v22:
        case A64Reg::v23: case A64Reg::v24: case A64Reg::v25: case A64Reg::v26: case A64Reg::v27: case A64Reg::v28:
        case A64Reg::v29: case A64Reg::v30: case A64Reg::v31: return false;
        }
        put(out, v);
        return true;
    }

protected:
    // Through the stage 1 translation the CPU uses now (the identity while the MMU is off),
    // walked afresh: without the TLB, permission checks or faults. An ARMv8.0 walk sets no
    // access flags, so reading changes nothing.
    std::optional<uint64_t> translate(uint64_t addr) const override
    {
        a64::TranslationResult r = a64::translate_stage1(cpu_.s.sys, a64::kIdAa64Mmfr0CortexA57, addr, false, bus_);
        if (!r.ok())
            return std::nullopt;
        return r.t.pa;
    }

private:
    const a64::Cpu& cpu_;
};

}  // namespace

std::unique_ptr<GuestView> a64_guest_view(const a64::Cpu& cpu, Bus& bus)
{
    return std::make_unique<A64GuestView>(cpu, bus);
}

}  // namespace emu
