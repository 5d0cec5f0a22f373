#include "dev/arm_generic_timer.h"

#include "core/state_archive.h"
#include "cpu/a64/sysreg_keys.h"

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

bool ArmGenericTimer::read(uint32_t key, uint64_t& value)
{
    using namespace a64::sysreg;
    switch (key) {
    case CNTFRQ_EL0: value = cntfrq_; return true;
    case CNTPCT_EL0:
    case CNTVCT_EL0: value = count(); return true;  // CNTVOFF is 0 without EL2
    case CNTV_CTL_EL0: value = ctl_with_status(virt_); return true;
    case CNTP_CTL_EL0: value = ctl_with_status(phys_); return true;
    case CNTV_CVAL_EL0: value = virt_.cval; return true;
    case CNTP_CVAL_EL0: value = phys_.cval; return true;
    // TVAL reads as the signed 32-bit distance from now to CVAL.
    case CNTV_TVAL_EL0: value = static_cast<uint32_t>(virt_.cval - count()); return true;
    case CNTP_TVAL_EL0: value = static_cast<uint32_t>(phys_.cval - count()); return true;
    default: return false;
    }
}

bool ArmGenericTimer::write(uint32_t key, uint64_t value)
{
    using namespace a64::sysreg;
    Channel* ch = nullptr;
    switch (key) {
    case CNTFRQ_EL0: cntfrq_ = value & 0xFFFFFFFF; return true;
    case CNTV_CTL_EL0: ch = &virt_; ch->ctl = value & (kCtlEnable | kCtlImask); break;
    case CNTP_CTL_EL0: ch = &phys_; ch->ctl = value & (kCtlEnable | kCtlImask); break;
    case CNTV_CVAL_EL0: ch = &virt_; ch->cval = value; break;
    case CNTP_CVAL_EL0: ch = &phys_; ch->cval = value; break;
    case CNTV_TVAL_EL0:
        ch = &virt_;
        ch->cval = count() + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(value)));
        break;
    case CNTP_TVAL_EL0:
        ch = &phys_;
        ch->cval = count() + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(value)));
        break;
    default: return false;
    }
    update(*ch);
    return true;
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
