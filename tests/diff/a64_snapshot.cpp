#include "a64_snapshot.h"

#include <cinttypes>
#include <cstdio>
#include <stdexcept>

#include "cpu/a64/sysreg_keys.h"

namespace emu::test {

using namespace a64;

const std::array<ComparedSysreg, kNumComparedSysregs> kComparedSysregs = {{
    {"SP_EL0", sysreg::SP_EL0, ~uint64_t{0}},
    {"ELR_EL1", sysreg::ELR_EL1, ~uint64_t{0}},
    {"SPSR_EL1", sysreg::SPSR_EL1, ~uint64_t{0}},
    {"VBAR_EL1", sysreg::VBAR_EL1, ~uint64_t{0x7FF}},
    {"TPIDR_EL0", sysreg::TPIDR_EL0, ~uint64_t{0}},
    {"TPIDRRO_EL0", sysreg::TPIDRRO_EL0, ~uint64_t{0}},
    {"TPIDR_EL1", sysreg::TPIDR_EL1, ~uint64_t{0}},
    // AT's result. Bits [55:48] and [6:1] of a successful translation's PAR are RES0.
    {"PAR_EL1", sysreg::PAR_EL1, ~uint64_t{0}},
}};

namespace {

// Where our State keeps each compared system register (SP_EL0 is banked: see sp_el0()).
uint64_t SysRegs::*our_sysreg(uint32_t key)
{
    switch (key) {
    case sysreg::ELR_EL1: return &SysRegs::elr_el1;
    case sysreg::SPSR_EL1: return &SysRegs::spsr_el1;
    case sysreg::VBAR_EL1: return &SysRegs::vbar_el1;
    case sysreg::TPIDR_EL0: return &SysRegs::tpidr_el0;
    case sysreg::TPIDRRO_EL0: return &SysRegs::tpidrro_el0;
    case sysreg::TPIDR_EL1: return &SysRegs::tpidr_el1;
    case sysreg::PAR_EL1: return &SysRegs::par_el1;
    default: throw std::logic_error("our_sysreg: not a compared system register");
    }
}

bool on_sp_el0(const A64Snapshot& s) { return s.el == 0 || s.spsel == 0; }

std::string hex64(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
    return buf;
}

std::string flags(uint32_t nzcv)
{
    std::string f = "nzcv";
    for (unsigned i = 0; i < 4; i++)
        if (nzcv & (1u << (31 - i)))
            f[i] = static_cast<char>(f[i] - 'a' + 'A');
    return f;
}

std::string pstate(const A64Snapshot& s)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "EL%u%c DAIF=%x", s.el, s.spsel ? 'h' : 't', s.daif >> 6);
    return buf;
}

}  // namespace

A64Snapshot capture(const Cpu& cpu, bool with_sys, bool with_fp)
{
    A64Snapshot s;
    for (unsigned i = 0; i < 31; i++)
        s.x[i] = cpu.s.r[i];
    s.sp = cpu.s.r[kSp];
    s.pc = cpu.s.pc;
    s.nzcv = cpu.s.nzcv;
    s.daif = cpu.s.daif;
    s.el = cpu.s.el;
    s.spsel = cpu.s.spsel;
    s.has_sys = with_sys;
    if (with_sys) {
        for (unsigned i = 0; i < kNumComparedSysregs; i++) {
            uint32_t key = kComparedSysregs[i].key;
            s.sys[i] = key == sysreg::SP_EL0 ? cpu.s.sp_el0() : cpu.s.sys.*our_sysreg(key);
        }
    }
    s.has_fp = with_fp;
    if (with_fp) {
        for (unsigned i = 0; i < 32; i++)
            s.v[i] = cpu.s.v[i];
        s.fpcr = cpu.s.sys.fpcr;
        s.fpsr = cpu.s.sys.fpsr;
    }
    return s;
}

