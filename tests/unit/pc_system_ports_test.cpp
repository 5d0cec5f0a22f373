// isa-debug-exit and port 0x92 (the i8042 has i8042_test.cpp).
#include <catch2/catch.hpp>

#include "core/state_archive.h"
#include "dev/pc_system_ports.h"

using emu::IsaDebugExit;
using emu::SystemControlA;

TEST_CASE("isa-debug-exit: exit status (value << 1) | 1 over its port range", "[pc][debugexit]")
{
    std::vector<int> codes;
    IsaDebugExit dev(0xF4, 4, [&](int code) { codes.push_back(code); });
    dev.port_write(0xF4, 0x10, 1);
    dev.port_write(0xF4, 0x00, 1);
    dev.port_write(0xF7, 0x01, 1);
    dev.port_write(0xF4, 0x1234, 2);
    dev.port_write(0xF4, 0x1FF, 1);  // masked to the access size
    dev.port_write(0xF8, 0x05, 1);   // outside the range
    dev.port_write(0xF3, 0x05, 1);
    CHECK(codes == std::vector<int>{0x21, 0x01, 0x03, 0x2469, 0x1FF});
    CHECK(dev.port_read(0xF4, 1) == 0);

    // QEMU's default placement.
    codes.clear();
    IsaDebugExit def(0x501, 2, [&](int code) { codes.push_back(code); });
    def.port_write(0x502, 3, 1);
    def.port_write(0x503, 3, 1);
    CHECK(codes == std::vector<int>{7});
}

TEST_CASE("port 0x92: reset on a rising bit 0, A20 in bit 1", "[pc][port92]")
{
    SystemControlA p;
    unsigned resets = 0;
    std::vector<bool> a20;
    p.reset_request = [&] { resets++; };
    p.set_a20 = [&](bool on) { a20.push_back(on); };
    CHECK(p.port_read(0x92, 1) == 0x00);
    p.port_write(0x92, 0x02, 1);
    CHECK(p.port_read(0x92, 1) == 0x02);
    CHECK(p.a20());
    CHECK(resets == 0);
    p.port_write(0x92, 0x03, 1);
    CHECK(resets == 1);
    p.port_write(0x92, 0x03, 1);  // no new edge
    CHECK(resets == 1);
    p.reset();
    CHECK(p.port_read(0x92, 1) == 0x02);  // the reset clears bit 0 only
    p.port_write(0x92, 0x01, 1);
    CHECK(resets == 2);
    CHECK_FALSE(p.a20());
    CHECK(a20 == std::vector<bool>{true, true, true, false});
}

TEST_CASE("pc system ports: save is deterministic and covers the state", "[pc][port92]")
{
    SystemControlA p, q;
    auto save92 = [](const SystemControlA& x) {
        std::vector<uint8_t> s;
        append_state(s, x);
        return s;
    };
    CHECK(save92(p) == save92(q));
    p.port_write(0x92, 2, 1);
    CHECK(save92(p) != save92(q));
}
