// RAM in a snapshot: every page that is not all zeros, with its address, and the map of pages
// written since the last state hash (the next hash covers those). Loading zeroes the rest.
// A checkpoint stores its pages apart (deduplicated across checkpoints) and takes only the map;
// comparing two machines leaves RAM out altogether.
#pragma once

#include "core/bus.h"
#include "core/state_archive.h"

namespace emu {

enum class RamPages { Included, DirtyMap, None };

void serialize_ram(StateArchive& a, Bus& bus, RamPages pages);

// Whether n bytes are all zero: a page that snapshots and checkpoints need not hold.
bool all_zero(const uint8_t* bytes, size_t n);

}  // namespace emu
