#include "a64_lockstep_rig.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "cpu/a64/sysreg_keys.h"
#include "support/a64_page_tables.h"

namespace emu::test {

namespace {

constexpr uint32_t kBranchToSelf = 0x14000000;

// The main RAM first (the CPU's fast path is the first region), then the vector page and,
// for translation tables, the table pool.
Bus& with_ram(Bus& bus, uint64_t base, uint64_t size, bool mmu)
{
    bus.add_ram(base, size);
    bus.add_ram(LockstepRig::kVectorPage, kPageSize);
    std::vector<uint32_t> vectors(kPageSize / 4, kBranchToSelf);
    bus.write_bytes(LockstepRig::kVectorPage, vectors.data(), kPageSize);
    if (mmu)
        bus.add_ram(LockstepRig::kTablePool, LockstepRig::kTablePoolSize);
    return bus;
}

}  // namespace

LockstepRig::LockstepRig(uint64_t ram_base, uint64_t ram_size, uint32_t unicorn_perms, std::optional<RigMmu> mmu)
    : cpu(with_ram(bus, ram_base, ram_size, mmu.has_value()), clock, platform),
      ram_base_(ram_base),
      ram_size_(ram_size),
      window_base_(mmu ? mmu->va_base : ram_base),
      unicorn_ram_(ram_size),
      mmu_(std::move(mmu))
{
    unicorn.map(ram_base, unicorn_ram_.data(), ram_size, unicorn_perms);
    // Unicorn 2.0 translates through the tables, but before an access or fetch it also looks
    // the virtual address up in its map of (physical) memory, and calls it unmapped when it is
    // not there. The same host memory mapped at the virtual window too satisfies that check;
    // the accesses still go where the tables say.
    if (window_base_ != ram_base)
        unicorn.map(window_base_, unicorn_ram_.data(), ram_size, unicorn_perms);
    // Unicorn's 'max' CPU has EL2 and EL3 and resets into Secure EL1 with SCR_EL3.RW clear,
    // where it treats returns to AArch64 EL1t as illegal and asserts on some system register
    // traps. Ours is a Non-secure-like EL1 with nothing above it: make Unicorn's EL1
    // Non-secure and AArch64 at every level (SCR_EL3.NS and .RW, HCR_EL2.RW), with no EL2
    // traps enabled.
    constexpr uint32_t kScrEl3 = a64::sysreg::key(3, 6, 1, 1, 0);
    constexpr uint32_t kHcrEl2 = a64::sysreg::key(3, 4, 1, 1, 0);
    constexpr uint64_t kScrNs = 1u << 0, kScrRw = 1u << 10, kHcrRw = uint64_t{1} << 31;
    unicorn.set_sysreg(kScrEl3, kScrNs | kScrRw);
    unicorn.set_sysreg(kHcrEl2, kHcrRw);
    // Unicorn resets with SCTLR_EL1.SA/SA0 set; ours with them clear. Give Unicorn ours so that
    // both check stack alignment alike, and our VBAR_EL1; then remember that as the state to
    // return to.
    unicorn.set_sysreg(a64::sysreg::SCTLR_EL1, cpu.s.sys.sctlr_el1);
    unicorn.set_sysreg(a64::sysreg::VBAR_EL1, kVectorPage);
    unicorn.set_sysreg(a64::sysreg::CPACR_EL1, kCpacrFpEnabled);
    if (mmu_)
        set_up_mmu(*mmu_);
    reset_ours(window_base_);
    unicorn.save_context();
}

void LockstepRig::set_up_mmu(const RigMmu& mmu)
{
    unicorn_tables_.assign(kTablePoolSize, 0);
    unicorn.map(kTablePool, unicorn_tables_.data(), kTablePoolSize, UC_PROT_READ | UC_PROT_WRITE);
    PageTableBuilder pt(
        [this](uint64_t addr, uint64_t value) {
            bus.write_bytes(addr, &value, 8);
            std::memcpy(unicorn_tables_.data() + (addr - kTablePool), &value, 8);
        },
        mmu.granule_bits, mmu.va_bits, kTablePool, kTablePoolSize);
    const uint64_t normal = desc::attr_index(kAttrNormal) | desc::kShInner;
    leaf_size_ = uint64_t{1} << (mmu.granule_bits + (mmu.granule_bits - 3) * (3 - mmu.leaf_level));
    const uint64_t type = mmu.leaf_level == 3 ? desc::kPage : desc::kBlock;
    for (uint64_t off = 0; off < ram_size_; off += leaf_size_) {
        uint64_t bits = mmu.leaf_bits ? mmu.leaf_bits(off) : normal | desc::kAf;
        pt.set(window_base_ + off, mmu.leaf_level, bits ? (ram_base_ + off) | bits | type : 0);
        constexpr uint64_t kNoExec = desc::kPxn | desc::kUxn;
        executable_.push_back(bits && (bits & desc::kAf) && (bits & kNoExec) != kNoExec);
    }
    uint64_t granule = uint64_t{1} << mmu.granule_bits;
    pt.map(kVectorPage & ~(granule - 1), kVectorPage & ~(granule - 1), granule, normal);

    mair_ = kTestMair;
    tcr_ = tcr_for_ttbr0(mmu.granule_bits, mmu.va_bits) | (mmu.tbi ? uint64_t{1} << 37 : 0);
    ttbr0_ = pt.root();
    unicorn.set_sysreg(a64::sysreg::MAIR_EL1, mair_);
    unicorn.set_sysreg(a64::sysreg::TCR_EL1, tcr_);
    unicorn.set_sysreg(a64::sysreg::TTBR0_EL1, ttbr0_);
    unicorn.set_sysreg(a64::sysreg::SCTLR_EL1, cpu.s.sys.sctlr_el1 | 1);
    // Unicorn keeps TCR_EL1.TBI in the flags it translates code with, and only an MSR (not a
    // register write from outside) refreshes them: TCR_EL1 is written again by running
    // `msr tcr_el1, x0`, from a page of its own at the (identity mapped) vector page.
    constexpr uint32_t kMsrTcrX0 = 0xd5182040;
    unicorn_vectors_.assign(kPageSize, 0);
    std::memcpy(unicorn_vectors_.data(), &kMsrTcrX0, 4);
    std::memcpy(unicorn_vectors_.data() + 4, &kBranchToSelf, 4);
    unicorn.map(kVectorPage, unicorn_vectors_.data(), kPageSize, UC_PROT_ALL);
    unicorn.set_x(0, tcr_);
    unicorn.set_reg(UC_ARM64_REG_PC, kVectorPage);
    UnicornA64::StepResult r = unicorn.step(1);
    if (!r.completed || unicorn.sysreg(a64::sysreg::TCR_EL1) != tcr_)
        throw std::runtime_error("LockstepRig: Unicorn did not take TCR_EL1: " + r.text());
}

void LockstepRig::apply_mmu_to_ours()
{
    cpu.s.sys.mair_el1 = mair_;
    cpu.s.sys.tcr_el1 = tcr_;
    cpu.s.sys.ttbr0_el1 = ttbr0_;
    cpu.s.sys.sctlr_el1 |= 1;
    cpu.translation_changed();
}

void LockstepRig::reset_ours(uint64_t pc)
{
    cpu.reset(pc);
    cpu.s.sys.vbar_el1 = kVectorPage;
    cpu.s.sys.cpacr_el1 = kCpacrFpEnabled;
    if (mmu_)
        apply_mmu_to_ours();
}

void LockstepRig::write(uint64_t addr, const void* data, uint64_t len)
{
    if (addr < window_base_ || len > ram_size_ || addr - window_base_ > ram_size_ - len)
        throw std::out_of_range("LockstepRig::write outside RAM");
    uint64_t off = addr - window_base_;
    bus.write_bytes(ram_base_ + off, data, len);
    std::memcpy(unicorn_ram_.data() + off, data, len);
    invalidate_unicorn_code(addr, len);
}

void LockstepRig::patch_unicorn(uint64_t addr, const void* data, uint64_t len)
{
    if (addr < window_base_ || len > ram_size_ || addr - window_base_ > ram_size_ - len)
        throw std::out_of_range("LockstepRig::patch_unicorn outside RAM");
    std::memcpy(unicorn_ram_.data() + (addr - window_base_), data, len);
    invalidate_unicorn_code(addr, len);
}

void LockstepRig::protect_unicorn(uint64_t addr, uint64_t len, uint32_t perms)
{
    unicorn.protect(ram_base_ + (addr - window_base_), len, perms);
    if (window_base_ != ram_base_)
        unicorn.protect(addr, len, perms);
}

void LockstepRig::invalidate_unicorn_code(uint64_t addr, uint64_t len)
{
    if (!mmu_) {
        unicorn.invalidate_code(addr, len);
        return;
    }
    // Unicorn finds the code to drop by translating addr for a fetch, which must not fault;
    // and code can only have been translated from executable leaves.
    for (uint64_t a = addr; a < addr + len;) {
        uint64_t leaf = (a - window_base_) / leaf_size_;
        uint64_t end = std::min(addr + len, window_base_ + (leaf + 1) * leaf_size_);
        if (executable_[leaf])
            unicorn.invalidate_code(a, end - a);
        a = end;
    }
}

void LockstepRig::undo_unicorn_stores()
{
    const std::vector<UnicornA64::Access>& a = unicorn.accesses();
    for (auto it = a.rbegin(); it != a.rend(); ++it)
        if (it->is_write)
            patch_unicorn(it->addr, it->before, it->before_len);
}

void LockstepRig::fill(const std::vector<uint8_t>& bytes)
{
    if (bytes.size() != ram_size_)
        throw std::invalid_argument("LockstepRig::fill needs exactly the RAM size");
    write(window_base_, bytes.data(), bytes.size());
}

void LockstepRig::resync_unicorn_from_ours()
{
    std::memcpy(unicorn_ram_.data(), our_ram(), ram_size_);
    invalidate_unicorn_code(window_base_, ram_size_);
}

LockstepRig::OurStep LockstepRig::step_ours()
{
    uint64_t esr = cpu.s.sys.esr_el1;
    RunEnd stop = cpu.run(1);
    OurStep r{true, stop, cpu.s.sys.esr_el1, {}};
    if (stop == RunEnd::Stopped) {
        r.completed = false;
        r.what = "unsupported: " + cpu.stop()->detail;
    } else if (cpu.s.sys.esr_el1 != esr) {
        char buf[80];
        std::snprintf(buf, sizeof buf, "exception, ESR_EL1=0x%" PRIx64 " (EC 0x%02" PRIx64 ")", r.esr, r.esr >> 26);
        r.completed = false;
        r.what = buf;
    }
    return r;
}

std::vector<std::string> LockstepRig::our_invariant_failures() const
{
    std::vector<std::string> out;
    if (uint64_t zr = cpu.s.r[a64::kZr]; zr != 0) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "our zero-register slot holds 0x%" PRIx64 " (a write went to XZR)", zr);
        out.push_back(buf);
    }
    return out;
}

bool LockstepRig::memory_equal(uint64_t addr, uint64_t len)
{
    uint64_t off = addr - window_base_;
    return std::memcmp(our_ram() + off, unicorn_ram_.data() + off, len) == 0;
}

std::vector<std::string> LockstepRig::memory_differences(uint64_t addr, uint64_t len, unsigned max_lines)
{
    std::vector<std::string> out;
    const uint8_t* a = our_ram() + (addr - window_base_);
    const uint8_t* b = unicorn_ram_.data() + (addr - window_base_);
    for (uint64_t i = 0; i < len;) {
        if (a[i] == b[i]) {
            i++;
            continue;
        }
        if (out.size() >= max_lines) {
            out.push_back("... and more");
            break;
        }
        // Two lines per run of up to 16 bytes starting at the first difference.
        unsigned n = static_cast<unsigned>(std::min<uint64_t>(16, len - i));
        out.push_back("ours    " + format_bytes(addr + i, a + i, n));
        out.push_back("unicorn " + format_bytes(addr + i, b + i, n));
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
