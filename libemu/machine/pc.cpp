#include "machine/pc.h"

#include <initializer_list>

#include "machine/kernel_format.h"
#include "machine/linux_x86.h"
#include "machine/multiboot.h"
#include "machine/pc_firmware_tables.h"

namespace emu {

namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;

const std::vector<std::string> kRegisterNames = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                                                 "eip", "eflags", "cs", "ss", "ds", "es", "fs", "gs",
                                                 "cr0", "cr2", "cr3", "cr4"};

}  // namespace

PcMachine::PcMachine(const MachineConfig& config, InputGate& gate, std::function<void(uint8_t)> serial_out)
    : Board(config, "pc", 0, std::move(serial_out)),
      pit_(clock_),
      port61_(pit_),
      rtc_(clock_, static_cast<int64_t>(gate.host_clock_ns(HostClock::Realtime, 0) / kNsPerSecond)),
      uart_(clock_, kCom1, [this](uint8_t b) { emit(b); }),
      debug_exit_(kDebugExitPort, 4, [this](int code) { stop(StopKind::GuestExit, code); }),
      apic_(config.machine != "isapc"),
      lapic_(clock_),
      fw_cfg_(bus_),
      acpi_pm_(clock_),
      cpu_(bus_, io_, clock_)
{
    io_.add(0x20, 2, &pic_, "pic-master");
    io_.add(0xA0, 2, &pic_, "pic-slave");
    io_.add(0x4D0, 2, &pic_, "elcr");
    io_.add(0x40, 4, &pit_, "pit");
    io_.add(SystemControlB::kPort, 1, &port61_, "port61");
    io_.add(0x70, 2, &rtc_, "rtc");
    io_.add(kCom1, Uart16550::kPortCount, &uart_, "com1");
    io_.add(kDebugExitPort, 4, &debug_exit_, "isa-debug-exit");
    io_.add(0x92, 1, &port92_, "port92");
    io_.add(FpuErrorPort::kPort, 1, &fpu_error_, "fpu-error");
    io_.add(I8042::kDataPort, 1, &kbc_, "i8042-data");
    io_.add(I8042::kCommandPort, 1, &kbc_, "i8042-command");
    io_.add(FwCfg::kPortSelector, 2, &fw_cfg_, "fw_cfg");
    io_.add(FwCfg::kPortDma, 8, &fw_cfg_, "fw_cfg-dma");
    if (apic_)  // the ACPI hardware the FADT describes; `isapc` has no ACPI
        io_.add(AcpiPm::kBase, AcpiPm::kPortCount, &acpi_pm_, "acpi-pm");
    for (Component* d : std::initializer_list<Component*>{&pic_, &pit_, &port61_, &rtc_, &uart_, &debug_exit_, &port92_,
                                                          &fpu_error_, &kbc_, &lapic_, &ioapic_, &fw_cfg_, &acpi_pm_})
        add_device(*d);
    if (apic_) {
        pci_ = std::make_unique<PcPci>(bus_, clock_, config.virtio.drives, config.virtio.net,
                                       [this](unsigned irq, bool level) { isa_irq(irq, level); });
        pci_->add_ports(io_);
        for (Component* c : pci_->components())
            add_device(*c);
        pci_->ide().irq[0].connect([this](bool level) { isa_irq(PiixIde::kPrimaryIrq, level); });
        pci_->ide().irq[1].connect([this](bool level) { isa_irq(PiixIde::kSecondaryIrq, level); });
        pci_->host().reset_request = [this] { stop(StopKind::Reset); };
        if (Rtl8139* nic = pci_->nic()) {
            nic->transmit = [this](std::span<const uint8_t> frame) { emit_frame(frame); };
            nic->rx_room = [this] { input_starved(); };
            add_input(InputKind::NetFrame, 0, *nic);
        }
    }
    add_input(InputKind::Serial, 0, uart_);
    add_fw_cfg_items();

    rtc_.init_pc_cmos(config.ram_size);
    pit_.irq.connect([this](bool level) { isa_irq(0, level); });
    kbc_.kbd_irq.connect([this](bool level) { isa_irq(1, level); });
    uart_.irq.connect([this](bool level) { isa_irq(kCom1Irq, level); });
    rtc_.irq.connect([this](bool level) { isa_irq(8, level); });
    kbc_.mouse_irq.connect([this](bool level) { isa_irq(12, level); });
    fpu_error_.irq = [this](bool level) { isa_irq(13, level); };
    fpu_error_.assert_ignne = [this] { cpu_.assert_ignne(); };
    cpu_.fpu_error = [this](bool level) { fpu_error_.set_ferr(level); };
    if (apic_) {
        wire_apic();
    } else {
        pic_.intr.connect([this](bool level) { cpu_.set_intr(level); });
        cpu_.acknowledge = [this] { return static_cast<uint8_t>(pic_.acknowledge()); };
    }
    uart_.rx_starved = [this] { input_starved(); };
    port92_.reset_request = [this] { stop(StopKind::Reset); };
    kbc_.reset_request = [this] { stop(StopKind::Reset); };
    acpi_pm_.power_off = [this] { stop(StopKind::PowerOff); };
}

