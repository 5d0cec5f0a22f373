// A bare board for the micro benchmarks: 1 MiB of RAM at 0x40000000, no devices, and a
// platform that refuses everything. Guest code is raw A64 words written with load().
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "cpu/a64/cpu.h"

namespace emu::bench {

struct NullPlatform : a64::Platform {
    bool hypervisor_call(a64::Cpu&, bool, uint16_t) override { return false; }
    bool semihosting_call(a64::Cpu&) override { return false; }
    bool timer_read(a64::Cpu&, uint32_t, uint64_t& value) override
    {
        value = 0;
        return true;
    }
    bool timer_write(a64::Cpu&, uint32_t, uint64_t) override { return true; }
};

class BenchBoard {
public:
    static constexpr uint64_t kRamBase = 0x40000000;
    static constexpr uint64_t kRamSize = 1 << 20;

    BenchBoard() : cpu(with_ram(bus), clock, platform) { cpu.reset(kRamBase); }

    // Writes instructions at `addr`; the CPU starts at the first load()ed address.
    void load(uint64_t addr, const std::vector<uint32_t>& insns)
    {
        bus.write_bytes(addr, insns.data(), insns.size() * 4);
        if (!loaded_)
            cpu.s.pc = addr;
        loaded_ = true;
    }

    Bus bus;
    VirtualClock clock;
    NullPlatform platform;
    a64::Cpu cpu;

private:
    static Bus& with_ram(Bus& bus)
    {
        bus.add_ram(kRamBase, kRamSize);
        return bus;
    }
    bool loaded_ = false;
};

// Runs the guest `per_iteration` instructions per benchmark iteration and reports retired
// guest instructions per second. Every loop benchmarked is endless, so any stop but the budget
// or any exception taken (ESR_EL1 set) means the interpreter lacks or botches an instruction.
inline void run_guest(benchmark::State& state, BenchBoard& b, uint64_t per_iteration)
{
    uint64_t start = b.cpu.icount();
    for (auto _ : state) {
        if (b.cpu.run(per_iteration) != RunEnd::Budget) {
            state.SkipWithError(("guest stopped: " + b.cpu.stop()->detail).c_str());
            return;
        }
    }
    if (b.cpu.s.sys.esr_el1 != 0) {
        state.SkipWithError("guest took an exception");
        return;
    }
    state.counters["insns"] = benchmark::Counter(static_cast<double>(b.cpu.icount() - start), benchmark::Counter::kIsRate);
}

}  // namespace emu::bench
