/* Two builds of one guest that differ in exactly one instruction, for rr-bisect --against: a
 * deterministic computation, then one `add` whose immediate is 1 in variant_a and 3 in
 * variant_b (same size, same place: everything before it runs identically in both), then
 * more computation on the result, which is printed. The global label `variant_insn` marks the
 * differing instruction; it runs once. */
#include "rt.h"

#ifdef VARIANT_B
#define VARIANT_STEP "3"
#else
#define VARIANT_STEP "1"
#endif

uint32_t variant_result;

static uint32_t mix(uint32_t h, unsigned rounds)
{
    for (unsigned i = 0; i < rounds; i++)
        h = fnv1a_step(h, (uint8_t)(h >> 7)) + i;
    return h;
}

void guest_main(void)
{
    uint32_t h = mix(0x811c9dc5u, 20000);
    __asm__ volatile(".global variant_insn\n"
                     "variant_insn:\n\t"
                     "add %w0, %w0, #" VARIANT_STEP
                     : "+r"(h));
    variant_result = mix(h, 5000);
    rt_printf("variant result 0x%08x\n", variant_result);
}
