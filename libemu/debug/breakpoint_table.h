// The breakpoints and watchpoints gdb has inserted (Z/z packets) and the icount breakpoints of
// `monitor replay_break`, kept as sets: the protocol asks for inserting and removing to be
// idempotent, and gdb may send a packet twice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

#include "debug/debug_target.h"

namespace emu::debug {

enum class BreakpointType { Software, Hardware };

// Per kind; enough for any debugging session, small enough that a peer cannot exhaust memory.
constexpr size_t kMaxBreakpoints = 1024;

class BreakpointTable {
public:
    // False when the table of that kind is full.
    bool insert(BreakpointType type, uint64_t addr);
    void remove(BreakpointType type, uint64_t addr);
    bool insert(const Watchpoint& w);
    void remove(const Watchpoint& w);
    bool insert_icount(uint64_t icount);
    // False if there was none at that icount.
    bool remove_icount(uint64_t icount);
    void clear_icounts() { icounts_.clear(); }
    const std::set<uint64_t>& icounts() const { return icounts_; }

    // The type gdb inserted at `pc` (software if both), for the stop reply.
    BreakpointType type_at(uint64_t pc) const;
    StopConditions conditions(WatchSide side) const;

private:
    std::set<uint64_t> software_;
    std::set<uint64_t> hardware_;
    std::vector<Watchpoint> watchpoints_;  // in insertion order, no duplicates
    std::set<uint64_t> icounts_;
};

}  // namespace emu::debug
