#include "debug/breakpoint_table.h"

#include <algorithm>

namespace emu::debug {

bool BreakpointTable::insert(BreakpointType type, uint64_t addr)
{
    std::set<uint64_t>& set = type == BreakpointType::Software ? software_ : hardware_;
    if (set.size() >= kMaxBreakpoints && !set.contains(addr))
        return false;
    set.insert(addr);
    return true;
}

void BreakpointTable::remove(BreakpointType type, uint64_t addr)
{
    (type == BreakpointType::Software ? software_ : hardware_).erase(addr);
}

bool BreakpointTable::insert(const Watchpoint& w)
{
    if (std::find(watchpoints_.begin(), watchpoints_.end(), w) != watchpoints_.end())
        return true;
    if (watchpoints_.size() >= kMaxBreakpoints)
        return false;
    watchpoints_.push_back(w);
    return true;
}

void BreakpointTable::remove(const Watchpoint& w)
{
    std::erase(watchpoints_, w);
}

bool BreakpointTable::insert_icount(uint64_t icount)
{
    if (icounts_.size() >= kMaxBreakpoints && !icounts_.contains(icount))
        return false;
    icounts_.insert(icount);
    return true;
}

bool BreakpointTable::remove_icount(uint64_t icount)
{
    return icounts_.erase(icount) != 0;
}

BreakpointType BreakpointTable::type_at(uint64_t pc) const
{
    return hardware_.contains(pc) && !software_.contains(pc) ? BreakpointType::Hardware : BreakpointType::Software;
}

StopConditions BreakpointTable::conditions(WatchSide side) const
{
    StopConditions c;
    std::set_union(software_.begin(), software_.end(), hardware_.begin(), hardware_.end(),
                   std::back_inserter(c.breakpoints));
    c.watchpoints = watchpoints_;
    c.watch_side = side;
    c.icount_breakpoints.assign(icounts_.begin(), icounts_.end());
    return c;
}

}  // namespace emu::debug
