// A64 integer data processing: the parts that are easy to get subtly wrong. Flags at the carry
// and overflow edges, DecodeBitMasks, bitfield moves (checked exhaustively against the
// manual's pseudocode), conditional compare and select, division edge cases, CLS/CLZ, high
// multiplies, CRC32, and the reserved encodings that must be undefined.
//
// Encodings come from aarch64-linux-gnu-as; each is commented with its assembly.
#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "cpu/a64/decoder.h"
#include "cpu/a64/fields.h"
#include "support/test_board.h"

using namespace emu::a64;
using emu::RunEnd;
using emu::StopKind;
using emu::test::A64TestBoard;

namespace {

constexpr uint64_t kCode = A64TestBoard::kDefaultRamBase;
constexpr uint64_t kMin64 = uint64_t{1} << 63;
constexpr uint64_t kMax64 = kMin64 - 1;
constexpr uint64_t kOnes = ~uint64_t{0};
constexpr uint32_t N = kFlagN, Z = kFlagZ, C = kFlagC, V = kFlagV;

struct Board : A64TestBoard {
    uint64_t& x(unsigned i) { return cpu.s.r[i]; }
    uint64_t& sp() { return cpu.s.r[kSp]; }

    // Runs `insns` from the start of RAM and requires that none of them raised an exception.
    void exec(const std::vector<uint32_t>& insns)
    {
        load(kCode, insns);
        REQUIRE(cpu.run(insns.size()) == RunEnd::Budget);
        REQUIRE(cpu.s.pc == kCode + 4 * insns.size());
    }
};

// One instruction on x1, x2 (and the carry) giving x0 and the flags.
struct FlagCase {
    uint64_t x1, x2;
    uint32_t flags_in;
    uint64_t result;
    uint32_t flags_out;
};

void check_flag_cases(uint32_t insn, const std::vector<FlagCase>& cases)
{
    for (const FlagCase& t : cases) {
        Board b;
        b.x(1) = t.x1;
        b.x(2) = t.x2;
        b.cpu.s.nzcv = t.flags_in;
        INFO(std::hex << "insn " << insn << " x1 " << t.x1 << " x2 " << t.x2 << " nzcv in " << t.flags_in);
        b.exec({insn});
        CHECK(b.x(0) == t.result);
        CHECK(b.cpu.s.nzcv == t.flags_out);
    }
}

// Builds one encoding the way the block builder does.
Build build(uint32_t insn)
{
    const InsnDef* d = decode(insn);
    REQUIRE(d != nullptr);
    Op op{};
    return d->build(op, insn);
}

}  // namespace

TEST_CASE("ADDS and SUBS set NZCV at the carry and overflow edges", "[a64][dataproc]")
{
    SECTION("64-bit ADDS")
    {
        check_flag_cases(0xab020020,  // adds x0, x1, x2
                         {
                             {0, 0, 0, 0, Z},
                             {kOnes, 1, 0, 0, Z | C},
                             {kMax64, 1, 0, kMin64, N | V},
                             {kMin64, kMin64, 0, 0, Z | C | V},
                             {kMin64, kOnes, 0, kMax64, C | V},
                             {kOnes, kOnes, 0, kOnes - 1, N | C},
                             {1, 2, N | Z | C | V, 3, 0},
                         });
    }
    SECTION("64-bit SUBS: C is NOT borrow")
    {
        check_flag_cases(0xeb020020,  // subs x0, x1, x2
                         {
                             {0, 0, 0, 0, Z | C},
                             {0, 1, 0, kOnes, N},
                             {1, 0, 0, 1, C},
                             {kMin64, 1, 0, kMax64, C | V},
                             {kMax64, kOnes, 0, kMin64, N | V},
                             {kOnes, kMax64, 0, kMin64, N | C},
                             {5, 5, N | V, 0, Z | C},
                         });
    }
    SECTION("32-bit ADDS ignores and clears the upper halves")
    {
        check_flag_cases(0x2b020020,  // adds w0, w1, w2
                         {
                             {0xDEADBEEF7FFFFFFF, 1, 0, 0x80000000, N | V},
                             {0x12345678FFFFFFFF, 1, 0, 0, Z | C},
                             {0x80000000, 0x80000000, 0, 0, Z | C | V},
                             {0xFFFFFFFF00000000, 0x100000000, 0, 0, Z},
                         });
    }
    SECTION("32-bit SUBS")
    {
        check_flag_cases(0x6b020020,  // subs w0, w1, w2
                         {
                             {0x80000000, 1, 0, 0x7FFFFFFF, C | V},
                             {0, 1, 0, 0xFFFFFFFF, N},
                             {0x7FFFFFFF, 0xFFFFFFFF, 0, 0x80000000, N | V},
                             {0x100000005, 5, 0, 0, Z | C},
                         });
    }
}

