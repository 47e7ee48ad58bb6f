/* check_jsonw.c - the streaming JSON writer: structure, escaping, numbers, errors. Every
 * document is also parsed back with jansson to prove it is valid JSON. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "jsonw.h"
#include "testutil.h"

static struct buf b;
static struct jsonw w;

static void
setup(void)
{
    buf_init(&b, 1 << 20);
    jsonw_init(&w, &b);
}

static void
teardown(void)
{
    buf_clear(&b);
}

/* The document is complete, valid JSON and equal to want. */
static void
expect_doc(const char *want)
{
    json_error_t je;
    json_t *j;

    ck_assert_int_eq(jsonw_finish(&w), OCDN_OK);
    ck_assert_str_eq(b.data, want);
    j = json_loads(b.data, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    ck_assert_msg(j != NULL, "not JSON: %s (%s)", b.data, je.text);
    json_decref(j);
}

START_TEST(structure_and_commas)
{
    jsonw_obj(&w);
    jsonw_kint(&w, "a", 1);
    jsonw_key(&w, "b");
    jsonw_arr(&w);
    jsonw_int(&w, 1);
    jsonw_obj(&w);
    jsonw_obj_end(&w);
    jsonw_arr(&w);
    jsonw_arr_end(&w);
    jsonw_null(&w);
    jsonw_arr_end(&w);
    jsonw_kbool(&w, "c", false);
    jsonw_knull(&w, "d");
    jsonw_key(&w, "e");
    jsonw_raw(&w, "{\"x\":[1,2]}");
    jsonw_obj_end(&w);
    expect_doc("{\"a\":1,\"b\":[1,{},[],null],\"c\":false,\"d\":null,\"e\":{\"x\":[1,2]}}");
}
END_TEST

START_TEST(escaping)
{
    jsonw_arr(&w);
    jsonw_str(&w, "q\"b\\s/\x01\n\t\x1f");
    jsonw_str(&w, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    jsonw_str(&w, "bad\xff\xc3(\xed\xa0\x80\xf4\x90\x80\x80"
                  "end");
    jsonw_str(&w, NULL);
    jsonw_strn(&w, "a\0b", 3);
    jsonw_arr_end(&w);
    expect_doc("[\"q\\\"b\\\\s/\\u0001\\u000a\\u0009\\u001f\","
               "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
               /* one U+FFFD per byte that starts no valid sequence: ff, c3 (before '('),
                * the surrogate's 3 bytes, the 4 bytes beyond U+10FFFF */
               "\"bad\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
               "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
               "end\","
               "null,\"a\\u0000b\"]");
}
END_TEST

START_TEST(numbers)
{
    jsonw_arr(&w);
    jsonw_int(&w, 0);
    jsonw_int(&w, -1);
    jsonw_int(&w, INT64_MIN);
    jsonw_int(&w, INT64_MAX);
    jsonw_uint(&w, UINT64_MAX);
    jsonw_real(&w, 43.6291, 6);
    jsonw_real(&w, 1.5, 1);
    jsonw_real(&w, 2.0, 6);
    jsonw_real(&w, -0.00001, 2);
    jsonw_real(&w, NAN, 3);
    jsonw_real(&w, INFINITY, 3);
    jsonw_real(&w, 1e300, 2);
    jsonw_arr_end(&w);
    ck_assert_int_eq(jsonw_finish(&w), OCDN_OK);
    /* 1e300 does not fit "%.2f" in the writer's buffer: it falls back to %.17g. */
    ck_assert_str_eq(b.data, "[0,-1,-9223372036854775808,9223372036854775807,18446744073709551615,"
                             "43.6291,1.5,2,0,null,null,1.0000000000000001e+300]");
}
END_TEST

START_TEST(time_values)
{
    jsonw_obj(&w);
    jsonw_ktime(&w, "t", 1795513070);
    jsonw_ktime(&w, "never", 0);
    jsonw_obj_end(&w);
    expect_doc("{\"t\":\"2026-11-24T09:37:50Z\",\"never\":null}");
}
END_TEST

/* The hand-made time formatter agrees with clock_format_utc() everywhere it is used. */
START_TEST(time_matches_clock_format)
{
    uint64_t x = 88172645463325252ull;
    char want[32], got[64];
    int i;

    for (i = 0; i < 200000; i++) {
        int64_t t;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        t = (int64_t)(x % 253402300799ull) + 1; /* 1970 .. 9999-12-31T23:59:59 */
        if (i < 4)
            t = (int64_t[]){1, 951782400, 4107542400, 253402300799}[i]; /* leap days, ends */
        buf_reset(&b);
        jsonw_init(&w, &b);
        jsonw_obj(&w);
        jsonw_ktime(&w, "t", t);
        jsonw_obj_end(&w);
        ck_assert_int_eq(jsonw_finish(&w), OCDN_OK);
        snprintf(got, sizeof(got), "{\"t\":\"%s\"}", clock_format_utc(t, want, sizeof(want)));
        ck_assert_msg(strcmp(b.data, got) == 0, "t=%lld: %s vs %s", (long long)t, b.data, got);
    }
}
END_TEST

START_TEST(two_part_string)
{
    jsonw_arr(&w);
    jsonw_str2(&w, "ipv4-", "c001-x.example.net");
    jsonw_str2(&w, "a\"", "\x01");
    jsonw_arr_end(&w);
    expect_doc("[\"ipv4-c001-x.example.net\",\"a\\\"\\u0001\"]");
}
END_TEST

START_TEST(unbalanced_is_an_error)
{
    jsonw_obj(&w);
    ck_assert_int_eq(jsonw_finish(&w), OCDN_EINVAL);
    jsonw_obj_end(&w);
    ck_assert_int_eq(jsonw_finish(&w), OCDN_OK);
    jsonw_obj_end(&w); /* one too many */
    ck_assert_int_eq(jsonw_finish(&w), OCDN_EINVAL);
}
END_TEST

START_TEST(key_without_value_is_an_error)
{
    jsonw_obj(&w);
    jsonw_key(&w, "k");
    jsonw_obj_end(&w);
    ck_assert_int_eq(jsonw_finish(&w), OCDN_EINVAL);
}
END_TEST

START_TEST(depth_limit)
{
    int i;

    for (i = 0; i < JSONW_MAX_DEPTH + 5; i++)
        jsonw_arr(&w);
    ck_assert_int_eq(jsonw_finish(&w), OCDN_EINVAL);
}
END_TEST

START_TEST(buffer_limit_sticks)
{
    struct buf small;
    struct jsonw sw;
    int i;

    buf_init(&small, 64);
    jsonw_init(&sw, &small);
    jsonw_arr(&sw);
    for (i = 0; i < 100; i++)
        jsonw_str(&sw, "0123456789");
    jsonw_arr_end(&sw);
    ck_assert_int_eq(jsonw_finish(&sw), OCDN_ETOOBIG);
    ck_assert_uint_le(small.len, 64);
    buf_clear(&small);
}
END_TEST

/* The one-copy paths (keys and plain strings written straight into reserved room) and the
 * checked path give the same bytes: the same document into a buffer with room reserved, into a
 * fresh one, and into buffers whose limit falls at every byte of it. */
static void
write_doc(struct jsonw *x)
{
    jsonw_obj(x);
    jsonw_kstr(x, "plain", "value");
    jsonw_kstr(x, "k\"ey", "v\\al");
    jsonw_key(x, "nested");
    jsonw_obj(x);
    jsonw_kint(x, "a", 1);
    jsonw_kstr(x, "caf\xc3\xa9", "");
    jsonw_obj_end(x);
    jsonw_key(x, "list");
    jsonw_arr(x);
    jsonw_str(x, "x");
    jsonw_obj(x);
    jsonw_obj_end(x);
    jsonw_arr_end(x);
    jsonw_obj_end(x);
}

START_TEST(fast_and_checked_paths_agree)
{
    static const char want[] = "{\"plain\":\"value\",\"k\\\"ey\":\"v\\\\al\","
                               "\"nested\":{\"a\":1,\"caf\xc3\xa9\":\"\"},\"list\":[\"x\",{}]}";
    struct buf fresh;
    struct jsonw fw;
    size_t lim;

    ck_assert_int_eq(buf_reserve(&b, 4096), OCDN_OK);
    write_doc(&w);
    expect_doc(want);
    buf_init(&fresh, 1 << 20);
    jsonw_init(&fw, &fresh);
    write_doc(&fw);
    ck_assert_int_eq(jsonw_finish(&fw), OCDN_OK);
    ck_assert_str_eq(fresh.data, want);
    buf_clear(&fresh);
    for (lim = 1; lim < sizeof(want) + 8; lim++) {
        buf_init(&fresh, lim);
        jsonw_init(&fw, &fresh);
        write_doc(&fw);
        if (lim >= sizeof(want) - 1) {
            ck_assert_int_eq(jsonw_finish(&fw), OCDN_OK);
            ck_assert_str_eq(fresh.data, want);
        } else {
            ck_assert_int_eq(jsonw_finish(&fw), OCDN_ETOOBIG);
            ck_assert_uint_le(fresh.len, lim);
            if (fresh.data)
                ck_assert(strncmp(fresh.data, want, fresh.len) == 0);
        }
        buf_clear(&fresh);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("jsonw");
    TCase *tc = tcase_create("writer");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, structure_and_commas);
    tcase_add_test(tc, escaping);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, time_values);
    tcase_add_test(tc, time_matches_clock_format);
    tcase_add_test(tc, two_part_string);
    tcase_add_test(tc, unbalanced_is_an_error);
    tcase_add_test(tc, key_without_value_is_an_error);
    tcase_add_test(tc, depth_limit);
    tcase_add_test(tc, buffer_limit_sticks);
    tcase_add_test(tc, fast_and_checked_paths_agree);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
