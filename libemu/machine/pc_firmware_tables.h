// The firmware tables a kernel on `pc` reads to learn the interrupt wiring without calling a
// BIOS, written into RAM by the board before the kernel starts: the MP floating pointer and MP
// configuration table (spec 1.4) and ACPI 1.0 tables (RSDP, RSDT, FADT with FACS and an empty
// DSDT, MADT), all in the BIOS area at 0xF0000, which the memory map reports as reserved.
//
// They describe what QEMU's pc describes to the same guest (SeaBIOS's MP table, QEMU's MADT):
// one processor with local APIC 0 at 0xFEE00000, the I/O APIC (ID 0) at 0xFEC00000 with GSI
// base 0, ISA IRQ 0 on pin 2 and the other ISA IRQs identity-mapped, ExtINT on LINT0 of the
// bootstrap processor and NMI on LINT1 of every processor. As there, the MP table leaves out
// ISA IRQs 5, 9, 10 and 11 and the MADT marks them level-triggered, active high (the PCI
// interrupt lines on QEMU's board; nothing drives them here). There is no PCI bus; the FADT
// names the PM1a event and control blocks and the PM timer of dev/acpi_pm.h (QEMU's ports), and
// the DSDT holds only the \_S5 object that lets a kernel power off through them.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bus.h"

namespace emu {

struct PcFirmwareTables {
    static constexpr uint32_t kBase = 0xF0000;
    static constexpr uint32_t kLocalApic = 0xFEE00000;
    static constexpr uint32_t kIoApic = 0xFEC00000;

    // The tables as they lie from kBase; offsets of the structures a guest searches for.
    std::vector<uint8_t> bytes;
    uint32_t rsdp = 0;
    uint32_t mp_floating = 0;
    uint32_t mp_config = 0;
    uint32_t rsdt = 0;
    uint32_t fadt = 0;
    uint32_t facs = 0;
    uint32_t dsdt = 0;
    uint32_t madt = 0;
};

PcFirmwareTables build_pc_firmware_tables();

// Builds the tables and copies them to kBase; false if that is not RAM.
bool install_pc_firmware_tables(Bus& bus);

}  // namespace emu
