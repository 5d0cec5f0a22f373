// The byte stream a gdb session runs over: a TCP connection in rr-replay, a buffer in the tests
// and the fuzzer.
#pragma once

#include <string>
#include <string_view>

namespace emu::debug {

class Transport {
public:
    virtual ~Transport() = default;
    // Waits for bytes; empty when the peer has closed the connection (or it failed).
    virtual std::string receive() = 0;
    // The bytes that have arrived, without waiting; sets `closed` if the peer has gone.
    virtual std::string poll(bool& closed) = 0;
    // Sends all of `bytes`; a failure shows up as a closed connection at the next receive.
    virtual void send(std::string_view bytes) = 0;
};

}  // namespace emu::debug
