// A disk as the guest sees it: a read-only base image (never modified) under a copy-on-write
// overlay of the 4 KiB blocks the guest has written. The overlay is guest-visible state: it is
// in serialize() (only the written blocks, in block order), so snapshots, checkpoints and state
// hashes carry it.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace emu {

class StateArchive;

class DiskOverlay {
public:
    static constexpr uint64_t kBlockBytes = 4096;

    // `base` must outlive the overlay.
    explicit DiskOverlay(std::span<const uint8_t> base) : base_(base) {}

    uint64_t size() const { return base_.size(); }
    // Both false, and nothing done, for a range past the end of the disk.
    bool read(uint64_t offset, std::span<uint8_t> out) const;
    bool write(uint64_t offset, std::span<const uint8_t> data);

    size_t written_blocks() const { return blocks_.size(); }
    // The whole disk as the guest sees it now (for --overlay FILE).
    void copy_to(std::vector<uint8_t>& out) const;

    // The written blocks: their numbers and contents (section "disk-overlay").
    void serialize(StateArchive& a);

private:
    bool in_range(uint64_t offset, uint64_t len) const { return offset <= size() && len <= size() - offset; }

    std::span<const uint8_t> base_;
    std::map<uint64_t, std::vector<uint8_t>> blocks_;  // ordered: snapshots list them in order
};

}  // namespace emu
