// Sorting and searching: quicksort, merge sort, heap sort through a comparison function
// pointer, insertion sort on halfwords, binary search and checksums. Exercises loads and
// stores of every width, pairs, compare-and-branch, conditional selects and calls.
#include "lockstep.h"

#define N 1500

static u32 words[N];
static i64 longs[N];
static i64 scratch[N];
static i16 halves[N];

struct record {
    u32 key;
    u16 tag;
    u8 flag;
    i8 bias;
};
static struct record records[N / 2];

static void swap_u32(u32* a, u32* b)
{
    u32 t = *a;
    *a = *b;
    *b = t;
}

static void quicksort(u32* a, i64 lo, i64 hi)
{
    while (hi - lo > 12) {
        i64 mid = lo + (hi - lo) / 2;
        // Median of three as the pivot.
        if (a[mid] < a[lo])
            swap_u32(&a[mid], &a[lo]);
        if (a[hi] < a[lo])
            swap_u32(&a[hi], &a[lo]);
        if (a[hi] < a[mid])
            swap_u32(&a[hi], &a[mid]);
        u32 pivot = a[mid];
        i64 i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                swap_u32(&a[i], &a[j]);
                i++;
                j--;
            }
        }
        // Recurse into the smaller half, loop on the larger.
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
    for (i64 i = lo + 1; i <= hi; i++) {
        u32 v = a[i];
        i64 j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void merge_sort(i64* a, i64* tmp, usize n)
{
    for (usize width = 1; width < n; width *= 2) {
        for (usize lo = 0; lo < n; lo += 2 * width) {
            usize mid = lo + width < n ? lo + width : n;
            usize hi = lo + 2 * width < n ? lo + 2 * width : n;
            usize i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        for (usize i = 0; i < n; i++)
            a[i] = tmp[i];
    }
}

static void insertion_sort_i16(i16* a, usize n)
{
    for (usize i = 1; i < n; i++) {
        i16 v = a[i];
        usize j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

typedef int (*compare_fn)(const struct record*, const struct record*);

static int by_key(const struct record* a, const struct record* b)
{
    return a->key < b->key ? -1 : a->key > b->key;
}

static int by_tag_then_bias(const struct record* a, const struct record* b)
{
    if (a->tag != b->tag)
        return a->tag < b->tag ? -1 : 1;
    return a->bias - b->bias;
}

static void sift_down(struct record* a, usize start, usize end, compare_fn cmp)
{
    usize root = start;
    while (2 * root + 1 <= end) {
        usize child = 2 * root + 1;
        usize best = root;
        if (cmp(&a[best], &a[child]) < 0)
            best = child;
        if (child + 1 <= end && cmp(&a[best], &a[child + 1]) < 0)
            best = child + 1;
        if (best == root)
            return;
        struct record t = a[root];
        a[root] = a[best];
        a[best] = t;
        root = best;
    }
}

static void heap_sort(struct record* a, usize n, compare_fn cmp)
{
    for (usize start = n / 2; start-- > 0;)
        sift_down(a, start, n - 1, cmp);
    for (usize end = n - 1; end > 0; end--) {
        struct record t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end - 1, cmp);
    }
}

static i64 binary_search(const u32* a, usize n, u32 v)
{
    usize lo = 0, hi = n;
    while (lo < hi) {
        usize mid = (lo + hi) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && a[lo] == v ? (i64)lo : -1;
}

static u64 fnv1a(const void* p, usize n)
{
    const u8* b = p;
    u64 h = 0xCBF29CE484222325UL;
    for (usize i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001B3UL;
    return h;
}

static u32 adler32(const void* p, usize n)
{
    const u8* b = p;
    u32 a = 1, s = 0;
    for (usize i = 0; i < n; i++) {
        a = (a + b[i]) % 65521;
        s = (s + a) % 65521;
    }
    return (s << 16) | a;
}

int main(void)
{
    u64 seed = 0x9E3779B97F4A7C15UL;
    for (usize i = 0; i < N; i++) {
        u64 r = rng_next(&seed);
        words[i] = (u32)r;
        longs[i] = (i64)(r ^ (r << 7)) >> (r & 15);
        halves[i] = (i16)(r >> 40);
    }
    for (usize i = 0; i < N / 2; i++) {
        u64 r = rng_next(&seed);
        records[i].key = (u32)(r >> 8) % 1000;
        records[i].tag = (u16)(r >> 40) & 31;
        records[i].flag = (u8)(r >> 56);
        records[i].bias = (i8)(r >> 16);
    }

    quicksort(words, 0, N - 1);
    merge_sort(longs, scratch, N);
    insertion_sort_i16(halves, N / 3);
    heap_sort(records, N / 2, by_key);
    u64 h_key = fnv1a(records, sizeof records);
    heap_sort(records, N / 2, by_tag_then_bias);

    u64 unsorted = 0;
    for (usize i = 1; i < N; i++) {
        unsorted += words[i - 1] > words[i];
        unsorted += longs[i - 1] > longs[i];
    }
    for (usize i = 1; i < N / 3; i++)
        unsorted += halves[i - 1] > halves[i];

    i64 found = 0;
    for (usize i = 0; i < 200; i++) {
        u32 probe = i % 2 ? words[(i * 37) % N] : (u32)rng_next(&seed);
        found += binary_search(words, N, probe);
    }

    lockstep_results[0] = unsorted;
    lockstep_results[1] = fnv1a(words, sizeof words);
    lockstep_results[2] = fnv1a(longs, sizeof longs);
    lockstep_results[3] = adler32(halves, sizeof halves);
    lockstep_results[4] = h_key;
    lockstep_results[5] = fnv1a(records, sizeof records);
    lockstep_results[6] = (u64)found;
    u64 sum = 0;
    for (usize i = 0; i < 7; i++)
        sum = sum * 31 + lockstep_results[i];
    return (int)(sum ^ (sum >> 32));
}
