// What the record/replay core needs from a machine, whatever its architecture. Nothing outside
// libemu/machine and libemu/cpu knows which board it is driving.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/bus.h"
#include "core/input_gate.h"
#include "core/ram_snapshot.h"
#include "core/state_archive.h"
#include "core/stop_kind.h"
#include "machine/boot_images.h"
#include "machine/elf_loader.h"
#include "machine/virtio_config.h"

namespace emu {

class DiskOverlay;

struct RunOutcome {
    StopKind kind = StopKind::InsnLimit;
    int exit_code = 0;
    uint64_t icount = 0;
    std::string detail;
};

// How a slice of execution ended.
enum class SliceEnd {
    Budget,      // ran the instructions asked for, or paused early at a boundary on request
    Idle,        // the CPU waits for an interrupt; the caller decides how time moves on
    Stopped,     // the run is over (see outcome())
    Breakpoint,  // the next instruction is at a breakpoint (set_breakpoints)
};

// A digest of the machine's state (see StateHashEvent). Computing it forgets which RAM pages
// were written: the next digest covers the pages written after this one.
struct StateDigest {
    uint64_t cpu = 0;
    uint64_t ram = 0;
    uint32_t dirty_pages = 0;
    uint64_t devices = 0;
    uint64_t output_bytes = 0;
    uint64_t output = 0;
    std::vector<uint64_t> registers;
};

struct MachineConfig {
    std::string machine = "virt";
    uint64_t ram_size = uint64_t{128} << 20;
    unsigned icount_shift = 0;
    // virtio-mmio devices (`virt` only).
    VirtioConfig virtio;
};

class Machine {
public:
    virtual ~Machine() = default;

    // Loads the images and sets the CPU up to start as QEMU starts it with the same options.
    // Errors: a malformed image or one the machine cannot boot (BadRecording), a file the
    // machine takes no use for (Usage).
    virtual Result<Done> boot(const BootImages& images) = 0;
    // The device tree boot() placed in guest memory, as the guest finds it; empty when none.
    virtual std::vector<uint8_t> device_tree() const { return {}; }
    // An ELF kernel alone, with an empty -append (tests and benchmarks).
    Result<Done> load_kernel(const ElfImage& image)
    {
        BootImages images;
        images.kernel = BootFile{image.path, image.file};
        return boot(images);
    }

    // Runs at most max_insns instructions; see SliceEnd.
    virtual SliceEnd run_slice(uint64_t max_insns) = 0;
    // After SliceEnd::Stopped: how and where.
    virtual RunOutcome outcome() const = 0;
    // For an idle CPU: moves virtual time to the next timer deadline. False if nothing can
    // wake the CPU that way.
    virtual bool idle_to_next_deadline() = 0;
    // Makes run_slice() return at the next instruction boundary.
    virtual void request_pause() = 0;
    // Guest pcs where run_slice() returns Breakpoint (see Engine::set_breakpoints).
    virtual void set_breakpoints(std::vector<uint64_t> pcs) = 0;

    virtual uint64_t icount() const = 0;
    virtual uint64_t pc() const = 0;

    // Also hands every byte of guest output (serial and semihosting) to `observer`, with the
    // icount of the instruction that wrote it (a serial script watches the console so).
    virtual void set_output_observer(std::function<void(uint8_t byte, uint64_t icount)> observer) = 0;
    // Hands every network frame the guest sends to `observer` (a recorder's network back end).
    // Sent frames are also hashed into the output digest, observer or not.
    virtual void set_frame_observer(std::function<void(std::span<const uint8_t> frame)> observer) = 0;

    // The device end of an asynchronous host input (core/input_gate.h), or null when the
    // machine has no such device.
    virtual InputPort* input_port(InputKind kind, unsigned device) = 0;
    // While set, a guest that finds an input's receive side empty pauses the run at the next
    // boundary, so that a recorder holding host data delivers it at once instead of at the
    // end of the slice.
    virtual void set_input_waiting(bool waiting) = 0;
    // Whether the guest found an input's receive side empty since the last call: one of the
    // points where a recorder delivers input (see Recorder).
    virtual bool take_input_starved() = 0;

    virtual StateDigest state_digest() = 0;
    // The whole machine (CPU, devices, virtual clock, RAM, output digest), both ways: a
    // snapshot. Restoring needs a machine built with the same configuration and image; after
    // a restore that reports an error the machine must be thrown away. With RamPages::DirtyMap
    // the RAM contents are left out (a checkpoint stores them apart) and loading keeps them.
    virtual void serialize(StateArchive& a, RamPages pages) = 0;
    // Physical memory, for checkpoints and for comparing machines.
    virtual Bus& bus() = 0;
    // Names of StateDigest::registers and register_values(), in order.
    virtual const std::vector<std::string>& register_names() const = 0;
    virtual std::vector<uint64_t> register_values() const = 0;
    // Guest physical memory (RAM only), little-endian; false where there is none.
    virtual bool read_memory(uint64_t addr, unsigned size, uint64_t& value) = 0;
    // Virtio drive i as the guest sees it now (its image under its overlay), or null.
    virtual const DiskOverlay* drive(size_t) const { return nullptr; }
};

}  // namespace emu
