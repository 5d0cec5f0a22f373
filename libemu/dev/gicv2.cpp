#include "dev/gicv2.h"

#include <algorithm>

#include "core/state_archive.h"

namespace emu {

namespace {

// Distributor registers (GICD_*), byte offsets.
enum Dist : uint64_t {
    GICD_CTLR = 0x000,
    GICD_TYPER = 0x004,
    GICD_IIDR = 0x008,
    GICD_IGROUPR = 0x080,
    GICD_ISENABLER = 0x100,
    GICD_ICENABLER = 0x180,
    GICD_ISPENDR = 0x200,
    GICD_ICPENDR = 0x280,
    GICD_ISACTIVER = 0x300,
    GICD_ICACTIVER = 0x380,
    GICD_IPRIORITYR = 0x400,
    GICD_ITARGETSR = 0x800,
    GICD_ICFGR = 0xC00,
    GICD_SGIR = 0xF00,
    GICD_CPENDSGIR = 0xF10,
    GICD_SPENDSGIR = 0xF20,
};

// CPU interface registers (GICC_*).
enum Cpu : uint64_t {
    GICC_CTLR = 0x00,
    GICC_PMR = 0x04,
    GICC_BPR = 0x08,
    GICC_IAR = 0x0C,
    GICC_EOIR = 0x10,
    GICC_RPR = 0x14,
    GICC_HPPIR = 0x18,
    GICC_ABPR = 0x1C,
    GICC_IIDR = 0xFC,
    GICC_DIR = 0x1000,
};

// GICD_CTLR and GICC_CTLR as laid out without the Security Extensions.
constexpr uint32_t kEnableGrp0 = 1u << 0;
constexpr uint32_t kEnableGrp1 = 1u << 1;
constexpr uint32_t kCtlrAckCtl = 1u << 2;
constexpr uint32_t kCtlrFiqEn = 1u << 3;
constexpr uint32_t kCtlrCbpr = 1u << 4;
constexpr uint32_t kCtlrEoiMode = 1u << 9;
// The interrupt bypass bits [8:5] are not modelled (there is no legacy signal to bypass to).
constexpr uint32_t kCpuCtlrMask = 0x1F | kCtlrEoiMode;

constexpr uint8_t kIdlePriority = 0xFF;
constexpr uint32_t kIrqIdMask = 0x3FF;  // GICC_IAR/EOIR bits [9:0]; [12:10] name the SGI source
constexpr uint32_t kFirstSpecialId = 1020;

// Implementer ARM (JEP106 0x43B); GICC_IIDR.ArchitectureVersion (bits [19:16]) is 2.
constexpr uint32_t kDistIidr = 0x0000043B;
constexpr uint32_t kCpuIidr = 0x0002043B;
// Peripheral and component ID registers at 0xFD0-0xFFC (PIDR4-7, PIDR0-3, CIDR0-3), one byte
// each: the values of ARM's CoreLink GIC-400, whose PIDR2 names architecture version 2.
constexpr uint8_t kIdRegs[12] = {0x04, 0x00, 0x00, 0x00, 0x90, 0xB4, 0x2B, 0x00, 0x0D, 0xF0, 0x05, 0xB1};
constexpr uint64_t kIdRegsBase = 0xFD0;

// GICD_TYPER: ITLinesNumber = 32 * (N + 1) interrupts, one CPU, no Security Extensions.
constexpr uint32_t kTyper = Gicv2::kNumIrqs / 32 - 1;

// Bit-per-interrupt register banks: the first interrupt a byte at `offset` covers.
constexpr unsigned bit_bank_irq(uint64_t offset, uint64_t base) { return static_cast<unsigned>(offset - base) * 8; }

}  // namespace

Gicv2::Gicv2()
{
    // SGIs are edge-triggered and not configurable (GICD_ICFGR0 reads 0xAAAAAAAA), and they are
    // permanently enabled, an IMPLEMENTATION DEFINED choice QEMU's GIC makes too.
    cfg_[0] = 0xAAAAAAAA;
    for (unsigned i = 0; i < kFirstPpi; i++)
        enabled_[i] = true;
}

void Gicv2::set_input(unsigned irq_id, bool level)
{
    if (irq_id < kFirstPpi || irq_id >= kNumIrqs || level_[irq_id] == level)
        return;
    level_[irq_id] = level;
    if (level && is_edge(irq_id))
        latched_[irq_id] = true;
    update();
}

bool Gicv2::pending(unsigned irq_id) const
{
    // A level-sensitive interrupt stays pending while its wire is asserted, whatever software
    // does to the latch.
    return latched_[irq_id] || (!is_edge(irq_id) && level_[irq_id]);
}

unsigned Gicv2::highest_pending() const
{
    unsigned best = kSpurious;
    for (unsigned i = 0; i < kNumIrqs; i++) {
        if (!enabled_[i] || active_[i] || !pending(i))
            continue;
        if (!(dist_ctlr_ & (group1_[i] ? kEnableGrp1 : kEnableGrp0)))
            continue;
        if (best == kSpurious || priority_[i] < priority_[best])
            best = i;
    }
    return best;
}

uint8_t Gicv2::group_priority(uint8_t priority, bool group1) const
{
    // BPR = n splits the priority after bit n for Group 0; ABPR (Group 1) counts one less.
    if (group1 && !(cpu_ctlr_ & kCtlrCbpr))
        return static_cast<uint8_t>(priority & (0xFF << abpr_));
    return static_cast<uint8_t>(priority & (0xFF << (bpr_ + 1)));
}

uint8_t Gicv2::running_priority() const
{
    for (unsigned p = 0; p < active_priorities_.size(); p++)
        if (active_priorities_[p])
            return static_cast<uint8_t>(p);
    return kIdlePriority;
}

bool Gicv2::can_signal(unsigned irq_id) const
{
    bool g1 = group1_[irq_id];
    return (cpu_ctlr_ & (g1 ? kEnableGrp1 : kEnableGrp0)) && priority_[irq_id] < pmr_ &&
           group_priority(priority_[irq_id], g1) < running_priority();
}

void Gicv2::update()
{
    unsigned best = highest_pending();
    bool signal = best != kSpurious && can_signal(best);
    bool as_fiq = signal && !group1_[best] && (cpu_ctlr_ & kCtlrFiqEn);
    irq.set(signal && !as_fiq);
    fiq.set(as_fiq);
}

uint32_t Gicv2::acknowledge()
{
    unsigned best = highest_pending();
    if (best == kSpurious || !can_signal(best))
        return kSpurious;
    if (group1_[best] && !(cpu_ctlr_ & kCtlrAckCtl))
        return kSpuriousGroup1;
    latched_[best] = false;
    active_[best] = true;
    active_priorities_[group_priority(priority_[best], group1_[best])] = true;
    update();
    return best;  // the SGI source CPU, bits [12:10], is always CPU 0
}

void Gicv2::end_of_interrupt(uint32_t value)
{
    unsigned id = value & kIrqIdMask;
    if (id >= kFirstSpecialId)
        return;
    // Priority drop: the highest active priority, which is the last interrupt acknowledged.
    for (unsigned p = 0; p < active_priorities_.size(); p++) {
        if (active_priorities_[p]) {
            active_priorities_[p] = false;
            break;
        }
    }
    // With EOImode set, GICC_DIR deactivates separately.
    if (!(cpu_ctlr_ & kCtlrEoiMode))
        deactivate(id);
}

void Gicv2::deactivate(uint32_t value)
{
    unsigned id = value & kIrqIdMask;
    if (id < kNumIrqs)
        active_[id] = false;
}

uint8_t Gicv2::dist_read_byte(uint64_t offset) const
{
    auto bits = [&](const std::bitset<kNumIrqs>& set, uint64_t base) {
        unsigned first = bit_bank_irq(offset, base);
        uint8_t v = 0;
        for (unsigned b = 0; b < 8 && first + b < kNumIrqs; b++)
            v |= static_cast<uint8_t>(set[first + b]) << b;
        return v;
    };
    auto word_byte = [&](uint32_t word) { return static_cast<uint8_t>(word >> (8 * (offset & 3))); };

    if (offset < GICD_IGROUPR) {
        switch (offset & ~uint64_t{3}) {
        case GICD_CTLR: return word_byte(dist_ctlr_);
        case GICD_TYPER: return word_byte(kTyper);
        case GICD_IIDR: return word_byte(kDistIidr);
        default: return 0;
        }
    }
    if (offset < GICD_ISENABLER)
        return bits(group1_, GICD_IGROUPR);
    if (offset < GICD_ICENABLER)
        return bits(enabled_, GICD_ISENABLER);
    if (offset < GICD_ISPENDR)
        return bits(enabled_, GICD_ICENABLER);
    if (offset < GICD_ISACTIVER) {
        uint64_t base = offset < GICD_ICPENDR ? GICD_ISPENDR : GICD_ICPENDR;
        unsigned first = bit_bank_irq(offset, base);
        uint8_t v = 0;
        for (unsigned b = 0; b < 8 && first + b < kNumIrqs; b++)
            v |= static_cast<uint8_t>(pending(first + b)) << b;
        return v;
    }
    if (offset < GICD_ICACTIVER)
        return bits(active_, GICD_ISACTIVER);
    if (offset < GICD_IPRIORITYR)
        return bits(active_, GICD_ICACTIVER);
    if (offset < GICD_ITARGETSR) {
        unsigned id = static_cast<unsigned>(offset - GICD_IPRIORITYR);
        return id < kNumIrqs ? priority_[id] : 0;
    }
    // With one CPU every interrupt targets it and GICD_ITARGETSR is RAZ/WI (IHI 0048B 4.3.12).
    if (offset < GICD_ICFGR)
        return 0;
    if (offset < GICD_ICFGR + 0x100) {
        unsigned byte = static_cast<unsigned>(offset - GICD_ICFGR);
        return byte / 4 < cfg_.size() ? static_cast<uint8_t>(cfg_[byte / 4] >> (8 * (byte % 4))) : 0;
    }
    if (offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 0x10) {
        // One byte per SGI, one bit per source CPU: only CPU 0 sends.
        unsigned id = static_cast<unsigned>(offset & 0xF);
        return latched_[id] ? 1 : 0;
    }
    if (offset >= kIdRegsBase && offset < kIdRegsBase + 4 * sizeof kIdRegs && (offset & 3) == 0)
        return kIdRegs[(offset - kIdRegsBase) / 4];
    return 0;
}

void Gicv2::dist_write_byte(uint64_t offset, uint8_t value)
{
    // Applies a set/clear-style write to the eight interrupts a byte covers.
    auto each_bit = [&](uint64_t base, auto&& fn) {
        unsigned first = bit_bank_irq(offset, base);
        for (unsigned b = 0; b < 8 && first + b < kNumIrqs; b++)
            fn(first + b, (value >> b) & 1);
    };

    if (offset < GICD_IGROUPR) {
        if (offset == GICD_CTLR)
            dist_ctlr_ = value & (kEnableGrp0 | kEnableGrp1);
        return;
    }
    if (offset < GICD_ISENABLER)
        return each_bit(GICD_IGROUPR, [&](unsigned id, bool bit) { group1_[id] = bit; });
    if (offset < GICD_ICENABLER)
        return each_bit(GICD_ISENABLER, [&](unsigned id, bool bit) { enabled_[id] = enabled_[id] || bit; });
    if (offset < GICD_ISPENDR)
        return each_bit(GICD_ICENABLER, [&](unsigned id, bool bit) {
            if (id >= kFirstPpi)
                enabled_[id] = enabled_[id] && !bit;
        });
    // SGI pending state changes only through GICD_SGIR, GICD_SPENDSGIR and GICD_CPENDSGIR.
    if (offset < GICD_ICPENDR)
        return each_bit(GICD_ISPENDR, [&](unsigned id, bool bit) {
            if (id >= kFirstPpi && bit)
                latched_[id] = true;
        });
    if (offset < GICD_ISACTIVER)
        return each_bit(GICD_ICPENDR, [&](unsigned id, bool bit) {
            if (id >= kFirstPpi && bit)
                latched_[id] = false;
        });
    if (offset < GICD_ICACTIVER)
        return each_bit(GICD_ISACTIVER, [&](unsigned id, bool bit) { active_[id] = active_[id] || bit; });
    if (offset < GICD_IPRIORITYR)
        return each_bit(GICD_ICACTIVER, [&](unsigned id, bool bit) { active_[id] = active_[id] && !bit; });
    if (offset < GICD_ITARGETSR) {
        unsigned id = static_cast<unsigned>(offset - GICD_IPRIORITYR);
        if (id < kNumIrqs)
            priority_[id] = value;
        return;
    }
    if (offset < GICD_ICFGR)
        return;
    if (offset < GICD_ICFGR + 0x100) {
        unsigned byte = static_cast<unsigned>(offset - GICD_ICFGR);
        if (byte < 4 || byte / 4 >= cfg_.size())
            return;  // SGIs are always edge-triggered
        // Only the upper bit of each two-bit field (edge, not level) is writable.
        unsigned shift = 8 * (byte % 4);
        uint32_t& word = cfg_[byte / 4];
        word = (word & ~(0xFFu << shift)) | (static_cast<uint32_t>(value & 0xAA) << shift);
        return;
    }
    if (offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 0x10) {
        unsigned id = static_cast<unsigned>(offset & 0xF);
        if (value & 1)
            latched_[id] = offset >= GICD_SPENDSGIR;
    }
}

uint64_t Gicv2::Distributor::mmio_read(uint64_t offset, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= static_cast<uint64_t>(gic.dist_read_byte(offset + i)) << (8 * i);
    return v;
}

void Gicv2::Distributor::mmio_write(uint64_t offset, uint64_t value, unsigned size)
{
    if (offset == GICD_SGIR) {
        // TargetListFilter: 0 uses the list, 1 means every other CPU (there is none), 2 self.
        unsigned filter = (value >> 24) & 3;
        bool to_self = filter == 2 || (filter == 0 && ((value >> 16) & 1));
        if (to_self)
            gic.latched_[value & 0xF] = true;
    } else {
        for (unsigned i = 0; i < size; i++)
            gic.dist_write_byte(offset + i, static_cast<uint8_t>(value >> (8 * i)));
    }
    gic.update();
}

uint32_t Gicv2::cpu_read(uint64_t offset)
{
    switch (offset) {
    case GICC_CTLR: return cpu_ctlr_;
    case GICC_PMR: return pmr_;
    case GICC_BPR: return bpr_;
    case GICC_IAR: return acknowledge();
    case GICC_RPR: return running_priority();
    case GICC_HPPIR: {
        // Masked by the priority mask (as QEMU's GIC does) but not by the running priority.
        unsigned best = highest_pending();
        if (best == kSpurious || priority_[best] >= pmr_)
            return kSpurious;
        return group1_[best] && !(cpu_ctlr_ & kCtlrAckCtl) ? kSpuriousGroup1 : best;
    }
    case GICC_ABPR: return abpr_;
    case GICC_IIDR: return kCpuIidr;
    default: return 0;
    }
}

void Gicv2::cpu_write(uint64_t offset, uint32_t value)
{
    switch (offset) {
    case GICC_CTLR: cpu_ctlr_ = value & kCpuCtlrMask; break;
    case GICC_PMR: pmr_ = static_cast<uint8_t>(value); break;
    case GICC_BPR: bpr_ = static_cast<uint8_t>(std::max<uint32_t>(value & 7, kMinBpr)); break;
    case GICC_ABPR: abpr_ = static_cast<uint8_t>(std::max<uint32_t>(value & 7, kMinBpr + 1)); break;
    case GICC_EOIR: end_of_interrupt(value); break;
    case GICC_DIR: deactivate(value); break;
    default: return;
    }
    update();
}

uint64_t Gicv2::CpuInterface::mmio_read(uint64_t offset, unsigned) { return gic.cpu_read(offset & ~uint64_t{3}); }

void Gicv2::CpuInterface::mmio_write(uint64_t offset, uint64_t value, unsigned)
{
    gic.cpu_write(offset & ~uint64_t{3}, static_cast<uint32_t>(value));
}

void Gicv2::serialize(StateArchive& a)
{
    a.section("gicv2", 1);
    a.field("dist_ctlr", dist_ctlr_);
    a.field("group1", group1_);
    a.field("enabled", enabled_);
    a.field("latched", latched_);
    a.field("active", active_);
    a.field("level", level_);

    // One byte per interrupt: another length is a GIC with another number of interrupts.
    std::vector<uint8_t> priority(priority_.begin(), priority_.end());
    a.blob("priority", priority);
    if (a.loading() && priority.size() != priority_.size())
        a.fail("priorities for " + std::to_string(priority.size()) + " interrupts");
    else if (a.loading())
        std::copy(priority.begin(), priority.end(), priority_.begin());

    // GICD_ICFGRn as their little-endian bytes, as the guest reads them.
    std::vector<uint8_t> cfg;
    for (uint32_t word : cfg_)
        for (unsigned i = 0; i < 4; i++)
            cfg.push_back(static_cast<uint8_t>(word >> (8 * i)));
    a.blob("cfg", cfg);
    if (a.loading() && cfg.size() != 4 * cfg_.size())
        a.fail("configuration for " + std::to_string(cfg.size() * 4) + " interrupts");
    else if (a.loading())
        for (size_t w = 0; w < cfg_.size(); w++)
            cfg_[w] = uint32_t{cfg[4 * w]} | uint32_t{cfg[4 * w + 1]} << 8 | uint32_t{cfg[4 * w + 2]} << 16 |
                      uint32_t{cfg[4 * w + 3]} << 24;

    a.field("cpu_ctlr", cpu_ctlr_);
    a.field("pmr", pmr_);
    a.field("bpr", bpr_);
    a.field("abpr", abpr_);
    a.field("active_priorities", active_priorities_);

    bool irq_level = irq.level();
    bool fiq_level = fiq.level();
    a.field("irq", irq_level);
    a.field("fiq", fiq_level);
    if (a.loading()) {
        irq.restore_level(irq_level);
        fiq.restore_level(fiq_level);
    }
}


}  // namespace emu
