// A CFI flash bank with the Intel/Sharp command set, behaving as QEMU 7.2's pflash_cfi01 does
// on `-M virt` (64 MiB, 256 KiB blocks, a 32-bit bank of two interleaved x16 devices,
// manufacturer 0x89, device 0x18): read array, read status, clear status, read identifier,
// CFI query, block erase, word program, buffered program (0xE8) and block lock commands (which
// it accepts and ignores), enough for U-Boot's CFI driver.
//
// The bank's bytes are a RAM region of the bus, so that code runs from it in place: reads and
// fetches come from that RAM while the bank is in read-array mode, and this device takes every
// store and, in the other modes, every read (Bus's device_writes/device_reads). The bytes live
// in guest memory only: snapshots and state hashes carry them with the RAM, and nothing is
// ever written back to a file. A read-only bank refuses program and erase with the status
// errors a write-protected bank reports (QEMU's `readonly=on`).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/bus.h"
#include "core/component.h"

namespace emu {

class PflashCfi01 : public MmioDevice, public Component {
public:
    static constexpr uint64_t kBankSize = 64 << 20;
    static constexpr uint64_t kBlockSize = 256 << 10;

    // Adds the bank's RAM region and register window at `base`; its bytes start as zeros.
    PflashCfi01(Bus& bus, PhysAddr base, bool read_only, std::string section);

    // The initial contents (a firmware image), zero-padded; false if they do not fit.
    bool load(std::span<const uint8_t> image);

    uint64_t mmio_read(uint64_t offset, unsigned size) override;
    void mmio_write(uint64_t offset, uint64_t value, unsigned size) override;

    // The command state (section named at construction); the bytes are RAM's.
    void serialize(StateArchive& a) override;

private:
    RamRegion& region();
    uint8_t* bytes() { return region().host.get(); }
    uint32_t query(uint64_t offset) const;
    uint32_t identifier(uint64_t offset) const;
    uint64_t status_read(unsigned size) const;
    void program(uint64_t offset, uint64_t value, unsigned size);
    void erase(uint64_t offset);
    void read_array();
    void set_command_mode(bool on);

    Bus& bus_;
    PhysAddr base_;
    bool read_only_;
    std::string section_;
    uint8_t cfi_[0x40] = {};
    uint8_t wcycle_ = 0;  // 0: between commands
    uint8_t cmd_ = 0;     // 0: read array (QEMU's reset value)
    uint8_t status_ = 0x80;  // write state machine ready
    uint32_t counter_ = 0;   // words left in a buffered program
};

}  // namespace emu
