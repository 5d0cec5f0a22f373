// A disk image's bytes: a host file mapped read-only (never written: the guest's writes go to
// the device's overlay), or bytes a recording embeds. Identified in recordings by size and
// content hash, so the same bytes give the same run.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace emu {

class DiskImage {
public:
    // Errors: NoInput when the file cannot be opened or mapped, or is not a regular file.
    static Result<DiskImage> open(const std::string& path);
    static DiskImage from_bytes(std::string name, std::vector<uint8_t> bytes);

    DiskImage(DiskImage&& o) noexcept;
    DiskImage& operator=(DiskImage&& o) noexcept;
    DiskImage(const DiskImage&) = delete;
    DiskImage& operator=(const DiskImage&) = delete;
    ~DiskImage();

    std::span<const uint8_t> bytes() const { return {data_, size_}; }
    const std::string& name() const { return name_; }

private:
    DiskImage() = default;

    std::string name_;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    bool mapped_ = false;
    std::vector<uint8_t> owned_;
};

// `--drive file=IMG[,format=raw][,readonly[=on|off]][,serial=ID]`, as QEMU's -drive spells it.
struct DriveSpec {
    std::string path;
    bool read_only = false;
    std::string serial;
};
// Errors: Usage, naming the option and what is wrong.
Result<DriveSpec> parse_drive_spec(const std::string& text);

}  // namespace emu
