/* check_state.c - the reporter's persistent state (agent/state.c, agent/fileio.c): the seq and
 * base file formats with recorded good and damaged files, load rules (missing = fresh,
 * corrupt = fresh or no base with a note, mismatched base dropped), atomic saves, modes. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "routeset.h"
#include "state.h"
#include "testutil.h"

static const struct state_limits lim = {100, 100};
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
put(const char *name, const char *data, size_t len)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    write_file(path, data, len);
}

static void
put_fixture(const char *name, const char *rel)
{
    size_t len;
    char *data = fixture(rel, &len);

    put(name, data, len);
    free(data);
}

static struct lineset *
ids(const char *const *v, size_t n)
{
    struct lineset_builder *b = lineset_builder_new(100, 10000);
    struct lineset *s;
    size_t i;

    for (i = 0; i < n; i++)
        ck_assert_int_eq(lineset_builder_add(b, v[i], strlen(v[i]), NULL, 0), OCDN_OK);
    ck_assert_int_eq(lineset_builder_finish(b, &s, NULL, 0), OCDN_OK);
    lineset_builder_free(b);
    return s;
}

static struct lineset *
routes(const char *text)
{
    struct lineset *s;
    char err[256];

    ck_assert_int_eq(routeset_parse("t", text, strlen(text), 100, &s, err, sizeof(err)), OCDN_OK);
    return s;
}

static mode_t
file_mode(const char *name)
{
    char path[4096];
    struct stat sb;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ck_assert_int_eq(stat(path, &sb), 0);
    return sb.st_mode & 07777;
}

/* Names in dir other than . and .. */
static size_t
dir_entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)))
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* ---- seq file ---- */

