// Every gdb command the session answers, over an in-memory transport against the fake target:
// what gdb sends, what comes back, and the malformed variants. The replies are taken apart by a
// decoder written here (checksum, run-length expansion), not by the code under test.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <regex>
#include <string>
#include <vector>

#include "debug/gdb_session.h"
#include "debug/hex.h"
#include "debug/target_description.h"
#include "support/fake_debug_target.h"

using namespace emu::debug;
using emu::test::FakeDebugTarget;

namespace {

// Input chunks in order: receive() takes the next one; while the target runs, poll() takes
// the next one too, as if it arrived then.
struct ScriptedTransport : Transport {
    std::deque<std::string> input;
    std::string output;

    std::string receive() override
    {
        if (input.empty())
            return {};
        std::string s = std::move(input.front());
        input.pop_front();
        return s;
    }
    std::string poll(bool&) override { return receive(); }
    void send(std::string_view bytes) override { output += bytes; }
};

std::string framed(std::string_view data)
{
    unsigned sum = 0;
    for (char c : data)
        sum += static_cast<uint8_t>(c);
    char cs[3];
    std::snprintf(cs, sizeof cs, "%02x", sum & 0xff);
    std::string out = "$";
    out.append(data).append("#").append(cs);
    return out;
}

// What the server sent: acks as "+"/"-", packets as their payloads (checksum checked, runs
// expanded).
std::vector<std::string> decode_wire(const std::string& wire)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < wire.size();) {
        char c = wire[i];
        if (c == '+' || c == '-') {
            out.emplace_back(1, c);
            ++i;
            continue;
        }
        REQUIRE(c == '$');
        size_t hash = wire.find('#', i);
        REQUIRE(hash != std::string::npos);
        REQUIRE(hash + 2 < wire.size());
        std::string body = wire.substr(i + 1, hash - i - 1);
        unsigned sum = 0;
        for (char b : body)
            sum += static_cast<uint8_t>(b);
        CHECK(std::stoul(wire.substr(hash + 1, 2), nullptr, 16) == (sum & 0xff));
        std::string data;
        for (size_t k = 0; k < body.size(); ++k) {
            if (body[k] == '*') {
                REQUIRE(!data.empty());
                REQUIRE(k + 1 < body.size());
                data.append(static_cast<size_t>(body[++k] - 29), data.back());
            } else {
                data.push_back(body[k]);
            }
        }
        out.push_back(data);
        i = hash + 3;
    }
    return out;
}

// One session: QStartNoAckMode first (so replies are all that comes back), then `packets`, each
// arriving on its own.
struct Talk {
    std::vector<std::string> replies;
    SessionEnd end;
};

Talk talk(FakeDebugTarget& target, const std::vector<std::string>& packets)
{
    ScriptedTransport t;
    t.input.push_back(framed("QStartNoAckMode"));
    for (const std::string& p : packets)
        t.input.push_back(framed(p));
    GdbSession session(t, target);
    Talk r;
    r.end = session.run();
    std::vector<std::string> wire = decode_wire(t.output);
    REQUIRE(wire.size() >= 2);
    CHECK(wire[0] == "+");  // the ack of QStartNoAckMode, the last one
    CHECK(wire[1] == "OK");
    r.replies.assign(wire.begin() + 2, wire.end());
    return r;
}

std::vector<std::string> replies(FakeDebugTarget& target, const std::vector<std::string>& packets)
{
    return talk(target, packets).replies;
}

std::string one_reply(FakeDebugTarget& target, const std::string& packet)
{
    std::vector<std::string> r = replies(target, {packet});
    REQUIRE(r.size() == 1);
    return r[0];
}

std::string le_hex(uint64_t v, unsigned bytes)
{
    std::vector<uint8_t> b(bytes);
    for (unsigned i = 0; i < bytes; ++i)
        b[i] = static_cast<uint8_t>(v >> (8 * i));
    return to_hex(b);
}

// The monitor output of a qRcmd reply sequence: the O packets' text, then the final reply.
std::pair<std::string, std::string> monitor_output(const std::vector<std::string>& r)
{
    std::string text;
    for (size_t i = 0; i + 1 < r.size(); ++i) {
        REQUIRE(r[i].starts_with('O'));
        std::optional<std::vector<uint8_t>> bytes = from_hex(r[i].substr(1));
        REQUIRE(bytes);
        text.append(bytes->begin(), bytes->end());
    }
    return {text, r.back()};
}

