#include "replay/format/recorded_image.h"

#include <xxhash.h>

#include "host/input_file.h"

namespace emu {

RecordingBlobInfo describe_blob(const std::string& name, std::span<const uint8_t> bytes)
{
    XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
    return RecordingBlobInfo{name, bytes.size(), h.high64, h.low64, false};
}

namespace {

Result<std::vector<uint8_t>> recorded_file(const RecordingReader& reader, size_t i, const RecordedFile& file,
                                           const std::string& override_path)
{
    const RecordingBlobInfo& want = reader.header().blobs[i];
    if (want.embedded && override_path.empty())
        return reader.blob_bytes(i);
    std::string path = override_path.empty() ? file.path : override_path;
    Result<std::vector<uint8_t>> bytes = read_input_file(path);
    if (!bytes) {
        if (override_path.empty() && bytes.error().status == ExitStatus::NoInput)
            return Error{ExitStatus::NoInput, bytes.error().message + " (the recording does not embed its " +
                                                  boot_role_name(file.role) +
                                                  (file.role == BootRole::Kernel ? "; pass --kernel)" : ")")};
        return bytes.error();
    }
    RecordingBlobInfo got = describe_blob(path, *bytes);
    if (got.size != want.size || got.hash_high != want.hash_high || got.hash_low != want.hash_low)
        return Error{ExitStatus::BadRecording, path + ": not the " + boot_role_name(file.role) +
                                                  " this recording was made with (size or content hash differs)"};
    return bytes;
}

}  // namespace

Result<BootImages> recorded_boot_images(const RecordingReader& reader, const RecordingConfig& config,
                                        const std::string& kernel_override)
{
    const RecordingHeader& h = reader.header();
    // The boot files are the first blobs, the disk images (recorded_disk.h) the rest.
    if (h.blobs.size() != config.files.size() + config.drive_blobs.size())
        return Error{ExitStatus::BadRecording, "the recording's header has " + std::to_string(h.blobs.size()) +
                                                   " blobs for " + std::to_string(config.files.size()) +
                                                   " boot files and " + std::to_string(config.drive_blobs.size()) +
                                                   " disk images"};
    if (!kernel_override.empty() && config.kernel_path().empty())
        return Error{ExitStatus::Usage, "--kernel: the recording has no kernel to replace (its machine boots firmware)"};
    BootImages images;
    images.append = config.append;
    for (size_t i = 0; i < config.files.size(); ++i) {
        const RecordedFile& f = config.files[i];
        Result<std::vector<uint8_t>> bytes =
            recorded_file(reader, i, f, f.role == BootRole::Kernel ? kernel_override : std::string());
        if (!bytes)
            return bytes.error();
        BootFile file{f.path, std::move(*bytes)};
        switch (f.role) {
        case BootRole::Kernel: images.kernel = std::move(file); break;
        case BootRole::Initrd: images.initrd = std::move(file); break;
        case BootRole::Module: images.modules.push_back({std::move(file), f.command_line}); break;
        case BootRole::DeviceTree:
            images.dtb = std::move(file);
            images.dtb_as_placed = true;
            break;
        case BootRole::Bios: images.bios = std::move(file); break;
        }
    }
    return images;
}

}  // namespace emu
