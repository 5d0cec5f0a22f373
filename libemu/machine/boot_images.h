// What a machine boots from, as QEMU's -kernel, -initrd, -append, -dtb and -bios give it:
// the files' bytes and the names they were given by (the Multiboot command line starts with
// the kernel's name, so a replay must use the recorded one). Which of them a board accepts is
// its own business: `pc` takes modules, `virt` a device tree and firmware.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace emu {

struct BootFile {
    std::string name;
    std::vector<uint8_t> bytes;
};

// A Multiboot module and the command line the kernel sees for it ("<name> <args>", as QEMU
// builds it from `-initrd "file args"`).
struct BootModule {
    BootFile file;
    std::string command_line;
};

struct BootImages {
    std::optional<BootFile> kernel;  // absent only when firmware boots (virt --bios)
    std::optional<BootFile> initrd;
    std::vector<BootModule> modules;  // pc: Multiboot modules after the initrd
    std::optional<BootFile> dtb;      // virt: used instead of the generated device tree
    // The dtb is the tree a recorded guest received (Machine::device_tree()): placed as it
    // is, neither adapted nor generated again, so that a replay gives the guest the same bytes.
    bool dtb_as_placed = false;
    std::optional<BootFile> bios;     // virt: flash bank 0, executed in place from 0
    std::string append;               // the kernel command line (-append)
};

}  // namespace emu
