/* check_buf.c - tests of the byte buffer with a hard maximum (common/buf.c). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "buf.h"
#include "testutil.h"

/* b holds exactly the n bytes of want, NUL-terminated. */
static void
assert_holds(const struct buf *b, const char *want, size_t n)
{
    ck_assert_uint_eq(b->len, n);
    ck_assert_ptr_nonnull(b->data);
    ck_assert_mem_eq(b->data, want, n);
    ck_assert_int_eq(b->data[n], '\0');
}

START_TEST(init_is_empty)
{
    struct buf b;

    buf_init(&b, 10);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.max, 10);
    buf_clear(&b);
    buf_clear(&b);
}
END_TEST

START_TEST(append_exactly_to_max)
{
    struct buf b;
    char *before;

    buf_init(&b, 10);
    ck_assert_int_eq(buf_append(&b, "01234", 5), OCDN_OK);
    ck_assert_int_eq(buf_append(&b, "56789", 5), OCDN_OK);
    assert_holds(&b, "0123456789", 10);
    before = b.data;
    ck_assert_int_eq(buf_append(&b, "x", 1), OCDN_ETOOBIG);
    ck_assert_ptr_eq(b.data, before);
    assert_holds(&b, "0123456789", 10);
    /* Nothing more still fits. */
    ck_assert_int_eq(buf_append(&b, "", 0), OCDN_OK);
    ck_assert_int_eq(buf_append(&b, NULL, 0), OCDN_OK);
    assert_holds(&b, "0123456789", 10);
    buf_clear(&b);
}
END_TEST

START_TEST(append_over_max_leaves_buffer_unchanged)
{
    struct buf b;
    char big[11];

    memset(big, 'b', sizeof(big));
    buf_init(&b, 10);
    ck_assert_int_eq(buf_append(&b, big, 11), OCDN_ETOOBIG);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(buf_append(&b, "abc", 3), OCDN_OK);
    ck_assert_int_eq(buf_append(&b, big, 8), OCDN_ETOOBIG);
    assert_holds(&b, "abc", 3);
    /* A length that would wrap is refused without reading the source. */
    ck_assert_int_eq(buf_append(&b, "z", SIZE_MAX), OCDN_ETOOBIG);
    ck_assert_int_eq(buf_append(&b, "z", SIZE_MAX - 2), OCDN_ETOOBIG);
    assert_holds(&b, "abc", 3);
    buf_clear(&b);
}
END_TEST

START_TEST(max_zero)
{
    struct buf b;

    buf_init(&b, 0);
    ck_assert_int_eq(buf_append(&b, "", 0), OCDN_OK);
    ck_assert_ptr_nonnull(b.data);
    ck_assert_int_eq(b.data[0], '\0');
    ck_assert_int_eq(buf_append(&b, "x", 1), OCDN_ETOOBIG);
    ck_assert_int_eq(buf_printf(&b, "%d", 1), OCDN_ETOOBIG);
    ck_assert_int_eq(buf_printf(&b, "%s", ""), OCDN_OK);
    ck_assert_uint_eq(b.len, 0);
    buf_clear(&b);
}
END_TEST

/* "No limit" callers pass SIZE_MAX: the +1 for the NUL must not wrap. */
START_TEST(max_size_max)
{
    struct buf b;

    buf_init(&b, SIZE_MAX);
    ck_assert_int_eq(buf_puts(&b, "abc"), OCDN_OK);
    assert_holds(&b, "abc", 3);
    ck_assert_int_eq(buf_printf(&b, "%s", "def"), OCDN_OK);
    assert_holds(&b, "abcdef", 6);
    ck_assert_int_ne(buf_append(&b, "z", SIZE_MAX - 6), OCDN_OK);
    ck_assert_int_ne(buf_append(&b, "z", SIZE_MAX), OCDN_OK);
    assert_holds(&b, "abcdef", 6);
    buf_clear(&b);
    buf_init(&b, SIZE_MAX);
    ck_assert_int_ne(buf_append(&b, "z", SIZE_MAX), OCDN_OK);
    ck_assert_ptr_null(b.data);
    buf_clear(&b);
}
END_TEST

