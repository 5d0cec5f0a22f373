#include "tools/common/disassemble.h"

#ifdef RR_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

namespace emu::tools {

#ifdef RR_HAVE_CAPSTONE

std::string disassemble_one(const std::string& machine, uint64_t pc, std::span<const uint8_t> bytes)
{
    cs_arch arch;
    cs_mode mode;
    if (machine == "virt") {
        arch = CS_ARCH_ARM64;
        mode = CS_MODE_LITTLE_ENDIAN;
    } else if (machine == "pc" || machine == "isapc") {
        arch = CS_ARCH_X86;
        mode = CS_MODE_32;
    } else {
        return "";
    }
    csh handle;
    if (cs_open(arch, mode, &handle) != CS_ERR_OK)
        return "";
    cs_insn* insn = nullptr;
    std::string text;
    if (cs_disasm(handle, bytes.data(), bytes.size(), pc, 1, &insn) == 1) {
        text = insn->mnemonic;
        if (insn->op_str[0])
            text += std::string(" ") + insn->op_str;
        cs_free(insn, 1);
    }
    cs_close(&handle);
    return text;
}

#else

std::string disassemble_one(const std::string&, uint64_t, std::span<const uint8_t>) { return ""; }

#endif

}  // namespace emu::tools
