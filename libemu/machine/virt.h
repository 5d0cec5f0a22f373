// The AArch64 `virt` board, address-compatible with QEMU's `-M virt -cpu cortex-a57`: RAM at
// 0x40000000, a GICv2 at 0x08000000, PL011 at 0x09000000, the generic timer, PSCI over HVC/SMC
// and semihosting.
// It runs a guest ELF the way QEMU's `-kernel` runs a non-Linux image: entry at EL1h with the
// MMU off and all interrupts masked.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/bus.h"
#include "core/clock.h"
#include "core/result.h"
#include "cpu/a64/cpu.h"
#include "dev/arm_generic_timer.h"
#include "dev/gicv2.h"
#include "dev/pl011.h"
#include "machine/elf_loader.h"

namespace emu {

struct VirtConfig {
    uint64_t ram_size = uint64_t{128} << 20;
    unsigned icount_shift = 0;
};

// Why a machine stopped running.
enum class StopKind {
    PowerOff,     // PSCI SYSTEM_OFF
    Reset,        // PSCI SYSTEM_RESET
    GuestExit,    // semihosting SYS_EXIT / SYS_EXIT_EXTENDED, with an exit code
    InsnLimit,    // the instruction budget given to run() is used up
    Stuck,        // idle with no timer armed and nothing that could wake it
    Unsupported,  // the guest needs something the emulator lacks
};

const char* stop_kind_name(StopKind k);

struct RunOutcome {
    StopKind kind = StopKind::InsnLimit;
    int exit_code = 0;
    uint64_t icount = 0;
    std::string detail;
};

class VirtMachine : private a64::Platform {
public:
    static constexpr PhysAddr kRamBase = 0x40000000;
    static constexpr PhysAddr kUartBase = 0x09000000;
    static constexpr uint64_t kUartSize = 0x1000;
    static constexpr PhysAddr kGicDistBase = 0x08000000;
    static constexpr PhysAddr kGicCpuBase = 0x08010000;
    static constexpr uint64_t kGicRegionSize = 0x10000;
    // Interrupt IDs as QEMU's virt wires them: PPIs for the EL1 timers, SPI 1 for the UART.
    static constexpr unsigned kVirtualTimerPpi = 27;
    static constexpr unsigned kPhysicalTimerPpi = 30;
    static constexpr unsigned kUartIrq = Gicv2::kFirstSpi + 1;

    VirtMachine(const VirtConfig& config, std::function<void(uint8_t)> serial_out);

    Result<Done> load_kernel(const ElfImage& image);

    // Runs until the guest stops the machine or `max_insns` more instructions have retired.
    RunOutcome run(uint64_t max_insns);

    a64::Cpu& cpu() { return cpu_; }

private:
    bool hypervisor_call(a64::Cpu& cpu, bool is_smc, uint16_t imm) override;
    bool semihosting_call(a64::Cpu& cpu) override;
    bool timer_read(a64::Cpu& cpu, uint32_t key, uint64_t& value) override;
    bool timer_write(a64::Cpu& cpu, uint32_t key, uint64_t value) override;

    void stop(StopKind kind, int exit_code = 0);
    std::string read_guest_string(uint64_t addr);

    Bus bus_;
    VirtualClock clock_;
    Gicv2 gic_;
    Pl011 uart_;
    ArmGenericTimer timer_;
    a64::Cpu cpu_;
    std::function<void(uint8_t)> serial_out_;
    bool stopped_ = false;
    RunOutcome pending_;
};

}  // namespace emu
