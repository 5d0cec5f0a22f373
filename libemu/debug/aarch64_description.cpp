// The AArch64 target description: gdb's core and fpu features with the numbering gdb's
// AArch64 support requires, and the EL1 system registers the rr-emu CPU keeps.
#include "debug/target_description.h"

namespace emu::debug {

namespace {

// PSTATE as SPSR lays it out (the architecture's bit positions).
constexpr std::string_view kCoreTypes = R"(    <flags id="a64_pstate" size="4">
      <field name="SP" start="0" end="0"/>
      <field name="EL" start="2" end="3"/>
      <field name="nRW" start="4" end="4"/>
      <field name="F" start="6" end="6"/>
      <field name="I" start="7" end="7"/>
      <field name="A" start="8" end="8"/>
      <field name="D" start="9" end="9"/>
      <field name="IL" start="20" end="20"/>
      <field name="SS" start="21" end="21"/>
      <field name="V" start="28" end="28"/>
      <field name="C" start="29" end="29"/>
      <field name="Z" start="30" end="30"/>
      <field name="N" start="31" end="31"/>
    </flags>
)";

// A V register seen as lanes of each width; gdb adds the q/d/s/h/b views itself.
constexpr std::string_view kFpuTypes = R"(    <vector id="a64_v2f64" type="ieee_double" count="2"/>
    <vector id="a64_v4f32" type="ieee_single" count="4"/>
    <vector id="a64_v2u64" type="uint64" count="2"/>
    <vector id="a64_v4u32" type="uint32" count="4"/>
    <vector id="a64_v8u16" type="uint16" count="8"/>
    <vector id="a64_v16u8" type="uint8" count="16"/>
    <union id="a64_vreg">
      <field name="d" type="a64_v2f64"/>
      <field name="s" type="a64_v4f32"/>
      <field name="u64" type="a64_v2u64"/>
      <field name="u32" type="a64_v4u32"/>
      <field name="u16" type="a64_v8u16"/>
      <field name="u8" type="a64_v16u8"/>
      <field name="q" type="uint128"/>
    </union>
)";

constexpr std::string_view kNoTypes = "";

}  // namespace

const TargetDescription& aarch64_description()
{
    static const TargetDescription description = [] {
        DescriptionBuilder b(Arch::AArch64, "aarch64");
#define RR_GDB_FEATURE(name, types) b.feature(name, types);
#define RR_GDB_REG(name, bits, type, group) b.reg(#name, bits, type, group);
#include "debug/aarch64_registers.inc"
#undef RR_GDB_REG
#undef RR_GDB_FEATURE
        auto n = [](A64Reg r) { return static_cast<unsigned>(r); };
        return b.finish(n(A64Reg::pc), {n(A64Reg::x29), n(A64Reg::sp), n(A64Reg::pc)}, true);
    }();
    return description;
}

}  // namespace emu::debug