std::string rcmd(const std::string& command)
{
    return "qRcmd," + to_hex(std::string_view(command));
}

const std::string kA64Stop = "T05thread:1;1d:0000000000000000;1f:00000a4000000000;20:";

}  // namespace

TEST_CASE("gdb session: the connection handshake as gdb 13 sends it", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64);
    std::vector<std::string> r = replies(
        target, {"qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+;"
                 "vContSupported+;QThreadEvents+;no-resumed+;memory-tagging+;xmlRegisters=aarch64",
                 "vMustReplyEmpty", "Hgp0.0", "qTStatus", "?", "qfThreadInfo", "qsThreadInfo", "qAttached", "Hc-1",
                 "qC", "qOffsets", "qSymbol::", "vCont?", "T1", "T2", "qL1200000000000000000", "!"});
    REQUIRE(r.size() == 17);
    CHECK(r[0] == "PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;ReverseStep+;ReverseContinue+;"
                  "QStartNoAckMode+;vContSupported+");
    CHECK(r[1] == "");
    CHECK(r[2] == "OK");
    CHECK(r[3] == "");
    CHECK(r[4] == kA64Stop + "0000084000000000;");
    CHECK(r[5] == "m1");
    CHECK(r[6] == "l");
    CHECK(r[7] == "1");
    CHECK(r[8] == "OK");
    CHECK(r[9] == "QC1");
    CHECK(r[10] == "Text=0;Data=0;Bss=0");
    CHECK(r[11] == "OK");
    CHECK(r[12] == "vCont;c;C;s;S");
    CHECK(r[13] == "OK");
    CHECK(r[14] == "E01");
    CHECK(r[15] == "");
    CHECK(r[16] == "");
}

TEST_CASE("gdb session: acknowledgements, retransmission and no-ack mode", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64);
    ScriptedTransport t;
    t.input = {framed("qAttached"), "-", "+", "$qC#00", framed("qC"), framed("QStartNoAckMode"), "+", "$qC#00",
               framed("qAttached")};
    GdbSession session(t, target);
    CHECK(session.run() == SessionEnd::Disconnected);
    std::vector<std::string> wire = decode_wire(t.output);
    // '+' and the reply; the nak gets the reply again; a bad checksum gets '-'; then the good
    // packet; QStartNoAckMode acked; then without acks, a bad checksum gets E01.
    std::vector<std::string> expected = {"+", "1", "1", "-", "+", "QC1", "+", "OK", "E01", "1"};
    CHECK(wire == expected);
}

TEST_CASE("gdb session: oversize and badly run-length encoded packets get E01", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64);
    ScriptedTransport t;
    t.input = {framed(std::string(20000, 'q')), framed("*0"), framed("qC")};
    GdbSession session(t, target);
    session.run();
    std::vector<std::string> expected = {"+", "E01", "+", "E01", "+", "QC1"};
    CHECK(decode_wire(t.output) == expected);
}

TEST_CASE("gdb session: target descriptions carry gdb's register numbering", "[gdb]")
{
    struct Expect {
        Arch arch;
        std::vector<std::pair<std::string, unsigned>> regs;  // name, gdb number
        std::vector<std::string> features;
    };
    const Expect cases[] = {
        {Arch::AArch64,
         {{"x0", 0}, {"x30", 30}, {"sp", 31}, {"pc", 32}, {"cpsr", 33}, {"v0", 34}, {"v31", 65}, {"fpsr", 66},
          {"fpcr", 67}, {"sctlr_el1", 68}},
         {"org.gnu.gdb.aarch64.core", "org.gnu.gdb.aarch64.fpu", "org.rr-emu.aarch64.system"}},
        {Arch::I386,
         {{"eax", 0}, {"esp", 4}, {"eip", 8}, {"eflags", 9}, {"cs", 10}, {"gs", 15}, {"st0", 16}, {"fctrl", 24},
          {"fop", 31}, {"cr0", 32}, {"cr4", 35}},
         {"org.gnu.gdb.i386.core", "org.rr-emu.i386.control"}},
    };
    for (const Expect& e : cases) {
        FakeDebugTarget target(e.arch);
        std::string reply = one_reply(target, "qXfer:features:read:target.xml:0,3fff");
        REQUIRE(reply.starts_with('l'));
        std::string xml = reply.substr(1);
        CHECK(xml == target_description(e.arch).xml());
        for (const auto& [name, number] : e.regs) {
            INFO(name);
            CHECK(xml.find("<reg name=\"" + name + "\"") != std::string::npos);
            CHECK(std::regex_search(xml, std::regex("<reg name=\"" + name + "\"[^>]* regnum=\"" +
                                                    std::to_string(number) + "\"")));
        }
        for (const std::string& f : e.features)
            CHECK(xml.find("<feature name=\"" + f + "\">") != std::string::npos);
        // Registers are numbered in document order without gaps.
        std::regex regnum("regnum=\"(\\d+)\"");
        unsigned next = 0;
        for (auto it = std::sregex_iterator(xml.begin(), xml.end(), regnum); it != std::sregex_iterator(); ++it)
            CHECK(std::stoul((*it)[1]) == next++);
        CHECK(next == target_description(e.arch).register_count());
    }
}

