// The PS/2 keyboard and mouse behind the i8042, as QEMU 7.2's `ps2` devices answer their
// commands. Nothing is typed or moved (there is no input channel for them): the devices only
// answer commands (ACK 0xFA, reset 0xAA, identification, status), so a driver probing them
// finds what it finds under QEMU, and the controller never reports data that is not there.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace emu {

class StateArchive;

// Bytes a device has for the controller, oldest first; at most 16, as QEMU's queue.
class Ps2Queue {
public:
    static constexpr unsigned kCapacity = 16;
    bool empty() const { return count_ == 0; }
    void push(uint8_t b);
    uint8_t pop();
    void clear() { head_ = count_ = 0; }
    void serialize(StateArchive& a, std::string_view prefix);

private:
    std::array<uint8_t, kCapacity> data_{};
    uint8_t head_ = 0, count_ = 0;
};

class Ps2Keyboard {
public:
    // Power-on: scanning enabled, scan code set 2, no translation, LEDs off.
    void reset();
    // A byte from the host: a command, or the parameter of the one before. Any replies not yet
    // read are dropped first (there are no keystrokes to keep).
    void write(uint8_t byte);
    // The controller's translation to set 1 (command byte bit 6) changes what the
    // identification and scan code set queries report.
    void set_translation(bool on) { translate_ = on; }
    // Scanning on, as an enable command (0xF4) leaves it.
    void set_scanning(bool on) { scan_enabled_ = on; }
    bool has_data() const { return !queue_.empty(); }
    uint8_t read() { return queue_.pop(); }
    void serialize(StateArchive& a);

private:
    void reset_state();

    Ps2Queue queue_;
    int16_t pending_command_ = -1;  // a command waiting for its parameter
    bool scan_enabled_ = true;
    bool translate_ = false;
    uint8_t scancode_set_ = 2;
    uint8_t leds_ = 0;
};

class Ps2Mouse {
public:
    // Power-on: stream mode, disabled, rate and resolution 0 until a reset or defaults command.
    void reset();
    void write(uint8_t byte);
    bool has_data() const { return !queue_.empty(); }
    uint8_t read() { return queue_.pop(); }
    void serialize(StateArchive& a);

private:
    void send_packet();

    Ps2Queue queue_;
    int16_t pending_command_ = -1;
    uint8_t status_ = 0;  // remote mode 0x40, enabled 0x20, 2:1 scaling 0x10
    uint8_t resolution_ = 0;
    uint8_t sample_rate_ = 0;
    bool wrap_ = false;
    uint8_t type_ = 0;          // 0 PS/2, 3 IntelliMouse, 4 IntelliMouse Explorer
    uint8_t detect_state_ = 0;  // progress through the sample-rate knock that selects the type
};

}  // namespace emu
