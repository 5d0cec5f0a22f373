#include "replay/run/replay_session.h"

#include "machine/machines.h"
#include "replay/format/recorded_disk.h"
#include "replay/format/recorded_image.h"

namespace emu {

ReplaySession::ReplaySession(std::string path, RecordingReader reader, RecordingConfig config)
    : path_(std::move(path)), reader_(std::move(reader)), config_(std::move(config)), stream_(reader_), gate_(stream_)
{
}

Result<std::unique_ptr<ReplaySession>> ReplaySession::open(const std::string& path, const std::string& kernel,
                                                           std::function<void(uint8_t)> output,
                                                           const std::vector<std::string>& drives)
{
    Result<RecordingReader> reader = RecordingReader::open(path);
    if (!reader)
        return reader.error();
    Result<RecordingConfig> config = decode_recording_config(reader->header().payload, path);
    if (!config)
        return config.error();
    Result<BootImages> images = recorded_boot_images(*reader, *config, kernel);
    if (!images)
        return images.error();
    Result<std::vector<DiskImage>> disks = recorded_disks(*reader, *config, drives);
    if (!disks)
        return disks.error();
    std::unique_ptr<ReplaySession> s(new ReplaySession(path, std::move(*reader), std::move(*config)));
    s->disks_ = std::move(*disks);
    Result<std::unique_ptr<Machine>> machine = make_machine(s->config_.machine, s->gate_, std::move(output));
    if (!machine)
        return Error{ExitStatus::BadRecording, path + ": " + machine.error().message};
    s->machine_ = std::move(*machine);
    if (Result<Done> booted = s->machine_->boot(*images); !booted)
        return Error{booted.error().status == ExitStatus::Usage ? ExitStatus::BadRecording : booted.error().status,
                     booted.error().message};
    s->start_ = s->reader_.position();
    s->loaded_ram_ = LoadedRam::capture(s->machine_->bus());
    StateWriter state;
    s->machine_->serialize(state, RamPages::DirtyMap);
    s->loaded_state_ = state.bytes();
    s->replayer_ = std::make_unique<Replayer>(*s->machine_, s->stream_, s->gate_);
    return s;
}

Result<Done> ReplaySession::rewind(const RecordingPosition& at)
{
    if (Result<Done> moved = reader_.seek(at); !moved)
        return moved.error();
    stream_.restart(at.events_before + at.event);
    gate_.reset();
    replayer_ = std::make_unique<Replayer>(*machine_, stream_, gate_);
    return Done{};
}

Result<Done> ReplaySession::restart()
{
    if (Result<Done> r = rewind(start_); !r)
        return r;
    loaded_ram_.restore(machine_->bus(), {}, nullptr);
    StateReader state(loaded_state_);
    machine_->serialize(state, RamPages::DirtyMap);
    if (!state.finish())
        return Error{ExitStatus::Internal, path_ + ": the loaded machine does not restore: " + *state.error()};
    return Done{};
}

Result<Done> ReplaySession::restore(const CheckpointIndex& index, size_t k)
{
    if (Result<Done> r = rewind(index.checkpoints()[k].resume); !r)
        return r;
    if (Result<Done> r = index.restore(k, *machine_, loaded_ram_); !r)
        return r;
    replayer_->start_at_checkpoint(index.checkpoints()[k].icount);
    return Done{};
}

Result<Done> ReplaySession::restore_snapshot(const RecordingPosition& at, uint64_t icount,
                                            const std::vector<uint8_t>& state,
                                            const std::vector<CheckpointPageRef>& pages, const PageContents& contents)
{
    if (Result<Done> r = rewind(at); !r)
        return r;
    if (loaded_ram_.restore(machine_->bus(), pages, contents) != pages.size())
        return Error{ExitStatus::Internal, path_ + ": a snapshot at icount " + std::to_string(icount) +
                                               " holds pages outside the machine's RAM"};
    StateReader reader(state);
    machine_->serialize(reader, RamPages::DirtyMap);
    if (!reader.finish())
        return Error{ExitStatus::Internal, path_ + ": a snapshot at icount " + std::to_string(icount) +
                                               " does not restore: " + *reader.error()};
    replayer_->start_at_checkpoint(icount);
    return Done{};
}

Result<Done> ReplaySession::restore_nearest(const CheckpointIndex& index, uint64_t icount)
{
    std::optional<size_t> k = index.at_or_before(icount);
    return k ? restore(index, *k) : restart();
}

}  // namespace emu
