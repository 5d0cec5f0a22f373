// A bare i386 for CPU unit tests: 1 MiB of RAM at 0 and no devices, the CPU as a Multiboot
// loader leaves it (32-bit protected mode, flat segments, CPL 0), with a GDT, an IDT whose
// every vector leads to a HLT of its own (so where the CPU stopped says which exception it
// took), and a TSS with a ring-0 stack. Tests write their code and tables as bytes and run.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/io_ports.h"
#include "cpu/x86/cpu.h"

namespace emu::test {

class X86TestBoard {
public:
    static constexpr uint32_t kRamSize = 1 << 20;
    static constexpr uint32_t kGdt = 0x1000;      // 64 descriptors
    static constexpr uint32_t kIdt = 0x2000;      // 256 gates
    static constexpr uint32_t kHandlers = 0x3000; // vector v: HLT at kHandlers + 4 * v
    static constexpr uint32_t kTss = 0x4000;      // the running task's TSS (104 bytes and more)
    static constexpr uint32_t kCode = 0x10000;
    static constexpr uint32_t kStack = 0x80000;   // ring 0's stack top (also the TSS's ESP0)

    // GDT selectors.
    static constexpr uint16_t kCode0 = 0x08, kData0 = 0x10, kCode3 = 0x1B, kData3 = 0x23, kTssSel = 0x28;

    X86TestBoard() : cpu(with_ram(bus), io, clock)
    {
        cpu.reset_flat(kCode);
        cpu.s.r[x86::kEsp] = kStack;
        set_descriptor(1, 0, 0xFFFFF, 0x9B, 0xC);  // ring-0 code, 32-bit, 4 GiB
        set_descriptor(2, 0, 0xFFFFF, 0x93, 0xC);  // ring-0 data
        set_descriptor(3, 0, 0xFFFFF, 0xFB, 0xC);  // ring-3 code
        set_descriptor(4, 0, 0xFFFFF, 0xF3, 0xC);  // ring-3 data
        set_descriptor(5, kTss, 0x67, 0x8B, 0);    // the running task: busy 32-bit TSS
        cpu.s.gdtr = {kGdt, 64 * 8 - 1};
        for (unsigned v = 0; v < 256; ++v) {
            write8(kHandlers + 4 * v, 0xF4);  // HLT
            set_gate(v, kHandlers + 4 * v);
        }
        cpu.s.idtr = {kIdt, 256 * 8 - 1};
        write32(kTss + 4, kStack);  // ESP0
        write32(kTss + 8, kData0);  // SS0
        cpu.s.tr = x86::segment_from_descriptor(descriptor(5), kTssSel);
        cpu.s.seg[x86::kCs] = x86::segment_from_descriptor(descriptor(1), kCode0);
        for (unsigned sreg : {x86::kEs, x86::kSs, x86::kDs, x86::kFs, x86::kGs})
            cpu.s.seg[sreg] = x86::segment_from_descriptor(descriptor(2), kData0);
    }

    // A GDT entry: `access` is descriptor byte 5 (P, DPL, S, type), `flags` the nibble with
    // G (8) and D/B (4).
    void set_descriptor(unsigned index, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
    {
        uint64_t d = (limit & 0xFFFF) | (uint64_t{base & 0xFFFFFF} << 16) | (uint64_t{access} << 40) |
                     (uint64_t{(limit >> 16) & 0xF} << 48) | (uint64_t{flags & 0xFu} << 52) |
                     (uint64_t{base >> 24} << 56);
        write64(kGdt + 8 * index, d);
    }
    // A gate descriptor (call gate in the GDT, or any gate in the IDT): `type` is byte 5
    // (0x8E: 32-bit interrupt gate, DPL 0), `count` the call gate's parameter count.
    static uint64_t gate(uint16_t selector, uint32_t offset, uint8_t type, uint8_t count = 0)
    {
        return (offset & 0xFFFF) | (uint64_t{selector} << 16) | (uint64_t{count} << 32) | (uint64_t{type} << 40) |
               (uint64_t{offset >> 16} << 48);
    }
    void set_gate(unsigned vector, uint32_t offset, uint8_t type = 0x8E, uint16_t selector = kCode0)
    {
        write64(kIdt + 8 * vector, gate(selector, offset, type));
    }
    uint64_t descriptor(unsigned index) { return read64(kGdt + 8 * index); }

    // Runs the CPU at ring 3 from here on: CS, SS and the data segments become the ring-3
    // descriptors.
    void enter_ring3()
    {
        cpu.s.cpl = 3;
        cpu.s.seg[x86::kCs] = x86::segment_from_descriptor(descriptor(3), kCode3);
        for (unsigned sreg : {x86::kEs, x86::kSs, x86::kDs, x86::kFs, x86::kGs})
            cpu.s.seg[sreg] = x86::segment_from_descriptor(descriptor(4), kData3);
    }

    // Code at `addr`.
    void code(uint32_t addr, std::initializer_list<uint8_t> bytes)
    {
        for (uint8_t b : bytes)
            write8(addr++, b);
    }
    void code(uint32_t addr, const std::vector<uint8_t>& bytes)
    {
        for (uint8_t b : bytes)
            write8(addr++, b);
    }

    // Runs until the CPU halts (or `max_insns`); true when it halted.
    bool run_to_halt(uint64_t max_insns = 10000) { return cpu.run(max_insns) == RunEnd::Idle; }
    // The vector whose handler the CPU halted in, or -1.
    int halted_in_vector() const
    {
        uint32_t at = cpu.s.eip - 1;
        if (at < kHandlers || at >= kHandlers + 4 * 256 || (at - kHandlers) % 4)
            return -1;
        return static_cast<int>((at - kHandlers) / 4);
    }
    // The exception frame at ESP: entry i (0 is the top).
    uint32_t frame(unsigned i) { return read32(cpu.s.r[x86::kEsp] + 4 * i); }

    uint8_t* ram(uint32_t addr) { return bus.ram_ptr(addr, 1); }
    void write8(uint32_t addr, uint8_t v) { *ram(addr) = v; }
    void write16(uint32_t addr, uint16_t v) { std::memcpy(ram(addr), &v, 2); }
    void write32(uint32_t addr, uint32_t v) { std::memcpy(ram(addr), &v, 4); }
    void write64(uint32_t addr, uint64_t v) { std::memcpy(ram(addr), &v, 8); }
    uint8_t read8(uint32_t addr) { return *ram(addr); }
    uint16_t read16(uint32_t addr)
    {
        uint16_t v;
        std::memcpy(&v, ram(addr), 2);
        return v;
    }
    uint32_t read32(uint32_t addr)
    {
        uint32_t v;
        std::memcpy(&v, ram(addr), 4);
        return v;
    }
    uint64_t read64(uint32_t addr)
    {
        uint64_t v;
        std::memcpy(&v, ram(addr), 8);
        return v;
    }

    Bus bus;
    IoPorts io;
    VirtualClock clock;
    x86::Cpu cpu;

private:
    static Bus& with_ram(Bus& bus)
    {
        bus.add_ram(0, kRamSize);
        return bus;
    }
};

}  // namespace emu::test
