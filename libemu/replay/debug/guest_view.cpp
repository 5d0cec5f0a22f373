#include "replay/debug/guest_view.h"

#include <algorithm>
#include <cstring>

#include "machine/pc.h"
#include "machine/virt.h"

namespace emu {

size_t GuestView::read_memory(uint64_t addr, std::span<uint8_t> out) const
{
    size_t done = 0;
    while (done < out.size()) {
        uint64_t at = addr + done;
        if (at < addr)
            break;  // past the top of the address space
        std::optional<uint64_t> phys = translate(at);
        if (!phys)
            break;
        uint64_t in_page = kPageSize - (at & (kPageSize - 1));
        RamRegion* r = bus_.ram_at(*phys);
        if (!r)
            break;
        size_t n = static_cast<size_t>(std::min<uint64_t>({out.size() - done, in_page, r->size - (*phys - r->base)}));
        std::memcpy(out.data() + done, r->host.get() + (*phys - r->base), n);
        done += n;
    }
    return done;
}

std::unique_ptr<GuestView> make_guest_view(Machine& m)
{
    if (auto* virt = dynamic_cast<VirtMachine*>(&m))
        return a64_guest_view(virt->cpu(), virt->bus());
    if (auto* pc = dynamic_cast<PcMachine*>(&m))
        return i386_guest_view(pc->cpu(), pc->bus());
    return nullptr;
}

}  // namespace emu
