#include "host/disk_image.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace emu {

Result<DiskImage> DiskImage::open(const std::string& path)
{
    auto fail = [&](const std::string& why) { return Error{ExitStatus::NoInput, path + ": " + why}; };
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(std::string("cannot open disk image: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail("not a regular file");
    }
    DiskImage d;
    d.name_ = path;
    d.size_ = static_cast<size_t>(st.st_size);
    if (d.size_ != 0) {
        // A private read-only mapping: the file is never written, and pages are read on demand.
        void* p = ::mmap(nullptr, d.size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            ::close(fd);
            return fail(std::string("cannot map disk image: ") + std::strerror(errno));
        }
        d.data_ = static_cast<const uint8_t*>(p);
        d.mapped_ = true;
    }
    ::close(fd);
    return d;
}

DiskImage DiskImage::from_bytes(std::string name, std::vector<uint8_t> bytes)
{
    DiskImage d;
    d.name_ = std::move(name);
    d.owned_ = std::move(bytes);
    d.data_ = d.owned_.data();
    d.size_ = d.owned_.size();
    return d;
}

DiskImage::DiskImage(DiskImage&& o) noexcept { *this = std::move(o); }

DiskImage& DiskImage::operator=(DiskImage&& o) noexcept
{
    std::swap(name_, o.name_);
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(mapped_, o.mapped_);
    std::swap(owned_, o.owned_);
    // A vector keeps its buffer when moved, so an owned image's pointer stays valid.
    return *this;
}

DiskImage::~DiskImage()
{
    if (mapped_)
        ::munmap(const_cast<uint8_t*>(data_), size_);
}

Result<DriveSpec> parse_drive_spec(const std::string& text)
{
    auto bad = [&](const std::string& why) { return Error{ExitStatus::Usage, "--drive " + text + ": " + why}; };
    DriveSpec spec;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        start = comma == std::string::npos ? text.size() + 1 : comma + 1;
        size_t eq = item.find('=');
        std::string key = item.substr(0, eq);
        std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
        if (key == "file" && !value.empty())
            spec.path = value;
        else if (key == "format" && value != "raw")
            return bad("only format=raw is supported");
        else if (key == "format")
            continue;
        else if (key == "readonly" && (eq == std::string::npos || value == "on"))
            spec.read_only = true;
        else if (key == "readonly" && value == "off")
            spec.read_only = false;
        else if (key == "serial" && value.size() <= 20)
            spec.serial = value;
        else
            return bad("unknown or malformed '" + item + "' (takes file=IMG, format=raw, readonly, serial=ID of at most 20 characters)");
    }
    if (spec.path.empty())
        return bad("file=IMG is required");
    return spec;
}

}  // namespace emu
