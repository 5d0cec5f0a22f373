// The i386 target description: gdb's core feature with the numbering gdb's i386 support
// requires, and the control registers as a feature of their own.
#include "debug/target_description.h"

namespace emu::debug {

namespace {

// EFLAGS bits (Intel SDM vol. 1, 3.4.3); IOPL is left out so the flags print as a list.
constexpr std::string_view kCoreTypes = R"(    <flags id="i386_eflags_bits" size="4">
      <field name="CF" start="0" end="0"/>
      <field name="" start="1" end="1"/>
      <field name="PF" start="2" end="2"/>
      <field name="AF" start="4" end="4"/>
      <field name="ZF" start="6" end="6"/>
      <field name="SF" start="7" end="7"/>
      <field name="TF" start="8" end="8"/>
      <field name="IF" start="9" end="9"/>
      <field name="DF" start="10" end="10"/>
      <field name="OF" start="11" end="11"/>
      <field name="NT" start="14" end="14"/>
      <field name="RF" start="16" end="16"/>
      <field name="VM" start="17" end="17"/>
      <field name="AC" start="18" end="18"/>
      <field name="VIF" start="19" end="19"/>
      <field name="VIP" start="20" end="20"/>
      <field name="ID" start="21" end="21"/>
    </flags>
)";

// CR0 bits (Intel SDM vol. 3, 2.5).
constexpr std::string_view kControlTypes = R"(    <flags id="i386_cr0_bits" size="4">
      <field name="PE" start="0" end="0"/>
      <field name="MP" start="1" end="1"/>
      <field name="EM" start="2" end="2"/>
      <field name="TS" start="3" end="3"/>
      <field name="ET" start="4" end="4"/>
      <field name="NE" start="5" end="5"/>
      <field name="WP" start="16" end="16"/>
      <field name="AM" start="18" end="18"/>
      <field name="NW" start="29" end="29"/>
      <field name="CD" start="30" end="30"/>
      <field name="PG" start="31" end="31"/>
    </flags>
)";

}  // namespace

const TargetDescription& i386_description()
{
    static const TargetDescription description = [] {
        DescriptionBuilder b(Arch::I386, "i386");
#define RR_GDB_FEATURE(name, types) b.feature(name, types);
#define RR_GDB_REG(name, bits, type, group) b.reg(#name, bits, type, group);
#include "debug/i386_registers.inc"
#undef RR_GDB_REG
#undef RR_GDB_FEATURE
        auto n = [](I386Reg r) { return static_cast<unsigned>(r); };
        return b.finish(n(I386Reg::eip), {n(I386Reg::ebp), n(I386Reg::esp), n(I386Reg::eip)}, false);
    }();
    return description;
}

}  // namespace emu::debug