START_TEST(seq_parse_good)
{
    struct state st;
    size_t len;
    char err[256], *text = fixture("agent/state/seq_good", &len);

    state_init(&st);
    ck_assert_int_eq(state_parse_seq(text, len, &st, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(st.next_seq, 43);
    ck_assert_int_eq(st.acked_seq, 42);
    ck_assert_int_eq(st.base_seq, 40);
    free(text);
}
END_TEST

static const char *const bad_seq[] = {
    "seq_bad_magic", "seq_truncated",   "seq_inconsistent", "seq_base_after_ack",
    "seq_zero_next", "seq_negative",    "seq_overflow",     "seq_too_big",
    "seq_trailing",  "seq_wrong_order", "seq_empty",
};

START_TEST(seq_parse_bad)
{
    struct state st;
    size_t len;
    char rel[128], err[256], *text;

    snprintf(rel, sizeof(rel), "agent/state/%s", bad_seq[_i]);
    text = fixture(rel, &len);
    state_init(&st);
    err[0] = '\0';
    ck_assert_msg(state_parse_seq(text, len, &st, err, sizeof(err)) == OCDN_EINVAL, "%s",
                  bad_seq[_i]);
    ck_assert_msg(err[0] != '\0', "%s: no reason", bad_seq[_i]);
    ck_assert_int_eq(st.next_seq, 0);
    free(text);
}
END_TEST

START_TEST(seq_format_round_trip)
{
    struct state a, b;
    char text[256], err[256];
    int n;

    state_init(&a);
    state_init(&b);
    a.next_seq = STATE_SEQ_MAX;
    a.acked_seq = STATE_SEQ_MAX - 1;
    a.base_seq = 5;
    n = state_format_seq(&a, text, sizeof(text));
    ck_assert_int_gt(n, 0);
    ck_assert_int_eq(state_parse_seq(text, (size_t)n, &b, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(b.next_seq, a.next_seq);
    ck_assert_int_eq(b.acked_seq, a.acked_seq);
    ck_assert_int_eq(b.base_seq, 5);
    ck_assert_int_eq(state_format_seq(&a, text, 10), -1);
}
END_TEST

/* ---- base file ---- */

START_TEST(base_parse_good)
{
    struct lineset *r, *c;
    int64_t seq;
    size_t len;
    char err[256], *text = fixture("agent/state/base_good", &len);

    ck_assert_int_eq(state_parse_base(text, len, &lim, &seq, &r, &c, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(seq, 1764000000042LL);
    ck_assert_uint_eq(lineset_count(r), 3);
    ck_assert_str_eq(lineset_key(r, 0), "198.51.100.0/24 isp4");
    ck_assert_str_eq(lineset_line(r, 1),
                     "2001:db8::/32|65001 64500|50|65001:300 (65535, 65281)||isp6");
    ck_assert_uint_eq(lineset_count(c), 2);
    ck_assert_str_eq(lineset_key(c, 1), "tt0002-720p");
    lineset_unref(r);
    lineset_unref(c);
    free(text);
}
END_TEST

START_TEST(base_parse_unknown_set)
{
    struct lineset *r = (struct lineset *)1, *c;
    int64_t seq;
    size_t len;
    char err[256], *text = fixture("agent/state/base_unknown_sets", &len);

    ck_assert_int_eq(state_parse_base(text, len, &lim, &seq, &r, &c, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(seq, 7);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(lineset_count(c), 0);
    lineset_unref(c);
    free(text);
}
END_TEST

static const struct {
    const char *name;
    enum ocdn_err err;
    const char *why;
} bad_base[] = {
    {"base_bad_crc", OCDN_EINVAL, "checksum mismatch"},
    {"base_truncated", OCDN_EINVAL, "truncated"},
    {"base_no_end", OCDN_EINVAL, "truncated"},
    {"base_bad_route", OCDN_EINVAL, "routes[0]: bad prefix"},
    {"base_bad_id", OCDN_EINVAL, "catalog[1]: not a file id"},
    {"base_duplicate", OCDN_EINVAL, "tt0001-1080p listed twice"},
    {"base_short_count", OCDN_EINVAL, "catalog: 2 of 3 entries"},
    {"base_long_count", OCDN_EINVAL, "expected \"catalog <count>\""},
    {"base_huge_count", OCDN_ETOOBIG, "more than 100"},
    {"base_bad_magic", OCDN_EINVAL, "not a base file"},
    {"base_bad_seq", OCDN_EINVAL, "expected \"seq <number>\""},
    {"base_trailing", OCDN_EINVAL, "bytes after the catalog"},
};

START_TEST(base_parse_bad)
{
    struct lineset *r = (struct lineset *)1, *c = (struct lineset *)1;
    int64_t seq = 1;
    size_t len;
    char rel[128], err[256] = "", *text;

    snprintf(rel, sizeof(rel), "agent/state/%s", bad_base[_i].name);
    text = fixture(rel, &len);
    ck_assert_int_eq(state_parse_base(text, len, &lim, &seq, &r, &c, err, sizeof(err)),
                     bad_base[_i].err);
    ck_assert_msg(strstr(err, bad_base[_i].why) != NULL, "%s: \"%s\" lacks \"%s\"",
                  bad_base[_i].name, err, bad_base[_i].why);
    ck_assert_ptr_null(r);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(seq, 0);
    free(text);
}
END_TEST

/* Every single-byte truncation of a good file is refused, never half-loaded. */
START_TEST(base_every_truncation_refused)
{
    struct lineset *r, *c;
    int64_t seq;
    size_t len, n;
    char err[256], *text = fixture("agent/state/base_good", &len), *copy = malloc(len + 1);

    for (n = 0; n < len; n++) {
        memcpy(copy, text, n);
        copy[n] = '\0';
        ck_assert_msg(state_parse_base(copy, n, &lim, &seq, &r, &c, err, sizeof(err)) != OCDN_OK,
                      "accepted a file cut at %zu of %zu bytes", n, len);
    }
    free(copy);
    free(text);
}
END_TEST

/* Any one byte changed anywhere is caught (CRC-32 detects every burst of up to 32 bits). */
START_TEST(base_every_byte_flip_refused)
{
    struct lineset *r, *c;
    int64_t seq;
    size_t len, n;
    char err[256], *text = fixture("agent/state/base_good", &len);

    for (n = 0; n < len; n++) {
        char was = text[n];

        text[n] = (char)(was ^ 0x20);
        ck_assert_msg(state_parse_base(text, len, &lim, &seq, &r, &c, err, sizeof(err)) != OCDN_OK,
                      "accepted a file with byte %zu changed", n);
        text[n] = was;
    }
    ck_assert_int_eq(state_parse_base(text, len, &lim, &seq, &r, &c, err, sizeof(err)), OCDN_OK);
    lineset_unref(r);
    lineset_unref(c);
    free(text);
}
END_TEST

START_TEST(base_format_round_trip)
{
    static const char *const files[] = {"b", "a", "c.ts"};
    struct lineset *r = routes("203.0.113.0/24|65001|||192.0.2.1|isp4\n"
                               "198.51.100.0/24|65001|5|a\"b\\\\c||isp4\n");
    struct lineset *c = ids(files, 3), *r2, *c2;
    char *text = NULL, err[256];
    size_t len = 0;
    int64_t seq;
    FILE *f = open_memstream(&text, &len);

    ck_assert_int_eq(state_format_base(f, 99, r, c), OCDN_OK);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(state_parse_base(text, len, &lim, &seq, &r2, &c2, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(seq, 99);
    ck_assert(lineset_equal(r, r2));
    ck_assert(lineset_equal(c, c2));
    lineset_unref(r);
    lineset_unref(c);
    lineset_unref(r2);
    lineset_unref(c2);
    free(text);
}
END_TEST

/* ---- load ---- */

START_TEST(load_missing_is_fresh)
{
    struct state st;
    char notes[256], err[256];

    state_init(&st);
    ck_assert_int_eq(
        state_load(dir, &lim, 1764000000123LL, &st, notes, sizeof(notes), err, sizeof(err)),
        OCDN_OK);
    ck_assert_int_eq(st.next_seq, 1764000000123LL);
    ck_assert_int_eq(st.acked_seq, 0);
    ck_assert_int_eq(st.base_seq, 0);
    ck_assert_ptr_null(st.routes);
    ck_assert_ptr_null(st.catalog);
    ck_assert_str_eq(notes, "");
    state_clear(&st);
}
END_TEST

START_TEST(fresh_seq_clock_bounds)
{
    struct state st;

    state_init(&st);
    state_fresh(&st, 0);
    ck_assert_int_eq(st.next_seq, 1);
    state_fresh(&st, -5);
    ck_assert_int_eq(st.next_seq, 1);
    state_fresh(&st, INT64_MAX);
    ck_assert_int_eq(st.next_seq, STATE_SEQ_MAX);
}
END_TEST

START_TEST(load_corrupt_seq_is_fresh_with_note)
{
    struct state st;
    char notes[256], err[256];

    put_fixture("seq", "agent/state/seq_inconsistent");
    put_fixture("base", "agent/state/base_good");
    state_init(&st);
    ck_assert_int_eq(state_load(dir, &lim, 5000, &st, notes, sizeof(notes), err, sizeof(err)),
                     OCDN_OK);
    ck_assert_int_eq(st.next_seq, 5000);
    ck_assert_ptr_null(st.routes);
    ck_assert_ptr_nonnull(strstr(notes, "seq file: inconsistent numbers"));
    ck_assert_ptr_nonnull(strstr(notes, "fresh start"));
    state_clear(&st);
}
END_TEST

START_TEST(load_oversized_seq_is_fresh)
{
    struct state st;
    char notes[256], err[256], big[1000];

    memset(big, '1', sizeof(big));
    put("seq", big, sizeof(big));
    state_init(&st);
    ck_assert_int_eq(state_load(dir, &lim, 77, &st, notes, sizeof(notes), err, sizeof(err)),
                     OCDN_OK);
    ck_assert_int_eq(st.next_seq, 77);
    ck_assert_ptr_nonnull(strstr(notes, "too large"));
    state_clear(&st);
}
END_TEST

START_TEST(load_unreadable_seq_is_an_error)
{
    struct state st;
    char notes[256], err[256], path[4096];

    snprintf(path, sizeof(path), "%s/seq", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    state_init(&st);
    ck_assert_int_eq(state_load(dir, &lim, 77, &st, notes, sizeof(notes), err, sizeof(err)),
                     OCDN_EIO);
    ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
    ck_assert_int_eq(st.next_seq, 0);
}
END_TEST

START_TEST(load_with_base)
{
    struct state st;
    char notes[256], err[256];
    const char *seq = "ocdn-agent-seq 1\nnext_seq 1764000000050\nacked_seq 1764000000049\n"
                      "base_seq 1764000000042\n";

    put("seq", seq, strlen(seq));
    put_fixture("base", "agent/state/base_good");
    state_init(&st);
    ck_assert_int_eq(state_load(dir, &lim, 1, &st, notes, sizeof(notes), err, sizeof(err)),
                     OCDN_OK);
    ck_assert_str_eq(notes, "");
    ck_assert_int_eq(st.next_seq, 1764000000050LL);
    ck_assert_int_eq(st.acked_seq, 1764000000049LL);
    ck_assert_int_eq(st.base_seq, 1764000000042LL);
    ck_assert_uint_eq(lineset_count(st.routes), 3);
    ck_assert_uint_eq(lineset_count(st.catalog), 2);
    state_clear(&st);
    ck_assert_ptr_null(st.routes);
}
END_TEST

/* The crash between writing the base and the seq file: they disagree, the base is dropped. */
START_TEST(load_mismatched_base_dropped)
{
    struct state st;
    char notes[256], err[256];

    put_fixture("seq", "agent/state/seq_good");   /* base_seq 40 */
    put_fixture("base", "agent/state/base_good"); /* written for 1764000000042 */
    state_init(&st);
    ck_assert_int_eq(state_load(dir, &lim, 1, &st, notes, sizeof(notes), err, sizeof(err)),
                     OCDN_OK);
    ck_assert_int_eq(st.next_seq, 43);
    ck_assert_int_eq(st.acked_seq, 42);
    ck_assert_int_eq(st.base_seq, 0);
    ck_assert_ptr_null(st.routes);
    ck_assert_ptr_null(st.catalog);
    ck_assert_ptr_nonnull(strstr(notes, "written for seq 1764000000042, expected 40"));
    state_clear(&st);
}
END_TEST

START_TEST(load_corrupt_or_missing_base_dropped)
{
    struct state st;
    char notes[256], err[256];
    const char *seq = "ocdn-agent-seq 1\nnext_seq 1764000000050\nacked_seq 1764000000049\n"
                      "base_seq 1764000000042\n";

    put("seq", seq, strlen(seq));
    state_init(&st);
    ck_assert_int_eq(state_load(dir, &lim, 1, &st, notes, sizeof(notes), err, sizeof(err)),
                     OCDN_OK);
    ck_assert_ptr_nonnull(strstr(notes, "base file missing"));
    ck_assert_int_eq(st.base_seq, 0);
    ck_assert_int_eq(st.acked_seq, 1764000000049LL);
    put_fixture("base", "agent/state/base_truncated");
    ck_assert_int_eq(state_load(dir, &lim, 1, &st, notes, sizeof(notes), err, sizeof(err)),
                     OCDN_OK);
    ck_assert_ptr_nonnull(strstr(notes, "base file: truncated"));
    ck_assert_ptr_null(st.routes);
    ck_assert_int_eq(st.next_seq, 1764000000050LL);
    state_clear(&st);
}
END_TEST

/* ---- save ---- */

START_TEST(save_and_load_round_trip)
{
    static const char *const files[] = {"f1", "f2"};
    struct state a, b;
    char notes[256], err[256];

    state_init(&a);
    state_init(&b);
    a.next_seq = 11;
    a.acked_seq = 10;
    a.base_seq = 10;
    a.routes = routes("203.0.113.0/24|65001|||192.0.2.1|isp4\n");
    a.catalog = ids(files, 2);
    ck_assert_int_eq(state_save_base(dir, 10, a.routes, a.catalog, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(state_save_seq(dir, &a, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(file_mode("seq"), 0600);
    ck_assert_int_eq(file_mode("base"), 0600);
    ck_assert_uint_eq(dir_entries(), 2); /* no temporary file left */
    ck_assert_int_eq(state_load(dir, &lim, 1, &b, notes, sizeof(notes), err, sizeof(err)), OCDN_OK);
    ck_assert_str_eq(notes, "");
    ck_assert_int_eq(b.next_seq, 11);
    ck_assert(lineset_equal(a.routes, b.routes));
    ck_assert(lineset_equal(a.catalog, b.catalog));
    /* A newer seq file replaces the old one whole. */
    a.next_seq = 12;
    ck_assert_int_eq(state_save_seq(dir, &a, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(state_load(dir, &lim, 1, &b, notes, sizeof(notes), err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(b.next_seq, 12);
    state_clear(&a);
    state_clear(&b);
}
END_TEST

START_TEST(save_into_missing_dir_fails)
{
    struct state a;
    char err[256], path[4096];

    state_init(&a);
    a.next_seq = 1;
    snprintf(path, sizeof(path), "%s/none", dir);
    ck_assert_int_eq(state_save_seq(path, &a, err, sizeof(err)), OCDN_EIO);
    ck_assert_ptr_nonnull(strstr(err, "cannot create"));
    ck_assert_int_eq(state_save_base(path, 1, NULL, NULL, err, sizeof(err)), OCDN_EIO);
}
END_TEST

START_TEST(config_round_trip_private)
{
    const char *body = "{\"oca_id\":7}";
    char err[256], *got = NULL, *big;
    size_t len;

    ck_assert_int_eq(state_load_config(dir, &got, &len, err, sizeof(err)), OCDN_ENOTFOUND);
    ck_assert_int_eq(state_save_config(dir, body, strlen(body), err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(file_mode("config.json"), 0600);
    ck_assert_int_eq(state_load_config(dir, &got, &len, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_eq(len, strlen(body));
    ck_assert_str_eq(got, body);
    free(got);
    big = calloc(1, STATE_CONFIG_MAX + 1);
    ck_assert_int_eq(state_save_config(dir, big, STATE_CONFIG_MAX + 1, err, sizeof(err)),
                     OCDN_ETOOBIG);
    put("config.json", big, STATE_CONFIG_MAX + 1);
    ck_assert_int_eq(state_load_config(dir, &got, &len, err, sizeof(err)), OCDN_ETOOBIG);
    ck_assert_ptr_null(got);
    free(big);
}
END_TEST

/* ---- fileio ---- */

START_TEST(fileio_leftover_temp_gets_private_mode)
{
    char err[256], path[4096];

    snprintf(path, sizeof(path), "%s/.x.tmp", dir);
    write_file(path, "old", 3);
    ck_assert_int_eq(chmod(path, 0644), 0);
    ck_assert_int_eq(fileio_write_atomic(dir, "x", "new", 3, 0600, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(file_mode("x"), 0600);
    ck_assert_uint_eq(dir_entries(), 1);
}
END_TEST

START_TEST(fileio_abort_keeps_old_file)
{
    struct fileio_tmp t;
    char err[256], path[4096], *got;
    size_t len;

    ck_assert_int_eq(fileio_write_atomic(dir, "x", "old", 3, 0600, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(fileio_begin(&t, dir, "x", 0600, err, sizeof(err)), OCDN_OK);
    fputs("half", t.f);
    fileio_abort(&t);
    fileio_abort(&t); /* twice is harmless */
    snprintf(path, sizeof(path), "%s/x", dir);
    ck_assert_int_eq(fileio_read(path, 100, &got, &len, err, sizeof(err)), OCDN_OK);
    ck_assert_str_eq(got, "old");
    ck_assert_uint_eq(dir_entries(), 1);
    free(got);
}
END_TEST

START_TEST(fileio_read_limits)
{
    char err[256], path[4096], *got = (char *)1;
    size_t len = 1;

    snprintf(path, sizeof(path), "%s/f", dir);
    write_file(path, "12345", 5);
    ck_assert_int_eq(fileio_read(path, 4, &got, &len, err, sizeof(err)), OCDN_ETOOBIG);
    ck_assert_ptr_null(got);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(fileio_read(path, 5, &got, &len, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_eq(len, 5);
    free(got);
    ck_assert_int_eq(fileio_read(dir, 5, &got, &len, err, sizeof(err)), OCDN_EIO);
    snprintf(path, sizeof(path), "%s/none", dir);
    ck_assert_int_eq(fileio_read(path, 5, &got, &len, err, sizeof(err)), OCDN_ENOTFOUND);
}
END_TEST

static Suite *
state_suite(void)
{
    Suite *s = suite_create("state");
    TCase *tc = tcase_create("format");

    tcase_add_test(tc, seq_parse_good);
    tcase_add_loop_test(tc, seq_parse_bad, 0, (int)(sizeof(bad_seq) / sizeof(bad_seq[0])));
    tcase_add_test(tc, seq_format_round_trip);
    tcase_add_test(tc, base_parse_good);
    tcase_add_test(tc, base_parse_unknown_set);
    tcase_add_loop_test(tc, base_parse_bad, 0, (int)(sizeof(bad_base) / sizeof(bad_base[0])));
    tcase_add_test(tc, base_every_truncation_refused);
    tcase_add_test(tc, base_every_byte_flip_refused);
    tcase_add_test(tc, base_format_round_trip);
    suite_add_tcase(s, tc);
    tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, load_missing_is_fresh);
    tcase_add_test(tc, fresh_seq_clock_bounds);
    tcase_add_test(tc, load_corrupt_seq_is_fresh_with_note);
    tcase_add_test(tc, load_oversized_seq_is_fresh);
    tcase_add_test(tc, load_unreadable_seq_is_an_error);
    tcase_add_test(tc, load_with_base);
    tcase_add_test(tc, load_mismatched_base_dropped);
    tcase_add_test(tc, load_corrupt_or_missing_base_dropped);
    suite_add_tcase(s, tc);
    tc = tcase_create("save");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, save_and_load_round_trip);
    tcase_add_test(tc, save_into_missing_dir_fails);
    tcase_add_test(tc, config_round_trip_private);
    tcase_add_test(tc, fileio_leftover_temp_gets_private_mode);
    tcase_add_test(tc, fileio_abort_keeps_old_file);
    tcase_add_test(tc, fileio_read_limits);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(state_suite());
}
