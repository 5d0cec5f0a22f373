// The local APIC of the one i386 CPU on `pc`, register-compatible with QEMU 7.2's `apic`
// (version 0x14 with six LVT entries, APIC ID 0, xAPIC registers in a 4 KiB page at
// IA32_APIC_BASE, 0xFEE00000 after reset).
//
// Interrupts reach the CPU through one INTR line and the acknowledge() cycle:
//  - the 8259's INTR comes in on LINT0. While the APIC is disabled (IA32_APIC_BASE global
//    enable clear, or SVR software enable clear) it passes straight through, as on a PC without
//    an APIC; once enabled, LINT0's LVT decides (ExtINT passes it through, masked drops it,
//    Fixed turns it into a vector, NMI into an NMI). ExtINT goes ahead of APIC vectors, which
//    ignore the priority, as QEMU does; acknowledge() then runs the 8259's INTA cycle.
//  - fixed interrupts (the timer and the other LVT entries, I/O APIC messages, self-IPIs) wait
//    in the IRR; the highest is delivered when its priority class is above the PPR, and
//    acknowledge() moves it to the ISR. An EOI retires the highest ISR bit and, when the TMR says
//    the vector was level-triggered, broadcasts it to the I/O APIC.
//
// The timer counts virtual nanoseconds (QEMU's 1 GHz APIC bus clock) shifted right by the
// divide configuration, in one-shot or periodic mode; there is no TSC-deadline mode. As in QEMU,
// the divider is 1 after reset until the guest writes the divide configuration register.
//
// Where QEMU 7.2 departs from the hardware, this follows QEMU (LVT and ICR values read back as
// written, APR reads 0, disabling the APIC through IA32_APIC_BASE lasts until reset), except:
// the ESR latches errors only when written (write-before-read), vectors 0-15 are refused with
// an error, and IA32_APIC_BASE moves the register page (through `relocated`).
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "core/bus.h"
#include "core/clock.h"
#include "core/component.h"
#include "dev/irq_line.h"

namespace emu {

class StateArchive;

// An interrupt message on the APIC bus: from the I/O APIC, or an IPI.
struct ApicMessage {
    enum class Mode : uint8_t { Fixed = 0, LowestPriority = 1, Smi = 2, Nmi = 4, Init = 5, StartUp = 6, ExtInt = 7 };
    uint8_t vector = 0;
    Mode mode = Mode::Fixed;
    bool level_triggered = false;
    bool logical = false;  // destination mode: logical (LDR/DFR) or physical (APIC ID)
    uint8_t destination = 0;
};

class LocalApic final : public MmioDevice, public Component {
public:
    static constexpr uint32_t kMsrApicBase = 0x1B;
    static constexpr PhysAddr kDefaultBase = 0xFEE00000;
    static constexpr uint64_t kPageSize = 0x1000;
    static constexpr uint64_t kBaseBsp = 1u << 8;
    static constexpr uint64_t kBaseEnable = 1u << 11;
    static constexpr uint32_t kVersion = 0x00050014;  // version 0x14, highest LVT entry 5

    // Register offsets in the page.
    enum Reg : uint32_t {
        kId = 0x20, kVersionReg = 0x30, kTpr = 0x80, kApr = 0x90, kPpr = 0xA0, kEoi = 0xB0, kLdr = 0xD0,
        kDfr = 0xE0, kSvr = 0xF0, kIsr = 0x100, kTmr = 0x180, kIrr = 0x200, kEsr = 0x280, kIcrLow = 0x300,
        kIcrHigh = 0x310, kLvtTimer = 0x320, kLvtThermal = 0x330, kLvtPerf = 0x340, kLvtLint0 = 0x350,
        kLvtLint1 = 0x360, kLvtError = 0x370, kTimerInitial = 0x380, kTimerCurrent = 0x390, kTimerDivide = 0x3E0,
    };
    // ESR bits.
    static constexpr uint32_t kEsrSendIllegalVector = 1u << 5;
    static constexpr uint32_t kEsrReceiveIllegalVector = 1u << 6;
    static constexpr uint32_t kEsrIllegalRegister = 1u << 7;

    explicit LocalApic(VirtualClock& clock);

    // Power-on state, as QEMU's device reset: enabled in IA32_APIC_BASE, software disabled
    // (SVR 0xFF), every LVT entry masked except LINT0, which is ExtINT.
    void reset();

