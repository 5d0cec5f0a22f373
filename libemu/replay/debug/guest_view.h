// What a debugger reads of a machine: its registers by gdb number (debug/registers.h) and its
// memory at addresses as the CPU sees them, translated as the CPU translates them now. Reads
// change nothing: page tables are walked without setting accessed bits, and only RAM is read,
// never device registers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "core/bus.h"
#include "debug/registers.h"
#include "machine/machine.h"

namespace emu::a64 {
class Cpu;
}
namespace emu::x86 {
class Cpu;
}

namespace emu {

class GuestView {
public:
    virtual ~GuestView() = default;
    virtual debug::Arch arch() const = 0;
    // Little-endian bytes filling `out` (the register's size); false if the CPU has no such
    // register (gdb shows it unavailable).
    virtual bool read_register(unsigned regnum, std::span<uint8_t> out) const = 0;
    // As DebugTarget::read_memory: the readable prefix of `out`.
    size_t read_memory(uint64_t addr, std::span<uint8_t> out) const;

protected:
    explicit GuestView(Bus& bus) : bus_(bus) {}
    // The physical address a data access at `addr` reaches now, or nothing where there is no
    // mapping. Called once per 4 KiB page.
    virtual std::optional<uint64_t> translate(uint64_t addr) const = 0;
    Bus& bus_;
};

// The view of a machine this build knows (virt, pc), or null.
std::unique_ptr<GuestView> make_guest_view(Machine& m);
std::unique_ptr<GuestView> a64_guest_view(const a64::Cpu& cpu, Bus& bus);
std::unique_ptr<GuestView> i386_guest_view(const x86::Cpu& cpu, Bus& bus);

}  // namespace emu
