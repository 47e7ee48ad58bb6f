/* check_lineset.c - keyed line sets (agent/lineset.c): building, sorting, duplicates, limits,
 * lookups, equality and the delta between two sets. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lineset.h"
#include "testutil.h"

/* A set of "key=line" items ("k" alone: line = key). */
static struct lineset *
make(const char *const *items, size_t n)
{
    struct lineset_builder *b = lineset_builder_new(100, 10000);
    struct lineset *s = NULL;
    size_t i;

    ck_assert_ptr_nonnull(b);
    for (i = 0; i < n; i++) {
        const char *eq = strchr(items[i], '=');

        if (eq) {
            ck_assert_int_eq(
                lineset_builder_add(b, items[i], (size_t)(eq - items[i]), eq + 1, strlen(eq + 1)),
                OCDN_OK);
        } else {
            ck_assert_int_eq(lineset_builder_add(b, items[i], strlen(items[i]), NULL, 0), OCDN_OK);
        }
    }
    ck_assert_int_eq(lineset_builder_finish(b, &s, NULL, 0), OCDN_OK);
    lineset_builder_free(b);
    return s;
}

START_TEST(build_sorts_by_key)
{
    static const char *const items[] = {"c=line c", "a=line a", "b"};
    struct lineset *s = make(items, 3);

    ck_assert_uint_eq(lineset_count(s), 3);
    ck_assert_str_eq(lineset_key(s, 0), "a");
    ck_assert_str_eq(lineset_line(s, 0), "line a");
    ck_assert_str_eq(lineset_key(s, 1), "b");
    ck_assert_str_eq(lineset_line(s, 1), "b");
    ck_assert_str_eq(lineset_key(s, 2), "c");
    ck_assert_int_eq(lineset_find(s, "c"), 2);
    ck_assert_int_eq(lineset_find(s, "a"), 0);
    ck_assert_int_eq(lineset_find(s, "bb"), -1);
    ck_assert_int_eq(lineset_find(s, ""), -1);
    lineset_unref(s);
}
END_TEST

START_TEST(build_duplicate_key_refused)
{
    struct lineset_builder *b = lineset_builder_new(10, 1000);
    struct lineset *s = (struct lineset *)1;
    char dup[4];

    ck_assert_int_eq(lineset_builder_add(b, "k1", 2, "x", 1), OCDN_OK);
    ck_assert_int_eq(lineset_builder_add(b, "other", 5, NULL, 0), OCDN_OK);
    ck_assert_int_eq(lineset_builder_add(b, "k1", 2, "y", 1), OCDN_OK);
    ck_assert_int_eq(lineset_builder_finish(b, &s, dup, sizeof(dup)), OCDN_EEXIST);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(dup, "k1");
    lineset_builder_free(b);
}
END_TEST

START_TEST(build_entry_limit)
{
    struct lineset_builder *b = lineset_builder_new(2, 1000);
    struct lineset *s;

    ck_assert_int_eq(lineset_builder_add(b, "a", 1, NULL, 0), OCDN_OK);
    ck_assert_int_eq(lineset_builder_add(b, "b", 1, NULL, 0), OCDN_OK);
    ck_assert_int_eq(lineset_builder_add(b, "c", 1, NULL, 0), OCDN_ETOOBIG);
    ck_assert_uint_eq(lineset_builder_count(b), 2);
    ck_assert_int_eq(lineset_builder_finish(b, &s, NULL, 0), OCDN_OK);
    ck_assert_uint_eq(lineset_count(s), 2);
    lineset_unref(s);
    lineset_builder_free(b);
}
END_TEST

START_TEST(build_byte_limit_leaves_builder_unchanged)
{
    /* "abc\0" + "defg\0" = 9 bytes fit in 12; the next entry needs 4 more. */
    struct lineset_builder *b = lineset_builder_new(10, 12);
    struct lineset *s;

    ck_assert_int_eq(lineset_builder_add(b, "abc", 3, "defg", 4), OCDN_OK);
    ck_assert_int_eq(lineset_builder_add(b, "xyz", 3, NULL, 0), OCDN_ETOOBIG);
    ck_assert_int_eq(lineset_builder_add(b, "xy", 2, NULL, 0), OCDN_OK);
    ck_assert_int_eq(lineset_builder_finish(b, &s, NULL, 0), OCDN_OK);
    ck_assert_uint_eq(lineset_count(s), 2);
    ck_assert_str_eq(lineset_line(s, 0), "defg");
    ck_assert_str_eq(lineset_key(s, 1), "xy");
    lineset_unref(s);
    lineset_builder_free(b);
}
END_TEST

