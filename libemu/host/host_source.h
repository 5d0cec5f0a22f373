// A host back end that produces input for the guest (a file or stdin for a UART today;
// network frames and the like later): what the recording side of the input gate reads from.
// Only the recorder and the recording gate take data from a source; a replay never opens one.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace emu {

class HostSource {
public:
    virtual ~HostSource() = default;
    // Moves up to `max` bytes that are available now into `out`, without blocking. Returns
    // how many.
    virtual size_t take(uint8_t* out, size_t max) = 0;
    // Whether take() would return a byte now.
    virtual bool ready() = 0;
    // True once the end of input has been reached and every byte taken.
    virtual bool exhausted() = 0;
    // Blocks until a byte is ready or the input ends, or for at most `timeout`.
    virtual void wait(std::chrono::milliseconds timeout) = 0;
    // A read error that ended the input early (empty when none).
    virtual std::string error() = 0;
};

}  // namespace emu
