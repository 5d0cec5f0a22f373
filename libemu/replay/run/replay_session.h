// One replay of a recording, built from the file: the reader, the event stream, the replay
// gate, the machine with the recorded image loaded, and the replayer driving it. It can start
// over from the beginning or from any checkpoint, in place (seeking and bisection).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "host/disk_image.h"
#include "machine/machine.h"
#include "replay/run/checkpoint_index.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_reader.h"
#include "replay/run/replay_gate.h"
#include "replay/run/replay_stream.h"
#include "replay/run/replayer.h"

namespace emu {

class ReplaySession {
public:
    // `kernel` (may be empty) replaces the recorded image, which it must equal; `drives[i]`
    // likewise replaces drive i's recorded disk image. Guest output goes to `output`.
    static Result<std::unique_ptr<ReplaySession>> open(const std::string& path, const std::string& kernel,
                                                       std::function<void(uint8_t)> output,
                                                       const std::vector<std::string>& drives = {});

    // Reads the recording's checkpoints (up to `until`) with a reader of its own.
    Result<CheckpointIndex> scan_checkpoints(uint64_t until = UINT64_MAX) const { return CheckpointIndex::read(path_, until); }
    // Puts the replay back at icount 0, or at checkpoint k of `index` (from scan_checkpoints).
    Result<Done> restart();
    Result<Done> restore(const CheckpointIndex& index, size_t k);
    // The nearest way to `icount`: the last checkpoint at or before it, or the start.
    Result<Done> restore_nearest(const CheckpointIndex& index, uint64_t icount);

    // Where the replay stands in the event stream: with the machine's state and RAM, what a
    // snapshot kept in memory needs to go on from here later.
    RecordingPosition stream_position() const { return stream_.front_position(); }
    // Puts the replay back where such a snapshot was taken, as the replayer left it after a
    // run_to() with Arrival::BeforeInstruction (nothing else was due there): `state` is the
    // machine saved with RamPages::DirtyMap, `pages` every page written since the image was
    // loaded (increasing), their contents from `contents`.
    Result<Done> restore_snapshot(const RecordingPosition& at, uint64_t icount, const std::vector<uint8_t>& state,
                                  const std::vector<CheckpointPageRef>& pages, const PageContents& contents);

    Replayer& replayer() { return *replayer_; }
    Machine& machine() { return *machine_; }
    const RecordingConfig& config() const { return config_; }
    const std::string& path() const { return path_; }
    const LoadedRam& loaded_ram() const { return loaded_ram_; }

private:
    ReplaySession(std::string path, RecordingReader reader, RecordingConfig config);
    Result<Done> rewind(const RecordingPosition& at);

    std::string path_;
    RecordingReader reader_;
    RecordingConfig config_;
    std::vector<DiskImage> disks_;  // the machine's drives point into these
    ReplayStream stream_;
    ReplayGate gate_;
    std::unique_ptr<Machine> machine_;
    std::unique_ptr<Replayer> replayer_;
    // The machine as loaded, to start over without building it again.
    RecordingPosition start_;
    LoadedRam loaded_ram_;
    std::vector<uint8_t> loaded_state_;
};

}  // namespace emu
