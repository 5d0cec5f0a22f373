// The i386 CPU as gdb sees it (debug/i386_registers.inc). Addresses are linear: gdb's are
// offsets in the flat segments a protected-mode kernel uses.
#include <array>
#include <cstring>

#include "cpu/x86/cpu.h"
#include "replay/debug/guest_view.h"

namespace emu {

namespace {

using debug::I386Reg;

// The x87 registers in gdb's layout.
struct X87Registers {
    std::array<std::array<uint8_t, 10>, 8> st{};
    uint32_t fctrl = 0, fstat = 0, ftag = 0, fiseg = 0, fioff = 0, foseg = 0, fooff = 0, fop = 0;
};

// The CPU has no FPU yet (x87 instructions raise #NM or #UD): nothing to show. Once x86::Cpu
// keeps x87 state, this is the one place that reads it.
std::optional<X87Registers> x87_registers(const x86::Cpu&) { return std::nullopt; }

void put(std::span<uint8_t> out, uint64_t v)
{
    std::memset(out.data(), 0, out.size());
    std::memcpy(out.data(), &v, std::min<size_t>(out.size(), sizeof v));
}

class I386GuestView final : public GuestView {
public:
    I386GuestView(const x86::Cpu& cpu, Bus& bus) : GuestView(bus), cpu_(cpu) {}
    debug::Arch arch() const override { return debug::Arch::I386; }

    bool read_register(unsigned regnum, std::span<uint8_t> out) const override
    {
        const x86::State& s = cpu_.s;
        if (regnum >= static_cast<unsigned>(I386Reg::st0) && regnum <= static_cast<unsigned>(I386Reg::fop))
            return read_x87(static_cast<I386Reg>(regnum), out);
        uint64_t v = 0;
        switch (static_cast<I386Reg>(regnum)) {
        case I386Reg::eax: v = s.r[x86::kEax]; break;
        case I386Reg::ecx: v = s.r[x86::kEcx]; break;
        case I386Reg::edx: v = s.r[x86::kEdx]; break;
        case I386Reg::ebx: v = s.r[x86::kEbx]; break;
        case I386Reg::esp: v = s.r[x86::kEsp]; break;
        case I386Reg::ebp: v = s.r[x86::kEbp]; break;
        case I386Reg::esi: v = s.r[x86::kEsi]; break;
        case I386Reg::edi: v = s.r[x86::kEdi]; break;
        case I386Reg::eip: v = s.eip; break;
        case I386Reg::eflags: v = s.eflags; break;
        case I386Reg::cs: v = s.seg[x86::kCs].selector; break;
        case I386Reg::ss: v = s.seg[x86::kSs].selector; break;
        case I386Reg::ds: v = s.seg[x86::kDs].selector; break;
        case I386Reg::es: v = s.seg[x86::kEs].selector; break;
        case I386Reg::fs: v = s.seg[x86::kFs].selector; break;
        case I386Reg::gs: v = s.seg[x86::kGs].selector; break;
        case I386Reg::cr0: v = s.cr0; break;
        case I386Reg::cr2: v = s.cr2; break;
        case I386Reg::cr3: v = s.cr3; break;
        case I386Reg::cr4: v = s.cr4; break;
        // Read above.
        case I386Reg::st0: case I386Reg::st1: case I386Reg::st2: case I386Reg::st3: case I386Reg::st4:
        case I386Reg::st5: case I386Reg::st6: case I386Reg::st7: case I386Reg::fctrl: case I386Reg::fstat:
        case I386Reg::ftag: case I386Reg::fiseg: case I386Reg::fioff: case I386Reg::foseg: case I386Reg::fooff:
        case I386Reg::fop: return false;
        }
        put(out, v);
        return true;
    }

protected:
    // The two-level walk the CPU makes (4 MiB pages with CR4.PSE), reading the tables from RAM
    // only and setting no accessed or dirty bit. A debugger reads what the kernel could, so
    // the user/supervisor and write bits do not matter.
    std::optional<uint64_t> translate(uint64_t addr) const override
    {
        if (addr > UINT32_MAX)
            return std::nullopt;
        const x86::State& s = cpu_.s;
        uint32_t lin = static_cast<uint32_t>(addr);
        if (!(s.cr0 & x86::kCr0PG))
            return lin;
        std::optional<uint32_t> pde = entry((s.cr3 & ~0xFFFu) + ((lin >> 22) << 2));
        if (!pde || !(*pde & 1))
            return std::nullopt;
        if ((s.cr4 & x86::kCr4PSE) && (*pde & 0x80))
            return (*pde & 0xFFC00000u) | (lin & 0x3FFFFF);
        std::optional<uint32_t> pte = entry((*pde & ~0xFFFu) + (((lin >> 12) & 0x3FF) << 2));
        if (!pte || !(*pte & 1))
            return std::nullopt;
        return (*pte & ~0xFFFu) | (lin & 0xFFF);
    }

private:
    std::optional<uint32_t> entry(uint32_t phys) const
    {
        const uint8_t* p = bus_.ram_ptr(phys, 4);
        if (!p)
            return std::nullopt;
        uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
    }

    bool read_x87(I386Reg reg, std::span<uint8_t> out) const
    {
        std::optional<X87Registers> f = x87_registers(cpu_);
        if (!f)
            return false;
        unsigned st0 = static_cast<unsigned>(I386Reg::st0);
        unsigned n = static_cast<unsigned>(reg) - st0;
        if (n < 8) {
            std::memset(out.data(), 0, out.size());
            std::memcpy(out.data(), f->st[n].data(), std::min<size_t>(out.size(), f->st[n].size()));
            return true;
        }
        const uint32_t control[] = {f->fctrl, f->fstat, f->ftag, f->fiseg, f->fioff, f->foseg, f->fooff, f->fop};
        put(out, control[static_cast<unsigned>(reg) - static_cast<unsigned>(I386Reg::fctrl)]);
        return true;
    }

    const x86::Cpu& cpu_;
};

}  // namespace

std::unique_ptr<GuestView> i386_guest_view(const x86::Cpu& cpu, Bus& bus)
{
    return std::make_unique<I386GuestView>(cpu, bus);
}

}  // namespace emu
