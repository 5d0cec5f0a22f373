#include "host/host_clock.h"

#include <chrono>

namespace emu {

template <class Clock>
static uint64_t since_epoch_ns()
{
    auto d = Clock::now().time_since_epoch();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

uint64_t host_realtime_ns() { return since_epoch_ns<std::chrono::system_clock>(); }

uint64_t host_monotonic_ns() { return since_epoch_ns<std::chrono::steady_clock>(); }

}  // namespace emu
