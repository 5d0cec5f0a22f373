// A64 loads and stores, exclusives, ordered accesses and LSE atomics: addressing modes and
// writeback, extension, pairs, the exclusive monitor, and the faults these accesses raise.
// Encodings come from aarch64-linux-gnu-as (.arch armv8.1-a); the comment is the source line.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cpu/a64/decoder.h"
#include "support/test_board.h"

using namespace emu;
using namespace emu::a64;

namespace {

constexpr uint64_t kCode = test::A64TestBoard::kDefaultRamBase;
constexpr uint64_t kVbar = kCode + 0x800;
constexpr uint64_t kSyncVector = kVbar + 0x200;  // synchronous, current EL with SP_ELx
constexpr uint64_t kData = kCode + 0x10000;
constexpr uint64_t kRamEnd = kCode + (1 << 20);
constexpr uint64_t kOnes = ~uint64_t{0};

constexpr uint32_t kBranchToSelf = 0x14000000;  // b .
constexpr uint32_t kPrfm = 0xf9800000;          // prfm pldl1keep, [x0]

// A test board whose synchronous exception vector spins (`b .`), so that a run that takes an
// exception ends there with the budget spent.
struct Machine {
    test::A64TestBoard board;

    Machine()
    {
        board.cpu.s.sys.vbar_el1 = kVbar;
        board.bus.write_bytes(kSyncVector, &kBranchToSelf, 4);
    }

    uint64_t& x(unsigned n) { return board.cpu.s.r[n]; }
    uint64_t& sp() { return board.cpu.s.r[kSp]; }

    // Loads `code` at kCode and runs `n` instructions (all of them by default).
    void run(const std::vector<uint32_t>& code, uint64_t n = 0)
    {
        board.load(kCode, code);
        board.cpu.run(n ? n : code.size());
    }

    template <class T>
    T read(uint64_t addr)
    {
        T v{};
        board.bus.read_bytes(addr, &v, sizeof(T));
        return v;
    }

    template <class T>
    void write(uint64_t addr, T v)
    {
        board.bus.write_bytes(addr, &v, sizeof(T));
    }

    // Every byte of [addr, addr + len) holds the low byte of its own address.
    void fill_pattern(uint64_t addr, unsigned len)
    {
        for (unsigned i = 0; i < len; i++)
            write<uint8_t>(addr + i, static_cast<uint8_t>(addr + i));
    }
};

// The pattern of fill_pattern() read as a little-endian doubleword at `addr`.
uint64_t pattern64(uint64_t addr)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= uint64_t{static_cast<uint8_t>(addr + i)} << (8 * i);
    return v;
}

uint32_t esr_ec(uint64_t esr) { return static_cast<uint32_t>(esr >> 26); }

}  // namespace

TEST_CASE("assembled loads and stores decode to their table lines", "[a64][loadstore]")
{
    struct Case {
        uint32_t insn;
        const char* name;
    };
    const Case cases[] = {
        {0xf9400404, "LDR_imm"},     // ldr x4, [x0, #8]
        {0x39400401, "LDR_imm"},     // ldrb w1, [x0, #1]
        {0xb9001405, "STR_imm"},     // str w5, [x0, #20]
        {0x79002405, "STR_imm"},     // strh w5, [x0, #18]
        {0x39c00001, "LDRS_imm"},    // ldrsb w1, [x0]
        {0x79800405, "LDRS_imm"},    // ldrsh x5, [x0, #2]
        {0xb9800406, "LDRSW_imm"},   // ldrsw x6, [x0, #4]
        {0xf9800413, "PRFM_imm"},    // prfm pstl2strm, [x0, #8]
        {0xf8403007, "LDUR"},        // ldur x7, [x0, #3]
        {0xf81ff001, "STUR"},        // stur x1, [x0, #-1]
        {0x789fa128, "LDURS"},       // ldursh x8, [x9, #-6]
        {0xb89fc12a, "LDURSW"},      // ldursw x10, [x9, #-4]
        {0xf89fd004, "PRFUM"},       // prfum pldl3keep, [x0, #-3]
        {0xf8408c01, "LDR_pre"},     // ldr x1, [x0, #8]!
        {0x385fec05, "LDR_pre"},     // ldrb w5, [x0, #-2]!
        {0xf81f0c01, "STR_pre"},     // str x1, [x0, #-16]!
        {0xf85f8402, "LDR_post"},    // ldr x2, [x0], #-8
        {0x38803406, "LDRS_post"},   // ldrsb x6, [x0], #3
        {0xb8020402, "STR_post"},    // str w2, [x0], #32
        {0xf8410804, "LDTR"},        // ldtr x4, [x0, #16]
        {0xb8008801, "STTR"},        // sttr w1, [x0, #8]
        {0x78c01807, "LDTRS"},       // ldtrsh w7, [x0, #1]
        {0xb89fe808, "LDTRSW"},      // ldtrsw x8, [x0, #-2]
        {0xf8626801, "LDR_reg"},     // ldr x1, [x0, x2]
        {0xf82f780e, "STR_reg"},     // str x14, [x0, x15, lsl #3]
        {0x38ade90c, "LDRS_reg"},    // ldrsb x12, [x8, x13, sxtx]
        {0xb8b27811, "LDRSW_reg"},   // ldrsw x17, [x0, x18, lsl #2]
        {0xf8a26800, "PRFM_reg"},    // prfm pldl1keep, [x0, x2]
        {0x58000081, "LDR_lit"},     // ldr x1, .+16
        {0x18000062, "LDR_lit"},     // ldr w2, .+12
        {0x98000083, "LDRSW_lit"},   // ldrsw x3, .+16
        {0xd8000020, "PRFM_lit"},    // prfm pldl1keep, .+4
        {0xa9010801, "STP_off"},     // stp x1, x2, [x0, #16]
        {0x29402007, "LDP_off"},     // ldp w7, w8, [x0]
        {0x69412809, "LDPSW_off"},   // ldpsw x9, x10, [x0, #8]
        {0x29bf1003, "STP_pre"},     // stp w3, w4, [x0, #-8]!
        {0xa9ff300b, "LDP_pre"},     // ldp x11, x12, [x0, #-16]!
        {0x69ff400f, "LDPSW_pre"},   // ldpsw x15, x16, [x0, #-8]!
        {0x28bf1003, "STP_post"},    // stp w3, w4, [x0], #-8
        {0xa8c19805, "LDP_post"},    // ldp x5, x6, [x0], #24
        {0x68c14811, "LDPSW_post"},  // ldpsw x17, x18, [x0], #8
        {0xa83e0801, "STNP"},        // stnp x1, x2, [x0, #-32]
        {0xa87e380d, "LDNP"},        // ldnp x13, x14, [x0, #-32]
        {0xc85f7c01, "LDXR"},        // ldxr x1, [x0]
        {0x085f7c01, "LDXR"},        // ldxrb w1, [x0]
        {0xc8027c03, "STXR"},        // stxr w2, x3, [x0]
        {0x485ffc01, "LDAXR"},       // ldaxrh w1, [x0]
        {0x4802fc03, "STLXR"},       // stlxrh w2, w3, [x0]
        {0xc87f0801, "LDXP"},        // ldxp x1, x2, [x0]
        {0xc8231404, "STXP"},        // stxp w3, x4, x5, [x0]
        {0x887f8801, "LDAXP"},       // ldaxp w1, w2, [x0]
        {0x88239404, "STLXP"},       // stlxp w3, w4, w5, [x0]
        {0xc8dffc01, "LDAR"},        // ldar x1, [x0]
        {0x889ffc08, "STLR"},        // stlr w8, [x0]
        {0x88df7c05, "LDLAR"},       // ldlar w5, [x0]
        {0x089f7c06, "STLLR"},       // stllrb w6, [x0]
        {0xc8a17c02, "CAS"},         // cas x1, x2, [x0]
        {0x88e7fc08, "CAS"},         // casal w7, w8, [x0]
        {0x08a57c06, "CAS"},         // casb w5, w6, [x0]
        {0x48287e8a, "CASP"},        // casp x8, x9, x10, x11, [x20]
        {0x0870feb2, "CASP"},        // caspal w16, w17, w18, w19, [x21]
        {0xf8210002, "LDADD"},       // ldadd x1, x2, [x0]
        {0xf821001f, "LDADD"},       // stadd x1, [x0]
        {0xf8251006, "LDCLR"},       // ldclr x5, x6, [x0]
        {0xf8252007, "LDEOR"},       // ldeor x5, x7, [x0]
        {0xf8283009, "LDSET"},       // ldset x8, x9, [x0]
        {0xf82a400b, "LDSMAX"},      // ldsmax x10, x11, [x0]
        {0xf82d500e, "LDSMIN"},      // ldsmin x13, x14, [x0]
        {0xf82a600c, "LDUMAX"},      // ldumax x10, x12, [x0]
        {0xf82d700f, "LDUMIN"},      // ldumin x13, x15, [x0]
        {0xf8e38004, "SWP"},         // swpal x3, x4, [x0]
        {0x38358216, "SWP"},         // swpb w21, w22, [x16]
    };
    for (const Case& c : cases) {
        INFO(c.name << " " << std::hex << c.insn);
        const InsnDef* d = decode(c.insn);
        REQUIRE(d != nullptr);
        CHECK(std::string(d->name) == c.name);
    }
}

