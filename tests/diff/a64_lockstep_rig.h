// Our CPU and Unicorn side by side over two copies of the same RAM: one owned by our bus, one
// owned by the rig and mapped into Unicorn. Memory comparisons are direct byte comparisons of
// the two copies, so any byte either engine wrote differently shows up, whoever wrote it.
//
// Our CPU also has a page of exception vectors that Unicorn lacks (Unicorn stops at an
// exception instead of taking it). Every vector is `B .`, so that an exception taken in a
// one-instruction step is followed by an instruction that retires: a fault that does not
// retire would otherwise send run(1) round the vector table for ever.
//
// Both CPUs start with FP/SIMD enabled at EL0 and EL1 (CPACR_EL1.FPEN = 11).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/test_board.h"
#include "unicorn_a64.h"

namespace emu::test {

class LockstepRig {
public:
    static constexpr uint64_t kVectorPage = 0x7FFFF000;
    static constexpr uint64_t kCpacrFpEnabled = 3u << 20;

    // Unicorn maps the RAM with UC_PROT_* `unicorn_perms`.
    LockstepRig(uint64_t ram_base, uint64_t ram_size, uint32_t unicorn_perms = UC_PROT_ALL);

    uint8_t* our_ram() { return bus.ram_regions()[0].host.get(); }
    uint8_t* unicorn_ram() { return unicorn_ram_.data(); }

    // Writes the same bytes into both copies, dropping code either engine translated there.
    void write(uint64_t addr, const void* data, uint64_t len);
    // Fills both copies with the same bytes before anything ran.
    void fill(const std::vector<uint8_t>& bytes);
    // Writes Unicorn's copy only: corrects a result Unicorn is known to get wrong.
    void patch_unicorn(uint64_t addr, const void* data, uint64_t len);
    // Puts back what Unicorn's last step overwrote, from its access records.
    void undo_unicorn_stores();
    // Makes Unicorn's copy equal to ours again.
    void resync_unicorn_from_ours();

    struct OurStep {
        bool completed;       // no exception and nothing unsupported
        RunEnd stop;
        uint64_t esr;         // ESR_EL1 after the step
        std::string what;     // why it did not complete, for reports
    };
    // Puts our CPU in its reset state, with VBAR_EL1 at the vector page.
    void reset_ours(uint64_t pc);
    // Runs one instruction on our CPU. An exception is recognised by ESR_EL1 changing.
    OurStep step_ours();

    // Broken invariants of our CPU that no architectural register shows (a handler that wrote
    // the zero-register slot instead of the discard slot), as report lines.
    std::vector<std::string> our_invariant_failures() const;

    bool memory_equal(uint64_t addr, uint64_t len);
    // The differing bytes of [addr, addr + len): for each run of up to 16 bytes, a line of ours
    // and a line of Unicorn's; about `max_lines` lines at most.
    std::vector<std::string> memory_differences(uint64_t addr, uint64_t len, unsigned max_lines = 16);

    Bus bus;
    VirtualClock clock;
    RecordingPlatform platform;
    a64::Cpu cpu;
    UnicornA64 unicorn;

private:
    uint64_t ram_base_;
    uint64_t ram_size_;
    std::vector<uint8_t> unicorn_ram_;
};

// "0x40001000: 11 22 33" for up to 16 bytes, for reports.
std::string format_bytes(uint64_t addr, const uint8_t* p, unsigned len);

}  // namespace emu::test
