#include "debug/gdb_server.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "debug/socket_transport.h"

namespace emu::debug {

namespace {

Error usage(std::string message)
{
    return {ExitStatus::Usage, std::move(message)};
}

Error system_error(const std::string& what)
{
    return {ExitStatus::IoError, "gdb server: " + what + ": " + std::strerror(errno)};
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text)
{
    ListenAddress a;
    std::string_view port = text;
    size_t colon = text.rfind(':');
    if (colon != std::string_view::npos) {
        a.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
    }
    if (port.empty() || port.size() > 5)
        return usage("gdb address '" + std::string(text) + "': expected PORT or HOST:PORT");
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9')
            return usage("gdb address '" + std::string(text) + "': the port must be decimal digits");
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535)
        return usage("gdb address '" + std::string(text) + "': the port must be at most 65535");
    a.port = static_cast<uint16_t>(value);
    return a;
}

Result<GdbServer> GdbServer::listen(const ListenAddress& address, RemoteAccess access)
{
    std::string host = address.host == "localhost" ? "127.0.0.1" : address.host;
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(address.port);
    if (::inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1)
        return usage("gdb server: '" + address.host + "' is not an IPv4 address");
    bool loopback = (ntohl(sa.sin_addr.s_addr) >> 24) == 127;
    if (!loopback && access == RemoteAccess::LoopbackOnly)
        return usage("gdb server: refusing to listen on " + address.host +
                     ", which is not a loopback address: whoever connects can read the whole recording");

    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return system_error("socket");
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 1) != 0) {
        Error e = system_error("listening on " + address.host + ":" + std::to_string(address.port));
        ::close(fd);
        return e;
    }
    socklen_t len = sizeof sa;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
        Error e = system_error("getsockname");
        ::close(fd);
        return e;
    }
    return GdbServer(fd, ntohs(sa.sin_port));
}

GdbServer::GdbServer(GdbServer&& other) noexcept : fd_(other.fd_), port_(other.port_)
{
    other.fd_ = -1;
}

GdbServer::~GdbServer()
{
    if (fd_ >= 0)
        ::close(fd_);
}

Result<SessionEnd> GdbServer::serve(DebugTarget& target)
{
    int conn;
    do {
        conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    } while (conn < 0 && errno == EINTR);
    if (conn < 0)
        return system_error("accept");
    // One connection per session: nobody else gets in while gdb is connected.
    ::close(fd_);
    fd_ = -1;
    // Packets are small and each waits for an answer: send them at once.
    int one = 1;
    ::setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SocketTransport transport(conn);
    GdbSession session(transport, target);
    return session.run();
}

}  // namespace emu::debug
