// Our i386 CPU and Unicorn side by side over two copies of the same RAM: one on our bus, one
// owned by the rig and mapped into Unicorn. Memory comparisons are direct byte comparisons of
// the two copies, so any byte either engine wrote differently shows up, whoever wrote it.
//
// Our CPU runs with stop_on_exception: an exception stops run() as it stops Unicorn, instead of
// going through an IDT neither side has.
//
// In the 16-bit modes (X86Mode) both engines are put in the same state first: real mode with CS
// at the code region's paragraph (our segments have 4 GiB limits, "big real mode", as QEMU
// checks no limits), or 16-bit protected mode, entered by running the same code on both (LGDT
// of a GDT at kGdt, CR0.PE, a far jump to a 16-bit code segment, data segment loads). set_state
// returns both to that state before each case, segment registers included.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bus.h"
#include "core/clock.h"
#include "core/io_ports.h"
#include "cpu/x86/cpu.h"
#include "unicorn_x86.h"
#include "x86_random_insn.h"

namespace emu::test {

// The architectural state both engines are compared on.
struct X86Regs {
    uint32_t r[8];
    uint32_t eip;
    uint32_t eflags;
    uint16_t sel[6];  // ES CS SS DS FS GS (compared in the 16-bit modes)
};

// "EAX=... ECX=..." over two lines, for reports.
std::string format_regs(const X86Regs& s);
std::string format_eflags(uint32_t f);

class X86LockstepRig {
public:
    // Where the 16-bit protected mode set-up keeps its GDT and code.
    static constexpr uint32_t kGdt = 0x3F000;
    static constexpr uint32_t kSetupCode = 0x3E000;

    X86LockstepRig(uint32_t ram_base, uint32_t ram_size, X86Mode mode = X86Mode::Protected32);

    X86Mode mode() const { return mode_; }
    // Puts both engines into the mode (after RAM was filled: the set-up writes its tables).
    void enter_mode();

    uint8_t* our_ram() { return bus.ram_regions()[0].host.get(); }
    uint8_t* unicorn_ram() { return unicorn_ram_.data(); }

    // Writes the same bytes into both copies, dropping code either engine translated there.
    void write(uint32_t addr, const void* data, uint32_t len);
    void fill(const std::vector<uint8_t>& bytes);
    // Writes Unicorn's copy only: corrects a result Unicorn is known to get wrong, or copies
    // ours over bytes the architecture leaves undefined.
    void patch_unicorn(uint32_t addr, const void* data, uint32_t len);
    void resync_unicorn_from_ours();

    // Puts both engines in `s`.
    void set_state(const X86Regs& s);
    X86Regs ours() const;
    X86Regs theirs() const;

    struct OurStep {
        bool completed;       // the instruction retired: no exception, nothing unsupported
        RunEnd stop;
        int vector = -1;      // the exception that stopped it
        uint32_t error_code = 0;
        bool has_error_code = false;
        std::string what;     // why it did not complete, for reports
    };
    // Runs one instruction (one iteration of a REP string instruction) on our CPU.
    OurStep step_ours();

    bool memory_equal(uint32_t addr, uint32_t len);
    std::vector<std::string> memory_differences(uint32_t addr, uint32_t len, unsigned max_lines = 16);

    Bus bus;
    IoPorts io;
    VirtualClock clock;
    x86::Cpu cpu;
    UnicornX86 unicorn;

private:
    uint32_t ram_base_;
    uint32_t ram_size_;
    X86Mode mode_;
    std::vector<uint8_t> unicorn_ram_;
    x86::Segment setup_segments_[x86::kNumSegs];
};

// "0x00001000: 11 22 33" for up to 16 bytes, for reports.
std::string format_x86_bytes(uint32_t addr, const uint8_t* p, unsigned len);

}  // namespace emu::test
