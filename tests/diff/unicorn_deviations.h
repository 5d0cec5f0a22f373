// The places where Unicorn 2.0.1 (QEMU 5.0 inside) is known to differ from the architecture,
// and what the lockstep tests do about each. Every entry was found by these tests, checked
// against the ARM ARM pseudocode, and is recognised narrowly so that it cannot hide a bug of
// ours:
//
//  - LDSMAX/LDSMIN/LDUMAX/LDUMIN on bytes, halfwords and words store a wrong value: QEMU
//    compares the whole 64-bit Xs with the zero-extended memory value instead of the narrowed
//    (and, for the signed forms, sign-extended) operands. The value returned in Xt is right.
//    Unicorn's stored value is replaced by the architectural one, which ours must then match.
//  - Some accesses that must be aligned take no Alignment fault in QEMU 5: store-exclusives
//    when the monitor is not open (QEMU checks the monitor first; the architecture checks
//    alignment first, in AArch64.ExclusiveMonitorsPass), and load-acquires and store-releases
//    (LDAR, STLR, LDLAR, STLLR), which ARMv8.0 to 8.3 require aligned. Ours faults. A case
//    where ours took exactly that fault and Unicorn went on is not comparable.
//  - QEMU does not check SP alignment (SCTLR_EL1.SA/SA0; ARM ARM D1.8.2, "SP alignment
//    checking", and CheckSPAlignment() in the load/store pseudocode): with the A57's reset
//    SCTLR_EL1 both checks are on, and a load or store based on a misaligned SP takes the SP
//    alignment fault (EC 0x26) in ours and completes in Unicorn. Not comparable.
//
// With the MMU on (translation through 4 KiB and 64 KiB pages and 2 MiB blocks, faults of
// every kind, TBI, AT and PAR_EL1), no deviation was found. Two things about Unicorn 2.0
// itself are handled in the rig instead (a64_lockstep_rig.cpp): it looks each virtual address
// up in its map of memory before translating it, so the window is mapped at its virtual
// address too; and it takes TCR_EL1.TBI into its translation flags only from an MSR.
//
// FP and Advanced SIMD (every scalar FP, AdvSIMD, crypto and SIMD&FP load/store line of the
// decode table, with NaNs, infinities, denormals and every FPCR rounding mode, FZ, DN and AHP)
// needed no entry: across the seeds run so far, every result and FPSR flag agreed. What the
// two CPUs legitimately do differently is not a deviation and is handled where it arises:
// Unicorn's 'max' CPU keeps FPCR and FPSR bits that an ARMv8.0 CPU without AArch32 lacks
// (FZ16, Len, Stride, the AArch32 NZCV), so those registers are compared in the ARMv8.0 bits
// only (A64Snapshot).
#pragma once

#include <cstdint>

#include "a64_lockstep_rig.h"
#include "a64_snapshot.h"

namespace emu::test {

enum class Deviation {
    None,
    ReferencePatched,  // Unicorn's result was corrected to the architecture's; compare as usual
    NotComparable,     // the engines may rightly disagree; count the case and move on
};

// Called after both engines ran `insn` from `before`.
Deviation known_deviation(uint32_t insn, const A64Snapshot& before, const LockstepRig::OurStep& ours,
                          bool unicorn_completed, LockstepRig& rig);

}  // namespace emu::test
