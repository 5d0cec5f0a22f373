// Multiboot v1 loading, as QEMU's `-kernel` does for a Multiboot image: an ELF kernel's
// segments, or with the a.out kludge (header flag 16) the file bytes the header's addresses
// name; the modules (`-initrd "file args,..."`) page-aligned after the kernel; an information
// structure (memory sizes, boot device, command lines, modules, memory map, boot loader name)
// in low memory; and the CPU in flat 32-bit protected mode at the entry point with
// EAX = 0x2BADB002 and EBX = the structure's address.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/bus.h"
#include "core/result.h"
#include "machine/boot_images.h"

namespace emu {

struct MultibootHeader {
    uint32_t offset = 0;  // in the file, 4-byte aligned, within the first 8 KiB
    uint32_t flags = 0;
    // Only meaningful with the a.out kludge (kAoutKludge in flags).
    uint32_t header_addr = 0;
    uint32_t load_addr = 0;
    uint32_t load_end_addr = 0;
    uint32_t bss_end_addr = 0;
    uint32_t entry_addr = 0;

    static constexpr uint32_t kAoutKludge = 1u << 16;
};

// The header (magic, flags and checksum summing to 0), or nothing.
std::optional<MultibootHeader> find_multiboot_header(std::span<const uint8_t> file);

struct MultibootBoot {
    uint32_t entry = 0;
    uint32_t info_addr = 0;
};

// Loads `kernel` (which has `header`) and `modules` into RAM at 0 of `ram_size` bytes. The
// kernel's command line is "<kernel name> <append>", as QEMU builds it.
Result<MultibootBoot> load_multiboot(const BootFile& kernel, const MultibootHeader& header,
                                     const std::vector<BootModule>& modules, const std::string& append, Bus& bus,
                                     uint64_t ram_size);

}  // namespace emu