TEST_CASE("SIMD&FP load/store encodings decode to their own entries", "[a64][loadstore]")
{
    struct Case {
        uint32_t insn;
        const char* name;
    } cases[] = {
        {0x3dc00020, "LDR_v_imm"},   // ldr q0, [x1]
        {0xad400420, "LDP_v_off"},   // ldp q0, q1, [x1]
        {0x5c000000, "LDR_v_lit"},   // ldr d0, .
        {0x9c000000, "LDR_v_lit"},   // ldr q0, .
        {0xbc400020, "LDUR_v"},      // ldur s0, [x1]
        {0x3c226820, "STR_v_reg"},   // str b0, [x1, x2]
        {0x3c810c20, "STR_v_pre"},   // str q0, [x1, #16]!
        {0x4c407020, "LD_multi"},    // ld1 {v0.16b}, [x1]
        {0x2dbf07e0, "STP_v_pre"},   // stp s0, s1, [sp, #-8]!
        {0x6c400400, "LDNP_v"},      // ldnp d0, d1, [x0]
        {0x4cdf7020, "LD_multi_post"},  // ld1 {v0.16b}, [x1], #16
        {0x4d40c020, "LD_single"},   // ld1r {v0.16b}, [x1]
    };
    for (const Case& c : cases) {
        INFO(c.name << " " << std::hex << c.insn);
        const InsnDef* d = decode(c.insn);
        REQUIRE(d != nullptr);
        CHECK(std::string(d->name) == c.name);
    }
}

TEST_CASE("unallocated load/store encodings do not decode", "[a64][loadstore]")
{
    const uint32_t insns[] = {
        0xb9c00441,  // size 10, opc 11 (unsigned offset)
        0xf9c00441,  // size 11, opc 11 (unsigned offset)
        0xb8c00441,  // size 10, opc 11 (post-index)
        0xf8631841,  // ldr (register) with option 000
        0xe97f0861,  // pair with opc 11
    };
    for (uint32_t insn : insns) {
        INFO(std::hex << insn);
        CHECK(decode(insn) == nullptr);
    }
}

TEST_CASE("CONSTRAINED UNPREDICTABLE and reserved register choices build as undefined", "[a64][loadstore]")
{
    const uint32_t insns[] = {
        0xf8408c21,  // ldr x1, [x1, #8]!
        0xf8008421,  // str x1, [x1], #8
        0x38401c42,  // ldrb w2, [x2, #1]!
        0xb8804463,  // ldrsw x3, [x3], #4
        0xa9400441,  // ldp x1, x1, [x2]
        0xa8c10821,  // ldp x1, x2, [x1], #16
        0xa9bf0841,  // stp x1, x2, [x2, #-16]!
        0xa8400c83,  // ldnp x3, x3, [x4]
        0x69400441,  // ldpsw x1, x1, [x2]
        0xc8017c41,  // stxr w1, x1, [x2]
        0xc8027c41,  // stxr w2, x1, [x2]
        0xc8218462,  // stlxp w1, x2, x1, [x3]
        0xc87f0441,  // ldxp x1, x1, [x2]
        0x887f9445,  // ldaxp w5, w5, [x2]
        0x48227c04 | (1u << 16),  // casp x2, x3, x4, x5, [x0] with Rs = 3 (odd)
        0x48227c04 | 1u,          // casp x2, x3, x4, x5, [x0] with Rt = 5 (odd)
    };
    for (uint32_t insn : insns) {
        INFO(std::hex << insn);
        const InsnDef* d = decode(insn);
        REQUIRE(d != nullptr);
        Op op{};
        CHECK(d->build(op, insn) == Build::Undefined);
    }

    // The writeback forms are fine with SP as the base and XZR as the data.
    const uint32_t fine[] = {
        0xa9bf7fe1,  // stp x1, xzr, [sp, #-16]!
        0x381fffff,  // strb wzr, [sp, #-1]!
        0xc81fffe3,  // stlxr wzr, x3, [sp]
    };
    for (uint32_t insn : fine) {
        INFO(std::hex << insn);
        Op op{};
        CHECK(decode(insn)->build(op, insn) == Build::Next);
    }

    // Executed, such an encoding raises Undefined and changes no register.
    Machine m;
    m.x(1) = kData;
    m.run({kPrfm, 0xf8408c21});  // prfm; ldr x1, [x1, #8]!
    CHECK(m.board.cpu.s.pc == kSyncVector);
    CHECK(esr_ec(m.board.cpu.s.sys.esr_el1) == 0x00);
    CHECK(m.board.cpu.s.sys.elr_el1 == kCode + 4);
    CHECK(m.x(1) == kData);
}

