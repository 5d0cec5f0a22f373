// The I/O APIC of `pc`, register-compatible with QEMU 7.2's `ioapic` on the i440FX board: 24
// redirection entries, version 0x20 (with the EOI register at offset 0x40), ID 0, at
// 0xFEC00000 with IOREGSEL at offset 0x00 and IOWIN at offset 0x10.
//
// Each input pin is level-sensitive wiring. An edge-triggered entry sends its message on a
// rising edge while unmasked (an edge on a masked pin is lost, as the 82093AA manual and QEMU
// have it); a level-triggered entry sends while the pin is high and remote IRR is clear, sets
// remote IRR, and sends again after the local APIC's EOI for its vector if the pin is still
// high. Polarity is ignored: ISA lines are active high. The delivery status bit always reads 0.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "core/bus.h"
#include "core/component.h"
#include "dev/local_apic.h"

namespace emu {

class StateArchive;

class IoApic final : public MmioDevice, public Component {
public:
    static constexpr PhysAddr kDefaultBase = 0xFEC00000;
    static constexpr uint64_t kPageSize = 0x1000;
    static constexpr unsigned kPins = 24;
    static constexpr uint8_t kVersion = 0x20;
    // Register indexes through IOREGSEL.
    static constexpr uint32_t kRegId = 0x00, kRegVersion = 0x01, kRegArbitration = 0x02, kRegRedirection = 0x10;
    // Redirection entry bits.
    static constexpr uint64_t kDeliveryStatus = 1u << 12;
    static constexpr uint64_t kRemoteIrr = 1u << 14;
    static constexpr uint64_t kLevelTriggered = 1u << 15;
    static constexpr uint64_t kMasked = 1u << 16;

    IoApic() { reset(); }

    // Every entry masked and zero otherwise, ID 0, as QEMU's reset.
    void reset();

    // 32-bit accesses to IOWIN and the EOI register; IOREGSEL takes any size.
    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

    void set_irq(unsigned pin, bool level);
    // A local APIC's EOI of a level-triggered vector (or a write to the EOI register): clears
    // remote IRR of the entries with that vector and sends again where the pin is still high.
    void eoi(uint8_t vector);

    std::function<void(const ApicMessage&)> deliver;

    // IOREGSEL, the ID, the table and the pin levels (section "ioapic").
    void serialize(StateArchive& a) override;

    uint64_t entry(unsigned pin) const { return table_[pin]; }

private:
    void service(unsigned pin);

    uint32_t regsel_ = 0;
    uint8_t id_ = 0;
    std::array<uint64_t, kPins> table_{};
    uint32_t levels_ = 0;  // the input pins' levels
};

}  // namespace emu
