// rr-replay's gdb server: listens on a TCP port (loopback only unless allowed otherwise, since
// whoever connects can read the whole recording), accepts one gdb connection and serves it
// until gdb detaches, kills or disconnects.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "debug/debug_target.h"
#include "debug/gdb_session.h"

namespace emu::debug {

enum class RemoteAccess { LoopbackOnly, Allowed };

struct ListenAddress {
    std::string host = "127.0.0.1";  // IPv4 dotted quad or "localhost"
    uint16_t port = 0;               // 0: a free port the system picks (see GdbServer::port)
};

// "PORT" (on 127.0.0.1) or "HOST:PORT".
Result<ListenAddress> parse_listen_address(std::string_view text);

class GdbServer {
public:
    static Result<GdbServer> listen(const ListenAddress& address, RemoteAccess access);
    GdbServer(GdbServer&& other) noexcept;
    GdbServer& operator=(GdbServer&&) = delete;
    ~GdbServer();

    // The port listened on (the chosen one when asked for port 0).
    uint16_t port() const { return port_; }
    // Waits for gdb to connect, stops listening, and serves that one connection.
    Result<SessionEnd> serve(DebugTarget& target);

private:
    GdbServer(int fd, uint16_t port) : fd_(fd), port_(port) {}
    int fd_;
    uint16_t port_;
};

}  // namespace emu::debug