TEST_CASE("random encodings of every load/store line decode to it, build and run", "[a64][loadstore]")
{
    // The loads and stores occupy op0 = x1x0 (bit 27 set, bit 25 clear).
    constexpr uint32_t kLoadStore = (1u << 27) | (1u << 25);
    std::mt19937 rng(2024);
    Machine m;
    unsigned lines = 0;
    for (const InsnDef& d : insn_table()) {
        if ((d.bits.mask & kLoadStore) != kLoadStore || (d.bits.value & kLoadStore) != (1u << 27))
            continue;
        lines++;
        for (unsigned i = 0; i < 64; i++) {
            uint32_t insn = (static_cast<uint32_t>(rng()) & ~d.bits.mask) | d.bits.value;
            INFO(d.name << " " << std::hex << insn);
            REQUIRE(decode(insn) == &d);
            Op op{};
            Build b = d.build(op, insn);
            REQUIRE(b != Build::EndBlock);
            if (b == Build::Next)
                REQUIRE(op.fn != nullptr);
            // Every register points into RAM, well away from the code, so the access runs
            // (or faults on alignment or an index pushed out of RAM) without touching code.
            for (unsigned r = 0; r < 31; r++)
                m.x(r) = kData + 0x8000;
            m.sp() = kData + 0x8000;
            m.run({insn}, 1);
        }
    }
    CHECK(lines >= 64);  // insns_loadstore.inc and insns_atomic.inc
}

TEST_CASE("LDR/STR with an unsigned offset, every size", "[a64][loadstore]")
{
    Machine m;
    m.write<uint64_t>(kData, 0x8899AABBCCDDEEFF);
    m.write<uint64_t>(kData + 8, 0xF0E1D2C3B4A59687);
    m.write<uint64_t>(kData + 0x7FF8, 0x0123456789ABCDEF);
    m.x(0) = kData;
    for (unsigned r : {1, 2, 3, 4, 6, 7})
        m.x(r) = kOnes;
    m.x(5) = 0x1122334455667788;
    m.run({
        0x39400401,  // ldrb w1, [x0, #1]
        0x79400402,  // ldrh w2, [x0, #2]
        0xb9400403,  // ldr w3, [x0, #4]
        0xf9400404,  // ldr x4, [x0, #8]
        0x39004005,  // strb w5, [x0, #16]
        0x79002405,  // strh w5, [x0, #18]
        0xb9001405,  // str w5, [x0, #20]
        0xf9000c05,  // str x5, [x0, #24]
        0xf97ffc06,  // ldr x6, [x0, #32760]
        0xf8403007,  // ldur x7, [x0, #3]  (unaligned: allowed for ordinary accesses)
    });
    CHECK(m.x(1) == 0xEE);
    CHECK(m.x(2) == 0xCCDD);
    CHECK(m.x(3) == 0x8899AABB);
    CHECK(m.x(4) == 0xF0E1D2C3B4A59687);
    CHECK(m.read<uint64_t>(kData + 16) == 0x5566778877880088);
    CHECK(m.read<uint64_t>(kData + 24) == 0x1122334455667788);
    CHECK(m.x(6) == 0x0123456789ABCDEF);
    CHECK(m.x(7) == 0xA596878899AABBCC);
    CHECK(m.x(0) == kData);
    CHECK(m.board.cpu.s.pc == kCode + 40);
}

TEST_CASE("signed loads extend to 32 or 64 bits", "[a64][loadstore]")
{
    Machine m;
    m.write<uint64_t>(kData, 0x8000000180017F80);
    m.write<uint64_t>(kData + 8, 0x000000007FFFFFFF);
    m.x(0) = kData;
    m.x(9) = kData + 8;
    for (unsigned r : {1, 2, 3, 4, 5, 6, 7, 8, 10, 11})
        m.x(r) = kOnes;
    m.run({
        0x39c00001,  // ldrsb w1, [x0]
        0x39800002,  // ldrsb x2, [x0]
        0x39800403,  // ldrsb x3, [x0, #1]
        0x79c00404,  // ldrsh w4, [x0, #2]
        0x79800405,  // ldrsh x5, [x0, #2]
        0xb9800406,  // ldrsw x6, [x0, #4]
        0xb9800807,  // ldrsw x7, [x0, #8]
        0x789fa128,  // ldursh x8, [x9, #-6]
        0xb89fc12a,  // ldursw x10, [x9, #-4]
        0x38df812b,  // ldursb w11, [x9, #-8]
    });
    CHECK(m.x(1) == 0xFFFFFF80);
    CHECK(m.x(2) == 0xFFFFFFFFFFFFFF80);
    CHECK(m.x(3) == 0x7F);
    CHECK(m.x(4) == 0xFFFF8001);
    CHECK(m.x(5) == 0xFFFFFFFFFFFF8001);
    CHECK(m.x(6) == 0xFFFFFFFF80000001);
    CHECK(m.x(7) == 0x7FFFFFFF);
    CHECK(m.x(8) == 0xFFFFFFFFFFFF8001);
    CHECK(m.x(10) == 0xFFFFFFFF80000001);
    CHECK(m.x(11) == 0xFFFFFF80);
}

TEST_CASE("loads with pre-index, post-index, unscaled and unprivileged addressing", "[a64][loadstore]")
{
    Machine m;
    m.fill_pattern(kData, 0x200);
    m.x(0) = kData + 0x100;
    for (unsigned r = 1; r <= 8; r++)
        m.x(r) = kOnes;
    m.run({
        0xf8408c01,  // ldr x1, [x0, #8]!
        0xf85f8402,  // ldr x2, [x0], #-8
        0xf85ff003,  // ldur x3, [x0, #-1]
        0xf8410804,  // ldtr x4, [x0, #16]
        0x385fec05,  // ldrb w5, [x0, #-2]!
        0x38803406,  // ldrsb x6, [x0], #3
        0x78c01807,  // ldtrsh w7, [x0, #1]
        0xb89fe808,  // ldtrsw x8, [x0, #-2]
    });
    CHECK(m.x(1) == pattern64(kData + 0x108));
    CHECK(m.x(2) == pattern64(kData + 0x108));
    CHECK(m.x(3) == 0x06050403020100FF);
    CHECK(m.x(4) == pattern64(kData + 0x110));
    CHECK(m.x(5) == 0xFE);
    CHECK(m.x(6) == 0xFFFFFFFFFFFFFFFE);
    CHECK(m.x(7) == 0x0302);
    CHECK(m.x(8) == 0x020100FF);
    CHECK(m.x(0) == kData + 0x101);
}

