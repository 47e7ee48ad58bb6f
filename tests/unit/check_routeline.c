/* check_routeline.c - the text form of a learned route in agent reports. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "routeline.h"
#include "testutil.h"

static enum ocdn_err
parse(const char *line, struct routeline *r, const char **why)
{
    static char buf[ROUTELINE_MAX + 64];
    size_t len = strlen(line);

    ck_assert_uint_lt(len, sizeof(buf));
    memcpy(buf, line, len + 1);
    return routeline_parse(buf, len, r, why);
}

START_TEST(parse_full_line)
{
    struct routeline r;
    const char *why;

    ck_assert_int_eq(
        parse("203.0.113.0/24|65001 64500|50|65001:300 65535:65281|198.18.0.1|isp4", &r, &why),
        OCDN_OK);
    ck_assert_int_eq(r.prefix.len, 24);
    ck_assert_uint_eq(r.as_path_len, 2);
    ck_assert_uint_eq(r.first_as, 65001);
    ck_assert_uint_eq(r.origin_as, 64500);
    ck_assert_int_eq(r.med, 50);
    ck_assert_str_eq(r.communities, "65001:300 65535:65281");
    ck_assert_str_eq(r.next_hop, "198.18.0.1");
    ck_assert_str_eq(r.proto, "isp4");
}
END_TEST

START_TEST(parse_empty_fields)
{
    struct routeline r;
    const char *why;

    ck_assert_int_eq(parse("2001:db8:300::/48|||||", &r, &why), OCDN_OK);
    ck_assert_int_eq(r.med, -1);
    ck_assert_uint_eq(r.as_path_len, 0);
    ck_assert_uint_eq(r.origin_as, 0);
    ck_assert_str_eq(r.proto, "");
    ck_assert_int_eq(parse("10.0.0.0/8|4294967295|4294967295|||x", &r, &why), OCDN_OK);
    ck_assert_int_eq(r.med, 4294967295LL);
    ck_assert_uint_eq(r.origin_as, 4294967295u);
}
END_TEST

START_TEST(parse_rejects_bad_lines)
{
    static const char *const bad[] = {
        "",
        "10.0.0.0/8|65001|1||",            /* 5 fields */
        "10.0.0.1/8|65001|1||||",          /* 7 fields */
        "10.0.0.1/8|65001|1|||p",          /* host bits */
        "10.0.0.0|65001|1|||p",            /* no length */
        "10.0.0.0/8|65001  64500|1|||p",   /* two spaces */
        "10.0.0.0/8| 65001|1|||p",         /* leading space */
        "10.0.0.0/8|65001 |1|||p",         /* trailing space */
        "10.0.0.0/8|0|1|||p",              /* AS 0 */
        "10.0.0.0/8|4294967296|1|||p",     /* AS too big */
        "10.0.0.0/8|065001|1|||p",         /* leading zero */
        "10.0.0.0/8|{65001 65002}|1|||p",  /* AS_SET not flattened */
        "10.0.0.0/8|65001|-1|||p",         /* negative MED */
        "10.0.0.0/8|65001|4294967296|||p", /* MED too big */
        "10.0.0.0/8|65001|1||nothost|p",   /* bad next hop */
        "10.0.0.0/8|65001|1|||p q",        /* bad protocol name */
        "10.0.0.0/8|65001|1|a\tb||p",      /* control byte */
    };
    struct routeline r;
    const char *why;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(parse(bad[i], &r, &why) == OCDN_EINVAL, "accepted: %s", bad[i]);
        ck_assert_ptr_nonnull(why);
    }
}
END_TEST

START_TEST(parse_rejects_long_path_and_line)
{
    char line[ROUTELINE_MAX + 32];
    struct routeline r;
    const char *why;
    size_t i, n;

    n = (size_t)snprintf(line, sizeof(line), "10.0.0.0/8|");
    for (i = 0; i < ROUTELINE_MAX_PATH + 1; i++)
        n += (size_t)snprintf(line + n, sizeof(line) - n, i ? " 1" : "1");
    snprintf(line + n, sizeof(line) - n, "||||p");
    ck_assert_int_eq(parse(line, &r, &why), OCDN_EINVAL);
    ck_assert_str_eq(why, "AS path too long");
    memset(line, 'a', ROUTELINE_MAX + 1);
    line[ROUTELINE_MAX + 1] = '\0';
    ck_assert_int_eq(routeline_parse(line, ROUTELINE_MAX + 1, &r, &why), OCDN_EINVAL);
}
END_TEST

START_TEST(format_round_trip)
{
    struct routeline r, back;
    char buf[ROUTELINE_MAX + 1];
    const char *why;
    int n;

    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(net_prefix_parse("2001:db8::/32", &r.prefix), OCDN_OK);
    r.as_path = "65001 64500 64501";
    r.med = 0;
    r.communities = "(65001,300)";
    r.next_hop = "2001:2::1";
    r.proto = "isp6";
    n = routeline_format(&r, buf, sizeof(buf));
    ck_assert_int_gt(n, 0);
    ck_assert_str_eq(buf, "2001:db8::/32|65001 64500 64501|0|(65001,300)|2001:2::1|isp6");
    ck_assert_int_eq(routeline_parse(buf, (size_t)n, &back, &why), OCDN_OK);
    ck_assert_uint_eq(back.as_path_len, 3);
    r.communities = "a|b"; /* a separator inside a field cannot be formatted */
    ck_assert_int_eq(routeline_format(&r, buf, sizeof(buf)), -1);
    r.communities = "";
    ck_assert_int_eq(routeline_format(&r, buf, 10), -1); /* does not fit */
}
END_TEST

START_TEST(parse_key)
{
    struct net_prefix p;
    char proto[64];

    ck_assert_int_eq(routeline_parse_key("198.51.100.128/25 isp4", &p, proto, sizeof(proto)),
                     OCDN_OK);
    ck_assert_int_eq(p.len, 25);
    ck_assert_str_eq(proto, "isp4");
    ck_assert_int_eq(routeline_parse_key("10.0.0.0/8", &p, proto, sizeof(proto)), OCDN_OK);
    ck_assert_str_eq(proto, "");
    ck_assert_int_eq(routeline_parse_key("10.0.0.1/8 x", &p, proto, sizeof(proto)), OCDN_EINVAL);
    ck_assert_int_eq(routeline_parse_key("", &p, proto, sizeof(proto)), OCDN_EINVAL);
    ck_assert_int_eq(routeline_parse_key("10.0.0.0/8 a b", &p, proto, sizeof(proto)), OCDN_EINVAL);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("routeline");
    TCase *tc = tcase_create("lines");

    tcase_add_test(tc, parse_full_line);
    tcase_add_test(tc, parse_empty_fields);
    tcase_add_test(tc, parse_rejects_bad_lines);
    tcase_add_test(tc, parse_rejects_long_path_and_line);
    tcase_add_test(tc, format_round_trip);
    tcase_add_test(tc, parse_key);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
