/* check_arena.c - tests of the request-scope bump allocator (common/arena.c). */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "testutil.h"

static bool
aligned16(const void *p)
{
    return ((uintptr_t)p & 15) == 0;
}

START_TEST(alloc_aligned_and_disjoint)
{
    struct arena *a = arena_new(1 << 20);
    unsigned char *p[200];
    size_t i, j;

    ck_assert_ptr_nonnull(a);
    /* Odd sizes, enough of them to cross several blocks. */
    for (i = 0; i < 200; i++) {
        size_t n = 1 + i * 37 % 500;

        p[i] = arena_alloc(a, n);
        ck_assert_ptr_nonnull(p[i]);
        ck_assert_msg(aligned16(p[i]), "allocation %zu (%zu bytes) at %p", i, n, (void *)p[i]);
        memset(p[i], (int)(i & 0xff), n);
    }
    /* Nothing overwrote anything else. */
    for (i = 0; i < 200; i++) {
        size_t n = 1 + i * 37 % 500;

        for (j = 0; j < n; j++)
            ck_assert_uint_eq(p[i][j], i & 0xff);
    }
    ck_assert(aligned16(arena_calloc(a, 3, 7)));
    ck_assert(aligned16(arena_strdup(a, "x")));
    ck_assert(aligned16(arena_printf(a, "%d", 1)));
    arena_free(a);
}
END_TEST

START_TEST(alloc_zero_bytes_gives_distinct_pointers)
{
    struct arena *a = arena_new(4096);
    void *p, *q;

    p = arena_alloc(a, 0);
    q = arena_alloc(a, 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_ne(p, q);
    arena_free(a);
}
END_TEST

START_TEST(used_counts_rounded_sizes)
{
    struct arena *a = arena_new(4096);

    ck_assert_uint_eq(arena_used(a), 0);
    ck_assert_ptr_nonnull(arena_alloc(a, 1));
    ck_assert_uint_eq(arena_used(a), 16);
    ck_assert_ptr_nonnull(arena_alloc(a, 17));
    ck_assert_uint_eq(arena_used(a), 48);
    ck_assert_ptr_nonnull(arena_alloc(a, 16));
    ck_assert_uint_eq(arena_used(a), 64);
    ck_assert_uint_eq(arena_used(NULL), 0);
    arena_free(a);
}
END_TEST

START_TEST(null_arena)
{
    ck_assert_ptr_null(arena_alloc(NULL, 1));
    ck_assert_ptr_null(arena_calloc(NULL, 1, 1));
    ck_assert_ptr_null(arena_strdup(NULL, "x"));
    ck_assert_ptr_null(arena_printf(NULL, "x"));
    arena_reset(NULL);
    arena_free(NULL);
}
END_TEST

/* ---- the cap ------------------------------------------------------------------------------- */

START_TEST(cap_exact)
{
    struct arena *a = arena_new(4096);

    /* The whole cap in one piece, then nothing more. */
    ck_assert_ptr_nonnull(arena_alloc(a, 4096));
    ck_assert_ptr_null(arena_alloc(a, 1));
    ck_assert_uint_eq(arena_used(a), 4096);
    arena_free(a);
    a = arena_new(4096);
    ck_assert_ptr_null(arena_alloc(a, 4097));
    /* A refused request leaves room for a smaller one. */
    ck_assert_ptr_nonnull(arena_alloc(a, 4000));
    ck_assert_ptr_null(arena_alloc(a, 100));
    ck_assert_ptr_nonnull(arena_alloc(a, 96));
    ck_assert_ptr_null(arena_alloc(a, 1));
    arena_free(a);
}
END_TEST

START_TEST(cap_holds_over_many_blocks)
{
    size_t max = 300 * 1024;
    struct arena *a = arena_new(max);
    size_t n = 0;

    while (arena_alloc(a, 1000))
        n++;
    /* Each allocation takes 1008 bytes: at most max / 1008 fit, and growth must not waste
     * more than one allocation's worth at the end of each block. */
    ck_assert_uint_le(n * 1008, max);
    ck_assert_uint_ge(n, max / 1008 - 8);
    ck_assert_uint_le(arena_used(a), max);
    arena_free(a);
}
END_TEST

START_TEST(cap_zero_refuses_everything)
{
    struct arena *a = arena_new(0);

    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_null(arena_alloc(a, 0));
    ck_assert_ptr_null(arena_alloc(a, 1));
    ck_assert_ptr_null(arena_strdup(a, ""));
    arena_free(a);
}
END_TEST

/* Sizes near SIZE_MAX must fail cleanly, both in a capped arena that already has a block and
 * in an uncapped one: the sums of sizes must not wrap around. (The uncapped arena only gets
 * sizes refused before malloc(): ASan aborts on an impossible malloc() size by default.) */
START_TEST(cap_huge_sizes_refused)
{
    struct arena *a = arena_new(1 << 20);
    struct arena *u = arena_new(SIZE_MAX);
    size_t sizes[] = {SIZE_MAX,      SIZE_MAX - 1,  SIZE_MAX - 15, SIZE_MAX - 16,
                      SIZE_MAX - 31, SIZE_MAX - 32, SIZE_MAX - 48, SIZE_MAX / 2 + 1};
    size_t i;

    ck_assert_ptr_nonnull(arena_alloc(a, 10));
    ck_assert_ptr_nonnull(arena_alloc(u, 10));
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        ck_assert_msg(arena_alloc(a, sizes[i]) == NULL, "capped arena gave SIZE_MAX - %zu",
                      SIZE_MAX - sizes[i]);
        if (sizes[i] >= SIZE_MAX - 32)
            ck_assert_msg(arena_alloc(u, sizes[i]) == NULL, "uncapped arena gave SIZE_MAX - %zu",
                          SIZE_MAX - sizes[i]);
    }
    /* Both still work. */
    ck_assert_ptr_nonnull(arena_alloc(a, 100));
    ck_assert_ptr_nonnull(arena_alloc(u, 100));
    ck_assert_uint_eq(arena_used(a), 16 + 112);
    ck_assert_uint_eq(arena_used(u), 16 + 112);
    arena_free(a);
    arena_free(u);
}
END_TEST

