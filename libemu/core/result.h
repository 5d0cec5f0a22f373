// Errors as values. Every failure a user can cause (a bad file, a bad option, a corrupt
// recording) travels as an Error up to the tool's main, which prints its message on one line
// and exits with its status. The statuses are the documented exit codes of every tool.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace emu {

enum class ExitStatus : int {
    Ok = 0,
    Divergence = 1,      // replay diverged or verification failed
    Usage = 64,          // bad command line
    BadRecording = 65,   // corrupt, truncated, unsupported or malformed input data
    NoInput = 66,        // an input file is missing or unreadable
    Internal = 70,       // a bug or an unsupported guest feature
    IoError = 74,        // writing output failed
};

struct Error {
    ExitStatus status;
    std::string message;
};

// The value of a Result that only says "it worked".
struct Done {};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error e) : v_(std::move(e)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    T* operator->() { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

}  // namespace emu
