// Unicorn as the reference AArch64 CPU: an RAII wrapper that maps host memory the test owns,
// reads and writes the architectural state we compare, and steps exact instruction counts
// while recording every data access it makes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <unicorn/unicorn.h>

namespace emu::test {

class UnicornA64 {
public:
    // One data access, as Unicorn's memory hooks saw it before it happened. `before` holds the
    // bytes at the address at that moment (what a load returns, what a store overwrites), so a
    // report can show the memory an instruction depended on.
    struct Access {
        uint64_t addr;
        unsigned size;
        bool is_write;
        uint64_t value;   // the value stored (writes only)
        uint8_t before[16];
        unsigned before_len;  // bytes of `before` that lie in mapped memory
    };

    // How a step ended. Completed: the instructions retired (Unicorn may then fail to fetch the
    // next one from unmapped or non-executable memory, which is not the stepped instruction's
    // business). Anything else: the
    // instruction raised an exception or touched unmapped memory; `error` says which.
    struct StepResult {
        bool completed;
        uc_err error;
        int exception;  // QEMU's exception number (EXCP_*), or -1 if none was raised

        std::string text() const;
    };

    // A CPU with every feature Unicorn has (LSE atomics among them), at EL1 with SP_EL1
    // selected, like ours after reset.
    UnicornA64();
    ~UnicornA64();
    UnicornA64(const UnicornA64&) = delete;
    UnicornA64& operator=(const UnicornA64&) = delete;

    // Maps `size` bytes of host memory at `addr` with UC_PROT_* `perms`. The memory stays the
    // caller's: tests write it directly and must then call invalidate_code().
    void map(uint64_t addr, uint8_t* host, uint64_t size, uint32_t perms = UC_PROT_ALL);
    void protect(uint64_t addr, uint64_t size, uint32_t perms);
    // Drops translated code for [addr, addr + len) after the caller rewrote it behind
    // Unicorn's back.
    void invalidate_code(uint64_t addr, uint64_t len);

    uint64_t reg(uc_arm64_reg r) const;
    void set_reg(uc_arm64_reg r, uint64_t v);
    uint64_t x(unsigned n) const;
    void set_x(unsigned n, uint64_t v);
    // V0..V31, 128 bits each: {low doubleword, high doubleword}.
    void v(unsigned n, uint64_t out[2]) const;
    void set_v(unsigned n, const uint64_t in[2]);

    // System registers by our 16-bit op0:op1:CRn:CRm:op2 key (see cpu/a64/sysreg_keys.h).
    uint64_t sysreg(uint32_t key) const;
    void set_sysreg(uint32_t key, uint64_t v);

    // The whole CPU state (registers, PSTATE, system registers, exclusive monitor) as it is
    // now, and back to it later: cheaper than a fresh engine, and it also resets what a
    // register write cannot, like the exception level after an ERET.
    void save_context();
    void restore_context();

    // Runs exactly `count` instructions from the current PC.
    StepResult step(uint64_t count = 1);
    // The data accesses of the last step, in order.
    const std::vector<Access>& accesses() const { return accesses_; }

    static std::string error_text(uc_err e);

private:
    static void on_interrupt(uc_engine* uc, uint32_t intno, void* self);
    static void on_access(uc_engine* uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void* self);
    void check(uc_err e, const char* what) const;

    struct Region {
        uint64_t addr;
        uint8_t* host;
        uint64_t size;
    };

    uc_engine* uc_ = nullptr;
    uc_context* context_ = nullptr;
    uc_hook access_hook_ = 0;
    uc_hook interrupt_hook_ = 0;
    int exception_ = -1;
    std::vector<Region> regions_;
    std::vector<Access> accesses_;
};

}  // namespace emu::test
