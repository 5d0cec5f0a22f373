#include "dev/fw_cfg.h"

#include <algorithm>
#include <utility>

#include "core/state_archive.h"

namespace emu {

namespace {

constexpr uint16_t kEntryMask = 0x3FFF;
constexpr uint32_t kDmaError = 0x01, kDmaRead = 0x02, kDmaSkip = 0x04, kDmaSelect = 0x08, kDmaWrite = 0x10;
constexpr char kDmaSignature[] = "QEMU CFG";
constexpr size_t kFileEntryBytes = 64;  // be32 size, be16 select, u16 reserved, char name[56]
constexpr size_t kFileNameBytes = 56;

void put_be(std::vector<uint8_t>& b, size_t at, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; ++i)
        b[at + i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
}

uint64_t get_be(const uint8_t* p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i)
        v = (v << 8) | p[i];
    return v;
}

std::vector<uint8_t> le_bytes(uint64_t v, unsigned n)
{
    std::vector<uint8_t> b(n);
    for (unsigned i = 0; i < n; ++i)
        b[i] = static_cast<uint8_t>(v >> (8 * i));
    return b;
}

}  // namespace

FwCfg::FwCfg(Bus& bus) : bus_(bus)
{
    add(kSignature, {'Q', 'E', 'M', 'U'});
    add_u32(kId, kIdTraditional | kIdDma);
    add(kFileDir, std::vector<uint8_t>(4 + kFileSlots * kFileEntryBytes, 0));
}

void FwCfg::add(uint16_t key, std::vector<uint8_t> data) { items_[key] = std::move(data); }
void FwCfg::add_u16(uint16_t key, uint16_t v) { add(key, le_bytes(v, 2)); }
void FwCfg::add_u32(uint16_t key, uint32_t v) { add(key, le_bytes(v, 4)); }
void FwCfg::add_u64(uint16_t key, uint64_t v) { add(key, le_bytes(v, 8)); }

void FwCfg::add_file(const std::string& name, std::vector<uint8_t> data)
{
    auto at = std::lower_bound(files_.begin(), files_.end(), name,
                               [](const auto& f, const std::string& n) { return f.first < n; });
    files_.insert(at, {name, std::move(data)});
    // Renumber and rewrite the directory: files are numbered in name order.
    std::vector<uint8_t>& dir = items_[kFileDir];
    std::fill(dir.begin(), dir.end(), 0);
    put_be(dir, 0, files_.size(), 4);
    for (size_t i = 0; i < files_.size(); ++i) {
        size_t at_entry = 4 + i * kFileEntryBytes;
        put_be(dir, at_entry, files_[i].second.size(), 4);
        put_be(dir, at_entry + 4, kFileFirst + i, 2);
        const std::string& n = files_[i].first;
        std::copy_n(n.begin(), std::min(n.size(), kFileNameBytes - 1), dir.begin() + at_entry + 8);
        items_[static_cast<uint16_t>(kFileFirst + i)] = files_[i].second;
    }
}

// --- traditional interface -------------------------------------------------------------------

void FwCfg::select(uint16_t key)
{
    key_ = key;
    offset_ = 0;
    key_valid_ = (key & kEntryMask) < kFileFirst + kFileSlots;
}

const std::vector<uint8_t>* FwCfg::selected() const
{
    if (!key_valid_)
        return nullptr;
    // Keys 0x4000 (the old write channel) select the same item as without it.
    auto it = items_.find(static_cast<uint16_t>(key_ & (kArchLocal | kEntryMask)));
    return it == items_.end() ? nullptr : &it->second;
}

uint8_t FwCfg::read_byte()
{
    const std::vector<uint8_t>* item = selected();
    if (!item || offset_ >= item->size())
        return 0;
    return (*item)[offset_++];
}

uint32_t FwCfg::port_read(uint16_t port, unsigned size)
{
    if (port >= kPortDma) {
        // The signature, little-endian from the byte at the port's offset.
        uint32_t v = 0;
        for (unsigned i = 0; i < size && port - kPortDma + i < 8; ++i)
            v |= uint32_t{static_cast<uint8_t>(kDmaSignature[port - kPortDma + i])} << (8 * i);
        return v;
    }
    // Only byte reads are valid on the shared selector/data ports; QEMU answers others with 0.
    return size == 1 ? read_byte() : 0;
}

void FwCfg::port_write(uint16_t port, uint32_t value, unsigned size)
{
    if (port >= kPortDma) {
        if (size != 4)
            return;
        uint64_t half = __builtin_bswap32(value);  // the registers are big-endian
        if (port == kPortDma) {
            dma_addr_ = half << 32;
        } else if (port == kPortDma + 4) {
            dma_addr_ |= half;
            dma_transfer();
        }
        return;
    }
    // A 16-bit write selects; byte writes (the data write QEMU dropped in 2.4) do nothing.
    if (size == 2)
        select(static_cast<uint16_t>(value));
}

// --- DMA -------------------------------------------------------------------------------------------

// The descriptor: be32 control, be32 length, be64 address. The device writes the control word
// back: 0 when done, kDmaError on failure.
void FwCfg::dma_transfer()
{
    uint64_t desc_addr = std::exchange(dma_addr_, 0);
    uint8_t desc[16];
    if (!bus_.read_bytes(desc_addr, desc, sizeof desc)) {
        uint8_t err[4] = {0, 0, 0, kDmaError};
        bus_.write_bytes(desc_addr, err, 4);
        return;
    }
    uint32_t control = static_cast<uint32_t>(get_be(desc, 4));
    uint32_t length = static_cast<uint32_t>(get_be(desc + 4, 4));
    uint64_t address = get_be(desc + 8, 8);
    if (control & kDmaSelect)
        select(static_cast<uint16_t>(control >> 16));
    bool read = control & kDmaRead;
    bool write = !read && (control & kDmaWrite);
    if (!read && !write && !(control & kDmaSkip))
        length = 0;
    uint32_t status = 0;
    const std::vector<uint8_t>* item = selected();
    while (length > 0 && !(status & kDmaError)) {
        uint32_t len;
        if (!item || offset_ >= item->size()) {
            // Past the end: reads fill with zeros, skips do nothing, writes fail.
            len = length;
            if (read) {
                std::vector<uint8_t> zeros(len, 0);
                if (!bus_.write_bytes(address, zeros.data(), len))
                    status |= kDmaError;
            }
            if (write)
                status |= kDmaError;
        } else {
            len = std::min<uint32_t>(length, static_cast<uint32_t>(item->size() - offset_));
            if (read && !bus_.write_bytes(address, item->data() + offset_, len))
                status |= kDmaError;
            if (write)
                status |= kDmaError;  // no item is writable
            offset_ += len;
        }
        address += len;
        length -= len;
    }
    uint8_t out[4];
    for (unsigned i = 0; i < 4; ++i)
        out[i] = static_cast<uint8_t>(status >> (8 * (3 - i)));
    bus_.write_bytes(desc_addr, out, 4);
}

void FwCfg::serialize(StateArchive& a)
{
    a.section("fw_cfg", 1);
    a.field("key", key_);
    a.field("key_valid", key_valid_);
    a.field("offset", offset_);
    a.field("dma_addr", dma_addr_);
}

}  // namespace emu
