// libFuzzer target for the gdb protocol layer: the input is whatever a peer could send (packets
// good and bad, acks, interrupt bytes, noise), delivered in pieces to a session serving the fake
// debug target, which it steps, continues, reverses and seeks as the packets say. Whatever
// arrives, the session must answer without crashing, hanging or growing without bound, and end
// only by detach, kill or the end of the input.
//
// Input: byte 0 picks the machine (bit 0) and the size of the pieces the bytes arrive in (bits
// 4-7, 1 to 16 bytes); the rest is the byte stream.
#include <cstddef>
#include <cstdint>
#include <string>

#include "debug/gdb_session.h"
#include "support/fake_debug_target.h"

using namespace emu::debug;

namespace {

// Hands out the input in pieces, also while the target runs (so 0x03 and packets can arrive
// mid-resume), and counts what is sent instead of keeping it.
class FuzzTransport : public Transport {
public:
    FuzzTransport(const uint8_t* data, size_t size, size_t piece)
        : data_(reinterpret_cast<const char*>(data)), size_(size), piece_(piece)
    {
    }
    std::string receive() override
    {
        size_t n = std::min(piece_, size_ - at_);
        std::string s(data_ + at_, n);
        at_ += n;
        return s;
    }
    std::string poll(bool&) override { return receive(); }
    void send(std::string_view bytes) override { sent_ += bytes.size(); }

private:
    const char* data_;
    size_t size_;
    size_t piece_;
    size_t at_ = 0;
    size_t sent_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    Arch arch = data[0] & 1 ? Arch::I386 : Arch::AArch64;
    size_t piece = 1 + (data[0] >> 4);
    // Short enough that a continue over the whole recording is cheap; checkpoints often enough
    // that reverse execution crosses several of them.
    emu::test::FakeDebugTarget target(arch, 400, 37);
    FuzzTransport transport(data + 1, size - 1, piece);
    GdbSession session(transport, target);
    session.run();
    return 0;
}
