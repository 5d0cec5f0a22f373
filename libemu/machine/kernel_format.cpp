#include "machine/kernel_format.h"

#include <zlib.h>

#include <cstring>

#include "machine/arm64_image.h"
#include "machine/linux_x86.h"
#include "machine/multiboot.h"

namespace emu {

bool is_elf(std::span<const uint8_t> f) { return f.size() >= 4 && std::memcmp(f.data(), "\x7f" "ELF", 4) == 0; }

// RFC 1952: ID1 ID2, then CM = 8 (deflate).
bool is_gzip(std::span<const uint8_t> f) { return f.size() >= 18 && f[0] == 0x1F && f[1] == 0x8B && f[2] == 8; }

std::string describe_kernel_format(std::span<const uint8_t> f)
{
    if (is_elf(f)) {
        uint16_t machine = f.size() >= 20 ? static_cast<uint16_t>(f[18] | f[19] << 8) : 0;
        const char* arch = machine == 3 ? "i386" : machine == 183 ? "AArch64" : machine == 62 ? "x86-64" : nullptr;
        std::string what = arch ? std::string("an ") + arch + " ELF file" : "an ELF file for machine " + std::to_string(machine);
        return find_multiboot_header(f) ? what + " with a Multiboot header" : what;
    }
    if (is_linux_bzimage(f))
        return "a Linux/x86 bzImage";
    if (is_arm64_image(f))
        return "an arm64 Linux Image";
    if (is_gzip(f))
        return "a gzip-compressed file";
    if (find_multiboot_header(f))
        return "a Multiboot image";
    return "a raw binary (no header this build knows)";
}

Result<std::vector<uint8_t>> gunzip(std::span<const uint8_t> file, uint64_t limit, const std::string& name)
{
    z_stream z{};
    // 16 + MAX_WBITS: a gzip wrapper, not zlib's.
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return Error{ExitStatus::Internal, name + ": zlib cannot start"};
    std::vector<uint8_t> out;
    z.next_in = const_cast<Bytef*>(file.data());
    z.avail_in = static_cast<uInt>(file.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (out.size() >= limit) {
            inflateEnd(&z);
            return Error{ExitStatus::BadRecording, name + ": decompresses to more than " + std::to_string(limit >> 20) + " MiB"};
        }
        size_t have = out.size();
        out.resize(std::min<uint64_t>(limit, have + (uint64_t{8} << 20)));
        z.next_out = out.data() + have;
        z.avail_out = static_cast<uInt>(out.size() - have);
        rc = inflate(&z, Z_NO_FLUSH);
        out.resize(out.size() - z.avail_out);
        if (rc == Z_BUF_ERROR && z.avail_in == 0)
            break;
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        return Error{ExitStatus::BadRecording, name + ": damaged gzip data (" + (z.msg ? z.msg : "cut short") + ")"};
    return out;
}

}  // namespace emu
