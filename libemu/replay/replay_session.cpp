#include "replay/replay_session.h"

#include "machine/machines.h"
#include "replay/recorded_image.h"

namespace emu {

ReplaySession::ReplaySession(RecordingReader reader, RecordingConfig config)
    : reader_(std::move(reader)), config_(std::move(config)), stream_(reader_), gate_(stream_)
{
}

Result<std::unique_ptr<ReplaySession>> ReplaySession::open(const std::string& path, const std::string& kernel,
                                                           std::function<void(uint8_t)> output)
{
    Result<RecordingReader> reader = RecordingReader::open(path);
    if (!reader)
        return reader.error();
    Result<RecordingConfig> config = decode_recording_config(reader->header().payload, path);
    if (!config)
        return config.error();
    Result<ElfImage> image = recorded_kernel(*reader, config->kernel_path, kernel);
    if (!image)
        return image.error();
    std::unique_ptr<ReplaySession> s(new ReplaySession(std::move(*reader), std::move(*config)));
    Result<std::unique_ptr<Machine>> machine = make_machine(s->config_.machine, s->gate_, std::move(output));
    if (!machine)
        return Error{ExitStatus::BadRecording, path + ": " + machine.error().message};
    s->machine_ = std::move(*machine);
    if (Result<Done> loaded = s->machine_->load_kernel(*image); !loaded)
        return loaded.error();
    s->replayer_ = std::make_unique<Replayer>(*s->machine_, s->stream_, s->gate_);
    return s;
}

}  // namespace emu
