/* check_net.c - address and prefix parsing, RFC 5952 formatting, ordering, containment,
 * host:port and the bogon list; table-driven plus randomized round trips and a differential
 * test against the libc's inet_pton()/inet_ntop(). */
#include "net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* For loops of many iterations: Check records every passing ck_assert (a pipe write), this
 * only reports failures. */
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* Deterministic generator so a failure can be reproduced. */
static uint64_t
rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static const char *
addr_str(const struct net_addr *a)
{
    static char buf[NET_ADDR_STRLEN];

    return net_addr_format(a, buf, sizeof(buf));
}

static const char *
prefix_str(const struct net_prefix *p)
{
    static char buf[NET_PREFIX_STRLEN];

    return net_prefix_format(p, buf, sizeof(buf));
}

static struct net_addr
addr(const char *s)
{
    struct net_addr a;

    ck_assert_msg(net_addr_parse(s, &a) == OCDN_OK, "parse %s", s);
    return a;
}

static struct net_prefix
prefix(const char *s)
{
    struct net_prefix p;

    ck_assert_msg(net_prefix_parse(s, &p) == OCDN_OK, "parse %s", s);
    return p;
}

/* ---- addresses: parse -------------------------------------------------------------------- */

/* Input and its canonical form. */
static const struct {
    const char *in, *out;
} good_addrs[] = {
    {"0.0.0.0", "0.0.0.0"},
    {"192.0.2.1", "192.0.2.1"},
    {"255.255.255.255", "255.255.255.255"},
    {"10.0.0.0", "10.0.0.0"},
    {"1.20.100.0", "1.20.100.0"},
    {"::", "::"},
    {"::1", "::1"},
    {"1::", "1::"},
    {"2001:db8::1", "2001:db8::1"},
    {"2001:DB8::1", "2001:db8::1"},
    {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
    {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
    {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
    {"2001:db8::1:0:0:0:1", "2001:db8:0:1::1"},
    {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
    {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
    {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
    {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
    {"fe80::abcd", "fe80::abcd"},
    {"FFFF:ffff:FFFF:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
    {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
    {"::FFFF:c000:0201", "::ffff:192.0.2.1"},
    {"0:0:0:0:0:ffff:192.0.2.1", "::ffff:192.0.2.1"},
    {"::ffff:0.0.0.0", "::ffff:0.0.0.0"},
    {"::192.0.2.1", "::c000:201"},
    {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
    {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
    {"1:2:3:4:5::1.2.3.4", "1:2:3:4:5:0:102:304"},
    {"0000:0000:0000:0000:0000:ffff:255.255.255.255", "::ffff:255.255.255.255"},
};

START_TEST(addr_parse_valid)
{
    struct net_addr a;
    size_t i;

    for (i = 0; i < ARRAY_LEN(good_addrs); i++) {
        ck_assert_msg(net_addr_parse(good_addrs[i].in, &a) == OCDN_OK, "%s", good_addrs[i].in);
        ck_assert_str_eq(addr_str(&a), good_addrs[i].out);
        ck_assert_uint_eq(a.family, strchr(good_addrs[i].in, ':') ? NET_V6 : NET_V4);
    }
}
END_TEST

START_TEST(addr_parse_v4_layout)
{
    struct net_addr a = addr("192.0.2.1");
    size_t i;

    ck_assert_uint_eq(a.family, NET_V4);
    ck_assert_uint_eq(a.bytes[0], 192);
    ck_assert_uint_eq(a.bytes[1], 0);
    ck_assert_uint_eq(a.bytes[2], 2);
    ck_assert_uint_eq(a.bytes[3], 1);
    for (i = 4; i < 16; i++)
        ck_assert_uint_eq(a.bytes[i], 0);
}
END_TEST

static const char *const bad_addrs[] = {
    "",
    " ",
    "1",
    "1.1",
    "1.1.1",
    "1.1.1.1.1",
    "010.1.1.1",
    "1.01.1.1",
    "00.1.1.1",
    "0x1.1.1.1",
    "0x01020304",
    "16909060",
    "1.1.1.256",
    "256.1.1.1",
    "1.1.1.1000",
    "1.1.1.-1",
    "+1.1.1.1",
    "1.1.1.1 ",
    " 1.1.1.1",
    "1.1.1.1\n",
    "1.1.1.",
    ".1.1.1",
    "1..1.1",
    "1.1.1.1/32",
    "1.1.1.1:80",
    "a.b.c.d",
    "1.1.1.1x",
    ":",
    ":::",
    "::1::",
    "1::2::3",
    ":1::",
    "::1:",
    "1:",
    ":1",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7:8",
    "1:2:3:4::5:6:7:8",
    "12345::",
    "00000::1",
    "g::1",
    "fe80::1%eth0",
    "fe80::1%1",
    "[::1]",
    "::1 ",
    " ::1",
    "::1/128",
    "1:2:3:4:5:6:7:1.2.3.4",
    "::1.2.3",
    "::1.2.3.4.5",
    "::01.2.3.4",
    "::256.1.1.1",
    "::1.2.3.4:1",
    "1.2.3.4::",
    "::ffff:1.2.3.4x",
    "::ffff.1.2.3.4",
    "::x",
    "2001:db8::-1",
    "0000:0000:0000:0000:0000:0000:0000:0000:0000",
    "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:1",
};

START_TEST(addr_parse_rejects_bad)
{
    struct net_addr a;
    size_t i;

    for (i = 0; i < ARRAY_LEN(bad_addrs); i++) {
        memset(&a, 0xa5, sizeof(a));
        ck_assert_msg(net_addr_parse(bad_addrs[i], &a) == OCDN_EINVAL, "accepted \"%s\"",
                      bad_addrs[i]);
        /* The out-parameter is cleared, never half-filled. */
        ck_assert_uint_eq(a.family, 0);
        ck_assert_uint_eq(a.bytes[0], 0);
    }
}
END_TEST

START_TEST(addr_parse_rejects_null)
{
    struct net_addr a;

    ck_assert_int_eq(net_addr_parse(NULL, &a), OCDN_EINVAL);
    ck_assert_uint_eq(a.family, 0);
}
END_TEST

/* Random strings over the address alphabet: we accept exactly what inet_pton() accepts,
 * except that inet_pton() takes zone-less input only and never the forms we reject anyway.
 * glibc's inet_pton() is itself strict (no octal, hex or short IPv4), so this is a check
 * of the hand-written parsers against an independent one. */
START_TEST(addr_parse_agrees_with_inet_pton)
{
    static const char alphabet[] = "0123456789abcdefABCDEF:.::..0000ff";
    uint64_t seed = 42;
    unsigned char ref[16];
    struct net_addr a;
    char s[48];
    int i, n, k, agree_ok = 0;

    for (i = 0; i < 200000; i++) {
        n = 1 + (int)(rnd(&seed) % 24);
        for (k = 0; k < n; k++)
            s[k] = alphabet[rnd(&seed) % (sizeof(alphabet) - 1)];
        s[n] = '\0';
        if (i % 4 == 0 && n > 4)
            memcpy(s, "::", 2);
        bool ours = net_addr_parse(s, &a) == OCDN_OK;
        bool theirs = inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, ref) == 1;
        EXPECT(ours == theirs, "\"%s\": ours=%d inet_pton=%d", s, ours, theirs);
        if (ours) {
            EXPECT(memcmp(a.bytes, ref, a.family == NET_V4 ? 4 : 16) == 0, "%s", s);
            agree_ok++;
        }
    }
    /* The generator must produce valid addresses too, or the test proves little. */
    ck_assert_int_gt(agree_ok, 1000);
}
END_TEST

/* ---- addresses: format ------------------------------------------------------------------- */

START_TEST(addr_format_rfc5952)
{
    /* RFC 5952 section 4: compress the longest run, the first of equal runs, never a single
     * zero group; lower case; no leading zeros. */
    static const struct {
        uint16_t g[8];
        const char *out;
    } cases[] = {
        {{0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}, "2001:db8::1"},
        {{0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}, "2001:db8:0:1:1:1:1:1"},
        {{0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}, "2001:db8::1:0:0:1"},
        {{0x2001, 0, 0, 1, 0, 0, 0, 1}, "2001:0:0:1::1"},
        {{0, 0, 0, 0, 0, 0, 0, 0}, "::"},
        {{0, 0, 0, 0, 0, 0, 0, 1}, "::1"},
        {{1, 0, 0, 0, 0, 0, 0, 0}, "1::"},
        {{0, 1, 0, 1, 0, 1, 0, 1}, "0:1:0:1:0:1:0:1"},
        {{0xabcd, 0xef01, 0x2345, 0x6789, 0xabcd, 0xef01, 0x2345, 0x6789},
         "abcd:ef01:2345:6789:abcd:ef01:2345:6789"},
        {{0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201}, "::ffff:192.0.2.1"},
        {{0, 0, 0, 0, 0, 0xfffe, 0xc000, 0x0201}, "::fffe:c000:201"},
        {{0, 0, 0, 0, 1, 0xffff, 0xc000, 0x0201}, "::1:ffff:c000:201"},
        {{0, 0, 0, 0, 0, 0, 0xc000, 0x0201}, "::c000:201"},
        {{0x100, 0, 0, 0, 0, 0, 0, 0}, "100::"},
        {{0xfe80, 0, 0, 0, 0x200, 0x5eff, 0xfe00, 0x5301}, "fe80::200:5eff:fe00:5301"},
    };
    struct net_addr a;
    size_t i;
    int k;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        memset(&a, 0, sizeof(a));
        a.family = NET_V6;
        for (k = 0; k < 8; k++) {
            a.bytes[2 * k] = (uint8_t)(cases[i].g[k] >> 8);
            a.bytes[2 * k + 1] = (uint8_t)cases[i].g[k];
        }
        ck_assert_str_eq(addr_str(&a), cases[i].out);
    }
}
END_TEST

START_TEST(addr_format_small_buffer_truncates)
{
    struct net_addr a = addr("2001:db8::1");
    char buf[8];

    memset(buf, 'x', sizeof(buf));
    ck_assert_ptr_eq(net_addr_format(&a, buf, sizeof(buf)), buf);
    ck_assert_str_eq(buf, "2001:db");
    buf[0] = 'x';
    ck_assert_ptr_eq(net_addr_format(&a, buf, 0), buf);
    ck_assert_int_eq(buf[0], 'x');
}
END_TEST

START_TEST(addr_format_bad_family)
{
    struct net_addr a;
    struct net_prefix p;
    char buf[NET_PREFIX_STRLEN];

    memset(&a, 0, sizeof(a));
    ck_assert_str_eq(net_addr_format(&a, buf, sizeof(buf)), "?");
    memset(&p, 0, sizeof(p));
    ck_assert_str_eq(net_prefix_format(&p, buf, sizeof(buf)), "?/0");
}
END_TEST

/* ---- prefixes ------------------------------------------------------------------------------ */

START_TEST(prefix_parse_valid)
{
    static const struct {
        const char *in, *out;
        unsigned len;
    } cases[] = {
        {"0.0.0.0/0", "0.0.0.0/0", 0},
        {"192.0.2.0/24", "192.0.2.0/24", 24},
        {"192.0.2.1/32", "192.0.2.1/32", 32},
        {"10.0.0.0/8", "10.0.0.0/8", 8},
        {"100.64.0.0/10", "100.64.0.0/10", 10},
        {"128.0.0.0/1", "128.0.0.0/1", 1},
        {"::/0", "::/0", 0},
        {"2001:db8::/32", "2001:db8::/32", 32},
        {"2001:DB8:0::/48", "2001:db8::/48", 48},
        {"2001:db8::1/128", "2001:db8::1/128", 128},
        {"fe80::/10", "fe80::/10", 10},
        {"::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120", 120},
        {"8000::/1", "8000::/1", 1},
    };
    struct net_prefix p;
    size_t i;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        ck_assert_msg(net_prefix_parse(cases[i].in, &p) == OCDN_OK, "%s", cases[i].in);
        ck_assert_uint_eq(p.len, cases[i].len);
        ck_assert_str_eq(prefix_str(&p), cases[i].out);
    }
}
END_TEST

static const char *const bad_prefixes[] = {
    "",
    "/",
    "/24",
    "192.0.2.0",
    "192.0.2.0/",
    "192.0.2.0/+24",
    "192.0.2.0/-1",
    "192.0.2.0/ 24",
    "192.0.2.0/24 ",
    " 192.0.2.0/24",
    "192.0.2.0 /24",
    "192.0.2.0/024",
    "192.0.2.0/00",
    "192.0.2.0/33",
    "192.0.2.0/100",
    "192.0.2.0/1000",
    "192.0.2.0/24/24",
    "192.0.2.0/2x",
    "192.0.2.0/0x18",
    "192.0.2/24",
    "010.0.0.0/8",
    "::/129",
    "::/200",
    "2001:db8::/032",
    "2001:db8::/",
    "2001:db8::/+32",
    "fe80::%eth0/64",
    "fe80::/64%eth0",
    "2001:db8::/32\n",
    "0000:0000:0000:0000:0000:ffff:255.255.255.255/1280",
    /* host bits set */
    "192.0.2.1/24",
    "192.0.2.129/25",
    "10.0.0.1/31",
    "128.0.0.0/0",
    "2001:db8::1/32",
    "2001:db8::/16",
    "::1/127",
    "8000::/0",
};

START_TEST(prefix_parse_rejects_bad)
{
    struct net_prefix p;
    size_t i;

    for (i = 0; i < ARRAY_LEN(bad_prefixes); i++) {
        memset(&p, 0xa5, sizeof(p));
        ck_assert_msg(net_prefix_parse(bad_prefixes[i], &p) == OCDN_EINVAL, "accepted \"%s\"",
                      bad_prefixes[i]);
        ck_assert_uint_eq(p.len, 0);
        ck_assert_uint_eq(p.addr.family, 0);
    }
    ck_assert_int_eq(net_prefix_parse(NULL, &p), OCDN_EINVAL);
    ck_assert_int_eq(net_prefix_parse_loose(NULL, &p), OCDN_EINVAL);
}
END_TEST

START_TEST(prefix_parse_loose_masks_host_bits)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"192.0.2.1/24", "192.0.2.0/24"},
        {"192.0.2.255/25", "192.0.2.128/25"},
        {"10.1.2.3/0", "0.0.0.0/0"},
        {"10.1.2.3/32", "10.1.2.3/32"},
        {"255.255.255.255/9", "255.128.0.0/9"},
        {"2001:db8::1/32", "2001:db8::/32"},
        {"2001:db8:ffff:ffff::/33", "2001:db8:8000::/33"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/127",
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"},
    };
    struct net_prefix p;
    size_t i;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        ck_assert_msg(net_prefix_parse_loose(cases[i].in, &p) == OCDN_OK, "%s", cases[i].in);
        ck_assert_str_eq(prefix_str(&p), cases[i].out);
    }
}
END_TEST

START_TEST(prefix_parse_loose_rejects_bad_syntax)
{
    static const char *const cases[] = {
        "192.0.2.1", "192.0.2.1/33", "192.0.2.1/",      "x/8",
        "::/129",    "1.1/8",        "fe80::1%eth0/64", "192.0.2.1/+8"};
    struct net_prefix p;
    size_t i;

    for (i = 0; i < ARRAY_LEN(cases); i++)
        ck_assert_msg(net_prefix_parse_loose(cases[i], &p) == OCDN_EINVAL, "%s", cases[i]);
}
END_TEST

START_TEST(prefix_from_addr_clears_and_clamps)
{
    struct net_addr a = addr("192.0.2.200");
    struct net_prefix p;

    net_prefix_from_addr(&a, 24, &p);
    ck_assert_str_eq(prefix_str(&p), "192.0.2.0/24");
    net_prefix_from_addr(&a, 200, &p);
    ck_assert_str_eq(prefix_str(&p), "192.0.2.200/32");
    net_prefix_from_addr(&a, 0, &p);
    ck_assert_str_eq(prefix_str(&p), "0.0.0.0/0");
    a = addr("2001:db8:1234:5678::1");
    net_prefix_from_addr(&a, 48, &p);
    ck_assert_str_eq(prefix_str(&p), "2001:db8:1234::/48");
    net_prefix_from_addr(&a, 999, &p);
    ck_assert_str_eq(prefix_str(&p), "2001:db8:1234:5678::1/128");
    net_prefix_from_addr(&a, 63, &p);
    ck_assert_str_eq(prefix_str(&p), "2001:db8:1234:5678::/63");
    net_prefix_from_addr(&a, 61, &p);
    ck_assert_str_eq(prefix_str(&p), "2001:db8:1234:5678::/61");
    net_prefix_from_addr(&a, 60, &p);
    ck_assert_str_eq(prefix_str(&p), "2001:db8:1234:5670::/60");
}
END_TEST

START_TEST(family_bits_values)
{
    ck_assert_uint_eq(net_family_bits(NET_V4), 32);
    ck_assert_uint_eq(net_family_bits(NET_V6), 128);
    ck_assert_uint_eq(net_family_bits(0), 0);
    ck_assert_uint_eq(net_family_bits(5), 0);
}
END_TEST

/* ---- compare and containment --------------------------------------------------------------- */

START_TEST(addr_cmp_total_order)
{
    /* Sorted: family first (v4 before v6), then bytes. */
    static const char *const sorted[] = {
        "0.0.0.0", "0.0.0.1", "1.0.0.0",        "192.0.2.1",  "192.0.2.2", "255.255.255.255",
        "::",      "::1",     "::ffff:0.0.0.0", "2001:db8::", "ffff::"};
    size_t i, j;

    for (i = 0; i < ARRAY_LEN(sorted); i++) {
        struct net_addr a = addr(sorted[i]);
        for (j = 0; j < ARRAY_LEN(sorted); j++) {
            struct net_addr b = addr(sorted[j]);
            int want = i < j ? -1 : i > j ? 1 : 0;
            ck_assert_msg(net_addr_cmp(&a, &b) == want, "%s vs %s", sorted[i], sorted[j]);
        }
    }
}
END_TEST

START_TEST(prefix_cmp_total_order)
{
    static const char *const sorted[] = {"0.0.0.0/0",     "0.0.0.0/8",      "10.0.0.0/8",
                                         "10.0.0.0/16",   "10.1.0.0/16",    "192.0.2.0/24",
                                         "::/0",          "::/8",           "2001:db8::/32",
                                         "2001:db8::/48", "2001:db8:1::/48"};
    size_t i, j;

    for (i = 0; i < ARRAY_LEN(sorted); i++) {
        struct net_prefix a = prefix(sorted[i]);
        for (j = 0; j < ARRAY_LEN(sorted); j++) {
            struct net_prefix b = prefix(sorted[j]);
            int want = i < j ? -1 : i > j ? 1 : 0;
            ck_assert_msg(net_prefix_cmp(&a, &b) == want, "%s vs %s", sorted[i], sorted[j]);
        }
    }
}
END_TEST

START_TEST(prefix_contains_cases)
{
    static const struct {
        const char *p, *a;
        bool in;
    } cases[] = {
        {"192.0.2.0/24", "192.0.2.0", true},
        {"192.0.2.0/24", "192.0.2.255", true},
        {"192.0.2.0/24", "192.0.3.0", false},
        {"192.0.2.0/24", "192.0.1.255", false},
        {"192.0.2.128/25", "192.0.2.127", false},
        {"192.0.2.128/25", "192.0.2.128", true},
        {"0.0.0.0/0", "255.255.255.255", true},
        {"0.0.0.0/0", "::", false},
        {"::/0", "0.0.0.0", false},
        {"::/0", "2001:db8::1", true},
        {"192.0.2.1/32", "192.0.2.1", true},
        {"192.0.2.1/32", "192.0.2.0", false},
        {"2001:db8::/32", "2001:db8:ffff::1", true},
        {"2001:db8::/32", "2001:db9::", false},
        {"2001:db8::/33", "2001:db8:8000::", false},
        {"2001:db8::/33", "2001:db8:7fff:ffff::", true},
        {"::ffff:192.0.2.0/120", "192.0.2.1", false},
        {"::ffff:192.0.2.0/120", "::ffff:192.0.2.1", true},
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        struct net_prefix p = prefix(cases[i].p);
        struct net_addr a = addr(cases[i].a);
        ck_assert_msg(net_prefix_contains(&p, &a) == cases[i].in, "%s in %s", cases[i].a,
                      cases[i].p);
    }
}
END_TEST

START_TEST(prefix_contains_rejects_invalid_struct)
{
    struct net_prefix p = prefix("192.0.2.0/24");
    struct net_addr a = addr("192.0.2.1");

    p.len = 33;
    ck_assert(!net_prefix_contains(&p, &a));
    p.len = 24;
    p.addr.family = 0;
    a.family = 0;
    ck_assert(!net_prefix_contains(&p, &a));
}
END_TEST

START_TEST(prefix_covers_cases)
{
    static const struct {
        const char *outer, *inner;
        bool covers;
    } cases[] = {
        {"10.0.0.0/8", "10.0.0.0/8", true},
        {"10.0.0.0/8", "10.1.0.0/16", true},
        {"10.0.0.0/8", "10.255.255.255/32", true},
        {"10.0.0.0/8", "11.0.0.0/16", false},
        {"10.0.0.0/16", "10.0.0.0/8", false},
        {"0.0.0.0/0", "10.0.0.0/8", true},
        {"0.0.0.0/0", "::/0", false},
        {"::/0", "0.0.0.0/0", false},
        {"2001:db8::/32", "2001:db8:1::/48", true},
        {"2001:db8::/48", "2001:db8::/32", false},
        {"2001:db8::/32", "2001:db9::/48", false},
        {"fc00::/7", "fd00::/8", true},
        {"fe80::/10", "febf::/16", true},
        {"fe80::/10", "fec0::/16", false},
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        struct net_prefix o = prefix(cases[i].outer);
        struct net_prefix n = prefix(cases[i].inner);
        ck_assert_msg(net_prefix_covers(&o, &n) == cases[i].covers, "%s covers %s", cases[i].outer,
                      cases[i].inner);
    }
}
END_TEST

START_TEST(addr_v4_int_round_trip)
{
    struct net_addr a = addr("192.0.2.1");
    struct net_addr b;

    ck_assert_uint_eq(net_addr_v4(&a), 0xc0000201u);
    net_addr_set_v4(&b, 0xc0000201u);
    ck_assert_int_eq(net_addr_cmp(&a, &b), 0);
    memset(&b, 0xff, sizeof(b));
    net_addr_set_v4(&b, 0);
    ck_assert_str_eq(addr_str(&b), "0.0.0.0");
    ck_assert_uint_eq(b.bytes[15], 0);
    net_addr_set_v4(&b, 0xffffffffu);
    ck_assert_str_eq(addr_str(&b), "255.255.255.255");
    ck_assert_uint_eq(net_addr_v4(&b), 0xffffffffu);
}
END_TEST

START_TEST(addr_is_loopback_cases)
{
    ck_assert(net_addr_is_loopback((struct net_addr[]){addr("127.0.0.1")}));
    ck_assert(net_addr_is_loopback((struct net_addr[]){addr("127.255.0.9")}));
    ck_assert(net_addr_is_loopback((struct net_addr[]){addr("::1")}));
    ck_assert(!net_addr_is_loopback((struct net_addr[]){addr("128.0.0.1")}));
    ck_assert(!net_addr_is_loopback((struct net_addr[]){addr("126.255.255.255")}));
    ck_assert(!net_addr_is_loopback((struct net_addr[]){addr("::")}));
    ck_assert(!net_addr_is_loopback((struct net_addr[]){addr("::2")}));
    ck_assert(!net_addr_is_loopback((struct net_addr[]){addr("1::1")}));
}
END_TEST

/* ---- host:port ----------------------------------------------------------------------------- */

START_TEST(hostport_parse_valid)
{
    static const struct {
        const char *in, *addr;
        uint16_t port;
    } cases[] = {
        {"127.0.0.1:8080", "127.0.0.1", 8080},
        {"0.0.0.0:1", "0.0.0.0", 1},
        {"192.0.2.1:65535", "192.0.2.1", 65535},
        {"[::1]:8080", "::1", 8080},
        {"[2001:DB8::1]:443", "2001:db8::1", 443},
        {"[::ffff:192.0.2.1]:80", "::ffff:192.0.2.1", 80},
        {"127.0.0.1:0", "127.0.0.1", 0},
        {"[::1]:0", "::1", 0},
    };
    struct net_addr a;
    uint16_t port;
    size_t i;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        ck_assert_msg(net_hostport_parse(cases[i].in, &a, &port) == OCDN_OK, "%s", cases[i].in);
        ck_assert_str_eq(addr_str(&a), cases[i].addr);
        ck_assert_uint_eq(port, cases[i].port);
    }
}
END_TEST

START_TEST(hostport_parse_rejects_bad)
{
    static const char *const cases[] = {
        "",
        ":",
        ":80",
        "127.0.0.1",
        "127.0.0.1:",
        "127.0.0.1:00",
        "127.0.0.1:65536",
        "127.0.0.1:99999",
        "127.0.0.1:123456",
        "127.0.0.1:080",
        "127.0.0.1:+80",
        "127.0.0.1:-80",
        "127.0.0.1: 80",
        "127.0.0.1:80 ",
        "127.0.0.1:80x",
        "127.0.0.1:0x50",
        "127.0.0.1:80:80",
        "localhost:80",
        "010.0.0.1:80",
        "::1:8080",
        "2001:db8::1:443",
        "::1",
        "[::1]",
        "[::1]:",
        "[::1]8080",
        "[::1]:65536",
        "[::1:8080",
        "::1]:8080",
        "[127.0.0.1]:80",
        "[fe80::1%eth0]:80",
        "[]:80",
        "[[::1]]:80",
        " 127.0.0.1:80",
        "[::1]:80]",
        "[0000:0000:0000:0000:0000:ffff:255.255.255.255]:655350",
    };
    struct net_addr a;
    uint16_t port;
    size_t i;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        port = 7;
        ck_assert_msg(net_hostport_parse(cases[i], &a, &port) == OCDN_EINVAL, "accepted \"%s\"",
                      cases[i]);
        ck_assert_uint_eq(port, 0);
        ck_assert_uint_eq(a.family, 0);
    }
    ck_assert_int_eq(net_hostport_parse(NULL, &a, &port), OCDN_EINVAL);
}
END_TEST

/* ---- bogons -------------------------------------------------------------------------------- */

START_TEST(bogon_cases)
{
    static const struct {
        const char *p;
        bool bogon;
    } cases[] = {
        {"0.0.0.0/0", true},
        {"::/0", true},
        {"0.0.0.0/8", true},
        {"10.0.0.0/8", true},
        {"10.20.0.0/16", true},
        {"100.64.0.0/10", true},
        {"100.127.255.0/24", true},
        {"100.128.0.0/10", false},
        {"127.0.0.1/32", true},
        {"169.254.0.0/16", true},
        {"172.16.0.0/12", true},
        {"172.31.0.0/16", true},
        {"172.32.0.0/16", false},
        {"192.0.0.0/24", true},
        {"192.0.2.0/24", true},
        {"192.0.3.0/24", false},
        {"192.168.1.0/24", true},
        {"198.18.0.0/15", true},
        {"198.19.255.0/24", true},
        {"198.20.0.0/16", false},
        {"198.51.100.0/24", true},
        {"203.0.113.0/24", true},
        {"224.0.0.0/4", true},
        {"239.255.255.255/32", true},
        {"240.0.0.0/4", true},
        {"255.255.255.255/32", true},
        {"8.8.8.0/24", false},
        {"1.0.0.0/24", false},
        {"11.0.0.0/8", false},
        {"0.0.0.0/1", false}, /* contains bogons but is not inside one */
        {"192.0.0.0/16", false},
        {"::/8", true},
        {"::1/128", true},
        {"::ffff:0.0.0.0/96", true},
        {"100::/64", true},
        {"100::/48", false},
        {"100:0:0:1::/64", false},
        {"2001:db8::/32", true},
        {"2001:db8:1::/48", true},
        {"2001:db9::/32", false},
        {"2001::/23", false},
        {"2001::/32", false},
        {"2001:4:112::/48", false},
        {"fc00::/7", true},
        {"fd12:3456::/32", true},
        {"fe80::/10", true},
        {"fe80::/64", true},
        {"fec0::/10", false},
        {"ff00::/8", true},
        {"ff02::1/128", true},
        {"2a00:1450::/32", false},
        {"2600::/12", false},
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        struct net_prefix p = prefix(cases[i].p);
        ck_assert_msg(net_prefix_is_bogon(&p) == cases[i].bogon, "%s", cases[i].p);
    }
}
END_TEST

START_TEST(bogon_bad_family)
{
    struct net_prefix p;

    memset(&p, 0, sizeof(p));
    ck_assert(!net_prefix_is_bogon(&p));
}
END_TEST

/* ---- randomized round trips ---------------------------------------------------------------- */

static void
random_addr(uint64_t *seed, struct net_addr *a)
{
    uint64_t r = rnd(seed);
    int i;

    memset(a, 0, sizeof(*a));
    if (r & 1) {
        net_addr_set_v4(a, (uint32_t)(r >> 32));
        return;
    }
    a->family = NET_V6;
    for (i = 0; i < 16; i++)
        a->bytes[i] = (uint8_t)rnd(seed);
    /* Zero groups and the mapped prefix are where the formatting rules live. */
    for (i = 0; i < 8; i++) {
        if (rnd(seed) % 2 == 0)
            a->bytes[2 * i] = a->bytes[2 * i + 1] = 0;
    }
    if (r % 16 == 2) {
        memset(a->bytes, 0, 10);
        a->bytes[10] = a->bytes[11] = 0xff;
    }
}

START_TEST(random_addr_round_trip)
{
    uint64_t seed = 7;
    struct net_addr a, b;
    char buf[NET_ADDR_STRLEN];
    int i;

    for (i = 0; i < 100000; i++) {
        random_addr(&seed, &a);
        net_addr_format(&a, buf, sizeof(buf));
        EXPECT(net_addr_parse(buf, &b) == OCDN_OK, "%s", buf);
        EXPECT(net_addr_cmp(&a, &b) == 0, "%s", buf);
    }
}
END_TEST

START_TEST(random_prefix_round_trip)
{
    uint64_t seed = 11;
    struct net_addr a;
    struct net_prefix p, q;
    char buf[NET_PREFIX_STRLEN];
    int i;

    for (i = 0; i < 100000; i++) {
        random_addr(&seed, &a);
        net_prefix_from_addr(&a, (unsigned)(rnd(&seed) % (net_family_bits(a.family) + 1)), &p);
        net_prefix_format(&p, buf, sizeof(buf));
        EXPECT(net_prefix_parse(buf, &q) == OCDN_OK, "%s", buf);
        EXPECT(net_prefix_cmp(&p, &q) == 0, "%s", buf);
        EXPECT(net_prefix_contains(&p, &a), "%s", buf);
        EXPECT(net_prefix_covers(&p, &q), "%s", buf);
    }
}
END_TEST

/* inet_ntop() follows RFC 5952 too, except that glibc writes the deprecated IPv4-compatible
 * form (::192.0.2.1) that RFC 5952 section 5 does not recommend; skip those. */
START_TEST(random_format_agrees_with_inet_ntop)
{
    static const uint8_t zero12[12];
    uint64_t seed = 99;
    struct net_addr a;
    char ours[NET_ADDR_STRLEN], theirs[INET6_ADDRSTRLEN];
    int i, compared = 0;

    for (i = 0; i < 100000; i++) {
        random_addr(&seed, &a);
        if (a.family == NET_V6 && memcmp(a.bytes, zero12, 12) == 0)
            continue;
        net_addr_format(&a, ours, sizeof(ours));
        EXPECT(inet_ntop(a.family == NET_V4 ? AF_INET : AF_INET6, a.bytes, theirs,
                         sizeof(theirs)) != NULL,
               "inet_ntop");
        EXPECT(strcmp(ours, theirs) == 0, "ours=%s inet_ntop=%s", ours, theirs);
        compared++;
    }
    ck_assert_int_gt(compared, 90000);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("net");
    TCase *tc;

    tc = tcase_create("addr_parse");
    tcase_add_test(tc, addr_parse_valid);
    tcase_add_test(tc, addr_parse_v4_layout);
    tcase_add_test(tc, addr_parse_rejects_bad);
    tcase_add_test(tc, addr_parse_rejects_null);
    tcase_add_test(tc, addr_parse_agrees_with_inet_pton);
    suite_add_tcase(s, tc);

    tc = tcase_create("addr_format");
    tcase_add_test(tc, addr_format_rfc5952);
    tcase_add_test(tc, addr_format_small_buffer_truncates);
    tcase_add_test(tc, addr_format_bad_family);
    suite_add_tcase(s, tc);

    tc = tcase_create("prefix_parse");
    tcase_add_test(tc, prefix_parse_valid);
    tcase_add_test(tc, prefix_parse_rejects_bad);
    tcase_add_test(tc, prefix_parse_loose_masks_host_bits);
    tcase_add_test(tc, prefix_parse_loose_rejects_bad_syntax);
    tcase_add_test(tc, prefix_from_addr_clears_and_clamps);
    tcase_add_test(tc, family_bits_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("compare");
    tcase_add_test(tc, addr_cmp_total_order);
    tcase_add_test(tc, prefix_cmp_total_order);
    tcase_add_test(tc, prefix_contains_cases);
    tcase_add_test(tc, prefix_contains_rejects_invalid_struct);
    tcase_add_test(tc, prefix_covers_cases);
    tcase_add_test(tc, addr_v4_int_round_trip);
    tcase_add_test(tc, addr_is_loopback_cases);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostport");
    tcase_add_test(tc, hostport_parse_valid);
    tcase_add_test(tc, hostport_parse_rejects_bad);
    suite_add_tcase(s, tc);

    tc = tcase_create("bogon");
    tcase_add_test(tc, bogon_cases);
    tcase_add_test(tc, bogon_bad_family);
    suite_add_tcase(s, tc);

    tc = tcase_create("random");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, random_addr_round_trip);
    tcase_add_test(tc, random_prefix_round_trip);
    tcase_add_test(tc, random_format_agrees_with_inet_ntop);
    suite_add_tcase(s, tc);

    return run_suite(s);
}
