// ARM Generic Interrupt Controller v2 (ARM IHI 0048B) for one CPU, without the Security
// Extensions (so the aliased GICC_AIAR/AEOIR/AHPPIR read as zero), laid out as on QEMU's
// `-M virt`: the distributor and the CPU interface are two register windows. IDs 0-15 are SGIs,
// 16-31 PPIs, 32 and up SPIs. Devices drive inputs with set_input(); the controller drives the
// CPU's IRQ and FIQ inputs. Everything it holds is guest state, so it is deterministic by
// construction.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <vector>

#include "core/bus.h"
#include "core/component.h"
#include "dev/irq_line.h"

namespace emu {

class StateArchive;

class Gicv2 : public Component {
public:
    // QEMU's virt has 256 SPIs on top of the 32 private interrupts.
    static constexpr unsigned kNumIrqs = 288;
    static constexpr unsigned kFirstPpi = 16;
    static constexpr unsigned kFirstSpi = 32;
    static constexpr uint32_t kSpuriousGroup1 = 1022;  // IAR: the best candidate is Group 1, AckCtl=0
    static constexpr uint32_t kSpurious = 1023;        // IAR: nothing to acknowledge

    Gicv2();

    // The level of a device's interrupt wire (PPI or SPI).
    void set_input(unsigned irq, bool level);

    // The distributor's and the CPU interface's registers, the input levels and the IRQ and
    // FIQ output levels (section "gicv2"). Loading emits no output change: the CPU's own state
    // holds what it was told.
    void serialize(StateArchive& a) override;

    MmioDevice& distributor() { return dist_; }
    MmioDevice& cpu_interface() { return cpu_; }

    IrqLine irq;
    IrqLine fiq;  // Group 0 goes here only while GICC_CTLR.FIQEn is set

private:
    struct Distributor final : MmioDevice {
        explicit Distributor(Gicv2& g) : gic(g) {}
        uint64_t mmio_read(uint64_t offset, unsigned size) override;
        void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;
        Gicv2& gic;
    };
    struct CpuInterface final : MmioDevice {
        explicit CpuInterface(Gicv2& g) : gic(g) {}
        uint64_t mmio_read(uint64_t offset, unsigned size) override;
        void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;
        Gicv2& gic;
    };

    // The distributor is byte-addressable apart from GICD_SGIR, so its registers are modelled
    // one byte at a time and wider accesses are composed from bytes.
    uint8_t dist_read_byte(uint64_t offset) const;
    void dist_write_byte(uint64_t offset, uint8_t value);
    uint32_t cpu_read(uint64_t offset);
    void cpu_write(uint64_t offset, uint32_t value);

    bool pending(unsigned irq) const;
    bool is_edge(unsigned irq) const { return (cfg_[irq / 16] >> (2 * (irq % 16) + 1)) & 1; }
    // The highest-priority interrupt the distributor forwards to the CPU interface, lowest ID
    // first among equals, or kSpurious.
    unsigned highest_pending() const;
    uint8_t group_priority(uint8_t priority, bool group1) const;
    uint8_t running_priority() const;
    // Whether `irq` passes the CPU interface's mask, group enables and preemption rule.
    bool can_signal(unsigned irq) const;
    uint32_t acknowledge();
    void end_of_interrupt(uint32_t value);
    void deactivate(uint32_t value);
    void update();

    Distributor dist_{*this};
    CpuInterface cpu_{*this};

    uint32_t dist_ctlr_ = 0;  // EnableGrp0, EnableGrp1
    std::bitset<kNumIrqs> group1_;
    std::bitset<kNumIrqs> enabled_;
    std::bitset<kNumIrqs> latched_;  // pending from an edge, a software set or an SGI
    std::bitset<kNumIrqs> active_;
    std::bitset<kNumIrqs> level_;    // input wire levels
    std::array<uint8_t, kNumIrqs> priority_{};
    std::array<uint32_t, kNumIrqs / 16> cfg_{};

    uint32_t cpu_ctlr_ = 0;
    uint8_t pmr_ = 0;
    uint8_t bpr_ = kMinBpr;
    uint8_t abpr_ = kMinBpr + 1;
    // Group priorities of the interrupts acknowledged and not yet priority-dropped (GICC_APRn).
    std::bitset<256> active_priorities_;

    static constexpr uint8_t kMinBpr = 0;  // all eight priority bits are implemented
};

}  // namespace emu
