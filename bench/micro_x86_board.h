// A bare i386 board for the micro benchmarks: 1 MiB of RAM at 0, no devices, the CPU in flat
// 32-bit protected mode with paging off, code at kX86Code. Guest code is raw bytes written
// with load().
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/io_ports.h"
#include "cpu/x86/cpu.h"

namespace emu::bench {

constexpr uint32_t kX86Code = 0x1000;
constexpr uint32_t kX86Data = 0x8000;

class X86BenchBoard {
public:
    // chaining off: every block from the run loop, the plain reference (Engine::set_chaining).
    explicit X86BenchBoard(bool chaining = true) : cpu(with_ram(bus), io, clock)
    {
        cpu.reset_flat(kX86Code);
        cpu.s.r[x86::kEsp] = 0x80000;
        cpu.set_chaining(chaining);
    }
    void load(const std::vector<uint8_t>& code) { bus.write_bytes(kX86Code, code.data(), code.size()); }

    Bus bus;
    IoPorts io;
    VirtualClock clock;
    x86::Cpu cpu;

private:
    static Bus& with_ram(Bus& bus)
    {
        bus.add_ram(0, 1 << 20);
        return bus;
    }
};

// Runs the guest `per_iteration` instructions per benchmark iteration and reports retired
// guest instructions per second. Every loop benchmarked is endless: any other end is an error.
inline void run_x86_guest(benchmark::State& state, X86BenchBoard& b, uint64_t per_iteration)
{
    uint64_t start = b.cpu.icount();
    for (auto _ : state) {
        if (b.cpu.run(per_iteration) != RunEnd::Budget) {
            state.SkipWithError("guest stopped");
            return;
        }
    }
    state.counters["insns"] = benchmark::Counter(static_cast<double>(b.cpu.icount() - start), benchmark::Counter::kIsRate);
}

}  // namespace emu::bench
