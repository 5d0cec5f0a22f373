// Our CPU and Unicorn side by side over two copies of the same RAM: one owned by our bus, one
// owned by the rig and mapped into Unicorn. Memory comparisons are direct byte comparisons of
// the two copies, so any byte either engine wrote differently shows up, whoever wrote it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/test_board.h"
#include "unicorn_a64.h"

namespace emu::test {

class LockstepRig {
public:
    LockstepRig(uint64_t ram_base, uint64_t ram_size);

    uint64_t ram_base() const { return ram_base_; }
    uint64_t ram_size() const { return ram_size_; }
    uint8_t* our_ram() { return board.bus.ram_regions()[0].host.get(); }
    uint8_t* unicorn_ram() { return unicorn_ram_.data(); }

    // Writes the same bytes into both copies, dropping code either engine translated there.
    void write(uint64_t addr, const void* data, uint64_t len);
    // Fills both copies with the same bytes before anything ran.
    void fill(const std::vector<uint8_t>& bytes);
    // Makes Unicorn's copy equal to ours again.
    void resync_unicorn_from_ours();

    struct OurStep {
        bool completed;       // no exception and nothing unsupported
        a64::StopReason stop;
        uint64_t esr;         // ESR_EL1 after the step
        std::string what;     // why it did not complete, for reports
    };
    // Runs one instruction on our CPU. An exception is recognised by ESR_EL1 changing.
    OurStep step_ours();

    bool memory_equal(uint64_t addr, uint64_t len);
    // The differing bytes of [addr, addr + len) as lines of runs, at most `max_lines`.
    std::vector<std::string> memory_differences(uint64_t addr, uint64_t len, unsigned max_lines = 16);

    A64TestBoard board;
    UnicornA64 unicorn;

private:
    uint64_t ram_base_;
    uint64_t ram_size_;
    std::vector<uint8_t> unicorn_ram_;
};

// "0x40001000: 11 22 33" for up to 16 bytes, for reports.
std::string format_bytes(uint64_t addr, const uint8_t* p, unsigned len);

}  // namespace emu::test
