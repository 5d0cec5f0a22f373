#include "dev/pl031.h"

#include "core/state_archive.h"

namespace emu {

namespace {

enum Reg : uint64_t {
    DR = 0x00,
    MR = 0x04,
    LR = 0x08,
    CR = 0x0C,
    IMSC = 0x10,
    RIS = 0x14,
    MIS = 0x18,
    ICR = 0x1C,
};

constexpr uint64_t kNsPerSecond = 1'000'000'000;

// PrimeCell identification registers at 0xFE0..0xFFC, one byte each.
constexpr uint8_t kId[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

}  // namespace

Pl031::Pl031(VirtualClock& clock, uint32_t start_seconds) : clock_(clock)
{
    timer_ = clock_.add_timer([this] { match(); });
    set_start(start_seconds);
}

void Pl031::set_start(uint32_t seconds)
{
    tick_offset_ = seconds - static_cast<uint32_t>(clock_.ns() / kNsPerSecond);
}

uint32_t Pl031::count() const
{
    return tick_offset_ + static_cast<uint32_t>(clock_.ns() / kNsPerSecond);
}

void Pl031::match()
{
    ris_ = 1;
    update_irq();
}

// As QEMU: the distance to the match is taken modulo 2^32, so a match in the past is ~136 years
// away rather than immediate; only a match equal to the count fires at once. The alarm is now
// plus whole seconds, not the next second boundary, so it fires up to a second after DR == MR.
void Pl031::set_alarm()
{
    uint32_t ticks = mr_ - count();
    if (ticks == 0) {
        clock_.disarm(timer_);
        match();
        return;
    }
    uint64_t now = clock_.ns();
    uint64_t deadline = now + uint64_t{ticks} * kNsPerSecond;
    clock_.arm(timer_, deadline < now ? VirtualClock::kNever : deadline);
}

uint32_t Pl031::read32(uint64_t offset)
{
    if (offset >= 0xFE0 && offset < 0x1000)
        return kId[(offset - 0xFE0) >> 2];
    switch (offset) {
    case DR: return count();
    case MR: return mr_;
    case LR: return lr_;
    case CR: return 1;  // always started: a write cannot stop it
    case IMSC: return imsc_;
    case RIS: return ris_;
    case MIS: return ris_ & imsc_;
    default: return 0;  // ICR is write-only
    }
}

void Pl031::write32(uint64_t offset, uint32_t value)
{
    switch (offset) {
    case LR:
        lr_ = value;
        tick_offset_ += value - count();
        set_alarm();
        break;
    case MR:
        mr_ = value;
        set_alarm();
        break;
    case IMSC:
        // Masking changes only the output; the alarm keeps running.
        imsc_ = value & 1;
        update_irq();
        break;
    case ICR:
        ris_ &= ~value;
        update_irq();
        break;
    default: break;  // CR, the read-only registers and unknown offsets ignore writes
    }
}

// QEMU implements this device with 4-byte accesses: a narrower read sees the low bytes of the
// register at that exact offset, an 8-byte access is two 4-byte ones.
uint64_t Pl031::mmio_read(uint64_t offset, unsigned size)
{
    if (size == 8) {
        uint64_t low = read32(offset);
        return low | uint64_t{read32(offset + 4)} << 32;
    }
    uint32_t v = read32(offset);
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

void Pl031::mmio_write(uint64_t offset, uint64_t value, unsigned size)
{
    write32(offset, static_cast<uint32_t>(value));
    if (size == 8)
        write32(offset + 4, static_cast<uint32_t>(value >> 32));
}

void Pl031::serialize(StateArchive& a)
{
    a.section("pl031", 1);
    a.field("tick_offset", tick_offset_);
    a.field("mr", mr_);
    a.field("lr", lr_);
    a.field("imsc", imsc_);
    a.field("ris", ris_);
    bool level = irq.level();
    a.field("irq", level);
    if (a.loading())
        irq.restore_level(level);
}


}  // namespace emu
