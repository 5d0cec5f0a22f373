#include "dev/i8259.h"

#include <string>

namespace emu {

namespace {

constexpr unsigned kMaster = 0;
constexpr unsigned kSlave = 1;
constexpr int kNoPriority = 8;

}  // namespace

I8259Pair::I8259Pair()
{
    pics_[kMaster].master = true;
    // The PIIX ELCR cannot make the timer, keyboard, cascade, RTC or FPU lines level
    // triggered: QEMU's elcr_mask is 0xF8 for the master, 0xDE for the slave.
    pics_[kMaster].elcr_mask = 0xF8;
    pics_[kSlave].elcr_mask = 0xDE;
    reset();
}

void I8259Pair::reset()
{
    for (unsigned chip : {kSlave, kMaster}) {
        pics_[chip].elcr = 0;
        init_reset(chip);
    }
}

// Priority 0 is the highest; lines are numbered from priority_add (rotation).
int I8259Pair::priority_of(const Pic& p, unsigned mask)
{
    if ((mask & 0xFF) == 0)
        return kNoPriority;
    int priority = 0;
    while (!(mask & (1u << ((priority + p.priority_add) & 7))))
        priority++;
    return priority;
}

// The line this controller would present, or -1: the highest-priority unmasked request that
// outranks everything in service. In special fully nested mode the master does not let an
// in-service cascade line block further slave requests.
int I8259Pair::pending_irq(const Pic& p)
{
    int priority = priority_of(p, p.irr & ~p.imr);
    if (priority == kNoPriority)
        return -1;
    unsigned in_service = p.isr;
    if (p.special_mask)
        in_service &= ~p.imr;
    if (p.special_fully_nested && p.master)
        in_service &= ~(1u << kCascadeLine);
    int current = priority_of(p, in_service);
    if (priority < current)
        return (priority + p.priority_add) & 7;
    return -1;
}

void I8259Pair::update(unsigned chip)
{
    bool level = pending_irq(pics_[chip]) >= 0;
    if (chip == kSlave)
        set_input(kMaster, kCascadeLine, level);
    else
        intr.set(level);
}

void I8259Pair::set_input(unsigned chip, unsigned line, bool level)
{
    Pic& p = pics_[chip];
    uint8_t mask = static_cast<uint8_t>(1u << line);
    if (p.elcr & mask) {
        // Level triggered: IRR follows the input.
        if (level) {
            p.irr |= mask;
            p.last_irr |= mask;
        } else {
            p.irr &= static_cast<uint8_t>(~mask);
            p.last_irr &= static_cast<uint8_t>(~mask);
        }
    } else {
        // Edge triggered: a rising edge latches a request; a falling edge does not clear it.
        if (level) {
            if (!(p.last_irr & mask))
                p.irr |= mask;
            p.last_irr |= mask;
        } else {
            p.last_irr &= static_cast<uint8_t>(~mask);
        }
    }
    update(chip);
}

void I8259Pair::set_irq(unsigned line, bool level)
{
    if (line < 8)
        set_input(kMaster, line, level);
    else if (line < 16)
        set_input(kSlave, line - 8, level);
}

void I8259Pair::intack(unsigned chip, int line)
{
    Pic& p = pics_[chip];
    uint8_t mask = static_cast<uint8_t>(1u << line);
    if (p.auto_eoi) {
        if (p.rotate_on_auto_eoi)
            p.priority_add = static_cast<uint8_t>((line + 1) & 7);
    } else {
        p.isr |= mask;
    }
    // A level-triggered request stays in IRR while its input is high.
    if (!(p.elcr & mask))
        p.irr &= static_cast<uint8_t>(~mask);
    update(chip);
}

int I8259Pair::acknowledge()
{
    Pic& m = pics_[kMaster];
    Pic& s = pics_[kSlave];
    int line = pending_irq(m);
    if (line < 0) {
        // Spurious interrupt on the master: IRQ7's vector, nothing put in service.
        return m.irq_base + 7;
    }
    int vector;
    if (line == static_cast<int>(kCascadeLine)) {
        int line2 = pending_irq(s);
        if (line2 >= 0) {
            intack(kSlave, line2);
        } else {
            line2 = 7;  // spurious on the slave; the master still takes IR2 in service
        }
        vector = s.irq_base + line2;
    } else {
        vector = m.irq_base + line;
    }
    intack(kMaster, line);
    return vector;
}

void I8259Pair::init_reset(unsigned chip)
{
    Pic& p = pics_[chip];
    p.last_irr = 0;
    p.irr &= p.elcr;  // level-triggered requests survive (ELCR is not reset here)
    p.imr = 0;
    p.isr = 0;
    p.priority_add = 0;
    p.irq_base = 0;
    p.read_reg_select = 0;
    p.poll = 0;
    p.special_mask = 0;
    p.init_state = 0;
    p.auto_eoi = 0;
    p.rotate_on_auto_eoi = 0;
    p.special_fully_nested = 0;
    p.init4 = 0;
    p.single_mode = 0;
    update(chip);
}

// Poll mode (OCW3 bit 2): the read acknowledges like INTA and returns 0x80 | line, or 0.
uint8_t I8259Pair::poll_read(unsigned chip)
{
    int line = pending_irq(pics_[chip]);
    if (line < 0)
        return 0;
    intack(chip, line);
    return static_cast<uint8_t>(0x80 | line);
}

uint8_t I8259Pair::read8(uint16_t port)
{
    if (port == kElcrBase || port == kElcrBase + 1)
        return pics_[port - kElcrBase].elcr;
    if ((port & ~1u) != kMasterBase && (port & ~1u) != kSlaveBase)
        return 0xFF;  // past the end of a range, through a wide access
    unsigned chip = (port & ~1u) == kSlaveBase ? kSlave : kMaster;
    Pic& p = pics_[chip];
    if (p.poll) {
        p.poll = 0;
        return poll_read(chip);
    }
    if ((port & 1) == 0)
        return p.read_reg_select ? p.isr : p.irr;
    return p.imr;
}

void I8259Pair::write8(uint16_t port, uint8_t value)
{
    if (port == kElcrBase || port == kElcrBase + 1) {
        Pic& p = pics_[port - kElcrBase];
        p.elcr = value & p.elcr_mask;  // takes effect on the next input change, as in QEMU
        return;
    }
    if ((port & ~1u) != kMasterBase && (port & ~1u) != kSlaveBase)
        return;
    unsigned chip = (port & ~1u) == kSlaveBase ? kSlave : kMaster;
    Pic& p = pics_[chip];
    if ((port & 1) == 0) {
        if (value & 0x10) {
            // ICW1. LTIM (bit 3) is ignored: trigger mode comes from the ELCR, as in QEMU.
            init_reset(chip);
            p.init_state = 1;
            p.init4 = value & 1;
            p.single_mode = (value >> 1) & 1;
        } else if (value & 0x08) {
            // OCW3.
            if (value & 0x04)
                p.poll = 1;
            if (value & 0x02)
                p.read_reg_select = value & 1;
            if (value & 0x40)
                p.special_mask = (value >> 5) & 1;
        } else {
            // OCW2: R, SL, EOI in bits 7-5, the line in bits 2-0.
            unsigned cmd = value >> 5;
            switch (cmd) {
            case 0:  // rotate in automatic EOI mode: clear
            case 4:  // ... set
                p.rotate_on_auto_eoi = static_cast<uint8_t>(cmd >> 2);
                break;
            case 1:  // non-specific EOI
            case 5: {  // rotate on non-specific EOI
                int priority = priority_of(p, p.isr);
                if (priority != kNoPriority) {
                    unsigned line = (priority + p.priority_add) & 7;
                    p.isr &= static_cast<uint8_t>(~(1u << line));
                    if (cmd == 5)
                        p.priority_add = static_cast<uint8_t>((line + 1) & 7);
                    update(chip);
                }
                break;
            }
            case 3: {  // specific EOI
                unsigned line = value & 7;
                p.isr &= static_cast<uint8_t>(~(1u << line));
                update(chip);
                break;
            }
            case 6:  // set priority: the given line becomes the lowest
                p.priority_add = static_cast<uint8_t>((value + 1) & 7);
                update(chip);
                break;
            case 7: {  // rotate on specific EOI
                unsigned line = value & 7;
                p.isr &= static_cast<uint8_t>(~(1u << line));
                p.priority_add = static_cast<uint8_t>((line + 1) & 7);
                update(chip);
                break;
            }
            default: break;  // 2: no operation
            }
        }
        return;
    }
    switch (p.init_state) {
    case 0:  // OCW1
        p.imr = value;
        update(chip);
        break;
    case 1:  // ICW2: vector base
        p.irq_base = value & 0xF8;
        p.init_state = p.single_mode ? (p.init4 ? 3 : 0) : 2;
        break;
    case 2:  // ICW3: cascade wiring, fixed on a PC
        p.init_state = p.init4 ? 3 : 0;
        break;
    case 3:  // ICW4
        p.special_fully_nested = (value >> 4) & 1;
        p.auto_eoi = (value >> 1) & 1;
        p.init_state = 0;
        break;
    default: break;
    }
}

uint32_t I8259Pair::port_read(uint16_t port, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= uint32_t{read8(static_cast<uint16_t>(port + i))} << (8 * i);
    return v;
}

void I8259Pair::port_write(uint16_t port, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        write8(static_cast<uint16_t>(port + i), static_cast<uint8_t>(value >> (8 * i)));
}

// Field names carry the chip ("master.irr", "slave.irr") so that a listing reads by itself.
void I8259Pair::serialize_pic(StateArchive& a, std::string_view who, Pic& p)
{
    auto name = [who](std::string_view f) { return std::string(who) + "." + std::string(f); };
    a.field(name("last_irr"), p.last_irr);
    a.field(name("irr"), p.irr);
    a.field(name("imr"), p.imr);
    a.field(name("isr"), p.isr);
    a.field(name("priority_add"), p.priority_add);
    a.field(name("irq_base"), p.irq_base);
    a.field(name("read_reg_select"), p.read_reg_select);
    a.field(name("poll"), p.poll);
    a.field(name("special_mask"), p.special_mask);
    a.field(name("init_state"), p.init_state);
    a.field(name("auto_eoi"), p.auto_eoi);
    a.field(name("rotate_on_auto_eoi"), p.rotate_on_auto_eoi);
    a.field(name("special_fully_nested"), p.special_fully_nested);
    a.field(name("init4"), p.init4);
    a.field(name("single_mode"), p.single_mode);
    a.field(name("elcr"), p.elcr);
}

void I8259Pair::serialize(StateArchive& a)
{
    a.section("i8259", 1);
    serialize_pic(a, "master", pics_[kMaster]);
    serialize_pic(a, "slave", pics_[kSlave]);
    // Stored, not recomputed: an OCW3 special-mask change does not re-evaluate the output.
    bool level = intr.level();
    a.field("intr", level);
    if (a.loading())
        intr.restore_level(level);
}


}  // namespace emu
