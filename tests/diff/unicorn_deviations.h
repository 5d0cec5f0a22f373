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
//
// i386 (x86_lockstep_test.cpp, x87_lockstep_test.cpp): each deviation is recognised where the
// test handles it, next to the code that does; in summary:
//  - LOCK NEG m8/m16/m32 computes SF, ZF and PF from the operand before negation: Unicorn's
//    flags are recomputed from the stored result (correct_unicorn).
//  - UC_MODE_16 (real mode and 16-bit protected mode): after a counted stop EIP holds a linear
//    address (and after a far transfer not even that), a UC_HOOK_MEM_READ hook sends real-mode
//    far transfers to wrong addresses, and writing a segment register through the API loads
//    it the real-mode way even in protected mode. Not architectural differences but API
//    limits: the wrapper stops at the address our CPU ended at, installs no read hook in that
//    mode, and the rig enters 16-bit protected mode by running LGDT, MOV CR0 and a far jump
//    on both engines (unicorn_x86.h, X86LockstepRig::enter_mode).
//  - A far JMP or CALL does not set the Accessed bit of the code segment descriptor
//    (x86_guest_lockstep_test.cpp).
//  - x87: QEMU 5.0's floatx80 keeps no exception flags but ZE and no C1 rounding, stores
//    results under unmasked exceptions, has no stack faults, computes the transcendentals and
//    FPREM/FPREM1 through host doubles, takes a pseudo-denormal's integer bit for a fraction
//    bit, mishandles FIST/FBSTP out of range, FXTRACT/FXAM/FSCALE of the special classes,
//    SNaN conversions, FCOMI's OF/SF/AF, FNSTENV's masking and reserved fields, the pointer
//    updates of the control instructions, FST into an empty register and the constants'
//    rounding control. The case is counted "not comparable" or the field copied from ours
//    (known_x87_deviation and its file comment list each with its reason); those semantics
//    are checked instead against the SDM by the unit tests and against the host's x87 by
//    x87_host_test.cpp.
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
