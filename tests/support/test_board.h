// A bare board for CPU tests: RAM, no devices, and a platform that records what the CPU asked
// for (hypervisor calls, semihosting) instead of acting on it.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "cpu/a64/cpu.h"

namespace emu::test {

struct RecordingPlatform : a64::Platform {
    struct Call {
        bool is_smc;
        uint16_t imm;
    };
    std::vector<Call> hypervisor_calls;
    unsigned semihosting_calls = 0;
    bool accept_hypervisor_calls = true;

    bool hypervisor_call(a64::Cpu&, bool is_smc, uint16_t imm) override;
    bool semihosting_call(a64::Cpu&) override;
    bool timer_read(a64::Cpu&, uint32_t, uint64_t& value) override;
    bool timer_write(a64::Cpu&, uint32_t, uint64_t) override;
};

// RAM at `ram_base` of `ram_size` bytes; code is written with load() and run with run().
class A64TestBoard {
public:
    static constexpr uint64_t kDefaultRamBase = 0x40000000;

    explicit A64TestBoard(uint64_t ram_base = kDefaultRamBase, uint64_t ram_size = 1 << 20);

    // Writes instructions at `addr` and points the CPU there.
    void load(uint64_t addr, const std::vector<uint32_t>& insns);
    uint64_t read64(uint64_t addr);
    void write64(uint64_t addr, uint64_t v);

    Bus bus;
    VirtualClock clock;
    RecordingPlatform platform;
    a64::Cpu cpu;
};

}  // namespace emu::test