TEST_CASE("ADCS and SBCS take the carry in and judge overflow on the whole sum", "[a64][dataproc]")
{
    SECTION("64-bit ADCS")
    {
        check_flag_cases(0xba020020,  // adcs x0, x1, x2
                         {
                             {kOnes, 0, C, 0, Z | C},
                             {kOnes, 0, 0, kOnes, N},
                             {kMax64, 0, C, kMin64, N | V},
                             {kOnes, kOnes, C, kOnes, N | C},
                             // -2^63 + -1 + 1 does not overflow, although -2^63 + -1 would.
                             {kMin64, kOnes, C, kMin64, N | C},
                         });
    }
    SECTION("64-bit SBCS subtracts NOT carry")
    {
        check_flag_cases(0xfa020020,  // sbcs x0, x1, x2
                         {
                             {0, 0, 0, kOnes, N},
                             {0, 0, C, 0, Z | C},
                             {kMin64, 0, 0, kMax64, C | V},
                             {1, 0, 0, 0, Z | C},
                             {kMin64, kOnes, 0, kMin64, N},
                         });
    }
    SECTION("32-bit ADCS and SBCS")
    {
        check_flag_cases(0x3a020020,  // adcs w0, w1, w2
                         {
                             {0x55555555FFFFFFFF, 0, C, 0, Z | C},
                             {0x7FFFFFFF, 0xFFFFFFFF00000000, C, 0x80000000, N | V},
                         });
        check_flag_cases(0x7a020020,  // sbcs w0, w1, w2
                         {
                             {0x80000000, 0, 0, 0x7FFFFFFF, C | V},
                             {0, 0, 0, 0xFFFFFFFF, N},
                         });
    }
    SECTION("ADC and SBC leave the flags alone")
    {
        check_flag_cases(0x9a020020,  // adc x0, x1, x2
                         {{1, 2, C | V, 4, C | V}, {kOnes, 0, C, 0, C}});
        check_flag_cases(0x5a020020,  // sbc w0, w1, w2
                         {{5, 3, N, 1, N}, {5, 3, C, 2, C}});
    }
}

TEST_CASE("flag-setting forms with register 31 discard the result, the others may use SP", "[a64][dataproc]")
{
    Board b;
    b.sp() = 16;
    b.x(1) = 0xFFFFF001;
    b.exec({
        0xf10043ff,  // cmp sp, #16
    });
    CHECK(b.cpu.s.nzcv == (Z | C));
    CHECK(b.sp() == 16);

    b.exec({
        0x313ffc3f,  // cmn w1, #4095
    });
    CHECK(b.cpu.s.nzcv == (Z | C));
    CHECK(b.sp() == 16);

    b.sp() = kCode;
    b.exec({
        0x914043ff,  // add sp, sp, #0x10, lsl #12
        0x910003e0,  // mov x0, sp
    });
    CHECK(b.sp() == kCode + 0x10000);
    CHECK(b.x(0) == kCode + 0x10000);

    b.x(1) = 0xFFFFFFFF00000000;
    b.exec({
        0x5100043f,  // sub wsp, w1, #1
    });
    CHECK(b.sp() == 0xFFFFFFFF);

    b.x(1) = 0x1000;
    b.exec({
        0xf1400420,  // subs x0, x1, #1, lsl #12
    });
    CHECK(b.x(0) == 0);
    CHECK(b.cpu.s.nzcv == (Z | C));
}

TEST_CASE("DecodeBitMasks gives the assembler's immediates and rejects reserved ones", "[a64][dataproc]")
{
    SECTION("logical immediates")
    {
        // and x0, x1, #0x5555555555555555 is 0x9200f020: N=0 immr=0 imms=0b111100.
        CHECK(decode_bit_masks(0, 0b111100, 0, true, 64)->wmask == 0x5555555555555555);
        // orr w0, wzr, #0xff00ff00 is 0x32089fe0: N=0 immr=8 imms=0b100111.
        CHECK(decode_bit_masks(0, 0b100111, 8, true, 32)->wmask == 0xff00ff00);
        // eor x0, x1, #0xfffffffffffffffe is 0xd27ff820: N=1 immr=63 imms=62.
        CHECK(decode_bit_masks(1, 62, 63, true, 64)->wmask == 0xfffffffffffffffe);
        // ands w0, w1, #0x80000001 is 0x72010420: N=0 immr=1 imms=1.
        CHECK(decode_bit_masks(0, 1, 1, true, 32)->wmask == 0x80000001);
    }
    SECTION("reserved logical immediates")
    {
        CHECK_FALSE(decode_bit_masks(1, 0b111111, 0, true, 64));  // a 64-bit element of all ones
        CHECK_FALSE(decode_bit_masks(0, 0b111101, 0, true, 64));  // a 2-bit element of all ones
        CHECK_FALSE(decode_bit_masks(0, 0b111111, 0, true, 64));  // no element size at all
        CHECK_FALSE(decode_bit_masks(1, 0, 0, true, 32));         // a 64-bit element in W
    }
    SECTION("bitfield masks: all ones is fine when not an immediate")
    {
        auto all = decode_bit_masks(1, 63, 0, false, 64);
        REQUIRE(all);
        CHECK(all->wmask == kOnes);
        CHECK(all->tmask == kOnes);
        // ubfx x0, x1, #8, #16 is UBFM immr=8 imms=23.
        auto field = decode_bit_masks(1, 23, 8, false, 64);
        REQUIRE(field);
        CHECK(field->wmask == 0xFF0000000000FFFF);
        CHECK(field->tmask == 0xFFFF);
    }
}