TEST_CASE("gdb session: qXfer reads in chunks, and refuses other annexes", "[gdb]")
{
    FakeDebugTarget target(Arch::I386);
    const std::string& xml = target_description(Arch::I386).xml();
    std::string assembled;
    std::vector<std::string> packets;
    for (size_t off = 0; off < xml.size() + 100; off += 100)
        packets.push_back("qXfer:features:read:target.xml:" + hex_number(off) + ",64");
    std::vector<std::string> r = replies(target, packets);
    for (size_t i = 0; i < r.size(); ++i) {
        bool last = (i + 1) * 100 >= xml.size();
        INFO("chunk " << i);
        CHECK(r[i][0] == (last ? 'l' : 'm'));
        assembled += r[i].substr(1);
    }
    CHECK(assembled == xml);
    CHECK(one_reply(target, "qXfer:features:read:other.xml:0,100") == "E00");
    CHECK(one_reply(target, "qXfer:features:read:target.xml:zz,100") == "E00");
    CHECK(one_reply(target, "qXfer:features:read:target.xml") == "E00");
    CHECK(one_reply(target, "qXfer:auxv:read::0,100") == "");
}

TEST_CASE("gdb session: g, p, and unavailable registers", "[gdb]")
{
    FakeDebugTarget a64(Arch::AArch64);
    std::string g = one_reply(a64, "g");
    const TargetDescription& d = target_description(Arch::AArch64);
    size_t total = 0;
    for (unsigned i = 0; i < d.register_count(); ++i)
        total += d.register_bytes(i);
    CHECK(g.size() == 2 * total);
    CHECK(g.substr(0, 32) == le_hex(0, 8) + le_hex(0x40090000, 8));          // x0, x1
    CHECK(g.substr(31 * 16, 16) == le_hex(0x400a0000, 8));                   // sp
    CHECK(g.substr(32 * 16, 16) == le_hex(0x40080000, 8));                   // pc
    CHECK(g.substr(33 * 16, 8) == le_hex(0x3c5, 4));                         // cpsr
    CHECK(g.substr(33 * 16 + 8, 32) == "00112233445566778899aabbccddeeff");  // v0
    std::vector<std::string> r = replies(a64, {"p20", "p21", "p22", "p44", "pzz", "p", "p20x", "p10000000000000000"});
    CHECK(r == std::vector<std::string>{le_hex(0x40080000, 8), le_hex(0x3c5, 4), "00112233445566778899aabbccddeeff",
                                        le_hex(0xc50838, 8), "E01", "E01", "E01", "E01"});
    CHECK(one_reply(a64, "p" + hex_number(d.register_count())) == "E01");

    FakeDebugTarget i386(Arch::I386);
    std::string gi = one_reply(i386, "g");
    CHECK(gi.substr(8 * 8, 8) == le_hex(0x100000, 4));  // eip
    CHECK(gi.substr(9 * 8, 8) == le_hex(0x46, 4));      // eflags
    CHECK(gi.substr(16 * 8, 20) == std::string(20, 'x'));  // st0, which the CPU lacks
    CHECK(one_reply(i386, "p10") == std::string(20, 'x'));
    CHECK(one_reply(i386, "p20") == le_hex(0x11, 4));  // cr0
}

