#include "debug/target_description.h"

namespace emu::debug {

const TargetDescription& target_description(Arch arch)
{
    switch (arch) {
    case Arch::AArch64: return aarch64_description();
    case Arch::I386: return i386_description();
    }
    return aarch64_description();
}

DescriptionBuilder::DescriptionBuilder(Arch arch, std::string_view gdb_architecture)
{
    d_.arch_ = arch;
    d_.xml_ = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n";
    d_.xml_.append("  <architecture>").append(gdb_architecture).append("</architecture>\n");
}

void DescriptionBuilder::feature(std::string_view name, std::string_view type_definitions)
{
    if (in_feature_)
        d_.xml_ += "  </feature>\n";
    in_feature_ = true;
    d_.xml_.append("  <feature name=\"").append(name).append("\">\n").append(type_definitions);
}

void DescriptionBuilder::reg(std::string_view name, unsigned bits, std::string_view type, std::string_view group)
{
    // The explicit regnum only restates the position; it makes the numbering visible to anyone
    // reading the document.
    d_.xml_.append("    <reg name=\"").append(name).append("\" bitsize=\"").append(std::to_string(bits));
    d_.xml_.append("\" type=\"").append(type).append("\" regnum=\"").append(std::to_string(d_.register_bytes_.size()));
    if (!group.empty())
        d_.xml_.append("\" group=\"").append(group);
    d_.xml_ += "\"/>\n";
    d_.register_bytes_.push_back(bits / 8);
}

TargetDescription DescriptionBuilder::finish(unsigned pc_regnum, std::vector<unsigned> expedited,
                                             bool gdb_steps_over_watched_access)
{
    if (in_feature_)
        d_.xml_ += "  </feature>\n";
    d_.xml_ += "</target>\n";
    d_.pc_ = pc_regnum;
    d_.expedited_ = std::move(expedited);
    d_.steps_over_watched_access_ = gdb_steps_over_watched_access;
    return std::move(d_);
}

}  // namespace emu::debug
