// A small interpreter: a stack bytecode machine dispatched through a switch (jump tables) and
// again through a table of function pointers, running a few programs; a recursive-descent
// expression evaluator over text; number formatting into a buffer. Exercises indirect
// branches, calls and returns, byte loads, stack frames and struct copies.
#include "lockstep.h"

enum opcode {
    OP_PUSH,   // push the next 32-bit literal
    OP_LOAD,   // push local[arg]
    OP_STORE,  // local[arg] = pop
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_MOD,
    OP_AND,
    OP_XOR,
    OP_SHL,
    OP_SHR,
    OP_LT,
    OP_EQ,
    OP_JMP,    // pc = arg
    OP_JZ,     // if pop == 0: pc = arg
    OP_DUP,
    OP_DROP,
    OP_HALT,
    OP_COUNT,
};

struct vm {
    const i32* code;
    u32 pc;
    u32 sp;
    i64 stack[64];
    i64 local[16];
    u64 steps;
};

static i64 arith(enum opcode op, i64 a, i64 b)
{
    switch (op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return b ? a / b : 0;
    case OP_MOD: return b ? a % b : 0;
    case OP_AND: return a & b;
    case OP_XOR: return a ^ b;
    case OP_SHL: return (i64)((u64)a << (b & 63));
    case OP_SHR: return a >> (b & 63);
    case OP_LT: return a < b;
    case OP_EQ: return a == b;
    default: return 0;
    }
}

// Dispatch through a switch: GCC compiles it to a bounds check and a jump table.
static i64 run_switch(struct vm* m)
{
    for (;;) {
        i32 op = m->code[m->pc++];
        m->steps++;
        switch (op) {
        case OP_PUSH: m->stack[m->sp++] = m->code[m->pc++]; break;
        case OP_LOAD: m->stack[m->sp++] = m->local[m->code[m->pc++]]; break;
        case OP_STORE: m->local[m->code[m->pc++]] = m->stack[--m->sp]; break;
        case OP_ADD:
        case OP_SUB:
        case OP_MUL:
        case OP_DIV:
        case OP_MOD:
        case OP_AND:
        case OP_XOR:
        case OP_SHL:
        case OP_SHR:
        case OP_LT:
        case OP_EQ: {
            i64 b = m->stack[--m->sp];
            i64 a = m->stack[--m->sp];
            m->stack[m->sp++] = arith((enum opcode)op, a, b);
            break;
        }
        case OP_JMP: m->pc = (u32)m->code[m->pc]; break;
        case OP_JZ: {
            i32 target = m->code[m->pc++];
            if (m->stack[--m->sp] == 0)
                m->pc = (u32)target;
            break;
        }
        case OP_DUP: m->stack[m->sp] = m->stack[m->sp - 1]; m->sp++; break;
        case OP_DROP: m->sp--; break;
        case OP_HALT: return m->sp ? m->stack[m->sp - 1] : 0;
        default: return -1;
        }
    }
}

// The same machine dispatched through function pointers.
typedef int (*handler)(struct vm*);

static int h_push(struct vm* m) { m->stack[m->sp++] = m->code[m->pc++]; return 0; }
static int h_load(struct vm* m) { m->stack[m->sp++] = m->local[m->code[m->pc++]]; return 0; }
static int h_store(struct vm* m) { m->local[m->code[m->pc++]] = m->stack[--m->sp]; return 0; }
static int h_jmp(struct vm* m) { m->pc = (u32)m->code[m->pc]; return 0; }
static int h_dup(struct vm* m) { m->stack[m->sp] = m->stack[m->sp - 1]; m->sp++; return 0; }
static int h_drop(struct vm* m) { m->sp--; return 0; }
static int h_halt(struct vm* m) { (void)m; return 1; }

static int h_jz(struct vm* m)
{
    i32 target = m->code[m->pc++];
    if (m->stack[--m->sp] == 0)
        m->pc = (u32)target;
    return 0;
}

