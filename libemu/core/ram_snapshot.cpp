#include "core/ram_snapshot.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace emu {

namespace {

bool all_zero(const uint8_t* p, size_t n)
{
    return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

}  // namespace

void serialize_ram(StateArchive& a, Bus& bus)
{
    a.section("ram", 1);
    if (a.loading() && a.error())
        return;  // a snapshot that already failed must not wipe the RAM
    for (const RamRegion& region : bus.ram_regions()) {
        auto& r = const_cast<RamRegion&>(region);
        uint64_t base = r.base, size = r.size;
        a.field("base", base);
        a.field("size", size);
        if (a.loading() && (base != r.base || size != r.size))
            return;  // the next field read fails with the mismatch named
        uint32_t pages = 0;
        if (!a.loading())
            for (uint64_t off = 0; off < r.size; off += kPageSize)
                pages += !all_zero(r.host.get() + off, std::min<uint64_t>(kPageSize, r.size - off));
        a.field("pages", pages);
        if (a.loading())
            std::memset(r.host.get(), 0, r.size);
        uint64_t off = 0;
        for (uint32_t i = 0; i < pages; ++i) {
            if (!a.loading())
                while (all_zero(r.host.get() + off, std::min<uint64_t>(kPageSize, r.size - off)))
                    off += kPageSize;
            uint64_t at = off;
            a.field("page", at);
            std::vector<uint8_t> bytes;
            if (!a.loading())
                bytes.assign(r.host.get() + off, r.host.get() + off + std::min<uint64_t>(kPageSize, r.size - off));
            a.blob("bytes", bytes);
            if (a.loading()) {
                if (at >= r.size || bytes.size() > r.size - at || a.error())
                    return;
                std::memcpy(r.host.get() + at, bytes.data(), bytes.size());
            }
            off += kPageSize;
        }
        std::vector<uint8_t> dirty = r.dirty_page;
        a.blob("dirty", dirty);
        if (a.loading() && dirty.size() == r.dirty_page.size())
            r.dirty_page = dirty;
    }
}

}  // namespace emu
