// The i386 `pc` board, port-compatible with QEMU's `qemu-system-i386 -M pc` as a Multiboot
// kernel sees it: RAM from 0, the 8259A pair, the 8254 PIT (IRQ 0), the MC146818 RTC/CMOS
// (IRQ 8, started from the host clock through the input gate), a 16550A COM1 at 0x3F8
// (IRQ 4), the i8042 with its PS/2 keyboard and mouse (IRQ 1, 12), isa-debug-exit at 0xF4
// (4 bytes, exit code (value << 1) | 1), FPU errors on IRQ 13 with port 0xF0 (CR0.NE = 0),
// reset through port 0x92 or the keyboard controller,
// the i440FX/PIIX3 PCI functions with the PIIX3 IDE controller and its drives and, with a
// network, an RTL8139 (pc_pci.h),
// the local APIC at 0xFEE00000, the I/O APIC at 0xFEC00000 (ISA IRQ 0 on pin 2, the others on
// their own pins), fw_cfg at 0x510 and the ACPI PM registers at 0x600 (dev/acpi_pm.h). There is no BIOS: the kernel starts in protected mode
// as a Multiboot loader or the Linux 32-bit boot protocol leaves it, with the devices as
// SeaBIOS leaves them and the MP and ACPI tables in the BIOS area (pc_firmware_tables.h).
//
// `isapc` is the same board without PCI, the APIC, the I/O APIC and the tables, for guests that
// know only the 8259s: the 8259's INTR goes straight to the CPU and CPUID reports no APIC.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/input_gate.h"
#include "core/io_ports.h"
#include "cpu/x86/cpu.h"
#include "dev/acpi_pm.h"
#include "dev/fw_cfg.h"
#include "dev/i8042.h"
#include "dev/i8254.h"
#include "dev/i8259.h"
#include "dev/ioapic.h"
#include "dev/local_apic.h"
#include "dev/mc146818.h"
#include "dev/pc_system_ports.h"
#include "dev/uart16550.h"
#include "machine/board.h"
#include "machine/pc_pci.h"

namespace emu {

class PcMachine final : public Board {
public:
    static constexpr uint16_t kCom1 = 0x3F8;
    static constexpr unsigned kCom1Irq = 4;
    static constexpr uint16_t kDebugExitPort = 0xF4;

    PcMachine(const MachineConfig& config, InputGate& gate, std::function<void(uint8_t)> serial_out);

    // A Linux bzImage (32-bit boot protocol) with an optional initrd, or a Multiboot kernel
    // (ELF or a.out kludge) with the initrd and modules as its modules: told apart by content.
    Result<Done> boot(const BootImages& images) override;
    // HLT with interrupts disabled never wakes: time moving on cannot help it.
    bool idle_to_next_deadline() override { return (cpu_.s.eflags & x86::kIF) && Board::idle_to_next_deadline(); }
    const std::vector<std::string>& register_names() const override;
    std::vector<uint64_t> register_values() const override;
    const DiskOverlay* drive(size_t i) const override { return pci_ ? pci_->drive(i) : nullptr; }

    x86::Cpu& cpu() { return cpu_; }

private:
    CpuCore& core() override { return cpu_; }
    void restored() override;
    // An ISA interrupt line: to the 8259s and, with the APIC, to the I/O APIC.
    void isa_irq(unsigned irq, bool level);
    void wire_apic();
    void add_fw_cfg_items();
    // The tables and the APIC set-up SeaBIOS leaves before any kernel runs.
    void firmware_handover();

    IoPorts io_;
    I8259Pair pic_;
    I8254 pit_;
    SystemControlB port61_;
    Mc146818 rtc_;
    Uart16550 uart_;
    IsaDebugExit debug_exit_;
    SystemControlA port92_;
    FpuErrorPort fpu_error_;
    I8042 kbc_;
    bool apic_;  // false on `isapc`
    LocalApic lapic_;
    IoApic ioapic_;
    FwCfg fw_cfg_;
    AcpiPm acpi_pm_;
    std::unique_ptr<PcPci> pci_;  // null on `isapc`
    x86::Cpu cpu_;
};

}  // namespace emu
