#include "machine/machines.h"

#include "machine/pc.h"
#include "machine/virt.h"

namespace emu {

const std::vector<std::string>& machine_names()
{
    static const std::vector<std::string> names = {"virt", "pc", "isapc"};
    return names;
}

RamLimits ram_limits(const std::string& machine)
{
    constexpr uint64_t kMiB = uint64_t{1} << 20;
    if (machine == "pc" || machine == "isapc")
        return {kMiB, 3584 * kMiB};
    return {kMiB, 8192 * kMiB};
}

Result<Done> check_ram_size(const std::string& machine, uint64_t bytes, ExitStatus status)
{
    RamLimits limits = ram_limits(machine);
    if (bytes >= limits.min && bytes <= limits.max && bytes % kPageSize == 0)
        return Done{};
    return Error{status, "RAM size " + std::to_string(bytes) + " bytes: -M " + machine + " takes " +
                             std::to_string(limits.min >> 20) + " MiB to " + std::to_string(limits.max >> 20) +
                             " MiB, in whole 4 KiB pages"};
}

Result<std::unique_ptr<Machine>> make_machine(const MachineConfig& config, InputGate& gate,
                                              std::function<void(uint8_t)> output)
{
    if (Result<Done> ram = check_ram_size(config.machine, config.ram_size, ExitStatus::BadRecording); !ram)
        return ram.error();
    if (config.machine == "virt")
        return std::unique_ptr<Machine>(std::make_unique<VirtMachine>(config, gate, std::move(output)));
    if (config.machine != "virt" && config.virtio.rng)
        return Error{ExitStatus::BadRecording, "-M " + config.machine + " has no entropy device"};
    if (config.machine == "isapc" && config.virtio.net)
        return Error{ExitStatus::BadRecording, "-M isapc has no network device"};
    size_t max_drives = config.machine == "pc" ? PcPci::kMaxDrives : 0;
    if (config.machine != "virt" && config.virtio.drives.size() > max_drives)
        return Error{ExitStatus::BadRecording, "-M " + config.machine + " takes at most " +
                                                   std::to_string(max_drives) +
                                                   " drives, the configuration has " +
                                                   std::to_string(config.virtio.drives.size())};
    if (config.machine == "pc" || config.machine == "isapc")
        return std::unique_ptr<Machine>(std::make_unique<PcMachine>(config, gate, std::move(output)));
    return Error{ExitStatus::BadRecording, "unknown machine '" + config.machine + "'"};
}

}  // namespace emu
