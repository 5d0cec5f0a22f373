#include "host/host_entropy.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace emu {

void host_random_bytes(std::span<uint8_t> out)
{
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            // The kernel's generator does not fail once seeded; a host without one cannot record.
            std::perror("getrandom");
            std::abort();
        }
        done += static_cast<size_t>(n);
    }
}

}  // namespace emu