TEST_CASE("stores with pre-index, post-index, unscaled and unprivileged addressing", "[a64][loadstore]")
{
    Machine m;
    m.x(0) = kData + 0x200;
    m.x(1) = 0x1122334455667788;
    m.x(2) = 0xAABBCCDD;
    SECTION("pre-index writes the base back before the next store uses it")
    {
        m.run({0xf81f0c01}, 1);  // str x1, [x0, #-16]!
        CHECK(m.read<uint64_t>(kData + 0x1F0) == 0x1122334455667788);
        CHECK(m.x(0) == kData + 0x1F0);
    }
    SECTION("the whole sequence")
    {
        m.run({
            0xf81f0c01,  // str x1, [x0, #-16]!
            0xb8020402,  // str w2, [x0], #32
            0x781fec01,  // strh w1, [x0, #-2]!
            0x381fa401,  // strb w1, [x0], #-6
            0xf81ff001,  // stur x1, [x0, #-1]
            0xb8008801,  // sttr w1, [x0, #8]
            0x3800c801,  // sttrb w1, [x0, #12]
        });
        CHECK(m.read<uint64_t>(kData + 0x1F0) == 0x11223344AABBCCDD);
        CHECK(m.read<uint64_t>(kData + 0x1F8) == 0);
        CHECK(m.read<uint64_t>(kData + 0x200) == 0x8800000000000000);
        CHECK(m.read<uint64_t>(kData + 0x208) == 0x7711223344556677);
        CHECK(m.read<uint64_t>(kData + 0x210) == 0x0000008855667788);
        CHECK(m.x(0) == kData + 0x208);
    }
}

TEST_CASE("register offsets: UXTW, SXTW, LSL and SXTX with and without scaling", "[a64][loadstore]")
{
    Machine m;
    m.fill_pattern(kData, 0x200);
    m.x(0) = kData;
    m.x(8) = kData + 0x100;
    m.x(2) = 0x10;
    m.x(4) = 3;
    m.x(5) = kOnes;
    m.x(6) = 0xFFFFFFFF00000020;  // UXTW ignores the upper half
    m.x(9) = 0x12345678FFFFFFFE;  // SXTW: -2
    m.x(10) = kOnes;
    m.x(11) = 0x10;
    m.x(13) = static_cast<uint64_t>(-16);
    m.x(14) = 0xDEADBEEFCAFEF00D;
    m.x(15) = 0x40;
    m.x(16) = 0x208;
    m.x(18) = 0x21;
    m.run({
        0xf8626801,  // ldr x1, [x0, x2]
        0xf8647803,  // ldr x3, [x0, x4, lsl #3]
        0xb8664805,  // ldr w5, [x0, w6, uxtw]
        0xf869d907,  // ldr x7, [x8, w9, sxtw #3]
        0x786bd80a,  // ldrh w10, [x0, w11, sxtw #1]
        0x38ade90c,  // ldrsb x12, [x8, x13, sxtx]
        0xf82f780e,  // str x14, [x0, x15, lsl #3]
        0x3830680e,  // strb w14, [x0, x16]
        0xb8b27811,  // ldrsw x17, [x0, x18, lsl #2]
        0xf87f6813,  // ldr x19, [x0, xzr]
        0xf8a26800,  // prfm pldl1keep, [x0, x2]
    });
    CHECK(m.x(1) == pattern64(kData + 0x10));
    CHECK(m.x(3) == pattern64(kData + 0x18));
    CHECK(m.x(5) == 0x23222120);
    CHECK(m.x(7) == pattern64(kData + 0xF0));
    CHECK(m.x(10) == 0x2120);
    CHECK(m.x(12) == 0xFFFFFFFFFFFFFFF0);
    CHECK(m.read<uint64_t>(kData + 0x200) == 0xDEADBEEFCAFEF00D);
    CHECK(m.read<uint64_t>(kData + 0x208) == 0x0D);
    CHECK(m.x(17) == 0xFFFFFFFF87868584);
    CHECK(m.x(19) == pattern64(kData));
    CHECK(m.board.cpu.s.pc == kCode + 44);
}

TEST_CASE("PC-relative literal loads and prefetches", "[a64][loadstore]")
{
    Machine m;
    m.x(2) = kOnes;
    m.run(
        {
            0x58000081,  // ldr x1, .+16
            0x18000062,  // ldr w2, .+12
            0x98000083,  // ldrsw x3, .+16
            0xd8000020,  // prfm pldl1keep, .+4
            0x44332211,
            0x88776655,
            0x80000000,
        },
        4);
    CHECK(m.x(1) == 0x8877665544332211);
    CHECK(m.x(2) == 0x44332211);
    CHECK(m.x(3) == 0xFFFFFFFF80000000);
    CHECK(m.board.cpu.s.pc == kCode + 16);

    // A negative offset, from code that is not at the start of its block's page.
    m.write<uint64_t>(kCode + 0x1F8, 0x0102030405060708);
    m.board.load(kCode + 0x200, {0x58ffffc4});  // ldr x4, .-8
    m.board.cpu.run(1);
    CHECK(m.x(4) == 0x0102030405060708);
}

