#include "dev/ioapic.h"

#include <string>

#include "core/state_archive.h"

namespace emu {

namespace {

constexpr uint64_t kIoRegSel = 0x00;
constexpr uint64_t kIoWin = 0x10;
constexpr uint64_t kEoiRegister = 0x40;
constexpr uint64_t kReadOnlyBits = IoApic::kDeliveryStatus | IoApic::kRemoteIrr;

}  // namespace

void IoApic::reset()
{
    regsel_ = 0;
    id_ = 0;
    table_.fill(kMasked);
}

uint64_t IoApic::mmio_read(uint64_t offset, unsigned size)
{
    switch (offset & 0xFF) {
    case kIoRegSel: return regsel_;
    case kIoWin:
        if (size != 4)
            return 0;
        switch (regsel_) {
        case kRegId:
        case kRegArbitration: return uint32_t{id_} << 24;
        case kRegVersion: return ((kPins - 1) << 16) | kVersion;
        default:
            if (regsel_ >= kRegRedirection && regsel_ < kRegRedirection + 2 * kPins) {
                uint64_t e = table_[(regsel_ - kRegRedirection) / 2];
                return static_cast<uint32_t>(regsel_ & 1 ? e >> 32 : e);
            }
            return 0;
        }
    default: return 0;
    }
}

void IoApic::mmio_write(uint64_t offset, uint64_t value, unsigned size)
{
    switch (offset & 0xFF) {
    case kIoRegSel: regsel_ = static_cast<uint32_t>(value) & 0xFF; return;
    case kIoWin:
        if (size != 4)
            return;
        if (regsel_ == kRegId) {
            id_ = (value >> 24) & 0x0F;
            return;
        }
        if (regsel_ >= kRegRedirection && regsel_ < kRegRedirection + 2 * kPins) {
            unsigned pin = (regsel_ - kRegRedirection) / 2;
            uint64_t& e = table_[pin];
            uint64_t keep = e & kReadOnlyBits;
            e = regsel_ & 1 ? (e & 0xFFFFFFFFu) | (value << 32) : (e & ~uint64_t{0xFFFFFFFF}) | (value & 0xFFFFFFFFu);
            e = (e & ~kReadOnlyBits) | keep;
            // Remote IRR means nothing for an edge-triggered entry (Linux clears it by
            // switching the entry to edge and back).
            if (!(e & kLevelTriggered))
                e &= ~kRemoteIrr;
            // A level-triggered entry unmasked while its pin is high sends now.
            if (e & kLevelTriggered)
                service(pin);
        }
        return;
    case kEoiRegister:
        if (size == 4)
            eoi(static_cast<uint8_t>(value));
        return;
    default: return;
    }
}

void IoApic::service(unsigned pin)
{
    uint64_t& e = table_[pin];
    if (e & kMasked)
        return;
    if (e & kLevelTriggered) {
        if (!((levels_ >> pin) & 1) || (e & kRemoteIrr))
            return;
        e |= kRemoteIrr;
    }
    ApicMessage m;
    m.vector = static_cast<uint8_t>(e);
    m.mode = static_cast<ApicMessage::Mode>((e >> 8) & 7);
    m.logical = (e >> 11) & 1;
    m.level_triggered = e & kLevelTriggered;
    m.destination = static_cast<uint8_t>(e >> 56);
    if (deliver)
        deliver(m);
}

void IoApic::set_irq(unsigned pin, bool level)
{
    if (pin >= kPins)
        return;
    bool was = (levels_ >> pin) & 1;
    levels_ = level ? levels_ | (1u << pin) : levels_ & ~(1u << pin);
    if (level && (!was || (table_[pin] & kLevelTriggered)))
        service(pin);
}

void IoApic::eoi(uint8_t vector)
{
    for (unsigned pin = 0; pin < kPins; ++pin) {
        uint64_t& e = table_[pin];
        if ((e & 0xFF) != vector || !(e & kLevelTriggered) || !(e & kRemoteIrr))
            continue;
        e &= ~kRemoteIrr;
        service(pin);
    }
}

void IoApic::serialize(StateArchive& a)
{
    a.section("ioapic", 1);
    a.field("regsel", regsel_);
    a.field("id", id_);
    for (unsigned pin = 0; pin < kPins; ++pin)
        a.field("redirection" + std::to_string(pin), table_[pin]);
    a.field("levels", levels_);
}

}  // namespace emu
