// The RAM part of a state hash: the pages written since the previous hash, each with its
// address, in address order. Hashing clears their dirty marks.
#pragma once

#include <cstdint>

#include "core/bus.h"

namespace emu {

uint64_t hash_dirty_pages(Bus& bus, uint32_t& pages);

}  // namespace emu
