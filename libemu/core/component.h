// A part of a machine with state of its own (a device): one symmetric serialize() that saves
// and loads it (core/state_archive.h). A board keeps its components in one list, in order,
// which snapshots and state hashes both walk.
#pragma once

namespace emu {

class StateArchive;

class Component {
public:
    virtual void serialize(StateArchive& a) = 0;

protected:
    ~Component() = default;
};

}  // namespace emu
