// The ACPI power-management registers of QEMU's PIIX4 PM function as SeaBIOS leaves them (I/O
// base 0x600), which the FADT names (machine/pc_firmware_tables.h): the PM1a event block
// (status and enable, 0x600 and 0x602), the PM1a control block (0x604) and the PM timer
// (0x608), a 24-bit counter at 3.579545 MHz derived from virtual time as QEMU derives it.
// Writing SLP_EN with SLP_TYP 0 (the \_S5 package of the DSDT) powers the machine off.
//
// The machine starts in ACPI mode (SCI_EN set, and the FADT has no SMI command port), and no
// event raises the SCI: the timer's overflow sets TMR_STS but there is no power button, RTC
// alarm or general-purpose event, and an enabled TMR_EN is not delivered (QEMU would). Linux
// does not enable it.
#pragma once

#include <cstdint>
#include <functional>

#include "core/clock.h"
#include "core/component.h"
#include "core/io_ports.h"
#include "core/state_archive.h"

namespace emu {

class AcpiPm : public PortDevice, public Component {
public:
    static constexpr uint16_t kBase = 0x600;
    static constexpr uint16_t kPortCount = 12;
    static constexpr uint16_t kPm1EventBlock = kBase;        // 4 bytes: status, enable
    static constexpr uint16_t kPm1ControlBlock = kBase + 4;  // 2 bytes
    static constexpr uint16_t kPmTimerBlock = kBase + 8;     // 4 bytes
    static constexpr uint64_t kTimerHz = 3'579'545;

    static constexpr uint16_t kTmrSts = 1u << 0;
    static constexpr uint16_t kSciEn = 1u << 0;
    static constexpr uint16_t kSlpEn = 1u << 13;

    explicit AcpiPm(const VirtualClock& clock) : clock_(clock) {}

    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;
    // The timer's count now (24 bits).
    uint32_t timer() const;
    void serialize(StateArchive& a) override;

    std::function<void()> power_off;

private:
    uint8_t read_byte(unsigned offset) const;
    uint16_t status() const;

    const VirtualClock& clock_;
    uint16_t status_ = 0;        // bits cleared by writing ones (TMR_STS is the timer's)
    uint16_t enable_ = 0;
    uint16_t control_ = kSciEn;  // SLP_EN reads as zero
    uint32_t tmr_cleared_ = 0;   // the timer's carry count when TMR_STS was last cleared
};

}  // namespace emu
