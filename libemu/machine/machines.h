// The machines this build can emulate, by the name `-M` takes and recordings store.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "machine/machine.h"
#include "replay/input_gate.h"

namespace emu {

const std::vector<std::string>& machine_names();

// Builds the machine `config.machine`, taking host-derived start values (RTC) from `gate`.
// Guest output (serial and semihosting) goes to `output`.
Result<std::unique_ptr<Machine>> make_machine(const MachineConfig& config, InputGate& gate,
                                              std::function<void(uint8_t)> output);

}  // namespace emu
