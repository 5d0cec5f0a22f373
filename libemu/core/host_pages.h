#pragma once

#include <cstddef>
#include <cstdint>

namespace emu {

// Guest RAM's host storage: anonymous pages the host kernel supplies zeroed on first touch.
// A guest with 1 GiB of RAM that uses 20 MiB costs 20 MiB and no start-up time; zeroing
// the whole block up front (a value-initialised array) cost a fifth of a short run.
class HostPages {
public:
    explicit HostPages(uint64_t size);  // throws std::bad_alloc when the host refuses
    HostPages(HostPages&& other) noexcept;
    HostPages& operator=(HostPages&& other) noexcept;
    HostPages(const HostPages&) = delete;
    HostPages& operator=(const HostPages&) = delete;
    ~HostPages();

    uint8_t* get() const { return bytes_; }

    // Every byte back to zero, by handing the pages back to the host.
    void zero();

private:
    uint8_t* bytes_ = nullptr;
    size_t size_ = 0;
};

}  // namespace emu
