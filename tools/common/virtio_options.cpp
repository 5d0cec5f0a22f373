#include "tools/common/virtio_options.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dev/disk_overlay.h"

namespace emu::tools {

namespace {

const std::map<std::string, VirtioMmioVersion> kTransports = {{"legacy", VirtioMmioVersion::Legacy},
                                                              {"modern", VirtioMmioVersion::Modern}};

void add_overlay_option(CLI::App& app, VirtioOptions& o)
{
    app.add_option("--overlay", o.overlays,
                   "After the run, write drive N's disk as the guest left it (its image with the guest's writes) "
                   "to the Nth FILE (repeatable, in --drive order); the image itself is never modified");
}

}  // namespace

void add_virtio_record_options(CLI::App& app, VirtioOptions& o)
{
    app.add_option("--drive", o.drives,
                   "A disk (repeatable): virtio-blk on -M virt; on -M pc an IDE disk, the first primary master, then "
                   "primary slave, secondary master, secondary slave. file=IMG[,format=raw][,readonly][,serial=ID]. The image is "
                   "opened read-only and never modified; guest writes go to an overlay in memory. The recording "
                   "holds its size and content hash (and its bytes with --embed-images)");
    add_overlay_option(app, o);
    app.add_flag("--embed-images", o.embed_images,
                 "Store the --drive images in the recording (zstd-compressed), so that it replays without them");
    app.add_option("--netdev", o.netdev,
                   "A NIC on user networking (libslirp, as QEMU's -netdev user): virtio-net on -M virt, an "
                   "RTL8139 at PCI 00:02.0 on -M pc (QEMU's -nic user,model=rtl8139 with -nodefaults). "
                   "user[,hostfwd=tcp:127.0.0.1:H-:G][,restrict=on]; guest network 10.0.2.0/24, gateway "
                   "10.0.2.2, DNS 10.0.2.3, DHCP from 10.0.2.15. Received frames are recorded");
    app.add_flag("--rng", o.rng, "A virtio-rng device fed from the host's getrandom; the bytes are recorded");
    app.add_option("--virtio-mmio", o.transport,
                   "Register layout of the virtio-mmio transports: legacy (version 1, QEMU virt's default) or "
                   "modern (version 2)")
        ->check(CLI::IsMember({"legacy", "modern"}))
        ->capture_default_str();
}

void add_virtio_replay_options(CLI::App& app, VirtioOptions& o)
{
    app.add_option("--drive", o.drives,
                   "The disk image of drive N, as file=IMG or IMG (repeatable, in the recorded order), instead "
                   "of the embedded copy or the recorded path; it must be the recorded image");
    add_overlay_option(app, o);
}

Result<VirtioHost> VirtioHost::open_for_record(const VirtioOptions& o)
{
    VirtioHost h;
    h.options_ = o;
    for (const std::string& text : o.drives) {
        Result<DriveSpec> spec = parse_drive_spec(text);
        if (!spec)
            return spec.error();
        Result<DiskImage> image = DiskImage::open(spec->path);
        if (!image)
            return image.error();
        if (image->bytes().size() > kMaxBlobBytes)
            return Error{ExitStatus::Usage, spec->path + ": disk images larger than " +
                                                std::to_string(kMaxBlobBytes >> 20) + " MiB are not supported"};
        h.specs_.push_back(*spec);
        h.images_.push_back(std::move(*image));
    }
    if (o.overlays.size() > o.drives.size())
        return Error{ExitStatus::Usage, "more --overlay files than --drive options"};
    if (!o.netdev.empty()) {
        Result<NetdevSpec> spec = parse_netdev_spec(o.netdev);
        if (!spec)
            return spec.error();
        Result<std::unique_ptr<SlirpNet>> net = SlirpNet::open(*spec);
        if (!net)
            return net.error();
        h.net_ = std::move(*net);
    }
    return h;
}

void VirtioHost::configure(MachineConfig& machine) const
{
    VirtioConfig& v = machine.virtio;
    v.version = kTransports.at(options_.transport);
    for (size_t i = 0; i < specs_.size(); ++i)
        v.drives.push_back(VirtioDrive{images_[i].bytes(), specs_[i].read_only, specs_[i].serial});
    v.net = net_ != nullptr;
    v.rng = options_.rng;
}

void VirtioHost::describe_images(RecordingConfig& config, RecordingHeaderSpec& header) const
{
    for (size_t i = 0; i < specs_.size(); ++i) {
        config.drive_blobs.push_back(static_cast<uint32_t>(header.blobs.size()));
        header.blobs.push_back({specs_[i].path, images_[i].bytes(), options_.embed_images ? Embed::Yes : Embed::No});
    }
}

void VirtioHost::attach(Machine& machine, std::vector<HostInput>& inputs)
{
    if (!net_)
        return;
    SlirpNet* net = net_.get();
    machine.set_frame_observer([net](std::span<const uint8_t> frame) { net->send(frame); });
    inputs.push_back({InputKind::NetFrame, 0, net});
}

Result<std::vector<std::string>> replay_drive_paths(const VirtioOptions& o)
{
    std::vector<std::string> paths;
    for (const std::string& text : o.drives) {
        if (text.find('=') == std::string::npos) {
            paths.push_back(text);
            continue;
        }
        Result<DriveSpec> spec = parse_drive_spec(text);
        if (!spec)
            return spec.error();
        paths.push_back(spec->path);
    }
    return paths;
}

Result<Done> write_overlays(const VirtioOptions& o, const Machine& machine)
{
    for (size_t i = 0; i < o.overlays.size(); ++i) {
        const std::string& path = o.overlays[i];
        const DiskOverlay* disk = machine.drive(i);
        if (!disk)
            return Error{ExitStatus::Usage, "--overlay " + path + ": the machine has no drive " + std::to_string(i)};
        std::vector<uint8_t> bytes;
        disk->copy_to(bytes);
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        bool ok = fd >= 0;
        for (size_t done = 0; ok && done < bytes.size();) {
            ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            ok = n > 0;
            done += ok ? static_cast<size_t>(n) : 0;
        }
        int err = errno;
        if (fd >= 0 && ::close(fd) != 0 && ok) {
            ok = false;
            err = errno;
        }
        if (!ok)
            return Error{ExitStatus::IoError, path + ": cannot write the overlay: " + std::strerror(err)};
    }
    return Done{};
}

}  // namespace emu::tools
