// What CPUID reports: the identity of QEMU's default `qemu32` CPU on qemu-system-i386 -M pc
// (GenuineIntel, family 6 model 6 stepping 3, "QEMU Virtual CPU version 2.5+", the same cache
// descriptors and leaf 4 parameters, CLFLUSH line size 8 in leaf 1's EBX), advertising only
// the features this interpreter implements: FPU, DE, PSE, TSC, MSR, CX8, CMOV, FXSR, and the
// APIC while the board has an enabled local APIC (Cpu::has_apic), and, as QEMU sets it for
// every CPU model, the hypervisor bit (leaf 1 ECX bit 31), which a kernel reads as "running
// in a virtual machine" (Linux then expects no PMU, for one). QEMU's qemu32 also advertises
// PAE, MCE, SEP, MTRR, PGE, PAT, MMX, SSE, SSE2 and SSE3, which this CPU lacks. Firmware
// tables that describe the processor use the same values.
#pragma once

#include <cstdint>

namespace emu::x86 {

constexpr uint32_t kCpuidSignature = 0x00000663;
constexpr uint32_t kCpuidFeatures = (1u << 0) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8) |
                                    (1u << 15) | (1u << 24);
constexpr uint32_t kCpuidFeatureApic = 1u << 9;
constexpr uint32_t kCpuidHypervisor = 1u << 31;  // leaf 1, ECX

struct CpuidResult {
    uint32_t eax, ebx, ecx, edx;
};

// Leaf `leaf` (sub-leaf `subleaf` where the leaf has them).
CpuidResult cpuid_leaf(uint32_t leaf, uint32_t subleaf, bool apic);

}  // namespace emu::x86
