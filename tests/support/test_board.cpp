#include "support/test_board.h"

namespace emu::test {

bool RecordingPlatform::hypervisor_call(a64::Cpu&, bool is_smc, uint16_t imm)
{
    hypervisor_calls.push_back({is_smc, imm});
    return accept_hypervisor_calls;
}

bool RecordingPlatform::semihosting_call(a64::Cpu&)
{
    semihosting_calls++;
    return true;
}

bool RecordingPlatform::timer_read(a64::Cpu&, uint32_t, uint64_t& value)
{
    value = 0;
    return true;
}

bool RecordingPlatform::timer_write(a64::Cpu&, uint32_t, uint64_t) { return true; }

static Bus& with_ram(Bus& bus, uint64_t base, uint64_t size)
{
    bus.add_ram(base, size);
    return bus;
}

A64TestBoard::A64TestBoard(uint64_t ram_base, uint64_t ram_size)
    : cpu(with_ram(bus, ram_base, ram_size), clock, platform)
{
    cpu.reset(ram_base);
}

void A64TestBoard::load(uint64_t addr, const std::vector<uint32_t>& insns)
{
    bus.write_bytes(addr, insns.data(), insns.size() * 4);
    cpu.s.pc = addr;
}

uint64_t A64TestBoard::read64(uint64_t addr)
{
    uint64_t v = 0;
    bus.read_bytes(addr, &v, 8);
    return v;
}

void A64TestBoard::write64(uint64_t addr, uint64_t v) { bus.write_bytes(addr, &v, 8); }

}  // namespace emu::test
