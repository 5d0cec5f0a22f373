#include "host/input_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace emu {

Result<std::vector<uint8_t>> read_input_file(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Error{ExitStatus::NoInput, path + ": cannot open: " + std::strerror(errno)};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return Error{ExitStatus::NoInput, path + ": not a regular file"};
    }
    std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < bytes.size()) {
        ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            std::string why = n < 0 ? std::strerror(errno) : "the file shrank while it was read";
            ::close(fd);
            return Error{ExitStatus::NoInput, path + ": read error: " + why};
        }
        got += static_cast<size_t>(n);
    }
    ::close(fd);
    return bytes;
}

}  // namespace emu