TEST_CASE("logical immediates run", "[a64][dataproc]")
{
    Board b;
    b.x(0) = 0x1234;
    b.x(1) = kOnes;
    b.exec({
        0x9200f020,  // and x0, x1, #0x5555555555555555
    });
    CHECK(b.x(0) == 0x5555555555555555);

    b.x(0) = kOnes;
    b.exec({
        0x32089fe0,  // mov w0, #0xff00ff00 (orr w0, wzr, #0xff00ff00)
    });
    CHECK(b.x(0) == 0xff00ff00);

    b.x(1) = 0x0123456789abcdef;
    b.exec({
        0xd27ff820,  // eor x0, x1, #0xfffffffffffffffe
    });
    CHECK(b.x(0) == 0xfedcba9876543211);

    b.x(1) = 0xFFFFFFFF80000000;
    b.cpu.s.nzcv = C | V;
    b.exec({
        0x72010420,  // ands w0, w1, #0x80000001
    });
    CHECK(b.x(0) == 0x80000000);
    CHECK(b.cpu.s.nzcv == N);

    b.x(1) = 0x100000000;
    b.exec({
        0x72010420,  // ands w0, w1, #0x80000001
    });
    CHECK(b.x(0) == 0);
    CHECK(b.cpu.s.nzcv == Z);

    b.x(1) = 0x40001237;
    b.exec({
        0x927cec3f,  // and sp, x1, #0xfffffffffffffff0
    });
    CHECK(b.sp() == 0x40001230);
}

TEST_CASE("bitfield moves and their aliases", "[a64][dataproc]")
{
    struct Case {
        uint32_t insn;
        uint64_t x0, x1, result;
    };
    const Case cases[] = {
        {0xd3485c20, 0, 0x0123456789abcdef, 0xabcd},                              // ubfx x0, x1, #8, #16
        {0x93485c20, 0, 0x0123456789abcdef, 0xffffffffffffabcd},                  // sbfx x0, x1, #8, #16
        {0x531c7c20, 0, 0xFFFFFFFF90000000, 0x9},                                 // lsr w0, w1, #28
        {0x131c7c20, 0, 0xFFFFFFFF90000000, 0xFFFFFFF9},                          // asr w0, w1, #28
        {0xb3440c20, 0x0123456789abcdef, 0xA5, 0x5123456789abcdef},               // bfi x0, x1, #60, #4
        {0x331c1c20, 0xFFFFFFFF12345678, 0xAB, 0x12345AB8},                       // bfi w0, w1, #4, #8
        {0xb378fc20, 0x0123456789abcdef, 0xA5FFFFFFFFFFFFFF, 0x0123456789abcda5}, // bfxil x0, x1, #56, #8
        {0x33003c20, 0xFFFFFFFF12345678, 0xBEEF, 0x1234BEEF},                     // bfxil w0, w1, #0, #16
        {0xd3410020, 0, 3, kMin64},                                               // lsl x0, x1, #63
        {0x53010020, 0, 3, 0x80000000},                                           // lsl w0, w1, #31
        {0xd341fc20, 0, kOnes, kMax64},                                           // lsr x0, x1, #1
        {0x937ffc20, 0, kMin64, kOnes},                                           // asr x0, x1, #63
        {0x937ffc20, 0, kMax64, 0},                                               // asr x0, x1, #63
        {0x131f7c20, 0, 0x80000000, 0xFFFFFFFF},                                  // asr w0, w1, #31
        {0x93401c20, 0, 0x12345680, 0xffffffffffffff80},                          // sxtb x0, w1
        {0x13003c20, 0, 0x8000, 0xFFFF8000},                                      // sxth w0, w1
        {0x93407c20, 0, 0x1234567880000000, 0xffffffff80000000},                  // sxtw x0, w1
        {0x53001c20, 0, 0xFFFF, 0xFF},                                            // uxtb w0, w1
        {0x937c1c20, 0, 0x80, 0xfffffffffffff800},                                // sbfiz x0, x1, #4, #8
        {0x53020420, 0, 7, 0xC0000000},                                           // lsl w0, w1, #30
    };
    for (const Case& t : cases) {
        Board b;
        b.x(0) = t.x0;
        b.x(1) = t.x1;
        b.exec({t.insn});
        INFO(std::hex << "insn " << t.insn);
        CHECK(b.x(0) == t.result);
    }
}

// The manual's SBFM/BFM/UBFM pseudocode, written with DecodeBitMasks.
static uint64_t bitfield_reference(unsigned opc, unsigned width, unsigned immr, unsigned imms, uint64_t dst, uint64_t src)
{
    BitMasks m = *decode_bit_masks(width == 64, imms, immr, false, width);
    uint64_t mask = emu::ones(width);
    src &= mask;
    uint64_t rotated = immr == 0 ? src : ((src >> immr) | (src << (width - immr))) & mask;
    if (opc == 1) {  // BFM
        uint64_t bot = (dst & ~m.wmask) | (rotated & m.wmask);
        return ((dst & ~m.tmask) | (bot & m.tmask)) & mask;
    }
    uint64_t bot = rotated & m.wmask;
    uint64_t top = (opc == 0 && ((src >> imms) & 1)) ? mask : 0;  // SBFM replicates bit S
    return ((top & ~m.tmask) | (bot & m.tmask)) & mask;
}

