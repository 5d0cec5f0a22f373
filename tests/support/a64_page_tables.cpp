#include "support/a64_page_tables.h"

#include <stdexcept>

namespace emu::test {

uint64_t tcr_for_ttbr0(unsigned granule_bits, unsigned va_bits)
{
    // TG0: 00 4 KiB, 01 64 KiB, 10 16 KiB.
    uint64_t tg0 = granule_bits == 12 ? 0 : granule_bits == 16 ? 1 : 2;
    constexpr uint64_t kEpd1 = uint64_t{1} << 23;
    constexpr uint64_t kIps44 = uint64_t{4} << 32;
    return (64 - va_bits) | (tg0 << 14) | kEpd1 | kIps44;
}

PageTableBuilder::PageTableBuilder(Write64 write, unsigned granule_bits, unsigned va_bits, uint64_t pool,
                                   uint64_t pool_size)
    : write_(std::move(write)), granule_(granule_bits), va_bits_(va_bits), pool_(pool), pool_end_(pool + pool_size)
{
    // The first level is the one whose index reaches the top VA bit.
    unsigned stride = granule_ - 3;
    unsigned levels = (va_bits_ - granule_ + stride - 1) / stride;
    start_level_ = 4 - levels;
    root_ = new_table(entries(start_level_));
}

unsigned PageTableBuilder::entries(unsigned level) const
{
    unsigned bits = level == start_level_ ? va_bits_ - shift(level) : granule_ - 3;
    return 1u << bits;
}

uint64_t PageTableBuilder::new_table(unsigned n)
{
    uint64_t size = uint64_t{n} * 8;
    uint64_t align = size < 64 ? 64 : size;
    uint64_t addr = (pool_ + align - 1) & ~(align - 1);
    if (addr + size > pool_end_)
        throw std::length_error("PageTableBuilder: the table pool is full");
    pool_ = addr + size;
    for (unsigned i = 0; i < n; i++)
        write_(addr + 8 * i, 0);
    return addr;
}

uint64_t PageTableBuilder::descriptor_address(uint64_t va, unsigned level)
{
    uint64_t table = root_;
    for (unsigned l = start_level_;; l++) {
        uint64_t index = (va >> shift(l)) & (entries(l) - 1);
        uint64_t addr = table + 8 * index;
        if (l == level)
            return addr;
        auto it = written_.find(addr);
        if (it == written_.end() || (it->second & 3) != desc::kTable) {
            uint64_t next = new_table(entries(l + 1));
            written_[addr] = next | desc::kTable;
            write_(addr, next | desc::kTable);
            table = next;
        } else {
            table = it->second & 0x0000FFFFFFFFF000ull & ~((uint64_t{1} << granule_) - 1);
        }
    }
}

void PageTableBuilder::set(uint64_t va, unsigned level, uint64_t descriptor)
{
    uint64_t addr = descriptor_address(va, level);
    written_[addr] = descriptor;
    write_(addr, descriptor);
}

void PageTableBuilder::set_table_bits(uint64_t va, unsigned level, uint64_t bits)
{
    uint64_t addr = descriptor_address(va, level);
    descriptor_address(va, level + 1);  // make sure the table exists
    written_[addr] |= bits;
    write_(addr, written_[addr]);
}

void PageTableBuilder::map(uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs, unsigned leaf_level)
{
    uint64_t step = uint64_t{1} << shift(leaf_level);
    if ((va | pa | size) & (step - 1))
        throw std::invalid_argument("PageTableBuilder::map: not aligned to the leaf size");
    uint64_t type = leaf_level == 3 ? desc::kPage : desc::kBlock;
    for (uint64_t off = 0; off < size; off += step)
        set(va + off, leaf_level, (pa + off) | attrs | desc::kAf | type);
}

}  // namespace emu::test
