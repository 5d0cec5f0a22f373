// rr-inspect's view of a recording's checkpoints: the listing (--checkpoints) and the check
// --verify makes of each one: it restores into a fresh replay, matches the state hash recorded
// with it (CPU, devices, output), and replays on to the next state hash, which must match too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "replay/run/checkpoint_index.h"
#include "replay/format/recording_scan.h"

namespace emu::inspect {

std::string checkpoints_text(const CheckpointIndex& index);
std::string checkpoints_json(const CheckpointIndex& index);

// One line per checkpoint ("checkpoint 2 at icount 300000000: ok"); the first failure ends it.
Result<Done> verify_checkpoints(const std::string& path, const CheckpointIndex& index, const StateHashes& hashes,
                                std::string& lines);

}  // namespace emu::inspect