TEST_CASE("every SBFM, BFM and UBFM encoding matches the manual's pseudocode", "[a64][dataproc]")
{
    const uint64_t sources[] = {0x8123456789abcdef, 0x7edcba9876543210};
    Board b;
    uint64_t runs = 0;
    unsigned mismatches = 0;
    for (unsigned sf = 0; sf < 2; sf++) {
        unsigned width = sf ? 64 : 32;
        for (unsigned opc = 0; opc < 3; opc++) {
            for (unsigned immr = 0; immr < width; immr++) {
                for (unsigned imms = 0; imms < width; imms++) {
                    // sf opc 100110 N immr imms Rn=1 Rd=0
                    uint32_t insn = (sf << 31) | (opc << 29) | (0b100110u << 23) | (sf << 22) | (immr << 16) | (imms << 10) | (1u << 5);
                    for (uint64_t src : sources) {
                        uint64_t dst = ~src;
                        b.x(0) = dst;
                        b.x(1) = src;
                        b.load(kCode, {insn});
                        b.cpu.run(1);
                        runs++;
                        uint64_t want = bitfield_reference(opc, width, immr, imms, dst, src);
                        if ((b.x(0) != want || b.cpu.s.pc != kCode + 4) && mismatches++ == 0) {
                            INFO(std::hex << "first mismatch: insn " << insn << " src " << src << " got " << b.x(0) << " want " << want);
                            CHECK(b.x(0) == want);
                            CHECK(b.cpu.s.pc == kCode + 4);
                        }
                    }
                }
            }
        }
    }
    CHECK(runs == 3 * 2 * (64 * 64 + 32 * 32));
    CHECK(mismatches == 0);
}

TEST_CASE("EXTR and ROR", "[a64][dataproc]")
{
    Board b;
    b.x(1) = 0x0123456789abcdef;
    b.exec({
        0x93c11020,  // ror x0, x1, #4
    });
    CHECK(b.x(0) == 0xf0123456789abcde);

    b.x(1) = 0xAAAAAAAA11223344;
    b.x(2) = 0xBBBBBBBB55667788;
    b.exec({
        0x13822020,  // extr w0, w1, w2, #8
    });
    CHECK(b.x(0) == 0x44556677);

    b.exec({
        0x93c20020,  // extr x0, x1, x2, #0
    });
    CHECK(b.x(0) == 0xBBBBBBBB55667788);
}

TEST_CASE("CCMP and CCMN compare only when the condition holds", "[a64][dataproc]")
{
    const uint32_t ccmp_reg = 0xfa420022;  // ccmp x1, x2, #0b0010, eq
    const uint32_t ccmn_imm = 0x3a411829;  // ccmn w1, #1, #0b1001, ne
    const uint32_t ccmp_imm = 0xfa5fa820;  // ccmp x1, #31, #0, ge
    Board b;

    b.x(1) = 5;
    b.x(2) = 5;
    b.cpu.s.nzcv = Z;
    b.exec({ccmp_reg});
    CHECK(b.cpu.s.nzcv == (Z | C));
    b.x(2) = 6;
    b.cpu.s.nzcv = Z;
    b.exec({ccmp_reg});
    CHECK(b.cpu.s.nzcv == N);
    b.cpu.s.nzcv = N | V;  // EQ fails: the encoded flags
    b.exec({ccmp_reg});
    CHECK(b.cpu.s.nzcv == C);

    b.x(1) = 0xABCDEF00FFFFFFFF;  // w1 = -1
    b.cpu.s.nzcv = 0;
    b.exec({ccmn_imm});
    CHECK(b.cpu.s.nzcv == (Z | C));
    b.cpu.s.nzcv = Z;
    b.exec({ccmn_imm});
    CHECK(b.cpu.s.nzcv == (N | V));

    b.x(1) = kMin64;
    b.cpu.s.nzcv = N | V;  // GE holds
    b.exec({ccmp_imm});
    CHECK(b.cpu.s.nzcv == (C | V));
    b.cpu.s.nzcv = N;  // GE fails
    b.exec({ccmp_imm});
    CHECK(b.cpu.s.nzcv == 0);

    // AL and NV both always hold.
    b.x(1) = 3;
    b.x(2) = 3;
    b.cpu.s.nzcv = 0;
    b.exec({0x7a42e02f});  // ccmp w1, w2, #0b1111, al
    CHECK(b.cpu.s.nzcv == (Z | C));
    b.x(2) = kOnes - 2;  // -3
    b.cpu.s.nzcv = N;
    b.exec({0xba42f020});  // ccmn x1, x2, #0, nv
    CHECK(b.cpu.s.nzcv == (Z | C));
}

