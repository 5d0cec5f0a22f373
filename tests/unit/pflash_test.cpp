// The CFI flash bank on a bus: read-array from RAM, the command set U-Boot's CFI driver uses
// (as QEMU's pflash_cfi01 answers it for virt's geometry), a read-only bank, and the command
// state through a snapshot.
#include <catch2/catch.hpp>

#include <vector>

#include "core/state_archive.h"
#include "dev/pflash_cfi01.h"

using namespace emu;

namespace {

struct Flash {
    Bus bus;
    PflashCfi01 bank;
    explicit Flash(bool read_only = false) : bank(bus, 0, read_only, "pflash") {}
    uint64_t rd(uint64_t at, unsigned size = 4)
    {
        uint64_t v = 0;
        REQUIRE(bus.read(at, size, v) == Bus::Status::Ok);
        return v;
    }
    void wr(uint64_t at, uint64_t v, unsigned size = 4) { REQUIRE(bus.write(at, size, v) == Bus::Status::Ok); }
};

}  // namespace

TEST_CASE("pflash: contents read as RAM and cannot be stored to directly", "[pflash]")
{
    Flash f;
    std::vector<uint8_t> image = {0x11, 0x22, 0x33, 0x44, 0x55};
    REQUIRE(f.bank.load(image));
    CHECK(f.rd(0) == 0x44332211);
    CHECK(f.rd(4, 1) == 0x55);
    CHECK(f.rd(8) == 0);  // zero-padded, as QEMU loads -bios into its bank
    REQUIRE(f.bus.ram_ptr(0, 4) != nullptr);  // code can run from it
    CHECK_FALSE(f.bus.write_bytes(0, image.data(), 1));  // loaders and DMA cannot write it
    CHECK_FALSE(f.bank.load(std::vector<uint8_t>(PflashCfi01::kBankSize + 1, 0)));
}

TEST_CASE("pflash: CFI query and identifier, replicated for both x16 devices", "[pflash]")
{
    Flash f;
    f.wr(0x55 * 4, 0x00980098);
    CHECK(f.bus.ram_ptr(0, 4) == nullptr);  // command mode: reads go to the device
    CHECK(f.rd(0x10 * 4) == 0x00510051);  // 'Q'
    CHECK(f.rd(0x11 * 4) == 0x00520052);  // 'R'
    CHECK(f.rd(0x12 * 4) == 0x00590059);  // 'Y'
    CHECK(f.rd(0x13 * 4, 1) == 0x01);     // Intel command set
    CHECK(f.rd(0x27 * 4, 1) == 25);       // 32 MiB per device
    CHECK(f.rd(0x2A * 4, 1) == 0x0B);     // 2 KiB write buffer per device
    CHECK(f.rd(0x2D * 4, 1) == 255);      // 256 blocks...
    CHECK(f.rd(0x2F * 4, 1) == 0x00);     // ...of 128 KiB per device (0x0200 * 256)
    CHECK(f.rd(0x30 * 4, 1) == 0x02);
    CHECK(f.rd(0x31 * 4, 1) == 'P');
    CHECK(f.rd(0x10 * 4, 8) == 0x0052005200510051ull);  // a wide read combines two units
    f.wr(0, 0xFF);
    CHECK(f.bus.ram_ptr(0, 4) != nullptr);
    f.wr(0, 0x90);
    CHECK(f.rd(0) == 0x00890089);
    CHECK(f.rd(4) == 0x00180018);
    CHECK(f.rd(8) == 0);
    f.wr(0, 0xFF);
    CHECK(f.rd(0) == 0);
}

TEST_CASE("pflash: erase, word program, buffered program and status", "[pflash]")
{
    Flash f;
    uint64_t block = 3 * PflashCfi01::kBlockSize;
    f.wr(block + 0x100, 0x20);
    f.wr(block + 0x100, 0xD0);
    CHECK(f.rd(block) == 0x00800080);  // ready, no error, in both devices
    f.wr(0, 0xFF);
    CHECK(f.rd(block) == 0xFFFFFFFF);
    CHECK(f.rd(block + PflashCfi01::kBlockSize - 4) == 0xFFFFFFFF);
    CHECK(f.rd(block + PflashCfi01::kBlockSize) == 0);  // the next block untouched

    f.wr(block + 8, 0x40);
    f.wr(block + 8, 0x12345678);
    f.wr(0, 0xFF);
    CHECK(f.rd(block + 8) == 0x12345678);

    // Write to buffer: E8, word count - 1, the words, confirm D0.
    f.wr(block + 0x40, 0xE8);
    CHECK((f.rd(block + 0x40) & 0x80) != 0);
    f.wr(block + 0x40, 0x00010001);
    f.wr(block + 0x40, 0xAAAA5555);
    f.wr(block + 0x44, 0x01020304);
    f.wr(block + 0x40, 0xD0);
    f.wr(0, 0xFF);
    CHECK(f.rd(block + 0x40) == 0xAAAA5555);
    CHECK(f.rd(block + 0x44) == 0x01020304);

    f.wr(0, 0x50);  // clear status, back to read array
    f.wr(0, 0x70);
    CHECK(f.rd(0) == 0);
    f.wr(0, 0xFF);
}

TEST_CASE("pflash: a read-only bank reports program and erase errors and keeps its bytes", "[pflash]")
{
    Flash f(true);
    std::vector<uint8_t> image = {1, 2, 3, 4};
    f.bank.load(image);
    f.wr(0, 0x40);
    f.wr(0, 0);
    CHECK((f.rd(0) & 0x10) != 0);
    f.wr(0, 0x50);
    f.wr(0, 0x20);
    f.wr(0, 0xD0);
    CHECK((f.rd(0) & 0x20) != 0);
    f.wr(0, 0xFF);
    CHECK(f.rd(0) == 0x04030201);
}

TEST_CASE("pflash: the command state survives a snapshot", "[pflash]")
{
    Flash a, b;
    a.wr(0, 0x98);
    StateWriter w;
    a.bank.serialize(w);
    StateReader r(w.bytes());
    b.bank.serialize(r);
    REQUIRE(r.finish());
    CHECK(b.bus.ram_ptr(0, 4) == nullptr);
    CHECK(b.rd(0x10 * 4) == 0x00510051);
}
