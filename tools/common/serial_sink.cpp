#include "tools/common/serial_sink.h"

#include <cerrno>
#include <cstring>

namespace emu::tools {

Result<std::unique_ptr<SerialSink>> SerialSink::open(const std::string& path)
{
    if (path == "-")
        return std::unique_ptr<SerialSink>(new SerialSink(stdout, "stdout", false));
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        return Error{ExitStatus::IoError, path + ": cannot create: " + std::strerror(errno)};
    return std::unique_ptr<SerialSink>(new SerialSink(f, path, true));
}

SerialSink::~SerialSink()
{
    if (owned_ && file_)
        std::fclose(file_);
}

Result<Done> SerialSink::close()
{
    errno = 0;
    bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
    if (owned_) {
        ok = std::fclose(file_) == 0 && ok;
        file_ = nullptr;
    }
    if (!ok)
        return Error{ExitStatus::IoError, path_ + ": write error: " + (errno ? std::strerror(errno) : "unknown error")};
    return Done{};
}

}  // namespace emu::tools
