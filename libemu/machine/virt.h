// The AArch64 `virt` board, address-compatible with QEMU's `-M virt -cpu cortex-a57`: RAM at
// 0x40000000, a GICv2 at 0x08000000, PL011 at 0x09000000 (SPI 1), PL031 at 0x09010000
// (SPI 2), the generic timer, PSCI over HVC/SMC, semihosting, and 32 virtio-mmio transports at
// 0x0a000000 (SPI 16 + n) with the virtio devices the configuration asks for.
// It boots as QEMU's `-kernel`, `-initrd`, `-dtb` and `-bios` do (machine/virt_boot.cpp): an
// ELF at its entry point, a Linux Image or raw kernel through QEMU's boot stub with the device
// tree's address in x0, firmware in place from the flash banks; always at EL1h with the MMU
// off and all interrupts masked. Host data reaches it only through the input gate.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/input_gate.h"
#include "cpu/a64/cpu.h"
#include "dev/arm_generic_timer.h"
#include "dev/gicv2.h"
#include "dev/pflash_cfi01.h"
#include "dev/pl011.h"
#include "dev/pl031.h"
#include "machine/board.h"
#include "machine/virt_dtb.h"
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
    // The two flash banks QEMU's virt has at 0, mapped when firmware boots.
    static constexpr PhysAddr kFlashBase = 0;

    // The RTC's start value is read from the gate here, at icount 0.
    VirtMachine(const MachineConfig& config, InputGate& gate, std::function<void(uint8_t)> serial_out);

    Result<Done> boot(const BootImages& images) override;
    std::vector<uint8_t> device_tree() const override { return device_tree_; }
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

    Result<Done> boot_elf(const BootFile& kernel, const BootImages& images);
    Result<Done> boot_linux(const BootFile& kernel, const BootImages& images);
    Result<Done> boot_firmware(const BootImages& images);
    // The tree for `spec` (generated, the user's adapted, or a recorded one as it is).
    Result<std::vector<uint8_t>> make_device_tree(const BootImages& images, const VirtDtbSpec& spec);
    Result<Done> place_device_tree(std::vector<uint8_t> tree, uint64_t at);

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
    std::unique_ptr<PflashCfi01> flash_[2];
    std::vector<uint8_t> device_tree_;
    int64_t semihosting_errno_ = 0;
};

}  // namespace emu
