// How `virt` starts, as QEMU 7.2's hw/arm/boot.c starts a virt machine without EL2 or EL3.
#include <algorithm>

#include "core/format.h"
#include "machine/arm64_image.h"
#include "machine/elf_loader.h"
#include "machine/kernel_format.h"
#include "machine/virt.h"
#include "machine/virt_dtb.h"

namespace emu {

namespace {

constexpr uint64_t kTwoMiB = 2 << 20;
constexpr uint64_t kInitrdOffsetMax = 128 << 20;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

// QEMU's AArch64 boot stub at the base of RAM: x0 = the tree, x1-x3 = 0, then the kernel.
//   ldr x0, 0x18; mov x1, xzr; mov x2, xzr; mov x3, xzr; ldr x4, 0x20; br x4; .quad dtb; .quad entry
std::vector<uint8_t> boot_stub(uint64_t dtb, uint64_t entry)
{
    const uint32_t insns[] = {0x580000C0, 0xAA1F03E1, 0xAA1F03E2, 0xAA1F03E3, 0x58000084, 0xD61F0080};
    std::vector<uint8_t> code;
    auto put = [&](uint64_t v, int n) {
        for (int i = 0; i < n; ++i)
            code.push_back(static_cast<uint8_t>(v >> (8 * i)));
    };
    for (uint32_t insn : insns)
        put(insn, 4);
    put(dtb, 8);
    put(entry, 8);
    return code;
}

}  // namespace

Result<Done> VirtMachine::boot(const BootImages& images)
{
    if (!images.modules.empty())
        return Error{ExitStatus::Usage, "--module: Multiboot modules are for -M pc; -M virt takes one --initrd"};
    if (images.bios)
        return boot_firmware(images);
    if (!images.kernel)
        return Error{ExitStatus::Usage, "-M virt needs --kernel or --bios"};
    const BootFile& kernel = *images.kernel;
    if (is_elf(kernel.bytes))
        return boot_elf(kernel, images);
    return boot_linux(kernel, images);
}

Result<std::vector<uint8_t>> VirtMachine::make_device_tree(const BootImages& images, const VirtDtbSpec& spec)
{
    if (images.dtb && images.dtb_as_placed)
        return images.dtb->bytes;
    if (images.dtb)
        return adapt_user_dtb(images.dtb->bytes, images.dtb->name, spec);
    return build_virt_dtb(spec);
}

Result<Done> VirtMachine::place_device_tree(std::vector<uint8_t> tree, uint64_t at)
{
    if (!bus_.write_bytes(at, tree.data(), tree.size()))
        return Error{ExitStatus::BadRecording, "the device tree (" + std::to_string(tree.size()) + " bytes) does not fit in "
                                               "RAM at " + hex(at)};
    device_tree_ = std::move(tree);
    return Done{};
}

// An ELF is not Linux to QEMU: it starts at its entry with nothing in x0, and the tree goes to
// the base of RAM only when the image leaves room for it there.
Result<Done> VirtMachine::boot_elf(const BootFile& kernel, const BootImages& images)
{
    if (images.initrd)
        return Error{ExitStatus::Usage, "--initrd: " + kernel.name + " is an ELF file, and QEMU loads an initrd only for "
                                                                     "Linux kernels (an arm64 Image or a raw image)"};
    Result<ElfImage> image = parse_elf(kernel.bytes, kernel.name);
    if (!image)
        return image.error();
    if (image->machine != ElfMachine::AArch64)
        return Error{ExitStatus::BadRecording, kernel.name + ": not an AArch64 image; -M virt runs AArch64 guests"};
    if (Result<Done> loaded = load_elf(*image, bus_); !loaded)
        return loaded;
    uint64_t low = image->physical_low(), high = image->physical_high();
    if (low > kRamBase || high < kRamBase) {
        VirtDtbSpec spec{kRamBase, config_.ram_size, false, images.append, std::nullopt, 0, 0, {}};
        virt_dtb_seed(spec, kernel.bytes);
        Result<std::vector<uint8_t>> tree = make_device_tree(images, spec);
        if (!tree)
            return tree.error();
        uint64_t limit = low < kRamBase ? 0 : low;
        if (limit == 0 || tree->size() <= limit - kRamBase)
            if (Result<Done> placed = place_device_tree(std::move(*tree), kRamBase); !placed)
                return placed;
    }
    cpu_.reset(image->physical_entry());
    return Done{};
}

Result<Done> VirtMachine::boot_linux(const BootFile& kernel, const BootImages& images)
{
    Result<Arm64Kernel> k = prepare_arm64_kernel(kernel);
    if (!k)
        return k.error();
    uint64_t ram_end = kRamBase + config_.ram_size;
    if (k->size > config_.ram_size || k->load_offset + k->bytes.size() > config_.ram_size)
        return Error{ExitStatus::BadRecording, kernel.name + ": the kernel (" + std::to_string(k->size) +
                                                   " bytes at RAM + " + hex(k->load_offset) + ") does not fit in " +
                                                   std::to_string(config_.ram_size >> 20) + " MiB of RAM"};
    uint64_t entry = kRamBase + k->load_offset;
    bus_.write_bytes(entry, k->bytes.data(), k->bytes.size());

    // The initrd goes halfway into small RAMs and at 128 MiB into larger ones, never over the
    // kernel; the tree follows it on a 2 MiB boundary (early arm64 kernels map it 2 MiB aligned).
    VirtDtbSpec spec{kRamBase, config_.ram_size, false, images.append, std::nullopt, 0, 0, {}};
    virt_dtb_seed(spec, kernel.bytes);
    uint64_t initrd_start = std::max(kRamBase + std::min(config_.ram_size / 2, kInitrdOffsetMax), entry + k->size);
    initrd_start = align_up(initrd_start, kPageSize);
    uint64_t initrd_size = 0;
    if (images.initrd) {
        initrd_size = images.initrd->bytes.size();
        if (initrd_start >= ram_end || initrd_size > ram_end - initrd_start)
            return Error{ExitStatus::BadRecording, images.initrd->name + ": the initrd (" + std::to_string(initrd_size) +
                                                       " bytes) does not fit in RAM after the kernel, from " +
                                                       hex(initrd_start)};
        bus_.write_bytes(initrd_start, images.initrd->bytes.data(), initrd_size);
        spec.initrd_start = initrd_start;
        spec.initrd_end = initrd_start + initrd_size;
    }
    uint64_t dtb_start = align_up(initrd_start + initrd_size, kTwoMiB);
    if (dtb_start >= ram_end)
        return Error{ExitStatus::BadRecording, kernel.name + ": no room for the device tree after the kernel and initrd"};
    Result<std::vector<uint8_t>> tree = make_device_tree(images, spec);
    if (!tree)
        return tree.error();
    if (Result<Done> placed = place_device_tree(std::move(*tree), dtb_start); !placed)
        return placed;
    std::vector<uint8_t> stub = boot_stub(dtb_start, entry);
    bus_.write_bytes(kRamBase, stub.data(), stub.size());
    cpu_.reset(kRamBase);
    return Done{};
}

// Firmware runs in place from flash bank 0 at address 0 (bank 1 is its writable store) and
// finds the tree at the base of RAM, as QEMU's virt gives it to -bios.
Result<Done> VirtMachine::boot_firmware(const BootImages& images)
{
    if (images.kernel)
        return Error{ExitStatus::Usage, "--bios with --kernel: QEMU's virt then hands the kernel to the firmware "
                                        "through fw_cfg, which this board does not have yet"};
    if (images.initrd)
        return Error{ExitStatus::Usage, "--initrd needs --kernel (as QEMU's -initrd)"};
    if (!images.append.empty())
        return Error{ExitStatus::Usage, "--append needs --kernel (as QEMU's -append)"};
    const BootFile& bios = *images.bios;
    if (bios.bytes.empty() || bios.bytes.size() > PflashCfi01::kBankSize)
        return Error{ExitStatus::BadRecording, bios.name + ": " + std::to_string(bios.bytes.size()) +
                                                   " bytes of firmware; flash bank 0 takes 1 byte to 64 MiB"};
    flash_[0] = std::make_unique<PflashCfi01>(bus_, kFlashBase, true, "pflash0");
    flash_[1] = std::make_unique<PflashCfi01>(bus_, kFlashBase + PflashCfi01::kBankSize, false, "pflash1");
    flash_[0]->load(bios.bytes);
    add_device(*flash_[0]);
    add_device(*flash_[1]);
    VirtDtbSpec spec{kRamBase, config_.ram_size, true, "", std::nullopt, 0, 0, {}};
    virt_dtb_seed(spec, bios.bytes);
    Result<std::vector<uint8_t>> tree = make_device_tree(images, spec);
    if (!tree)
        return tree.error();
    if (Result<Done> placed = place_device_tree(std::move(*tree), kRamBase); !placed)
        return placed;
    cpu_.reset(kFlashBase);
    return Done{};
}

}  // namespace emu
