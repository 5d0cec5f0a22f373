// The ARM generic timer of one CPU: the system counter (CNTVCT/CNTPCT) and the EL1 virtual and
// physical timers. The counter runs at 62.5 MHz as under QEMU 7.2, derived from virtual time
// alone, so every read is deterministic. Each timer drives its own interrupt line
// (PPI 27 virtual, PPI 30 physical on `virt`).
#pragma once

#include <cstdint>
#include <vector>

#include "core/clock.h"
#include "core/component.h"
#include "dev/irq_line.h"

namespace emu {

class StateArchive;

class ArmGenericTimer : public Component {
public:
    static constexpr uint64_t kFrequencyHz = 62'500'000;
    static constexpr uint64_t kTickNs = 1'000'000'000 / kFrequencyHz;  // 16 ns

    explicit ArmGenericTimer(VirtualClock& clock);

    // The timer's registers, which the CPU reaches as system registers (CNTFRQ_EL0,
    // CNTPCT_EL0, ..., CNTV_CVAL_EL0): the board maps one to the other.
    enum class Reg {
        Frequency,
        PhysicalCount,
        VirtualCount,
        PhysicalTimerValue,
        PhysicalControl,
        PhysicalCompare,
        VirtualTimerValue,
        VirtualControl,
        VirtualCompare,
    };
    uint64_t read(Reg reg);
    // Writes to the counts are ignored (they are read-only).
    void write(Reg reg, uint64_t value);

    uint64_t count() const { return clock_.ns() / kTickNs; }

    // CNTFRQ, both channels' CTL and CVAL and the output levels (section
    // "arm_generic_timer"). The wake-up deadlines are the VirtualClock's to save.
    void serialize(StateArchive& a) override;

    IrqLine virtual_irq;
    IrqLine physical_irq;

private:
    struct Channel {
        uint64_t ctl = 0;   // ENABLE, IMASK; ISTATUS is computed
        uint64_t cval = 0;
        VirtualClock::TimerId timer = 0;
        IrqLine* irq = nullptr;
    };
    uint64_t ctl_with_status(const Channel& ch) const;
    void update(Channel& ch);

    VirtualClock& clock_;
    uint64_t cntfrq_ = kFrequencyHz;
    Channel virt_;
    Channel phys_;
};

}  // namespace emu
