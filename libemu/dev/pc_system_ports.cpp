#include "dev/pc_system_ports.h"

namespace emu {

uint32_t IsaDebugExit::port_read(uint16_t, unsigned) { return 0; }

void IsaDebugExit::port_write(uint16_t port, uint32_t value, unsigned size)
{
    if (port < iobase_ || port - iobase_ >= iosize_)
        return;
    uint32_t v = size >= 4 ? value : value & ((1u << (8 * size)) - 1);
    if (on_exit_)
        on_exit_(static_cast<int>((v << 1) | 1));
}

uint32_t SystemControlA::port_read(uint16_t, unsigned) { return value_; }

void SystemControlA::port_write(uint16_t, uint32_t value, unsigned)
{
    uint8_t old = value_;
    value_ = static_cast<uint8_t>(value);
    if (set_a20)
        set_a20((value_ >> 1) & 1);
    if ((value_ & 1) && !(old & 1) && reset_request)
        reset_request();
}

void SystemControlA::serialize(StateArchive& a)
{
    a.section("port92", 1);
    a.field("value", value_);
}

void FpuErrorPort::set_ferr(bool level)
{
    if (level && !ferr_ && !irq_) {
        irq_ = true;
        if (irq)
            irq(true);
    }
    ferr_ = level;
}

uint32_t FpuErrorPort::port_read(uint16_t, unsigned size) { return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1; }

void FpuErrorPort::port_write(uint16_t, uint32_t, unsigned)
{
    if (irq_) {
        irq_ = false;
        if (irq)
            irq(false);
    }
    if (ferr_ && assert_ignne)
        assert_ignne();
}

void FpuErrorPort::serialize(StateArchive& a)
{
    a.section("fpu-error", 1);
    a.field("ferr", ferr_);
    a.field("irq", irq_);
}

}  // namespace emu
