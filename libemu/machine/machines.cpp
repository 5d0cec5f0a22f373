#include "machine/machines.h"

#include "machine/pc.h"
#include "machine/virt.h"

namespace emu {

const std::vector<std::string>& machine_names()
{
    static const std::vector<std::string> names = {"virt", "pc", "isapc"};
    return names;
}

Result<std::unique_ptr<Machine>> make_machine(const MachineConfig& config, InputGate& gate,
                                              std::function<void(uint8_t)> output)
{
    if (config.machine == "virt")
        return std::unique_ptr<Machine>(std::make_unique<VirtMachine>(config, gate, std::move(output)));
    if (config.machine == "pc" || config.machine == "isapc")
        return std::unique_ptr<Machine>(std::make_unique<PcMachine>(config, gate, std::move(output)));
    return Error{ExitStatus::BadRecording, "unknown machine '" + config.machine + "'"};
}

}  // namespace emu
