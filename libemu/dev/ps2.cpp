#include "dev/ps2.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/state_archive.h"

namespace emu {

namespace {

constexpr uint8_t kAck = 0xFA;
constexpr uint8_t kResend = 0xFE;
constexpr uint8_t kSelfTestPassed = 0xAA;

// Keyboard commands.
constexpr uint8_t kKbdSetLeds = 0xED, kKbdEcho = 0xEE, kKbdScanCodeSet = 0xF0, kKbdIdentify = 0xF2,
                  kKbdTypematicRate = 0xF3, kKbdEnable = 0xF4, kKbdResetDisable = 0xF5, kKbdResetEnable = 0xF6,
                  kKbdSetTypematic = 0xFA, kKbdSetMakeBreak = 0xFC, kKbdReset = 0xFF;
// With translation on, the set number is reported as the set 1 code of its set 2 code.
constexpr uint8_t kTranslatedSetNumber[4] = {0xFF, 0x43, 0x41, 0x3F};

// Mouse commands.
constexpr uint8_t kMouseScale11 = 0xE6, kMouseScale21 = 0xE7, kMouseResolution = 0xE8, kMouseStatus = 0xE9,
                  kMouseStream = 0xEA, kMousePoll = 0xEB, kMouseResetWrap = 0xEC, kMouseWrap = 0xEE,
                  kMouseRemote = 0xF0, kMouseIdentify = 0xF2, kMouseSampleRate = 0xF3, kMouseEnable = 0xF4,
                  kMouseDisable = 0xF5, kMouseDefaults = 0xF6, kMouseReset = 0xFF;
constexpr uint8_t kMouseStatusRemote = 0x40, kMouseStatusEnabled = 0x20, kMouseStatusScale21 = 0x10;

}  // namespace

void Ps2Queue::push(uint8_t b)
{
    if (count_ == kCapacity)
        return;  // a full queue drops what comes, as QEMU's does
    data_[(head_ + count_) % kCapacity] = b;
    count_++;
}

uint8_t Ps2Queue::pop()
{
    uint8_t b = data_[head_];
    head_ = static_cast<uint8_t>((head_ + 1) % kCapacity);
    count_--;
    return b;
}

void Ps2Queue::serialize(StateArchive& a, std::string_view prefix)
{
    std::string p(prefix);
    std::vector<uint8_t> bytes(data_.begin(), data_.end());
    a.blob(p + "queue", bytes);
    a.field(p + "head", head_);
    a.field(p + "count", count_);
    if (a.loading()) {
        if (bytes.size() != kCapacity || head_ >= kCapacity || count_ > kCapacity) {
            a.fail(p + "queue does not fit " + std::to_string(kCapacity) + " bytes");
            clear();
            return;
        }
        std::copy(bytes.begin(), bytes.end(), data_.begin());
    }
}

// --- keyboard ------------------------------------------------------------------------------------

void Ps2Keyboard::reset()
{
    queue_.clear();
    pending_command_ = -1;
    translate_ = false;
    reset_state();
}

void Ps2Keyboard::reset_state()
{
    scan_enabled_ = true;
    scancode_set_ = 2;
    leds_ = 0;
    queue_.clear();
}

void Ps2Keyboard::write(uint8_t byte)
{
    queue_.clear();  // a new command replaces replies not yet read
    if (pending_command_ >= 0) {
        uint8_t command = static_cast<uint8_t>(pending_command_);
        pending_command_ = -1;
        switch (command) {
        case kKbdScanCodeSet:
            if (byte == 0) {
                queue_.push(kAck);
                queue_.push(translate_ ? kTranslatedSetNumber[scancode_set_] : scancode_set_);
            } else if (byte <= 3) {
                scancode_set_ = byte;
                queue_.push(kAck);
            } else {
                queue_.push(kResend);
            }
            return;
        case kKbdSetLeds: leds_ = byte; [[fallthrough]];
        default: queue_.push(kAck); return;  // typematic rate, make/break mode
        }
    }
    switch (byte) {
    case 0x00: queue_.push(kAck); return;
    case 0x05: queue_.push(kResend); return;
    case kKbdIdentify:
        queue_.push(kAck);
        queue_.push(0xAB);  // an MF2 keyboard
        queue_.push(translate_ ? 0x41 : 0x83);
        return;
    case kKbdEcho: queue_.push(kKbdEcho); return;
    case kKbdEnable:
        scan_enabled_ = true;
        queue_.push(kAck);
        return;
    case kKbdScanCodeSet:
    case kKbdSetLeds:
    case kKbdTypematicRate:
    case kKbdSetMakeBreak:
        pending_command_ = byte;
        queue_.push(kAck);
        return;
    case kKbdResetDisable:
    case kKbdResetEnable:
        reset_state();
        scan_enabled_ = byte == kKbdResetEnable;
        queue_.push(kAck);
        return;
    case kKbdReset:
        reset_state();
        queue_.push(kAck);
        queue_.push(kSelfTestPassed);
        return;
    case kKbdSetTypematic: queue_.push(kAck); return;
    default: queue_.push(kResend); return;
    }
}

void Ps2Keyboard::serialize(StateArchive& a)
{
    a.section("ps2-keyboard", 1);
    queue_.serialize(a, "");
    a.field("pending_command", pending_command_);
    a.field("scan_enabled", scan_enabled_);
    a.field("translate", translate_);
    a.field("scancode_set", scancode_set_);
    a.field("leds", leds_);
    if (a.loading() && (scancode_set_ < 1 || scancode_set_ > 3)) {
        a.fail("ps2-keyboard: scan code set " + std::to_string(scancode_set_));
        scancode_set_ = 2;
    }
}

// --- mouse ---------------------------------------------------------------------------------------

void Ps2Mouse::reset()
{
    queue_.clear();
    pending_command_ = -1;
    status_ = resolution_ = sample_rate_ = 0;
    wrap_ = false;
    type_ = detect_state_ = 0;
}

// A movement report with nothing moved and no button down.
void Ps2Mouse::send_packet()
{
    unsigned bytes = type_ ? 4 : 3;
    if (Ps2Queue::kCapacity < bytes)
        return;
    queue_.push(0x08);  // bit 3 is always set
    for (unsigned i = 1; i < bytes; ++i)
        queue_.push(0);
}

void Ps2Mouse::write(uint8_t byte)
{
    if (pending_command_ >= 0) {
        uint8_t command = static_cast<uint8_t>(pending_command_);
        pending_command_ = -1;
        if (command == kMouseSampleRate) {
            sample_rate_ = byte;
            // 200, 100, 80 selects the IntelliMouse; 200, 200, 80 the IntelliMouse Explorer.
            switch (detect_state_) {
            case 0: detect_state_ = byte == 200 ? 1 : 0; break;
            case 1: detect_state_ = byte == 100 ? 2 : byte == 200 ? 3 : 0; break;
            case 2:
                if (byte == 80)
                    type_ = 3;
                detect_state_ = 0;
                break;
            default:
                if (byte == 80)
                    type_ = 4;
                detect_state_ = 0;
                break;
            }
        } else {
            resolution_ = byte;
        }
        queue_.push(kAck);
        return;
    }
    if (wrap_) {
        if (byte == kMouseResetWrap) {
            wrap_ = false;
            queue_.push(kAck);
            return;
        }
        if (byte != kMouseReset) {
            queue_.push(byte);  // wrap mode echoes
            return;
        }
    }
    switch (byte) {
    case kMouseScale11: status_ &= ~kMouseStatusScale21; break;
    case kMouseScale21: status_ |= kMouseStatusScale21; break;
    case kMouseStream: status_ &= ~kMouseStatusRemote; break;
    case kMouseWrap: wrap_ = true; break;
    case kMouseRemote: status_ |= kMouseStatusRemote; break;
    case kMouseIdentify:
        queue_.push(kAck);
        queue_.push(type_);
        return;
    case kMouseResolution:
    case kMouseSampleRate: pending_command_ = byte; break;
    case kMouseStatus:
        queue_.push(kAck);
        queue_.push(status_);
        queue_.push(resolution_);
        queue_.push(sample_rate_);
        return;
    case kMousePoll:
        queue_.push(kAck);
        send_packet();
        return;
    case kMouseEnable: status_ |= kMouseStatusEnabled; break;
    case kMouseDisable: status_ &= ~kMouseStatusEnabled; break;
    case kMouseDefaults:
        sample_rate_ = 100;
        resolution_ = 2;
        status_ = 0;
        break;
    case kMouseReset:
        sample_rate_ = 100;
        resolution_ = 2;
        status_ = 0;
        type_ = 0;
        queue_.clear();
        queue_.push(kAck);
        queue_.push(kSelfTestPassed);
        queue_.push(type_);
        return;
    default: return;  // QEMU's mouse ignores other bytes
    }
    queue_.push(kAck);
}

void Ps2Mouse::serialize(StateArchive& a)
{
    a.section("ps2-mouse", 1);
    queue_.serialize(a, "");
    a.field("pending_command", pending_command_);
    a.field("status", status_);
    a.field("resolution", resolution_);
    a.field("sample_rate", sample_rate_);
    a.field("wrap", wrap_);
    a.field("type", type_);
    a.field("detect_state", detect_state_);
}

}  // namespace emu
