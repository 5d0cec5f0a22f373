#include "machine/virt.h"

#include "core/format.h"
#include "cpu/a64/sysreg_keys.h"

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
constexpr uint64_t kSysOpen = 0x01;
constexpr uint64_t kSysClose = 0x02;
constexpr uint64_t kSysWritec = 0x03;
constexpr uint64_t kSysWrite0 = 0x04;
constexpr uint64_t kSysWrite = 0x05;
constexpr uint64_t kSysReadc = 0x07;
constexpr uint64_t kSysIsTty = 0x09;
constexpr uint64_t kSysClock = 0x10;
constexpr uint64_t kSysTime = 0x11;
constexpr uint64_t kSysErrno = 0x13;
constexpr uint64_t kSysExit = 0x18;
constexpr uint64_t kSysExitExtended = 0x20;
constexpr uint64_t kSysElapsed = 0x30;
constexpr uint64_t kSysTickFreq = 0x31;
constexpr uint64_t kAdpStoppedApplicationExit = 0x20026;
// Console handles SYS_OPEN(":tt") hands out, by mode: read, write, append (stderr).
constexpr int64_t kConsoleIn = 1;
constexpr int64_t kConsoleOut = 2;
constexpr int64_t kConsoleErr = 3;
constexpr int64_t kEbadf = 9;
constexpr int64_t kEnoent = 2;
constexpr uint64_t kElapsedTicksPerSecond = 1'000'000'000;  // SYS_ELAPSED counts nanoseconds

constexpr size_t kMaxGuestString = 1 << 20;
constexpr uint64_t kNsPerSecond = 1'000'000'000;

const std::vector<std::string> kRegisterNames = [] {
    std::vector<std::string> names;
    for (int i = 0; i <= 30; ++i)
        names.push_back(std::string(1, 'x').append(std::to_string(i)));  // not "x" + ...: GCC 12 -Wrestrict
    for (const char* n : {"sp", "pc", "pstate", "nzcv", "sp_el0", "elr_el1", "spsr_el1", "esr_el1", "far_el1", "vbar_el1",
                          "sctlr_el1", "tpidr_el0", "tpidr_el1"})
        names.emplace_back(n);
    return names;
}();

}  // namespace

VirtMachine::VirtMachine(const MachineConfig& config, InputGate& gate, std::function<void(uint8_t)> serial_out)
    : Board(config, "virt", kRamBase, std::move(serial_out)),
      gate_(gate),
      uart_([this](uint8_t b) { emit(b); }),
      rtc_(clock_, static_cast<uint32_t>(gate.host_clock_ns(HostClock::Realtime, 0) / kNsPerSecond)),
      timer_(clock_),
      cpu_(bus_, clock_, *this),
      virtio_(config.virtio, VirtioSlots::Wiring{bus_, clock_, gate,
                                                 [this](unsigned spi, bool level) { gic_.set_input(Gicv2::kFirstSpi + spi, level); },
                                                 [this](std::span<const uint8_t> frame) { emit_frame(frame); },
                                                 [this] { input_starved(); }})
{
    bus_.add_mmio(kGicDistBase, kGicRegionSize, &gic_.distributor(), "gicv2-dist");
    bus_.add_mmio(kGicCpuBase, kGicRegionSize, &gic_.cpu_interface(), "gicv2-cpu");
    bus_.add_mmio(kUartBase, kDeviceSize, &uart_, "pl011");
    bus_.add_mmio(kRtcBase, kDeviceSize, &rtc_, "pl031");
    add_device(gic_);
    add_device(uart_);
    add_device(rtc_);
    add_device(timer_);
    add_input(InputKind::Serial, 0, uart_);
    for (Component* c : virtio_.components())
        add_device(*c);
    if (VirtioNet* net = virtio_.net())
        add_input(InputKind::NetFrame, 0, *net);
    timer_.virtual_irq.connect([this](bool level) { gic_.set_input(kVirtualTimerPpi, level); });
    timer_.physical_irq.connect([this](bool level) { gic_.set_input(kPhysicalTimerPpi, level); });
    uart_.irq.connect([this](bool level) { gic_.set_input(kUartIrq, level); });
    rtc_.irq.connect([this](bool level) { gic_.set_input(kRtcIrq, level); });
    uart_.rx_starved = [this] { input_starved(); };
    gic_.irq.connect([this](bool level) { cpu_.set_irq(level); });
    gic_.fiq.connect([this](bool level) { cpu_.set_fiq(level); });
}

const DiskOverlay* VirtMachine::drive(size_t i) const
{
    const std::vector<VirtioBlk*>& drives = virtio_.drives();
    return i < drives.size() ? &drives[i]->disk() : nullptr;
}

const std::vector<std::string>& VirtMachine::register_names() const { return kRegisterNames; }

std::vector<uint64_t> VirtMachine::register_values() const
{
    const a64::State& s = cpu_.s;
    std::vector<uint64_t> v(s.r, s.r + 31);
    for (uint64_t x : {s.r[a64::kSp], s.pc, cpu_.pstate_to_spsr(), uint64_t{s.nzcv}, s.sp_el0(), s.sys.elr_el1,
                       s.sys.spsr_el1, s.sys.esr_el1, s.sys.far_el1, s.sys.vbar_el1, s.sys.sctlr_el1, s.sys.tpidr_el0,
                       s.sys.tpidr_el1})
        v.push_back(x);
    return v;
}

void VirtMachine::serialize_board(StateArchive& a) { a.field("semihosting_errno", semihosting_errno_); }

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