TEST_CASE("gdb session: writes are refused with a reason gdb prints", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64);
    std::vector<std::string> r = replies(target, {"P0=0100000000000000", "G" + std::string(32, '0'),
                                                  "M40090000,4:01000000", "X40090000,4:abcd", "X40090000,0:",
                                                  "M40090000,0:", "M40090000:00", "Mzz,4:00", "M40090000,1:0g",
                                                  "X40090000,1:}", "m40090000,4"});
    const std::string regs = "E.rr-emu: registers are read-only, a replay cannot change what was recorded";
    const std::string mem = "E.rr-emu: memory is read-only, a replay cannot change what was recorded";
    CHECK(r == std::vector<std::string>{regs, regs, mem, mem, "OK", "OK", "E01", "E01", "E01", "E01", "00000000"});
}

TEST_CASE("gdb session: why memory writes are refused reaches gdb's console at the next resume", "[gdb]")
{
    // gdb 13 takes an O packet after M or X for the reply itself, so the note waits for the
    // next packet that may be answered with O packets: one note for a run of refusals.
    FakeDebugTarget target(Arch::AArch64);
    std::vector<std::string> r =
        replies(target, {"M40090000,4:01000000", "X40090004,4:abcd", "m40090000,4", "s", "s", "M40090000,1:00",
                         "qRcmd," + to_hex(std::string_view("help"))});
    const std::string mem = "E.rr-emu: memory is read-only, a replay cannot change what was recorded";
    const std::string note =
        "O" + to_hex(std::string_view("rr-emu: the write to memory at 0x40090000 was refused: memory is read-only, "
                                      "a replay cannot change what was recorded\n"));
    REQUIRE(r.size() >= 8);
    CHECK(r[0] == mem);
    CHECK(r[1] == mem);
    CHECK(r[2] == "00000000");
    CHECK(r[3] == note);
    CHECK(r[4].starts_with("T05"));
    CHECK(r[5].starts_with("T05"));  // said once
    CHECK(r[6] == mem);
    CHECK(r[7] == note);
}

TEST_CASE("gdb session: memory reads, partial reads, unreadable and huge lengths", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64);
    std::vector<std::string> r =
        replies(target, {"m40080000,8", "m40090000,10", "m4009003c,10", "m0,4", "m40090000,0", "mffffffffffffffff,10",
                         "m40080000,ffffffffffffffff", "m40080000", "m,4", "m40080000,4x", "m1000000000000000000,4"});
    REQUIRE(r.size() == 11);
    CHECK(r[0] == "00040091200000b9");  // add x0, x0, #1; str w0, [x1]
    CHECK(r[1] == "00000000050000000000000000000000");
    CHECK(r[2] == "00000000");  // the last 4 bytes of the data memory: a partial read
    CHECK(r[3] == "E14");
    CHECK(r[4] == "");
    CHECK(r[5] == "E14");
    CHECK(r[6].size() == 2 * FakeDebugTarget::kCodeSize);  // clamped, then cut where memory ends
    CHECK(r[7] == "E01");
    CHECK(r[8] == "E01");
    CHECK(r[9] == "E01");
    CHECK(r[10] == "E01");
}

TEST_CASE("gdb session: s, c, vCont and the resume errors", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64);
    auto stop_at = [](uint64_t pc) { return kA64Stop + le_hex(pc, 8) + ";"; };
    std::vector<std::string> r = replies(
        target, {"s", "vCont;s:1", "vCont;s:p1.1;c", "vCont;c:2;s", "S05", "vCont;S05:1", "s40080000", "c40080000",
                 "C05;40080000", "Cxx", "vCont;t", "vCont;c:2", "vCont;", "vCont;r40080000,40080008:1", "bx"});
    CHECK(r[0] == stop_at(0x40080004));
    CHECK(r[1] == stop_at(0x40080008));
    CHECK(r[2] == stop_at(0x4008000c));
    CHECK(r[3] == stop_at(0x40080010));
    CHECK(r[4] == stop_at(0x40080000));  // the signal is dropped, the step done
    CHECK(r[5] == stop_at(0x40080004));
    const std::string jump = "E.rr-emu: a replay goes on where the recording went, it cannot resume at another address";
    CHECK(r[6] == jump);
    CHECK(r[7] == jump);
    CHECK(r[8] == jump);
    CHECK(r[9] == "E01");
    CHECK(r[10] == "E01");
    CHECK(r[11] == "E01");
    CHECK(r[12] == "E01");
    CHECK(r[13] == "E01");
    CHECK(r[14] == "");
    CHECK(target.icount() == 6);
}

