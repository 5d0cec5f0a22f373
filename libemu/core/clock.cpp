#include "core/clock.h"

#include "core/state_archive.h"

namespace emu {

VirtualClock::TimerId VirtualClock::add_timer(std::function<void()> callback)
{
    timers_.push_back({std::move(callback), kNever});
    return static_cast<TimerId>(timers_.size() - 1);
}

void VirtualClock::arm(TimerId id, uint64_t deadline_ns)
{
    timers_[id].deadline_ns = deadline_ns;
    update_next_deadline();
}

void VirtualClock::disarm(TimerId id)
{
    timers_[id].deadline_ns = kNever;
    update_next_deadline();
}

uint64_t VirtualClock::earliest_deadline_ns() const
{
    // A machine has a handful of timers: a scan beats a heap and keeps the order obvious.
    uint64_t earliest = kNever;
    for (const Timer& t : timers_)
        if (t.deadline_ns < earliest)
            earliest = t.deadline_ns;
    return earliest;
}

bool VirtualClock::idle_to_next_deadline()
{
    uint64_t deadline = earliest_deadline_ns();
    if (deadline == kNever)
        return false;
    if (deadline > ns())
        idle_ns_ += deadline - ns();
    update_next_deadline();
    return true;
}

void VirtualClock::fire_due()
{
    uint64_t now = ns();
    for (Timer& t : timers_) {
        if (t.deadline_ns <= now) {
            t.deadline_ns = kNever;
            t.callback();
        }
    }
    update_next_deadline();
}

void VirtualClock::serialize(StateArchive& a)
{
    a.section("clock", 1);
    a.field("idle_ns", idle_ns_);
    auto count = static_cast<uint32_t>(timers_.size());
    a.field("timers", count);
    // A snapshot with another number of timers comes from a machine built differently.
    if (count != timers_.size()) {
        a.fail("the snapshot has " + std::to_string(count) + " timers, this machine " +
               std::to_string(timers_.size()));
        return;
    }
    for (Timer& t : timers_)
        a.field("deadline", t.deadline_ns);
    if (a.loading())
        update_next_deadline();
}


}  // namespace emu
