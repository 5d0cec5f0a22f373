// The input gate: the one way host data enters guest state (ARCHITECTURE.md, "The choke point
// for non-determinism"). It knows nothing of recordings: live, recording and replaying gates
// implement it (replay/), and devices cannot tell which one they have.
//
// Two sides:
// - synchronous: a value the guest reads now, during an instruction (host clocks, console
//   input, random bytes), asked for through InputGate with the icount of that instruction;
// - asynchronous: host data that arrives (serial bytes, network frames),
//   handed to a device's InputPort at instruction boundaries the recorder chooses, as
//   (kind, device, bytes). Machines list their ports; the recorder and the replayer deliver
//   to them without knowing what device is behind one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace emu {

enum class HostClock : uint8_t { Realtime = 0, Monotonic = 1 };
const char* host_clock_name(HostClock c);

class InputGate {
public:
    virtual ~InputGate() = default;
    // A host clock, in nanoseconds, read by the instruction that retires at `icount`. The
    // monotonic clock counts from the start of the recording.
    virtual uint64_t host_clock_ns(HostClock clock, uint64_t icount) = 0;
    // The next byte of console input (semihosting SYS_READC), or -1 at the end of input.
    virtual int console_byte(uint64_t icount) = 0;
    // Random bytes (virtio-rng), as many as `out` holds.
    virtual void entropy(uint64_t icount, std::span<uint8_t> out) = 0;
};

enum class InputKind : uint8_t {
#define RR_INPUT(name, id, event) name = id,
#include "core/input_kinds.inc"
#undef RR_INPUT
};
const char* input_kind_name(InputKind k);

// The device end of an asynchronous input.
class InputPort {
public:
    virtual ~InputPort() = default;
    // Whether the guest has begun to take input here (a UART: it looked at the receive side or
    // enabled the receive interrupt). A recorder delivers nothing before, so that bytes are not
    // lost to a device the guest has not yet set up.
    virtual bool listening() const = 0;
    // How many bytes the device takes now; 0 when full.
    virtual size_t room() const = 0;
    // At an instruction boundary, at most room() bytes.
    virtual void receive(std::span<const uint8_t> bytes) = 0;
};

}  // namespace emu
