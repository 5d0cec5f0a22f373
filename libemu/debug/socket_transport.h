// A Transport over a connected TCP socket.
#pragma once

#include "debug/transport.h"

namespace emu::debug {

class SocketTransport : public Transport {
public:
    // Takes ownership of the connected socket `fd`.
    explicit SocketTransport(int fd);
    ~SocketTransport() override;
    SocketTransport(const SocketTransport&) = delete;
    SocketTransport& operator=(const SocketTransport&) = delete;

    std::string receive() override;
    std::string poll(bool& closed) override;
    void send(std::string_view bytes) override;

private:
    int fd_;
};

}  // namespace emu::debug