// The 8259's INTR enters through LINT0; the CPU's INTR and INTA cycle are the local APIC's,
// which passes the 8259 through while it is disabled.
void PcMachine::wire_apic()
{
    bus_.add_mmio(lapic_.page_base(), LocalApic::kPageSize, &lapic_, "local-apic");
    bus_.add_mmio(IoApic::kDefaultBase, IoApic::kPageSize, &ioapic_, "ioapic");
    pic_.intr.connect([this](bool level) { lapic_.set_lint0(level); });
    lapic_.intr.connect([this](bool level) { cpu_.set_intr(level); });
    lapic_.nmi = [this] { cpu_.raise_nmi(); };
    lapic_.pic_acknowledge = [this] { return static_cast<uint8_t>(pic_.acknowledge()); };
    lapic_.eoi_broadcast = [this](uint8_t vector) { ioapic_.eoi(vector); };
    lapic_.relocated = [this](PhysAddr, PhysAddr to) { bus_.move_mmio(&lapic_, to); };
    ioapic_.deliver = [this](const ApicMessage& m) { lapic_.receive(m); };
    cpu_.acknowledge = [this] { return lapic_.acknowledge(); };
    cpu_.has_apic = [this] { return lapic_.globally_enabled(); };
    cpu_.read_msr = [this](uint32_t msr, uint64_t& value) {
        if (msr != LocalApic::kMsrApicBase)
            return false;
        value = lapic_.base_msr();
        return true;
    };
    cpu_.write_msr = [this](uint32_t msr, uint64_t value) {
        return msr == LocalApic::kMsrApicBase && lapic_.write_base_msr(value);
    };
}

void PcMachine::restored()
{
    // The APIC's register page follows IA32_APIC_BASE, which the snapshot may have moved.
    if (apic_)
        bus_.move_mmio(&lapic_, lapic_.page_base());
}

void PcMachine::isa_irq(unsigned irq, bool level)
{
    pic_.set_irq(irq, level);
    if (apic_)
        ioapic_.set_irq(irq == 0 ? 2 : irq, level);
}

// What QEMU 7.2's fw_cfg holds for `-M pc -m <ram> -display none` with a Multiboot -kernel,
// as far as a guest without QEMU's firmware uses it: the CPU counts, the RAM size and map, the
// flags, and the small files. QEMU's ACPI, SMBIOS and option ROM files are not here.
void PcMachine::add_fw_cfg_items()
{
    fw_cfg_.add(FwCfg::kUuid, std::vector<uint8_t>(16, 0));
    fw_cfg_.add_u64(FwCfg::kRamSize, config_.ram_size);
    fw_cfg_.add_u16(FwCfg::kNoGraphic, 0);  // -display none leaves graphics "enabled"
    fw_cfg_.add_u16(FwCfg::kNbCpus, 1);
    fw_cfg_.add_u16(FwCfg::kMaxCpus, 1);
    fw_cfg_.add_u16(FwCfg::kBootMenu, 0);
    // No NUMA nodes: the node count, then the node of each possible CPU.
    fw_cfg_.add(FwCfg::kNuma, std::vector<uint8_t>(16, 0));
    fw_cfg_.add_u32(FwCfg::kIrq0Override, 1);  // as QEMU without KVM, with or without an I/O APIC
    // One E820 entry: address, length (64-bit) and type 1 (RAM).
    std::vector<uint8_t> e820(20, 0);
    for (unsigned i = 0; i < 8; ++i)
        e820[8 + i] = static_cast<uint8_t>(config_.ram_size >> (8 * i));
    e820[16] = 1;
    fw_cfg_.add_file("etc/e820", std::move(e820));
    fw_cfg_.add_file("etc/boot-fail-wait", {0xFF, 0xFF, 0xFF, 0xFF});  // no reboot timeout
    fw_cfg_.add_file("bios-geometry", {});
    // QEMU boots a Multiboot -kernel through its option ROM, which its boot order names.
    const std::string boot_rom = "/rom@genroms/multiboot_dma.bin";
    std::vector<uint8_t> bootorder(boot_rom.begin(), boot_rom.end());
    bootorder.push_back(0);
    fw_cfg_.add_file("bootorder", std::move(bootorder));
}

