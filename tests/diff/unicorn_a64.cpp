#include "unicorn_a64.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace emu::test {

namespace {

// Unicorn names system registers by their encoding fields; ours pack them into one key.
uc_arm64_cp_reg cp_reg_of(uint32_t key)
{
    uc_arm64_cp_reg r{};
    r.op0 = (key >> 14) & 3;
    r.op1 = (key >> 11) & 7;
    r.crn = (key >> 7) & 15;
    r.crm = (key >> 3) & 15;
    r.op2 = key & 7;
    return r;
}

}  // namespace

UnicornA64::UnicornA64()
{
    check(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc_), "uc_open");
    check(uc_ctl_set_cpu_model(uc_, UC_CPU_ARM64_MAX), "select the 'max' CPU model");
    check(uc_hook_add(uc_, &access_hook_, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, reinterpret_cast<void*>(on_access),
                      this, 1, 0),
          "add the memory access hook");
    // Without an interrupt hook Unicorn reports every exception as UC_ERR_EXCEPTION; with one
    // we learn which exception it was.
    check(uc_hook_add(uc_, &interrupt_hook_, UC_HOOK_INTR, reinterpret_cast<void*>(on_interrupt), this, 1, 0),
          "add the interrupt hook");
    check(uc_context_alloc(uc_, &context_), "uc_context_alloc");
}

UnicornA64::~UnicornA64()
{
    if (context_)
        uc_context_free(context_);
    if (uc_)
        uc_close(uc_);
}

void UnicornA64::check(uc_err e, const char* what) const
{
    if (e != UC_ERR_OK)
        throw std::runtime_error(std::string("Unicorn: ") + what + ": " + error_text(e));
}

std::string UnicornA64::error_text(uc_err e) { return uc_strerror(e); }

void UnicornA64::map(uint64_t addr, uint8_t* host, uint64_t size, uint32_t perms)
{
    check(uc_mem_map_ptr(uc_, addr, size, perms, host), "map memory");
    regions_.push_back({addr, host, size});
}

void UnicornA64::protect(uint64_t addr, uint64_t size, uint32_t perms)
{
    check(uc_mem_protect(uc_, addr, size, perms), "change memory protection");
}

void UnicornA64::invalidate_code(uint64_t addr, uint64_t len)
{
    check(uc_ctl_remove_cache(uc_, addr, addr + len), "drop translated code");
}

uint64_t UnicornA64::reg(uc_arm64_reg r) const
{
    uint64_t v = 0;
    check(uc_reg_read(uc_, r, &v), "read a register");
    return v;
}

void UnicornA64::set_reg(uc_arm64_reg r, uint64_t v) { check(uc_reg_write(uc_, r, &v), "write a register"); }

uint64_t UnicornA64::x(unsigned n) const
{
    return reg(n == 29 ? UC_ARM64_REG_X29 : n == 30 ? UC_ARM64_REG_X30 : static_cast<uc_arm64_reg>(UC_ARM64_REG_X0 + n));
}

void UnicornA64::set_x(unsigned n, uint64_t v)
{
    set_reg(n == 29 ? UC_ARM64_REG_X29 : n == 30 ? UC_ARM64_REG_X30 : static_cast<uc_arm64_reg>(UC_ARM64_REG_X0 + n), v);
}

void UnicornA64::v(unsigned n, uint64_t out[2]) const
{
    check(uc_reg_read(uc_, static_cast<uc_arm64_reg>(UC_ARM64_REG_V0 + n), out), "read a vector register");
}

void UnicornA64::set_v(unsigned n, const uint64_t in[2])
{
    uint64_t buf[2] = {in[0], in[1]};
    check(uc_reg_write(uc_, static_cast<uc_arm64_reg>(UC_ARM64_REG_V0 + n), buf), "write a vector register");
}

uint64_t UnicornA64::sysreg(uint32_t key) const
{
    uc_arm64_cp_reg r = cp_reg_of(key);
    check(uc_reg_read(uc_, UC_ARM64_REG_CP_REG, &r), "read a system register");
    return r.val;
}

void UnicornA64::set_sysreg(uint32_t key, uint64_t v)
{
    uc_arm64_cp_reg r = cp_reg_of(key);
    r.val = v;
    check(uc_reg_write(uc_, UC_ARM64_REG_CP_REG, &r), "write a system register");
}

void UnicornA64::save_context() { check(uc_context_save(uc_, context_), "save the context"); }
void UnicornA64::restore_context() { check(uc_context_restore(uc_, context_), "restore the context"); }

void UnicornA64::on_access(uc_engine*, uc_mem_type type, uint64_t addr, int size, int64_t value, void* self)
{
    auto& u = *static_cast<UnicornA64*>(self);
    Access a{};
    a.addr = addr;
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

void UnicornA64::on_interrupt(uc_engine* uc, uint32_t intno, void* self)
{
    static_cast<UnicornA64*>(self)->exception_ = static_cast<int>(intno);
    uc_emu_stop(uc);
}

UnicornA64::StepResult UnicornA64::step(uint64_t count)
{
    // QEMU's EXCP_PREFETCH_ABORT: an instruction fetch failed.
    constexpr int kPrefetchAbort = 3;
    accesses_.clear();
    exception_ = -1;
    uint64_t start = reg(UC_ARM64_REG_PC);
    // `until` 0 never stops us early: a branch to address 0 has already retired when it lands.
    uc_err e = uc_emu_start(uc_, start, 0, 0, count);
    // Unicorn stops a counted run when it reaches the next instruction, so it fetches that
    // instruction first. When the stepped instruction branched to unmapped, non-executable or
    // out-of-range memory, that fetch fails after the instruction retired. (The instruction
    // under test cannot fail its own fetch: the test maps it.)
    bool moved = reg(UC_ARM64_REG_PC) != start;
    bool fetch_failed = e == UC_ERR_FETCH_UNMAPPED || e == UC_ERR_FETCH_PROT || exception_ == kPrefetchAbort;
    bool completed = (e == UC_ERR_OK && exception_ < 0) || (fetch_failed && moved);
    return {completed, e, exception_};
}

std::string UnicornA64::StepResult::text() const
{
    if (completed)
        return "completed";
    if (exception >= 0)
        return "exception " + std::to_string(exception) + " (QEMU EXCP_* number)";
    return error_text(error);
}

}  // namespace emu::test
