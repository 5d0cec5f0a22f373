#include "replay/format/recording_config.h"

#include "replay/format/recording_format.h"

namespace emu {

namespace {
constexpr uint8_t kConfigVersion = 4;  // 4: the virtio devices after the boot files
constexpr size_t kMaxNameBytes = 4096;
constexpr size_t kMaxCommandLineBytes = 64 * 1024;
constexpr unsigned kMaxShift = 10;
constexpr uint32_t kMaxDrives = 32;  // one per virtio-mmio slot at most
constexpr size_t kMaxSerialBytes = 20;

void encode_virtio(ByteWriter& w, const RecordingConfig& c)
{
    const VirtioConfig& v = c.machine.virtio;
    w.u8(static_cast<uint8_t>(v.version));
    w.u32(static_cast<uint32_t>(v.drives.size()));
    for (size_t i = 0; i < v.drives.size(); ++i) {
        w.u32(c.drive_blobs[i]);
        w.u8(v.drives[i].read_only);
        w.str(v.drives[i].serial);
    }
    w.u8(v.net);
    w.u8(v.rng);
}

bool decode_virtio(ByteReader& r, RecordingConfig& c)
{
    VirtioConfig& v = c.machine.virtio;
    uint8_t version = 0, net = 0, rng = 0;
    uint32_t drives = 0;
    if (!r.u8(version) || (version != 1 && version != 2) || !r.u32(drives) || drives > kMaxDrives)
        return false;
    v.version = static_cast<VirtioMmioVersion>(version);
    for (uint32_t i = 0; i < drives; ++i) {
        uint32_t blob = 0;
        uint8_t ro = 0;
        VirtioDrive d;
        if (!r.u32(blob) || !r.u8(ro) || ro > 1 || !r.str(d.serial, kMaxSerialBytes))
            return false;
        d.read_only = ro;
        v.drives.push_back(d);
        c.drive_blobs.push_back(blob);
    }
    if (!r.u8(net) || net > 1 || !r.u8(rng) || rng > 1)
        return false;
    v.net = net;
    v.rng = rng;
    return true;
}
}  // namespace

const char* boot_role_name(BootRole role)
{
    switch (role) {
    case BootRole::Kernel: return "kernel";
    case BootRole::Initrd: return "initrd";
    case BootRole::Module: return "module";
    case BootRole::DeviceTree: return "device tree";
    case BootRole::Bios: return "bios";
    }
    return "unknown";
}

std::string RecordingConfig::kernel_path() const
{
    for (const RecordedFile& f : files)
        if (f.role == BootRole::Kernel)
            return f.path;
    return {};
}

std::vector<uint8_t> encode(const RecordingConfig& c)
{
    ByteWriter w;
    w.u8(kConfigVersion);
    w.str(c.machine.machine);
    w.u64(c.machine.ram_size);
    w.u8(static_cast<uint8_t>(c.machine.icount_shift));
    w.u64(c.hash_every);
    w.str(c.append);
    w.u32(static_cast<uint32_t>(c.files.size()));
    for (const RecordedFile& f : c.files) {
        w.u8(static_cast<uint8_t>(f.role));
        w.str(f.path);
        w.str(f.command_line);
    }
    encode_virtio(w, c);
    return std::move(w.bytes);
}

Result<RecordingConfig> decode_recording_config(std::span<const uint8_t> payload, const std::string& file)
{
    ByteReader r(payload);
    RecordingConfig c;
    uint8_t version = 0, shift = 0;
    uint32_t count = 0;
    auto bad = [&](const std::string& why) { return Error{ExitStatus::BadRecording, file + ": " + why}; };
    if (!r.u8(version))
        return bad("header holds no run configuration");
    if (version != kConfigVersion)
        return bad("run configuration version " + std::to_string(version) + " is not supported (this build reads " +
                   std::to_string(kConfigVersion) + ")");
    if (!r.str(c.machine.machine, kMaxNameBytes) || !r.u64(c.machine.ram_size) || !r.u8(shift) || !r.u64(c.hash_every) ||
        !r.str(c.append, kMaxCommandLineBytes) || !r.u32(count) || count > kMaxBlobs)
        return bad("malformed run configuration in the header");
    unsigned seen[6] = {};
    for (uint32_t i = 0; i < count; ++i) {
        RecordedFile f;
        uint8_t role = 0;
        if (!r.u8(role) || !r.str(f.path, kMaxNameBytes) || !r.str(f.command_line, kMaxCommandLineBytes))
            return bad("malformed run configuration in the header");
        if (role < static_cast<uint8_t>(BootRole::Kernel) || role > static_cast<uint8_t>(BootRole::Bios))
            return bad("boot file " + std::to_string(i) + " has unknown role " + std::to_string(role));
        f.role = static_cast<BootRole>(role);
        if (f.role != BootRole::Module && seen[role]++)
            return bad("more than one " + std::string(boot_role_name(f.role)) + " in the run configuration");
        c.files.push_back(std::move(f));
    }
    if (!decode_virtio(r, c) || r.remaining() != 0)
        return bad("malformed run configuration in the header");
    if (!seen[static_cast<uint8_t>(BootRole::Kernel)] && !seen[static_cast<uint8_t>(BootRole::Bios)])
        return bad("the run configuration names neither a kernel nor firmware");
    if (shift > kMaxShift)
        return bad("icount shift " + std::to_string(shift) + " out of range");
    c.machine.icount_shift = shift;
    return c;
}

}  // namespace emu