TEST_CASE("LDP/STP, LDPSW and LDNP/STNP in every addressing mode", "[a64][loadstore]")
{
    Machine m;
    m.x(0) = kData + 0x300;
    m.x(1) = 0x1111111180000001;
    m.x(2) = 0x7FFFFFFF80000002;
    m.x(3) = 0x33333333;
    m.x(4) = 0x44444444;
    for (unsigned r : {7, 8, 19, 20})
        m.x(r) = kOnes;
    m.write<uint64_t>(kData + 0x2F0, 0x00000001FFFFFFFE);
    m.write<uint64_t>(kData + 0x300, 0xA);
    m.write<uint64_t>(kData + 0x308, 0xB);
    m.run({
        0xa9010801,  // stp x1, x2, [x0, #16]
        0x29bf1003,  // stp w3, w4, [x0, #-8]!
        0xa8c19805,  // ldp x5, x6, [x0], #24
        0x29402007,  // ldp w7, w8, [x0]
        0x69412809,  // ldpsw x9, x10, [x0, #8]
        0xa9ff300b,  // ldp x11, x12, [x0, #-16]!
        0xa83e0801,  // stnp x1, x2, [x0, #-32]
        0xa87e380d,  // ldnp x13, x14, [x0, #-32]
        0x28bf1003,  // stp w3, w4, [x0], #-8
        0x69ff400f,  // ldpsw x15, x16, [x0, #-8]!
        0x68c14811,  // ldpsw x17, x18, [x0], #8
        0x28405013,  // ldnp w19, w20, [x0]
        0x283fd013,  // stnp w19, w20, [x0, #-4]
    });
    CHECK(m.read<uint64_t>(kData + 0x310) == 0x1111111180000001);
    CHECK(m.read<uint64_t>(kData + 0x318) == 0x7FFFFFFF80000002);
    CHECK(m.x(5) == 0x4444444433333333);
    CHECK(m.x(6) == 0xA);
    CHECK(m.x(7) == 0x80000001);
    CHECK(m.x(8) == 0x11111111);
    CHECK(m.x(9) == 0xFFFFFFFF80000002);
    CHECK(m.x(10) == 0x7FFFFFFF);
    CHECK(m.x(11) == 0xA);
    CHECK(m.x(12) == 0xB);
    CHECK(m.read<uint64_t>(kData + 0x2E0) == 0x1111111180000001);
    CHECK(m.read<uint64_t>(kData + 0x2E8) == 0x7FFFFFFF80000002);
    CHECK(m.x(13) == 0x1111111180000001);
    CHECK(m.x(14) == 0x7FFFFFFF80000002);
    CHECK(m.read<uint64_t>(kData + 0x300) == 0x4444444433333333);
    CHECK(m.x(15) == 0xFFFFFFFFFFFFFFFE);
    CHECK(m.x(16) == 1);
    CHECK(m.x(17) == 0xFFFFFFFFFFFFFFFE);
    CHECK(m.x(18) == 1);
    CHECK(m.x(19) == 0x33333333);
    CHECK(m.x(20) == 0x44444444);
    CHECK(m.read<uint64_t>(kData + 0x2F0) == 0x33333333FFFFFFFE);
    CHECK(m.read<uint64_t>(kData + 0x2F8) == 0x4444444444444444);
    CHECK(m.x(0) == kData + 0x2F8);
}

TEST_CASE("SP as the base register, XZR as the data register", "[a64][loadstore]")
{
    Machine m;
    m.board.cpu.s.sys.sctlr_el1 &= ~uint64_t{1 << 3};  // SCTLR_EL1.SA off: SP goes to odd addresses
    m.sp() = kData + 0x400;
    m.x(1) = 0x1234;
    m.write<uint64_t>(kData + 0x3F8, kOnes);
    m.write<uint64_t>(kData + 0x400, 0x5555);
    m.run({
        0xa9bf7fe1,  // stp x1, xzr, [sp, #-16]!
        0xf84107e2,  // ldr x2, [sp], #16
        0xf85f03ff,  // ldur xzr, [sp, #-16]
        0x381fffff,  // strb wzr, [sp, #-1]!
        0xf8401fe3,  // ldr x3, [sp, #1]!
    });
    CHECK(m.read<uint64_t>(kData + 0x3F0) == 0x1234);
    CHECK(m.read<uint64_t>(kData + 0x3F8) == 0);
    CHECK(m.x(2) == 0x1234);
    CHECK(m.board.cpu.s.r[kZr] == 0);
    CHECK(m.x(3) == 0x5555);
    CHECK(m.sp() == kData + 0x400);
}

TEST_CASE("exclusive monitor: LDXR then STXR succeeds once", "[a64][loadstore][exclusive]")
{
    Machine m;
    m.x(0) = kData + 0x500;
    m.write<uint64_t>(kData + 0x500, 5);
    m.x(2) = kOnes;
    m.x(3) = 9;
    m.x(4) = kOnes;
    m.x(5) = 7;
    m.board.load(kCode, {
                            0xc85f7c01,  // ldxr x1, [x0]
                            0xc8027c03,  // stxr w2, x3, [x0]
                            0xc8047c05,  // stxr w4, x5, [x0]
                        });
    m.board.cpu.run(1);
    CHECK(m.x(1) == 5);
    CHECK(m.board.cpu.monitor.valid);
    CHECK(m.board.cpu.monitor.addr == kData + 0x500);
    CHECK(m.board.cpu.monitor.size == 8);
    m.board.cpu.run(2);
    CHECK(m.x(2) == 0);  // status 0: stored
    CHECK(m.x(4) == 1);  // status 1: the first store-exclusive cleared the monitor
    CHECK(m.read<uint64_t>(kData + 0x500) == 9);
    CHECK_FALSE(m.board.cpu.monitor.valid);
}

TEST_CASE("exclusive monitor: a different address fails and clears the monitor", "[a64][loadstore][exclusive]")
{
    Machine m;
    m.x(0) = kData + 0x500;
    m.x(6) = kData + 0x508;
    m.write<uint64_t>(kData + 0x500, 5);
    m.write<uint64_t>(kData + 0x508, 6);
    m.x(3) = 9;
    m.run({
        0xc85f7c01,  // ldxr x1, [x0]
        0xc8027cc3,  // stxr w2, x3, [x6]
        0xc8047c03,  // stxr w4, x3, [x0]
    });
    CHECK(m.x(2) == 1);
    CHECK(m.x(4) == 1);
    CHECK(m.read<uint64_t>(kData + 0x500) == 5);
    CHECK(m.read<uint64_t>(kData + 0x508) == 6);
}

TEST_CASE("exclusive monitor: the size must match; B and H forms", "[a64][loadstore][exclusive]")
{
    Machine m;
    m.x(0) = kData + 0x500;
    m.write<uint64_t>(kData + 0x500, 0x1122334455667788);
    m.x(1) = kOnes;
    m.x(3) = 0xAAAAAAAAAAAAAAAA;
    m.board.load(kCode, {
                            0x885f7c01,  // ldxr w1, [x0]
                            0xc8027c03,  // stxr w2, x3, [x0]
                            0x085f7c01,  // ldxrb w1, [x0]
                            0x08027c03,  // stxrb w2, w3, [x0]
                            0x485ffc01,  // ldaxrh w1, [x0]
                            0x4802fc03,  // stlxrh w2, w3, [x0]
                        });
    m.board.cpu.run(2);
    CHECK(m.x(1) == 0x55667788);
    CHECK(m.x(2) == 1);
    CHECK(m.read<uint64_t>(kData + 0x500) == 0x1122334455667788);
    m.board.cpu.run(2);
    CHECK(m.x(1) == 0x88);
    CHECK(m.x(2) == 0);
    CHECK(m.read<uint64_t>(kData + 0x500) == 0x11223344556677AA);
    m.board.cpu.run(2);
    CHECK(m.x(1) == 0x77AA);
    CHECK(m.x(2) == 0);
    CHECK(m.read<uint64_t>(kData + 0x500) == 0x112233445566AAAA);
}