TEST_CASE("gdb session: breakpoints forward and backward, with swbreak and hwbreak", "[gdb]")
{
    FakeDebugTarget target(Arch::I386);
    std::vector<std::string> r =
        replies(target, {"Z0,100006,1", "Z0,100006,1", "c", "c", "bc", "z0,100006,1", "Z1,100003,1", "c", "bs", "bs",
                         "z1,100003,1", "bc", "bc", "bs"});
    auto stop = [](const std::string& reason, uint64_t eip) {
        return "T05" + reason + "thread:1;5:00000000;4:00003000;8:" + le_hex(eip, 4) + ";";
    };
    CHECK(r[0] == "OK");
    CHECK(r[1] == "OK");                                // inserting twice is harmless
    CHECK(r[2] == stop("swbreak:;", 0x100006));         // icount 3
    CHECK(r[3] == stop("swbreak:;", 0x100006));         // icount 8
    CHECK(r[4] == stop("swbreak:;", 0x100006));         // back to 3
    CHECK(r[5] == "OK");
    CHECK(r[6] == "OK");
    CHECK(r[7] == stop("hwbreak:;", 0x100003));         // 7
    CHECK(r[8] == stop("", 0x100001));                  // 6
    CHECK(r[9] == stop("", 0x100000));                  // 5
    CHECK(r[10] == "OK");
    CHECK(r[11] == stop("replaylog:begin;", 0x100000));  // 0
    CHECK(r[12] == stop("replaylog:begin;", 0x100000));  // nothing moves
    CHECK(r[13] == stop("replaylog:begin;", 0x100000));
    CHECK(target.icount() == 0);
}

TEST_CASE("gdb session: watchpoints stop on gdb's side of the access, in both directions", "[gdb]")
{
    // The loop stores at icount 1, 6, 11, ... (instruction 1) and loads at 2, 7, ...
    // (instruction 2). gdb on AArch64 steps over an access itself, so it is stopped before the
    // access going forward and after it going backward, where a resume may not move at all;
    // gdb on i386 is stopped past the access in the direction of travel.
    struct Expect {
        Arch arch;
        std::vector<uint64_t> icounts;  // after each resume below
    };
    const Expect cases[] = {
        {Arch::AArch64, {1, 2, 2, 2, 6, 2}},
        {Arch::I386, {2, 3, 1, 3, 7, 6}},
    };
    for (const Expect& e : cases) {
        FakeDebugTarget target(e.arch);
        std::string data = hex_number(target.data_base());
        std::string input = hex_number(target.data_base() + 4);
        std::vector<std::string> r = replies(
            target, {"Z2," + data + ",4", "c", "?", "z2," + data + ",4", "s", "Z2," + data + ",4", "bc",
                     "z2," + data + ",4", "Z3," + input + ",4", "c", "z3," + input + ",4", "Z4," + data + ",1", "c",
                     "bc", "Z2," + data + ",0", "Z2," + data + ",1001", "Z5," + data + ",4", "Z2,zz,4"});
        INFO((e.arch == Arch::AArch64 ? "aarch64" : "i386"));
        REQUIRE(r.size() == 18);
        std::regex pc_field(e.arch == Arch::AArch64 ? ";20:([0-9a-f]{16});" : ";8:([0-9a-f]{8});");
        auto pc_of = [&](const std::string& reply) {
            std::smatch m;
            REQUIRE(std::regex_search(reply, m, pc_field));
            std::vector<uint8_t> b = *from_hex(m[1].str());
            uint64_t pc = 0;
            for (size_t i = 0; i < b.size(); ++i)
                pc |= uint64_t{b[i]} << (8 * i);
            return pc;
        };
        const size_t resumes[] = {1, 4, 6, 9, 12, 13};
        const std::string reasons[] = {"watch:" + data, "", "watch:" + data, "rwatch:" + input, "awatch:" + data,
                                       "awatch:" + data};
        for (size_t i = 0; i < 6; ++i) {
            INFO("resume " << i << ": " << r[resumes[i]]);
            CHECK(r[resumes[i]].starts_with("T05" + reasons[i] + (reasons[i].empty() ? "" : ";") + "thread:1;"));
            CHECK(pc_of(r[resumes[i]]) == target.pc_at(e.icounts[i]));
        }
        CHECK(r[2] == r[1]);  // `?` repeats the last stop
        for (size_t i : {0, 3, 5, 7, 8, 10, 11})
            CHECK(r[i] == "OK");
        CHECK(r[14] == "E01");  // length 0
        CHECK(r[15] == "E01");  // longer than kMaxWatchLength
        CHECK(r[16] == "");     // no such type
        CHECK(r[17] == "E01");
        CHECK(target.icount() == e.icounts.back());
    }
}

