#include "replay/event_payloads.h"

namespace emu {

namespace {

constexpr uint32_t kMaxRegisters = 4096;

bool finished(const ByteReader& r) { return r.remaining() == 0; }

void put_digest(ByteWriter& w, const StateDigest& e)
{
    w.u64(e.cpu);
    w.u64(e.ram);
    w.u32(e.dirty_pages);
    w.u64(e.devices);
    w.u64(e.output_bytes);
    w.u64(e.output);
    w.varint(e.registers.size());
    for (uint64_t v : e.registers)
        w.u64(v);
}

// The digest fills the rest of the payload.
bool get_digest(ByteReader& r, StateDigest& e)
{
    uint64_t count;
    if (!r.u64(e.cpu) || !r.u64(e.ram) || !r.u32(e.dirty_pages) || !r.u64(e.devices) || !r.u64(e.output_bytes) ||
        !r.u64(e.output) || !r.varint(count) || count > kMaxRegisters || r.remaining() != count * 8)
        return false;
    e.registers.resize(count);
    for (uint64_t& v : e.registers)
        r.u64(v);
    return true;
}

std::vector<uint8_t> rest(ByteReader& r)
{
    std::span<const uint8_t> b;
    r.bytes(r.remaining(), b);
    return {b.begin(), b.end()};
}

}  // namespace

std::vector<uint8_t> encode(const SerialInputEvent& e)
{
    ByteWriter w;
    w.u8(e.port);
    w.varint(e.idle_round);
    w.raw(e.bytes);
    return std::move(w.bytes);
}

std::vector<uint8_t> encode(const ClockReadEvent& e)
{
    ByteWriter w;
    w.u8(static_cast<uint8_t>(e.clock));
    w.u64(e.ns);
    return std::move(w.bytes);
}

std::vector<uint8_t> encode(const SemihostingInputEvent& e)
{
    ByteWriter w;
    w.u32(e.operation);
    w.u64(static_cast<uint64_t>(e.result));
    w.raw(e.bytes);
    return std::move(w.bytes);
}

std::vector<uint8_t> encode(const InterruptLineEvent& e)
{
    ByteWriter w;
    w.u16(e.controller);
    w.u32(e.line);
    w.u8(e.level);
    return std::move(w.bytes);
}

std::vector<uint8_t> encode(const StateDigest& e)
{
    ByteWriter w;
    put_digest(w, e);
    return std::move(w.bytes);
}

std::vector<uint8_t> encode(const GuestExitEvent& e)
{
    ByteWriter w;
    w.u8(static_cast<uint8_t>(e.kind));
    w.u32(static_cast<uint32_t>(e.exit_code));
    put_digest(w, e.state);
    return std::move(w.bytes);
}

std::vector<uint8_t> encode(const CheckpointPagesEvent& e)
{
    ByteWriter w;
    w.u32(e.first_id);
    w.raw(e.bytes);
    return std::move(w.bytes);
}

std::vector<uint8_t> encode(const CheckpointEvent& e)
{
    ByteWriter w;
    w.u32(e.number);
    w.varint(e.state.size());
    w.raw(e.state);
    w.varint(e.pages.size());
    uint64_t prev = 0;
    for (const CheckpointPageRef& ref : e.pages) {
        w.varint(ref.page - prev);
        w.varint(ref.id);
        prev = ref.page + 1;
    }
    return std::move(w.bytes);
}

std::optional<SerialInputEvent> decode_serial_input(std::span<const uint8_t> p)
{
    ByteReader r(p);
    SerialInputEvent e;
    uint64_t round;
    if (!r.u8(e.port) || !r.varint(round) || round > UINT32_MAX || r.remaining() == 0)
        return std::nullopt;
    e.idle_round = static_cast<uint32_t>(round);
    e.bytes = rest(r);
    return e;
}

std::optional<ClockReadEvent> decode_clock_read(std::span<const uint8_t> p)
{
    ByteReader r(p);
    ClockReadEvent e;
    uint8_t clock;
    if (!r.u8(clock) || clock > 1 || !r.u64(e.ns) || !finished(r))
        return std::nullopt;
    e.clock = static_cast<HostClock>(clock);
    return e;
}

std::optional<SemihostingInputEvent> decode_semihosting_input(std::span<const uint8_t> p)
{
    ByteReader r(p);
    SemihostingInputEvent e;
    uint64_t result;
    if (!r.u32(e.operation) || !r.u64(result))
        return std::nullopt;
    e.result = static_cast<int64_t>(result);
    e.bytes = rest(r);
    return e;
}

std::optional<InterruptLineEvent> decode_interrupt_line(std::span<const uint8_t> p)
{
    ByteReader r(p);
    InterruptLineEvent e;
    if (!r.u16(e.controller) || !r.u32(e.line) || !r.u8(e.level) || e.level > 1 || !finished(r))
        return std::nullopt;
    return e;
}

std::optional<StateDigest> decode_state_hash(std::span<const uint8_t> p)
{
    ByteReader r(p);
    StateDigest e;
    if (!get_digest(r, e))
        return std::nullopt;
    return e;
}

std::optional<GuestExitEvent> decode_guest_exit(std::span<const uint8_t> p)
{
    ByteReader r(p);
    GuestExitEvent e;
    uint8_t id;
    uint32_t code;
    if (!r.u8(id) || !r.u32(code) || !get_digest(r, e.state))
        return std::nullopt;
    std::optional<StopKind> kind = stop_kind_from_id(id);
    if (!kind)
        return std::nullopt;
    e.kind = *kind;
    e.exit_code = static_cast<int32_t>(code);
    return e;
}

std::optional<CheckpointPagesEvent> decode_checkpoint_pages(std::span<const uint8_t> p)
{
    ByteReader r(p);
    CheckpointPagesEvent e;
    if (!r.u32(e.first_id) || r.remaining() == 0 || r.remaining() % kPageSize != 0 ||
        r.remaining() / kPageSize > UINT32_MAX - e.first_id)
        return std::nullopt;
    e.bytes = rest(r);
    return e;
}

std::optional<CheckpointEvent> decode_checkpoint(std::span<const uint8_t> p)
{
    ByteReader r(p);
    CheckpointEvent e;
    uint64_t state_size, count;
    std::span<const uint8_t> state;
    if (!r.u32(e.number) || !r.varint(state_size) || !r.bytes(state_size, state) || !r.varint(count) ||
        count > r.remaining() / 2)  // each reference takes at least two bytes
        return std::nullopt;
    e.state.assign(state.begin(), state.end());
    e.pages.resize(count);
    uint64_t next = 0;  // pages strictly increase: each delta is from the one after the previous
    for (CheckpointPageRef& ref : e.pages) {
        uint64_t delta, id;
        if (!r.varint(delta) || delta > (UINT64_MAX >> kPageBits) - next || !r.varint(id) || id > UINT32_MAX)
            return std::nullopt;
        ref.page = next + delta;
        ref.id = static_cast<uint32_t>(id);
        next = ref.page + 1;
    }
    if (!finished(r))
        return std::nullopt;
    return e;
}

const char* host_clock_name(HostClock c) { return c == HostClock::Realtime ? "realtime" : "monotonic"; }

bool is_boundary_event(EventKind kind)
{
    switch (kind) {
    case EventKind::ClockRead:
    case EventKind::SemihostingInput: return false;
    case EventKind::SerialInput:
    case EventKind::InterruptLine:
    case EventKind::StateHash:
    case EventKind::Checkpoint:
    case EventKind::CheckpointPages:
    case EventKind::GuestExit: return true;
    }
    return true;
}

}  // namespace emu
