// RAM in a snapshot: every page that is not all zeros, with its address, and the map of pages
// written since the last state hash (the next hash covers those). Loading zeroes the rest.
#pragma once

#include "core/bus.h"
#include "core/state_archive.h"

namespace emu {

void serialize_ram(StateArchive& a, Bus& bus);

}  // namespace emu
