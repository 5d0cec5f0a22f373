// The payload of every event kind, encoded and decoded in one place
// (docs/recording-format.md, "Event kinds"). Decoding is strict: a payload that is short, long
// or out of range is an error, never a guess.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "machine/machine.h"
#include "replay/recording_format.h"

namespace emu {

// Bytes that reached a UART's receive side at an instruction boundary. `idle_round` orders
// the delivery against the idle skips the machine took at the same icount (0: before any).
struct SerialInputEvent {
    uint8_t port = 0;
    uint32_t idle_round = 0;
    std::vector<uint8_t> bytes;
};

enum class HostClock : uint8_t { Realtime = 0, Monotonic = 1 };

struct ClockReadEvent {
    HostClock clock = HostClock::Realtime;
    uint64_t ns = 0;
};

struct SemihostingInputEvent {
    uint32_t operation = 0;
    int64_t result = 0;
    std::vector<uint8_t> bytes;
};

struct InterruptLineEvent {
    uint16_t controller = 0;
    uint32_t line = 0;
    uint8_t level = 0;
};

// StateHash: the machine's StateDigest (machine/machine.h).

struct GuestExitEvent {
    uint8_t stop_kind = 0;  // StopKind
    int32_t exit_code = 0;
};

std::vector<uint8_t> encode(const SerialInputEvent& e);
std::vector<uint8_t> encode(const ClockReadEvent& e);
std::vector<uint8_t> encode(const SemihostingInputEvent& e);
std::vector<uint8_t> encode(const InterruptLineEvent& e);
std::vector<uint8_t> encode(const StateDigest& e);
std::vector<uint8_t> encode(const GuestExitEvent& e);

// Each returns nothing when the payload is malformed for its kind.
std::optional<SerialInputEvent> decode_serial_input(std::span<const uint8_t> p);
std::optional<ClockReadEvent> decode_clock_read(std::span<const uint8_t> p);
std::optional<SemihostingInputEvent> decode_semihosting_input(std::span<const uint8_t> p);
std::optional<InterruptLineEvent> decode_interrupt_line(std::span<const uint8_t> p);
std::optional<StateDigest> decode_state_hash(std::span<const uint8_t> p);
std::optional<GuestExitEvent> decode_guest_exit(std::span<const uint8_t> p);

const char* host_clock_name(HostClock c);

// Events that happen at instruction boundaries and that a replay must stop at, as opposed to
// values an instruction asks for while it executes (clock reads, semihosting input).
bool is_boundary_event(EventKind kind);

}  // namespace emu