START_TEST(grows_byte_by_byte_to_max)
{
    struct buf b;
    size_t i, max = 100000;

    buf_init(&b, max);
    for (i = 0; i < max; i++) {
        char c = (char)('a' + i % 26);

        ck_assert_int_eq(buf_append(&b, &c, 1), OCDN_OK);
    }
    ck_assert_uint_eq(b.len, max);
    ck_assert_uint_le(b.cap, max + 1);
    for (i = 0; i < max; i++)
        ck_assert_int_eq(b.data[i], 'a' + i % 26);
    ck_assert_int_eq(b.data[max], '\0');
    ck_assert_int_eq(buf_append(&b, "x", 1), OCDN_ETOOBIG);
    ck_assert_uint_eq(b.len, max);
    buf_clear(&b);
}
END_TEST

START_TEST(puts_appends_string)
{
    struct buf b;

    buf_init(&b, 64);
    ck_assert_int_eq(buf_puts(&b, "hello"), OCDN_OK);
    ck_assert_int_eq(buf_puts(&b, ""), OCDN_OK);
    ck_assert_int_eq(buf_puts(&b, ", world"), OCDN_OK);
    ck_assert_str_eq(b.data, "hello, world");
    buf_clear(&b);
}
END_TEST

/* ---- printf -------------------------------------------------------------------------------- */

START_TEST(printf_appends)
{
    struct buf b;

    buf_init(&b, 1 << 20);
    ck_assert_int_eq(buf_printf(&b, "%s=%d", "a", 1), OCDN_OK);
    ck_assert_int_eq(buf_printf(&b, " %05.2f|%-3s|%x", 3.14159, "z", 255), OCDN_OK);
    ck_assert_str_eq(b.data, "a=1 03.14|z  |ff");
    ck_assert_uint_eq(b.len, strlen("a=1 03.14|z  |ff"));
    buf_clear(&b);
}
END_TEST

START_TEST(printf_long_output_grows)
{
    struct buf b;
    char big[5000];

    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    buf_init(&b, 1 << 20);
    ck_assert_int_eq(buf_puts(&b, "<"), OCDN_OK);
    ck_assert_int_eq(buf_printf(&b, "%s>", big), OCDN_OK);
    ck_assert_uint_eq(b.len, 5001);
    ck_assert_int_eq(b.data[0], '<');
    ck_assert_int_eq(b.data[4999], 'q');
    ck_assert_int_eq(b.data[5000], '>');
    ck_assert_int_eq(b.data[5001], '\0');
    buf_clear(&b);
}
END_TEST

START_TEST(printf_exactly_to_max_then_over)
{
    struct buf b;

    buf_init(&b, 8);
    ck_assert_int_eq(buf_puts(&b, "ab"), OCDN_OK);
    ck_assert_int_eq(buf_printf(&b, "%d", 123456), OCDN_OK);
    assert_holds(&b, "ab123456", 8);
    ck_assert_int_eq(buf_printf(&b, "%c", 'x'), OCDN_ETOOBIG);
    assert_holds(&b, "ab123456", 8);
    buf_clear(&b);
    buf_init(&b, 8);
    ck_assert_int_eq(buf_puts(&b, "ab"), OCDN_OK);
    ck_assert_int_eq(buf_printf(&b, "%d", 1234567), OCDN_ETOOBIG);
    assert_holds(&b, "ab", 2);
    buf_clear(&b);
}
END_TEST

/* An encoding error in vsnprintf() (a wide character the C locale cannot represent). */
START_TEST(printf_encoding_error_leaves_buffer_unchanged)
{
    static const wchar_t bad[] = {0xe9, 0};
    struct buf b;

    buf_init(&b, 64);
    ck_assert_int_eq(buf_puts(&b, "ok"), OCDN_OK);
    ck_assert_int_eq(buf_printf(&b, "%ls", bad), OCDN_EINVAL);
    assert_holds(&b, "ok", 2);
    buf_clear(&b);
}
END_TEST

