#include "a64_lockstep_rig.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "cpu/a64/sysreg_keys.h"

namespace emu::test {

LockstepRig::LockstepRig(uint64_t ram_base, uint64_t ram_size)
    : board(ram_base, ram_size), ram_base_(ram_base), ram_size_(ram_size), unicorn_ram_(ram_size)
{
    unicorn.map(ram_base, unicorn_ram_.data(), ram_size);
    // Unicorn resets with SCTLR_EL1.SA/SA0 set; ours with them clear. Give Unicorn ours so that
    // both check stack alignment alike, then remember that as the state to return to.
    unicorn.set_sysreg(a64::sysreg::SCTLR_EL1, board.cpu.s.sys.sctlr_el1);
    unicorn.save_context();
}

void LockstepRig::write(uint64_t addr, const void* data, uint64_t len)
{
    if (addr < ram_base_ || len > ram_size_ || addr - ram_base_ > ram_size_ - len)
        throw std::out_of_range("LockstepRig::write outside RAM");
    board.bus.write_bytes(addr, data, len);
    std::memcpy(unicorn_ram_.data() + (addr - ram_base_), data, len);
    unicorn.invalidate_code(addr, len);
}

void LockstepRig::fill(const std::vector<uint8_t>& bytes)
{
    if (bytes.size() != ram_size_)
        throw std::invalid_argument("LockstepRig::fill needs exactly the RAM size");
    write(ram_base_, bytes.data(), bytes.size());
}

void LockstepRig::resync_unicorn_from_ours()
{
    std::memcpy(unicorn_ram_.data(), our_ram(), ram_size_);
    unicorn.invalidate_code(ram_base_, ram_size_);
}

LockstepRig::OurStep LockstepRig::step_ours()
{
    a64::Cpu& cpu = board.cpu;
    uint64_t esr = cpu.s.sys.esr_el1;
    a64::StopReason stop = cpu.run(1);
    OurStep r{true, stop, cpu.s.sys.esr_el1, {}};
    if (stop == a64::StopReason::Unsupported) {
        r.completed = false;
        r.what = "unsupported: " + cpu.unsupported();
    } else if (cpu.s.sys.esr_el1 != esr) {
        char buf[80];
        std::snprintf(buf, sizeof buf, "exception, ESR_EL1=0x%" PRIx64 " (EC 0x%02" PRIx64 ")", r.esr, r.esr >> 26);
        r.completed = false;
        r.what = buf;
    }
    return r;
}

bool LockstepRig::memory_equal(uint64_t addr, uint64_t len)
{
    uint64_t off = addr - ram_base_;
    return std::memcmp(our_ram() + off, unicorn_ram_.data() + off, len) == 0;
}

std::vector<std::string> LockstepRig::memory_differences(uint64_t addr, uint64_t len, unsigned max_lines)
{
    std::vector<std::string> out;
    const uint8_t* a = our_ram() + (addr - ram_base_);
    const uint8_t* b = unicorn_ram_.data() + (addr - ram_base_);
    for (uint64_t i = 0; i < len;) {
        if (a[i] == b[i]) {
            i++;
            continue;
        }
        if (out.size() == max_lines) {
            out.push_back("... and more");
            break;
        }
        // One line per run of up to 16 bytes starting at the first difference.
        unsigned n = static_cast<unsigned>(std::min<uint64_t>(16, len - i));
        out.push_back("ours    " + format_bytes(addr + i, a + i, n) + "\n    unicorn " + format_bytes(addr + i, b + i, n));
        i += n;
    }
    return out;
}

std::string format_bytes(uint64_t addr, const uint8_t* p, unsigned len)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%08" PRIx64 ":", addr);
    std::string s = buf;
    for (unsigned i = 0; i < len; i++) {
        std::snprintf(buf, sizeof buf, " %02x", p[i]);
        s += buf;
    }
    return s;
}

}  // namespace emu::test