A64Snapshot capture(const UnicornA64& uc, bool with_sys, bool with_fp)
{
    A64Snapshot s;
    for (unsigned i = 0; i < 31; i++)
        s.x[i] = uc.x(i);
    s.sp = uc.reg(UC_ARM64_REG_SP);
    s.pc = uc.reg(UC_ARM64_REG_PC);
    s.nzcv = static_cast<uint32_t>(uc.reg(UC_ARM64_REG_NZCV)) & 0xF0000000u;
    uint64_t ps = uc.reg(UC_ARM64_REG_PSTATE);
    s.daif = static_cast<uint32_t>(ps) & (kDaifD | kDaifA | kDaifI | kDaifF);
    s.el = static_cast<uint8_t>((ps >> 2) & 3);
    s.spsel = static_cast<uint8_t>(ps & 1);
    s.has_sys = with_sys;
    if (with_sys) {
        for (unsigned i = 0; i < kNumComparedSysregs; i++) {
            uint32_t key = kComparedSysregs[i].key;
            // Unicorn keeps the banked copy of the stack pointer in use stale.
            if (key == sysreg::SP_EL0)
                s.sys[i] = on_sp_el0(s) ? s.sp : uc.reg(UC_ARM64_REG_SP_EL0);
            else
                s.sys[i] = uc.sysreg(key);
        }
    }
    s.has_fp = with_fp;
    if (with_fp) {
        for (unsigned i = 0; i < 32; i++)
            uc.v(i, s.v[i].d);
        s.fpcr = uc.reg(UC_ARM64_REG_FPCR);
        s.fpsr = uc.reg(UC_ARM64_REG_FPSR);
    }
    return s;
}

void apply(const A64Snapshot& s, Cpu& cpu)
{
    if (s.el != 1 || s.spsel != 1)
        throw std::logic_error("apply: only EL1h snapshots can be applied");
    cpu.s.pc = s.pc;
    for (unsigned i = 0; i < 31; i++)
        cpu.s.r[i] = s.x[i];
    cpu.s.r[kSp] = s.sp;
    cpu.s.nzcv = s.nzcv;
    cpu.s.daif = s.daif;
    if (s.has_sys) {
        for (unsigned i = 0; i < kNumComparedSysregs; i++) {
            uint32_t key = kComparedSysregs[i].key;
            if (key == sysreg::SP_EL0)
                cpu.s.sp_other = s.sys[i];
            else
                cpu.s.sys.*our_sysreg(key) = s.sys[i];
        }
    }
    if (s.has_fp) {
        for (unsigned i = 0; i < 32; i++)
            cpu.s.v[i] = s.v[i];
        cpu.s.sys.fpcr = s.fpcr & kFpcrMask;
        cpu.s.sys.fpsr = s.fpsr & kFpsrMask;
    }
}

void apply(const A64Snapshot& s, UnicornA64& uc)
{
    if (s.el != 1 || s.spsel != 1)
        throw std::logic_error("apply: only EL1h snapshots can be applied");
    // The saved context is the reset state: EL1h, masked, exclusive monitor open to nothing.
    uc.restore_context();
    for (unsigned i = 0; i < 31; i++)
        uc.set_x(i, s.x[i]);
    uc.set_reg(UC_ARM64_REG_SP, s.sp);
    uc.set_reg(UC_ARM64_REG_PC, s.pc);
    uc.set_reg(UC_ARM64_REG_NZCV, s.nzcv);
    if (s.daif != (kDaifD | kDaifA | kDaifI | kDaifF))
        throw std::logic_error("apply: the reset DAIF is the only one Unicorn can be given");
    if (s.has_sys) {
        for (unsigned i = 0; i < kNumComparedSysregs; i++) {
            uint32_t key = kComparedSysregs[i].key;
            if (key == sysreg::SP_EL0)
                uc.set_reg(UC_ARM64_REG_SP_EL0, s.sys[i]);
            else
                uc.set_sysreg(key, s.sys[i]);
        }
    }
    if (s.has_fp) {
        for (unsigned i = 0; i < 32; i++)
            uc.set_v(i, s.v[i].d);
        uc.set_reg(UC_ARM64_REG_FPCR, s.fpcr & kFpcrMask);
        uc.set_reg(UC_ARM64_REG_FPSR, s.fpsr & kFpsrMask);
    }
}

