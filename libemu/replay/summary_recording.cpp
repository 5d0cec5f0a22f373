#include "replay/summary_recording.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <xxhash.h>

namespace emu {

namespace {

// Little-endian, length-prefixed encoding of the summary fields.
class Encoder {
public:
    void u32(uint32_t v) { raw(&v, 4); }
    void u64(uint64_t v) { raw(&v, 8); }
    void str(const std::string& s)
    {
        u32(static_cast<uint32_t>(s.size()));
        raw(s.data(), s.size());
    }
    void raw(const void* p, size_t n)
    {
        auto* b = static_cast<const uint8_t*>(p);
        bytes.insert(bytes.end(), b, b + n);
    }
    std::vector<uint8_t> bytes;
};

// Bounds-checked reads of the same encoding.
class Decoder {
public:
    explicit Decoder(const std::vector<uint8_t>& b) : b_(b) {}
    bool u32(uint32_t& v) { return raw(&v, 4); }
    bool u64(uint64_t& v) { return raw(&v, 8); }
    bool str(std::string& s, size_t limit = 4096)
    {
        uint32_t n;
        if (!u32(n) || n > limit || n > b_.size() - pos_)
            return false;
        s.assign(reinterpret_cast<const char*>(b_.data() + pos_), n);
        pos_ += n;
        return true;
    }
    bool raw(void* p, size_t n)
    {
        if (n > b_.size() - pos_)
            return false;
        std::memcpy(p, b_.data() + pos_, n);
        pos_ += n;
        return true;
    }
    bool at_end() const { return pos_ == b_.size(); }

private:
    const std::vector<uint8_t>& b_;
    size_t pos_ = 0;
};

constexpr char kMagic[8] = {'R', 'R', 'E', 'C', 'O', 'R', 'D', '\x1a'};

}  // namespace

Result<Done> write_summary_recording(const std::string& path, const std::string& machine, const ElfImage& kernel,
                                     const RunOutcome& outcome, unsigned icount_shift)
{
    Encoder e;
    e.raw(kMagic, sizeof kMagic);
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
    if (bytes.size() < sizeof kMagic + 8)
        return bad("truncated recording (" + std::to_string(bytes.size()) + " bytes)");
    Decoder d(bytes);
    char magic[8];
    if (!d.raw(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof magic) != 0)
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
    if (!d.str(r.machine) || !d.u32(shift) || !d.u32(images))
        return bad("truncated header");
    if (images != 1)
        return bad("expected one guest image, found " + std::to_string(images));
    r.icount_shift = shift;
    if (!d.str(r.kernel_path) || !d.u64(r.kernel_size) || !d.u64(r.kernel_hash_high) || !d.u64(r.kernel_hash_low) ||
        !d.u64(r.icount) || !d.str(r.stop) || !d.u32(code))
        return bad("truncated recording");
    if (!d.u64(stored_sum))
        return bad("truncated recording (no checksum)");
    if (!d.at_end())
        return bad("trailing bytes after the end of the recording");
    r.exit_code = static_cast<int>(code);
    r.file_bytes = bytes.size();
    return r;
}

}  // namespace emu
