// The AArch64 `virt` board, address-compatible with QEMU's `-M virt -cpu cortex-a57`: RAM at
// 0x40000000, a GICv2 at 0x08000000, PL011 at 0x09000000 (SPI 1), PL031 at 0x09010000
// (SPI 2), the generic timer, PSCI over HVC/SMC, semihosting, and 32 virtio-mmio transports at
// 0x0a000000 (SPI 16 + n) with the virtio devices the configuration asks for.
// It runs a guest ELF the way QEMU's `-kernel` runs a non-Linux image: entry at EL1h with the
// MMU off and all interrupts masked. Host data reaches it only through the input gate.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/input_gate.h"
#include "cpu/a64/cpu.h"
#include "dev/arm_generic_timer.h"
#include "dev/gicv2.h"
#include "dev/pl011.h"
#include "dev/pl031.h"
#include "machine/board.h"
#include "machine/virtio_slots.h"

namespace emu {

class VirtMachine final : public Board, private a64::Platform {
public:
    static constexpr PhysAddr kRamBase = 0x40000000;
    static constexpr PhysAddr kUartBase = 0x09000000;
    static constexpr PhysAddr kRtcBase = 0x09010000;
    static constexpr uint64_t kDeviceSize = 0x1000;
    static constexpr PhysAddr kGicDistBase = 0x08000000;
    static constexpr PhysAddr kGicCpuBase = 0x08010000;
    static constexpr uint64_t kGicRegionSize = 0x10000;
    // Interrupt IDs as QEMU's virt wires them: PPIs for the EL1 timers, SPIs 1 and 2 for the
    // UART and the RTC.
    static constexpr unsigned kVirtualTimerPpi = 27;
    static constexpr unsigned kPhysicalTimerPpi = 30;
    static constexpr unsigned kUartIrq = Gicv2::kFirstSpi + 1;
    static constexpr unsigned kRtcIrq = Gicv2::kFirstSpi + 2;

    // The RTC's start value is read from the gate here, at icount 0.
    VirtMachine(const MachineConfig& config, InputGate& gate, std::function<void(uint8_t)> serial_out);

    Result<Done> load_kernel(const ElfImage& image) override;
    const std::vector<std::string>& register_names() const override;
    std::vector<uint64_t> register_values() const override;

    const DiskOverlay* drive(size_t i) const override;
    a64::Cpu& cpu() { return cpu_; }
    VirtioSlots& virtio() { return virtio_; }

private:
    CpuCore& core() override { return cpu_; }
    void serialize_board(StateArchive& a) override;

    bool hypervisor_call(a64::Cpu& cpu, bool is_smc, uint16_t imm) override;
    bool semihosting_call(a64::Cpu& cpu) override;
    bool timer_read(a64::Cpu& cpu, uint32_t key, uint64_t& value) override;
    bool timer_write(a64::Cpu& cpu, uint32_t key, uint64_t value) override;

    std::string read_guest_string(uint64_t addr);
    int64_t semihosting_write(uint64_t block);
    int64_t semihosting_open(uint64_t block);

    InputGate& gate_;
    Gicv2 gic_;
    Pl011 uart_;
    Pl031 rtc_;
    ArmGenericTimer timer_;
    a64::Cpu cpu_;
    VirtioSlots virtio_;
    int64_t semihosting_errno_ = 0;
};

}  // namespace emu
