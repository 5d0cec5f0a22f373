// The gdb remote protocol's byte level: hex, checksums, framing, the binary escape, run-length
// encoding and the packet reader. Checksum vectors are packets gdb 13 itself sent (from `set
// debug remote 1`) and the protocol manual's examples.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "debug/hex.h"
#include "debug/packet_codec.h"
#include "debug/packet_reader.h"

using namespace emu::debug;

namespace {

std::vector<InputEvent> read_all(PacketReader& r)
{
    std::vector<InputEvent> out;
    while (std::optional<InputEvent> e = r.next())
        out.push_back(std::move(*e));
    return out;
}

// "$data#cs", computed here rather than by the code under test.
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

std::vector<InputEvent> read_all(std::string_view bytes)
{
    PacketReader r;
    r.feed(bytes);
    return read_all(r);
}

}  // namespace

TEST_CASE("gdb hex: bytes, numbers and their errors", "[gdb]")
{
    const std::vector<uint8_t> bytes = {0x00, 0x7f, 0xa5, 0xff};
    CHECK(to_hex(bytes) == "007fa5ff");
    CHECK(to_hex(std::string_view("OK")) == "4f4b");
    CHECK(from_hex("007FA5ff") == bytes);
    CHECK(from_hex("") == std::vector<uint8_t>{});
    CHECK_FALSE(from_hex("abc"));  // odd length
    CHECK_FALSE(from_hex("0g"));
    CHECK_FALSE(from_hex("0 "));
    CHECK(hex_number(0) == "0");
    CHECK(hex_number(0x40080000) == "40080000");
    CHECK(hex_number(UINT64_MAX) == "ffffffffffffffff");
}

TEST_CASE("gdb hex: the packet cursor takes fields and refuses what does not fit", "[gdb]")
{
    PacketCursor c("40080000,4:rest");
    CHECK(c.hex() == 0x40080000u);
    CHECK(c.skip(','));
    CHECK_FALSE(c.skip(','));
    CHECK(c.hex() == 4u);
    CHECK(c.until(':') == std::string_view(""));
    CHECK(c.rest() == "rest");
    CHECK_FALSE(c.hex());
    CHECK(c.rest() == "rest");  // nothing consumed

    PacketCursor big("ffffffffffffffff");
    CHECK(big.hex() == UINT64_MAX);
    PacketCursor too_big("10000000000000000");  // 17 significant digits
    CHECK_FALSE(too_big.hex());
    PacketCursor padded("00000000000000000000001");  // leading zeros do not count
    CHECK(padded.hex() == 1u);
    CHECK_FALSE(PacketCursor("").hex());
    CHECK_FALSE(PacketCursor("x1").until(':'));
}

TEST_CASE("gdb framing: checksums match packets gdb sent", "[gdb]")
{
    CHECK(checksum("Z2,200000,4") == 0x3a);
    // Framing compresses runs: gdb expands "0*!" to five zeros before checking anything.
    CHECK(frame_packet("Z2,200000,4") == "$Z2,20*!,4#c5");
    CHECK(frame_packet("vCont;c") == "$vCont;c#a8");
    CHECK(frame_packet("OK") == "$OK#9a");
    CHECK(frame_packet("") == "$#00");
    CHECK(checksum("qSupported") == 0x37);
}

TEST_CASE("gdb binary escape: the four special bytes and nothing else", "[gdb]")
{
    std::vector<uint8_t> all;
    for (int b = 0; b < 256; ++b)
        all.push_back(static_cast<uint8_t>(b));
    std::string escaped = escape_binary(all);
    CHECK(escaped.size() == 256 + 4);
    CHECK(escaped.find('#') == std::string::npos);
    CHECK(escaped.find('$') == std::string::npos);
    CHECK(escaped.find('*') == std::string::npos);
    CHECK(unescape_binary(escaped) == all);

    CHECK(escape_binary(std::string_view("a#b$c}d*e")) == "a}\x03" "b}\x04" "c}]d}\x0a" "e");
    CHECK(unescape_binary("}") == std::nullopt);  // an escape with nothing after it
    CHECK(unescape_binary("x}]") == std::vector<uint8_t>{'x', '}'});
}

