// Guest data accesses a debugger watches (gdb's rwatch and awatch): ranges of addresses as the
// CPU issues them (AArch64 virtual addresses, i386 linear addresses), like hardware
// watchpoints. The watch follows the address, not the memory behind it: when the guest maps
// other memory there, that memory is watched; an alias of the watched memory at another
// address is not.
//
// What counts: loads and stores of instructions, a read-modify-write as both, DC ZVA as a
// store. Not instruction fetches, page-table walks or device DMA, which do not go through a
// CPU's data path.
//
// How it is seen: while any range is set, the CPU keeps every page overlapping one off its
// host-pointer fast paths (the data TLB and the flat RAM window), so those accesses reach its
// slow path, which calls note(). With no range set nothing is tested outside the slow path
// and TLB fills: the fast paths cost the same as without the facility.
//
// This is debugger state, never guest state: it is not serialized and changes nothing the
// guest can see.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace emu {

struct WatchedRange {
    uint64_t addr = 0;
    uint64_t length = 0;  // at least 1
    bool reads = false;   // loads hit it
    bool writes = false;  // stores hit it
    bool operator==(const WatchedRange&) const = default;
};

struct AccessHit {
    uint64_t icount = 0;  // before the accessing instruction (the icount it executes at)
    uint64_t addr = 0;    // the first watched byte the access touched
    bool write = false;
    size_t range = 0;     // index into the ranges given to set_ranges()
};

class AccessWatch {
public:
    bool active() const { return !ranges_.empty(); }
    const std::vector<WatchedRange>& ranges() const { return ranges_; }
    // Replaces the ranges (empty: nothing watched) and forgets the hits; the listener is told
    // when the ranges change, so that the CPU rebuilds its fast paths.
    void set_ranges(std::vector<WatchedRange> ranges);
    // The CPU on the bus: called after the ranges change.
    void set_change_listener(std::function<void()> listener) { listener_ = std::move(listener); }

    // Whether the page [page, page + page_size) overlaps a range: such pages stay slow.
    bool watches_page(uint64_t page, uint64_t page_size) const;

    // A data access [addr, addr + size) made by the instruction executing at `icount`.
    void note(uint64_t addr, uint64_t size, bool write, uint64_t icount);

    // The first and the last hit noted since the ranges were set or the hits forgotten, and
    // how many there were (an access hitting two ranges counts once).
    const std::optional<AccessHit>& first_hit() const { return first_; }
    const std::optional<AccessHit>& last_hit() const { return last_; }
    uint64_t hit_count() const { return hit_count_; }
    void forget_hits()
    {
        first_.reset();
        last_.reset();
        hit_count_ = 0;
    }

private:
    std::vector<WatchedRange> ranges_;
    std::function<void()> listener_;
    std::optional<AccessHit> first_, last_;
    uint64_t hit_count_ = 0;
};

}  // namespace emu