TEST_CASE("gdb session: watchpoint kinds the target cannot stop for are not supported", "[gdb]")
{
    // The replay target stops only for writes; gdb says it cannot insert the others.
    FakeDebugTarget target(Arch::AArch64);
    target.refuse(WatchKind::Read);
    target.refuse(WatchKind::Access);
    std::string data = hex_number(target.data_base());
    std::vector<std::string> r = replies(target, {"Z3," + data + ",4", "Z4," + data + ",4", "z3," + data + ",4",
                                                  "Z2," + data + ",4", "c", "z2," + data + ",4"});
    REQUIRE(r.size() == 6);
    CHECK(r[0] == "");
    CHECK(r[1] == "");
    CHECK(r[2] == "");
    CHECK(r[3] == "OK");
    CHECK(r[4].starts_with("T05watch:" + data + ";"));
    CHECK(r[5] == "OK");
}

TEST_CASE("gdb session: monitor commands", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64);
    auto [help, ok] = monitor_output(replies(target, {rcmd("help")}));
    CHECK(ok == "OK");
    CHECK(help.find("replay_info") != std::string::npos);
    CHECK(help.find("replay_seek N") != std::string::npos);
    CHECK(monitor_output(replies(target, {rcmd("")})).first == help);

    auto [seek, seek_ok] = monitor_output(replies(target, {rcmd("replay_seek 123")}));
    CHECK(seek_ok == "OK");
    CHECK(seek == "at icount 123, pc 0x4008000c\ngdb still shows the old position until `maint flush register-cache`\n");
    CHECK(target.icount() == 123);

    auto [info, info_ok] = monitor_output(replies(target, {rcmd("replay_info")}));
    CHECK(info_ok == "OK");
    CHECK(info == "icount 123, recording 0 to 300 (41.0% through)\npc 0x4008000c\n"
                  "nearest checkpoints: 100 at or before, 200 after (4 in all)\nicount breakpoints: none\n"
                  "last stop: none since the session began or the last seek\n");

    auto [cps, cps_ok] = monitor_output(replies(target, {rcmd("checkpoints")}));
    CHECK(cps == "4 checkpoints (icounts):\n  0\n  100  <- nearest at or before icount 123\n  200\n  300\n");

    std::vector<std::string> r = replies(target, {rcmd("replay_break 150"), rcmd("replay_break 140"), "c", "c",
                                                  rcmd("replay_info"), "bc", rcmd("replay_delete_break 150"),
                                                  rcmd("replay_delete_break 150"), rcmd("replay_delete_break")});
    REQUIRE(r.size() == 18);
    auto pair = [&](size_t i) { return monitor_output({r[i], r[i + 1]}); };
    using P = std::pair<std::string, std::string>;
    CHECK(pair(0) == P{"icount breakpoint at 150\n", "OK"});
    CHECK(pair(2) == P{"icount breakpoint at 140\n", "OK"});
    // A resume stopped by an icount breakpoint: an O packet that says so, then a plain SIGTRAP.
    CHECK(pair(4).first == "rr-emu: icount breakpoint, stopped at icount 140\n");
    CHECK(r[5] == kA64Stop + le_hex(0x40080000, 8) + ";");
    CHECK(pair(6).first == "rr-emu: icount breakpoint, stopped at icount 150\n");
    CHECK(pair(8) == P{"icount 150, recording 0 to 300 (50.0% through)\npc 0x40080000\n"
                       "nearest checkpoints: 100 at or before, 200 after (4 in all)\n"
                       "icount breakpoints: 140 150\nlast stop: icount breakpoint\n",
                       "OK"});
    CHECK(pair(10).first == "rr-emu: icount breakpoint, stopped at icount 140\n");
    CHECK(pair(12) == P{"deleted the icount breakpoint at 150\n", "OK"});
    CHECK(pair(14) == P{"no icount breakpoint at 150\n", "E01"});
    CHECK(pair(16) == P{"deleted 1 icount breakpoints\n", "OK"});
    CHECK(target.icount() == 140);
}

