#include "dev/acpi_pm.h"

namespace emu {

namespace {

// Ticks of the 3.579545 MHz timer at `ns`: ns * f / 1e9 without overflow, as QEMU's muldiv64.
uint64_t ticks_at(uint64_t ns)
{
    return static_cast<uint64_t>(static_cast<unsigned __int128>(ns) * AcpiPm::kTimerHz / 1'000'000'000u);
}

constexpr unsigned kTimerBits = 24;

}  // namespace

uint32_t AcpiPm::timer() const { return static_cast<uint32_t>(ticks_at(clock_.ns()) & ((1u << kTimerBits) - 1)); }

// TMR_STS is set whenever bit 23 of the counter has toggled since software last cleared it.
uint16_t AcpiPm::status() const
{
    uint32_t carries = static_cast<uint32_t>(ticks_at(clock_.ns()) >> (kTimerBits - 1));
    return static_cast<uint16_t>(status_ | (carries != tmr_cleared_ ? kTmrSts : 0));
}

uint8_t AcpiPm::read_byte(unsigned offset) const
{
    switch (offset) {
    case 0: return static_cast<uint8_t>(status());
    case 1: return static_cast<uint8_t>(status() >> 8);
    case 2: return static_cast<uint8_t>(enable_);
    case 3: return static_cast<uint8_t>(enable_ >> 8);
    case 4: return static_cast<uint8_t>(control_);
    case 5: return static_cast<uint8_t>(control_ >> 8);
    case 8:
    case 9:
    case 10:
    case 11: return static_cast<uint8_t>(timer() >> (8 * (offset - 8)));
    default: return 0;
    }
}

uint32_t AcpiPm::port_read(uint16_t port, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; ++i)
        v |= uint32_t{read_byte(port - kBase + i)} << (8 * i);
    return v;
}

void AcpiPm::port_write(uint16_t port, uint32_t value, unsigned size)
{
    // Each 16-bit register takes the bytes written to it; the others keep their value.
    for (unsigned i = 0; i < size;) {
        unsigned offset = port - kBase + i;
        unsigned reg = offset & ~1u;
        uint16_t mask = 0, v = 0;
        for (; i < size && ((port - kBase + i) & ~1u) == reg; ++i) {
            unsigned byte = (port - kBase + i) & 1;
            mask |= static_cast<uint16_t>(0xFF << (8 * byte));
            v |= static_cast<uint16_t>(((value >> (8 * i)) & 0xFF) << (8 * byte));
        }
        switch (reg) {
        case 0:
            if (v & mask & kTmrSts)
                tmr_cleared_ = static_cast<uint32_t>(ticks_at(clock_.ns()) >> (kTimerBits - 1));
            status_ = static_cast<uint16_t>(status_ & ~(v & mask));
            break;
        case 2: enable_ = static_cast<uint16_t>((enable_ & ~mask) | (v & mask)); break;
        case 4: {
            uint16_t written = static_cast<uint16_t>((control_ & ~mask) | (v & mask));
            control_ = static_cast<uint16_t>(written & ~kSlpEn);
            // SLP_TYP 0 is the S5 soft-off state the DSDT's \_S5 package names.
            if ((written & kSlpEn) && ((written >> 10) & 7) == 0 && power_off)
                power_off();
            break;
        }
        default: break;  // the timer is read-only
        }
    }
}

void AcpiPm::serialize(StateArchive& a)
{
    a.section("acpi-pm", 1);
    a.field("status", status_);
    a.field("enable", enable_);
    a.field("control", control_);
    a.field("tmr_cleared", tmr_cleared_);
}

}  // namespace emu
