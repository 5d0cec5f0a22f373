// Whether two machines (replays of two recordings of the same guest) are in the same state, for
// rr-bisect --against: registers, then the rest of the CPU, the devices, the virtual clock and
// the output, then RAM. RAM counts where either guest wrote: a byte that still holds its own
// image's value in both machines is equal, so two builds of a guest compare equal until their
// runs differ, not from the first differing byte of code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "machine/machine.h"
#include "replay/run/checkpoint_index.h"

namespace emu {

class MachineComparison {
public:
    // Both machines have the same configuration; `loaded_*` is each one's RAM as loaded.
    MachineComparison(Machine& a, const LoadedRam& loaded_a, Machine& b, const LoadedRam& loaded_b)
        : a_(a), b_(b), loaded_a_(loaded_a), loaded_b_(loaded_b)
    {
    }

    // The first difference, or nothing. RAM is compared in `pages` (page numbers) and in every
    // page either machine wrote since the last call or forget_writes(); those marks are consumed.
    std::optional<std::string> difference(const std::vector<uint64_t>& pages = {});
    // For machines just restored to states known to be equal.
    void forget_writes();

private:
    std::optional<std::string> page_difference(uint64_t page);

    Machine& a_;
    Machine& b_;
    const LoadedRam& loaded_a_;
    const LoadedRam& loaded_b_;
};

}  // namespace emu
