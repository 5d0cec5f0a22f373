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
//
// With an Mmu setup both run with stage 1 translation on: the RAM appears at a virtual base
// of its own, through tables (in a RAM region both engines have beyond the tested one) that
// the rig writes with PageTableBuilder, and every address the rig's methods take is then a
// virtual address in that window. The vector page stays identity mapped.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "support/test_board.h"
#include "unicorn_a64.h"

namespace emu::test {

struct RigMmu {
    unsigned granule_bits = 12;  // 12 or 16: Unicorn's CPU has 16 KiB tables, ours does not
    unsigned va_bits = 39;
    unsigned leaf_level = 3;     // 3: pages; 2: blocks
    uint64_t va_base = 0;        // where the RAM's first byte appears
    bool tbi = false;            // TCR_EL1.TBI0
    // The descriptor bits, beyond the address and the type, of the leaf mapping the RAM at
    // this offset: attributes, AP, XN and AF (leave it out for Access flag faults); 0 maps
    // nothing. A leaf is either executable at both EL0 and EL1 or at neither, so that the rig
    // can drop Unicorn's translated code by virtual address (which translates for a fetch).
    // Unset: Normal memory, read/write at EL1, executable.
    std::function<uint64_t(uint64_t offset)> leaf_bits;
    std::string name;
};

class LockstepRig {
public:
    static constexpr uint64_t kVectorPage = 0x7FFFF000;
    static constexpr uint64_t kTablePool = 0x7FC00000;  // physical, never mapped virtually
    static constexpr uint64_t kTablePoolSize = 2u << 20;
    static constexpr uint64_t kCpacrFpEnabled = 3u << 20;

    // Unicorn maps the RAM with UC_PROT_* `unicorn_perms`.
    LockstepRig(uint64_t ram_base, uint64_t ram_size, uint32_t unicorn_perms = UC_PROT_ALL,
                std::optional<RigMmu> mmu = std::nullopt);

    // The address the RAM's first byte has for the CPUs (the virtual one with an MMU).
    uint64_t window_base() const { return window_base_; }

    uint8_t* our_ram() { return bus.ram_regions()[0].host.get(); }
    uint8_t* unicorn_ram() { return unicorn_ram_.data(); }

    // Writes the same bytes into both copies, dropping code either engine translated there.
    void write(uint64_t addr, const void* data, uint64_t len);
    // Fills both copies with the same bytes before anything ran.
    void fill(const std::vector<uint8_t>& bytes);
    // Changes Unicorn's UC_PROT_* permissions of [addr, addr + len) of the window, below any
    // translation.
    void protect_unicorn(uint64_t addr, uint64_t len, uint32_t perms);
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
    // Builds the tables in both engines and turns translation on in Unicorn.
    void set_up_mmu(const RigMmu& mmu);
    // Gives our CPU the translation registers Unicorn got.
    void apply_mmu_to_ours();
    // Drops what Unicorn translated from [addr, addr + len) of the window.
    void invalidate_unicorn_code(uint64_t addr, uint64_t len);

    uint64_t ram_base_;
    uint64_t ram_size_;
    uint64_t window_base_;
    std::vector<uint8_t> unicorn_ram_;
    std::vector<uint8_t> unicorn_tables_;
    std::vector<uint8_t> unicorn_vectors_;
    std::optional<RigMmu> mmu_;
    uint64_t mair_ = 0, tcr_ = 0, ttbr0_ = 0;
    uint64_t leaf_size_ = 0;
    std::vector<bool> executable_;  // per leaf of the window
};

// "0x40001000: 11 22 33" for up to 16 bytes, for reports.
std::string format_bytes(uint64_t addr, const uint8_t* p, unsigned len);

}  // namespace emu::test
