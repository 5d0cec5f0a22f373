// fw_cfg through its ports, as a guest reads it: the items a board adds, the file directory
// (big-endian, sorted by name), reads past the end, and DMA transfers into RAM. The values the
// pc board adds are checked against QEMU 7.2's by guests/i386/fw_cfg.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/bus.h"
#include "core/state_archive.h"
#include "dev/fw_cfg.h"

using emu::Bus;
using emu::FwCfg;

namespace {

struct Board {
    Bus bus;
    FwCfg fw{bus};

    Board() { bus.add_ram(0, 1 << 20); }
    void select(uint16_t key) { fw.port_write(FwCfg::kPortSelector, key, 2); }
    std::vector<uint8_t> read(unsigned n)
    {
        std::vector<uint8_t> out;
        for (unsigned i = 0; i < n; ++i)
            out.push_back(static_cast<uint8_t>(fw.port_read(FwCfg::kPortData, 1)));
        return out;
    }
    uint32_t be32(const std::vector<uint8_t>& b, size_t at)
    {
        return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
    }
    // Writes a DMA descriptor at `at` and starts it; returns the control word written back.
    uint32_t dma(uint32_t at, uint32_t control, uint32_t length, uint32_t address)
    {
        uint8_t d[16] = {};
        for (unsigned i = 0; i < 4; ++i) {
            d[i] = static_cast<uint8_t>(control >> (24 - 8 * i));
            d[4 + i] = static_cast<uint8_t>(length >> (24 - 8 * i));
            d[12 + i] = static_cast<uint8_t>(address >> (24 - 8 * i));
        }
        bus.write_bytes(at, d, sizeof d);
        // The guest writes the big-endian halves with OUTL: the port sees them byte-swapped.
        fw.port_write(FwCfg::kPortDma, 0, 4);
        fw.port_write(FwCfg::kPortDma + 4, __builtin_bswap32(at), 4);
        uint8_t c[4];
        bus.read_bytes(at, c, 4);
        return uint32_t{c[0]} << 24 | uint32_t{c[1]} << 16 | uint32_t{c[2]} << 8 | c[3];
    }
};

}  // namespace

TEST_CASE("fw_cfg: signature, ID and integer items", "[pc][fw_cfg]")
{
    Board b;
    b.fw.add_u16(FwCfg::kNbCpus, 1);
    b.fw.add_u64(FwCfg::kRamSize, 0x8000000);
    b.fw.add_u32(FwCfg::kIrq0Override, 1);
    // Selected at reset: the signature.
    CHECK(b.read(4) == std::vector<uint8_t>{'Q', 'E', 'M', 'U'});
    CHECK(b.read(2) == std::vector<uint8_t>{0, 0});  // past the end: zeros
    b.select(FwCfg::kId);
    CHECK(b.read(4) == std::vector<uint8_t>{3, 0, 0, 0});  // traditional and DMA
    b.select(FwCfg::kRamSize);
    CHECK(b.read(8) == std::vector<uint8_t>{0, 0, 0, 8, 0, 0, 0, 0});
    b.select(FwCfg::kNbCpus);
    CHECK(b.read(2) == std::vector<uint8_t>{1, 0});
    b.select(FwCfg::kIrq0Override);
    CHECK(b.read(4) == std::vector<uint8_t>{1, 0, 0, 0});
    // Selecting starts over; a byte read of either port reads data.
    b.select(FwCfg::kSignature);
    CHECK(b.fw.port_read(FwCfg::kPortSelector, 1) == 'Q');
    CHECK(b.fw.port_read(FwCfg::kPortData, 1) == 'E');
    // Wider reads and byte writes do nothing (QEMU refuses them).
    CHECK(b.fw.port_read(FwCfg::kPortSelector, 2) == 0);
    b.fw.port_write(FwCfg::kPortData, 0x05, 1);
    CHECK(b.fw.port_read(FwCfg::kPortData, 1) == 'M');
    // Keys nobody added, and keys beyond the file slots, read as zeros.
    b.select(0x07);
    CHECK(b.read(4) == std::vector<uint8_t>{0, 0, 0, 0});
    b.select(0x3FFF);
    CHECK(b.read(4) == std::vector<uint8_t>{0, 0, 0, 0});
}

