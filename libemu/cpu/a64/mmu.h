// Stage 1 translation of the EL1&0 regime (ARM ARM D5, "The AArch64 Virtual Memory System
// Architecture"), as an ARMv8.0 Cortex-A57 has it: the VMSAv8-64 table walk for the 4, 16 and
// 64 KiB granules, TTBR0/TTBR1 selection with TBI, the address size, translation and access
// flag faults at every level, and the permissions a descriptor grants at EL0 and EL1. With
// SCTLR_EL1.M clear it gives the flat translation. It is a function of the system registers
// and physical memory alone, so that tests can drive it without a CPU; caching (the TLB) and
// delivering faults are the CPU's business.
#pragma once

#include <cstdint>

#include "core/bus.h"
#include "cpu/a64/state.h"

namespace emu::a64 {

// ID_AA64MMFR0_EL1 of a Cortex-A57 (as QEMU's cortex-a57): PARange 44 bits, 16-bit ASIDs,
// mixed-endian support, 4 KiB and 64 KiB granules but no 16 KiB one. The walk takes the
// granule support and the physical address size from whatever value it is given.
constexpr uint64_t kIdAa64Mmfr0CortexA57 = 0x0000000000001124;

// Why a translation failed. The fault status codes of ESR_ELx and PAR_EL1 are
// fault_status_code() of the kind and level.
enum class FaultKind : uint8_t {
    None,
    AddressSize,
    Translation,
    AccessFlag,
    Permission,
    ExternalOnWalk,  // a descriptor read from no memory at all
    External,        // the access itself reached no memory (data or fetch)
    Alignment,
};

struct Fault {
    FaultKind kind = FaultKind::None;
    uint8_t level = 0;
};

// The FSC (DFSC/IFSC) of ESR_ELx, also PAR_EL1.FST.
uint32_t fault_status_code(Fault f);

// Permissions a translation grants, one bit per exception level and access.
enum PermBit : uint8_t {
    kPermRead1 = 1 << 0,
    kPermWrite1 = 1 << 1,
    kPermExec1 = 1 << 2,
    kPermRead0 = 1 << 3,
    kPermWrite0 = 1 << 4,
    kPermExec0 = 1 << 5,
};

// The permission bits an access at EL `el` (0 or 1) needs.
constexpr uint8_t read_perm(unsigned el) { return el ? kPermRead1 : kPermRead0; }
constexpr uint8_t write_perm(unsigned el) { return el ? kPermWrite1 : kPermWrite0; }
constexpr uint8_t exec_perm(unsigned el) { return el ? kPermExec1 : kPermExec0; }

// A successful translation of one address.
struct Translation {
    PhysAddr pa = 0;         // of the byte asked for
    uint8_t perms = 0;       // PermBit
    uint8_t attr = 0;        // the MAIR_EL1 attribute byte (Device when 0000xx00)
    uint8_t sh = 0;          // SH[1:0] of the descriptor
    uint8_t level = 0;       // of the descriptor that mapped it (permission faults report it)
    uint8_t block_bits = 0;  // log2 of the page or block size; 0 with the MMU off
};

struct TranslationResult {
    Translation t;
    Fault fault;
    bool ok() const { return fault.kind == FaultKind::None; }
};

// Device memory of any kind: MAIR attributes 0000xx00.
constexpr bool is_device(uint8_t attr) { return (attr & 0xF0) == 0; }

// Translates `va` as the instruction gave it (tag byte included) for a data access or an
// instruction fetch. Permissions are not checked: the result says what each EL may do, so
// that one walk serves every access to the page.
TranslationResult translate_stage1(const SysRegs& sys, uint64_t id_aa64mmfr0, uint64_t va, bool is_fetch, Bus& bus);

// The address a data access translates, with the tag byte replaced by copies of bit 55
// where TCR_EL1.TBI0/TBI1 say the top byte is ignored; also what a branch to `va` sets the
// PC to (AArch64.BranchAddr).
uint64_t strip_tag(const SysRegs& sys, uint64_t va);

}  // namespace emu::a64
