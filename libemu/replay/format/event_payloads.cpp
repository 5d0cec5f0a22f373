#include "replay/format/event_payloads.h"

#include "replay/format/payload_walkers.h"

namespace emu {

namespace {

template <class T>
std::vector<uint8_t> encode_walk(const T& payload)
{
    PayloadEncoder w;
    walk(w, const_cast<T&>(payload));  // encoding only reads; walk() is non-const for decoding
    return w.take();
}

}  // namespace

std::optional<HostClock> EnumCodec<HostClock>::from_id(uint8_t id)
{
    switch (static_cast<HostClock>(id)) {
    case HostClock::Realtime:
    case HostClock::Monotonic: return static_cast<HostClock>(id);
    }
    return std::nullopt;
}

const char* host_clock_name(HostClock c)
{
    switch (c) {
    case HostClock::Realtime: return "realtime";
    case HostClock::Monotonic: return "monotonic";
    }
    return "?";
}

const char* input_kind_name(InputKind k)
{
    switch (k) {
#define RR_INPUT(name, id, event) \
    case InputKind::name: return #name;
#include "core/input_kinds.inc"
#undef RR_INPUT
    }
    return "?";
}

std::vector<uint8_t> encode(const InputEvent& e) { return encode_walk(e); }
std::vector<uint8_t> encode(const ClockReadEvent& e) { return encode_walk(e); }
std::vector<uint8_t> encode(const ConsoleReadEvent& e) { return encode_walk(e); }
std::vector<uint8_t> encode(const EntropyEvent& e) { return encode_walk(e); }
std::vector<uint8_t> encode(const StateDigest& e) { return encode_walk(e); }
std::vector<uint8_t> encode(const CheckpointPagesEvent& e) { return encode_walk(e); }
std::vector<uint8_t> encode(const CheckpointEvent& e) { return encode_walk(e); }
std::vector<uint8_t> encode(const GuestExitEvent& e) { return encode_walk(e); }

template <class T>
std::optional<T> decode(std::span<const uint8_t> payload)
{
    PayloadDecoder r(payload);
    T out;
    walk(r, out);
    if (!r.finished())
        return std::nullopt;
    return out;
}

// Every Input kind shares InputEvent, which is instantiated once here; the others have a
// payload type each.
template std::optional<InputEvent> decode<InputEvent>(std::span<const uint8_t>);
#define RR_DECODE_Input(payload)
#define RR_DECODE_Read(payload) template std::optional<payload> decode<payload>(std::span<const uint8_t>);
#define RR_DECODE_Mark(payload) RR_DECODE_Read(payload)
#define RR_EVENT(name, id, payload, cls) RR_DECODE_##cls(payload)
#include "replay/format/events.inc"
#undef RR_EVENT
#undef RR_DECODE_Input
#undef RR_DECODE_Read
#undef RR_DECODE_Mark

bool is_boundary_event(EventKind kind)
{
    enum class Class { Input, Read, Mark };
    switch (kind) {
#define RR_EVENT(name, id, payload, cls) \
    case EventKind::name: return Class::cls != Class::Read;
#include "replay/format/events.inc"
#undef RR_EVENT
    }
    return true;
}

std::optional<InputKind> input_kind_of(EventKind kind)
{
#define RR_INPUT(name, id, event) \
    if (kind == EventKind::event) \
        return InputKind::name;
#include "core/input_kinds.inc"
#undef RR_INPUT
    return std::nullopt;
}

EventKind input_event_kind(InputKind kind)
{
    switch (kind) {
#define RR_INPUT(name, id, event) \
    case InputKind::name: return EventKind::event;
#include "core/input_kinds.inc"
#undef RR_INPUT
    }
    return EventKind::SerialInput;
}

}  // namespace emu