TEST_CASE("exclusive pairs: LDXP/STXP and LDAXP/STLXP", "[a64][loadstore][exclusive]")
{
    Machine m;
    m.x(0) = kData + 0x520;
    m.write<uint64_t>(kData + 0x520, 0x2222222211111111);
    m.write<uint64_t>(kData + 0x528, 0x4444444433333333);
    m.x(3) = kOnes;
    m.x(4) = 0x6666666655555555;
    m.x(5) = 0x8888888877777777;
    m.board.load(kCode, {
                            0xc87f0801,  // ldxp x1, x2, [x0]
                            0xc8231404,  // stxp w3, x4, x5, [x0]
                            0x887f8801,  // ldaxp w1, w2, [x0]
                            0x88239404,  // stlxp w3, w4, w5, [x0]
                            0xc87f0801,  // ldxp x1, x2, [x0]
                            0x88231404,  // stxp w3, w4, w5, [x0]
                        });
    m.board.cpu.run(2);
    CHECK(m.x(1) == 0x2222222211111111);
    CHECK(m.x(2) == 0x4444444433333333);
    CHECK(m.x(3) == 0);
    CHECK(m.read<uint64_t>(kData + 0x520) == 0x6666666655555555);
    CHECK(m.read<uint64_t>(kData + 0x528) == 0x8888888877777777);
    m.board.cpu.run(2);
    CHECK(m.x(1) == 0x55555555);
    CHECK(m.x(2) == 0x66666666);
    CHECK(m.x(3) == 0);
    CHECK(m.read<uint64_t>(kData + 0x520) == 0x7777777755555555);
    m.board.cpu.run(2);  // a 16-byte monitor does not cover an 8-byte pair
    CHECK(m.x(3) == 1);
    CHECK(m.read<uint64_t>(kData + 0x520) == 0x7777777755555555);
    CHECK(m.read<uint64_t>(kData + 0x528) == 0x8888888877777777);
}

TEST_CASE("exclusive monitor: a store-exclusive without a load-exclusive fails", "[a64][loadstore][exclusive]")
{
    Machine m;
    m.x(0) = kData + 0x540;
    m.sp() = kData + 0x550;
    m.write<uint64_t>(kData + 0x540, 1);
    m.write<uint64_t>(kData + 0x550, 2);
    m.x(3) = 3;
    m.run({
        0xc802fc03,  // stlxr w2, x3, [x0]
        0xc85fffe1,  // ldaxr x1, [sp]
        0xc81fffe3,  // stlxr wzr, x3, [sp]
    });
    CHECK(m.x(2) == 1);
    CHECK(m.read<uint64_t>(kData + 0x540) == 1);
    CHECK(m.x(1) == 2);
    CHECK(m.read<uint64_t>(kData + 0x550) == 3);
    CHECK(m.board.cpu.s.r[kZr] == 0);
}

TEST_CASE("load-acquire and store-release, every size", "[a64][loadstore]")
{
    Machine m;
    m.x(0) = kData + 0x600;
    m.write<uint64_t>(kData + 0x600, 0x8877665544332211);
    m.x(2) = 0x0102030405060708;
    m.x(4) = 0xFFFF;
    m.x(6) = 0xAB;
    m.x(8) = 0xDEADBEEF12345678;
    m.board.load(kCode, {
                            0xc8dffc01,  // ldar x1, [x0]
                            0xc89ffc02,  // stlr x2, [x0]
                            0x08dffc03,  // ldarb w3, [x0]
                            0x489ffc04,  // stlrh w4, [x0]
                            0x88df7c05,  // ldlar w5, [x0]
                            0x089f7c06,  // stllrb w6, [x0]
                            0x48dffc07,  // ldarh w7, [x0]
                            0x889ffc08,  // stlr w8, [x0]
                        });
    m.board.cpu.run(2);
    CHECK(m.x(1) == 0x8877665544332211);
    CHECK(m.read<uint64_t>(kData + 0x600) == 0x0102030405060708);
    m.board.cpu.run(2);
    CHECK(m.x(3) == 0x08);
    CHECK(m.read<uint64_t>(kData + 0x600) == 0x010203040506FFFF);
    m.board.cpu.run(2);
    CHECK(m.x(5) == 0x0506FFFF);
    CHECK(m.read<uint64_t>(kData + 0x600) == 0x010203040506FFAB);
    m.board.cpu.run(2);
    CHECK(m.x(7) == 0xFFAB);
    CHECK(m.read<uint64_t>(kData + 0x600) == 0x0102030412345678);
}

