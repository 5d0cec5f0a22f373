// The gdb server over real loopback sockets: where it agrees to listen, one connection per
// session, Ctrl-C reaching a running target, and how a session ends.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <cstdio>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "debug/gdb_server.h"
#include "support/fake_debug_target.h"

using namespace emu;
using namespace emu::debug;
using emu::test::FakeDebugTarget;

namespace {

// A minimal gdb: connects, sends framed packets, reads replies (acks skipped). Every read has a
// timeout so that a server that never answers fails the test instead of hanging it.
class Client {
public:
    explicit Client(uint16_t port)
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
        timeval tv{10, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~Client() { close(); }
    bool connected() const { return connected_; }
    void close()
    {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }
    void send_raw(const std::string& bytes) { ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
    void send(const std::string& data)
    {
        unsigned sum = 0;
        for (char c : data)
            sum += static_cast<uint8_t>(c);
        char cs[3];
        std::snprintf(cs, sizeof cs, "%02x", sum & 0xff);
        send_raw("$" + data + "#" + cs);
    }
    // The next packet's data ("" on timeout or close, with `ok` false).
    std::string reply(bool* ok = nullptr)
    {
        std::string data;
        bool in_packet = false;
        for (;;) {
            char c;
            if (::recv(fd_, &c, 1, 0) != 1) {
                if (ok)
                    *ok = false;
                return {};
            }
            if (!in_packet) {
                in_packet = c == '$';
                continue;
            }
            if (c == '#') {
                char cs[2];
                ::recv(fd_, cs, 2, MSG_WAITALL);
                if (ok)
                    *ok = true;
                return data;
            }
            data.push_back(c);
        }
    }

private:
    int fd_ = -1;
    bool connected_ = false;
};

}  // namespace

TEST_CASE("gdb server: listen addresses", "[gdb]")
{
    Result<ListenAddress> a = parse_listen_address("1234");
    REQUIRE(a.ok());
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 1234);
    Result<ListenAddress> b = parse_listen_address("127.0.0.5:0");
    REQUIRE(b.ok());
    CHECK(b->host == "127.0.0.5");
    CHECK(b->port == 0);
    for (const char* bad : {"", "x", "65536", "1234x", "host:", "123456"}) {
        INFO(bad);
        Result<ListenAddress> r = parse_listen_address(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().status == ExitStatus::Usage);
    }
}

TEST_CASE("gdb server: loopback only unless allowed, port 0 picks a free port", "[gdb]")
{
    for (const char* host : {"0.0.0.0", "192.0.2.1", "10.0.0.1"}) {
        INFO(host);
        Result<GdbServer> s = GdbServer::listen({host, 0}, RemoteAccess::LoopbackOnly);
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().status == ExitStatus::Usage);
        CHECK(s.error().message.find("not a loopback address") != std::string::npos);
    }
    Result<GdbServer> not_ipv4 = GdbServer::listen({"example.org", 0}, RemoteAccess::LoopbackOnly);
    REQUIRE_FALSE(not_ipv4.ok());
    CHECK(not_ipv4.error().status == ExitStatus::Usage);
    // Allowed, a non-loopback address gets as far as binding (192.0.2.1 is a documentation
    // address no host has, so nothing is exposed).
    Result<GdbServer> allowed = GdbServer::listen({"192.0.2.1", 0}, RemoteAccess::Allowed);
    REQUIRE_FALSE(allowed.ok());
    CHECK(allowed.error().status == ExitStatus::IoError);

    Result<GdbServer> one = GdbServer::listen({"localhost", 0}, RemoteAccess::LoopbackOnly);
    Result<GdbServer> two = GdbServer::listen({"127.0.0.1", 0}, RemoteAccess::LoopbackOnly);
    REQUIRE(one.ok());
    REQUIRE(two.ok());
    CHECK(one->port() != 0);
    CHECK(one->port() != two->port());
    Result<GdbServer> taken = GdbServer::listen({"127.0.0.1", one->port()}, RemoteAccess::LoopbackOnly);
    CHECK_FALSE(taken.ok());
}

TEST_CASE("gdb server: one connection, Ctrl-C while running, detach", "[gdb]")
{
    FakeDebugTarget target(Arch::I386, 20'000'000, 2'000'000);
    Result<GdbServer> server = GdbServer::listen({"127.0.0.1", 0}, RemoteAccess::LoopbackOnly);
    REQUIRE(server.ok());
    uint16_t port = server->port();
    std::optional<Result<SessionEnd>> end;
    std::thread serving([&] { end.emplace(server->serve(target)); });

    Client gdb(port);
    REQUIRE(gdb.connected());
    gdb.send("qC");  // answered once the session runs: the listener is closed by then
    CHECK(gdb.reply() == "QC1");
    Client intruder(port);
    CHECK_FALSE(intruder.connected());

    gdb.send("QStartNoAckMode");
    CHECK(gdb.reply() == "OK");
    gdb.send("vCont;c");
    gdb.send_raw("\x03");
    std::string stop = gdb.reply();
    CHECK(stop.starts_with("T02thread:1;"));
    CHECK(target.icount() < 20'000'000);
    gdb.send("D");
    CHECK(gdb.reply() == "OK");
    serving.join();
    REQUIRE(end);
    REQUIRE(end->ok());
    CHECK(**end == SessionEnd::Detached);
}

TEST_CASE("gdb server: gdb going away while the target runs ends the session", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64, 20'000'000, 2'000'000);
    Result<GdbServer> server = GdbServer::listen({"127.0.0.1", 0}, RemoteAccess::LoopbackOnly);
    REQUIRE(server.ok());
    std::optional<Result<SessionEnd>> end;
    std::thread serving([&] { end.emplace(server->serve(target)); });
    {
        Client gdb(server->port());
        REQUIRE(gdb.connected());
        gdb.send("c");
    }
    serving.join();
    REQUIRE(end);
    REQUIRE(end->ok());
    CHECK(**end == SessionEnd::Disconnected);
    CHECK(target.icount() < 20'000'000);  // stopped when the connection closed, not at the end
}
