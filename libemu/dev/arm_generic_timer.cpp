#include "dev/arm_generic_timer.h"

#include "core/state_archive.h"

namespace emu {

namespace {

constexpr uint64_t kCtlEnable = 1u << 0;
constexpr uint64_t kCtlImask = 1u << 1;
constexpr uint64_t kCtlIstatus = 1u << 2;

}  // namespace

ArmGenericTimer::ArmGenericTimer(VirtualClock& clock) : clock_(clock)
{
    virt_.irq = &virtual_irq;
    phys_.irq = &physical_irq;
    virt_.timer = clock_.add_timer([this] { update(virt_); });
    phys_.timer = clock_.add_timer([this] { update(phys_); });
}

uint64_t ArmGenericTimer::ctl_with_status(const Channel& ch) const
{
    bool fired = (ch.ctl & kCtlEnable) && count() >= ch.cval;
    return (ch.ctl & (kCtlEnable | kCtlImask)) | (fired ? kCtlIstatus : 0);
}

void ArmGenericTimer::update(Channel& ch)
{
    uint64_t ctl = ctl_with_status(ch);
    ch.irq->set((ctl & kCtlIstatus) && !(ctl & kCtlImask));
    if ((ch.ctl & kCtlEnable) && !(ctl & kCtlIstatus)) {
        // Wake at the first tick at which the count reaches CVAL.
        uint64_t ns = ch.cval > VirtualClock::kNever / kTickNs ? VirtualClock::kNever : ch.cval * kTickNs;
        clock_.arm(ch.timer, ns);
    } else {
        clock_.disarm(ch.timer);
    }
}

uint64_t ArmGenericTimer::read(Reg reg)
{
    switch (reg) {
    case Reg::Frequency: return cntfrq_;
    case Reg::PhysicalCount:
    case Reg::VirtualCount: return count();  // CNTVOFF is 0 without EL2
    case Reg::VirtualControl: return ctl_with_status(virt_);
    case Reg::PhysicalControl: return ctl_with_status(phys_);
    case Reg::VirtualCompare: return virt_.cval;
    case Reg::PhysicalCompare: return phys_.cval;
    // TVAL reads as the signed 32-bit distance from now to CVAL.
    case Reg::VirtualTimerValue: return static_cast<uint32_t>(virt_.cval - count());
    case Reg::PhysicalTimerValue: return static_cast<uint32_t>(phys_.cval - count());
    }
    return 0;
}

void ArmGenericTimer::write(Reg reg, uint64_t value)
{
    auto from_now = [&](uint64_t tval) {
        return count() + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(tval)));
    };
    Channel* ch = nullptr;
    switch (reg) {
    case Reg::Frequency: cntfrq_ = value & 0xFFFFFFFF; return;
    case Reg::PhysicalCount:
    case Reg::VirtualCount: return;
    case Reg::VirtualControl: ch = &virt_; ch->ctl = value & (kCtlEnable | kCtlImask); break;
    case Reg::PhysicalControl: ch = &phys_; ch->ctl = value & (kCtlEnable | kCtlImask); break;
    case Reg::VirtualCompare: ch = &virt_; ch->cval = value; break;
    case Reg::PhysicalCompare: ch = &phys_; ch->cval = value; break;
    case Reg::VirtualTimerValue: ch = &virt_; ch->cval = from_now(value); break;
    case Reg::PhysicalTimerValue: ch = &phys_; ch->cval = from_now(value); break;
    }
    update(*ch);
}

void ArmGenericTimer::serialize(StateArchive& a)
{
    a.section("arm_generic_timer", 1);
    a.field("cntfrq", cntfrq_);
    auto channel = [&](Channel& ch, const char* ctl, const char* cval, const char* irq) {
        a.field(ctl, ch.ctl);
        a.field(cval, ch.cval);
        bool level = ch.irq->level();
        a.field(irq, level);
        if (a.loading())
            ch.irq->restore_level(level);
    };
    channel(virt_, "cntv_ctl", "cntv_cval", "virtual_irq");
    channel(phys_, "cntp_ctl", "cntp_cval", "physical_irq");
}


}  // namespace emu