void PcMachine::firmware_handover()
{
    if (!apic_)
        return;
    install_pc_firmware_tables(bus_);
    // SeaBIOS makes the IRQs it routes PCI interrupts to (pc_pci.h) level triggered.
    uint8_t pci_irqs = 0;
    for (uint8_t irq : PcPci::kSeaBiosPirqIrqs)
        pci_irqs |= static_cast<uint8_t>(1 << (irq - 8));
    pic_.port_write(I8259Pair::kElcrBase + 1, pci_irqs, 1);
    // SeaBIOS software-enables the local APIC and programs LINT0 as ExtINT and LINT1 as NMI,
    // level-triggered, before it sends INIT and start-up IPIs to the other processors.
    lapic_.write_register(LocalApic::kSvr, lapic_.read_register(LocalApic::kSvr) | 0x100);
    lapic_.write_register(LocalApic::kLvtLint0, 0x8700);
    lapic_.write_register(LocalApic::kLvtLint1, 0x8400);
    lapic_.write_register(LocalApic::kIcrLow, 0x000C4500);
    lapic_.write_register(LocalApic::kIcrLow, 0x000C4610);
}

Result<Done> PcMachine::boot(const BootImages& images)
{
    if (images.dtb)
        return Error{ExitStatus::Usage, "--dtb: -M pc has no device tree"};
    if (images.bios)
        return Error{ExitStatus::Usage, "--bios: -M pc starts its kernel without firmware"};
    if (!images.kernel)
        return Error{ExitStatus::Usage, "-M pc needs --kernel"};
    const BootFile& kernel = *images.kernel;

    // QEMU's order: a Linux setup header first, then a Multiboot header.
    if (is_linux_bzimage(kernel.bytes)) {
        if (!images.modules.empty())
            return Error{ExitStatus::Usage, "--module: " + kernel.name +
                                                " is a Linux bzImage, which takes one --initrd and no Multiboot modules"};
        Result<LinuxX86Boot> linux = load_linux_x86(kernel, images.initrd, images.append, bus_, config_.ram_size);
        if (!linux)
            return linux.error();
        firmware_handover();
        cpu_.reset_flat(linux->entry);
        x86::State& s = cpu_.s;
        s.gdtr.base = LinuxX86Layout::kGdt;
        s.gdtr.limit = LinuxX86Layout::kGdtLimit;
        for (unsigned i = 0; i < x86::kNumSegs; ++i)
            s.seg[i].selector = i == x86::kCs ? LinuxX86Layout::kBootCs : LinuxX86Layout::kBootDs;
        s.r[x86::kEsi] = LinuxX86Layout::kBootParams;
        return Done{};
    }
    std::optional<MultibootHeader> header = find_multiboot_header(kernel.bytes);
    if (!header)
        return Error{ExitStatus::BadRecording,
                     kernel.name + ": " + describe_kernel_format(kernel.bytes) +
                         " with neither a Linux setup header (\"HdrS\" at 0x202) nor a Multiboot header in its first "
                         "8 KiB; -M pc boots Linux bzImages and Multiboot kernels (ELF or a.out kludge)"};
    std::vector<BootModule> modules;
    if (images.initrd)
        modules.push_back({*images.initrd, images.initrd->name});
    modules.insert(modules.end(), images.modules.begin(), images.modules.end());
    Result<MultibootBoot> boot = load_multiboot(kernel, *header, modules, images.append, bus_, config_.ram_size);
    if (!boot)
        return boot.error();
    firmware_handover();
    cpu_.reset_flat(boot->entry);
    cpu_.s.r[x86::kEax] = 0x2BADB002;
    cpu_.s.r[x86::kEbx] = boot->info_addr;
    return Done{};
}

const std::vector<std::string>& PcMachine::register_names() const { return kRegisterNames; }

std::vector<uint64_t> PcMachine::register_values() const
{
    const x86::State& s = cpu_.s;
    std::vector<uint64_t> v(s.r, s.r + 8);
    v.push_back(s.eip);
    v.push_back(s.eflags);
    for (x86::SegReg g : {x86::kCs, x86::kSs, x86::kDs, x86::kEs, x86::kFs, x86::kGs})
        v.push_back(s.seg[g].selector);
    for (uint32_t cr : {s.cr0, s.cr2, s.cr3, s.cr4})
        v.push_back(cr);
    return v;
}

}  // namespace emu
