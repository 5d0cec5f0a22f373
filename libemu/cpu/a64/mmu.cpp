#include "cpu/a64/mmu.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "core/bits.h"

namespace emu::a64 {

namespace {

// TCR_EL1 fields (ARM ARM D13.2, TCR_EL1).
constexpr unsigned kTcrT1szShift = 16;
constexpr uint64_t kTcrEpd0 = uint64_t{1} << 7;
constexpr uint64_t kTcrEpd1 = uint64_t{1} << 23;
constexpr unsigned kTcrTg0Shift = 14;
constexpr unsigned kTcrTg1Shift = 30;
constexpr unsigned kTcrIpsShift = 32;
constexpr uint64_t kTcrTbi0 = uint64_t{1} << 37;
constexpr uint64_t kTcrTbi1 = uint64_t{1} << 38;

constexpr uint64_t kSctlrM = 1;
constexpr uint64_t kSctlrI = uint64_t{1} << 12;
constexpr uint64_t kSctlrWxn = uint64_t{1} << 19;

// The TxSZ an ARMv8.0 CPU (no FEAT_LVA, no FEAT_TTST) supports. Outside it the architecture
// lets a CPU either clamp or take a level 0 Translation fault; QEMU faults, and so do we.
constexpr unsigned kMinTxSz = 16;
constexpr unsigned kMaxTxSz = 39;

// Output address sizes by the PARange/IPS encoding.
constexpr unsigned kPaBits[] = {32, 36, 40, 42, 44, 48, 52};

// Descriptor fields.
constexpr uint64_t kDescValid = 1;
constexpr uint64_t kDescTableOrPage = 2;
constexpr uint64_t kDescAf = uint64_t{1} << 10;
constexpr unsigned kDescPxnBit = 53;
constexpr unsigned kDescUxnBit = 54;
constexpr uint64_t kDescAddressBits = 48;  // output addresses are bits [47:granule]
// The hierarchical controls of a table descriptor, bits [63:59] shifted down to [4:0].
constexpr unsigned kTablePxn = 1 << 0;
constexpr unsigned kTableUxn = 1 << 1;
constexpr unsigned kTableApNoEl0 = 1 << 2;     // APTable[0]
constexpr unsigned kTableApReadOnly = 1 << 3;  // APTable[1]

unsigned pa_bits(uint64_t encoding) { return kPaBits[std::min<uint64_t>(encoding, std::size(kPaBits) - 1)]; }

// log2 of the granule TG0 or TG1 selects. A reserved or unimplemented choice behaves as an
// implemented one; which is IMPLEMENTATION DEFINED (ARM ARM D13.2, TCR_EL1.TG0), and like
// QEMU we take the smallest: on a Cortex-A57, 16 KiB tables are walked as 4 KiB ones.
unsigned granule_bits(uint64_t tcr, bool ttbr1, uint64_t mmfr0)
{
    unsigned g = 0;
    if (ttbr1) {
        switch ((tcr >> kTcrTg1Shift) & 3) {
        case 1: g = 14; break;
        case 2: g = 12; break;
        case 3: g = 16; break;
        }
    } else {
        switch ((tcr >> kTcrTg0Shift) & 3) {
        case 0: g = 12; break;
        case 1: g = 16; break;
        case 2: g = 14; break;
        }
    }
    // ID_AA64MMFR0_EL1.TGran4 and TGran64 are 0 when supported, TGran16 is 1.
    bool has4 = ((mmfr0 >> 28) & 0xF) == 0;
    bool has16 = ((mmfr0 >> 20) & 0xF) == 1;
    bool has64 = ((mmfr0 >> 24) & 0xF) == 0;
    if ((g == 12 && has4) || (g == 14 && has16) || (g == 16 && has64))
        return g;
    return has4 ? 12 : has16 ? 14 : 16;
}

// The first level where a block descriptor is allowed (ARMv8.0: 1 GiB blocks with 4 KiB
// tables, 32 MiB and 512 MiB blocks at level 2 with 16 and 64 KiB ones).
unsigned first_block_level(unsigned granule) { return granule == 12 ? 1 : 2; }

bool read_descriptor(Bus& bus, PhysAddr addr, uint64_t& desc)
{
    if (const uint8_t* p = bus.ram_ptr(addr, 8)) {
        std::memcpy(&desc, p, 8);  // little-endian tables: SCTLR_EL1.EE is 0
        return true;
    }
    return bus.read(addr, 8, desc) == Bus::Status::Ok;
}

TranslationResult fault(FaultKind kind, unsigned level)
{
    TranslationResult r;
    r.fault = {kind, static_cast<uint8_t>(level)};
    return r;
}

// Stage 1 disabled (AArch64.TranslateAddressS1Off): the flat map, Device-nGnRnE for data and
// Normal for fetches, and an Address size fault for bits above the physical address size.
TranslationResult flat(const SysRegs& sys, uint64_t mmfr0, uint64_t va, bool is_fetch, unsigned top)
{
    unsigned size = pa_bits(mmfr0 & 0xF);
    if (((va >> size) & ones(top + 1 - size)) != 0)
        return fault(FaultKind::AddressSize, 0);
    TranslationResult r;
    r.t.pa = va & ones(size);
    r.t.perms = kPermRead1 | kPermWrite1 | kPermExec1 | kPermRead0 | kPermWrite0 | kPermExec0;
    if (is_fetch) {
        r.t.attr = (sys.sctlr_el1 & kSctlrI) ? 0xEE : 0x44;  // Normal write-through or non-cacheable
        r.t.sh = 2;                                          // Outer Shareable
    }
    return r;
}

// What the final descriptor, under the table descriptors' controls, lets each EL do
// (AArch64.CheckPermission for ARMv8.0: no PAN, no hardware dirty state).
uint8_t permissions(uint64_t desc, unsigned table, bool wxn)
{
    unsigned ap = (desc >> 6) & 3;  // AP[2:1]: bit 0 opens EL0, bit 1 makes read-only
    if (table & kTableApNoEl0)
        ap &= ~1u;
    if (table & kTableApReadOnly)
        ap |= 2;
    bool el0 = ap & 1;
    bool read_only = ap & 2;
    bool pxn = ((desc >> kDescPxnBit) & 1) || (table & kTablePxn);
    bool uxn = ((desc >> kDescUxnBit) & 1) || (table & kTableUxn);
    bool w1 = !read_only;
    bool w0 = el0 && !read_only;
    uint8_t p = kPermRead1;
    p |= w1 ? kPermWrite1 : 0;
    p |= el0 ? kPermRead0 : 0;
    p |= w0 ? kPermWrite0 : 0;
    // EL1 never executes what EL0 may write; with SCTLR_EL1.WXN nothing writable executes.
    if (!pxn && !w0 && !(wxn && w1))
        p |= kPermExec1;
    if (!uxn && !(wxn && w0))
        p |= kPermExec0;
    return p;
}

}  // namespace

uint32_t fault_status_code(Fault f)
{
    switch (f.kind) {
    case FaultKind::None: return 0;
    case FaultKind::AddressSize: return 0x00u | f.level;
    case FaultKind::Translation: return 0x04u | f.level;
    case FaultKind::AccessFlag: return 0x08u | f.level;
    case FaultKind::Permission: return 0x0Cu | f.level;
    case FaultKind::ExternalOnWalk: return 0x14u | f.level;
    case FaultKind::External: return 0x10;
    case FaultKind::Alignment: return 0x21;
    }
    return 0;
}

uint64_t strip_tag(const SysRegs& sys, uint64_t va)
{
    bool upper = (va >> 55) & 1;
    if (!(sys.tcr_el1 & (upper ? kTcrTbi1 : kTcrTbi0)))
        return va;
    return static_cast<uint64_t>(sign_extend(va, 56));
}

TranslationResult translate_stage1(const SysRegs& sys, uint64_t mmfr0, uint64_t va, bool is_fetch, Bus& bus)
{
    const uint64_t tcr = sys.tcr_el1;
    // VA[55] selects the half of the address space, whatever the top byte holds. TBI applies
    // to fetches too (AddrTop: ARMv8.0 has no TBID), though a branch already drops the tag.
    const bool upper = (va >> 55) & 1;
    const bool tbi = tcr & (upper ? kTcrTbi1 : kTcrTbi0);
    const unsigned top = tbi ? 55 : 63;
    if (!(sys.sctlr_el1 & kSctlrM))
        return flat(sys, mmfr0, va, is_fetch, top);

    unsigned txsz = (tcr >> (upper ? kTcrT1szShift : 0)) & 0x3F;
    if (txsz < kMinTxSz || txsz > kMaxTxSz)
        return fault(FaultKind::Translation, 0);
    unsigned inputsize = 64 - txsz;
    // Bits [top:inputsize] must all equal VA[55]: the gap between the halves, and a tag where
    // TBI is off, is a level 0 Translation fault.
    uint64_t above = (va >> inputsize) & ones(top + 1 - inputsize);
    if (above != (upper ? ones(top + 1 - inputsize) : 0))
        return fault(FaultKind::Translation, 0);
    if (tcr & (upper ? kTcrEpd1 : kTcrEpd0))
        return fault(FaultKind::Translation, 0);

    const unsigned g = granule_bits(tcr, upper, mmfr0);
    const unsigned stride = g - 3;
    // The output size is the smaller of TCR_EL1.IPS and what the CPU implements.
    const unsigned oa_bits = pa_bits(std::min<uint64_t>((tcr >> kTcrIpsShift) & 7, mmfr0 & 0xF));
    unsigned level = 4 - (inputsize - 4) / stride;
    unsigned index_bits = inputsize - (g + stride * (3 - level));

    uint64_t ttbr = upper ? sys.ttbr1_el1 : sys.ttbr0_el1;
    uint64_t table = ttbr & ones(kDescAddressBits);  // BADDR; the ASID is above
    if (table >> oa_bits)
        return fault(FaultKind::AddressSize, 0);
    table &= ~ones(index_bits + 3);  // the base is aligned to the table's size

    const uint64_t address_field = ones(kDescAddressBits) & ~ones(g);
    unsigned table_controls = 0;
    for (;;) {
        unsigned shift = g + stride * (3 - level);
        PhysAddr desc_addr = table + ((va >> shift) & ones(index_bits)) * 8;
        uint64_t desc;
        if (!read_descriptor(bus, desc_addr, desc))
            return fault(FaultKind::ExternalOnWalk, level);
        // Invalid, or the reserved block encoding at level 3.
        if (!(desc & kDescValid) || (level == 3 && !(desc & kDescTableOrPage)))
            return fault(FaultKind::Translation, level);
        uint64_t oa = desc & address_field;
        if (level < 3 && (desc & kDescTableOrPage)) {
            if (oa >> oa_bits)
                return fault(FaultKind::AddressSize, level);
            table_controls |= static_cast<unsigned>(desc >> 59);
            table = oa;
            level++;
            index_bits = stride;
            continue;
        }
        if (level < first_block_level(g))
            return fault(FaultKind::Translation, level);
        if (oa >> oa_bits)
            return fault(FaultKind::AddressSize, level);
        if (!(desc & kDescAf))
            return fault(FaultKind::AccessFlag, level);
        TranslationResult r;
        r.t.pa = (oa & ~ones(shift)) | (va & ones(shift));
        r.t.perms = permissions(desc, table_controls, sys.sctlr_el1 & kSctlrWxn);
        r.t.attr = static_cast<uint8_t>(sys.mair_el1 >> (8 * ((desc >> 2) & 7)));
        r.t.sh = static_cast<uint8_t>((desc >> 8) & 3);
        r.t.level = static_cast<uint8_t>(level);
        r.t.block_bits = static_cast<uint8_t>(shift);
        return r;
    }
}

}  // namespace emu::a64
