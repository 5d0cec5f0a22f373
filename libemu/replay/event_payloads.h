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

// CheckpointPages: RAM page contents that checkpoints refer to by id, each distinct content
// stored once per recording. Ids count from 0 in file order across all CheckpointPages events.
struct CheckpointPagesEvent {
    uint32_t first_id = 0;
    std::vector<uint8_t> bytes;  // whole pages, kPageSize each
};

// A page written since the previous checkpoint (since the image was loaded, for the first).
struct CheckpointPageRef {
    uint64_t page = 0;  // physical address >> kPageBits
    uint32_t id = 0;    // of its contents in the CheckpointPages before it
};

// Checkpoint: the machine at an instruction boundary. RAM is the loaded image, overwritten by
// the pages of every checkpoint up to this one.
struct CheckpointEvent {
    uint32_t number = 0;                  // 0 for the first, then +1
    std::vector<uint8_t> state;           // Machine::serialize with RamPages::DirtyMap
    std::vector<CheckpointPageRef> pages;  // in increasing page order
};

// How the run ended, and the machine's state once it had stopped (a replay must stop the same
// way and be in the same state).
struct GuestExitEvent {
    StopKind kind = StopKind::PowerOff;  // stored as its id
    int32_t exit_code = 0;
    StateDigest state;
};

std::vector<uint8_t> encode(const SerialInputEvent& e);
std::vector<uint8_t> encode(const ClockReadEvent& e);
std::vector<uint8_t> encode(const SemihostingInputEvent& e);
std::vector<uint8_t> encode(const InterruptLineEvent& e);
std::vector<uint8_t> encode(const StateDigest& e);
std::vector<uint8_t> encode(const GuestExitEvent& e);
std::vector<uint8_t> encode(const CheckpointPagesEvent& e);
std::vector<uint8_t> encode(const CheckpointEvent& e);

// Each returns nothing when the payload is malformed for its kind.
std::optional<SerialInputEvent> decode_serial_input(std::span<const uint8_t> p);
std::optional<ClockReadEvent> decode_clock_read(std::span<const uint8_t> p);
std::optional<SemihostingInputEvent> decode_semihosting_input(std::span<const uint8_t> p);
std::optional<InterruptLineEvent> decode_interrupt_line(std::span<const uint8_t> p);
std::optional<StateDigest> decode_state_hash(std::span<const uint8_t> p);
std::optional<GuestExitEvent> decode_guest_exit(std::span<const uint8_t> p);
std::optional<CheckpointPagesEvent> decode_checkpoint_pages(std::span<const uint8_t> p);
std::optional<CheckpointEvent> decode_checkpoint(std::span<const uint8_t> p);

const char* host_clock_name(HostClock c);

// Events that happen at instruction boundaries and that a replay must stop at, as opposed to
// values an instruction asks for while it executes (clock reads, semihosting input).
bool is_boundary_event(EventKind kind);

}  // namespace emu