TEST_CASE("gdb run-length encoding: the manual's example, long runs, and the forbidden counts", "[gdb]")
{
    // "0* " means four zeros: ' ' is 32, 3 more copies.
    CHECK(rle_encode("0000") == "0* ");
    CHECK(rle_decode("0* ", 100) == std::string("0000"));
    CHECK(rle_encode("000") == "000");
    CHECK(rle_encode("abc") == "abc");

    // Every run length round-trips, and no count is '#' or '$' (runs of 7 and 8) or above '~'.
    for (size_t n = 1; n <= 300; ++n) {
        std::string run(n, 'x');
        std::string encoded = rle_encode("a" + run + "b");
        INFO("run of " << n << ": " << encoded);
        CHECK(encoded.find('#') == std::string::npos);
        CHECK(encoded.find('$') == std::string::npos);
        for (char c : encoded)
            CHECK((c >= ' ' && c <= '~'));
        CHECK(rle_decode(encoded, 1000) == "a" + run + "b");
        CHECK(encoded.size() <= n + 2);
    }

    CHECK_FALSE(rle_decode("*!", 100));  // nothing to repeat
    CHECK_FALSE(rle_decode("0*", 100));  // no count
    CHECK_FALSE(rle_decode("0*\x1d", 100));  // a count of 0
    CHECK_FALSE(rle_decode("0*\x7f", 100));  // above '~'
    CHECK_FALSE(rle_decode("0*~0*~", 150));  // would exceed the limit
    CHECK(rle_decode("0*~", 98) == std::string(98, '0'));
}

TEST_CASE("gdb reader: packets, acks, naks and interrupts in any pieces", "[gdb]")
{
    const std::string wire = "+$qSupported:swbreak+#8b-\x03$m40080000,4#59";
    // Fed whole and byte by byte, the same events come out.
    for (size_t piece : {wire.size(), size_t{1}, size_t{3}}) {
        PacketReader r;
        std::vector<InputEvent> events;
        for (size_t at = 0; at < wire.size(); at += piece) {
            r.feed(std::string_view(wire).substr(at, piece));
            for (InputEvent& e : read_all(r))
                events.push_back(std::move(e));
        }
        REQUIRE(events.size() == 5);
        CHECK(events[0].kind == InputEvent::Kind::Ack);
        CHECK(events[1].kind == InputEvent::Kind::Packet);
        CHECK(events[1].data == "qSupported:swbreak+");
        CHECK(events[2].kind == InputEvent::Kind::Nak);
        CHECK(events[3].kind == InputEvent::Kind::Interrupt);
        CHECK(events[4].kind == InputEvent::Kind::Packet);
        CHECK(events[4].data == "m40080000,4");
    }
}

TEST_CASE("gdb reader: bad checksums, truncation, noise, restarts, RLE and oversize packets", "[gdb]")
{
    auto one = [](std::string_view bytes) {
        std::vector<InputEvent> e = read_all(bytes);
        REQUIRE(e.size() == 1);
        return e[0];
    };
    CHECK(one("$OK#9b").kind == InputEvent::Kind::BadChecksum);
    CHECK(one("$OK#zz").kind == InputEvent::Kind::BadChecksum);
    CHECK(one("$OK#9A").kind == InputEvent::Kind::Packet);  // upper-case digits are fine
    CHECK(read_all("$OK#9").empty());                      // truncated: waits for more
    CHECK(read_all("$OK").empty());
    CHECK(one("noise$OK#9a").data == "OK");                // bytes between packets are dropped
    CHECK(one("$garbage$OK#9a").data == "OK");             // a new '$' restarts the packet
    InputEvent rle = one(framed("0* "));
    CHECK(rle.kind == InputEvent::Kind::Packet);
    CHECK(rle.data == "0000");
    CHECK(one("$*0#5a").kind == InputEvent::Kind::BadRunLength);

    std::string big(kMaxPacketSize + 1, 'a');
    CHECK(one("$" + big + "#00").kind == InputEvent::Kind::TooLong);
    std::string fits(kMaxPacketSize, 'a');
    InputEvent ok = one(framed(fits));
    CHECK(ok.kind == InputEvent::Kind::Packet);
    CHECK(ok.data.size() == kMaxPacketSize);

    // A huge stream without a '#' never grows the packet past the limit, and the reader
    // recovers at the next packet.
    PacketReader r;
    r.feed("$");
    for (int i = 0; i < 64; ++i)
        r.feed(std::string(4096, 'z'));
    CHECK(read_all(r).empty());
    r.feed("#00$OK#9a");
    std::vector<InputEvent> after = read_all(r);
    REQUIRE(after.size() == 2);
    CHECK(after[0].kind == InputEvent::Kind::TooLong);
    CHECK(after[1].data == "OK");
}

TEST_CASE("gdb reader: take_interrupt skips acks up to 0x03 and keeps packets", "[gdb]")
{
    PacketReader r;
    r.feed("++\x03$g#67");
    CHECK(r.take_interrupt());
    CHECK_FALSE(r.take_interrupt());  // stops at the packet
    std::vector<InputEvent> e = read_all(r);
    REQUIRE(e.size() == 1);
    CHECK(e[0].data == "g");

    PacketReader mid;
    mid.feed("$g");  // inside a packet an 0x03 would be data, so none is looked for
    CHECK_FALSE(mid.take_interrupt());
}
