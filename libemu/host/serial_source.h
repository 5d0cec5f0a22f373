// Host bytes for a guest's serial input, from a file or from stdin ("-"). A regular file is
// read on demand, so a recording made from it depends only on the file and the guest; a pipe
// or terminal is read by a background thread, so that bytes typed or piped in while the guest
// runs wait in a buffer until the guest has room for them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"
#include "host/host_source.h"

namespace emu {

class SerialSource final : public HostSource {
public:
    // path "-" is stdin. `role` names the input in messages ("--serial-in input"). Errors:
    // NoInput when the file cannot be opened or is a directory.
    static Result<std::unique_ptr<SerialSource>> open(const std::string& path, const std::string& role);
    ~SerialSource();
    SerialSource(const SerialSource&) = delete;
    SerialSource& operator=(const SerialSource&) = delete;

    // A regular file is always available up to its end.
    size_t take(uint8_t* out, size_t max) override;
    bool ready() override;
    bool exhausted() override;
    void wait(std::chrono::milliseconds timeout) override;
    std::string error() override;

private:
    SerialSource(std::string name, int fd, bool regular);
    void reader_thread();
    void fill_from_file();

    std::string name_;
    int fd_;
    bool regular_;  // a regular file: read on demand, no thread
    int wake_pipe_[2] = {-1, -1};

    std::mutex mutex_;
    std::condition_variable arrived_;
    std::deque<uint8_t> buffer_;
    bool eof_ = false;
    std::string error_;
    std::thread thread_;
};

}  // namespace emu
