// The host's clocks. Only the record side of the input gate calls these; devices get time
// from the virtual clock, or a host time that the gate recorded.
#pragma once

#include <cstdint>

namespace emu {

// Nanoseconds since the Unix epoch.
uint64_t host_realtime_ns();
// Nanoseconds on a clock that never jumps, from an arbitrary origin.
uint64_t host_monotonic_ns();

}  // namespace emu
