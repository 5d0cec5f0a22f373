#include "unicorn_x86.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace emu::test {

namespace {

constexpr uc_x86_reg kGprs[8] = {UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
                                 UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI};
constexpr int kInvalidOpcode = 6;

}  // namespace

UnicornX86::UnicornX86(WriteHook write_hook, uc_mode mode) : mode_(mode)
{
    check(uc_open(UC_ARCH_X86, mode, &uc_), "uc_open");
    int kinds = (mode == UC_MODE_16 ? 0 : UC_HOOK_MEM_READ) | (write_hook == WriteHook::On ? UC_HOOK_MEM_WRITE : 0);
    if (kinds)
        check(uc_hook_add(uc_, &access_hook_, kinds, reinterpret_cast<void*>(on_access), this, 1, 0),
              "add the memory access hook");
    // Without an interrupt hook Unicorn reports every exception as UC_ERR_EXCEPTION; with one
    // we learn the vector.
    check(uc_hook_add(uc_, &interrupt_hook_, UC_HOOK_INTR, reinterpret_cast<void*>(on_interrupt), this, 1, 0),
          "add the interrupt hook");
    check(uc_context_alloc(uc_, &pristine_), "uc_context_alloc");
    check(uc_context_save(uc_, pristine_), "save the initial context");
}

UnicornX86::~UnicornX86()
{
    if (pristine_)
        uc_context_free(pristine_);
    if (uc_)
        uc_close(uc_);
}

void UnicornX86::check(uc_err e, const char* what) const
{
    if (e != UC_ERR_OK)
        throw std::runtime_error(std::string("Unicorn: ") + what + ": " + error_text(e));
}

std::string UnicornX86::error_text(uc_err e) { return uc_strerror(e); }

void UnicornX86::map(uint32_t addr, uint8_t* host, uint32_t size, uint32_t perms)
{
    check(uc_mem_map_ptr(uc_, addr, size, perms, host), "map memory");
    regions_.push_back({addr, host, size});
}

void UnicornX86::invalidate_code(uint32_t addr, uint32_t len)
{
    if (len == 0)
        return;  // Unicorn rejects an empty range
    check(uc_ctl_remove_cache(uc_, addr, uint64_t{addr} + len), "drop translated code");
}

uint32_t UnicornX86::reg(uc_x86_reg r) const
{
    uint32_t v = 0;
    check(uc_reg_read(uc_, r, &v), "read a register");
    return v;
}

void UnicornX86::set_reg(uc_x86_reg r, uint32_t v) { check(uc_reg_write(uc_, r, &v), "write a register"); }

uint16_t UnicornX86::reg16(uc_x86_reg r) const
{
    uint16_t v = 0;
    check(uc_reg_read(uc_, r, &v), "read a register");
    return v;
}

void UnicornX86::set_reg16(uc_x86_reg r, uint16_t v) { check(uc_reg_write(uc_, r, &v), "write a register"); }

uint64_t UnicornX86::reg64(uc_x86_reg r) const
{
    uint64_t v = 0;
    check(uc_reg_read(uc_, r, &v), "read a register");
    return v;
}

void UnicornX86::set_reg64(uc_x86_reg r, uint64_t v) { check(uc_reg_write(uc_, r, &v), "write a register"); }

uint16_t UnicornX86::selector(unsigned seg) const
{
    static constexpr uc_x86_reg kSegs[6] = {UC_X86_REG_ES, UC_X86_REG_CS, UC_X86_REG_SS,
                                            UC_X86_REG_DS, UC_X86_REG_FS, UC_X86_REG_GS};
    return reg16(kSegs[seg % 6]);
}

void UnicornX86::fp_register(unsigned phys, uint64_t& mant, uint16_t& se) const
{
    uint8_t v[16] = {};
    check(uc_reg_read(uc_, static_cast<uc_x86_reg>(UC_X86_REG_FP0 + (phys & 7)), v), "read an x87 register");
    std::memcpy(&mant, v, 8);
    std::memcpy(&se, v + 8, 2);
}

