// A machine as an expression context: registers by their architectural names, guest
// physical memory and icount, for --seek/--print and rr-bisect --until.
#pragma once

#include "machine/machine.h"
#include "replay/search/expr.h"

namespace emu {

class MachineExprContext final : public ExprContext {
public:
    explicit MachineExprContext(Machine& m) : m_(m) {}

    std::optional<uint64_t> reg(std::string_view name) const override
    {
        const auto& names = m_.register_names();
        for (size_t i = 0; i < names.size(); ++i)
            if (names[i] == name)
                return m_.register_values()[i];
        return std::nullopt;
    }
    std::vector<std::string> register_names() const override { return m_.register_names(); }
    bool read_memory(uint64_t addr, unsigned size, uint64_t& value) const override
    {
        return m_.read_memory(addr, size, value);
    }
    uint64_t icount() const override { return m_.icount(); }

private:
    Machine& m_;
};

}  // namespace emu
