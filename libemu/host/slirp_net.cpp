#include "host/slirp_net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <libslirp.h>

#include <algorithm>
#include <cstring>
#include <list>

#include "host/host_clock.h"

namespace emu {

namespace {

in_addr ipv4(const char* text)
{
    in_addr a{};
    inet_pton(AF_INET, text, &a);
    return a;
}

bool parse_port(const std::string& s, uint16_t& port)
{
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos)
        return false;
    unsigned long v = std::stoul(s);
    port = static_cast<uint16_t>(v);
    return v > 0 && v < 65536;
}

bool valid_ipv4(const std::string& s)
{
    in_addr a{};
    return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

// "tcp:127.0.0.1:8080-:80" or "udp::5000-10.0.2.15:5000".
bool parse_forward(const std::string& text, NetdevSpec::Forward& f)
{
    size_t dash = text.find('-');
    if (dash == std::string::npos)
        return false;
    std::string host = text.substr(0, dash), guest = text.substr(dash + 1);
    size_t c1 = host.find(':'), c2 = host.rfind(':');
    if (c1 == std::string::npos || c1 == c2)
        return false;
    std::string proto = host.substr(0, c1), haddr = host.substr(c1 + 1, c2 - c1 - 1);
    if (proto != "tcp" && proto != "udp")
        return false;
    f.udp = proto == "udp";
    if (!haddr.empty())
        f.host_addr = haddr;
    size_t gc = guest.find(':');
    if (gc == std::string::npos)
        return false;
    if (gc != 0)
        f.guest_addr = guest.substr(0, gc);
    return valid_ipv4(f.host_addr) && valid_ipv4(f.guest_addr) && parse_port(host.substr(c2 + 1), f.host_port) &&
           parse_port(guest.substr(gc + 1), f.guest_port);
}

}  // namespace

Result<NetdevSpec> parse_netdev_spec(const std::string& text)
{
    auto bad = [&](const std::string& why) { return Error{ExitStatus::Usage, "--netdev " + text + ": " + why}; };
    std::vector<std::string> items;
    for (size_t start = 0; start <= text.size();) {
        size_t comma = text.find(',', start);
        items.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    }
    if (items.empty() || items[0] != "user")
        return bad("only user networking is supported (--netdev user[,...])");
    NetdevSpec spec;
    for (size_t i = 1; i < items.size(); ++i) {
        const std::string& item = items[i];
        if (item.rfind("hostfwd=", 0) == 0) {
            NetdevSpec::Forward f;
            if (!parse_forward(item.substr(8), f))
                return bad("malformed '" + item + "' (hostfwd=tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT)");
            spec.forwards.push_back(f);
        } else if (item == "restrict=on" || item == "restrict=yes" || item == "restrict") {
            spec.restrict = true;
        } else if (item == "restrict=off" || item == "restrict=no") {
            spec.restrict = false;
        } else {
            return bad("unknown '" + item + "' (takes hostfwd=... and restrict=on|off)");
        }
    }
    return spec;
}

// A slirp timer: fires its callback once host time passes its expiry (ms on slirp's clock).
struct SlirpNet::Timer {
    SlirpTimerCb cb;
    void* cb_opaque;
    int64_t expire_ms = -1;
};

// What lives on the slirp thread: slirp itself, its timers and the poll set it fills.
struct SlirpNet::Loop {
    SlirpNet* owner = nullptr;
    Slirp* slirp = nullptr;
    std::list<Timer> timers;
    std::vector<pollfd> fds;
    uint64_t origin_ns = host_monotonic_ns();