std::vector<std::string> differences(const A64Snapshot& ours, const A64Snapshot& unicorn, uint32_t ignore_x)
{
    // Numbers are compared first and formatted only when they differ: this runs per instruction.
    std::vector<std::string> out;
    auto diff = [&](const char* name, uint64_t a, uint64_t b) {
        if (a != b)
            out.push_back(std::string(name) + ": ours " + hex64(a) + " unicorn " + hex64(b));
    };
    for (unsigned i = 0; i < 31; i++) {
        if ((ignore_x & (1u << i)) || ours.x[i] == unicorn.x[i])
            continue;
        char name[8];
        std::snprintf(name, sizeof name, "X%u", i);
        diff(name, ours.x[i], unicorn.x[i]);
    }
    diff("SP", ours.sp, unicorn.sp);
    diff("PC", ours.pc, unicorn.pc);
    if (ours.nzcv != unicorn.nzcv)
        out.push_back("NZCV: ours " + flags(ours.nzcv) + " unicorn " + flags(unicorn.nzcv));
    if (ours.el != unicorn.el || ours.spsel != unicorn.spsel || ours.daif != unicorn.daif)
        out.push_back("PSTATE: ours " + pstate(ours) + " unicorn " + pstate(unicorn));
    if (ours.has_sys && unicorn.has_sys)
        for (unsigned i = 0; i < kNumComparedSysregs; i++) {
            uint64_t bits = kComparedSysregs[i].compared_bits;
            if ((ours.sys[i] & bits) != (unicorn.sys[i] & bits))
                diff(kComparedSysregs[i].name, ours.sys[i], unicorn.sys[i]);
        }
    if (ours.has_fp && unicorn.has_fp) {
        for (unsigned i = 0; i < 32; i++) {
            if (ours.v[i] == unicorn.v[i])
                continue;
            out.push_back("V" + std::to_string(i) + ": ours " + hex64(ours.v[i].d[1]) + ":" + hex64(ours.v[i].d[0]) +
                          " unicorn " + hex64(unicorn.v[i].d[1]) + ":" + hex64(unicorn.v[i].d[0]));
        }
        diff("FPCR", ours.fpcr & kFpcrMask, unicorn.fpcr & kFpcrMask);
        diff("FPSR", ours.fpsr & kFpsrMask, unicorn.fpsr & kFpsrMask);
    }
    return out;
}

std::string format(const A64Snapshot& s)
{
    std::string out;
    for (unsigned i = 0; i < 31; i++) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "X%-2u=%s%s", i, hex64(s.x[i]).c_str(), (i % 3 == 2) ? "\n" : "  ");
        out += buf;
    }
    out += "SP =" + hex64(s.sp) + "  PC =" + hex64(s.pc) + "\n";
    out += "NZCV=" + flags(s.nzcv) + "  " + pstate(s) + "\n";
    if (s.has_sys)
        for (unsigned i = 0; i < kNumComparedSysregs; i++)
            out += std::string(kComparedSysregs[i].name) + "=" + hex64(s.sys[i]) + ((i % 2 == 1) ? "\n" : "  ");
    if (!out.empty() && out.back() != '\n')
        out += "\n";
    if (s.has_fp) {
        for (unsigned i = 0; i < 32; i++)
            out += "V" + std::to_string(i) + (i < 10 ? " " : "") + "=" + hex64(s.v[i].d[1]) + ":" + hex64(s.v[i].d[0]) +
                   ((i % 2 == 1) ? "\n" : "  ");
        out += "FPCR=" + hex64(s.fpcr) + "  FPSR=" + hex64(s.fpsr) + "\n";
    }
    return out;
}

}  // namespace emu::test