static int h_arith(struct vm* m)
{
    i64 b = m->stack[--m->sp];
    i64 a = m->stack[--m->sp];
    m->stack[m->sp++] = arith((enum opcode)m->code[m->pc - 1], a, b);
    return 0;
}

static const handler handlers[OP_COUNT] = {
    h_push, h_load, h_store, h_arith, h_arith, h_arith, h_arith, h_arith, h_arith, h_arith,
    h_arith, h_arith, h_arith, h_arith, h_jmp, h_jz, h_dup, h_drop, h_halt,
};

static i64 run_table(struct vm* m)
{
    for (;;) {
        m->steps++;
        if (handlers[m->code[m->pc++]](m))
            return m->sp ? m->stack[m->sp - 1] : 0;
    }
}

// Sum of i*i % 7 for i < 300, then a Collatz walk from 27 counting steps: loops, division,
// remainders and branches. Labels: top 8, collatz 36, again 44, step 53, even 72, count 79,
// done 88.
static const i32 program_loops[] = {
    OP_PUSH, 0, OP_STORE, 0, OP_PUSH, 0, OP_STORE, 1,
    /* top */ OP_LOAD, 0, OP_PUSH, 300, OP_LT, OP_JZ, 36,
    OP_LOAD, 1, OP_LOAD, 0, OP_DUP, OP_MUL, OP_PUSH, 7, OP_MOD, OP_ADD, OP_STORE, 1,
    OP_LOAD, 0, OP_PUSH, 1, OP_ADD, OP_STORE, 0, OP_JMP, 8,
    /* collatz */ OP_PUSH, 27, OP_STORE, 3, OP_PUSH, 0, OP_STORE, 2,
    /* again */ OP_LOAD, 3, OP_PUSH, 1, OP_EQ, OP_JZ, 53, OP_JMP, 88,
    /* step */ OP_LOAD, 3, OP_PUSH, 2, OP_MOD, OP_JZ, 72,
    OP_LOAD, 3, OP_PUSH, 3, OP_MUL, OP_PUSH, 1, OP_ADD, OP_STORE, 3, OP_JMP, 79,
    /* even */ OP_LOAD, 3, OP_PUSH, 2, OP_DIV, OP_STORE, 3,
    /* count */ OP_LOAD, 2, OP_PUSH, 1, OP_ADD, OP_STORE, 2, OP_JMP, 44,
    /* done */ OP_LOAD, 1, OP_LOAD, 2, OP_PUSH, 16, OP_SHL, OP_XOR, OP_HALT,
};

// A shift-add-xor hash of 0..999. Labels: top 8, done 40.
static const i32 program_hash[] = {
    OP_PUSH, 0, OP_STORE, 0, OP_PUSH, 5381, OP_STORE, 1,
    /* top */ OP_LOAD, 0, OP_PUSH, 1000, OP_LT, OP_JZ, 40,
    OP_LOAD, 1, OP_PUSH, 5, OP_SHL, OP_LOAD, 1, OP_ADD, OP_LOAD, 0, OP_XOR, OP_STORE, 1,
    OP_LOAD, 0, OP_PUSH, 1, OP_ADD, OP_STORE, 0, OP_PUSH, 0, OP_JZ, 8, OP_HALT,
    /* done */ OP_LOAD, 1, OP_PUSH, 3, OP_SHR, OP_HALT,
};

// --- expressions ------------------------------------------------------------------------------

struct parser {
    const char* p;
    int error;
};

static i64 parse_expr(struct parser* ps);

static void skip_spaces(struct parser* ps)
{
    while (*ps->p == ' ')
        ps->p++;
}

static i64 parse_atom(struct parser* ps)
{
    skip_spaces(ps);
    if (*ps->p == '(') {
        ps->p++;
        i64 v = parse_expr(ps);
        skip_spaces(ps);
        if (*ps->p == ')')
            ps->p++;
        else
            ps->error = 1;
        return v;
    }
    if (*ps->p == '-') {
        ps->p++;
        return -parse_atom(ps);
    }
    i64 v = 0;
    int digits = 0;
    while (*ps->p >= '0' && *ps->p <= '9') {
        v = v * 10 + (*ps->p++ - '0');
        digits++;
    }
    if (!digits)
        ps->error = 1;
    return v;
}

