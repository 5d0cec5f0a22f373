#include "machine/pc.h"

#include <initializer_list>

#include "machine/multiboot.h"

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
    io_.add(I8042::kDataPort, 1, &kbc_, "i8042-data");
    io_.add(I8042::kCommandPort, 1, &kbc_, "i8042-command");
    for (Component* d : std::initializer_list<Component*>{&pic_, &pit_, &port61_, &rtc_, &uart_, &debug_exit_, &port92_, &kbc_})
        add_device(*d);
    add_input(InputKind::Serial, 0, uart_);

    rtc_.init_pc_cmos(config.ram_size);
    pit_.irq.connect([this](bool level) { pic_.set_irq(0, level); });
    kbc_.kbd_irq.connect([this](bool level) { pic_.set_irq(1, level); });
    uart_.irq.connect([this](bool level) { pic_.set_irq(kCom1Irq, level); });
    rtc_.irq.connect([this](bool level) { pic_.set_irq(8, level); });
    kbc_.mouse_irq.connect([this](bool level) { pic_.set_irq(12, level); });
    pic_.intr.connect([this](bool level) { cpu_.set_intr(level); });
    cpu_.acknowledge = [this] { return static_cast<uint8_t>(pic_.acknowledge()); };
    uart_.rx_starved = [this] { input_starved(); };
    port92_.reset_request = [this] { stop(StopKind::Reset); };
    kbc_.reset_request = [this] { stop(StopKind::Reset); };
}

Result<Done> PcMachine::load_kernel(const ElfImage& image)
{
    if (image.machine != ElfMachine::I386)
        return Error{ExitStatus::BadRecording, image.path + ": not an i386 image; -M pc runs i386 Multiboot kernels"};
    Result<MultibootBoot> boot = load_multiboot(image, bus_, config_.ram_size, config_.kernel_command_line);
    if (!boot)
        return boot.error();
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
