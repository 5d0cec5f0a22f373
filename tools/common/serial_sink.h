// Where guest serial output goes: stdout ("-") or a file. Output is buffered and written out
// by close(), which reports a write error (anything lost on the way) as an I/O error.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "core/result.h"

namespace emu::tools {

class SerialSink {
public:
    static Result<std::unique_ptr<SerialSink>> open(const std::string& path);
    ~SerialSink();

    void put(uint8_t byte) { std::fputc(byte, file_); }
    // Writes out what is buffered and closes a file (stdout stays open). Once only.
    Result<Done> close();

private:
    SerialSink(std::FILE* f, std::string path, bool owned) : file_(f), path_(std::move(path)), owned_(owned) {}
    std::FILE* file_;
    std::string path_;
    bool owned_;
};

}  // namespace emu::tools
