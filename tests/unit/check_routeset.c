/* check_routeset.c - route lines into route sets (agent/routeset.c): canonical form and keys,
 * the static file syntax (comments, blanks, CRLF), and every refusal with its line number. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routeset.h"
#include "testutil.h"

static struct lineset *
load_ok(const char *rel)
{
    struct lineset *s = NULL;
    char err[512] = "";

    ck_assert_msg(routeset_load_static(fixture_path(rel), 100, &s, err, sizeof(err)) == OCDN_OK,
                  "%s: %s", rel, err);
    return s;
}

static void
load_bad(const char *rel, enum ocdn_err want, const char *msg)
{
    struct lineset *s = (struct lineset *)1;
    char err[512] = "";

    ck_assert_int_eq(routeset_load_static(fixture_path(rel), 100, &s, err, sizeof(err)), want);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, msg) != NULL, "%s: \"%s\" does not contain \"%s\"", rel, err, msg);
}

START_TEST(static_file_parsed_and_canonical)
{
    struct lineset *s = load_ok("agent/routes/good.routes");

    ck_assert_uint_eq(lineset_count(s), 5);
    /* Keys sort bytewise; the line keeps the protocol, the key is "prefix proto". */
    ck_assert_str_eq(lineset_key(s, 0), "10.0.0.0/8");
    ck_assert_str_eq(lineset_line(s, 0), "10.0.0.0/8|||#hash community||");
    ck_assert_str_eq(lineset_key(s, 1), "192.0.2.0/24");
    ck_assert_str_eq(lineset_line(s, 1), "192.0.2.0/24|||||");
    ck_assert_str_eq(lineset_key(s, 2), "198.51.100.0/24 isp4");
    ck_assert_str_eq(lineset_line(s, 2), "198.51.100.0/24|65001|||192.0.2.1|isp4");
    /* IPv6 prefix and next hop in RFC 5952 form. */
    ck_assert_str_eq(lineset_key(s, 3), "2001:db8::/32 isp6");
    ck_assert_str_eq(lineset_line(s, 3),
                     "2001:db8::/32|65001 64500|50|65001:300 (65535, 65281)|2001:db8::1|isp6");
    /* CRLF line. */
    ck_assert_str_eq(lineset_line(s, 4), "203.0.113.0/24|65001 64500|50|65001:300|198.18.0.1|isp4");
    lineset_unref(s);
}
END_TEST

START_TEST(same_route_other_spelling_same_key)
{
    struct lineset_builder *b = lineset_builder_new(10, 10000);
    struct lineset *s;
    const char *why;
    const char *l1 = "2001:DB8::/32|1|||2001:DB8::1|p";
    const char *l2 = "2001:db8::/32|1|||2001:db8:0::1|p";

    ck_assert_int_eq(routeset_add_line(b, l1, strlen(l1), &why), OCDN_OK);
    ck_assert_int_eq(routeset_add_line(b, l2, strlen(l2), &why), OCDN_OK);
    ck_assert_int_eq(lineset_builder_finish(b, &s, NULL, 0), OCDN_EEXIST);
    lineset_builder_free(b);
}
END_TEST

START_TEST(add_line_refusals)
{
    struct lineset_builder *b = lineset_builder_new(10, 10000);
    char longline[5000];
    const char *why;

    ck_assert_int_eq(routeset_add_line(b, "x", 1, &why), OCDN_EINVAL);
    ck_assert_ptr_nonnull(why);
    ck_assert_int_eq(routeset_add_line(b, "203.0.113.0/24|1||||p\0x", 23, &why), OCDN_EINVAL);
    ck_assert_int_eq(routeset_add_line(b, "203.0.113.0/24|1||||bad proto", 29, &why), OCDN_EINVAL);
    ck_assert_str_eq(why, "bad protocol name");
    ck_assert_int_eq(routeset_add_line(b, "203.0.113.0/24|1|x|||p", 22, &why), OCDN_EINVAL);
    ck_assert_str_eq(why, "bad MED");
    ck_assert_int_eq(routeset_add_line(b, "203.0.113.0/24|1|||300.1.1.1|p", 30, &why), OCDN_EINVAL);
    ck_assert_str_eq(why, "bad next hop");
    memset(longline, 'a', sizeof(longline));
    ck_assert_int_eq(routeset_add_line(b, longline, sizeof(longline), &why), OCDN_EINVAL);
    ck_assert_str_eq(why, "line too long");
    ck_assert_uint_eq(lineset_builder_count(b), 0);
    lineset_builder_free(b);
}
END_TEST

START_TEST(bad_files_name_the_line)
{
    load_bad("agent/routes/bad_prefix.routes", OCDN_EINVAL, "bad_prefix.routes:2: bad prefix");
    load_bad("agent/routes/bad_fields.routes", OCDN_EINVAL, ":1: expected 6 fields");
    load_bad("agent/routes/bad_asn.routes", OCDN_EINVAL, ":3: bad AS number");
    load_bad("agent/routes/bad_nul.routes", OCDN_EINVAL, ":1: control or non-ASCII byte");
    load_bad("agent/routes/bad_duplicate.routes", OCDN_EINVAL,
             "route 203.0.113.0/24 isp4 is listed twice");
}
END_TEST

START_TEST(missing_file)
{
    load_bad("agent/routes/none.routes", OCDN_EIO, "cannot open");
}
END_TEST

START_TEST(too_many_routes)
{
    const char *text = "192.0.2.0/24|||||\n198.51.100.0/24|||||\n203.0.113.0/24|||||\n";
    struct lineset *s;
    char err[256];

    ck_assert_int_eq(routeset_parse("t", text, strlen(text), 2, &s, err, sizeof(err)),
                     OCDN_ETOOBIG);
    ck_assert_str_eq(err, "t:3: more than 2 routes");
    ck_assert_int_eq(routeset_parse("t", text, strlen(text), 3, &s, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_eq(lineset_count(s), 3);
    lineset_unref(s);
}
END_TEST

START_TEST(empty_and_comment_only)
{
    const char *text = "# nothing\n\n   \n\t#x\n";
    struct lineset *s;
    char err[256];

    ck_assert_int_eq(routeset_parse("t", "", 0, 5, &s, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_eq(lineset_count(s), 0);
    lineset_unref(s);
    ck_assert_int_eq(routeset_parse("t", text, strlen(text), 5, &s, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_eq(lineset_count(s), 0);
    lineset_unref(s);
}
END_TEST

START_TEST(last_line_without_newline)
{
    const char *text = "192.0.2.0/24|1||||a\n198.51.100.0/24|1||||b";
    struct lineset *s;
    char err[256];

    ck_assert_int_eq(routeset_parse("t", text, strlen(text), 5, &s, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_eq(lineset_count(s), 2);
    ck_assert_str_eq(lineset_key(s, 1), "198.51.100.0/24 b");
    lineset_unref(s);
}
END_TEST

static Suite *
routeset_suite(void)
{
    Suite *s = suite_create("routeset");
    TCase *tc = tcase_create("lines");

    tcase_add_test(tc, same_route_other_spelling_same_key);
    tcase_add_test(tc, add_line_refusals);
    suite_add_tcase(s, tc);
    tc = tcase_create("static");
    tcase_add_test(tc, static_file_parsed_and_canonical);
    tcase_add_test(tc, bad_files_name_the_line);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, too_many_routes);
    tcase_add_test(tc, empty_and_comment_only);
    tcase_add_test(tc, last_line_without_newline);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(routeset_suite());
}
