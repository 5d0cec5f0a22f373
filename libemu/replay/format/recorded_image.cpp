#include "replay/format/recorded_image.h"

#include <xxhash.h>

namespace emu {

RecordingBlobInfo describe_blob(const std::string& name, std::span<const uint8_t> bytes)
{
    XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
    return RecordingBlobInfo{name, bytes.size(), h.high64, h.low64, false};
}

Result<ElfImage> recorded_kernel(const RecordingReader& reader, const std::string& stored_path,
                                 const std::string& override_path)
{
    const RecordingHeader& h = reader.header();
    if (h.blobs.empty())
        return Error{ExitStatus::BadRecording, "the recording holds no guest image"};
    const RecordingBlobInfo& want = h.blobs[0];
    if (want.embedded && override_path.empty()) {
        Result<std::vector<uint8_t>> bytes = reader.blob_bytes(0);
        if (!bytes)
            return bytes.error();
        return parse_elf(std::move(*bytes), want.name + " (embedded in the recording)");
    }
    std::string path = override_path.empty() ? stored_path : override_path;
    Result<ElfImage> image = read_elf(path);
    if (!image) {
        if (override_path.empty() && image.error().status == ExitStatus::NoInput)
            return Error{ExitStatus::NoInput, image.error().message +
                                                  " (the recording does not embed its guest image; pass --kernel)"};
        return image.error();
    }
    RecordingBlobInfo got = describe_blob(path, image->file);
    if (got.size != want.size || got.hash_high != want.hash_high || got.hash_low != want.hash_low)
        return Error{ExitStatus::BadRecording,
                     path + ": not the guest image this recording was made with (size or content hash differs)"};
    return image;
}

}  // namespace emu
