#include "debug/socket_transport.h"

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace emu::debug {

namespace {

constexpr size_t kReadChunk = 4096;

}  // namespace

SocketTransport::SocketTransport(int fd) : fd_(fd) {}

SocketTransport::~SocketTransport()
{
    if (fd_ >= 0)
        ::close(fd_);
}

std::string SocketTransport::receive()
{
    char buf[kReadChunk];
    for (;;) {
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0)
            return std::string(buf, static_cast<size_t>(n));
        if (n < 0 && errno == EINTR)
            continue;
        return {};
    }
}

std::string SocketTransport::poll(bool& closed)
{
    std::string out;
    char buf[kReadChunk];
    for (;;) {
        ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            out.append(buf, static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            closed = true;
        return out;
    }
}

void SocketTransport::send(std::string_view bytes)
{
    while (!bytes.empty()) {
        // MSG_NOSIGNAL: a peer that has gone must not kill the process with SIGPIPE.
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            // The next receive reports the connection closed.
            ::shutdown(fd_, SHUT_RDWR);
            return;
        }
        bytes.remove_prefix(static_cast<size_t>(n));
    }
}

}  // namespace emu::debug
