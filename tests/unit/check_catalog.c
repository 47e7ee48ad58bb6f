/* check_catalog.c - file ids and data_dir scans (agent/catalog.c): which names count, what is
 * skipped (temp files, symlinks, directories, bad names), limits, errors, and snapshot deltas. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "testutil.h"

static char *dir;

static void
setup(void)
{
    dir = tmpdir_new();
}

static void
teardown(void)
{
    tmpdir_remove(dir);
    dir = NULL;
}

static void
touch(const char *name)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    write_file(path, "x", 1);
}

START_TEST(valid_ids)
{
    char longest[129], too_long[130];

    ck_assert(catalog_valid_id("tt0001-1080p"));
    ck_assert(catalog_valid_id("a"));
    ck_assert(catalog_valid_id("9.mp4"));
    ck_assert(catalog_valid_id("A_b-c.d"));
    memset(longest, 'a', 128);
    longest[128] = '\0';
    ck_assert(catalog_valid_id(longest));
    memset(too_long, 'a', 129);
    too_long[129] = '\0';
    ck_assert(!catalog_valid_id(too_long));
}
END_TEST

START_TEST(invalid_ids)
{
    ck_assert(!catalog_valid_id(NULL));
    ck_assert(!catalog_valid_id(""));
    ck_assert(!catalog_valid_id(".hidden"));
    ck_assert(!catalog_valid_id("-dash"));
    ck_assert(!catalog_valid_id("_under"));
    ck_assert(!catalog_valid_id("has space"));
    ck_assert(!catalog_valid_id("slash/x"));
    ck_assert(!catalog_valid_id("caf\xc3\xa9"));
    ck_assert(!catalog_valid_id("a\tb"));
    /* The filler's temporary names. */
    ck_assert(!catalog_valid_id("tt0001.tmp"));
    ck_assert(!catalog_valid_id("tt0001.part"));
    ck_assert(catalog_valid_id("tt0001.tmpx"));
}
END_TEST

START_TEST(scan_lists_regular_files_sorted)
{
    struct catalog_scan_stats st;
    struct lineset *s;
    char err[256], path[4096];

    touch("b-720p");
    touch("a-1080p");
    touch("c.ts");
    touch("partial.tmp");
    touch("x.part");
    touch(".hidden");
    touch("bad name");
    snprintf(path, sizeof(path), "%s/subdir", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/link", dir);
    ck_assert_int_eq(symlink("a-1080p", path), 0);
    snprintf(path, sizeof(path), "%s/dangling", dir);
    ck_assert_int_eq(symlink("nowhere", path), 0);

    ck_assert_int_eq(catalog_scan(dir, 100, &s, &st, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_eq(lineset_count(s), 3);
    ck_assert_str_eq(lineset_key(s, 0), "a-1080p");
    ck_assert_str_eq(lineset_line(s, 0), "a-1080p");
    ck_assert_str_eq(lineset_key(s, 1), "b-720p");
    ck_assert_str_eq(lineset_key(s, 2), "c.ts");
    ck_assert_uint_eq(st.temp, 2);
    ck_assert_uint_eq(st.skipped, 5); /* .hidden, bad name, subdir, link, dangling */
    lineset_unref(s);
}
END_TEST

START_TEST(scan_empty_dir)
{
    struct lineset *s;
    char err[256];

    ck_assert_int_eq(catalog_scan(dir, 10, &s, NULL, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_eq(lineset_count(s), 0);
    lineset_unref(s);
}
END_TEST

START_TEST(scan_too_many_files)
{
    struct lineset *s = (struct lineset *)1;
    char err[256];

    touch("a");
    touch("b");
    touch("c");
    ck_assert_int_eq(catalog_scan(dir, 2, &s, NULL, err, sizeof(err)), OCDN_ETOOBIG);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err, "more than 2 files"));
    ck_assert_int_eq(catalog_scan(dir, 3, &s, NULL, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_eq(lineset_count(s), 3);
    lineset_unref(s);
}
END_TEST

START_TEST(scan_missing_dir)
{
    struct lineset *s = (struct lineset *)1;
    char err[256], path[4096];

    snprintf(path, sizeof(path), "%s/none", dir);
    ck_assert_int_eq(catalog_scan(path, 10, &s, NULL, err, sizeof(err)), OCDN_EIO);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err, "cannot open"));
    ck_assert_ptr_nonnull(strstr(err, "/none"));
}
END_TEST

START_TEST(scan_not_a_dir)
{
    struct lineset *s;
    char err[256], path[4096];

    touch("file");
    snprintf(path, sizeof(path), "%s/file", dir);
    ck_assert_int_eq(catalog_scan(path, 10, &s, NULL, err, sizeof(err)), OCDN_EIO);
}
END_TEST

START_TEST(scan_delta_between_snapshots)
{
    struct lineset *s1, *s2;
    struct lineset_delta d;
    char err[256], path[4096];

    touch("keep");
    touch("gone");
    ck_assert_int_eq(catalog_scan(dir, 10, &s1, NULL, err, sizeof(err)), OCDN_OK);
    snprintf(path, sizeof(path), "%s/gone", dir);
    ck_assert_int_eq(unlink(path), 0);
    touch("new1");
    touch("new2.tmp");
    ck_assert_int_eq(catalog_scan(dir, 10, &s2, NULL, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(lineset_diff(s1, s2, &d), OCDN_OK);
    ck_assert_uint_eq(d.nadd, 1);
    ck_assert_str_eq(d.add[0], "new1");
    ck_assert_uint_eq(d.ndel, 1);
    ck_assert_str_eq(d.del[0], "gone");
    lineset_delta_clear(&d);
    lineset_unref(s1);
    lineset_unref(s2);
}
END_TEST

static Suite *
catalog_suite(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("ids");

    tcase_add_test(tc, valid_ids);
    tcase_add_test(tc, invalid_ids);
    suite_add_tcase(s, tc);
    tc = tcase_create("scan");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, scan_lists_regular_files_sorted);
    tcase_add_test(tc, scan_empty_dir);
    tcase_add_test(tc, scan_too_many_files);
    tcase_add_test(tc, scan_missing_dir);
    tcase_add_test(tc, scan_not_a_dir);
    tcase_add_test(tc, scan_delta_between_snapshots);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(catalog_suite());
}
