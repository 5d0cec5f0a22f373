#include "debug/packet_reader.h"

#include "debug/hex.h"
#include "debug/packet_codec.h"

namespace emu::debug {

void PacketReader::feed(std::string_view bytes)
{
    // Drop what has been consumed once it is most of the buffer, so the buffer stays small.
    if (pos_ > 0 && pos_ * 2 >= pending_.size()) {
        pending_.erase(0, pos_);
        pos_ = 0;
    }
    pending_ += bytes;
}

void PacketReader::start_packet()
{
    state_ = State::Data;
    data_.clear();
    too_long_ = false;
}

std::optional<InputEvent> PacketReader::next()
{
    while (pos_ < pending_.size()) {
        char c = pending_[pos_++];
        switch (state_) {
        case State::Idle:
            if (c == '$')
                start_packet();
            else if (c == '+')
                return InputEvent{InputEvent::Kind::Ack, {}};
            else if (c == '-')
                return InputEvent{InputEvent::Kind::Nak, {}};
            else if (c == '\x03')
                return InputEvent{InputEvent::Kind::Interrupt, {}};
            break;  // anything else between packets is line noise
        case State::Data:
            if (c == '#')
                state_ = State::ChecksumHigh;
            else if (c == '$')
                start_packet();  // a new packet inside an unfinished one: gdb restarted
            else if (data_.size() < kMaxPacketSize)
                data_.push_back(c);
            else
                too_long_ = true;
            break;
        case State::ChecksumHigh:
            checksum_high_ = c;
            state_ = State::ChecksumLow;
            break;
        case State::ChecksumLow:
            state_ = State::Idle;
            return finish_packet(c);
        }
    }
    return std::nullopt;
}

InputEvent PacketReader::finish_packet(char low_digit)
{
    // The checksum covers every byte between '$' and '#', so a packet cut short by the size
    // limit cannot be checked; it is refused for its length instead.
    if (too_long_)
        return {InputEvent::Kind::TooLong, {}};
    const char digits[2] = {checksum_high_, low_digit};
    std::optional<std::vector<uint8_t>> sent = from_hex(std::string_view(digits, 2));
    if (!sent || (*sent)[0] != checksum(data_))
        return {InputEvent::Kind::BadChecksum, {}};
    std::optional<std::string> expanded = rle_decode(data_, kMaxPacketSize);
    if (!expanded)
        return {InputEvent::Kind::BadRunLength, {}};
    return {InputEvent::Kind::Packet, std::move(*expanded)};
}

bool PacketReader::take_interrupt()
{
    if (state_ != State::Idle)
        return false;
    while (pos_ < pending_.size()) {
        char c = pending_[pos_];
        if (c == '$')
            return false;
        ++pos_;
        if (c == '\x03')
            return true;
    }
    return false;
}

}  // namespace emu::debug