START_TEST(builder_reusable_after_finish)
{
    struct lineset_builder *b = lineset_builder_new(10, 1000);
    struct lineset *s1, *s2;

    ck_assert_int_eq(lineset_builder_add(b, "a", 1, NULL, 0), OCDN_OK);
    ck_assert_int_eq(lineset_builder_finish(b, &s1, NULL, 0), OCDN_OK);
    ck_assert_uint_eq(lineset_builder_count(b), 0);
    ck_assert_int_eq(lineset_builder_add(b, "b", 1, NULL, 0), OCDN_OK);
    ck_assert_int_eq(lineset_builder_finish(b, &s2, NULL, 0), OCDN_OK);
    ck_assert_str_eq(lineset_key(s1, 0), "a");
    ck_assert_str_eq(lineset_key(s2, 0), "b");
    lineset_unref(s1);
    lineset_unref(s2);
    lineset_builder_free(b);
}
END_TEST

START_TEST(empty_set_and_refs)
{
    struct lineset *e = lineset_new_empty();

    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(lineset_count(e), 0);
    ck_assert_ptr_eq(lineset_ref(e), e);
    lineset_unref(e);
    ck_assert_uint_eq(lineset_count(e), 0); /* still alive: one reference left */
    lineset_unref(e);
    lineset_unref(NULL);
    ck_assert_ptr_null(lineset_ref(NULL));
    ck_assert_uint_eq(lineset_count(NULL), 0);
}
END_TEST

START_TEST(equal_compares_keys_and_lines)
{
    static const char *const a[] = {"x=1", "y=2"};
    static const char *const b[] = {"y=2", "x=1"};
    static const char *const c[] = {"x=1", "y=3"};
    static const char *const d[] = {"x=1"};
    struct lineset *sa = make(a, 2), *sb = make(b, 2), *sc = make(c, 2), *sd = make(d, 1);
    struct lineset *e = lineset_new_empty();

    ck_assert(lineset_equal(sa, sb));
    ck_assert(!lineset_equal(sa, sc));
    ck_assert(!lineset_equal(sa, sd));
    ck_assert(lineset_equal(e, NULL));
    ck_assert(!lineset_equal(sd, NULL));
    lineset_unref(sa);
    lineset_unref(sb);
    lineset_unref(sc);
    lineset_unref(sd);
    lineset_unref(e);
}
END_TEST

START_TEST(diff_adds_deletes_and_changes)
{
    static const char *const old[] = {"a=1", "b=2", "c=3", "e=5"};
    static const char *const cur[] = {"b=2", "c=33", "d=4", "f=6"};
    struct lineset *so = make(old, 4), *sc = make(cur, 4);
    struct lineset_delta d;

    ck_assert_int_eq(lineset_diff(so, sc, &d), OCDN_OK);
    ck_assert_uint_eq(d.ndel, 2);
    ck_assert_str_eq(d.del[0], "a");
    ck_assert_str_eq(d.del[1], "e");
    /* A changed line is only added: the receiver replaces by key. */
    ck_assert_uint_eq(d.nadd, 3);
    ck_assert_str_eq(d.add[0], "33");
    ck_assert_str_eq(d.add[1], "4");
    ck_assert_str_eq(d.add[2], "6");
    lineset_delta_clear(&d);
    ck_assert_ptr_null(d.add);
    ck_assert_uint_eq(d.nadd, 0);
    lineset_unref(so);
    lineset_unref(sc);
}
END_TEST

START_TEST(diff_against_null_and_equal)
{
    static const char *const items[] = {"a", "b"};
    struct lineset *s = make(items, 2);
    struct lineset_delta d;

    ck_assert_int_eq(lineset_diff(NULL, s, &d), OCDN_OK);
    ck_assert_uint_eq(d.nadd, 2);
    ck_assert_uint_eq(d.ndel, 0);
    lineset_delta_clear(&d);
    ck_assert_int_eq(lineset_diff(s, NULL, &d), OCDN_OK);
    ck_assert_uint_eq(d.nadd, 0);
    ck_assert_uint_eq(d.ndel, 2);
    ck_assert_str_eq(d.del[1], "b");
    lineset_delta_clear(&d);
    ck_assert_int_eq(lineset_diff(s, s, &d), OCDN_OK);
    ck_assert_uint_eq(d.nadd + d.ndel, 0);
    lineset_delta_clear(&d);
    ck_assert_int_eq(lineset_diff(NULL, NULL, &d), OCDN_OK);
    ck_assert_uint_eq(d.nadd + d.ndel, 0);
    lineset_delta_clear(&d);
    lineset_unref(s);
}
END_TEST

