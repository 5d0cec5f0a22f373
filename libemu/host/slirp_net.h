// User-mode networking with libslirp, as QEMU's `-netdev user`: the guest network 10.0.2.0/24
// with the gateway (and host) at 10.0.2.2, DNS at 10.0.2.3 and DHCP handing out 10.0.2.15 on.
// Only a recorder opens it: slirp's timers and polling run on host time in a thread of its
// own, frames it has for the guest wait here until the recorder delivers them (each becomes a
// NetFrame event), and frames the guest sends are handed to it from the execution thread.
// A replay never opens it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "host/host_source.h"

namespace emu {

// `--netdev user[,hostfwd=tcp:ADDR:H-:G]...[,restrict=on]`, as QEMU spells it (the guest
// address of a forward is 10.0.2.15 when left out).
struct NetdevSpec {
    struct Forward {
        bool udp = false;
        std::string host_addr = "127.0.0.1";
        uint16_t host_port = 0;
        std::string guest_addr = "10.0.2.15";
        uint16_t guest_port = 0;
    };
    std::vector<Forward> forwards;
    bool restrict = false;  // the guest reaches nothing outside (forwards still work)
};
// Errors: Usage, naming what is wrong.
Result<NetdevSpec> parse_netdev_spec(const std::string& text);

class SlirpNet final : public HostSource {
public:
    // Errors: IoError when slirp cannot start or a forward cannot be set up.
    static Result<std::unique_ptr<SlirpNet>> open(const NetdevSpec& spec);
    ~SlirpNet();
    SlirpNet(const SlirpNet&) = delete;
    SlirpNet& operator=(const SlirpNet&) = delete;

    // One whole frame per call: the next one if it fits in `max` bytes, else nothing (it waits
    // for a larger receive buffer).
    size_t take(uint8_t* out, size_t max) override;
    bool ready() override;
    bool exhausted() override { return false; }  // the network never ends
    void wait(std::chrono::milliseconds timeout) override;
    std::string error() override;

    // A frame the guest sent.
    void send(std::span<const uint8_t> frame);

    // For slirp's callbacks (slirp_net.cpp); on the slirp thread.
    struct Timer;
    struct Loop;

private:
    SlirpNet() = default;
    void run();

    std::unique_ptr<Loop> loop_;
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::deque<std::vector<uint8_t>> to_guest_;
    std::deque<std::vector<uint8_t>> from_guest_;
    bool stopping_ = false;
    int wake_pipe_[2] = {-1, -1};
    std::thread thread_;
};

}  // namespace emu
