#include "replay/search/machine_compare.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/dirty_pages.h"
#include "core/format.h"

namespace emu {

namespace {

std::vector<uint8_t> saved_without_ram(Machine& m)
{
    StateWriter w;
    m.serialize(w, RamPages::None);
    return w.bytes();
}

// The pages marked written since the last comparison, with their marks cleared.
void take_written(Machine& m, std::vector<uint64_t>& pages)
{
    for (RamRegion& r : m.bus().ram_regions())
        take_marked_pages(r, kDirtyForCompare, [&](size_t p) { pages.push_back((r.base >> kPageBits) + p); });
}

}  // namespace

void MachineComparison::forget_writes()
{
    for (Machine* m : {&a_, &b_})
        for (RamRegion& r : m->bus().ram_regions())
            for (uint8_t& d : r.dirty_page)
                d &= ~kDirtyForCompare;
}

std::optional<std::string> MachineComparison::page_difference(uint64_t page)
{
    uint64_t addr = page << kPageBits;
    RamRegion* ra = a_.bus().ram_at(addr);
    RamRegion* rb = b_.bus().ram_at(addr);
    if (!ra || !rb)
        return std::nullopt;
    size_t n = static_cast<size_t>(std::min<uint64_t>(kPageSize, ra->size - (addr - ra->base)));
    const uint8_t* pa = ra->host.get() + (addr - ra->base);
    const uint8_t* pb = rb->host.get() + (addr - rb->base);
    if (std::memcmp(pa, pb, n) == 0)
        return std::nullopt;
    const uint8_t* ia = loaded_a_.page(page);
    const uint8_t* ib = loaded_b_.page(page);
    for (size_t i = 0; i < n; ++i) {
        uint8_t image_a = ia ? ia[i] : 0, image_b = ib ? ib[i] : 0;
        if (pa[i] != pb[i] && !(pa[i] == image_a && pb[i] == image_b)) {
            char text[96];
            std::snprintf(text, sizeof text, "RAM at 0x%llx: 0x%02x vs 0x%02x",
                          static_cast<unsigned long long>(addr + i), pa[i], pb[i]);
            return std::string(text);
        }
    }
    return std::nullopt;
}

std::optional<std::string> MachineComparison::difference(const std::vector<uint64_t>& pages)
{
    std::vector<uint64_t> check = pages;
    take_written(a_, check);
    take_written(b_, check);
    std::vector<uint64_t> ra = a_.register_values(), rb = b_.register_values();
    const std::vector<std::string>& names = a_.register_names();
    for (size_t i = 0; i < ra.size() && i < rb.size() && i < names.size(); ++i)
        if (ra[i] != rb[i])
            return names[i] + ": " + hex(ra[i]) + " vs " + hex(rb[i]);
    if (std::optional<std::string> d = first_state_difference(saved_without_ram(a_), saved_without_ram(b_)))
        return *d;
    std::sort(check.begin(), check.end());
    check.erase(std::unique(check.begin(), check.end()), check.end());
    for (uint64_t page : check)
        if (std::optional<std::string> d = page_difference(page))
            return d;
    return std::nullopt;
}

}  // namespace emu