    // IA32_APIC_BASE. A write with reserved bits set is refused (the CPU raises #GP).
    uint64_t base_msr() const { return apicbase_; }
    bool write_base_msr(uint64_t value);
    bool globally_enabled() const { return apicbase_ & kBaseEnable; }
    PhysAddr page_base() const { return apicbase_ & 0xFFFFF000u; }

    // The register page; accesses narrower than 32 bits read 0 and are ignored, as in QEMU.
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

    // The local interrupt pins: LINT0 carries the 8259's INTR, LINT1 the NMI wire.
    void set_lint0(bool level);
    void set_lint1(bool level);
    // A message from the I/O APIC (or another bus agent) that this APIC may accept.
    void receive(const ApicMessage& m);
    // Whether a message for `destination` in this destination mode names this APIC.
    bool is_destination(uint8_t destination, bool logical) const;

    // The INTA cycle: the 8259's vector when LINT0 passes it through, else the highest
    // deliverable vector (moved from the IRR to the ISR), else the spurious vector.
    uint8_t acknowledge();

    // The CPU's INTR line.
    IrqLine intr;
    // An NMI for the CPU (LINT1, an NMI message or IPI); edge, no state here.
    std::function<void()> nmi;
    // The 8259's INTA cycle, for ExtINT.
    std::function<uint8_t()> pic_acknowledge;
    // EOI of a level-triggered vector, for the I/O APIC's remote IRR.
    std::function<void(uint8_t vector)> eoi_broadcast;
    // IA32_APIC_BASE moved the register page.
    std::function<void(PhysAddr old_base, PhysAddr new_base)> relocated;

    // Every register, the timer's start time and the pin levels (section "local-apic"). The
    // timer deadline is the VirtualClock's to save; the page base is restored without calling
    // `relocated` (the board maps it from page_base()).
    void serialize(StateArchive& a) override;

    // Register views for tests and debugging.
    uint32_t read_register(uint32_t offset) { return static_cast<uint32_t>(mmio_read(offset, 4)); }
    void write_register(uint32_t offset, uint32_t value) { mmio_write(offset, value, 4); }
    bool irr(uint8_t vector) const { return bit(irr_, vector); }
    bool isr(uint8_t vector) const { return bit(isr_, vector); }
    bool tmr(uint8_t vector) const { return bit(tmr_, vector); }

private:
    using Bits = std::array<uint32_t, 8>;
    enum Lvt : unsigned { kLvtTimerIdx, kLvtThermalIdx, kLvtPerfIdx, kLvtLint0Idx, kLvtLint1Idx, kLvtErrorIdx, kLvtCount };

    static bool bit(const Bits& b, unsigned v) { return (b[v / 32] >> (v % 32)) & 1; }
    static void set_bit(Bits& b, unsigned v, bool on);
    static int highest(const Bits& b);

    bool bypassed() const;
    bool pic_passes() const;
    int deliverable() const;
    uint8_t ppr() const;
    void update_intr();
    void accept(uint8_t vector, bool level_triggered);
    void local_deliver(Lvt which);
    void signal_error(uint32_t esr_bit);
    void eoi();
    void send_ipi();
    uint32_t current_count() const;
    void update_timer();
    void timer_fired();

    VirtualClock& clock_;
    VirtualClock::TimerId timer_;

    uint64_t apicbase_ = 0;
    uint8_t id_ = 0;
    uint8_t tpr_ = 0;
    uint32_t svr_ = 0;
    uint8_t ldr_ = 0;       // logical APIC ID, LDR bits 31-24
    uint8_t dfr_model_ = 0; // DFR bits 31-28: 0xF flat, 0x0 cluster
    Bits isr_{}, tmr_{}, irr_{};
    std::array<uint32_t, kLvtCount> lvt_{};
    uint32_t esr_ = 0;          // what the guest reads
    uint32_t esr_pending_ = 0;  // errors since the last ESR write
    uint32_t icr_low_ = 0, icr_high_ = 0;
    uint32_t divide_ = 0;
    uint8_t count_shift_ = 0;
    uint32_t initial_count_ = 0;
    uint64_t load_ns_ = 0;  // virtual time of the last initial-count write
    bool lint0_ = false, lint1_ = false;
};

}  // namespace emu