TEST_CASE("fw_cfg: files are listed big-endian, sorted by name, numbered from 0x20", "[pc][fw_cfg]")
{
    Board b;
    b.fw.add_file("etc/e820", std::vector<uint8_t>(20, 0xE8));
    b.fw.add_file("bootorder", {'/', 0});
    b.fw.add_file("bios-geometry", {});
    b.select(FwCfg::kFileDir);
    std::vector<uint8_t> dir = b.read(4 + 32 * 64);
    CHECK(b.be32(dir, 0) == 3);
    auto entry = [&](unsigned i) {
        size_t at = 4 + i * 64;
        std::string name(reinterpret_cast<const char*>(&dir[at + 8]));
        return std::tuple{b.be32(dir, at), uint16_t(dir[at + 4] << 8 | dir[at + 5]), name};
    };
    CHECK(entry(0) == std::tuple{0u, uint16_t{0x20}, std::string("bios-geometry")});
    CHECK(entry(1) == std::tuple{2u, uint16_t{0x21}, std::string("bootorder")});
    CHECK(entry(2) == std::tuple{20u, uint16_t{0x22}, std::string("etc/e820")});
    CHECK(b.be32(dir, 4 + 3 * 64) == 0);  // the unused slots are zero
    CHECK(b.read(1) == std::vector<uint8_t>{0});
    b.select(0x22);
    CHECK(b.read(21) == [] {
        std::vector<uint8_t> v(20, 0xE8);
        v.push_back(0);
        return v;
    }());
}

TEST_CASE("fw_cfg: DMA reads, skips, refuses writes and reports its signature", "[pc][fw_cfg]")
{
    Board b;
    b.fw.add_u64(FwCfg::kRamSize, 0x1122334455667788);
    // The DMA registers read as "QEMU CFG".
    CHECK(b.fw.port_read(FwCfg::kPortDma, 4) == 0x554D4551);
    CHECK(b.fw.port_read(FwCfg::kPortDma + 4, 4) == 0x47464320);
    CHECK(b.fw.port_read(FwCfg::kPortDma + 7, 1) == 'G');

    constexpr uint32_t kDesc = 0x1000, kBuf = 0x2000;
    std::vector<uint8_t> buf(12, 0xEE);
    b.bus.write_bytes(kBuf, buf.data(), buf.size());
    CHECK(b.dma(kDesc, (FwCfg::kSignature << 16) | 0x08 | 0x02, 8, kBuf) == 0);  // select + read
    b.bus.read_bytes(kBuf, buf.data(), buf.size());
    CHECK(buf == std::vector<uint8_t>{'Q', 'E', 'M', 'U', 0, 0, 0, 0, 0xEE, 0xEE, 0xEE, 0xEE});

    CHECK(b.dma(kDesc, (FwCfg::kRamSize << 16) | 0x08 | 0x04, 2, 0) == 0);  // select + skip 2
    CHECK(b.dma(kDesc, 0x02, 4, kBuf) == 0);                                // read on from there
    b.bus.read_bytes(kBuf, buf.data(), 4);
    CHECK(std::vector<uint8_t>(buf.begin(), buf.begin() + 4) == std::vector<uint8_t>{0x66, 0x55, 0x44, 0x33});
    // The data port goes on from where DMA stopped.
    CHECK(b.fw.port_read(FwCfg::kPortData, 1) == 0x22);

    CHECK(b.dma(kDesc, (FwCfg::kRamSize << 16) | 0x08 | 0x10, 4, kBuf) == 1);  // write: error
    CHECK(b.dma(kDesc, (FwCfg::kRamSize << 16) | 0x08, 4, kBuf) == 0);         // nothing to do
    // Outside RAM: the transfer fails.
    CHECK(b.dma(kDesc, 0x02, 4, 0x200000) == 1);
}

TEST_CASE("fw_cfg: a snapshot keeps the selection, the offset and the DMA address", "[pc][fw_cfg][snapshot]")
{
    Board a;
    a.fw.add_u64(FwCfg::kRamSize, 0x0807060504030201);
    a.select(FwCfg::kRamSize);
    a.read(3);
    a.fw.port_write(FwCfg::kPortDma, __builtin_bswap32(0x12), 4);
    emu::StateWriter w;
    a.fw.serialize(w);
    Board r;
    r.fw.add_u64(FwCfg::kRamSize, 0x0807060504030201);
    emu::StateReader rd(w.bytes());
    r.fw.serialize(rd);
    REQUIRE(rd.finish());
    CHECK(r.read(5) == a.read(5));
    std::vector<uint8_t> sa, sr;
    append_state(sa, a.fw);
    append_state(sr, r.fw);
    CHECK(sa == sr);
}
