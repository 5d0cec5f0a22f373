#include "replay/summary_recording.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <xxhash.h>

#include "replay/recording_format.h"

namespace emu {

namespace {

// Machine names, image paths and stop reasons are short; a longer one means damage.
constexpr size_t kMaxNameBytes = 4096;

}  // namespace

bool is_recorded_image(const SummaryRecording& recording, const ElfImage& image)
{
    XXH128_hash_t h = XXH3_128bits(image.file.data(), image.file.size());
    return image.file.size() == recording.kernel_size && h.high64 == recording.kernel_hash_high &&
           h.low64 == recording.kernel_hash_low;
}

Result<Done> write_summary_recording(const std::string& path, const std::string& machine, const ElfImage& kernel,
                                     const RunOutcome& outcome, unsigned icount_shift)
{
    ByteWriter e;
    for (uint8_t b : kRecordingMagic)
        e.u8(b);
    e.u32(kSummaryFormatVersion);
    e.str(machine);
    e.u32(icount_shift);
    e.u32(1);  // guest images
    e.str(kernel.path);
    e.u64(kernel.file.size());
    XXH128_hash_t h = XXH3_128bits(kernel.file.data(), kernel.file.size());
    e.u64(h.high64);
    e.u64(h.low64);
    e.u64(outcome.icount);
    e.str(stop_kind_name(outcome.kind));
    e.u32(static_cast<uint32_t>(outcome.exit_code));
    e.u64(XXH3_64bits(e.bytes.data(), e.bytes.size()));  // detects any damaged byte

    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        return Error{ExitStatus::IoError, path + ": cannot create: " + std::strerror(errno)};
    out.write(reinterpret_cast<const char*>(e.bytes.data()), static_cast<std::streamsize>(e.bytes.size()));
    out.close();
    if (!out)
        return Error{ExitStatus::IoError, path + ": write error"};
    return Done{};
}

Result<SummaryRecording> read_summary_recording(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Error{ExitStatus::NoInput, path + ": cannot open: " + std::strerror(errno)};
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto bad = [&](const std::string& why) { return Error{ExitStatus::BadRecording, path + ": " + why}; };
    if (bytes.empty())
        return bad("empty file, not a recording");
    if (bytes.size() < sizeof kRecordingMagic + 8)
        return bad("truncated recording (" + std::to_string(bytes.size()) + " bytes)");
    ByteReader d(bytes);
    std::span<const uint8_t> magic;
    if (!d.bytes(sizeof kRecordingMagic, magic) || std::memcmp(magic.data(), kRecordingMagic, sizeof kRecordingMagic) != 0)
        return bad("not a recording (bad magic)");
    SummaryRecording r;
    if (!d.u32(r.format_version))
        return bad("truncated header");
    if (r.format_version != kSummaryFormatVersion)
        return bad("format version " + std::to_string(r.format_version) + " is not supported (this build reads version " +
                   std::to_string(kSummaryFormatVersion) + ")");
    uint64_t stored_sum;
    std::memcpy(&stored_sum, bytes.data() + bytes.size() - 8, 8);
    if (stored_sum != XXH3_64bits(bytes.data(), bytes.size() - 8))
        return bad("checksum mismatch: the recording is damaged or truncated");
    uint32_t shift, images, code;
    if (!d.str(r.machine, kMaxNameBytes) || !d.u32(shift) || !d.u32(images))
        return bad("truncated header");
    if (images != 1)
        return bad("expected one guest image, found " + std::to_string(images));
    r.icount_shift = shift;
    if (!d.str(r.kernel_path, kMaxNameBytes) || !d.u64(r.kernel_size) || !d.u64(r.kernel_hash_high) || !d.u64(r.kernel_hash_low) ||
        !d.u64(r.icount) || !d.str(r.stop, kMaxNameBytes) || !d.u32(code))
        return bad("truncated recording");
    if (!d.u64(stored_sum))
        return bad("truncated recording (no checksum)");
    if (d.remaining() != 0)
        return bad("trailing bytes after the end of the recording");
    r.exit_code = static_cast<int>(code);
    r.file_bytes = bytes.size();
    return r;
}

}  // namespace emu
