#include "replay/run/recorder.h"

#include <algorithm>
#include <vector>

#include "replay/format/event_payloads.h"

namespace emu {

namespace {

// Instructions per slice between looks at the host: short enough that live input and flushes
// are timely, long enough that cutting blocks at slice ends costs nothing measurable. Slices
// end at multiples of it, which are also points where serial input is delivered.
constexpr uint64_t kSliceInsns = 1u << 20;
constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
// The most one input event carries: a network frame fits with room to spare.
constexpr size_t kMaxInputBytes = 65536;

// Timer deadlines an idle CPU may sleep through without running an instruction (a timer
// ticking while every interrupt is masked) before the run counts as stuck.
constexpr uint32_t kMaxIdleRounds = 1'000'000;

// How long the recorder may wait for host input before it looks at `interrupted` again.
constexpr std::chrono::milliseconds kInterruptLatency{200};

uint64_t first_due(uint64_t every) { return every ? every : kNever; }
uint64_t next_due(uint64_t now, uint64_t every) { return (now / every + 1) * every; }

}  // namespace

Recorder::Recorder(Machine& machine, EventLog& log, std::vector<HostInput> inputs, RecorderOptions options)
    : m_(machine),
      log_(log),
      inputs_(std::move(inputs)),
      options_(std::move(options)),
      next_hash_(first_due(options_.hash_every)),
      next_checkpoint_(first_due(options_.checkpoint_every)),
      last_flush_(std::chrono::steady_clock::now())
{
    if (options_.checkpoint_every)
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

void Recorder::deliver_inputs(uint64_t now)
{
    for (HostInput& in : inputs_) {
        InputPort* port = m_.input_port(in.kind, in.device);
        if (!port || !port->listening())
            continue;
        // A UART takes a few bytes at a time, a NIC one whole frame.
        std::vector<uint8_t> buf(std::min(port->room(), kMaxInputBytes));
        size_t n = buf.empty() ? 0 : in.source->take(buf.data(), buf.size());
        if (n == 0)
            continue;
        InputEvent ev{static_cast<uint8_t>(in.device), idle_round_, {buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n)}};
        port->receive(ev.data);
        log_.append(now, input_event_kind(in.kind), encode(ev));
    }
}

bool Recorder::input_deliverable()
{
    for (HostInput& in : inputs_) {
        InputPort* port = m_.input_port(in.kind, in.device);
        if (port && port->listening() && port->room() > 0 && in.source->ready())
            return true;
    }
    return false;
}

bool Recorder::input_ready()
{
    for (HostInput& in : inputs_)
        if (in.source->ready())
            return true;
    return false;
}

std::optional<std::string> Recorder::no_input_can_wake()
{
    if (inputs_.empty())
        return "there is no input";
    std::string why;
    for (HostInput& in : inputs_) {
        InputPort* port = m_.input_port(in.kind, in.device);
        std::string what = std::string(input_kind_name(in.kind)) + " input " + std::to_string(in.device);
        if (!port)
            why = "the machine has no device for " + what;
        else if (in.source->exhausted())
            why = "the " + what + " has ended";
        else if (!port->listening())
            why = "the guest does not read the " + what;
        else if (port->room() == 0)
            why = "the " + what + "'s device is full";
        else
            return std::nullopt;  // host data may still arrive and wake the guest
    }
    return why;
}

void Recorder::wait_for_input(std::chrono::milliseconds timeout)
{
    // One live source blocks until it has data; with several, each gets a share of the wait.
    std::vector<HostSource*> live;
    for (HostInput& in : inputs_)
        if (!in.source->exhausted())
            live.push_back(in.source);
    for (HostSource* s : live)
        s->wait(timeout / static_cast<int>(live.size()));
}

std::string Recorder::input_error()
{
    for (HostInput& in : inputs_)
        if (std::string e = in.source->error(); !e.empty())
            return e;
    for (HostSource* s : options_.gate_sources)
        if (std::string e = s->error(); !e.empty())
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
    GuestExitEvent exit{outcome.kind, outcome.exit_code, idle_round_, m_.state_digest()};
    log_.append(outcome.icount, EventKind::GuestExit, encode(exit));
    hashes_++;
    return outcome;
}

RunOutcome Recorder::run()
{
    const uint64_t start = m_.icount();
    const uint64_t end = options_.max_insns > kNever - start ? kNever : start + options_.max_insns;
    // Input is delivered only where the guest alone decides: at the start, where it found a
    // receive side empty, where it idles, and at multiples of kSliceInsns; never where a state
    // hash or checkpoint happened to cut the run. So the run depends on the input, not on
    // --hash-every or --checkpoint-every.
    bool deliver_here = true;
    for (;;) {
        uint64_t now = m_.icount();
        visit(now);
        if (deliver_here)
            deliver_inputs(now);
        deliver_here = false;
        if (log_.error())
            return RunOutcome{StopKind::Unsupported, 0, now, "recording stopped: " + log_.error()->message};
        if (std::string e = input_error(); !e.empty())
            return finish(RunOutcome{StopKind::InputError, 0, now, e});
        if (now >= end)
            return finish(RunOutcome{StopKind::InsnLimit, 0, now, ""});
        if (options_.interrupted && options_.interrupted->load(std::memory_order_relaxed))
            return finish(RunOutcome{StopKind::Interrupted, 0, now, ""});
        if (options_.judge)
            if (std::optional<Verdict> v = options_.judge->verdict(now))
                return finish(RunOutcome{v->kind, 0, now, v->detail});

        m_.set_input_waiting(input_ready());
        uint64_t judge_at = options_.judge ? options_.judge->deadline().value_or(kNever) : kNever;
        uint64_t budget = std::min({end, next_hash_, next_checkpoint_, next_due(now, kSliceInsns), std::max(judge_at, now + 1)}) - now;
        SliceEnd r = m_.run_slice(budget);
        flush_if_due();
        now = m_.icount();
        visit(now);
        deliver_here = m_.take_input_starved() || r == SliceEnd::Idle || now % kSliceInsns == 0;
        if (r == SliceEnd::Stopped)
            return finish(m_.outcome());
        if (r != SliceEnd::Idle || input_deliverable())
            continue;
        // Idle, and no input to wake it: virtual time jumps to the next timer (QEMU's
        // sleep=off), or the recorder waits for the host.
        if (m_.idle_to_next_deadline()) {
            // The run may end right after an idle skip, where a replay can stop too: inputs for
            // this round come next, before the machine runs again.
            if (++idle_round_ >= kMaxIdleRounds) {
                return finish(RunOutcome{StopKind::Stuck, 0, now,
                                         "the CPU has waited through " + std::to_string(kMaxIdleRounds) +
                                             " timer deadlines without running an instruction"});
            }
            deliver_here = true;
            continue;
        }
        if (std::string e = input_error(); !e.empty())
            return finish(RunOutcome{StopKind::InputError, 0, now, e});
        if (std::optional<std::string> why = no_input_can_wake())
            return finish(RunOutcome{StopKind::Stuck, 0, now, "the CPU waits for an interrupt with no timer armed, and " + *why});
        // Waiting on the host: a state hash here lets a recorder killed while it waits leave a
        // recording that replays, verified, up to this point. (Only before any idle skip:
        // replay compares hashes on the first visit of their icount.)
        if (idle_round_ == 0 && last_hash_icount_ != now)
            log_state_hash(now);
        log_.flush();
        wait_for_input(std::min(options_.flush_every, kInterruptLatency));
        deliver_here = true;
    }
}

}  // namespace emu