// Semihosting passes virtual addresses: guest memory is read through the CPU's translation.
std::string VirtMachine::read_guest_string(uint64_t addr)
{
    std::string s;
    uint8_t c;
    while (s.size() < kMaxGuestString && cpu_.read_virtual(addr + s.size(), &c, 1) && c != 0)
        s.push_back(static_cast<char>(c));
    return s;
}

// SYS_OPEN: only the console (":tt") exists on this host; the mode picks the handle.
int64_t VirtMachine::semihosting_open(uint64_t block)
{
    uint64_t args[3];  // name, mode, name length
    if (!cpu_.read_virtual(block, args, sizeof args))
        return -1;
    if (read_guest_string(args[0]) != ":tt") {
        semihosting_errno_ = kEnoent;
        return -1;
    }
    return args[1] < 4 ? kConsoleIn : args[1] < 8 ? kConsoleOut : kConsoleErr;
}

// SYS_WRITE: returns the number of bytes not written.
int64_t VirtMachine::semihosting_write(uint64_t block)
{
    uint64_t args[3];  // handle, buffer, length
    if (!cpu_.read_virtual(block, args, sizeof args))
        return -1;
    if (args[0] != kConsoleOut && args[0] != kConsoleErr) {
        semihosting_errno_ = kEbadf;
        return static_cast<int64_t>(args[2]);
    }
    for (uint64_t i = 0; i < args[2]; ++i) {
        uint8_t c;
        if (!cpu_.read_virtual(args[1] + i, &c, 1))
            return static_cast<int64_t>(args[2] - i);
        emit(c);
    }
    return 0;
}

bool VirtMachine::semihosting_call(a64::Cpu& cpu)
{
    uint64_t* x = cpu.s.r;
    uint64_t op = x[0];
    uint64_t arg = x[1];
    // The CPU has published the trapping instruction's icount: inputs are stamped with it.
    uint64_t icount = clock_.icount();
    int64_t ret = 0;
    switch (op) {
    case kSysWritec: {
        uint8_t c = 0;
        cpu_.read_virtual(arg, &c, 1);
        emit(c);
        return true;  // x0 is preserved
    }
    case kSysWrite0:
        for (char c : read_guest_string(arg))
            emit(static_cast<uint8_t>(c));
        return true;
    case kSysExit:
    case kSysExitExtended: {
        // AArch64 passes a two-word block: the reason, then the exit code.
        uint64_t block[2] = {0, 0};
        if (!cpu_.read_virtual(arg, block, sizeof block))
            block[0] = ~uint64_t{0};
        int code = block[0] == kAdpStoppedApplicationExit ? static_cast<int>(block[1]) : 1;
        stop(StopKind::GuestExit, code);
        return true;
    }
    case kSysOpen: ret = semihosting_open(arg); break;
    case kSysClose: ret = 0; break;
    case kSysIsTty: {
        uint64_t handle = 0;
        cpu_.read_virtual(arg, &handle, sizeof handle);
        ret = handle >= kConsoleIn && handle <= kConsoleErr;
        break;
    }
    case kSysWrite: ret = semihosting_write(arg); break;
    case kSysReadc: ret = gate_.console_byte(icount); break;
    case kSysClock:
        // Centiseconds since the recording started.
        ret = static_cast<int64_t>(gate_.host_clock_ns(HostClock::Monotonic, icount) / 10'000'000);
        break;
    case kSysTime: ret = static_cast<int64_t>(gate_.host_clock_ns(HostClock::Realtime, icount) / kNsPerSecond); break;
    case kSysElapsed: {
        uint64_t ticks = gate_.host_clock_ns(HostClock::Monotonic, icount);
        ret = cpu_.write_virtual(arg, &ticks, sizeof ticks) ? 0 : -1;
        break;
    }
    case kSysTickFreq: ret = kElapsedTicksPerSecond; break;
    case kSysErrno: ret = semihosting_errno_; break;
    default: ret = -1; break;
    }
    x[0] = static_cast<uint64_t>(ret);
    return true;
}

namespace {

// The generic timer's system registers, as the timer device names them.
std::optional<ArmGenericTimer::Reg> timer_register(uint32_t key)
{
    using namespace a64::sysreg;
    using Reg = ArmGenericTimer::Reg;
    switch (key) {
    case CNTFRQ_EL0: return Reg::Frequency;
    case CNTPCT_EL0: return Reg::PhysicalCount;
    case CNTVCT_EL0: return Reg::VirtualCount;
    case CNTP_TVAL_EL0: return Reg::PhysicalTimerValue;
    case CNTP_CTL_EL0: return Reg::PhysicalControl;
    case CNTP_CVAL_EL0: return Reg::PhysicalCompare;
    case CNTV_TVAL_EL0: return Reg::VirtualTimerValue;
    case CNTV_CTL_EL0: return Reg::VirtualControl;
    case CNTV_CVAL_EL0: return Reg::VirtualCompare;
    default: return std::nullopt;
    }
}

}  // namespace

bool VirtMachine::timer_read(a64::Cpu&, uint32_t key, uint64_t& value)
{
    std::optional<ArmGenericTimer::Reg> reg = timer_register(key);
    if (reg)
        value = timer_.read(*reg);
    return reg.has_value();
}

bool VirtMachine::timer_write(a64::Cpu&, uint32_t key, uint64_t value)
{
    std::optional<ArmGenericTimer::Reg> reg = timer_register(key);
    if (reg)
        timer_.write(*reg, value);
    return reg.has_value();
}

}  // namespace emu
