// The PC's cascaded pair of 8259A interrupt controllers, port-compatible with QEMU 7.2's
// `isa-i8259` pair on `-M pc`: master at 0x20/0x21, slave at 0xA0/0xA1 on master IR2, and the
// PIIX edge/level control registers (ELCR) at 0x4D0/0x4D1. Inputs are edge triggered unless
// ELCR selects level mode for the line. The CPU sees `intr` and, when it takes the interrupt,
// calls acknowledge() for the vector (the INTA cycle).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/component.h"
#include "core/io_ports.h"
#include "core/state_archive.h"
#include "dev/irq_line.h"

namespace emu {

class I8259Pair : public PortDevice, public Component {
public:
    static constexpr uint16_t kMasterBase = 0x20;
    static constexpr uint16_t kSlaveBase = 0xA0;
    static constexpr uint16_t kElcrBase = 0x4D0;  // 0x4D0 master, 0x4D1 slave
    static constexpr unsigned kCascadeLine = 2;

    I8259Pair();

    // Ports 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1 (the board maps all three ranges here).
    // Wider accesses are split into byte accesses, as QEMU does.
    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

    // Input line 0-15 (8-15 are the slave's IR0-IR7) at `level`.
    void set_irq(unsigned line, bool level);

    // The INTA cycle: the vector for the highest-priority pending request, with ISR/IRR
    // updated. With nothing pending it returns the spurious vector IRQ7 (master base + 7, ISR
    // unchanged); a cascade request that vanished gives slave base + 7 (master ISR bit 2 set).
    int acknowledge();

    // System reset: both controllers uninitialised (vector base 0, nothing masked) and the
    // ELCR cleared, as QEMU's device reset.
    void reset();

    // Both controllers' registers and sequencer states, the ELCRs and the INT output level.
    // The ELCR masks and the master/slave roles are wiring, fixed at construction.
    void serialize(StateArchive& a) override;

    // Register views for tests and debugging.
    uint8_t irr(unsigned chip) const { return pics_[chip].irr; }
    uint8_t isr(unsigned chip) const { return pics_[chip].isr; }
    uint8_t imr(unsigned chip) const { return pics_[chip].imr; }

    IrqLine intr;  // the master's INT output to the CPU

private:
    struct Pic {
        uint8_t last_irr = 0;  // input levels, for edge detection
        uint8_t irr = 0;
        uint8_t imr = 0;
        uint8_t isr = 0;
        uint8_t priority_add = 0;  // the line with the highest priority
        uint8_t irq_base = 0;
        uint8_t read_reg_select = 0;  // OCW3: 0 reads IRR, 1 reads ISR
        uint8_t poll = 0;
        uint8_t special_mask = 0;
        uint8_t init_state = 0;  // 0 ready, 1 expects ICW2, 2 ICW3, 3 ICW4
        uint8_t auto_eoi = 0;
        uint8_t rotate_on_auto_eoi = 0;
        uint8_t special_fully_nested = 0;
        uint8_t init4 = 0;  // ICW1 announced an ICW4
        uint8_t single_mode = 0;
        uint8_t elcr = 0;        // 1 = level triggered
        uint8_t elcr_mask = 0;   // lines whose ELCR bit is writable
        bool master = false;
    };

    static void serialize_pic(StateArchive& a, std::string_view who, Pic& p);
    static int priority_of(const Pic& p, unsigned mask);
    static int pending_irq(const Pic& p);
    void update(unsigned chip);
    void set_input(unsigned chip, unsigned line, bool level);
    void intack(unsigned chip, int line);
    uint8_t poll_read(unsigned chip);
    void init_reset(unsigned chip);
    uint8_t read8(uint16_t port);
    void write8(uint16_t port, uint8_t value);

    Pic pics_[2];  // 0 master, 1 slave
};

}  // namespace emu