TEST_CASE("conditional select family", "[a64][dataproc]")
{
    Board b;
    b.x(1) = 0x1111;
    b.x(2) = 0x2222;
    b.cpu.s.nzcv = N;
    b.exec({0x9a82b020});  // csel x0, x1, x2, lt
    CHECK(b.x(0) == 0x1111);
    b.cpu.s.nzcv = N | V;
    b.exec({0x9a82b020});
    CHECK(b.x(0) == 0x2222);

    b.x(1) = 0xFFFFFFFF12345678;
    b.x(2) = 0xFFFFFFFF;
    b.cpu.s.nzcv = Z;
    b.exec({0x1a820420});  // csinc w0, w1, w2, eq
    CHECK(b.x(0) == 0x12345678);
    b.cpu.s.nzcv = 0;
    b.exec({0x1a820420});
    CHECK(b.x(0) == 0);  // 0xFFFFFFFF + 1 wraps in 32 bits

    b.x(2) = 0x00FF;
    b.cpu.s.nzcv = Z | C;  // HI fails
    b.exec({0xda828020});  // csinv x0, x1, x2, hi
    CHECK(b.x(0) == ~uint64_t{0x00FF});

    b.x(2) = 5;
    b.cpu.s.nzcv = 0;
    b.exec({0xda824420});  // csneg x0, x1, x2, mi
    CHECK(b.x(0) == kOnes - 4);
    b.x(2) = kMin64;
    b.exec({0xda824420});
    CHECK(b.x(0) == kMin64);  // -INT64_MIN wraps to itself

    b.x(1) = 0xAAAAAAAA80000000;
    b.cpu.s.nzcv = V;
    b.exec({0x5a817420});  // cneg w0, w1, vs
    CHECK(b.x(0) == 0x80000000);
    b.x(1) = 7;
    b.exec({0x5a817420});
    CHECK(b.x(0) == 0xFFFFFFF9);
    b.cpu.s.nzcv = 0;
    b.exec({0x5a817420});
    CHECK(b.x(0) == 7);

    b.cpu.s.nzcv = C;
    b.exec({0x9a9f37e0});  // cset x0, cs
    CHECK(b.x(0) == 1);
    b.cpu.s.nzcv = Z;
    b.exec({0x5a9fc3e0});  // csetm w0, le
    CHECK(b.x(0) == 0xFFFFFFFF);
}

TEST_CASE("division never traps", "[a64][dataproc]")
{
    struct Case {
        uint32_t insn;
        uint64_t x1, x2, result;
    };
    const uint32_t udiv_x = 0x9ac20820;  // udiv x0, x1, x2
    const uint32_t sdiv_x = 0x9ac20c20;  // sdiv x0, x1, x2
    const uint32_t udiv_w = 0x1ac20820;  // udiv w0, w1, w2
    const uint32_t sdiv_w = 0x1ac20c20;  // sdiv w0, w1, w2
    const Case cases[] = {
        {udiv_x, 7, 0, 0},
        {udiv_x, kOnes, 2, kMax64},
        {sdiv_x, 7, 0, 0},
        {sdiv_x, kMin64, kOnes, kMin64},
        {sdiv_x, kMin64, 1, kMin64},
        {sdiv_x, uint64_t(-7), 2, uint64_t(-3)},
        {sdiv_x, 7, uint64_t(-2), uint64_t(-3)},
        {udiv_w, 0x100000010, 0x100000004, 4},
        {udiv_w, 0x100000010, 0x100000000, 0},  // w2 is zero
        {sdiv_w, 0x80000000, 0xFFFFFFFF, 0x80000000},
        {sdiv_w, 0xFFFFFFF9, 2, 0xFFFFFFFD},
        {sdiv_w, 0x1234, 0x7700000000, 0},
    };
    for (const Case& t : cases) {
        Board b;
        b.x(1) = t.x1;
        b.x(2) = t.x2;
        b.exec({t.insn});
        INFO(std::hex << "insn " << t.insn << " x1 " << t.x1 << " x2 " << t.x2);
        CHECK(b.x(0) == t.result);
    }
}

TEST_CASE("CLZ and CLS at their edges", "[a64][dataproc]")
{
    struct Case {
        uint32_t insn;
        uint64_t x1, result;
    };
    const uint32_t clz_x = 0xdac01020;  // clz x0, x1
    const uint32_t clz_w = 0x5ac01020;  // clz w0, w1
    const uint32_t cls_x = 0xdac01420;  // cls x0, x1
    const uint32_t cls_w = 0x5ac01420;  // cls w0, w1
    const Case cases[] = {
        {clz_x, 0, 64},
        {clz_x, 1, 63},
        {clz_x, kOnes, 0},
        {clz_x, 0xFFFFFFFF, 32},
        {clz_w, 0xFFFFFFFF00000000, 32},
        {clz_w, 1, 31},
        {clz_w, 0x80000000, 0},
        {cls_x, 0, 63},
        {cls_x, kOnes, 63},
        {cls_x, 1, 62},
        {cls_x, kMin64, 0},
        {cls_x, kMax64, 0},
        {cls_x, 0xC000000000000000, 1},
        {cls_x, 0x3FFFFFFFFFFFFFFF, 1},
        {cls_w, 0x7FFFFFFF00000000, 31},
        {cls_w, 0xFFFFFFFF, 31},
        {cls_w, 1, 30},
        {cls_w, 0x80000000, 0},
        {cls_w, 0xFFFFFFFFE0000000, 2},
    };
    for (const Case& t : cases) {
        Board b;
        b.x(1) = t.x1;
        b.exec({t.insn});
        INFO(std::hex << "insn " << t.insn << " x1 " << t.x1);
        CHECK(b.x(0) == t.result);
    }
}