/* Apply a delta to old the way the control plane does (del, then add by key) and compare. */
START_TEST(diff_applied_gives_new_set)
{
    char buf[64];
    struct lineset_builder *b1 = lineset_builder_new(1000, 100000);
    struct lineset_builder *b2 = lineset_builder_new(1000, 100000);
    struct lineset_builder *b3 = lineset_builder_new(2000, 200000);
    struct lineset *s1, *s2, *s3;
    struct lineset_delta d;
    uint64_t x = 88172645463325252ULL;
    size_t i, j;

    for (i = 0; i < 300; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        snprintf(buf, sizeof(buf), "%zu", i);
        if (x % 3)
            lineset_builder_add(b1, buf, strlen(buf), buf, strlen(buf));
        if (x % 5) {
            lineset_builder_add(b2, buf, strlen(buf), (x % 7) ? buf : "changed",
                                (x % 7) ? strlen(buf) : 7);
        }
    }
    ck_assert_int_eq(lineset_builder_finish(b1, &s1, NULL, 0), OCDN_OK);
    ck_assert_int_eq(lineset_builder_finish(b2, &s2, NULL, 0), OCDN_OK);
    ck_assert_int_eq(lineset_diff(s1, s2, &d), OCDN_OK);
    /* Replay: s1 minus del, with add's lines keyed by the key of the same entry in s2. */
    for (i = 0; i < lineset_count(s1); i++) {
        bool deleted = false, replaced = false;

        for (j = 0; j < d.ndel; j++)
            deleted |= strcmp(d.del[j], lineset_key(s1, i)) == 0;
        for (j = 0; j < d.nadd; j++) {
            long k = lineset_find(s2, lineset_key(s1, i));
            replaced |= k >= 0 && d.add[j] == lineset_line(s2, (size_t)k);
        }
        if (!deleted && !replaced) {
            lineset_builder_add(b3, lineset_key(s1, i), strlen(lineset_key(s1, i)),
                                lineset_line(s1, i), strlen(lineset_line(s1, i)));
        }
    }
    for (j = 0; j < d.nadd; j++) {
        for (i = 0; i < lineset_count(s2); i++) {
            if (d.add[j] == lineset_line(s2, i)) {
                lineset_builder_add(b3, lineset_key(s2, i), strlen(lineset_key(s2, i)), d.add[j],
                                    strlen(d.add[j]));
            }
        }
    }
    ck_assert_int_eq(lineset_builder_finish(b3, &s3, NULL, 0), OCDN_OK);
    ck_assert(lineset_equal(s2, s3));
    ck_assert(!lineset_equal(s1, s2));
    lineset_delta_clear(&d);
    lineset_unref(s1);
    lineset_unref(s2);
    lineset_unref(s3);
    lineset_builder_free(b1);
    lineset_builder_free(b2);
    lineset_builder_free(b3);
}
END_TEST

static Suite *
lineset_suite(void)
{
    Suite *s = suite_create("lineset");
    TCase *tc = tcase_create("build");

    tcase_add_test(tc, build_sorts_by_key);
    tcase_add_test(tc, build_duplicate_key_refused);
    tcase_add_test(tc, build_entry_limit);
    tcase_add_test(tc, build_byte_limit_leaves_builder_unchanged);
    tcase_add_test(tc, builder_reusable_after_finish);
    tcase_add_test(tc, empty_set_and_refs);
    suite_add_tcase(s, tc);
    tc = tcase_create("compare");
    tcase_add_test(tc, equal_compares_keys_and_lines);
    tcase_add_test(tc, diff_adds_deletes_and_changes);
    tcase_add_test(tc, diff_against_null_and_equal);
    tcase_add_test(tc, diff_applied_gives_new_set);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(lineset_suite());
}
