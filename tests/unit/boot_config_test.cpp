// The run configuration's boot files (configuration version 4): roles round-trip, and what
// cannot describe a machine's boot is refused with status 65.
#include <catch2/catch.hpp>

#include "replay/format/recording_config.h"

using namespace emu;

namespace {

RecordingConfig config_with(std::vector<RecordedFile> files)
{
    RecordingConfig c;
    c.machine = MachineConfig{"virt", 128 << 20, 0};
    c.append = "console=ttyAMA0";
    c.files = std::move(files);
    return c;
}

std::string refusal(const RecordingConfig& c)
{
    Result<RecordingConfig> r = decode_recording_config(encode(c), "x.rr");
    REQUIRE_FALSE(r);
    CHECK(r.error().status == ExitStatus::BadRecording);
    return r.error().message;
}

}  // namespace

TEST_CASE("run configuration: every boot role round-trips in blob order", "[replay][boot]")
{
    RecordingConfig c = config_with({{BootRole::Kernel, "vmlinuz", ""},
                                     {BootRole::Initrd, "init.cpio", ""},
                                     {BootRole::Module, "a.bin", "a.bin x"},
                                     {BootRole::Module, "b.bin", "b.bin"},
                                     {BootRole::DeviceTree, "device tree (generated)", ""}});
    Result<RecordingConfig> back = decode_recording_config(encode(c), "x.rr");
    REQUIRE(back);
    REQUIRE(back->files.size() == 5);
    for (size_t i = 0; i < 5; ++i) {
        CHECK(back->files[i].role == c.files[i].role);
        CHECK(back->files[i].path == c.files[i].path);
        CHECK(back->files[i].command_line == c.files[i].command_line);
    }
    CHECK(back->append == "console=ttyAMA0");
    CHECK(back->kernel_path() == "vmlinuz");

    Result<RecordingConfig> firmware = decode_recording_config(encode(config_with({{BootRole::Bios, "u-boot.bin", ""}})), "x.rr");
    REQUIRE(firmware);
    CHECK(firmware->kernel_path().empty());
}

TEST_CASE("run configuration: impossible boot file lists are refused", "[replay][boot]")
{
    CHECK(refusal(config_with({})).find("neither a kernel nor firmware") != std::string::npos);
    CHECK(refusal(config_with({{BootRole::Kernel, "a", ""}, {BootRole::Kernel, "b", ""}}))
              .find("more than one kernel") != std::string::npos);
    CHECK(refusal(config_with({{BootRole::Kernel, "a", ""}, {BootRole::DeviceTree, "t", ""},
                               {BootRole::DeviceTree, "u", ""}}))
              .find("more than one device tree") != std::string::npos);
    std::vector<uint8_t> bytes = encode(config_with({{BootRole::Kernel, "k", ""}}));
    // The role byte is followed by the path "k" and an empty command line (each a u32 length
    // and its bytes), then the virtio fields (layout, drive count, network, entropy): flip it
    // to an unknown role.
    size_t role_at = bytes.size() - (1 + 4 + 1 + 4) - (1 + 4 + 1 + 1);
    REQUIRE(bytes[role_at] == 1);
    bytes[role_at] = 9;
    Result<RecordingConfig> r = decode_recording_config(bytes, "x.rr");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("unknown role 9") != std::string::npos);
    // Configuration version 2 (before boot files had roles) is refused by number.
    bytes[0] = 2;
    CHECK(decode_recording_config(bytes, "x.rr").error().message.find("version 2 is not supported") != std::string::npos);
}
