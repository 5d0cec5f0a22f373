// What the gdb protocol layer needs from a replay: the interface the replay engine implements
// for `rr-replay --gdb` (and a fake implements for the tests).
//
// Positions. A replay is at a position, its icount: the number of instructions retired since
// the recording began. The state at icount N is the machine after N instructions, with the
// instruction at its pc not yet executed; "instruction N" is the one executed going from N to
// N + 1. A recording spans [begin, end]: begin is where replay starts (0 for a recording made
// from boot), end the icount of its final state. Nothing before begin or after end exists.
// Where the machine changes without retiring an instruction (an interrupt taken, an idle CPU
// jumping to its next timer), the state at N is the one the engine stops in when it runs
// exactly N instructions, the same state every time.
//
// Everything the target reports must be a function of the recording and the position alone,
// so two sessions over one recording see the same thing at the same icount.
//
// Threads. The machines have one CPU, which gdb sees as thread 1 of one process.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "debug/registers.h"

namespace emu::debug {

enum class Direction { Forward, Backward };
enum class Motion { Step, Continue };

// gdb's watchpoint types: `watch` (Z2) stops on writes, `rwatch` (Z3) on reads, `awatch` (Z4)
// on either.
enum class WatchKind { Write, Read, Access };

struct Watchpoint {
    uint64_t addr = 0;
    uint64_t length = 0;  // 1 to kMaxWatchLength bytes
    WatchKind kind = WatchKind::Write;
    bool operator==(const Watchpoint&) const = default;
};

// The largest watched range accepted (gdb watches a whole object in one range).
constexpr uint64_t kMaxWatchLength = 4096;

// Where, in time, a resume stops for a watchpoint hit by instruction K (the accessing
// instruction, executed from K to K + 1):
//   BeforeAccess: at K, the access not yet made (pc is the accessing instruction);
//   AfterAccess:  at K + 1, the access made.
// The protocol layer chooses per architecture and direction so that what gdb does next is
// right (see TargetDescription::gdb_steps_over_watched_access): gdb on AArch64 wants to be
// stopped on the near side of the access and steps across it itself, gdb on i386 on the far
// side. Either side may be the current position, in which case the resume does not move.
enum class WatchSide { BeforeAccess, AfterAccess };

// What makes a resume stop, besides the end of its step or the edge of the recording. The
// whole set is passed with every resume; it changes only between resumes.
struct StopConditions {
    // Stop where pc equals one of these (gdb's software and hardware breakpoints alike).
    // Sorted, no duplicates.
    std::vector<uint64_t> breakpoints;
    // Stop where an instruction reads or writes a byte of a watched range (a read-modify-write
    // instruction does both). Only data accesses by the CPU count: not instruction fetches,
    // not page-table walks, not device DMA.
    std::vector<Watchpoint> watchpoints;
    WatchSide watch_side = WatchSide::AfterAccess;
    // Stop at these icounts (monitor replay_break). Sorted, no duplicates.
    std::vector<uint64_t> icount_breakpoints;
};

enum class StopKind {
    Stepped,          // a Step moved one instruction and nothing else applied
    Breakpoint,       // pc is one of StopConditions::breakpoints
    Watchpoint,       // StopEvent::watch says which and how
    IcountBreakpoint, // icount is one of StopConditions::icount_breakpoints
    Interrupted,      // the interrupt check said so (gdb's Ctrl-C)
    RecordingBegin,   // moving backward, reached begin (and nothing else applied)
    RecordingEnd,     // moving forward, reached end (and nothing else applied)
};

struct WatchHit {
    Watchpoint watchpoint;      // the one hit, as given in StopConditions
    uint64_t access_addr = 0;   // the first byte the instruction accessed
    bool write = false;         // a write (a read-modify-write counts as a write)
    uint64_t access_icount = 0; // K: the icount before the accessing instruction
    // The watched range's contents just before and just after instruction K (in time, whatever
    // the direction). Equal for a read. Empty where the range is not readable memory.
    std::vector<uint8_t> old_value;
    std::vector<uint8_t> new_value;
};

struct StopEvent {
    StopKind kind = StopKind::Stepped;
    std::optional<WatchHit> watch;  // set exactly when kind is Watchpoint
};

struct Extent {
    uint64_t begin = 0;
    uint64_t end = 0;
};

// Polled while a resume runs; true means stop now (gdb sent Ctrl-C or went away). Cheap but not
// free (it may ask the socket): call it about every millisecond of work, not per instruction.
using InterruptCheck = std::function<bool()>;

class DebugTarget {
public:
    virtual ~DebugTarget() = default;

    virtual Arch arch() const = 0;

    // Register `regnum` (its gdb number, see registers.h) at the current position, as
    // little-endian bytes filling `out` exactly (out.size() is the register's size in the
    // target description). False if the target does not have the register (gdb shows it as
    // unavailable); `out` is then ignored.
    virtual bool read_register(unsigned regnum, std::span<uint8_t> out) = 0;

    // Guest memory at the current position, at addresses as the CPU sees them now (translated
    // by the MMU when it is on). Fills a prefix of `out` and returns its length: fewer bytes than
    // asked where readable memory ends, 0 if `addr` itself is not readable. Reads have no side
    // effects: device registers (MMIO) are never read and count as not readable.
    virtual size_t read_memory(uint64_t addr, std::span<uint8_t> out) = 0;

    // Moves the replay and returns why it stopped; the position is then the stop's.
    //
    // Forward Step: executes the current instruction. Forward Continue: executes instructions
    // until a condition holds at the position reached: pc is a breakpoint, icount is an icount
    // breakpoint, or a watchpoint hit puts the stop here (see WatchSide). Conditions are
    // checked only after the first instruction, so a Continue from a breakpoint leaves it;
    // a watchpoint hit by the current instruction with BeforeAccess is the one exception and
    // stops without moving. Reaching end stops with RecordingEnd; at end, nothing moves.
    //
    // Backward is the mirror image over the recorded past: Backward Step goes to icount - 1 (or
    // stops at a watchpoint hit by that instruction with AfterAccess, without moving); Backward
    // Continue goes to the latest earlier position where a condition holds, watchpoint hits
    // placed by watch_side, or to begin with RecordingBegin if there is none. At begin,
    // nothing moves.
    //
    // When several conditions hold at the stop, the kind is the first of Watchpoint,
    // Breakpoint, IcountBreakpoint. A Step reports Watchpoint when its instruction hit one
    // (with the stop placed by watch_side), otherwise Stepped; it never reports Breakpoint or
    // IcountBreakpoint. `interrupted` is polled during a Continue; when it returns true the
    // target stops wherever it is (any position between the start and what it would have
    // reached) with Interrupted.
    virtual StopEvent resume(Direction direction, Motion motion, const StopConditions& conditions,
                             const InterruptCheck& interrupted) = 0;

    // Whether the target can stop for watchpoints of this kind; gdb is told the others are not
    // supported (and says it cannot insert them).
    virtual bool supports_watch(WatchKind) const { return true; }

    virtual uint64_t icount() const = 0;
    virtual Extent extent() const = 0;
    // The icounts where the replay can be restored from directly, ascending.
    virtual std::vector<uint64_t> checkpoints() const = 0;
    // Moves to `icount` (begin <= icount <= end; outside is an Error with a message for the
    // user, and the position does not change).
    virtual Result<Done> seek(uint64_t icount) = 0;
};

}  // namespace emu::debug
