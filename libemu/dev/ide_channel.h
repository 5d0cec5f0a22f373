// One IDE channel (ATA/ATAPI-6 register model): the command block (data, error/features, sector
// count, LBA low/mid/high, device, status/command), the control block (alternate status/device
// control with nIEN, SRST and HOB) and up to two ATA hard disks (master, slave) behind it.
//
// Commands: IDENTIFY DEVICE; READ/WRITE SECTORS and their EXT forms (PIO, CHS or LBA28, LBA48);
// READ/WRITE MULTIPLE (EXT) with SET MULTIPLE MODE (blocks of up to 16 sectors, 16 at reset);
// READ/WRITE DMA and EXT (the data moves through the bus-master engine of dev/piix_ide.h);
// FLUSH CACHE (EXT); READ VERIFY SECTORS, SEEK, SET FEATURES, INITIALIZE DEVICE PARAMETERS,
// CHECK POWER MODE, IDLE/STANDBY (accepted, no effect). Anything else, IDENTIFY PACKET DEVICE
// included, is aborted (ERR, ABRT) as a hard disk without them does.
//
// Deterministic by construction, like virtio-blk: the data is the disk image under the guest's
// own writes (DiskOverlay), and a command's data phase or completion comes kLatencyNs of virtual
// time after the guest wrote the command (or, for DMA, after both the command and the bus-master
// start), whichever the host's disk does.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "core/clock.h"
#include "core/component.h"
#include "dev/disk_overlay.h"
#include "dev/irq_line.h"

namespace emu {

struct IdeDriveConfig {
    std::span<const uint8_t> image;  // kept alive by the caller
    bool read_only = false;
    std::string serial;  // IDENTIFY words 10-19
};

// How a channel's DMA command reaches guest memory (the PIIX bus-master engine): moves all of
// `disk_side` to or from memory, or nothing and returns false when the descriptor table does
// not cover it.
using IdeDmaTransfer = std::function<bool(std::span<uint8_t> disk_side, bool to_memory)>;

class IdeChannel final : public Component {
public:
    static constexpr uint64_t kSectorBytes = 512;
    static constexpr uint64_t kLatencyNs = 10'000;

    // Status and error bits (ATA-6 7.15, 7.9).
    static constexpr uint8_t kBsy = 0x80, kDrdy = 0x40, kDf = 0x20, kDsc = 0x10, kDrq = 0x08, kErr = 0x01;
    static constexpr uint8_t kAbrt = 0x04;
    // The largest READ/WRITE MULTIPLE block (QEMU's, and its default after reset).
    static constexpr uint8_t kMaxMultipleSectors = 16;

    IdeChannel(VirtualClock& clock, std::string name);
    // Drive 0 is the master, 1 the slave.
    void attach(unsigned drive, const IdeDriveConfig& config);
    const DiskOverlay* disk(unsigned drive) const { return drives_[drive].disk.get(); }

    // Command block register r (0-7) and the control block's register (alternate status /
    // device control); the data register is 16 bits wide, or 32 (two words). Every register of
    // a channel without drives, or of an absent slave, reads 0, as QEMU's do.
    uint32_t read_command_block(unsigned r, unsigned size);
    void write_command_block(unsigned r, uint32_t value, unsigned size);
    uint8_t read_alternate_status() const { return status(); }
    void write_device_control(uint8_t value);

    // The bus-master engine's start bit: a DMA command waits for it.
    void set_dma_active(bool active);
    void set_dma_transfer(IdeDmaTransfer transfer) { dma_ = std::move(transfer); }

    IrqLine irq;

    void serialize(StateArchive& a) override;

private:
    enum class Phase : uint8_t { Idle, Busy, PioIn, PioOut, DmaWait };
    enum class Op : uint8_t { None, Identify, Read, Write, ReadDma, WriteDma, Flush, NoData };

    struct Drive {
        std::unique_ptr<DiskOverlay> disk;
        bool read_only = false;
        std::string serial;
        uint8_t status = 0;
        uint8_t error = 0;
        // CHS translation INITIALIZE DEVICE PARAMETERS sets (IDENTIFY words 54-56).
        uint16_t heads = 16, sectors_per_track = 63;
        uint8_t multiple = kMaxMultipleSectors;  // SET MULTIPLE MODE's block size, 0 for none
    };

    Drive* selected() { return drives_[(device_ >> 4) & 1].disk ? &drives_[(device_ >> 4) & 1] : nullptr; }
    const Drive* selected() const { return const_cast<IdeChannel*>(this)->selected(); }
    uint8_t status() const;
    void execute(uint8_t command);
    // `block`: sectors per interrupt of a PIO command (the MULTIPLE commands' block size).
    void start(Op op, bool lba48, unsigned block = 1);
    void finish();  // the latency timer
    void complete(uint8_t status);
    void abort();  // ERR with ABRT
    void raise_irq();
    bool load_next_sector();
    void store_sector();
    void transfer_dma();
    void reset_drives();  // the end of a software reset
    std::array<uint8_t, kSectorBytes> identify(const Drive& d) const;
    uint64_t total_sectors(const Drive& d) const { return d.disk->size() / kSectorBytes; }

    VirtualClock& clock_;
    VirtualClock::TimerId timer_;
    std::string name_;
    IdeDmaTransfer dma_;
    std::array<Drive, 2> drives_;

    // The task file, with the previous ("high order") byte of each register for LBA48.
    uint8_t features_ = 0, count_ = 0, lba_low_ = 0, lba_mid_ = 0, lba_high_ = 0, device_ = 0;
    uint8_t hob_features_ = 0, hob_count_ = 0, hob_lba_low_ = 0, hob_lba_mid_ = 0, hob_lba_high_ = 0;
    uint8_t control_ = 0;
    bool irq_pending_ = false;

    Phase phase_ = Phase::Idle;
    Op op_ = Op::None;
    uint64_t lba_ = 0;        // the next sector to move
    uint32_t remaining_ = 0;  // sectors still to move
    uint32_t block_sectors_ = 1;
    uint32_t moved_ = 0;  // sectors moved by this command
    std::array<uint8_t, kSectorBytes> buffer_{};
    uint32_t buffer_pos_ = 0;
    bool dma_active_ = false;
};

}  // namespace emu