TEST_CASE("gdb session: monitor errors", "[gdb]")
{
    FakeDebugTarget target(Arch::I386);
    const std::pair<std::string, std::string> cases[] = {
        {"frobnicate", "unknown monitor command 'frobnicate'; `monitor help` lists them\n"},
        {"replay_seek", "monitor replay_seek needs an icount\n"},
        {"replay_seek 0x10", "monitor replay_seek: '0x10' is not an icount (decimal digits)\n"},
        {"replay_seek 99999999999999999999", "monitor replay_seek: '99999999999999999999' is not an icount (decimal digits)\n"},
        {"replay_seek 301", "icount 301 is past the end of the recording (300)\n"},
        {"replay_break 301", "icount 301 is outside the recording (0 to 300)\n"},
        {"replay_break 1 2", "monitor replay_break: too many arguments\n"},
        {"replay_info now", "monitor replay_info: too many arguments\n"},
    };
    for (const auto& [command, message] : cases) {
        INFO(command);
        auto [text, reply] = monitor_output(replies(target, {rcmd(command)}));
        CHECK(text == message);
        CHECK(reply == "E01");
    }
    CHECK(one_reply(target, "qRcmd,zz") == "E01");
    CHECK(one_reply(target, "qRcmd,6") == "E01");
    CHECK(target.icount() == 0);
}

TEST_CASE("gdb session: Ctrl-C while the target runs stops it with SIGINT", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64, 5'000'000, 1'000'000);
    ScriptedTransport t;
    t.input = {framed("QStartNoAckMode"), framed("c"), "\x03", framed("qC")};
    GdbSession session(t, target);
    session.run();
    std::vector<std::string> wire = decode_wire(t.output);
    REQUIRE(wire.size() == 4);
    CHECK(wire[2].starts_with("T02thread:1;"));
    CHECK(wire[3] == "QC1");
    CHECK(target.icount() < 1000);  // stopped at the first poll, not at the end
    CHECK(target.interrupt_polls() >= 1);
}

TEST_CASE("gdb session: the end of the recording, detach, kill and disconnect", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64, 12, 5);
    Talk end = talk(target, {"c", "c", "s", "bs", "D", "qC"});
    REQUIRE(end.replies.size() == 5);
    CHECK(end.replies[0] == kA64Stop.substr(0, 3) + "replaylog:end;" + kA64Stop.substr(3) + le_hex(0x40080008, 8) + ";");
    CHECK(end.replies[1] == end.replies[0]);
    CHECK(end.replies[2] == end.replies[0]);  // a step at the end does not move either
    CHECK(end.replies[3] == kA64Stop + le_hex(0x40080004, 8) + ";");
    CHECK(end.replies[4] == "OK");
    CHECK(end.end == SessionEnd::Detached);

    FakeDebugTarget t2(Arch::AArch64);
    Talk killed = talk(t2, {"k", "qC"});
    CHECK(killed.replies.empty());  // gdb does not wait for an answer to k
    CHECK(killed.end == SessionEnd::Killed);
    CHECK(talk(t2, {"vKill;1"}).end == SessionEnd::Killed);
    CHECK(talk(t2, {"qC"}).end == SessionEnd::Disconnected);
}

TEST_CASE("gdb session: malformed packets never end the session", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64);
    std::vector<std::string> junk = {"", "Z", "Z0", "Z0,", "Z0,1", "Z0,1,", "Z0,,4", "Z9,1,1", "z2,1,0", "H", "Hx",
                                     "T", "Tzz", "T-1", "vCont", "vCont;", "vCont;x", "qSupported;", "qXfer:",
                                     "qXfer:features:read:target.xml:1,", "Q", "b", "bs1", "qRcmd,0", "p-1", "m-1,1",
                                     "\x7f\x01", "s;", "C", "S;1", "qC"};
    Talk r = talk(target, junk);
    REQUIRE(r.replies.size() == junk.size());
    CHECK(r.replies.back() == "QC1");
    CHECK(r.end == SessionEnd::Disconnected);
    CHECK(target.icount() == 0);
}

TEST_CASE("gdb session: breakpoint tables are bounded", "[gdb]")
{
    FakeDebugTarget target(Arch::AArch64);
    std::vector<std::string> packets;
    for (uint64_t i = 0; i <= 1024; ++i)
        packets.push_back("Z0," + hex_number(0x50000000 + 4 * i) + ",4");
    packets.push_back("Z0,50000000,4");  // already there: still fine
    std::vector<std::string> r = replies(target, packets);
    CHECK(std::count(r.begin(), r.end(), "OK") == 1025);
    CHECK(r[1024] == "E01");
}
