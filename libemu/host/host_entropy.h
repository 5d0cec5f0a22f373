// Random bytes from the host (getrandom), for the recording side of the input gate only.
#pragma once

#include <cstdint>
#include <span>

namespace emu {

void host_random_bytes(std::span<uint8_t> out);

}  // namespace emu
