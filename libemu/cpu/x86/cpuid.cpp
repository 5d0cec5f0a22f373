#include "cpu/x86/cpuid.h"

namespace emu::x86 {

namespace {

constexpr uint32_t kMaxBasicLeaf = 4;
constexpr uint32_t kMaxExtendedLeaf = 0x80000004;
// "GenuineIntel" in EBX, EDX, ECX order.
constexpr uint32_t kVendorEbx = 0x756E6547, kVendorEdx = 0x49656E69, kVendorEcx = 0x6C65746E;
// CLFLUSH line size in 8-byte units (bits 15-8 of leaf 1's EBX), APIC ID 0.
constexpr uint32_t kLeaf1Ebx = 8u << 8;

// Leaf 4, deterministic cache parameters, by sub-leaf: L1 data, L1 instruction, L2, L3.
constexpr CpuidResult kCacheParameters[4] = {
    {0x00000121, 0x01C0003F, 0x0000003F, 0x00000001},
    {0x00000122, 0x01C0003F, 0x0000003F, 0x00000001},
    {0x00000143, 0x03C0003F, 0x00000FFF, 0x00000001},
    {0x00000163, 0x03C0003F, 0x00003FFF, 0x00000006},
};

// "QEMU Virtual CPU version 2.5+", 16 bytes per leaf 0x80000002-0x80000004.
constexpr CpuidResult kBrand[3] = {
    {0x554D4551, 0x72695620, 0x6C617574, 0x55504320},
    {0x72657620, 0x6E6F6973, 0x352E3220, 0x0000002B},
    {0, 0, 0, 0},
};

CpuidResult basic_leaf(uint32_t leaf, uint32_t subleaf, bool apic)
{
    switch (leaf) {
    case 0: return {kMaxBasicLeaf, kVendorEbx, kVendorEcx, kVendorEdx};
    case 1: return {kCpuidSignature, kLeaf1Ebx, kCpuidHypervisor, kCpuidFeatures | (apic ? kCpuidFeatureApic : 0)};
    case 2: return {0x00000001, 0, 0x0000004D, 0x002C307D};  // cache and TLB descriptors
    case 4: return subleaf < 4 ? kCacheParameters[subleaf] : CpuidResult{0, 0, 0, 0};
    default: return {0, 0, 0, 0};
    }
}

}  // namespace

CpuidResult cpuid_leaf(uint32_t leaf, uint32_t subleaf, bool apic)
{
    // Leaves past the highest basic or extended one answer as the highest basic leaf does
    // (with sub-leaf 0), as Intel's processors (and QEMU) do.
    if (leaf >= 0x80000000 && leaf <= kMaxExtendedLeaf) {
        switch (leaf) {
        case 0x80000000: return {kMaxExtendedLeaf, kVendorEbx, kVendorEcx, kVendorEdx};
        case 0x80000001: return {kCpuidSignature, 0, 0, 0};
        default: return kBrand[leaf - 0x80000002];
        }
    }
    if (leaf > kMaxBasicLeaf)
        return basic_leaf(kMaxBasicLeaf, 0, apic);
    return basic_leaf(leaf, subleaf, apic);
}

}  // namespace emu::x86