TEST_CASE("CAS and CASP: success stores, failure does not, Rs gets the old value", "[a64][loadstore][atomic]")
{
    Machine m;
    m.x(0) = kData + 0x700;
    m.x(20) = kData + 0x710;
    m.x(21) = kData + 0x720;
    m.write<uint64_t>(kData + 0x700, 0x1234);
    m.write<uint64_t>(kData + 0x710, 1);
    m.write<uint64_t>(kData + 0x718, 2);
    m.write<uint64_t>(kData + 0x720, 0x0000000200000001);
    m.x(1) = 0x1234;
    m.x(2) = 0x5678;
    m.x(3) = 0x1111;
    m.x(4) = 0x9999;
    m.x(5) = 0xFFFFFFFFFFFFFF78;  // CASB compares only the low byte
    m.x(6) = 0xAB;
    m.x(7) = 0;
    m.x(8) = 1;
    m.x(26) = 0x56AB;
    m.x(27) = 0xFFFFCDEF;
    m.x(9) = 2;
    m.x(10) = 3;
    m.x(11) = 4;
    m.x(12) = 3;
    m.x(13) = 5;
    m.x(14) = 6;
    m.x(15) = 7;
    m.x(16) = 1;
    m.x(17) = 2;
    m.x(18) = 0xAAAA;
    m.x(19) = 0xBBBB;
    m.x(22) = 0xAAAA;
    m.x(23) = 0;
    m.board.load(kCode, {
                            0xc8a17c02,  // cas x1, x2, [x0]
                            0xc8a37c04,  // cas x3, x4, [x0]
                            0x08a57c06,  // casb w5, w6, [x0]
                            0x88e7fc08,  // casal w7, w8, [x0]
                            0x48fa7c1b,  // casah w26, w27, [x0]
                            0x48287e8a,  // casp x8, x9, x10, x11, [x20]
                            0x486c7e8e,  // caspa x12, x13, x14, x15, [x20]
                            0x0870feb2,  // caspal w16, w17, w18, w19, [x21]
                            0x0836feb8,  // caspl w22, w23, w24, w25, [x21]
                        });
    m.board.cpu.run(1);
    CHECK(m.x(1) == 0x1234);
    CHECK(m.read<uint64_t>(kData + 0x700) == 0x5678);
    m.board.cpu.run(1);
    CHECK(m.x(3) == 0x5678);
    CHECK(m.read<uint64_t>(kData + 0x700) == 0x5678);
    m.board.cpu.run(1);
    CHECK(m.x(5) == 0x78);
    CHECK(m.read<uint64_t>(kData + 0x700) == 0x56AB);
    m.board.cpu.run(1);
    CHECK(m.x(7) == 0x56AB);
    CHECK(m.read<uint64_t>(kData + 0x700) == 0x56AB);
    m.board.cpu.run(1);
    CHECK(m.x(26) == 0x56AB);
    CHECK(m.read<uint64_t>(kData + 0x700) == 0xCDEF);
    m.board.cpu.run(1);
    CHECK(m.x(8) == 1);
    CHECK(m.x(9) == 2);
    CHECK(m.read<uint64_t>(kData + 0x710) == 3);
    CHECK(m.read<uint64_t>(kData + 0x718) == 4);
    m.board.cpu.run(1);
    CHECK(m.x(12) == 3);
    CHECK(m.x(13) == 4);
    CHECK(m.read<uint64_t>(kData + 0x710) == 3);
    CHECK(m.read<uint64_t>(kData + 0x718) == 4);
    m.board.cpu.run(1);
    CHECK(m.x(16) == 1);
    CHECK(m.x(17) == 2);
    CHECK(m.read<uint64_t>(kData + 0x720) == 0x0000BBBB0000AAAA);
    m.board.cpu.run(1);
    CHECK(m.x(22) == 0xAAAA);
    CHECK(m.x(23) == 0xBBBB);
    CHECK(m.read<uint64_t>(kData + 0x720) == 0x0000BBBB0000AAAA);
}

TEST_CASE("CASP with XZR as the second register of a pair", "[a64][loadstore][atomic]")
{
    Machine m;
    m.sp() = kData + 0x730;
    m.write<uint64_t>(kData + 0x730, 5);
    m.write<uint64_t>(kData + 0x738, 0);
    m.x(30) = 5;
    m.x(28) = 0xA;
    m.x(29) = 0xB;
    m.run({0x487e7ffc}, 1);  // caspa x30, xzr, x28, x29, [sp]
    CHECK(m.read<uint64_t>(kData + 0x730) == 0xA);
    CHECK(m.read<uint64_t>(kData + 0x738) == 0xB);
    CHECK(m.x(30) == 5);
    CHECK(m.board.cpu.s.r[kZr] == 0);
    m.run({0x483c7ffe}, 1);  // casp x28, x29, x30, xzr, [sp]
    CHECK(m.read<uint64_t>(kData + 0x730) == 5);
    CHECK(m.read<uint64_t>(kData + 0x738) == 0);
    CHECK(m.x(28) == 0xA);
    CHECK(m.x(29) == 0xB);
}

TEST_CASE("LSE atomic memory operations return the old value", "[a64][loadstore][atomic]")
{
    Machine m;
    m.x(0) = kData + 0x800;
    m.x(16) = kData + 0x810;
    m.x(17) = kData + 0x820;
    m.x(20) = kData + 0x830;
    m.sp() = kData + 0x840;
    m.write<uint64_t>(kData + 0x800, 10);
    m.write<uint64_t>(kData + 0x810, 0x11223344556677FF);
    m.write<uint64_t>(kData + 0x820, 0x1111111111118000);
    m.write<uint64_t>(kData + 0x830, 0x22222222FFFFFFFF);
    m.write<uint64_t>(kData + 0x840, 0x3333333300000009);
    m.x(1) = 5;
    m.x(3) = 100;
    m.x(5) = 4;
    m.x(8) = 3;
    m.x(10) = kOnes;
    m.x(13) = 5;
    m.x(18) = 2;
    m.x(21) = 0xABCD;
    m.x(23) = 4;
    m.x(25) = 0xF0F0F0F0;
    m.x(27) = 7;
    m.x(29) = 0x8001;
    for (unsigned r : {19, 22, 24, 26, 28})
        m.x(r) = kOnes;
    m.board.load(kCode, {
                            0xf8210002,  // ldadd x1, x2, [x0]
                            0xf821001f,  // stadd x1, [x0]
                            0xf8e38004,  // swpal x3, x4, [x0]
                            0xf8251006,  // ldclr x5, x6, [x0]
                            0xf8252007,  // ldeor x5, x7, [x0]
                            0xf8283009,  // ldset x8, x9, [x0]
                            0xf82a400b,  // ldsmax x10, x11, [x0]
                            0xf82a600c,  // ldumax x10, x12, [x0]
                            0xf82d500e,  // ldsmin x13, x14, [x0]
                            0xf82d700f,  // ldumin x13, x15, [x0]
                            0x38210202,  // ldaddb w1, w2, [x16]
                            0x78234224,  // ldsmaxh w3, w4, [x17]
                            0xb8720293,  // ldaddl w18, w19, [x20]
                            0x38358216,  // swpb w21, w22, [x16]
                            0x78f71238,  // ldclralh w23, w24, [x17]
                            0xb8b9229a,  // ldeora w25, w26, [x20]
                            0x3821421f,  // stsmaxb w1, [x16]
                            0xb8fb73fc,  // lduminal w27, w28, [sp]
                            0x38633205,  // ldsetlb w3, w5, [x16]
                            0x78bd5227,  // ldsminah w29, w7, [x17]
                            0xb8686289,  // ldumaxl w8, w9, [x20]
                            0xf8bf800a,  // swpa xzr, x10, [x0]
                        });
    const uint64_t x0 = kData + 0x800;
    m.board.cpu.run(1);
    CHECK(m.x(2) == 10);
    CHECK(m.read<uint64_t>(x0) == 15);
    m.board.cpu.run(1);
    CHECK(m.read<uint64_t>(x0) == 20);
    CHECK(m.board.cpu.s.r[kZr] == 0);
    m.board.cpu.run(1);
    CHECK(m.x(4) == 20);
    CHECK(m.read<uint64_t>(x0) == 100);
    m.board.cpu.run(1);
    CHECK(m.x(6) == 100);
    CHECK(m.read<uint64_t>(x0) == 96);
    m.board.cpu.run(1);
    CHECK(m.x(7) == 96);
    CHECK(m.read<uint64_t>(x0) == 100);
    m.board.cpu.run(1);
    CHECK(m.x(9) == 100);
    CHECK(m.read<uint64_t>(x0) == 103);
    m.board.cpu.run(1);
    CHECK(m.x(11) == 103);
    CHECK(m.read<uint64_t>(x0) == 103);  // signed: 103 > -1
    m.board.cpu.run(1);
    CHECK(m.x(12) == 103);
    CHECK(m.read<uint64_t>(x0) == kOnes);  // unsigned: ~0 > 103
    m.board.cpu.run(1);
    CHECK(m.x(14) == kOnes);
    CHECK(m.read<uint64_t>(x0) == kOnes);  // signed: -1 < 5
    m.board.cpu.run(1);
    CHECK(m.x(15) == kOnes);
    CHECK(m.read<uint64_t>(x0) == 5);
    m.board.cpu.run(1);
    CHECK(m.x(2) == 0xFF);
    CHECK(m.read<uint64_t>(kData + 0x810) == 0x1122334455667704);  // wraps within the byte
    m.board.cpu.run(1);
    CHECK(m.x(4) == 0x8000);
    CHECK(m.read<uint64_t>(kData + 0x820) == 0x1111111111110064);
    m.board.cpu.run(1);
    CHECK(m.x(19) == 0xFFFFFFFF);
    CHECK(m.read<uint64_t>(kData + 0x830) == 0x2222222200000001);
    m.board.cpu.run(1);
    CHECK(m.x(22) == 0x04);
    CHECK(m.read<uint64_t>(kData + 0x810) == 0x11223344556677CD);
    m.board.cpu.run(1);
    CHECK(m.x(24) == 0x64);
    CHECK(m.read<uint64_t>(kData + 0x820) == 0x1111111111110060);
    m.board.cpu.run(1);
    CHECK(m.x(26) == 1);
    CHECK(m.read<uint64_t>(kData + 0x830) == 0x22222222F0F0F0F1);
    m.board.cpu.run(1);
    CHECK(m.read<uint64_t>(kData + 0x810) == 0x1122334455667705);  // signed byte: 5 > -51
    m.board.cpu.run(1);
    CHECK(m.x(28) == 9);
    CHECK(m.read<uint64_t>(kData + 0x840) == 0x3333333300000007);
    m.board.cpu.run(1);
    CHECK(m.x(5) == 0x05);
    CHECK(m.read<uint64_t>(kData + 0x810) == 0x1122334455667765);
    m.board.cpu.run(1);
    CHECK(m.x(7) == 0x60);
    CHECK(m.read<uint64_t>(kData + 0x820) == 0x1111111111118001);  // signed half: -32767 < 96
    m.board.cpu.run(1);
    CHECK(m.x(9) == 0xF0F0F0F1);
    CHECK(m.read<uint64_t>(kData + 0x830) == 0x22222222F0F0F0F1);
    m.board.cpu.run(1);
    CHECK(m.x(10) == 5);
    CHECK(m.read<uint64_t>(x0) == 0);
}