void UnicornX86::set_fp_register(unsigned phys, uint64_t mant, uint16_t se)
{
    uint8_t v[16] = {};
    std::memcpy(v, &mant, 8);
    std::memcpy(v + 8, &se, 2);
    check(uc_reg_write(uc_, static_cast<uc_x86_reg>(UC_X86_REG_FP0 + (phys & 7)), v), "write an x87 register");
}

void UnicornX86::save_setup() { check(uc_context_save(uc_, pristine_), "save the set-up context"); }

void UnicornX86::restore_setup() { check(uc_context_restore(uc_, pristine_), "restore the set-up context"); }

uint32_t UnicornX86::r(unsigned n) const { return reg(kGprs[n & 7]); }
void UnicornX86::set_r(unsigned n, uint32_t v) { set_reg(kGprs[n & 7], v); }

void UnicornX86::on_access(uc_engine*, uc_mem_type type, uint64_t addr, int size, int64_t value, void* self)
{
    auto& u = *static_cast<UnicornX86*>(self);
    Access a{};
    a.addr = static_cast<uint32_t>(addr);
    a.size = static_cast<unsigned>(size);
    a.is_write = type == UC_MEM_WRITE;
    a.value = static_cast<uint64_t>(value);
    for (const Region& r : u.regions_) {
        if (addr >= r.addr && addr - r.addr < r.size) {
            a.before_len = static_cast<unsigned>(std::min<uint64_t>({a.size, sizeof a.before, r.size - (addr - r.addr)}));
            std::memcpy(a.before, r.host + (addr - r.addr), a.before_len);
        }
    }
    u.accesses_.push_back(a);
}

void UnicornX86::on_interrupt(uc_engine* uc, uint32_t intno, void* self)
{
    static_cast<UnicornX86*>(self)->vector_ = static_cast<int>(intno);
    uc_emu_stop(uc);
}

UnicornX86::StepResult UnicornX86::step(uint64_t count, uint64_t until)
{
    accesses_.clear();
    vector_ = -1;
    uint32_t start = eip();
    // uc_emu_start sets EIP from a linear address in 16-bit mode (see above).
    uint64_t begin = mode_ == UC_MODE_16 ? start + uint64_t{selector(1)} * 16 : start;
    // `until` 0: the tests never place code at address 0, so it never stops us early. With an
    // `until`, one more instruction lets Unicorn reach it rather than stop on the count.
    if (mode_ != UC_MODE_16)
        until = 0;
    // Unicorn compiles the stop check into the translation of the `until` address: a block
    // translated there before (as a HLT Unicorn then executes) would run past it.
    if (until)
        invalidate_code(static_cast<uint32_t>(until), 1);
    uc_err e = uc_emu_start(uc_, begin, until, 0, until ? count + 1 : count);
    if (e == UC_ERR_INSN_INVALID)
        return {false, e, kInvalidOpcode};
    if (vector_ >= 0) {
        uint32_t regs[8];
        for (unsigned i = 0; i < 8; i++)
            regs[i] = r(i);
        uint32_t flags = eflags();
        check(uc_context_restore(uc_, pristine_), "restore the initial context");
        for (unsigned i = 0; i < 8; i++)
            set_r(i, regs[i]);
        set_eflags(flags);
        // Unicorn sets EIP to QEMU's exception_next_eip before calling the hook, which is
        // not always where the architecture leaves it. Every exception these tests provoke is
        // a fault (#DE, #UD, #GP, #PF), which leaves EIP at the instruction: put it there.
        // (INT n, INT3 and INTO are traps and would need the next EIP; they are not generated.)
        set_eip(start);
        return {false, e, vector_};
    }
    if (e == UC_ERR_OK && mode_ == UC_MODE_16 && code_base_of) {
        uint32_t base = code_base_of(selector(1));
        if (!(until && eip() == until - base))
            set_eip(eip() - base);
    }
    return {e == UC_ERR_OK, e, -1};
}

std::string UnicornX86::StepResult::text() const
{
    if (completed)
        return "completed";
    if (vector >= 0)
        return "exception " + std::to_string(vector);
    return error_text(error);
}

}  // namespace emu::test
