#include "machine/board.h"

#include "core/ram_digest.h"
#include "core/ram_snapshot.h"
#include "core/state_archive.h"

namespace emu {

Board::Board(const MachineConfig& config, std::string section, PhysAddr ram_base, std::function<void(uint8_t)> output)
    : config_(config), clock_(config.icount_shift), section_(std::move(section)), output_sink_(std::move(output))
{
    bus_.add_ram(ram_base, config.ram_size);
}

SliceEnd Board::run_slice(uint64_t max_insns)
{
    switch (core().run(max_insns)) {
    case RunEnd::Budget:
    case RunEnd::Paused: return SliceEnd::Budget;
    case RunEnd::Idle: return SliceEnd::Idle;
    case RunEnd::Stopped: return SliceEnd::Stopped;
    case RunEnd::Breakpoint: return SliceEnd::Breakpoint;
    }
    return SliceEnd::Stopped;
}

RunOutcome Board::outcome() const
{
    RunStop s = core().stop().value_or(RunStop{StopKind::InsnLimit, 0, {}});
    return RunOutcome{s.kind, s.exit_code, core().icount(), s.detail};
}

InputPort* Board::input_port(InputKind kind, unsigned device)
{
    for (const Input& in : inputs_)
        if (in.kind == kind && in.device == device)
            return in.port;
    return nullptr;
}

void Board::input_starved()
{
    input_starved_ = true;
    if (input_waiting_)
        core().request_pause();
}

StateDigest Board::state_digest()
{
    StateDigest d;
    d.cpu = state_hash(core());
    d.ram = hash_dirty_pages(bus_, d.dirty_pages);
    std::vector<uint8_t> devices;
    append_state(devices, clock_);
    for (Component* c : devices_)
        append_state(devices, *c);
    d.devices = hash_state_bytes(devices);
    d.output_bytes = output_.bytes();
    d.output = output_.hash();
    if (sent_frames_.bytes() != 0) {
        // Output covers the frames sent too; a guest that sends none hashes as before.
        uint64_t both[2] = {d.output, sent_frames_.hash()};
        d.output = hash_state_bytes(std::vector<uint8_t>(reinterpret_cast<uint8_t*>(both),
                                                         reinterpret_cast<uint8_t*>(both) + sizeof both));
    }
    d.registers = register_values();
    return d;
}

void Board::serialize(StateArchive& a, RamPages pages)
{
    a.section(section_, 4);
    uint64_t ram_size = config_.ram_size;
    a.field("ram_size", ram_size);
    if (a.loading() && ram_size != config_.ram_size)
        a.fail("the snapshot's machine has " + std::to_string(ram_size) + " bytes of RAM, this one " +
               std::to_string(config_.ram_size));
    serialize_board(a);
    core().serialize(a);
    clock_.serialize(a);
    for (Component* c : devices_)
        c->serialize(a);
    output_.serialize(a);
    sent_frames_.serialize(a);
    serialize_ram(a, bus_, pages);
    if (a.loading())
        restored();
}

void Board::emit_frame(std::span<const uint8_t> frame)
{
    uint32_t n = static_cast<uint32_t>(frame.size());
    for (unsigned i = 0; i < 4; ++i)
        sent_frames_.put(static_cast<uint8_t>(n >> (8 * i)));
    for (uint8_t b : frame)
        sent_frames_.put(b);
    if (frame_observer_)
        frame_observer_(frame);
}

bool Board::read_memory(uint64_t addr, unsigned size, uint64_t& value)
{
    value = 0;
    return size <= 8 && bus_.ram_at(addr, size) && bus_.read_bytes(addr, &value, size);
}

}  // namespace emu
