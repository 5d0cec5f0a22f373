#include "a64_disasm.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace emu::test {

std::string disassemble_a64(uint32_t insn, uint64_t pc)
{
    char path[] = "/tmp/rr-disasm-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return "(no disassembly: cannot create a temporary file)";
    uint8_t le[4] = {static_cast<uint8_t>(insn), static_cast<uint8_t>(insn >> 8), static_cast<uint8_t>(insn >> 16),
                     static_cast<uint8_t>(insn >> 24)};
    bool written = write(fd, le, 4) == 4;
    close(fd);
    std::string text;
    if (written) {
        char cmd[200];
        std::snprintf(cmd, sizeof cmd,
                      "aarch64-linux-gnu-objdump -D -b binary -maarch64 --adjust-vma=0x%" PRIx64 " %s 2>/dev/null", pc,
                      path);
        if (FILE* p = popen(cmd, "r")) {
            char line[256];
            // The instruction line is the last one: "   40100000:\tf8220020 \tldadd\tx2, x0, [x1]".
            while (std::fgets(line, sizeof line, p))
                text = line;
            pclose(p);
        }
    }
    unlink(path);
    // Keep what follows the encoding column, with tabs turned into spaces.
    auto tab = text.find('\t');
    tab = tab == std::string::npos ? tab : text.find('\t', tab + 1);
    if (tab == std::string::npos)
        return "(no disassembly: aarch64-linux-gnu-objdump not available)";
    std::string out = text.substr(tab + 1);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    for (char& ch : out)
        if (ch == '\t')
            ch = ' ';
    return out;
}

}  // namespace emu::test
