// What every board shares, so that a board itself is only its devices, their wiring and its
// loader: the physical bus with its RAM, the virtual clock, the digest of guest output, the
// CPU's run and stop (through CpuCore), the one list of devices that snapshots and state
// hashes both walk, and the input ports with the "guest found its input empty" signal.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/component.h"
#include "core/output_digest.h"
#include "exec/engine.h"
#include "machine/machine.h"

namespace emu {

class Board : public Machine {
public:
    SliceEnd run_slice(uint64_t max_insns) override;
    RunOutcome outcome() const override;
    bool idle_to_next_deadline() override { return clock_.idle_to_next_deadline(); }
    void request_pause() override { core().request_pause(); }
    void set_breakpoints(std::vector<uint64_t> pcs) override { core().set_breakpoints(std::move(pcs)); }
    uint64_t icount() const override { return core().icount(); }
    uint64_t pc() const override { return core().pc(); }

    void set_output_observer(std::function<void(uint8_t, uint64_t)> observer) override
    {
        output_observer_ = std::move(observer);
    }
    void set_frame_observer(std::function<void(std::span<const uint8_t>)> observer) override
    {
        frame_observer_ = std::move(observer);
    }
    InputPort* input_port(InputKind kind, unsigned device) override;
    void set_input_waiting(bool waiting) override { input_waiting_ = waiting; }
    bool take_input_starved() override { return std::exchange(input_starved_, false); }

    StateDigest state_digest() override;
    void serialize(StateArchive& a, RamPages pages) override;
    Bus& bus() override { return bus_; }
    bool read_memory(uint64_t addr, unsigned size, uint64_t& value) override;

protected:
    // `section` names the board in snapshots; RAM of config.ram_size bytes starts at ram_base.
    Board(const MachineConfig& config, std::string section, PhysAddr ram_base, std::function<void(uint8_t)> output);

    // The board's CPU, built after this base (its devices need the bus and clock first).
    virtual CpuCore& core() = 0;
    const CpuCore& core() const { return const_cast<Board*>(this)->core(); }
    // Fields of the board itself beyond its devices (the base saves the RAM size), in its
    // section; none by default.
    virtual void serialize_board(StateArchive&) {}
    // After a snapshot has loaded: host-side structures that follow guest state (an MMIO page
    // a register moved) are rebuilt here.
    virtual void restored() {}

    // Devices in snapshot order; every device with state is listed once.
    void add_device(Component& device) { devices_.push_back(&device); }
    // An asynchronous input's device end.
    void add_input(InputKind kind, unsigned device, InputPort& port) { inputs_.push_back({kind, device, &port}); }
    // For a device: the guest found its receive side empty.
    void input_starved();
    // Guest output (UART transmit, semihosting writes): the host sink and the output digest.
    void emit(uint8_t byte)
    {
        output_.put(byte);
        output_sink_(byte);
        if (output_observer_)
            output_observer_(byte, clock_.icount());  // the CPU published the writer's icount
    }
    // A network frame the guest sent: hashed apart from the serial output (a frame is not
    // console text), and handed to the observer.
    void emit_frame(std::span<const uint8_t> frame);
    // The board ends the run (power off, reset, a guest exit) after the current instruction.
    void stop(StopKind kind, int exit_code = 0) { core().request_stop(kind, exit_code, {}); }

    MachineConfig config_;
    Bus bus_;
    VirtualClock clock_;

private:
    struct Input {
        InputKind kind;
        unsigned device;
        InputPort* port;
    };
    std::string section_;
    std::function<void(uint8_t)> output_sink_;
    std::function<void(uint8_t, uint64_t)> output_observer_;
    OutputDigest output_;
    std::function<void(std::span<const uint8_t>)> frame_observer_;
    OutputDigest sent_frames_;  // each frame as its u32 length, then its bytes
    std::vector<Component*> devices_;
    std::vector<Input> inputs_;
    bool input_waiting_ = false;
    bool input_starved_ = false;
};

}  // namespace emu
