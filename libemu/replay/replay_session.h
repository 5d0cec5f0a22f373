// One replay of a recording, built from the file: the reader, the event stream, the replay
// gate, the machine with the recorded image loaded, and the replayer driving it. Seeking and
// bisection open several over the same file.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "machine/machine.h"
#include "replay/recording_config.h"
#include "replay/recording_reader.h"
#include "replay/replay_gate.h"
#include "replay/replay_stream.h"
#include "replay/replayer.h"

namespace emu {

class ReplaySession {
public:
    // `kernel` (may be empty) replaces the recorded image, which it must equal. Guest output
    // goes to `output`.
    static Result<std::unique_ptr<ReplaySession>> open(const std::string& path, const std::string& kernel,
                                                       std::function<void(uint8_t)> output);

    Replayer& replayer() { return *replayer_; }
    Machine& machine() { return *machine_; }
    const RecordingConfig& config() const { return config_; }

private:
    ReplaySession(RecordingReader reader, RecordingConfig config);

    RecordingReader reader_;
    RecordingConfig config_;
    ReplayStream stream_;
    ReplayGate gate_;
    std::unique_ptr<Machine> machine_;
    std::unique_ptr<Replayer> replayer_;
};

}  // namespace emu
