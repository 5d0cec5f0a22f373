#include "core/host_pages.h"

#include <sys/mman.h>

#include <cstring>
#include <new>
#include <utility>

namespace emu {

HostPages::HostPages(uint64_t size) : size_(size)
{
    if (size == 0)
        return;
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    bytes_ = static_cast<uint8_t*>(p);
}

HostPages::HostPages(HostPages&& other) noexcept
    : bytes_(std::exchange(other.bytes_, nullptr)), size_(std::exchange(other.size_, 0))
{
}

HostPages& HostPages::operator=(HostPages&& other) noexcept
{
    std::swap(bytes_, other.bytes_);
    std::swap(size_, other.size_);
    return *this;
}

HostPages::~HostPages()
{
    if (bytes_)
        munmap(bytes_, size_);
}

void HostPages::zero()
{
    // A private anonymous mapping reads as zeros again once its pages are dropped.
    if (bytes_ && madvise(bytes_, size_, MADV_DONTNEED) != 0)
        std::memset(bytes_, 0, size_);
}

}  // namespace emu
