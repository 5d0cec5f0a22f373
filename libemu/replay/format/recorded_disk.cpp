#include "replay/format/recorded_disk.h"

#include "replay/format/recorded_image.h"

namespace emu {

Result<std::vector<DiskImage>> recorded_disks(const RecordingReader& reader, RecordingConfig& config,
                                              const std::vector<std::string>& paths)
{
    const std::vector<RecordingBlobInfo>& blobs = reader.header().blobs;
    std::vector<VirtioDrive>& drives = config.machine.virtio.drives;
    if (paths.size() > drives.size())
        return Error{ExitStatus::Usage, std::to_string(paths.size()) + " --drive options, but the recording has " +
                                            std::to_string(drives.size()) + " drive(s)"};
    std::vector<DiskImage> images;
    for (size_t i = 0; i < drives.size(); ++i) {
        uint32_t blob = config.drive_blobs[i];
        if (blob >= blobs.size())
            return Error{ExitStatus::BadRecording, "drive " + std::to_string(i) + " names header blob " +
                                                       std::to_string(blob) + ", which the recording does not have"};
        const RecordingBlobInfo& want = blobs[blob];
        std::string path = i < paths.size() ? paths[i] : "";
        if (path.empty() && want.embedded) {
            Result<std::vector<uint8_t>> bytes = reader.blob_bytes(blob);
            if (!bytes)
                return bytes.error();
            images.push_back(DiskImage::from_bytes(want.name + " (embedded in the recording)", std::move(*bytes)));
            continue;
        }
        if (path.empty())
            path = want.name;
        Result<DiskImage> image = DiskImage::open(path);
        if (!image) {
            std::string hint = i < paths.size() ? "" : " (the recording does not embed its disk images; pass --drive)";
            return Error{image.error().status, image.error().message + hint};
        }
        RecordingBlobInfo got = describe_blob(path, image->bytes());
        if (got.size != want.size || got.hash_high != want.hash_high || got.hash_low != want.hash_low)
            return Error{ExitStatus::BadRecording, path + ": not the disk image drive " + std::to_string(i) +
                                                       " was recorded with (size or content hash differs)"};
        images.push_back(std::move(*image));
    }
    for (size_t i = 0; i < drives.size(); ++i)
        drives[i].image = images[i].bytes();
    return images;
}

}  // namespace emu
