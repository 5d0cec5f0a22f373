// VMSAv8-64 translation tables for tests, written descriptor by descriptor through a callback
// (one RAM, or the two copies of a lockstep rig). The formats are spelled out here from the
// ARM ARM (D5.3, "VMSAv8-64 translation table format descriptors"), independently of the
// emulator's own walker, so that the two can check each other.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

namespace emu::test {

// Descriptor and attribute bits (ARM ARM D5.3).
namespace desc {
constexpr uint64_t kValid = 1;
constexpr uint64_t kTable = 3;  // at levels 0-2
constexpr uint64_t kPage = 3;   // at level 3
constexpr uint64_t kBlock = 1;  // at levels 1-2
constexpr uint64_t attr_index(unsigned i) { return uint64_t{i} << 2; }
constexpr uint64_t kApEl0 = uint64_t{1} << 6;      // AP[1]: EL0 may access
constexpr uint64_t kApReadOnly = uint64_t{1} << 7;  // AP[2]
constexpr uint64_t kShOuter = uint64_t{2} << 8;
constexpr uint64_t kShInner = uint64_t{3} << 8;
constexpr uint64_t kAf = uint64_t{1} << 10;
constexpr uint64_t kNg = uint64_t{1} << 11;
constexpr uint64_t kPxn = uint64_t{1} << 53;
constexpr uint64_t kUxn = uint64_t{1} << 54;
constexpr uint64_t kPxnTable = uint64_t{1} << 59;
constexpr uint64_t kUxnTable = uint64_t{1} << 60;
constexpr uint64_t kApTableNoEl0 = uint64_t{1} << 61;
constexpr uint64_t kApTableReadOnly = uint64_t{1} << 62;
}  // namespace desc

// MAIR_EL1 with attribute 0 Device-nGnRnE, 1 Normal write-back, 2 Normal non-cacheable.
constexpr uint64_t kTestMair = 0x44FF00;
constexpr unsigned kAttrDevice = 0, kAttrNormal = 1, kAttrNonCacheable = 2;

// TCR_EL1 for a TTBR0 region of `va_bits` with the given granule (log2 of 4, 16 or 64 KiB), a
// 44-bit output size (IPS 4) and TTBR1 walks disabled.
uint64_t tcr_for_ttbr0(unsigned granule_bits, unsigned va_bits);

class PageTableBuilder {
public:
    using Write64 = std::function<void(uint64_t addr, uint64_t value)>;

    // Tables come from [pool, pool + pool_size), each aligned to its size, and start zeroed
    // (the callback writes every entry of a new table).
    PageTableBuilder(Write64 write, unsigned granule_bits, unsigned va_bits, uint64_t pool, uint64_t pool_size);

    uint64_t root() const { return root_; }
    unsigned start_level() const { return start_level_; }

    // Maps [va, va + size) to pa with the leaf attributes `attrs` (AF and the descriptor type
    // are added), with descriptors at `leaf_level`: 3 for pages, 1 or 2 for blocks.
    void map(uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs, unsigned leaf_level = 3);
    // Writes a raw descriptor for va at `level`, creating the tables above it.
    void set(uint64_t va, unsigned level, uint64_t descriptor);
    // Where the descriptor for va at `level` lives, creating the tables above it.
    uint64_t descriptor_address(uint64_t va, unsigned level);
    // OR-s `bits` into the table descriptor at `level` that leads to va's next table.
    void set_table_bits(uint64_t va, unsigned level, uint64_t bits);

private:
    uint64_t new_table(unsigned entries);
    unsigned shift(unsigned level) const { return granule_ + (granule_ - 3) * (3 - level); }
    unsigned entries(unsigned level) const;

    Write64 write_;
    unsigned granule_;
    unsigned va_bits_;
    unsigned start_level_;
    uint64_t pool_;
    uint64_t pool_end_;
    uint64_t root_;
    std::map<uint64_t, uint64_t> written_;  // descriptor address -> descriptor
};

}  // namespace emu::test
