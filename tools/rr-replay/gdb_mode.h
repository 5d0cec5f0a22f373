// rr-replay --gdb: the replay served to one gdb, which moves it forward and backward until it
// detaches or kills the session; then what the replay met on the way, for the verdict.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "debug/gdb_session.h"
#include "replay/debug/replay_cursor.h"

namespace emu::tools {

struct GdbModeOptions {
    std::string recording;
    std::string kernel;
    std::vector<std::string> drives;  // replace the recorded disk images, as in a plain replay
    std::string address;         // PORT or HOST:PORT
    bool allow_remote = false;   // listen on a non-loopback address
    std::optional<uint64_t> seek;
    std::function<void(uint8_t)> output;  // the guest's output, once per byte as first replayed
};

struct GdbModeResult {
    CursorVerdict verdict;
    debug::SessionEnd end = debug::SessionEnd::Detached;
    uint64_t icount = 0;          // where gdb left the replay
    uint64_t recording_end = 0;   // where the recorded run ends (or the replay stopped following it)
};

Result<GdbModeResult> serve_gdb(const GdbModeOptions& options);

}  // namespace emu::tools