/* ---- reset --------------------------------------------------------------------------------- */

START_TEST(reset_reuses_first_block)
{
    struct arena *a = arena_new(1 << 20);
    void *first, *again;
    size_t i;

    first = arena_alloc(a, 64);
    ck_assert_ptr_nonnull(first);
    for (i = 0; i < 100; i++)
        ck_assert_ptr_nonnull(arena_alloc(a, 1000));
    arena_reset(a);
    ck_assert_uint_eq(arena_used(a), 0);
    again = arena_alloc(a, 64);
    ck_assert_ptr_eq(again, first);
    arena_free(a);
}
END_TEST

START_TEST(reset_keeps_cap)
{
    size_t max = 200 * 1024;
    struct arena *a = arena_new(max);
    size_t n1 = 0, n2 = 0, round;

    for (round = 0; round < 3; round++) {
        size_t n = 0;

        while (arena_alloc(a, 500))
            n++;
        ck_assert_uint_le(n * 512, max);
        if (round == 0)
            n1 = n;
        else
            n2 = n;
        /* As many fit after a reset as before (within one block's slack). */
        if (round > 0)
            ck_assert_uint_ge(n2 + 40, n1);
        arena_reset(a);
        ck_assert_uint_eq(arena_used(a), 0);
    }
    arena_free(a);
}
END_TEST

START_TEST(reset_empty_arena)
{
    struct arena *a = arena_new(4096);

    arena_reset(a);
    ck_assert_ptr_nonnull(arena_alloc(a, 10));
    arena_reset(a);
    arena_reset(a);
    ck_assert_ptr_nonnull(arena_alloc(a, 4096));
    arena_free(a);
}
END_TEST

/* ---- strings ------------------------------------------------------------------------------- */

START_TEST(printf_formats)
{
    struct arena *a = arena_new(1 << 20);
    char *s;
    char big[20001];

    s = arena_printf(a, "%s-%d-%05.1f", "abc", -42, 3.14159);
    ck_assert_str_eq(s, "abc--42-003.1");
    s = arena_printf(a, "%s", "");
    ck_assert_str_eq(s, "");
    /* Longer than a block. */
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    s = arena_printf(a, "<%s>", big);
    ck_assert_uint_eq(strlen(s), 20002);
    ck_assert_int_eq(s[0], '<');
    ck_assert_int_eq(s[20001], '>');
    arena_free(a);
}
END_TEST

START_TEST(printf_over_cap_fails)
{
    struct arena *a = arena_new(64);
    char big[100];

    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_ptr_null(arena_printf(a, "%s", big));
    ck_assert_str_eq(arena_printf(a, "%s", "fits"), "fits");
    arena_free(a);
}
END_TEST

