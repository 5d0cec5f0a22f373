#include "machine/virt.h"

#include "core/format.h"

namespace emu {

namespace {

// PSCI function IDs (SMC32/SMC64 calling convention) and return values.
constexpr uint32_t kPsciVersion = 0x84000000;
constexpr uint32_t kPsciCpuOff = 0x84000002;
constexpr uint32_t kPsciCpuOn32 = 0x84000003;
constexpr uint32_t kPsciCpuOn64 = 0xC4000003;
constexpr uint32_t kPsciAffinityInfo32 = 0x84000004;
constexpr uint32_t kPsciAffinityInfo64 = 0xC4000004;
constexpr uint32_t kPsciMigrateInfoType = 0x84000006;
constexpr uint32_t kPsciSystemOff = 0x84000008;
constexpr uint32_t kPsciSystemReset = 0x84000009;
constexpr uint32_t kPsciFeatures = 0x8400000A;
constexpr uint64_t kPsciVersion1_1 = 0x00010001;
constexpr int64_t kPsciSuccess = 0;
constexpr int64_t kPsciNotSupported = -1;
constexpr int64_t kPsciInvalidParameters = -2;
constexpr int64_t kPsciAlreadyOn = -4;
constexpr uint64_t kMigrateNotRequired = 2;

// Semihosting operations (ARM "Semihosting for AArch32 and AArch64").
constexpr uint64_t kSysWritec = 0x03;
constexpr uint64_t kSysWrite0 = 0x04;
constexpr uint64_t kSysExit = 0x18;
constexpr uint64_t kSysExitExtended = 0x20;
constexpr uint64_t kAdpStoppedApplicationExit = 0x20026;

constexpr size_t kMaxGuestString = 1 << 20;

}  // namespace

const char* stop_kind_name(StopKind k)
{
    switch (k) {
    case StopKind::PowerOff: return "poweroff";
    case StopKind::Reset: return "reset";
    case StopKind::GuestExit: return "exit";
    case StopKind::InsnLimit: return "insn-limit";
    case StopKind::Stuck: return "stuck";
    case StopKind::Unsupported: return "unsupported";
    }
    return "?";
}

static Bus& with_ram(Bus& bus, uint64_t size)
{
    bus.add_ram(VirtMachine::kRamBase, size);
    return bus;
}

VirtMachine::VirtMachine(const VirtConfig& config, std::function<void(uint8_t)> serial_out)
    : clock_(config.icount_shift),
      uart_(serial_out),
      timer_(clock_),
      cpu_(with_ram(bus_, config.ram_size), clock_, *this),
      serial_out_(std::move(serial_out))
{
    bus_.add_mmio(kGicDistBase, kGicRegionSize, &gic_.distributor(), "gicv2-dist");
    bus_.add_mmio(kGicCpuBase, kGicRegionSize, &gic_.cpu_interface(), "gicv2-cpu");
    bus_.add_mmio(kUartBase, kUartSize, &uart_, "pl011");
    timer_.virtual_irq.connect([this](bool level) { gic_.set_input(kVirtualTimerPpi, level); });
    timer_.physical_irq.connect([this](bool level) { gic_.set_input(kPhysicalTimerPpi, level); });
    uart_.irq.connect([this](bool level) { gic_.set_input(kUartIrq, level); });
    gic_.irq.connect([this](bool level) { cpu_.set_irq(level); });
    gic_.fiq.connect([this](bool level) { cpu_.set_fiq(level); });
}

Result<Done> VirtMachine::load_kernel(const ElfImage& image)
{
    if (image.machine != ElfMachine::AArch64)
        return Error{ExitStatus::BadRecording, image.path + ": not an AArch64 image; -M virt runs AArch64 guests"};
    Result<Done> loaded = load_elf(image, bus_);
    if (!loaded)
        return loaded;
    cpu_.reset(image.entry);
    return Done{};
}

void VirtMachine::stop(StopKind kind, int exit_code)
{
    stopped_ = true;
    pending_.kind = kind;
    pending_.exit_code = exit_code;
    cpu_.request_stop();
}

RunOutcome VirtMachine::run(uint64_t max_insns)
{
    const uint64_t end = cpu_.icount() + max_insns;
    for (;;) {
        a64::StopReason why = cpu_.run(end - cpu_.icount());
        switch (why) {
        case a64::StopReason::Requested:
            if (stopped_) {
                stopped_ = false;
                RunOutcome out = pending_;
                out.icount = cpu_.icount();
                return out;
            }
            break;
        case a64::StopReason::Budget:
            return RunOutcome{StopKind::InsnLimit, 0, cpu_.icount(), ""};
        case a64::StopReason::Unsupported:
            return RunOutcome{StopKind::Unsupported, 0, cpu_.icount(),
                              cpu_.unsupported() + " (pc " + hex(cpu_.s.pc) + ")"};
        case a64::StopReason::Idle:
            // Nothing retires while the CPU waits: virtual time jumps to the next deadline,
            // whose timer the CPU fires as it resumes.
            if (!clock_.idle_to_next_deadline())
                return RunOutcome{StopKind::Stuck, 0, cpu_.icount(),
                                  "WFI with no timer armed and no input that could wake the CPU (pc " +
                                      hex(cpu_.s.pc) + ")"};
            break;
        }
    }
}

bool VirtMachine::hypervisor_call(a64::Cpu& cpu, bool, uint16_t)
{
    // The PSCI conduit answers both HVC and SMC, as QEMU's virt does for a guest at EL1.
    uint64_t* x = cpu.s.r;
    uint32_t fn = static_cast<uint32_t>(x[0]);
    int64_t ret = kPsciNotSupported;
    switch (fn) {
    case kPsciVersion: ret = kPsciVersion1_1; break;
    case kPsciSystemOff: stop(StopKind::PowerOff); return true;
    case kPsciSystemReset: stop(StopKind::Reset); return true;
    case kPsciCpuOn32:
    case kPsciCpuOn64:
        // One CPU: its MPIDR is 0 and it is running; there is no other CPU to start.
        ret = (x[1] & 0xFF00FFFFFFull) == 0 ? kPsciAlreadyOn : kPsciInvalidParameters;
        break;
    case kPsciAffinityInfo32:
    case kPsciAffinityInfo64: ret = (x[1] & 0xFF00FFFFFFull) == 0 ? 0 : kPsciInvalidParameters; break;
    case kPsciMigrateInfoType: ret = kMigrateNotRequired; break;
    case kPsciCpuOff: stop(StopKind::PowerOff); return true;
    case kPsciFeatures: {
        uint32_t q = static_cast<uint32_t>(x[1]);
        bool known = q == kPsciVersion || q == kPsciCpuOff || q == kPsciCpuOn32 || q == kPsciCpuOn64 ||
                     q == kPsciAffinityInfo32 || q == kPsciAffinityInfo64 || q == kPsciMigrateInfoType ||
                     q == kPsciSystemOff || q == kPsciSystemReset || q == kPsciFeatures;
        ret = known ? kPsciSuccess : kPsciNotSupported;
        break;
    }
    default: break;
    }
    x[0] = static_cast<uint64_t>(ret);
    return true;
}

std::string VirtMachine::read_guest_string(uint64_t addr)
{
    std::string s;
    uint8_t c;
    while (s.size() < kMaxGuestString && bus_.read_bytes(addr + s.size(), &c, 1) && c != 0)
        s.push_back(static_cast<char>(c));
    return s;
}

bool VirtMachine::semihosting_call(a64::Cpu& cpu)
{
    uint64_t* x = cpu.s.r;
    uint64_t op = x[0];
    uint64_t arg = x[1];
    switch (op) {
    case kSysWritec: {
        uint8_t c = 0;
        bus_.read_bytes(arg, &c, 1);
        serial_out_(c);
        return true;
    }
    case kSysWrite0:
        for (char c : read_guest_string(arg))
            serial_out_(static_cast<uint8_t>(c));
        return true;
    case kSysExit:
    case kSysExitExtended: {
        // AArch64 passes a two-word block: the reason, then the exit code.
        uint64_t block[2] = {0, 0};
        if (!bus_.read_bytes(arg, block, sizeof block))
            block[0] = ~uint64_t{0};
        int code = block[0] == kAdpStoppedApplicationExit ? static_cast<int>(block[1]) : 1;
        stop(StopKind::GuestExit, code);
        return true;
    }
    default:
        // Other operations arrive with the record/replay input gate.
        x[0] = ~uint64_t{0};
        return true;
    }
}

bool VirtMachine::timer_read(a64::Cpu&, uint32_t key, uint64_t& value) { return timer_.read(key, value); }

bool VirtMachine::timer_write(a64::Cpu&, uint32_t key, uint64_t value) { return timer_.write(key, value); }

}  // namespace emu
