#include "replay/format/recording_config.h"

#include "replay/format/recording_format.h"

namespace emu {

namespace {
constexpr uint8_t kConfigVersion = 2;
constexpr size_t kMaxNameBytes = 4096;
constexpr size_t kMaxCommandLineBytes = 64 * 1024;
constexpr unsigned kMaxShift = 10;
}  // namespace

std::vector<uint8_t> encode(const RecordingConfig& c)
{
    ByteWriter w;
    w.u8(kConfigVersion);
    w.str(c.machine.machine);
    w.u64(c.machine.ram_size);
    w.u8(static_cast<uint8_t>(c.machine.icount_shift));
    w.u64(c.hash_every);
    w.str(c.kernel_path);
    w.str(c.machine.kernel_command_line);
    return std::move(w.bytes);
}

Result<RecordingConfig> decode_recording_config(std::span<const uint8_t> payload, const std::string& file)
{
    ByteReader r(payload);
    RecordingConfig c;
    uint8_t version = 0, shift = 0;
    auto bad = [&](const std::string& why) { return Error{ExitStatus::BadRecording, file + ": " + why}; };
    if (!r.u8(version))
        return bad("header holds no run configuration");
    if (version != kConfigVersion)
        return bad("run configuration version " + std::to_string(version) + " is not supported (this build reads " +
                   std::to_string(kConfigVersion) + ")");
    if (!r.str(c.machine.machine, kMaxNameBytes) || !r.u64(c.machine.ram_size) || !r.u8(shift) || !r.u64(c.hash_every) ||
        !r.str(c.kernel_path, kMaxNameBytes) || !r.str(c.machine.kernel_command_line, kMaxCommandLineBytes) ||
        r.remaining() != 0)
        return bad("malformed run configuration in the header");
    if (shift > kMaxShift)
        return bad("icount shift " + std::to_string(shift) + " out of range");
    c.machine.icount_shift = shift;
    return c;
}

}  // namespace emu