START_TEST(strndup_copies_len_bytes)
{
    struct arena *a = arena_new(4096);
    const char src[] = "hello world";
    char *s;

    s = arena_strndup(a, src, 5);
    ck_assert_str_eq(s, "hello");
    ck_assert_ptr_ne(s, src);
    s = arena_strndup(a, src, 0);
    ck_assert_str_eq(s, "");
    /* Bytes, not a C string: an embedded NUL is copied. */
    s = arena_strndup(a, "a\0b", 3);
    ck_assert_int_eq(s[0], 'a');
    ck_assert_int_eq(s[1], '\0');
    ck_assert_int_eq(s[2], 'b');
    ck_assert_int_eq(s[3], '\0');
    ck_assert_ptr_null(arena_strndup(a, NULL, 3));
    ck_assert_ptr_null(arena_strndup(a, src, SIZE_MAX));
    ck_assert_ptr_null(arena_strndup(a, src, SIZE_MAX - 1));
    arena_free(a);
}
END_TEST

START_TEST(strdup_copies)
{
    struct arena *a = arena_new(4096);
    char src[] = "copy me";
    char *s = arena_strdup(a, src);

    ck_assert_str_eq(s, "copy me");
    src[0] = 'C';
    ck_assert_str_eq(s, "copy me");
    ck_assert_ptr_null(arena_strdup(a, NULL));
    arena_free(a);
}
END_TEST

/* ---- calloc -------------------------------------------------------------------------------- */

START_TEST(calloc_zeroes_reused_memory)
{
    struct arena *a = arena_new(4096);
    unsigned char *p;
    size_t i;

    p = arena_alloc(a, 256);
    memset(p, 0xff, 256);
    arena_reset(a);
    p = arena_calloc(a, 16, 16);
    ck_assert_ptr_nonnull(p);
    for (i = 0; i < 256; i++)
        ck_assert_uint_eq(p[i], 0);
    ck_assert_ptr_nonnull(arena_calloc(a, 0, 5));
    ck_assert_ptr_nonnull(arena_calloc(a, 5, 0));
    arena_free(a);
}
END_TEST

START_TEST(calloc_overflow_refused)
{
    struct arena *a = arena_new(1 << 20);

    ck_assert_ptr_null(arena_calloc(a, SIZE_MAX / 2 + 1, 2));
    ck_assert_ptr_null(arena_calloc(a, 2, SIZE_MAX / 2 + 1));
    ck_assert_ptr_null(arena_calloc(a, SIZE_MAX, SIZE_MAX));
    ck_assert_ptr_null(arena_calloc(a, (size_t)1 << 32, (size_t)1 << 32));
    ck_assert_ptr_null(arena_calloc(a, 3, SIZE_MAX / 3 + 1));
    /* Over the cap but no overflow. */
    arena_free(a);
    a = arena_new(1024);
    ck_assert_ptr_null(arena_calloc(a, 65, 16));
    ck_assert_ptr_nonnull(arena_calloc(a, 64, 16));
    arena_free(a);
}
END_TEST

static Suite *
arena_suite(void)
{
    Suite *s = suite_create("arena");
    TCase *tc;

    tc = tcase_create("alloc");
    tcase_add_test(tc, alloc_aligned_and_disjoint);
    tcase_add_test(tc, alloc_zero_bytes_gives_distinct_pointers);
    tcase_add_test(tc, used_counts_rounded_sizes);
    tcase_add_test(tc, null_arena);
    suite_add_tcase(s, tc);

    tc = tcase_create("cap");
    tcase_add_test(tc, cap_exact);
    tcase_add_test(tc, cap_holds_over_many_blocks);
    tcase_add_test(tc, cap_zero_refuses_everything);
    tcase_add_test(tc, cap_huge_sizes_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("reset");
    tcase_add_test(tc, reset_reuses_first_block);
    tcase_add_test(tc, reset_keeps_cap);
    tcase_add_test(tc, reset_empty_arena);
    suite_add_tcase(s, tc);

    tc = tcase_create("strings");
    tcase_add_test(tc, printf_formats);
    tcase_add_test(tc, printf_over_cap_fails);
    tcase_add_test(tc, strndup_copies_len_bytes);
    tcase_add_test(tc, strdup_copies);
    suite_add_tcase(s, tc);

    tc = tcase_create("calloc");
    tcase_add_test(tc, calloc_zeroes_reused_memory);
    tcase_add_test(tc, calloc_overflow_refused);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(arena_suite());
}
