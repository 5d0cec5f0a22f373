// A level-sensitive interrupt wire from a device to whatever it is connected to.
#pragma once

#include <functional>

namespace emu {

class IrqLine {
public:
    void connect(std::function<void(bool)> sink) { sink_ = std::move(sink); }
    void set(bool level)
    {
        if (level == level_)
            return;
        level_ = level;
        if (sink_)
            sink_(level);
    }
    bool level() const { return level_; }
    // Restores the level without telling the sink: the receiver's state is restored too.
    void restore_level(bool level) { level_ = level; }

private:
    std::function<void(bool)> sink_;
    bool level_ = false;
};

}  // namespace emu