TEST_CASE("multiplies: high halves, long forms and wrapping", "[a64][dataproc]")
{
    struct Case {
        uint32_t insn;
        uint64_t x1, x2, x3, result;
    };
    const uint32_t smulh = 0x9b427c20;  // smulh x0, x1, x2
    const uint32_t umulh = 0x9bc27c20;  // umulh x0, x1, x2
    const Case cases[] = {
        {smulh, kOnes, kOnes, 0, 0},
        {smulh, kMin64, kMin64, 0, 0x4000000000000000},
        {smulh, kOnes, 1, 0, kOnes},
        {smulh, kMax64, kMax64, 0, 0x3FFFFFFFFFFFFFFF},
        {smulh, kMin64, kMax64, 0, 0xC000000000000000},
        {umulh, kOnes, kOnes, 0, 0xFFFFFFFFFFFFFFFE},
        {umulh, 0x100000000, 0x100000000, 0, 1},
        {umulh, kMin64, 2, 0, 1},
        {0x9b220c20, 0x12345678FFFFFFFE, 3, 100, 94},                          // smaddl x0, w1, w2, x3
        {0x9ba28c20, 0xFFFFFFFF, 0xAAAAAAAAFFFFFFFF, 0, 0x00000001FFFFFFFF},  // umsubl x0, w1, w2, x3
        {0x1b020c20, 0x10000, 0x10000, 0xFFFFFFFF00000005, 5},                // madd w0, w1, w2, w3
        {0x9b028c20, 3, 4, 10, uint64_t(-2)},                                  // msub x0, x1, x2, x3
        {0x9b027c20, kMax64, 2, 0, kOnes - 1},                                 // mul x0, x1, x2
    };
    for (const Case& t : cases) {
        Board b;
        b.x(1) = t.x1;
        b.x(2) = t.x2;
        b.x(3) = t.x3;
        b.exec({t.insn});
        INFO(std::hex << "insn " << t.insn << " x1 " << t.x1 << " x2 " << t.x2 << " x3 " << t.x3);
        CHECK(b.x(0) == t.result);
    }
}

TEST_CASE("shifted and extended register operands", "[a64][dataproc]")
{
    Board b;
    b.sp() = 0x40001000;
    b.x(1) = 0xAAAAAAAAFFFFFFFC;  // w1 = -4
    b.exec({0x8b21cbe0});        // add x0, sp, w1, sxtw #2
    CHECK(b.x(0) == 0x40000FF0);

    b.x(1) = 0x10;
    b.exec({0xcb2173ff});  // sub sp, sp, x1, uxtx #4
    CHECK(b.sp() == 0x40000F00);

    b.x(1) = 0x80;
    b.x(2) = 0x1FF80;
    b.exec({0x6b22003f});  // cmp w1, w2, uxtb
    CHECK(b.cpu.s.nzcv == (Z | C));

    b.x(1) = 0x10000;
    b.x(2) = 0x8000;
    b.exec({0xab22a420});  // adds x0, x1, w2, sxth #1
    CHECK(b.x(0) == 0);
    CHECK(b.cpu.s.nzcv == (Z | C));

    b.x(1) = 1;
    b.x(2) = 3;
    b.exec({0x8b02fc20});  // add x0, x1, x2, lsl #63
    CHECK(b.x(0) == 0x8000000000000001);

    b.x(1) = 5;
    b.x(2) = 0x80000000;
    b.exec({0x4b827c20});  // sub w0, w1, w2, asr #31
    CHECK(b.x(0) == 6);

    b.x(1) = 0x4000000000000000;
    b.x(2) = kOnes;
    b.exec({0xab420420});  // adds x0, x1, x2, lsr #1
    CHECK(b.x(0) == 0xBFFFFFFFFFFFFFFF);
    CHECK(b.cpu.s.nzcv == (N | V));

    b.x(1) = 0;
    b.x(2) = 0x12345678000000FF;
    b.exec({0x4ac22020});  // eor w0, w1, w2, ror #8
    CHECK(b.x(0) == 0xFF000000);

    b.x(1) = kOnes;
    b.x(2) = kMin64;
    b.cpu.s.nzcv = Z | C | V;
    b.exec({0xeae2fc20});  // bics x0, x1, x2, ror #63
    CHECK(b.x(0) == 0xFFFFFFFFFFFFFFFE);
    CHECK(b.cpu.s.nzcv == N);

    b.x(1) = 0x123456780000FFFF;
    b.exec({0x2a2103e0});  // mvn w0, w1
    CHECK(b.x(0) == 0xFFFF0000);

    b.x(1) = 0;
    b.x(2) = 1;
    b.exec({0xca221020});  // eon x0, x1, x2, lsl #4
    CHECK(b.x(0) == ~uint64_t{0x10});
}

TEST_CASE("variable shifts take the amount modulo the width", "[a64][dataproc]")
{
    struct Case {
        uint32_t insn;
        uint64_t x1, x2, result;
    };
    const Case cases[] = {
        {0x9ac22020, 1, 67, 8},                                // lsl x0, x1, x2
        {0x9ac22020, 1, 64, 1},                                // lsl x0, x1, x2
        {0x1ac22420, 0x80000000, 63, 1},                       // lsr w0, w1, w2
        {0x1ac22420, 0xFFFFFFFF80000000, 32, 0x80000000},      // lsr w0, w1, w2
        {0x9ac22820, kMin64, 63, kOnes},                       // asr x0, x1, x2
        {0x1ac22c20, 0x12345678, 36, 0x81234567},              // ror w0, w1, w2
    };
    for (const Case& t : cases) {
        Board b;
        b.x(1) = t.x1;
        b.x(2) = t.x2;
        b.exec({t.insn});
        INFO(std::hex << "insn " << t.insn << " x1 " << t.x1 << " x2 " << t.x2);
        CHECK(b.x(0) == t.result);
    }
}

