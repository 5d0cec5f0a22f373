// The machines this build can emulate, by the name `-M` takes and recordings store.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "machine/machine.h"
#include "core/input_gate.h"

namespace emu {

const std::vector<std::string>& machine_names();

// The guest RAM sizes a machine takes, inclusive. `pc` keeps its RAM below the 3.5 GiB where
// QEMU's i440FX board starts its PCI hole (the APICs and firmware live above); `virt` takes up
// to 8 GiB, one host mapping.
struct RamLimits {
    uint64_t min = 0;
    uint64_t max = 0;
};
RamLimits ram_limits(const std::string& machine);
// Whether `bytes` of RAM suit the machine: within its limits and a whole number of 4 KiB
// pages. The error (status `status`) says what would.
Result<Done> check_ram_size(const std::string& machine, uint64_t bytes, ExitStatus status);

// Builds the machine `config.machine`, taking host-derived start values (RTC) from `gate`.
// Guest output (serial and semihosting) goes to `output`.
Result<std::unique_ptr<Machine>> make_machine(const MachineConfig& config, InputGate& gate,
                                              std::function<void(uint8_t)> output);

}  // namespace emu