TEST_CASE("faults leave no architectural trace", "[a64][loadstore][fault]")
{
    constexpr uint32_t kDfscAlignment = 0x21;
    constexpr uint32_t kDfscExternal = 0x10;
    constexpr uint64_t kSentinel = 0x5A5A5A5A5A5A5A5A;
    struct Case {
        const char* what;
        uint32_t insn;
        uint64_t base;  // x0
        uint64_t far;
        uint32_t dfsc;
        bool wnr;
    };
    const Case cases[] = {
        {"misaligned ldxr x1, [x0]", 0xc85f7c01, kData + 0x901, kData + 0x901, kDfscAlignment, false},
        {"misaligned cas x1, x2, [x0]", 0xc8a17c02, kData + 0x904, kData + 0x904, kDfscAlignment, false},
        {"misaligned stxr w2, x3, [x0]", 0xc8027c03, kData + 0x902, kData + 0x902, kDfscAlignment, true},
        {"misaligned ldaddh w1, w2, [x0]", 0x78210002, kData + 0x901, kData + 0x901, kDfscAlignment, false},
        {"misaligned ldar w1, [x0]", 0x88dffc01, kData + 0x902, kData + 0x902, kDfscAlignment, false},
        {"misaligned stlr x1, [x0]", 0xc89ffc01, kData + 0x904, kData + 0x904, kDfscAlignment, true},
        {"ldxp w1, w2, [x0] aligned to 4, not 8", 0x887f0801, kData + 0x904, kData + 0x904, kDfscAlignment, false},
        {"casp x2, x3, x4, x5, [x0] aligned to 8, not 16", 0x48227c04, kData + 0x908, kData + 0x908, kDfscAlignment,
         false},
        {"unmapped ldr x1, [x0, #8]!", 0xf8408c01, 0x1000, 0x1008, kDfscExternal, false},
        {"unmapped str x1, [x0], #16", 0xf8010401, 0x2000, 0x2000, kDfscExternal, true},
        {"ldp x1, x2, [x0], #16 across the end of RAM", 0xa8c10801, kRamEnd - 8, kRamEnd, kDfscExternal, false},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        Machine m;
        m.x(0) = c.base;
        for (unsigned r = 1; r <= 5; r++)
            m.x(r) = kSentinel;
        m.fill_pattern(kData + 0x900, 0x20);
        m.write<uint64_t>(kRamEnd - 8, 0x77);
        m.run({kPrfm, c.insn}, 2);  // the prfm and the vector's `b .` retire; the fault does not

        const State& s = m.board.cpu.s;
        CHECK(m.board.cpu.icount() == 2);
        CHECK(s.pc == kSyncVector);
        CHECK(s.sys.elr_el1 == kCode + 4);
        CHECK(esr_ec(s.sys.esr_el1) == 0x25);
        CHECK((s.sys.esr_el1 & 0x3F) == c.dfsc);
        CHECK(((s.sys.esr_el1 >> 6) & 1) == (c.wnr ? 1u : 0u));
        CHECK(((s.sys.esr_el1 >> 25) & 1) == 1u);
        CHECK(s.sys.far_el1 == c.far);
        CHECK(m.x(0) == c.base);
        for (unsigned r = 1; r <= 5; r++)
            CHECK(m.x(r) == kSentinel);
        for (uint64_t a = kData + 0x900; a < kData + 0x920; a += 8)
            CHECK(m.read<uint64_t>(a) == pattern64(a));
        CHECK_FALSE(m.board.cpu.monitor.valid);
    }
}
