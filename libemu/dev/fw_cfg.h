// QEMU's firmware configuration device as `-M pc` has it in QEMU 7.2: the selector at port
// 0x510 (16-bit writes), the data byte at 0x511 (a byte read of 0x510 reads data too, as the
// two share QEMU's port region) and the DMA interface at 0x514-0x51B (the signature "QEMU CFG"
// when read; a 32-bit write of the descriptor's address high half at 0x514, then the low half
// at 0x518, runs the transfer).
//
// Items are configuration, added by the board before the guest runs; only the selection, the
// read offset and the DMA address are state. Integers are little-endian; the file directory
// (FW_CFG_FILE_DIR) and the DMA descriptor are big-endian, as in QEMU. Files are sorted by name
// and numbered from selector 0x20, as QEMU does for current machine types. No item is
// writable: a DMA write reports an error.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/bus.h"
#include "core/component.h"
#include "core/io_ports.h"

namespace emu {

class StateArchive;

class FwCfg final : public PortDevice, public Component {
public:
    static constexpr uint16_t kPortSelector = 0x510;
    static constexpr uint16_t kPortData = 0x511;
    static constexpr uint16_t kPortDma = 0x514;  // 8 ports

    enum Key : uint16_t {
        kSignature = 0x00,
        kId = 0x01,
        kUuid = 0x02,
        kRamSize = 0x03,
        kNoGraphic = 0x04,
        kNbCpus = 0x05,
        kNuma = 0x0D,
        kBootMenu = 0x0E,
        kMaxCpus = 0x0F,
        kFileDir = 0x19,
        kFileFirst = 0x20,
        kArchLocal = 0x8000,  // the x86 keys: ACPI tables, SMBIOS, IRQ0 override, E820, HPET
        kIrq0Override = 0x8002,
    };
    static constexpr uint32_t kIdTraditional = 1, kIdDma = 2;
    static constexpr unsigned kFileSlots = 0x20;

    // DMA transfers read and write guest memory on `bus`. The signature and ID are added here.
    explicit FwCfg(Bus& bus);

    void add(uint16_t key, std::vector<uint8_t> data);
    void add_u16(uint16_t key, uint16_t v);
    void add_u32(uint16_t key, uint32_t v);
    void add_u64(uint16_t key, uint64_t v);
    // A named file: listed in the directory, selected by its number.
    void add_file(const std::string& name, std::vector<uint8_t> data);

    uint32_t port_read(uint16_t port, unsigned size) override;
    void port_write(uint16_t port, uint32_t value, unsigned size) override;

    // The selected key, the read offset and the DMA address (section "fw_cfg"). The items
    // are the board's configuration and are not saved.
    void serialize(StateArchive& a) override;

private:
    void select(uint16_t key);
    const std::vector<uint8_t>* selected() const;
    uint8_t read_byte();
    void dma_transfer();

    Bus& bus_;
    std::map<uint16_t, std::vector<uint8_t>> items_;
    std::vector<std::pair<std::string, std::vector<uint8_t>>> files_;  // sorted by name
    uint16_t key_ = kSignature;
    bool key_valid_ = true;
    uint32_t offset_ = 0;
    uint64_t dma_addr_ = 0;
};

}  // namespace emu
