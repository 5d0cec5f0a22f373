// The x86 I/O port space: devices claim port ranges; IN and OUT reach them through here.
// Unclaimed ports read as all ones and ignore writes, as on a PC with nothing decoding them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace emu {

class PortDevice {
public:
    virtual ~PortDevice() = default;
    // `port` is the absolute port number; size is 1, 2 or 4 bytes.
    virtual uint32_t port_read(uint16_t port, unsigned size) = 0;
    virtual void port_write(uint16_t port, uint32_t value, unsigned size) = 0;
};

class IoPorts {
public:
    void add(uint16_t first, uint16_t count, PortDevice* device, std::string name)
    {
        ranges_.push_back({first, count, device, std::move(name)});
    }

    uint32_t read(uint16_t port, unsigned size)
    {
        if (PortDevice* d = device_at(port))
            return d->port_read(port, size);
        return size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFFu : 0xFFu;
    }
    void write(uint16_t port, uint32_t value, unsigned size)
    {
        if (PortDevice* d = device_at(port))
            d->port_write(port, value, size);
    }

private:
    struct Range {
        uint16_t first, count;
        PortDevice* device;
        std::string name;
    };
    PortDevice* device_at(uint16_t port)
    {
        for (const Range& r : ranges_)
            if (port >= r.first && port - r.first < r.count)
                return r.device;
        return nullptr;
    }
    std::vector<Range> ranges_;
};

}  // namespace emu
