#include "host/serial_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace emu {

namespace {
constexpr size_t kReadBytes = 64 * 1024;
}

Result<std::unique_ptr<SerialSource>> SerialSource::open(const std::string& path, const std::string& role)
{
    int fd = 0;
    if (path != "-") {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return Error{ExitStatus::NoInput, path + ": cannot open " + role + ": " + std::strerror(errno)};
    }
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (fd > 0)
            ::close(fd);
        return Error{ExitStatus::NoInput, path + ": a directory, not " + role + " (a file, a pipe, a terminal, or - for stdin)"};
    }
    bool regular = S_ISREG(st.st_mode);
    return std::unique_ptr<SerialSource>(new SerialSource(path == "-" ? "stdin" : path, fd, regular));
}

SerialSource::SerialSource(std::string name, int fd, bool regular) : name_(std::move(name)), fd_(fd), regular_(regular)
{
    if (regular_)
        return;
    if (pipe2(wake_pipe_, O_CLOEXEC) != 0) {
        error_ = name_ + ": cannot create a pipe: " + std::strerror(errno);
        eof_ = true;
        return;
    }
    thread_ = std::thread([this] { reader_thread(); });
}

SerialSource::~SerialSource()
{
    if (thread_.joinable()) {
        // Wakes the reader out of poll(); it never blocks in read() itself.
        char c = 0;
        [[maybe_unused]] ssize_t n = ::write(wake_pipe_[1], &c, 1);
        thread_.join();
    }
    for (int fd : wake_pipe_)
        if (fd >= 0)
            ::close(fd);
    if (fd_ > 0)
        ::close(fd_);
}

void SerialSource::reader_thread()
{
    std::unique_ptr<uint8_t[]> buf(new uint8_t[kReadBytes]);
    for (;;) {
        pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[1].revents)
            return;  // shutting down
        ssize_t n = ::read(fd_, buf.get(), kReadBytes);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        std::lock_guard lock(mutex_);
        if (n <= 0) {
            if (n < 0)
                error_ = name_ + ": read error: " + std::strerror(errno);
            eof_ = true;
            arrived_.notify_all();
            return;
        }
        buffer_.insert(buffer_.end(), buf.get(), buf.get() + n);
        arrived_.notify_all();
    }
}

// Regular files: top the buffer up synchronously, so what the guest sees never depends on
// host timing.
void SerialSource::fill_from_file()
{
    if (eof_ || !buffer_.empty())
        return;
    uint8_t buf[4096];
    ssize_t n;
    do
        n = ::read(fd_, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        if (n < 0)
            error_ = name_ + ": read error: " + std::strerror(errno);
        eof_ = true;
        return;
    }
    buffer_.insert(buffer_.end(), buf, buf + n);
}

size_t SerialSource::take(uint8_t* out, size_t max)
{
    std::lock_guard lock(mutex_);
    if (regular_)
        fill_from_file();
    size_t n = std::min(max, buffer_.size());
    std::copy_n(buffer_.begin(), n, out);
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
    return n;
}

bool SerialSource::ready()
{
    std::lock_guard lock(mutex_);
    if (regular_)
        fill_from_file();
    return !buffer_.empty();
}

bool SerialSource::exhausted()
{
    std::lock_guard lock(mutex_);
    if (regular_)
        fill_from_file();
    return eof_ && buffer_.empty();
}

void SerialSource::wait(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(mutex_);
    if (regular_) {
        fill_from_file();
        return;
    }
    arrived_.wait_for(lock, timeout, [this] { return eof_ || !buffer_.empty(); });
}

std::string SerialSource::error()
{
    std::lock_guard lock(mutex_);
    return error_;
}

}  // namespace emu
