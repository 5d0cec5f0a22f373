// What gdb is told about a guest architecture: the target description document it reads with
// qXfer:features:read:target.xml (registers with their numbers, sizes, types and groups) and
// the few conventions of gdb's support for that architecture the protocol layer must follow.
// Each architecture's description is built in its own file from its register list.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "debug/registers.h"

namespace emu::debug {

class TargetDescription {
public:
    Arch arch() const { return arch_; }
    const std::string& xml() const { return xml_; }
    size_t register_count() const { return register_bytes_.size(); }
    // The size of register `regnum` in bytes.
    unsigned register_bytes(unsigned regnum) const { return register_bytes_[regnum]; }
    unsigned pc_regnum() const { return pc_; }
    // Registers sent with every stop reply so that gdb need not ask for them.
    std::span<const unsigned> expedited() const { return expedited_; }
    // gdb's AArch64 support assumes a watchpoint stops the CPU before the accessing
    // instruction completes and steps over that instruction itself before it looks at the
    // value (gdb's "non-steppable watchpoints"); on i386 it expects the access done.
    bool gdb_steps_over_watched_access() const { return steps_over_watched_access_; }

private:
    friend class DescriptionBuilder;
    Arch arch_ = Arch::AArch64;
    std::string xml_;
    std::vector<unsigned> register_bytes_;
    unsigned pc_ = 0;
    std::vector<unsigned> expedited_;
    bool steps_over_watched_access_ = false;
};

const TargetDescription& target_description(Arch arch);
const TargetDescription& aarch64_description();
const TargetDescription& i386_description();

// Writes the document as the register list is expanded, feature by feature.
class DescriptionBuilder {
public:
    DescriptionBuilder(Arch arch, std::string_view gdb_architecture);
    void feature(std::string_view name, std::string_view type_definitions);
    void reg(std::string_view name, unsigned bits, std::string_view type, std::string_view group);
    TargetDescription finish(unsigned pc_regnum, std::vector<unsigned> expedited,
                             bool gdb_steps_over_watched_access);

private:
    TargetDescription d_;
    bool in_feature_ = false;
};

}  // namespace emu::debug
