// The payload of every event kind, described once (docs/recording-format.md, "Event kinds").
// Each payload type has one walk(w, payload) that names its fields in order, the way a
// component's serialize() does for snapshots; the walkers in payload_walkers.h encode and
// strictly decode with it, event_text.h prints text and JSON with it, and the fuzzers generate
// payloads with it. A walker W offers:
//
//   integer(name, v)           unsigned integer stored in sizeof(v) little-endian bytes
//   signed_integer(name, v)    int32_t or int64_t, stored as its two's complement
//   varint(name, v, max)       unsigned LEB128; decoding refuses a value above max
//   hash(name, v)              a u64 digest, printed in hex
//   enumeration(name, v)       an enum stored as its u8 id; decoding refuses unknown ids
//   text_rest(name, v, min)    the rest of the payload, bytes shown as text; at least min
//   blob_rest(name, v, unit)   the rest, binary, a non-zero multiple of `unit` bytes
//   blob(name, v)              varint length, then binary bytes
//   list(name, v, max, each)   varint count (at most max), then each(w, element) per element
//   ascending(name, v, next, max)  one of an increasing series: varint distance from `next`,
//                              which then moves past v; decoding refuses values above max
//   nested(name, v)            another described type's fields
//   check(ok, why)             a rule across fields; decoding fails when it does not hold
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/bus.h"
#include "core/input_gate.h"
#include "core/stop_kind.h"
#include "machine/machine.h"
#include "replay/format/recording_format.h"

namespace emu {

// Host data handed to a device (one of core/input_kinds.inc) at an instruction boundary.
// `idle_round` orders the delivery against the idle skips the machine took at the same icount
// (0: before any).
struct InputEvent {
    uint8_t device = 0;
    uint32_t idle_round = 0;
    std::vector<uint8_t> data;
};

template <class W>
void walk(W& w, InputEvent& e)
{
    w.integer("device", e.device);
    w.varint("round", e.idle_round, UINT32_MAX);
    w.text_rest("data", e.data, 1);
}

// A host clock read by the instruction at the event's icount.
struct ClockReadEvent {
    HostClock clock = HostClock::Realtime;
    uint64_t ns = 0;
};

template <class W>
void walk(W& w, ClockReadEvent& e)
{
    w.enumeration("clock", e.clock);
    w.integer("ns", e.ns);
}

// Console input read by the instruction at the event's icount: a semihosting operation
// (SYS_READC, 0x07) and its result, with any bytes it read.
struct ConsoleReadEvent {
    uint32_t operation = 0;
    int64_t result = 0;
    std::vector<uint8_t> data;
};

template <class W>
void walk(W& w, ConsoleReadEvent& e)
{
    w.integer("operation", e.operation);
    w.signed_integer("result", e.result);
    w.text_rest("data", e.data, 0);
}

// Random bytes read by the instruction at the event's icount (virtio-rng): as many as it asked
// for, at least one.
struct EntropyEvent {
    std::vector<uint8_t> data;
};

template <class W>
void walk(W& w, EntropyEvent& e)
{
    w.blob_rest("data", e.data, 1);
}

// StateHash: the machine's StateDigest (machine/machine.h).
constexpr uint64_t kMaxRegisters = 4096;

template <class W>
void walk(W& w, StateDigest& d)
{
    w.hash("cpu", d.cpu);
    w.hash("ram", d.ram);
    w.integer("dirty_pages", d.dirty_pages);
    w.hash("devices", d.devices);
    w.integer("output_bytes", d.output_bytes);
    w.hash("output", d.output);
    w.list("registers", d.registers, kMaxRegisters, [](W& w, uint64_t& v) { w.hash("", v); });
}

// CheckpointPages: RAM page contents that checkpoints refer to by id, each distinct content
// stored once per recording. Ids count from 0 in file order across all CheckpointPages events.
struct CheckpointPagesEvent {
    uint32_t first_id = 0;
    std::vector<uint8_t> pages;  // whole pages, kPageSize each
};

template <class W>
void walk(W& w, CheckpointPagesEvent& e)
{
    w.integer("first_id", e.first_id);
    w.blob_rest("pages", e.pages, kPageSize);
    w.check(e.pages.size() / kPageSize <= UINT32_MAX - e.first_id, "page ids past 2^32");
}

// A page written since the previous checkpoint (since the image was loaded, for the first).
struct CheckpointPageRef {
    uint64_t page = 0;  // physical address >> kPageBits
    uint32_t id = 0;    // of its contents in the CheckpointPages before it
};

// Checkpoint: the machine at an instruction boundary. RAM is the loaded image, overwritten by
// the pages of every checkpoint up to this one.
struct CheckpointEvent {
    uint32_t number = 0;                   // 0 for the first, then +1
    std::vector<uint8_t> state;            // Machine::serialize with RamPages::DirtyMap
    std::vector<CheckpointPageRef> pages;  // in increasing page order
};

template <class W>
void walk(W& w, CheckpointEvent& e)
{
    w.integer("number", e.number);
    w.blob("state", e.state);
    uint64_t next = 0;
    // Each reference takes at least two bytes, so no more than a chunk's bytes / 2 exist.
    w.list("pages", e.pages, kMaxChunkBytes / 2, [&next](W& w, CheckpointPageRef& ref) {
        w.ascending("page", ref.page, next, UINT64_MAX >> kPageBits);
        w.varint("id", ref.id, UINT32_MAX);
    });
}

// How the run ended, and the machine's state once it had stopped (a replay must stop the same
// way and be in the same state). `idle_round`, as for inputs: how many idle skips the machine
// took at this icount before the run ended (a recorder may end it while the guest idles).
struct GuestExitEvent {
    StopKind kind = StopKind::PowerOff;
    int32_t exit_code = 0;
    uint32_t idle_round = 0;
    StateDigest state;
};

template <class W>
void walk(W& w, GuestExitEvent& e)
{
    w.enumeration("reason", e.kind);
    w.signed_integer("code", e.exit_code);
    w.varint("round", e.idle_round, UINT32_MAX);
    w.nested("state", e.state);
}

// How the enumerations of payloads are stored and named.
template <class E>
struct EnumCodec;

template <>
struct EnumCodec<HostClock> {
    static std::optional<HostClock> from_id(uint8_t id);
    static const char* name(HostClock c) { return host_clock_name(c); }
};

template <>
struct EnumCodec<StopKind> {
    static std::optional<StopKind> from_id(uint8_t id) { return stop_kind_from_id(id); }
    static const char* name(StopKind k) { return stop_kind_name(k); }
};

std::vector<uint8_t> encode(const InputEvent& e);
std::vector<uint8_t> encode(const ClockReadEvent& e);
std::vector<uint8_t> encode(const ConsoleReadEvent& e);
std::vector<uint8_t> encode(const EntropyEvent& e);
std::vector<uint8_t> encode(const StateDigest& e);
std::vector<uint8_t> encode(const CheckpointPagesEvent& e);
std::vector<uint8_t> encode(const CheckpointEvent& e);
std::vector<uint8_t> encode(const GuestExitEvent& e);

// The payload decoded strictly as T; nothing when it is malformed for T (short, long or out
// of range).
template <class T>
std::optional<T> decode(std::span<const uint8_t> payload);

// Events that happen at instruction boundaries and that a replay must stop at (Input and
// Mark), as opposed to values an instruction asks for while it executes (Read).
bool is_boundary_event(EventKind kind);
// The asynchronous input an event kind carries, if it carries one; and the other way round.
std::optional<InputKind> input_kind_of(EventKind kind);
EventKind input_event_kind(InputKind kind);

}  // namespace emu
