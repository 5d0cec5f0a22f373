// Hands a device's input port bytes one at a time, as unit tests of UARTs do.
#pragma once

#include <cstdint>

#include "core/input_gate.h"

namespace emu::test {

inline void receive_byte(InputPort& port, uint8_t byte) { port.receive({&byte, 1}); }

}  // namespace emu::test