    int64_t now_ns() const { return static_cast<int64_t>(host_monotonic_ns() - origin_ns); }
};

namespace {

SlirpNet::Loop& loop_of(void* opaque) { return *static_cast<SlirpNet::Loop*>(opaque); }

}  // namespace

Result<std::unique_ptr<SlirpNet>> SlirpNet::open(const NetdevSpec& spec)
{
    std::unique_ptr<SlirpNet> net(new SlirpNet);
    net->loop_ = std::make_unique<Loop>();
    net->loop_->owner = net.get();
    if (::pipe2(net->wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
        return Error{ExitStatus::IoError, std::string("--netdev: cannot create a pipe: ") + std::strerror(errno)};

    static const SlirpCb callbacks = [] {
        SlirpCb cb{};
        cb.send_packet = [](const void* buf, size_t len, void* opaque) -> ssize_t {
            SlirpNet& net = *loop_of(opaque).owner;
            std::lock_guard<std::mutex> lock(net.mutex_);
            const uint8_t* p = static_cast<const uint8_t*>(buf);
            net.to_guest_.emplace_back(p, p + len);
            net.arrived_.notify_all();
            return static_cast<ssize_t>(len);
        };
        cb.guest_error = [](const char*, void*) {};  // a malformed guest packet: slirp drops it
        cb.clock_get_ns = [](void* opaque) -> int64_t { return loop_of(opaque).now_ns(); };
        cb.timer_new = [](SlirpTimerCb fn, void* cb_opaque, void* opaque) -> void* {
            return &loop_of(opaque).timers.emplace_back(Timer{fn, cb_opaque, -1});
        };
        cb.timer_free = [](void* timer, void* opaque) {
            loop_of(opaque).timers.remove_if([timer](const Timer& t) { return &t == timer; });
        };
        cb.timer_mod = [](void* timer, int64_t expire_ms, void*) { static_cast<Timer*>(timer)->expire_ms = expire_ms; };
        cb.register_poll_fd = [](int, void*) {};
        cb.unregister_poll_fd = [](int, void*) {};
        cb.notify = [](void* opaque) {
            char c = 0;
            [[maybe_unused]] ssize_t n = ::write(loop_of(opaque).owner->wake_pipe_[1], &c, 1);
        };
        return cb;
    }();

    SlirpConfig cfg{};
    cfg.version = 1;
    cfg.restricted = spec.restrict;
    cfg.in_enabled = true;
    cfg.vnetwork = ipv4("10.0.2.0");
    cfg.vnetmask = ipv4("255.255.255.0");
    cfg.vhost = ipv4("10.0.2.2");
    cfg.vdhcp_start = ipv4("10.0.2.15");
    cfg.vnameserver = ipv4("10.0.2.3");
    cfg.in6_enabled = false;
    net->loop_->slirp = slirp_new(&cfg, &callbacks, net->loop_.get());
    if (!net->loop_->slirp)
        return Error{ExitStatus::IoError, "--netdev user: libslirp did not start"};
    for (const NetdevSpec::Forward& f : spec.forwards) {
        if (slirp_add_hostfwd(net->loop_->slirp, f.udp, ipv4(f.host_addr.c_str()), f.host_port,
                              ipv4(f.guest_addr.c_str()), f.guest_port) < 0)
            return Error{ExitStatus::IoError, "--netdev user: cannot forward host port " + f.host_addr + ":" +
                                                  std::to_string(f.host_port) + " (in use?)"};
    }
    net->thread_ = std::thread([n = net.get()] { n->run(); });
    return net;
}

SlirpNet::~SlirpNet()
{
    if (thread_.joinable()) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        char c = 0;
        [[maybe_unused]] ssize_t n = ::write(wake_pipe_[1], &c, 1);
        thread_.join();
    }
    if (loop_ && loop_->slirp)
        slirp_cleanup(loop_->slirp);
    for (int fd : wake_pipe_)
        if (fd >= 0)
            ::close(fd);
}

void SlirpNet::run()
{
    Loop& l = *loop_;
    constexpr uint32_t kMaxWaitMs = 100;
    for (;;) {
        std::deque<std::vector<uint8_t>> frames;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_)
                return;
            frames.swap(from_guest_);
        }
        for (const std::vector<uint8_t>& f : frames)
            slirp_input(l.slirp, f.data(), static_cast<int>(f.size()));

        uint32_t timeout = kMaxWaitMs;
        l.fds.assign(1, pollfd{wake_pipe_[0], POLLIN, 0});
        slirp_pollfds_fill(
            l.slirp, &timeout,
            [](int fd, int events, void* opaque) -> int {
                short ev = 0;
                if (events & SLIRP_POLL_IN)
                    ev |= POLLIN;
                if (events & SLIRP_POLL_OUT)
                    ev |= POLLOUT;
                if (events & SLIRP_POLL_PRI)
                    ev |= POLLPRI;
                std::vector<pollfd>& fds = loop_of(opaque).fds;
                fds.push_back(pollfd{fd, ev, 0});
                return static_cast<int>(fds.size() - 1);
            },
            &l);
        int64_t now_ms = l.now_ns() / 1'000'000;
        for (const Timer& t : l.timers)
            if (t.expire_ms >= 0)
                timeout = static_cast<uint32_t>(std::clamp<int64_t>(t.expire_ms - now_ms, 0, timeout));
        int n = ::poll(l.fds.data(), l.fds.size(), static_cast<int>(timeout));
        if (l.fds[0].revents & POLLIN) {
            char buf[64];
            while (::read(wake_pipe_[0], buf, sizeof buf) > 0) {
            }
        }
        slirp_pollfds_poll(
            l.slirp, n < 0,
            [](int idx, void* opaque) -> int {
                short re = loop_of(opaque).fds[static_cast<size_t>(idx)].revents;
                int ev = 0;
                if (re & POLLIN)
                    ev |= SLIRP_POLL_IN;
                if (re & POLLOUT)
                    ev |= SLIRP_POLL_OUT;
                if (re & POLLPRI)
                    ev |= SLIRP_POLL_PRI;
                if (re & POLLERR)
                    ev |= SLIRP_POLL_ERR;
                if (re & POLLHUP)
                    ev |= SLIRP_POLL_HUP;
                return ev;
            },
            &l);
        now_ms = l.now_ns() / 1'000'000;
        // A callback may free or rearm timers: fire one due timer at a time.
        for (bool fired = true; fired;) {
            fired = false;
            for (Timer& t : l.timers) {
                if (t.expire_ms >= 0 && t.expire_ms <= now_ms) {
                    t.expire_ms = -1;
                    t.cb(t.cb_opaque);
                    fired = true;
                    break;
                }
            }
        }
    }
}

size_t SlirpNet::take(uint8_t* out, size_t max)
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (to_guest_.empty() || to_guest_.front().size() > max)
        return 0;
    std::vector<uint8_t> f = std::move(to_guest_.front());
    to_guest_.pop_front();
    std::copy(f.begin(), f.end(), out);
    return f.size();
}

bool SlirpNet::ready()
{
    std::lock_guard<std::mutex> lock(mutex_);
    return !to_guest_.empty();
}

void SlirpNet::wait(std::chrono::milliseconds timeout)
{
    std::unique_lock<std::mutex> lock(mutex_);
    arrived_.wait_for(lock, timeout, [this] { return !to_guest_.empty(); });
}

std::string SlirpNet::error() { return ""; }

void SlirpNet::send(std::span<const uint8_t> frame)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        from_guest_.emplace_back(frame.begin(), frame.end());
    }
    char c = 0;
    [[maybe_unused]] ssize_t n = ::write(wake_pipe_[1], &c, 1);
}

}  // namespace emu
