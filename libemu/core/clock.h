// Virtual time. icount, the number of guest instructions retired, is the only time base:
// virtual nanoseconds are (icount << shift) plus the time the CPU spent idle. An idle CPU
// (WFI, HLT) retires nothing, so idling jumps the idle offset to the next timer deadline, as
// QEMU's icount warp does. Device timers are deadlines on that clock; equal deadlines fire in
// creation order, so timer delivery is deterministic.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace emu {

class StateArchive;

class VirtualClock {
public:
    using TimerId = uint32_t;
    static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

    explicit VirtualClock(unsigned shift = 0) : shift_(shift) {}

    unsigned shift() const { return shift_; }

    // The CPU publishes the exact icount here before any device can observe time.
    void set_icount(uint64_t icount) { icount_ = icount; }
    uint64_t icount() const { return icount_; }
    uint64_t ns() const { return (icount_ << shift_) + idle_ns_; }

    // First icount at which virtual time has reached `ns`.
    uint64_t icount_for_ns(uint64_t ns) const
    {
        if (ns == kNever)
            return kNever;
        if (ns <= ns_at(0))
            return 0;
        uint64_t busy = ns - idle_ns_;
        return (busy + (uint64_t{1} << shift_) - 1) >> shift_;
    }

    // For an idle CPU: moves virtual time forward to the earliest deadline. False if no timer
    // is armed (nothing but an outside event can wake the CPU).
    bool idle_to_next_deadline();

    TimerId add_timer(std::function<void()> callback);
    void arm(TimerId id, uint64_t deadline_ns);
    void disarm(TimerId id);
    // A timer's deadline in virtual ns, kNever while it is not armed.
    uint64_t deadline(TimerId id) const { return timers_[id].deadline_ns; }

    // icount of the earliest armed deadline, or kNever. Cached: the CPU reads it every block.
    uint64_t next_deadline_icount() const { return next_deadline_icount_; }
    // Fires, in order, every timer whose deadline has been reached at the current icount.
    void fire_due();

    // The idle offset and every timer's deadline (section "clock"); the icount belongs to the
    // CPU and is restored with it. Timers are identified by creation order, so the clock that
    // loads must have been given the same timers as the one that saved.
    void serialize(StateArchive& a);

private:
    uint64_t ns_at(uint64_t icount) const { return (icount << shift_) + idle_ns_; }
    uint64_t earliest_deadline_ns() const;
    void update_next_deadline() { next_deadline_icount_ = icount_for_ns(earliest_deadline_ns()); }

    struct Timer {
        std::function<void()> callback;
        uint64_t deadline_ns = kNever;
    };
    unsigned shift_;
    uint64_t icount_ = 0;
    uint64_t idle_ns_ = 0;
    uint64_t next_deadline_icount_ = kNever;
    std::vector<Timer> timers_;
};

}  // namespace emu