/* ---- take, reset, clear -------------------------------------------------------------------- */

START_TEST(take_gives_storage_away)
{
    struct buf b;
    char *p;

    buf_init(&b, 16);
    ck_assert_ptr_null(buf_take(&b));
    ck_assert_int_eq(buf_puts(&b, "mine"), OCDN_OK);
    p = buf_take(&b);
    ck_assert_str_eq(p, "mine");
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
    ck_assert_uint_eq(b.max, 16);
    /* The buffer is usable again and does not share p. */
    ck_assert_int_eq(buf_puts(&b, "again"), OCDN_OK);
    ck_assert_ptr_ne(b.data, p);
    ck_assert_str_eq(p, "mine");
    free(p);
    ck_assert_str_eq(b.data, "again");
    ck_assert_int_eq(buf_puts(&b, "0123456789abc"), OCDN_ETOOBIG);
    buf_clear(&b);
}
END_TEST

START_TEST(reset_keeps_storage)
{
    struct buf b;
    char *data;

    buf_init(&b, 16);
    ck_assert_int_eq(buf_puts(&b, "0123456789"), OCDN_OK);
    data = b.data;
    buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_ptr_eq(b.data, data);
    ck_assert_str_eq(b.data, "");
    ck_assert_int_eq(buf_puts(&b, "0123456789abcdef"), OCDN_OK);
    ck_assert_int_eq(buf_puts(&b, "x"), OCDN_ETOOBIG);
    buf_clear(&b);
    buf_init(&b, 4);
    buf_reset(&b); /* before the first append */
    ck_assert_ptr_null(b.data);
    buf_clear(&b);
}
END_TEST

START_TEST(clear_then_reuse)
{
    struct buf b;

    buf_init(&b, 16);
    ck_assert_int_eq(buf_puts(&b, "first"), OCDN_OK);
    buf_clear(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.max, 16);
    ck_assert_int_eq(buf_puts(&b, "second"), OCDN_OK);
    ck_assert_str_eq(b.data, "second");
    buf_clear(&b);
}
END_TEST

START_TEST(reserve_respects_max_and_keeps_content)
{
    struct buf b;

    buf_init(&b, 100);
    ck_assert_int_eq(buf_reserve(&b, 50), OCDN_OK);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_str_eq(b.data, "");
    ck_assert_uint_ge(b.cap, 51);
    ck_assert_int_eq(buf_puts(&b, "abc"), OCDN_OK);
    ck_assert_int_eq(buf_reserve(&b, 98), OCDN_ETOOBIG); /* 3 + 98 > 100 */
    ck_assert_str_eq(b.data, "abc");
    ck_assert_int_eq(buf_reserve(&b, 97), OCDN_OK);
    ck_assert_str_eq(b.data, "abc");
    buf_clear(&b);
}
END_TEST

static Suite *
buf_suite(void)
{
    Suite *s = suite_create("buf");
    TCase *tc;

    tc = tcase_create("append");
    tcase_add_test(tc, init_is_empty);
    tcase_add_test(tc, reserve_respects_max_and_keeps_content);
    tcase_add_test(tc, append_exactly_to_max);
    tcase_add_test(tc, append_over_max_leaves_buffer_unchanged);
    tcase_add_test(tc, max_zero);
    tcase_add_test(tc, max_size_max);
    tcase_add_test(tc, grows_byte_by_byte_to_max);
    tcase_add_test(tc, puts_appends_string);
    suite_add_tcase(s, tc);

    tc = tcase_create("printf");
    tcase_add_test(tc, printf_appends);
    tcase_add_test(tc, printf_long_output_grows);
    tcase_add_test(tc, printf_exactly_to_max_then_over);
    tcase_add_test(tc, printf_encoding_error_leaves_buffer_unchanged);
    suite_add_tcase(s, tc);

    tc = tcase_create("ownership");
    tcase_add_test(tc, take_gives_storage_away);
    tcase_add_test(tc, reset_keeps_storage);
    tcase_add_test(tc, clear_then_reuse);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(buf_suite());
}