TEST_CASE("CRC32 and CRC32C give the standard check values", "[a64][dataproc]")
{
    // "123456789" as the registers hold it, little-endian, with noise above the used bytes.
    auto crc_of_123456789 = [](const std::vector<uint32_t>& insns) {
        Board b;
        b.x(0) = 0x12345678FFFFFFFF;  // the initial ~0; the upper half must be ignored
        b.x(1) = 0x3837363534333231;  // "12345678"
        b.x(2) = 0xAAAAAAAAAAAAAA39;  // "9"
        b.x(3) = 0xBBBBBBBB34333231;  // "1234"
        b.x(4) = 0xCCCCCCCCCCCC3635;  // "56"
        b.x(5) = 0xDDDDDDDDDDDD3837;  // "78"
        b.exec(insns);
        REQUIRE(b.x(0) <= 0xFFFFFFFF);
        return ~static_cast<uint32_t>(b.x(0));
    };
    CHECK(crc_of_123456789({
              0x9ac14c00,  // crc32x w0, w0, x1
              0x1ac24000,  // crc32b w0, w0, w2
          }) == 0xCBF43926);
    CHECK(crc_of_123456789({
              0x1ac34800,  // crc32w w0, w0, w3
              0x1ac44400,  // crc32h w0, w0, w4
              0x1ac54400,  // crc32h w0, w0, w5
              0x1ac24000,  // crc32b w0, w0, w2
          }) == 0xCBF43926);
    CHECK(crc_of_123456789({
              0x9ac15c00,  // crc32cx w0, w0, x1
              0x1ac25000,  // crc32cb w0, w0, w2
          }) == 0xE3069283);
    CHECK(crc_of_123456789({
              0x1ac35800,  // crc32cw w0, w0, w3
              0x1ac45400,  // crc32ch w0, w0, w4
              0x1ac55400,  // crc32ch w0, w0, w5
              0x1ac25000,  // crc32cb w0, w0, w2
          }) == 0xE3069283);
}

TEST_CASE("bit and byte reversal", "[a64][dataproc]")
{
    struct Case {
        uint32_t insn;
        uint64_t x1, result;
    };
    const Case cases[] = {
        {0xdac00020, 1, kMin64},                                  // rbit x0, x1
        {0xdac00020, 0x0123456789abcdef, 0xf7b3d591e6a2c480},     // rbit x0, x1
        {0x5ac00020, 0xFFFFFFFF00000001, 0x80000000},             // rbit w0, w1
        {0xdac00420, 0x0123456789abcdef, 0x23016745ab89efcd},     // rev16 x0, x1
        {0x5ac00420, 0xFFFFFFFF12345678, 0x34127856},             // rev16 w0, w1
        {0xdac00820, 0x0123456789abcdef, 0x67452301efcdab89},     // rev32 x0, x1
        {0x5ac00820, 0xFFFFFFFF12345678, 0x78563412},             // rev w0, w1
        {0xdac00c20, 0x0123456789abcdef, 0xefcdab8967452301},     // rev x0, x1
    };
    for (const Case& t : cases) {
        Board b;
        b.x(1) = t.x1;
        b.exec({t.insn});
        INFO(std::hex << "insn " << t.insn);
        CHECK(b.x(0) == t.result);
    }
}

TEST_CASE("wide moves and PC-relative addresses", "[a64][dataproc]")
{
    Board b;
    b.x(0) = 0x5555;
    b.exec({0xd2e24680});  // mov x0, #0x1234000000000000
    CHECK(b.x(0) == 0x1234000000000000);
    b.exec({0x12a24680});  // mov w0, #0xedcbffff (movn w0, #0x1234, lsl #16)
    CHECK(b.x(0) == 0xEDCBFFFF);
    b.exec({0x92800000});  // mov x0, #-1 (movn x0, #0)
    CHECK(b.x(0) == kOnes);
    b.exec({0x12800000});  // mov w0, #-1 (movn w0, #0)
    CHECK(b.x(0) == 0xFFFFFFFF);
    b.x(0) = 0x1111111111111111;
    b.exec({0xf2b7dde0});  // movk x0, #0xbeef, lsl #16
    CHECK(b.x(0) == 0x11111111beef1111);
    b.x(0) = 0x2222222233334444;
    b.exec({0x72bfffe0});  // movk w0, #0xffff, lsl #16
    CHECK(b.x(0) == 0xFFFF4444);

    b.exec({
        0x10000800,  // adr x0, .+0x100
        0x10ffffe1,  // adr x1, .-4
    });
    CHECK(b.x(0) == kCode + 0x100);
    CHECK(b.x(1) == kCode);

    // Linked at 0x40000004 (after a nop): adrp works on the instruction's own page.
    const std::vector<uint32_t> insns = {
        0xf0000002,  // adrp x2, 0x40003000
        0xf0ffffe3,  // adrp x3, 0x3ffff000
        0x90000204,  // adrp x4, 0x40040000
        0x10ffff85,  // adr x5, 0x40000000
    };
    b.load(kCode + 4, insns);
    REQUIRE(b.cpu.run(insns.size()) == RunEnd::Budget);
    CHECK(b.x(2) == 0x40003000);
    CHECK(b.x(3) == 0x3ffff000);
    CHECK(b.x(4) == 0x40040000);
    CHECK(b.x(5) == 0x40000000);
}

