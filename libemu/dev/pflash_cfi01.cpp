#include "dev/pflash_cfi01.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/state_archive.h"

namespace emu {

namespace {
constexpr unsigned kBankWidth = 4;    // bytes per bus access of the whole bank
constexpr unsigned kDeviceWidth = 2;  // each of the two devices is x16
constexpr uint16_t kManufacturer = 0x89;
constexpr uint16_t kDevice = 0x18;
constexpr uint8_t kReady = 0x80;
constexpr uint8_t kEraseError = 0x20;
constexpr uint8_t kProgramError = 0x10;

// Offsets are in bank-width units; a query address counts in device words.
unsigned unit_shift() { return std::countr_zero(kBankWidth); }

// The reply of one device, repeated for each device of the bank.
uint32_t replicate(uint32_t reply)
{
    uint32_t v = reply & 0xFFFF;
    return v | v << 16;
}
}  // namespace

PflashCfi01::PflashCfi01(Bus& bus, PhysAddr base, bool read_only, std::string section)
    : bus_(bus), base_(base), read_only_(read_only), section_(std::move(section))
{
    RamRegion& r = bus_.add_ram(base, kBankSize);
    r.device_writes = true;
    bus_.add_mmio(base, kBankSize, this, section_);

    // The CFI table of QEMU's model for this geometry (per device: 32 MiB, 128 KiB blocks).
    uint64_t blocks = kBankSize / kBlockSize;
    uint64_t block_per_device = kBlockSize / (kBankWidth / kDeviceWidth);
    uint64_t device_bytes = block_per_device * blocks;
    const uint8_t table[] = {
        'Q', 'R', 'Y', 0x01, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0x10: QRY, Intel set, PRI at 0x31
        0x45, 0x55, 0x00, 0x00,                                          // 0x1B: Vcc, Vpp
        0x07, 0x07, 0x0A, 0x00, 0x04, 0x04, 0x04, 0x00,                  // 0x1F: timeouts
        static_cast<uint8_t>(std::countr_zero(device_bytes)),           // 0x27: size, 2^n bytes
        0x02, 0x00,                                                      // 0x28: x8/x16 interface
        0x0B, 0x00,                                                      // 0x2A: 2 KiB write buffer
        0x01,                                                            // 0x2C: one erase region
        static_cast<uint8_t>(blocks - 1), static_cast<uint8_t>((blocks - 1) >> 8),
        static_cast<uint8_t>(block_per_device >> 8), static_cast<uint8_t>(block_per_device >> 16),
        'P', 'R', 'I', '1', '0', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0x31: primary extended table
    };
    std::memcpy(cfi_ + 0x10, table, sizeof table);
    cfi_[0x3F] = 0x01;  // protection fields
}

RamRegion& PflashCfi01::region()
{
    for (RamRegion& r : bus_.ram_regions())
        if (r.base == base_)
            return r;
    std::abort();  // the constructor added it; regions are never removed
}

bool PflashCfi01::load(std::span<const uint8_t> image)
{
    if (image.size() > kBankSize)
        return false;
    std::memcpy(bytes(), image.data(), image.size());
    std::memset(bytes() + image.size(), 0, kBankSize - image.size());
    bus_.note_ram_write(region(), base_, kBankSize);
    return true;
}

void PflashCfi01::set_command_mode(bool on) { region().device_reads = on; }

void PflashCfi01::read_array()
{
    set_command_mode(false);
    wcycle_ = 0;
    cmd_ = 0;
}

uint32_t PflashCfi01::query(uint64_t offset) const
{
    uint64_t index = offset >> unit_shift();
    return index < sizeof cfi_ ? replicate(cfi_[index]) : 0;
}

uint32_t PflashCfi01::identifier(uint64_t offset) const
{
    // Offsets 2 and 3 (block lock status) read 0, as in QEMU.
    switch ((offset >> unit_shift()) & 0xFF) {
    case 0: return replicate(kManufacturer);
    case 1: return replicate(kDevice);
    default: return 0;
    }
}

uint64_t PflashCfi01::status_read(unsigned size) const
{
    uint64_t v = status_;
    for (unsigned shift = kDeviceWidth * 8; shift + kDeviceWidth * 8 <= size * 8; shift += kDeviceWidth * 8)
        v |= uint64_t{status_} << shift;
    return v;
}

uint64_t PflashCfi01::mmio_read(uint64_t offset, unsigned size)
{
    switch (cmd_) {
    case 0x10:
    case 0x20:
    case 0x28:
    case 0x40:
    case 0x50:
    case 0x60:
    case 0x70:
    case 0xE8: return status_read(size);
    case 0x90:
    case 0x98: {
        // A read wider than the bank combines consecutive replies.
        uint64_t v = 0;
        for (unsigned i = 0; i < std::max(size, kBankWidth); i += kBankWidth) {
            uint64_t reply = cmd_ == 0x90 ? identifier(offset + i) : query(offset + i);
            v |= reply << (8 * i);
        }
        return size < 8 ? v & ((uint64_t{1} << (8 * size)) - 1) : v;
    }
    default: {
        uint64_t v = 0;
        std::memcpy(&v, bytes() + offset, size);
        return v;
    }
    }
}

void PflashCfi01::program(uint64_t offset, uint64_t value, unsigned size)
{
    if (read_only_) {
        status_ |= kProgramError;
        return;
    }
    std::memcpy(bytes() + offset, &value, size);
    bus_.note_ram_write(region(), base_ + offset, size);
}

void PflashCfi01::erase(uint64_t offset)
{
    offset &= ~(kBlockSize - 1);
    if (read_only_) {
        status_ |= kEraseError;
        return;
    }
    std::memset(bytes() + offset, 0xFF, kBlockSize);
    bus_.note_ram_write(region(), base_ + offset, kBlockSize);
}

// The command sequences of QEMU's pflash_cfi01_write: wcycle counts the bus cycles of the
// command in progress; anything out of sequence goes back to read-array mode.
void PflashCfi01::mmio_write(uint64_t offset, uint64_t value, unsigned size)
{
    uint8_t cmd = static_cast<uint8_t>(value);
    if (wcycle_ == 0)
        set_command_mode(true);
    switch (wcycle_) {
    case 0:
        switch (cmd) {
        case 0x00:  // QEMU's read array
        case 0xF0:  // an AMD reset: this is no AMD part
        case 0xFF: read_array(); return;
        case 0x10:
        case 0x40:
        case 0x60:
        case 0x98: break;
        case 0x20:
            erase(offset);
            status_ |= kReady;
            break;
        case 0x50:
            status_ = 0;
            read_array();
            return;
        case 0x70:
        case 0x90: cmd_ = cmd; return;
        case 0xE8: status_ |= kReady; break;
        default: read_array(); return;
        }
        wcycle_ = 1;
        cmd_ = cmd;
        return;
    case 1:
        switch (cmd_) {
        case 0x10:
        case 0x40:
            program(offset, value, size);
            status_ |= kReady;
            wcycle_ = 0;
            return;
        case 0x20:
        case 0x28:
            if (cmd == 0xD0) {
                wcycle_ = 0;
                status_ |= kReady;
            } else {
                read_array();
            }
            return;
        case 0xE8:
            // The word count less one, per device.
            counter_ = static_cast<uint32_t>(value & 0xFFFF);
            wcycle_ = 2;
            return;
        case 0x60:
            if (cmd == 0xD0 || cmd == 0x01) {
                wcycle_ = 0;
                status_ |= kReady;
            } else {
                read_array();
            }
            return;
        case 0x98:
            if (cmd == 0xFF)
                read_array();
            return;  // otherwise it stays in query mode
        default: read_array(); return;
        }
    case 2:
        if (cmd_ != 0xE8) {
            read_array();
            return;
        }
        program(offset, value, size);
        status_ |= kReady;
        if (counter_ == 0)
            wcycle_ = 3;
        else
            --counter_;
        return;
    case 3:
        if (cmd_ == 0xE8 && cmd == 0xD0) {
            wcycle_ = 0;
            status_ |= kReady;
        } else {
            read_array();
        }
        return;
    default: read_array(); return;
    }
}

void PflashCfi01::serialize(StateArchive& a)
{
    a.section(section_, 1);
    a.field("wcycle", wcycle_);
    a.field("cmd", cmd_);
    a.field("status", status_);
    a.field("counter", counter_);
    bool command_mode = region().device_reads;
    a.field("command_mode", command_mode);
    if (a.loading())
        set_command_mode(command_mode);
}

}  // namespace emu
