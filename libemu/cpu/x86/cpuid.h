// What CPUID leaf 1 reports: an i686-class identity like QEMU's qemu32 CPU (GenuineIntel,
// family 6 model 6 stepping 3) advertising only what this interpreter implements: PSE, TSC,
// MSR, CX8, CMOV, and the APIC while the board has an enabled local APIC (Cpu::has_apic). No
// FPU bit: x87 instructions raise #NM or #UD. Firmware tables that describe the processor use
// the same values.
#pragma once

#include <cstdint>

namespace emu::x86 {

constexpr uint32_t kCpuidSignature = 0x00000663;
constexpr uint32_t kCpuidFeatures = (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 15);
constexpr uint32_t kCpuidFeatureApic = 1u << 9;

}  // namespace emu::x86