TEST_CASE("aliases decode to their base instructions", "[a64][dataproc]")
{
    const std::pair<uint32_t, const char*> cases[] = {
        {0x32089fe0, "ORR_imm"},     // mov w0, #0xff00ff00
        {0xaa0103e0, "ORR_shift"},   // mov x0, x1
        {0x910003e0, "ADD_imm"},     // mov x0, sp
        {0xd2e24680, "MOVZ"},        // mov x0, #0x1234000000000000
        {0x12800000, "MOVN"},        // mov w0, #-1
        {0xf241003f, "ANDS_imm"},    // tst x1, #0x8000000000000000
        {0xeb02003f, "SUBS_shift"},  // cmp x1, x2
        {0x6b22003f, "SUBS_ext"},    // cmp w1, w2, uxtb
        {0xcb0103e0, "SUB_shift"},   // neg x0, x1
        {0x6b0103e0, "SUBS_shift"},  // negs w0, w1
        {0xda0103e0, "SBC"},         // ngc x0, x1
        {0x2a2103e0, "ORN_shift"},   // mvn w0, w1
        {0x53001c20, "UBFM"},        // uxtb w0, w1
        {0xd3410020, "UBFM"},        // lsl x0, x1, #63
        {0x93407c20, "SBFM"},        // sxtw x0, w1
        {0x331c1c20, "BFM"},         // bfi w0, w1, #4, #8
        {0x93c11020, "EXTR"},        // ror x0, x1, #4
        {0x9a9f37e0, "CSINC"},       // cset x0, cs
        {0x5a9fc3e0, "CSINV"},       // csetm w0, le
        {0x5a817420, "CSNEG"},       // cneg w0, w1, vs
        {0x9b027c20, "MADD"},        // mul x0, x1, x2
        {0x9ac22020, "LSLV"},        // lsl x0, x1, x2
        {0x5ac00820, "REV_w"},       // rev w0, w1
        {0xdac00820, "REV32"},       // rev32 x0, x1
        {0xdac00c20, "REV_x"},       // rev x0, x1
    };
    for (const auto& [insn, name] : cases) {
        INFO(std::hex << "insn " << insn);
        const InsnDef* d = decode(insn);
        REQUIRE(d != nullptr);
        CHECK(std::string(d->name) == name);
    }
}

TEST_CASE("reserved data-processing encodings are undefined", "[a64][dataproc]")
{
    SECTION("allocated lines with reserved field values")
    {
        const uint32_t reserved[] = {
            0x32089fe0 | (1u << 22),                     // orr w0, wzr, #imm with N=1
            0x9240fc20,                                  // and x0, x1, #imm: N=1, imms all ones
            0x8bc20020,                                  // add x0, x1, x2, ror #0
            0x4b828020,                                  // sub w0, w1, w2, asr #32
            0x4ac28020,                                  // eor w0, w1, w2, ror #32
            (0x8b21cbe0 & ~(7u << 10)) | (5u << 10),     // add x0, sp, w1, sxtw #5
            0xd3485c20 & ~(1u << 22),                    // ubfx x0, ... with N=0
            0x531c7c20 | (1u << 21),                     // 32-bit UBFM with immr >= 32
            0x531c7c20 | (1u << 15),                     // 32-bit UBFM with imms >= 32
            0x531c7c20 | (1u << 22),                     // 32-bit UBFM with N=1
            0x93c11020 & ~(1u << 22),                    // extr x0, ... with N=0
            0x13822020 | (1u << 15),                     // extr w0, w1, w2, #40
            0x52c00000,                                  // movz w0, #0, lsl #32
            0x72e00000,                                  // movk w0, #0, lsl #48
        };
        for (uint32_t insn : reserved) {
            INFO(std::hex << "insn " << insn);
            CHECK(build(insn) == Build::Undefined);
        }
    }
    SECTION("unallocated encodings next to the table lines")
    {
        const uint32_t unallocated[] = {
            0x32800000,  // move wide with opc=01
            0x73000000,  // bitfield with opc=11
            0x1ac14c00,  // crc32x with sf=0
            0x9ac14000,  // crc32b with sf=1
            0x9b42fc20,  // smulh with o0=1
            0x5ac00c20,  // 32-bit REV with opc=11
            0xda420022,  // ccmp with S=0
            0xfa420032,  // ccmp with o3=1
            0xfa420422,  // ccmp with o2=1
            0x9a020420,  // adc with a non-zero opcode2 field
        };
        for (uint32_t insn : unallocated) {
            INFO(std::hex << "insn " << insn);
            CHECK(decode(insn) == nullptr);
        }
    }
    SECTION("running one raises the Undefined exception and changes nothing")
    {
        Board b;
        b.x(0) = 0x1234;
        b.load(kCode, {0x32089fe0 | (1u << 22)});
        b.cpu.run(1);
        CHECK(b.x(0) == 0x1234);
        CHECK((b.cpu.s.sys.esr_el1 >> 26) == 0);  // EC Unknown
        CHECK(b.cpu.s.sys.elr_el1 == kCode);
    }
}
