#include "replay/recorder.h"

#include <algorithm>
#include <array>

#include "replay/event_payloads.h"

namespace emu {

namespace {

// Instructions per slice between looks at the host: short enough that live input and flushes
// are timely, long enough that cutting blocks at slice ends costs nothing measurable. Slices
// end at multiples of it, which are also points where serial input is delivered.
constexpr uint64_t kSliceInsns = 1u << 20;
constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

// Timer deadlines an idle CPU may sleep through without running an instruction (a timer
// ticking while every interrupt is masked) before the run counts as stuck.
constexpr uint32_t kMaxIdleRounds = 1'000'000;

// How long the recorder may wait for host input before it looks at `interrupted` again.
constexpr std::chrono::milliseconds kInterruptLatency{200};

uint64_t first_due(uint64_t every) { return every ? every : kNever; }
uint64_t next_due(uint64_t now, uint64_t every) { return (now / every + 1) * every; }

}  // namespace

Recorder::Recorder(Machine& machine, EventLog& log, SerialSource* serial_in, RecorderOptions options)
    : m_(machine),
      log_(log),
      serial_(serial_in),
      options_(options),
      next_hash_(first_due(options.hash_every)),
      next_checkpoint_(first_due(options.checkpoint_every)),
      last_flush_(std::chrono::steady_clock::now())
{
    if (options.checkpoint_every)
        checkpointer_.emplace(machine);
}

void Recorder::log_state_hash(uint64_t now)
{
    log_.append(now, EventKind::StateHash, encode(m_.state_digest()));
    last_hash_icount_ = now;
    hashes_++;
}

void Recorder::visit(uint64_t now)
{
    if (now == visited_)
        return;
    visited_ = now;
    idle_round_ = 0;
    if (now >= next_hash_) {
        log_state_hash(now);
        next_hash_ = next_due(now, options_.hash_every);
    }
    if (now >= next_checkpoint_) {
        // The hash there lets rr-inspect --verify check the checkpoint, and leaves nothing in
        // the RAM part of the next hash that the checkpoint would have to carry.
        if (last_hash_icount_ != now)
            log_state_hash(now);
        checkpointer_->take(now, log_);
        next_checkpoint_ = next_due(now, options_.checkpoint_every);
    }
}

bool Recorder::serial_deliverable() { return serial_ && m_.serial_room(0) > 0 && serial_->ready(); }

bool Recorder::deliver_serial(uint64_t now)
{
    if (!serial_)
        return false;
    size_t room = m_.serial_room(0);
    if (room == 0)
        return false;
    std::array<uint8_t, 256> buf;
    size_t n = serial_->take(buf.data(), std::min(room, buf.size()));
    if (n == 0)
        return false;
    SerialInputEvent ev{0, idle_round_, {buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n)}};
    m_.serial_receive(0, ev.bytes);
    log_.append(now, EventKind::SerialInput, encode(ev));
    return true;
}

std::string Recorder::input_error()
{
    for (SerialSource* in : {serial_, options_.console})
        if (in)
            if (std::string e = in->error(); !e.empty())
                return e;
    return "";
}

void Recorder::flush_if_due()
{
    auto now = std::chrono::steady_clock::now();
    if (now - last_flush_ < options_.flush_every)
        return;
    last_flush_ = now;
    log_.flush();
}

RunOutcome Recorder::finish(RunOutcome outcome)
{
    outcome.icount = m_.icount();
    visit(outcome.icount);
    // The state the machine stopped in: a guest may stop it without retiring an instruction
    // (a refused instruction, an exception loop), after a hash at this icount was taken.
    GuestExitEvent exit{outcome.kind, outcome.exit_code, m_.state_digest()};
    log_.append(outcome.icount, EventKind::GuestExit, encode(exit));
    hashes_++;
    return outcome;
}

RunOutcome Recorder::run()
{
    const uint64_t start = m_.icount();
    const uint64_t end = options_.max_insns > kNever - start ? kNever : start + options_.max_insns;
    // Serial input is delivered only where the guest alone decides: at the start, where it
    // found its receive side empty, where it idles, and at multiples of kSliceInsns; never
    // where a state hash or checkpoint happened to cut the run. So the run depends on the
    // input, not on --hash-every or --checkpoint-every.
    bool deliver_here = true;
    for (;;) {
        uint64_t now = m_.icount();
        visit(now);
        if (deliver_here)
            deliver_serial(now);
        deliver_here = false;
        if (log_.error())
            return RunOutcome{StopKind::Unsupported, 0, now, "recording stopped: " + log_.error()->message};
        if (std::string e = input_error(); !e.empty())
            return finish(RunOutcome{StopKind::InputError, 0, now, e});
        if (now >= end)
            return finish(RunOutcome{StopKind::InsnLimit, 0, now, ""});
        if (options_.interrupted && options_.interrupted->load(std::memory_order_relaxed))
            return finish(RunOutcome{StopKind::Interrupted, 0, now, ""});

        m_.set_serial_input_waiting(serial_ && serial_->ready());
        uint64_t budget = std::min({end, next_hash_, next_checkpoint_, next_due(now, kSliceInsns)}) - now;
        SliceEnd r = m_.run_slice(budget);
        flush_if_due();
        now = m_.icount();
        visit(now);
        deliver_here = m_.take_serial_starved() || r == SliceEnd::Idle || now % kSliceInsns == 0;
        if (r == SliceEnd::Stopped)
            return finish(m_.outcome());
        if (r != SliceEnd::Idle || serial_deliverable())
            continue;
        // Idle, and no input to wake it: virtual time jumps to the next timer (QEMU's
        // sleep=off), or the recorder waits for the host.
        if (idle_round_ >= kMaxIdleRounds) {
            return finish(RunOutcome{StopKind::Stuck, 0, now,
                                     "the CPU has waited through " + std::to_string(kMaxIdleRounds) +
                                         " timer deadlines without running an instruction"});
        }
        if (m_.idle_to_next_deadline()) {
            idle_round_++;
            deliver_here = true;
            continue;
        }
        if (std::string e = input_error(); !e.empty())
            return finish(RunOutcome{StopKind::InputError, 0, now, e});
        if (!serial_ || serial_->exhausted() || m_.serial_room(0) == 0) {
            std::string why = !serial_ ? "there is no serial input"
                              : m_.serial_room(0) == 0 ? "the UART's receive FIFO is full"
                                                       : "the serial input has ended";
            return finish(RunOutcome{StopKind::Stuck, 0, now,
                                     "the CPU waits for an interrupt with no timer armed, and " + why});
        }
        // Waiting on the host: a state hash here lets a recorder killed while it waits leave a
        // recording that replays, verified, up to this point. (Only before any idle skip:
        // replay compares hashes on the first visit of their icount.)
        if (idle_round_ == 0 && last_hash_icount_ != now)
            log_state_hash(now);
        log_.flush();
        serial_->wait(std::min(options_.flush_every, kInterruptLatency));
        deliver_here = true;
    }
}

}  // namespace emu
