// The virtio command-line options rr-record and rr-replay share, and the host side they open:
// disk images (--drive), the overlays kept after the run (--overlay), user networking
// (--netdev, rr-record only), the entropy device (--rng) and the transport layout
// (--virtio-mmio).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "host/disk_image.h"
#include "host/slirp_net.h"
#include "machine/machine.h"
#include "replay/format/recording_config.h"
#include "replay/format/recording_writer.h"
#include "replay/run/recorder.h"

namespace emu::tools {

struct VirtioOptions {
    std::vector<std::string> drives;    // --drive specs
    std::vector<std::string> overlays;  // --overlay FILE, one per drive in order
    bool embed_images = false;
    std::string netdev;
    bool rng = false;
    std::string transport = "legacy";
};

void add_virtio_record_options(CLI::App& app, VirtioOptions& o);
void add_virtio_replay_options(CLI::App& app, VirtioOptions& o);

// What a recording's virtio devices need from the host.
class VirtioHost {
public:
    // Parses the specs and opens the images and the network. Errors: Usage, NoInput, IoError.
    static Result<VirtioHost> open_for_record(const VirtioOptions& o);

    // Fills the machine's virtio configuration.
    void configure(MachineConfig& machine) const;
    // Appends the disk images to the header's blobs (after the boot files) and the
    // configuration's references to them.
    void describe_images(RecordingConfig& config, RecordingHeaderSpec& header) const;
    // Connects the network to a built machine: its sent frames go to slirp, slirp's frames to
    // its NIC through the recorder.
    void attach(Machine& machine, std::vector<HostInput>& inputs);

private:
    VirtioOptions options_;
    std::vector<DriveSpec> specs_;
    std::vector<DiskImage> images_;
    std::unique_ptr<SlirpNet> net_;
};

// The drive paths --drive gives rr-replay (file= of each spec).
Result<std::vector<std::string>> replay_drive_paths(const VirtioOptions& o);
// Writes each drive with an --overlay FILE as the guest left it: the image with its writes.
Result<Done> write_overlays(const VirtioOptions& o, const Machine& machine);

}  // namespace emu::tools
