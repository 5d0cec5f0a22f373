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
    if (owned_)
        std::fclose(file_);
}

Result<Done> SerialSink::flush()
{
    if (std::fflush(file_) != 0 || std::ferror(file_))
        return Error{ExitStatus::IoError, path_ + ": write error: " + std::strerror(errno)};
    return Done{};
}

}  // namespace emu::tools
