// Turns the bytes gdb sends into protocol events: packets (checksum checked, run-length
// encoding expanded), acknowledgements, and the interrupt byte 0x03 that gdb sends instead of
// a packet while the target runs. Bytes may arrive in any pieces; a packet's data is never kept
// beyond kMaxPacketSize, however long the peer makes it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace emu::debug {

// The largest packet we accept (and announce as PacketSize): enough for every register in
// one `g` reply and for qXfer chunks, small enough that a peer cannot make us buffer much.
constexpr size_t kMaxPacketSize = 0x4000;

struct InputEvent {
    enum class Kind {
        Packet,     // data holds the payload
        Ack,        // '+'
        Nak,        // '-': send the last packet again
        Interrupt,  // 0x03
        BadChecksum,
        TooLong,    // longer than kMaxPacketSize; its data was dropped
        BadRunLength,
    };
    Kind kind;
    std::string data;
};

class PacketReader {
public:
    void feed(std::string_view bytes);
    // The next event from the bytes fed so far; nullopt until more bytes complete one.
    std::optional<InputEvent> next();
    // While the target runs gdb sends nothing but 0x03 (and perhaps stray acks). Consumes
    // acks and noise up to the first 0x03 (consumed, true) or packet start (kept, false).
    bool take_interrupt();

private:
    enum class State { Idle, Data, ChecksumHigh, ChecksumLow };

    void start_packet();
    InputEvent finish_packet(char low_digit);

    std::string pending_;
    size_t pos_ = 0;
    State state_ = State::Idle;
    std::string data_;
    bool too_long_ = false;
    char checksum_high_ = 0;
};

}  // namespace emu::debug