static i64 parse_term(struct parser* ps)
{
    i64 v = parse_atom(ps);
    for (;;) {
        skip_spaces(ps);
        char c = *ps->p;
        if (c != '*' && c != '/' && c != '%')
            return v;
        ps->p++;
        i64 r = parse_atom(ps);
        if (c == '*')
            v *= r;
        else if (r == 0)
            ps->error = 1;
        else
            v = c == '/' ? v / r : v % r;
    }
}

static i64 parse_expr(struct parser* ps)
{
    i64 v = parse_term(ps);
    for (;;) {
        skip_spaces(ps);
        char c = *ps->p;
        if (c != '+' && c != '-')
            return v;
        ps->p++;
        i64 r = parse_term(ps);
        v = c == '+' ? v + r : v - r;
    }
}

static const char* const expressions[] = {
    "1 + 2 * 3",
    "(1 + 2) * 3 - -4",
    "100 / 7 % 5 + 123456789 * 1000",
    "((((12345))))*(67 - 89) / (3 - 5)",
    "7 / 0",
    "2 * (3 + 4) * (5 + 6 * (7 - 8 / 2)) % 1000003",
    "-(-(-9223372036854775807)) - 1",
};

// --- formatting ---------------------------------------------------------------------------------

static usize format_i64(char* out, i64 v)
{
    char tmp[24];
    usize n = 0;
    u64 u = v < 0 ? 0 - (u64)v : (u64)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    usize len = 0;
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = tmp[--n];
    return len;
}

static usize format_hex(char* out, u64 v)
{
    static const char digits[] = "0123456789abcdef";
    usize len = 0;
    out[len++] = '0';
    out[len++] = 'x';
    int started = 0;
    for (int shift = 60; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 15;
        if (d || started || shift == 0) {
            out[len++] = digits[d];
            started = 1;
        }
    }
    return len;
}

static char text[2048];

int main(void)
{
    struct vm a = {0}, b = {0};
    a.code = program_loops;
    b.code = program_loops;
    i64 r1 = run_switch(&a);
    i64 r2 = run_table(&b);
    struct vm c = {0}, d = {0};
    c.code = program_hash;
    d.code = program_hash;
    i64 r3 = run_switch(&c);
    i64 r4 = run_table(&d);
    struct vm copy = a;  // a struct copy: memcpy or pair loads and stores

    usize len = 0;
    i64 esum = 0;
    for (usize i = 0; i < sizeof expressions / sizeof expressions[0]; i++) {
        struct parser ps = {expressions[i], 0};
        i64 v = parse_expr(&ps);
        esum = esum * 17 + v + ps.error;
        len += format_i64(text + len, v);
        text[len++] = ps.error ? '!' : ' ';
        len += format_hex(text + len, (u64)v);
        text[len++] = '\n';
    }
    u64 seed = 42;
    while (len < sizeof text - 64) {
        u64 v = rng_next(&seed);
        len += format_i64(text + len, (i64)v >> (v & 31));
        text[len++] = ',';
    }
    text[len] = 0;

    u64 th = 0;
    for (usize i = 0; i < len; i++)
        th = th * 131 + (u8)text[i];

    lockstep_results[0] = (u64)r1;
    lockstep_results[1] = (u64)r2;
    lockstep_results[2] = (u64)r3;
    lockstep_results[3] = (u64)r4;
    lockstep_results[4] = a.steps + b.steps + c.steps + d.steps + copy.steps;
    lockstep_results[5] = (u64)esum;
    lockstep_results[6] = th;
    u64 h = 0;
    for (int i = 0; i < 7; i++)
        h = h * 31 + lockstep_results[i];
    return (int)(h ^ (h >> 32));
}
