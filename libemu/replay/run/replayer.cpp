#include "replay/run/replayer.h"

#include <algorithm>
#include <limits>

#include "core/format.h"
#include "replay/format/event_payloads.h"

namespace emu {


void Replayer::diverge(std::string what, std::vector<RegisterDiff> regs)
{
    if (report_.divergence)
        return;
    report_.divergence = Divergence{m_.icount(), m_.pc(), last_match_, last_input_, std::move(what), std::move(regs)};
}

void Replayer::compare_hash(const OwnedEvent& e)
{
    std::optional<StateDigest> want = decode<StateDigest>(e.payload);
    if (!want) {
        diverge("malformed StateHash payload at icount " + std::to_string(e.icount));
        return;
    }
    compare_digest(*want, e.icount);
}

void Replayer::compare_digest(const StateDigest& recorded, uint64_t icount)
{
    const StateDigest* want = &recorded;
    StateDigest got = m_.state_digest();
    std::vector<std::string> parts;
    std::vector<RegisterDiff> regs;
    if (got.cpu != want->cpu) {
        const auto& names = m_.register_names();
        for (size_t i = 0; i < names.size() && i < want->registers.size() && i < got.registers.size(); ++i)
            if (got.registers[i] != want->registers[i])
                regs.push_back({names[i], want->registers[i], got.registers[i]});
        parts.push_back(regs.empty() ? "CPU state (system state beyond the listed registers)" : "CPU registers");
    }
    if (got.ram != want->ram || got.dirty_pages != want->dirty_pages) {
        std::string since = last_match_ ? "since icount " + std::to_string(*last_match_) : "since the start";
        parts.push_back("RAM written " + since +
                        (got.dirty_pages == want->dirty_pages
                             ? " (" + std::to_string(got.dirty_pages) + " pages written in both, different contents)"
                             : " (recorded " + std::to_string(want->dirty_pages) + " pages written, replay " +
                                   std::to_string(got.dirty_pages) + ")"));
    }
    if (got.devices != want->devices)
        parts.push_back("device state (interrupt controller, UART, RTC, timers or virtual clock)");
    if (got.output != want->output || got.output_bytes != want->output_bytes)
        parts.push_back("guest output (recorded " + std::to_string(want->output_bytes) + " bytes, replay " +
                        std::to_string(got.output_bytes) + " bytes" +
                        (got.output_bytes == want->output_bytes ? ", same length, different bytes" : "") + ")");
    if (parts.empty()) {
        last_match_ = icount;
        report_.state_hashes++;
        return;
    }
    std::string what = "state hash differs: ";
    for (size_t i = 0; i < parts.size(); ++i)
        what += (i ? "; " : "") + parts[i];
    diverge(what, std::move(regs));
    report_.divergence->at_state_hash = true;
}

Replayer::Step Replayer::visit()
{
    uint64_t now = m_.icount();
    if (now == visited_)
        return Step::Continue;
    visited_ = now;
    idle_round_ = 0;
    // State hashes were taken on the first visit of their icount, before anything else there.
    while (const OwnedEvent* e = due_boundary_event()) {
        if (e->kind != EventKind::StateHash)
            break;
        compare_hash(*e);
        stream_.pop();
        if (report_.divergence)
            return Step::Done;
    }
    return Step::Continue;
}

// Hands a recorded input to its device, if this is its idle round: Done when it cannot be.
Replayer::Step Replayer::deliver_input(const OwnedEvent& e)
{
    InputKind kind = *input_kind_of(e.kind);
    std::optional<InputEvent> in = decode<InputEvent>(e.payload);
    if (!in) {
        diverge("malformed " + std::string(event_kind_name(e.kind)) + " payload at icount " + std::to_string(e.icount));
        return Step::Done;
    }
    if (in->idle_round > idle_round_)
        return Step::Wait;  // delivered after the machine idles here
    InputPort* port = m_.input_port(kind, in->device);
    std::string what = std::string(input_kind_name(kind)) + " input " + std::to_string(in->device);
    if (!port) {
        diverge("the recording delivers " + what + ", which this machine does not have");
        return Step::Done;
    }
    if (in->idle_round < idle_round_ || port->room() < in->data.size()) {
        diverge("the recording delivers " + std::to_string(in->data.size()) + " byte(s) of " + what +
                " here, but the replay's device " +
                (in->idle_round < idle_round_ ? std::string("was idle longer")
                                              : "has room for " + std::to_string(port->room())));
        return Step::Done;
    }
    port->receive(in->data);
    last_input_ = describe_event(&e) + " (" + std::to_string(in->data.size()) + " bytes of " + what + ")";
    stream_.pop();
    return Step::Continue;
}

// Delivers the inputs recorded for this boundary and idle round.
Replayer::Step Replayer::exchange()
{
    while (const OwnedEvent* e = due_boundary_event()) {
        switch (e->kind) {
        case EventKind::StateHash:
            diverge("the recording has a second state hash at icount " + std::to_string(e->icount));
            return Step::Done;
#define RR_INPUT(name, id, event) case EventKind::event:
#include "core/input_kinds.inc"
#undef RR_INPUT
        {
            Step s = deliver_input(*e);
            if (s == Step::Wait)
                return Step::Continue;
            if (s == Step::Done)
                return s;
            break;
        }
        case EventKind::Checkpoint:
        case EventKind::CheckpointPages: stream_.pop(); break;
        case EventKind::GuestExit: {
            std::optional<GuestExitEvent> ex = decode<GuestExitEvent>(e->payload);
            if (!ex) {
                diverge("malformed GuestExit payload at icount " + std::to_string(e->icount));
                return Step::Done;
            }
            if (ex->idle_round > idle_round_)
                return Step::Continue;  // the run ended after the machine idled here
            // The guest stopped the recorded machine here without retiring another
            // instruction (else the slice would have ended Stopped): the replay's must too.
            if (!stopped_by_recorder(ex->kind))
                return Step::RunIntoStop;
            // The recorder ended the run here, not the guest.
            report_.outcome = RunOutcome{ex->kind, ex->exit_code, m_.icount(), ""};
            compare_digest(ex->state, e->icount);
            stream_.pop();
            finished_ = true;
            return Step::Done;
        }
        case EventKind::ClockRead:
        case EventKind::SemihostingInput:
        case EventKind::Entropy: break;  // not boundary events
        }
    }
    // An input the recording holds for an instruction that has already run was never asked for.
    if (const OwnedEvent* e = stream_.peek(); e && !is_boundary_event(e->kind) && e->icount <= m_.icount()) {
        diverge("the recording has " + describe_event(e) + " that the replay never asked for");
        return Step::Done;
    }
    return Step::Continue;
}

Replayer::Step Replayer::stopped()
{
    RunOutcome out = m_.outcome();
    report_.outcome = out;
    if (visit() == Step::Done)
        return Step::Done;
    const OwnedEvent* e = stream_.peek();
    std::optional<GuestExitEvent> ex;
    if (!e && !stream_.error() && !stream_.end().complete)
        return truncated();
    if (e && e->kind == EventKind::GuestExit && e->icount == out.icount)
        ex = decode<GuestExitEvent>(e->payload);
    auto with_code = [](StopKind k, int code) {
        return std::string(stop_kind_name(k)) + (k == StopKind::GuestExit ? " with code " + std::to_string(code) : "");
    };
    if (!ex || ex->kind != out.kind || ex->exit_code != out.exit_code) {
        std::string got = with_code(out.kind, out.exit_code);
        if (!out.detail.empty())
            got += ": " + out.detail;
        std::string want = ex ? with_code(ex->kind, ex->exit_code) + " at icount " + std::to_string(e->icount)
                              : describe_event(e);
        diverge("the replay stopped (" + got + "); the recording has " + want);
        return Step::Done;
    }
    compare_digest(ex->state, e->icount);
    stream_.pop();
    finished_ = true;
    return Step::Done;
}

// The recording ends without the recorder's GuestExit (it was killed): everything up to its
// last event has been replayed.
Replayer::Step Replayer::truncated()
{
    const RecordingEnd& end = stream_.end();
    report_.truncated = end.complete ? no_guest_exit_line(end.last_icount) : end.message;
    report_.outcome = RunOutcome{StopKind::InsnLimit, 0, m_.icount(), ""};
    return Step::Done;
}

// The recorded guest stopped the machine at this boundary without retiring another
// instruction: with one instruction of budget, the replay's must stop there as well.
Replayer::Step Replayer::run_into_stop()
{
    uint64_t at = m_.icount();
    SliceEnd r = m_.run_slice(1);
    if (!gate_.mismatch().empty())
        return Step::RunIntoStop;
    if (r == SliceEnd::Stopped && m_.icount() == at)
        return stopped();
    std::optional<GuestExitEvent> ex = decode<GuestExitEvent>(stream_.peek()->payload);
    diverge("the recording ends at icount " + std::to_string(at) + " (" + stop_kind_name(ex->kind) +
            "), but the replay runs on");
    return Step::Done;
}

// The idle round at its icount an event belongs to: inputs and the end of the run may come
// after the machine idled there; anything else (or a malformed payload, reported where it is
// handled) at once.
uint32_t Replayer::due_round(const OwnedEvent& e)
{
    if (input_kind_of(e.kind))
        if (std::optional<InputEvent> in = decode<InputEvent>(e.payload))
            return in->idle_round;
    if (e.kind == EventKind::GuestExit)
        if (std::optional<GuestExitEvent> ex = decode<GuestExitEvent>(e.payload))
            return ex->idle_round;
    return 0;
}

Replayer::Step Replayer::idle()
{
    if (visit() == Step::Done)
        return Step::Done;
    const OwnedEvent* next = stream_.next_boundary();
    if (!next && !stream_.peek() && !stream_.error())
        return truncated();
    if (next && next->icount == m_.icount() && due_round(*next) <= idle_round_)
        return Step::Continue;  // it happens here before the machine idles on
    if (!m_.idle_to_next_deadline()) {
        diverge("the replay's CPU waits for an interrupt with no timer armed, but the recording continues with " +
                describe_event(next));
        return Step::Done;
    }
    idle_round_++;
    return Step::Continue;
}

void Replayer::set_breakpoint_stops(std::vector<uint64_t> pcs)
{
    std::sort(pcs.begin(), pcs.end());
    pcs.erase(std::unique(pcs.begin(), pcs.end()), pcs.end());
    breakpoint_stops_ = std::move(pcs);
}

// At a boundary whose inputs have been delivered: lets the machine take what is due before its
// next instruction (a slice of no instructions fires the timers and takes the interrupts), and
// an idle CPU wait for what wakes it. Continue: settled. Wait: inputs for a later idle round are
// due here, which the main loop idles the machine for. Again: the machine idled; the loop looks
// at the boundary again.
Replayer::Step Replayer::settle()
{
    if (settled_ == m_.icount())
        return Step::Continue;
    if (const OwnedEvent* next = stream_.next_boundary(); next && next->icount == m_.icount())
        return Step::Wait;
    SliceEnd r = m_.run_slice(0);
    if (!gate_.mismatch().empty())
        return Step::Again;  // reported at the top of the loop
    switch (r) {
    case SliceEnd::Stopped: return stopped();
    case SliceEnd::Idle: return idle() == Step::Done ? Step::Done : Step::Again;
    case SliceEnd::Budget:
    case SliceEnd::Breakpoint: break;
    }
    settled_ = m_.icount();
    return Step::Continue;
}

Result<ReplayReport> Replayer::run_to(std::optional<uint64_t> stop_at, Arrival arrival)
{
    stop_at_ = stop_at;
    report_.reached_seek =
        stop_at_ && m_.icount() == *stop_at_ && (arrival == Arrival::BeforeInputs || settled_ == m_.icount());
    report_.at_breakpoint = false;
    // A replay that is over goes no further, and none goes back.
    if (finished_ || report_.truncated || report_.divergence || (stop_at_ && *stop_at_ < m_.icount()))
        return report_;
    const uint64_t start_icount = m_.icount(), start_pc = m_.pc();
    const bool settling = arrival == Arrival::BeforeInstruction || !breakpoint_stops_.empty();
    auto breakpoint_stop = [&] {
        uint64_t pc = m_.pc();
        return std::binary_search(breakpoint_stops_.begin(), breakpoint_stops_.end(), pc) &&
               !(m_.icount() == start_icount && pc == start_pc);
    };
    auto stop_here = [&](bool at_breakpoint) {
        report_.reached_seek = !at_breakpoint;
        report_.at_breakpoint = at_breakpoint;
        report_.outcome = RunOutcome{StopKind::InsnLimit, 0, m_.icount(), ""};
    };
    for (;;) {
        if (!gate_.mismatch().empty()) {
            if (gate_.mismatch_at_end() && !stream_.error())
                truncated();
            else
                diverge(gate_.mismatch());
            break;
        }
        if (stop_at_ && m_.icount() == *stop_at_ && arrival == Arrival::BeforeInputs) {
            stop_here(false);
            break;
        }
        if (visit() == Step::Done)
            break;
        Step step = exchange();
        if (step == Step::RunIntoStop)
            step = run_into_stop();
        if (step == Step::Done)
            break;
        if (step == Step::RunIntoStop)
            continue;  // a gate mismatch, reported at the top of the loop
        if (settling) {
            Step s = settle();
            if (s == Step::Done)
                break;
            if (s == Step::Again)
                continue;
            if (s == Step::Continue && stop_at_ && m_.icount() == *stop_at_) {
                stop_here(false);
                break;
            }
            if (s == Step::Continue && breakpoint_stop()) {
                stop_here(true);
                break;
            }
        }
        uint64_t now = m_.icount();
        const OwnedEvent* next = stream_.next_boundary();
        if (stream_.error())
            return *stream_.error();
        uint64_t target;
        if (next) {
            target = next->icount;
        } else {
            // The stream ended without the recorder's GuestExit: a truncated recording. Replay
            // up to its last event and say so.
            uint64_t last = stream_.end().last_icount;
            if (now >= last && !stream_.peek()) {
                truncated();
                break;
            }
            target = std::max(last, now);
        }
        if (target < now) {
            diverge("the replay ran past " + describe_event(next));
            break;
        }
        if (stop_at_ && *stop_at_ < target)
            target = *stop_at_;
        SliceEnd r = m_.run_slice(target - now);
        if (!gate_.mismatch().empty())
            continue;
        if (r == SliceEnd::Breakpoint) {
            // Before the slice's target, so no input is due here: the engine has settled.
            settled_ = m_.icount();
            if (breakpoint_stop()) {
                stop_here(true);
                break;
            }
            continue;
        }
        if (r == SliceEnd::Stopped) {
            stopped();
            break;
        }
        if (r == SliceEnd::Idle && idle() == Step::Done)
            break;
        if (r == SliceEnd::Budget && target == now) {
            diverge("the recording delivers input here after the CPU idled, but the replay's CPU is running");
            break;
        }
    }
    // A damaged chunk ends the stream early: that, not what followed from it, is the report.
    if (stream_.error())
        return *stream_.error();
    if (finished_) {
        if (const OwnedEvent* e = stream_.peek())
            diverge("the recording continues after its GuestExit with " + describe_event(e));
        else if (stream_.error())
            return *stream_.error();
        else if (!stream_.end().complete && !report_.divergence)
            report_.truncated = "recording truncated: its index and footer are missing (the recorder did not finish "
                                "the file), although every event replayed and matched";
    }
    // A run that ends exactly there has reached it too.
    if (finished_ && stop_at_ && m_.icount() == *stop_at_ && !report_.divergence)
        report_.reached_seek = true;
    if (report_.divergence && report_.outcome.icount == 0)
        report_.outcome.icount = m_.icount();
    report_.events = stream_.consumed();
    return report_;
}

}  // namespace emu
