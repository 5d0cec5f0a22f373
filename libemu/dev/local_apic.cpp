#include "dev/local_apic.h"

#include <bit>
#include <string>

#include "core/state_archive.h"

namespace emu {

namespace {

constexpr uint32_t kSvrEnable = 1u << 8;
constexpr uint32_t kLvtMasked = 1u << 16;
constexpr uint32_t kLvtLevel = 1u << 15;
constexpr uint32_t kLvtTimerPeriodic = 1u << 17;
constexpr uint32_t kIcrDeliveryStatus = 1u << 12;
constexpr uint32_t kIcrLogical = 1u << 11;
constexpr uint32_t kIcrLevel = 1u << 15;
constexpr uint8_t kDfrFlat = 0xF;
constexpr uint8_t kDfrCluster = 0x0;
constexpr uint8_t kBroadcast = 0xFF;

// IA32_APIC_BASE bits a write may set: BSP (read-only, ignored), global enable, and the page
// base within a 36-bit physical address space. The rest are reserved (#GP).
constexpr uint64_t kBaseWritable = LocalApic::kBaseBsp | LocalApic::kBaseEnable | 0xFFFFFF000ull;

ApicMessage::Mode mode_of(uint32_t reg) { return static_cast<ApicMessage::Mode>((reg >> 8) & 7); }

}  // namespace

LocalApic::LocalApic(VirtualClock& clock) : clock_(clock)
{
    timer_ = clock_.add_timer([this] { timer_fired(); });
    reset();
}

void LocalApic::reset()
{
    apicbase_ = kDefaultBase | kBaseBsp | kBaseEnable;
    id_ = 0;
    tpr_ = 0;
    svr_ = 0xFF;
    ldr_ = 0;
    dfr_model_ = kDfrFlat;
    isr_ = tmr_ = irr_ = Bits{};
    lvt_.fill(kLvtMasked);
    // QEMU's reset makes the bootstrap processor's LINT0 ExtINT, as firmware would.
    lvt_[kLvtLint0Idx] = static_cast<uint32_t>(ApicMessage::Mode::ExtInt) << 8;
    esr_ = esr_pending_ = 0;
    icr_low_ = icr_high_ = 0;
    divide_ = 0;
    count_shift_ = 0;
    initial_count_ = 0;
    load_ns_ = 0;
    clock_.disarm(timer_);
    update_intr();
}

// --- IA32_APIC_BASE ------------------------------------------------------------------------------

bool LocalApic::write_base_msr(uint64_t value)
{
    if (value & ~kBaseWritable)
        return false;
    PhysAddr old_base = page_base();
    // The page base is 32 bits wide here, as in QEMU; BSP is read-only.
    apicbase_ = (value & 0xFFFFF000u) | (apicbase_ & (kBaseBsp | kBaseEnable));
    // Once disabled, the APIC stays disabled until reset (P6 behaviour, and QEMU's).
    if (!(value & kBaseEnable)) {
        apicbase_ &= ~kBaseEnable;
        svr_ &= ~kSvrEnable;
    }
    if (page_base() != old_base && relocated)
        relocated(old_base, page_base());
    update_intr();
    return true;
}

// --- registers -----------------------------------------------------------------------------------

uint64_t LocalApic::mmio_read(uint64_t offset, unsigned size)
{
    if (size < 4)
        return 0;
    unsigned index = (offset >> 4) & 0xFF;
    switch (index) {
    case kId >> 4: return uint32_t{id_} << 24;
    case kVersionReg >> 4: return kVersion;
    case kTpr >> 4: return tpr_;
    case kApr >> 4: return 0;  // QEMU does not model arbitration priority
    case kPpr >> 4: return ppr();
    case kEoi >> 4: return 0;
    case kLdr >> 4: return uint32_t{ldr_} << 24;
    case kDfr >> 4: return (uint32_t{dfr_model_} << 28) | 0x0FFFFFFF;
    case kSvr >> 4: return svr_;
    case kEsr >> 4: return esr_;
    case kIcrLow >> 4: return icr_low_;
    case kIcrHigh >> 4: return icr_high_;
    case kTimerInitial >> 4: return initial_count_;
    case kTimerCurrent >> 4: return current_count();
    case kTimerDivide >> 4: return divide_;
    default: break;
    }
    if (index >= (kIsr >> 4) && index < (kIsr >> 4) + 8)
        return isr_[index - (kIsr >> 4)];
    if (index >= (kTmr >> 4) && index < (kTmr >> 4) + 8)
        return tmr_[index - (kTmr >> 4)];
    if (index >= (kIrr >> 4) && index < (kIrr >> 4) + 8)
        return irr_[index - (kIrr >> 4)];
    if (index >= (kLvtTimer >> 4) && index < (kLvtTimer >> 4) + kLvtCount)
        return lvt_[index - (kLvtTimer >> 4)];
    signal_error(kEsrIllegalRegister);
    return 0;
}

void LocalApic::mmio_write(uint64_t offset, uint64_t value64, unsigned size)
{
    if (size < 4)
        return;
    uint32_t value = static_cast<uint32_t>(value64);
    unsigned index = (offset >> 4) & 0xFF;
    switch (index) {
    case kId >> 4: id_ = static_cast<uint8_t>(value >> 24); return;
    case kVersionReg >> 4:
    case kApr >> 4:
    case kPpr >> 4:
    case kTimerCurrent >> 4: return;
    case kTpr >> 4:
        tpr_ = static_cast<uint8_t>(value);
        update_intr();
        return;
    case kEoi >> 4: eoi(); return;
    case kLdr >> 4: ldr_ = static_cast<uint8_t>(value >> 24); return;
    case kDfr >> 4: dfr_model_ = static_cast<uint8_t>(value >> 28); return;
    case kSvr >> 4:
        svr_ = value & 0x1FF;
        update_intr();
        return;
    case kEsr >> 4:
        // Write-before-read: a write latches the errors since the last one.
        esr_ = esr_pending_;
        esr_pending_ = 0;
        return;
    case kIcrLow >> 4:
        icr_low_ = value & ~kIcrDeliveryStatus;  // the send is immediate: never busy
        send_ipi();
        return;
    case kIcrHigh >> 4: icr_high_ = value; return;
    case kTimerInitial >> 4:
        initial_count_ = value;
        load_ns_ = clock_.ns();
        update_timer();
        return;
    case kTimerDivide >> 4: {
        divide_ = value & 0xB;
        // Bits 0, 1 and 3 select 2, 4, ..., 128, or 1 for 0b1011.
        unsigned v = (divide_ & 3) | ((divide_ >> 1) & 4);
        count_shift_ = static_cast<uint8_t>((v + 1) & 7);
        update_timer();
        return;
    }
    default: break;
    }
    if (index >= (kIsr >> 4) && index < (kIrr >> 4) + 8)
        return;  // ISR, TMR and IRR are read-only
    if (index >= (kLvtTimer >> 4) && index < (kLvtTimer >> 4) + kLvtCount) {
        Lvt which = static_cast<Lvt>(index - (kLvtTimer >> 4));
        lvt_[which] = value;
        if (which == kLvtTimerIdx)
            update_timer();
        else if (which == kLvtLint0Idx)
            update_intr();
        return;
    }
    signal_error(kEsrIllegalRegister);
}

// --- interrupt state -----------------------------------------------------------------------------

void LocalApic::set_bit(Bits& b, unsigned v, bool on)
{
    if (on)
        b[v / 32] |= 1u << (v % 32);
    else
        b[v / 32] &= ~(1u << (v % 32));
}

int LocalApic::highest(const Bits& b)
{
    for (int i = 7; i >= 0; --i)
        if (b[i])
            return i * 32 + 31 - std::countl_zero(b[i]);
    return -1;
}

bool LocalApic::bypassed() const { return !(apicbase_ & kBaseEnable) || !(svr_ & kSvrEnable); }

bool LocalApic::pic_passes() const
{
    if (!lint0_)
        return false;
    if (bypassed())
        return true;
    uint32_t lvt = lvt_[kLvtLint0Idx];
    return !(lvt & kLvtMasked) && mode_of(lvt) == ApicMessage::Mode::ExtInt;
}

uint8_t LocalApic::ppr() const
{
    int isrv = highest(isr_);
    uint8_t isr_class = static_cast<uint8_t>(isrv < 0 ? 0 : isrv & 0xF0);
    return (tpr_ & 0xF0) >= isr_class ? tpr_ : isr_class;
}

int LocalApic::deliverable() const
{
    if (bypassed())
        return -1;
    int v = highest(irr_);
    if (v < 0 || (v & 0xF0) <= (ppr() & 0xF0))
        return -1;
    return v;
}

void LocalApic::update_intr() { intr.set(pic_passes() || deliverable() >= 0); }

uint8_t LocalApic::acknowledge()
{
    if (pic_passes())
        return pic_acknowledge ? pic_acknowledge() : static_cast<uint8_t>(svr_);
    int v = deliverable();
    if (v < 0)
        return static_cast<uint8_t>(svr_);  // the interrupt went away: the spurious vector
    set_bit(irr_, v, false);
    set_bit(isr_, v, true);
    update_intr();
    return static_cast<uint8_t>(v);
}

void LocalApic::accept(uint8_t vector, bool level_triggered)
{
    if (vector < 16) {
        signal_error(kEsrReceiveIllegalVector);
        return;
    }
    set_bit(irr_, vector, true);
    set_bit(tmr_, vector, level_triggered);
    update_intr();
}

void LocalApic::signal_error(uint32_t esr_bit)
{
    esr_pending_ |= esr_bit;
    uint32_t lvt = lvt_[kLvtErrorIdx];
    // An error LVT with an illegal vector would report itself forever: drop it.
    if (!(lvt & kLvtMasked) && (lvt & 0xFF) >= 16)
        local_deliver(kLvtErrorIdx);
}

void LocalApic::local_deliver(Lvt which)
{
    uint32_t lvt = lvt_[which];
    if (lvt & kLvtMasked)
        return;
    switch (mode_of(lvt)) {
    case ApicMessage::Mode::Fixed:
    case ApicMessage::Mode::LowestPriority: {
        // Only LINT0 and LINT1 can be level-triggered.
        bool level = (which == kLvtLint0Idx || which == kLvtLint1Idx) && (lvt & kLvtLevel);
        accept(static_cast<uint8_t>(lvt), level);
        return;
    }
    case ApicMessage::Mode::Nmi:
        if (nmi)
            nmi();
        return;
    case ApicMessage::Mode::ExtInt: update_intr(); return;
    case ApicMessage::Mode::Smi:
    case ApicMessage::Mode::Init:
    case ApicMessage::Mode::StartUp: return;  // no SMM; INIT and start-up are not local events
    }
}

void LocalApic::set_lint0(bool level)
{
    if (level == lint0_)
        return;
    lint0_ = level;
    uint32_t lvt = lvt_[kLvtLint0Idx];
    if (!bypassed() && !(lvt & kLvtMasked)) {
        if (level) {
            local_deliver(kLvtLint0Idx);
        } else if (mode_of(lvt) == ApicMessage::Mode::Fixed && (lvt & kLvtLevel)) {
            set_bit(irr_, lvt & 0xFF, false);  // a level-triggered request withdrawn before service
        }
    }
    update_intr();
}

void LocalApic::set_lint1(bool level)
{
    bool rising = level && !lint1_;
    lint1_ = level;
    if (rising && !bypassed())
        local_deliver(kLvtLint1Idx);
}

void LocalApic::eoi()
{
    int v = highest(isr_);
    if (v < 0)
        return;
    set_bit(isr_, v, false);
    if (bit(tmr_, v) && eoi_broadcast)
        eoi_broadcast(static_cast<uint8_t>(v));
    update_intr();
}

bool LocalApic::is_destination(uint8_t destination, bool logical) const
{
    if (!logical)
        return destination == kBroadcast || destination == id_;
    if (dfr_model_ == kDfrFlat)
        return (destination & ldr_) != 0;
    if (dfr_model_ == kDfrCluster)
        return (destination & 0xF0) == (ldr_ & 0xF0) && (destination & ldr_ & 0x0F) != 0;
    return false;
}

void LocalApic::receive(const ApicMessage& m)
{
    if (!is_destination(m.destination, m.logical))
        return;
    switch (m.mode) {
    case ApicMessage::Mode::Fixed:
    case ApicMessage::Mode::LowestPriority: accept(m.vector, m.level_triggered); return;
    case ApicMessage::Mode::ExtInt:
        // The 8259 answers the INTA cycle now and the vector is taken as a fixed one, as QEMU's
        // I/O APIC does.
        accept(pic_acknowledge ? pic_acknowledge() : m.vector, m.level_triggered);
        return;
    case ApicMessage::Mode::Nmi:
        if (nmi)
            nmi();
        return;
    case ApicMessage::Mode::Smi:
    case ApicMessage::Mode::Init:
    case ApicMessage::Mode::StartUp: return;  // one CPU: nothing to start or reset
    }
}

// The ICR's destination shorthand: 0 the destination field, 1 self, 2 all including self, 3 all
// excluding self (with one CPU, nobody).
void LocalApic::send_ipi()
{
    ApicMessage m;
    m.vector = static_cast<uint8_t>(icr_low_);
    m.mode = mode_of(icr_low_);
    m.level_triggered = icr_low_ & kIcrLevel;
    m.logical = icr_low_ & kIcrLogical;
    m.destination = static_cast<uint8_t>(icr_high_ >> 24);
    unsigned shorthand = (icr_low_ >> 18) & 3;
    if (shorthand == 3)
        return;
    if (shorthand != 0) {
        m.logical = false;
        m.destination = kBroadcast;
    }
    if ((m.mode == ApicMessage::Mode::Fixed || m.mode == ApicMessage::Mode::LowestPriority) && m.vector < 16) {
        signal_error(kEsrSendIllegalVector);
        return;
    }
    // INIT and start-up IPIs are for other processors, of which there are none; an ExtINT IPI
    // is not a valid message.
    if (m.mode == ApicMessage::Mode::Init || m.mode == ApicMessage::Mode::StartUp || m.mode == ApicMessage::Mode::ExtInt)
        return;
    // Fixed IPIs are edge-triggered whatever the ICR's trigger bit says.
    m.level_triggered = false;
    receive(m);
}

// --- timer ---------------------------------------------------------------------------------------

uint32_t LocalApic::current_count() const
{
    if (initial_count_ == 0)
        return 0;
    uint64_t ticks = (clock_.ns() - load_ns_) >> count_shift_;
    if (lvt_[kLvtTimerIdx] & kLvtTimerPeriodic)
        return static_cast<uint32_t>(initial_count_ - ticks % (uint64_t{initial_count_} + 1));
    return ticks >= initial_count_ ? 0 : static_cast<uint32_t>(initial_count_ - ticks);
}

// The next expiry, as QEMU computes it: the count reaches zero one tick after it reads 1, so a
// period is (initial count + 1) ticks.
void LocalApic::update_timer()
{
    uint32_t lvt = lvt_[kLvtTimerIdx];
    uint64_t period = uint64_t{initial_count_} + 1;
    uint64_t ticks = (clock_.ns() - load_ns_) >> count_shift_;
    uint64_t expiry_ticks;
    if (lvt & kLvtMasked || initial_count_ == 0) {
        clock_.disarm(timer_);
        return;
    }
    if (lvt & kLvtTimerPeriodic) {
        expiry_ticks = (ticks / period + 1) * period;
    } else {
        if (ticks >= initial_count_) {
            clock_.disarm(timer_);
            return;
        }
        expiry_ticks = period;
    }
    clock_.arm(timer_, load_ns_ + (expiry_ticks << count_shift_));
}

void LocalApic::timer_fired()
{
    local_deliver(kLvtTimerIdx);
    update_timer();
}

// --- snapshot ------------------------------------------------------------------------------------

void LocalApic::serialize(StateArchive& a)
{
    a.section("local-apic", 1);
    a.field("apicbase", apicbase_);
    a.field("id", id_);
    a.field("tpr", tpr_);
    a.field("svr", svr_);
    a.field("ldr", ldr_);
    a.field("dfr_model", dfr_model_);
    static const char* const kBanks[] = {"isr", "tmr", "irr"};
    Bits* banks[] = {&isr_, &tmr_, &irr_};
    for (unsigned b = 0; b < 3; ++b)
        for (unsigned i = 0; i < 8; ++i)
            a.field(std::string(kBanks[b]) + std::to_string(i), (*banks[b])[i]);
    static const char* const kLvtNames[] = {"lvt_timer", "lvt_thermal", "lvt_perf", "lvt_lint0", "lvt_lint1", "lvt_error"};
    for (unsigned i = 0; i < kLvtCount; ++i)
        a.field(kLvtNames[i], lvt_[i]);
    a.field("esr", esr_);
    a.field("esr_pending", esr_pending_);
    a.field("icr_low", icr_low_);
    a.field("icr_high", icr_high_);
    a.field("divide", divide_);
    a.field("count_shift", count_shift_);
    a.field("initial_count", initial_count_);
    a.field("load_ns", load_ns_);
    a.field("lint0", lint0_);
    a.field("lint1", lint1_);
    bool level = intr.level();
    a.field("intr", level);
    if (a.loading())
        intr.restore_level(level);
}

}  // namespace emu
