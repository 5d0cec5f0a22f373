// The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst), 32-bit entry, for a bzImage
// of protocol 2.02 or later, without a BIOS: the protected-mode kernel at 1 MiB, a zero page
// (struct boot_params) with the image's setup header, an e820 map, the command line and the
// initrd (placed high, as QEMU places it), and a GDT with flat __BOOT_CS and __BOOT_DS.
// QEMU instead runs the kernel's real-mode setup code under SeaBIOS; what that code would find
// out from the BIOS is given here directly.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/bus.h"
#include "core/result.h"
#include "machine/boot_images.h"

namespace emu {

struct LinuxX86Layout {
    static constexpr uint32_t kBootParams = 0x10000;  // where QEMU puts the real-mode part
    static constexpr uint32_t kGdt = 0x11000;
    static constexpr uint32_t kCommandLine = 0x20000;  // as QEMU
    static constexpr uint32_t kKernel = 0x100000;
    static constexpr uint16_t kBootCs = 0x10;
    static constexpr uint16_t kBootDs = 0x18;
    static constexpr uint16_t kGdtLimit = 4 * 8 - 1;  // null, unused, __BOOT_CS, __BOOT_DS
    // The loader ID QEMU writes (0xB: Qemu, version 0).
    static constexpr uint8_t kTypeOfLoader = 0xB0;
    // QEMU keeps this much below the top of 32-bit RAM for ACPI data on pc, and places the
    // initrd under it.
    static constexpr uint64_t kAcpiDataSize = 0x20000 + 0x8000;
};

// Whether the file has a setup header ("HdrS" at 0x202).
bool is_linux_bzimage(std::span<const uint8_t> file);

struct LinuxX86Boot {
    uint32_t entry = 0;  // code32_start
    uint32_t initrd_addr = 0;
    uint32_t initrd_size = 0;
};

// Loads the kernel, the initrd and the zero page; the CPU is then started by the board at
// `entry` with ESI = kBootParams and the GDT at kGdt loaded.
Result<LinuxX86Boot> load_linux_x86(const BootFile& kernel, const std::optional<BootFile>& initrd,
                                    const std::string& command_line, Bus& bus, uint64_t ram_size);

}  // namespace emu
