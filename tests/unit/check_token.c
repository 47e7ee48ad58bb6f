/* check_token.c - URL token signing and checking (known answers computed with the openssl
 * command line, field coverage, key rotation, expiry edges, kind separation, tampering),
 * the strict base64url codec, random bytes and SHA-256 hex. */
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define NOW          1790000000 /* 2026-09-21 */
#define TTL          (6 * 3600)

static void
test_key(uint8_t key[TOKEN_KEY_LEN], uint8_t first)
{
    int i;

    for (i = 0; i < TOKEN_KEY_LEN; i++)
        key[i] = (uint8_t)(first + i);
}

static struct token_fields
video_fields(void)
{
    struct token_fields f = {
        .kind = TOKEN_KIND_VIDEO,
        .host = "oca1.example.net",
        .o = "f123",
        .v = "42",
        .e = NOW,
    };
    return f;
}

static struct token_fields
speedtest_fields(void)
{
    struct token_fields f = {
        .kind = TOKEN_KIND_SPEEDTEST,
        .host = "st.example.net",
        .v = "7",
        .e = NOW,
        .c = "FR",
        .n = "3215",
    };
    return f;
}

/* ---- sign ---------------------------------------------------------------------------------- */

/* Expected tokens were produced independently with the openssl command line:
 *   K=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
 *   printf 'ocdn1\nvideo\noca1.example.net\nf123\n42\n1790000000\n\n' |
 *     openssl dgst -sha256 -mac HMAC -macopt hexkey:$K -binary | head -c 20 |
 *     base64 | tr '+/' '-_' | tr -d '='
 * and likewise for 'ocdn1\nspeedtest\nst.example.net\n\n7\n1790000000\nFR\n3215'. */
START_TEST(sign_known_answer_video)
{
    uint8_t key[TOKEN_KEY_LEN];
    struct token_fields f = video_fields();
    char tok[TOKEN_STRLEN];

    test_key(key, 0);
    ck_assert_int_eq(token_sign(key, &f, tok), OCDN_OK);
    ck_assert_str_eq(tok, "t0RDS_zzK8zrComzlyv0eTrycmM");
    ck_assert_uint_eq(strlen(tok), 27);
}
END_TEST

START_TEST(sign_known_answer_speedtest)
{
    uint8_t key[TOKEN_KEY_LEN];
    struct token_fields f = speedtest_fields();
    char tok[TOKEN_STRLEN];

    test_key(key, 0);
    ck_assert_int_eq(token_sign(key, &f, tok), OCDN_OK);
    ck_assert_str_eq(tok, "tjJOU0aSeaJo52Hs_Cd0UiZ0KcE");
}
END_TEST

START_TEST(sign_every_field_changes_token)
{
    uint8_t key[TOKEN_KEY_LEN], key2[TOKEN_KEY_LEN];
    struct token_fields base = speedtest_fields(), f;
    char want[TOKEN_STRLEN], tok[TOKEN_STRLEN];
    int i;

    test_key(key, 0);
    test_key(key2, 1);
    base.o = "f1";
    ck_assert_int_eq(token_sign(key, &base, want), OCDN_OK);
    for (i = 0; i < 9; i++) {
        const uint8_t *k = key;
        f = base;
        switch (i) {
        case 0:
            f.kind = TOKEN_KIND_VIDEO;
            break;
        case 1:
            f.kind = TOKEN_KIND_FILL;
            break;
        case 2:
            f.host = "st.example.org";
            break;
        case 3:
            f.o = "f2";
            break;
        case 4:
            f.v = "8";
            break;
        case 5:
            f.e = NOW + 1;
            break;
        case 6:
            f.c = "DE";
            break;
        case 7:
            f.n = "3216";
            break;
        case 8:
            k = key2;
            break;
        }
        ck_assert_int_eq(token_sign(k, &f, tok), OCDN_OK);
        ck_assert_msg(strcmp(tok, want) != 0, "change %d kept the token", i);
        /* And the changed request does not pass with the original token. */
        struct token_key tk = {.not_after = 0};
        memcpy(tk.key, k, TOKEN_KEY_LEN);
        ck_assert_int_eq(token_check(&tk, 1, &f, want, NOW, TTL), OCDN_EFORBIDDEN);
    }
}
END_TEST

START_TEST(sign_field_boundaries_matter)
{
    uint8_t key[TOKEN_KEY_LEN];
    struct token_fields a = video_fields(), b = video_fields();
    char ta[TOKEN_STRLEN], tb[TOKEN_STRLEN];

    /* Moving a character from one field to the next must change the token. */
    test_key(key, 0);
    a.o = "f12";
    a.v = "342";
    b.o = "f123";
    b.v = "42";
    ck_assert_int_eq(token_sign(key, &a, ta), OCDN_OK);
    ck_assert_int_eq(token_sign(key, &b, tb), OCDN_OK);
    ck_assert_str_ne(ta, tb);
}
END_TEST

START_TEST(sign_null_field_is_empty)
{
    uint8_t key[TOKEN_KEY_LEN];
    struct token_fields a = video_fields(), b = video_fields();
    char ta[TOKEN_STRLEN], tb[TOKEN_STRLEN];

    test_key(key, 0);
    a.c = NULL;
    b.c = "";
    ck_assert_int_eq(token_sign(key, &a, ta), OCDN_OK);
    ck_assert_int_eq(token_sign(key, &b, tb), OCDN_OK);
    ck_assert_str_eq(ta, tb);
}
END_TEST

START_TEST(sign_field_max_length)
{
    uint8_t key[TOKEN_KEY_LEN];
    struct token_fields f = speedtest_fields();
    char longest[TOKEN_FIELD_MAX + 1], tok[TOKEN_STRLEN];

    test_key(key, 0);
    memset(longest, 'a', TOKEN_FIELD_MAX);
    longest[TOKEN_FIELD_MAX] = '\0';
    f.host = f.o = f.v = f.c = f.n = longest;
    f.kind = TOKEN_KIND_SPEEDTEST;
    f.e = INT64_MAX;
    ck_assert_int_eq(token_sign(key, &f, tok), OCDN_OK);
    ck_assert_uint_eq(strlen(tok), 27);
}
END_TEST

START_TEST(sign_rejects_bad_fields)
{
    uint8_t key[TOKEN_KEY_LEN];
    struct token_fields f;
    char toolong[TOKEN_FIELD_MAX + 2], tok[TOKEN_STRLEN];
    const char *bad[] = {"a\nb", "\n", "x\n", toolong};
    size_t i, field;

    test_key(key, 0);
    memset(toolong, 'a', TOKEN_FIELD_MAX + 1);
    toolong[TOKEN_FIELD_MAX + 1] = '\0';
    for (i = 0; i < ARRAY_LEN(bad); i++) {
        for (field = 0; field < 5; field++) {
            f = speedtest_fields();
            const char **p[] = {&f.host, &f.o, &f.v, &f.c, &f.n};
            *p[field] = bad[i];
            memset(tok, 'x', sizeof(tok));
            ck_assert_msg(token_sign(key, &f, tok) == OCDN_EINVAL, "field %zu value %zu", field, i);
            ck_assert_int_eq(tok[0], '\0');
        }
    }
    f = video_fields();
    f.kind = 0;
    ck_assert_int_eq(token_sign(key, &f, tok), OCDN_EINVAL);
    f.kind = TOKEN_KIND_FILL + 1;
    ck_assert_int_eq(token_sign(key, &f, tok), OCDN_EINVAL);
    f = video_fields();
    f.e = -1;
    ck_assert_int_eq(token_sign(key, &f, tok), OCDN_EINVAL);
}
END_TEST

/* ---- check --------------------------------------------------------------------------------- */

START_TEST(check_valid_token)
{
    struct token_key k = {.not_after = 0};
    struct token_fields f = video_fields();
    char tok[TOKEN_STRLEN];

    test_key(k.key, 0);
    ck_assert_int_eq(token_sign(k.key, &f, tok), OCDN_OK);
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW - 60, TTL), OCDN_OK);
    ck_assert_int_eq(token_check(&k, 1, &f, "t0RDS_zzK8zrComzlyv0eTrycmM", NOW - 60, TTL), OCDN_OK);
}
END_TEST

START_TEST(check_key_rotation)
{
    struct token_key keys[2];
    struct token_fields f = video_fields();
    char old_tok[TOKEN_STRLEN], new_tok[TOKEN_STRLEN];
    int64_t now = NOW - 600;

    test_key(keys[0].key, 100); /* new key, no limit */
    keys[0].not_after = 0;
    test_key(keys[1].key, 0); /* old key, being retired */
    ck_assert_int_eq(token_sign(keys[1].key, &f, old_tok), OCDN_OK);
    ck_assert_int_eq(token_sign(keys[0].key, &f, new_tok), OCDN_OK);

    keys[1].not_after = now + 100;
    ck_assert_int_eq(token_check(keys, 2, &f, old_tok, now, TTL), OCDN_OK);
    ck_assert_int_eq(token_check(keys, 2, &f, new_tok, now, TTL), OCDN_OK);
    keys[1].not_after = now; /* the last second it is valid */
    ck_assert_int_eq(token_check(keys, 2, &f, old_tok, now, TTL), OCDN_OK);
    keys[1].not_after = now - 1;
    ck_assert_int_eq(token_check(keys, 2, &f, old_tok, now, TTL), OCDN_EFORBIDDEN);
    ck_assert_int_eq(token_check(keys, 2, &f, new_tok, now, TTL), OCDN_OK);
    /* The order of the keys does not matter. */
    ck_assert_int_eq(token_check(keys + 1, 1, &f, new_tok, now, TTL), OCDN_EFORBIDDEN);
    keys[0].not_after = now - 1;
    ck_assert_int_eq(token_check(keys, 2, &f, new_tok, now, TTL), OCDN_EFORBIDDEN);
}
END_TEST

START_TEST(check_expiry_edges)
{
    struct token_key k = {.not_after = 0};
    struct token_fields f = video_fields();
    char tok[TOKEN_STRLEN];

    test_key(k.key, 0);
    ck_assert_int_eq(token_sign(k.key, &f, tok), OCDN_OK);
    /* e == now is still valid, one second later it is not. */
    ck_assert_int_eq(token_check(&k, 1, &f, tok, f.e, TTL), OCDN_OK);
    ck_assert_int_eq(token_check(&k, 1, &f, tok, f.e + 1, TTL), OCDN_EFORBIDDEN);
    /* e at most max_ttl_s ahead. */
    ck_assert_int_eq(token_check(&k, 1, &f, tok, f.e - TTL, TTL), OCDN_OK);
    ck_assert_int_eq(token_check(&k, 1, &f, tok, f.e - TTL - 1, TTL), OCDN_EFORBIDDEN);
    ck_assert_int_eq(token_check(&k, 1, &f, tok, f.e, 0), OCDN_OK);
    ck_assert_int_eq(token_check(&k, 1, &f, tok, f.e - 1, 0), OCDN_EFORBIDDEN);
}
END_TEST

START_TEST(check_expired_by_one_second)
{
    struct token_key k = {.not_after = 0};
    struct token_fields f = video_fields();
    char tok[TOKEN_STRLEN];

    test_key(k.key, 0);
    f.e = NOW - 1;
    ck_assert_int_eq(token_sign(k.key, &f, tok), OCDN_OK);
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW, TTL), OCDN_EFORBIDDEN);
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW - 1, TTL), OCDN_OK);
}
END_TEST

START_TEST(check_ttl_overflow_is_safe)
{
    struct token_key k = {.not_after = 0};
    struct token_fields f = video_fields();
    char tok[TOKEN_STRLEN];

    test_key(k.key, 0);
    f.e = INT64_MAX;
    ck_assert_int_eq(token_sign(k.key, &f, tok), OCDN_OK);
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW, INT64_MAX), OCDN_OK);
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW, TTL), OCDN_EFORBIDDEN);
}
END_TEST

START_TEST(check_kind_separation)
{
    struct token_key k = {.not_after = 0};
    struct token_fields f = speedtest_fields();
    char tok[TOKEN_STRLEN];

    test_key(k.key, 0);
    ck_assert_int_eq(token_sign(k.key, &f, tok), OCDN_OK);
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW, TTL), OCDN_OK);
    f.kind = TOKEN_KIND_VIDEO;
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW, TTL), OCDN_EFORBIDDEN);
    f.kind = TOKEN_KIND_FILL;
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW, TTL), OCDN_EFORBIDDEN);
}
END_TEST

START_TEST(check_wrong_key)
{
    struct token_key k = {.not_after = 0}, other = {.not_after = 0};
    struct token_fields f = video_fields();
    char tok[TOKEN_STRLEN];

    test_key(k.key, 0);
    test_key(other.key, 0);
    other.key[TOKEN_KEY_LEN - 1] ^= 1;
    ck_assert_int_eq(token_sign(k.key, &f, tok), OCDN_OK);
    ck_assert_int_eq(token_check(&other, 1, &f, tok, NOW, TTL), OCDN_EFORBIDDEN);
    ck_assert_int_eq(token_check(&k, 0, &f, tok, NOW, TTL), OCDN_EFORBIDDEN);
    ck_assert_int_eq(token_check(NULL, 0, &f, tok, NOW, TTL), OCDN_EFORBIDDEN);
}
END_TEST

/* Every single-character change anywhere in the token is refused: either as a bad MAC or,
 * in the last character, as non-zero padding bits. */
START_TEST(check_tampered_character)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    struct token_key k = {.not_after = 0};
    struct token_fields f = video_fields();
    char tok[TOKEN_STRLEN], bad[TOKEN_STRLEN];
    size_t pos, c;
    enum ocdn_err err;
    int forbidden = 0;

    test_key(k.key, 0);
    ck_assert_int_eq(token_sign(k.key, &f, tok), OCDN_OK);
    for (pos = 0; pos < 27; pos++) {
        for (c = 0; c < 64; c++) {
            if (alphabet[c] == tok[pos])
                continue;
            memcpy(bad, tok, sizeof(bad));
            bad[pos] = alphabet[c];
            err = token_check(&k, 1, &f, bad, NOW, TTL);
            if (err != OCDN_EFORBIDDEN && err != OCDN_EINVAL)
                ck_abort_msg("tampered token at %zu accepted: %s", pos, ocdn_err_str(err));
            forbidden += err == OCDN_EFORBIDDEN;
        }
    }
    /* The last character carries 4 MAC bits and 2 padding bits: 15 of its 63 changes decode
     * and fail the MAC, 48 set padding bits and are malformed. */
    ck_assert_int_eq(forbidden, 26 * 63 + 15);
}
END_TEST

START_TEST(check_rejects_malformed_token)
{
    struct token_key k = {.not_after = 0};
    struct token_fields f = video_fields();
    const char *bad[] = {
        "",
        "t0RDS_zzK8zrComzlyv0eTrycm",   /* 26 */
        "t0RDS_zzK8zrComzlyv0eTrycmMA", /* 28 */
        "t0RDS_zzK8zrComzlyv0eTrycmM=",
        "t0RDS/zzK8zrComzlyv0eTrycmM",
        "t0RDS+zzK8zrComzlyv0eTrycmM",
        "t0RDS zzK8zrComzlyv0eTrycmM",
        "t0RDS.zzK8zrComzlyv0eTrycmM",
        "t0RDS_zzK8zrComzlyv0eTrycm=",
        "t0RDS_zzK8zrComzlyv0eTrycmN", /* non-zero padding bits */
        "t0RDS_zzK8zrComzlyv0eTrycmM t0RDS_zzK8zrComzlyv0eTrycmM",
    };
    size_t i;

    test_key(k.key, 0);
    for (i = 0; i < ARRAY_LEN(bad); i++)
        ck_assert_msg(token_check(&k, 1, &f, bad[i], NOW, TTL) == OCDN_EINVAL, "%s", bad[i]);
    ck_assert_int_eq(token_check(&k, 1, &f, NULL, NOW, TTL), OCDN_EINVAL);
}
END_TEST

START_TEST(check_rejects_bad_arguments)
{
    struct token_key k = {.not_after = 0};
    struct token_fields f = video_fields();
    char toolong[TOKEN_FIELD_MAX + 2];
    const char *tok = "t0RDS_zzK8zrComzlyv0eTrycmM";

    test_key(k.key, 0);
    ck_assert_int_eq(token_check(NULL, 1, &f, tok, NOW, TTL), OCDN_EINVAL);
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW, -1), OCDN_EINVAL);
    f.host = "oca1.example.net\n";
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW, TTL), OCDN_EINVAL);
    f = video_fields();
    memset(toolong, 'a', sizeof(toolong) - 1);
    toolong[sizeof(toolong) - 1] = '\0';
    f.o = toolong;
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW, TTL), OCDN_EINVAL);
    f = video_fields();
    f.kind = 77;
    ck_assert_int_eq(token_check(&k, 1, &f, tok, NOW, TTL), OCDN_EINVAL);
}
END_TEST

/* ---- base64url ----------------------------------------------------------------------------- */

START_TEST(base64url_encode_vectors)
{
    /* RFC 4648 section 10 without padding, plus the two URL-safe characters. */
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"f", "Zg"},
        {"fo", "Zm8"},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg"},
        {"fooba", "Zm9vYmE"},
        {"foobar", "Zm9vYmFy"},
        {"\xfb\xff", "-_8"},
        {"\xff\xff\xff", "____"},
    };
    char out[16];
    uint8_t back[16];
    size_t i, n;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        n = strlen(cases[i].in);
        ck_assert_uint_eq(base64url_encode((const uint8_t *)cases[i].in, n, out),
                          strlen(cases[i].out));
        ck_assert_str_eq(out, cases[i].out);
        ck_assert_int_eq(base64url_decode(cases[i].out, back, sizeof(back), &n), OCDN_OK);
        ck_assert_uint_eq(n, strlen(cases[i].in));
        ck_assert_int_eq(memcmp(back, cases[i].in, n), 0);
    }
}
END_TEST

START_TEST(base64url_round_trip_all_lengths)
{
    uint8_t in[64], back[64];
    char enc[4 * ((sizeof(in) + 2) / 3) + 1];
    size_t n, len, got;
    unsigned x = 12345;

    for (n = 0; n <= sizeof(in); n++) {
        for (len = 0; len < n; len++) {
            x = x * 1103515245u + 12345u;
            in[len] = (uint8_t)(x >> 16);
        }
        len = base64url_encode(in, n, enc);
        ck_assert_uint_eq(len, (4 * n + 2) / 3);
        ck_assert_uint_eq(strlen(enc), len);
        ck_assert_int_eq(base64url_decode(enc, back, n, &got), OCDN_OK);
        ck_assert_uint_eq(got, n);
        ck_assert_int_eq(memcmp(in, back, n), 0);
    }
}
END_TEST

START_TEST(base64url_decode_rejects_bad)
{
    static const char *const cases[] = {
        "Z",   "Zg==",   "Zg=",   "Zm8=",     "Zm9vY",  "+/8",      "-_8=",
        "a b", "Zm9v\n", "Zm9v ", "=Zm9",     "Zm 9v",  "Zm9vYg==", "Zh",
        "Zm9", "____Z",  "Zm9v.", "\xc3\xa9", "Zg\x01", "ZmZmZ",
    };
    uint8_t out[32];
    size_t i, n;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        n = 99;
        ck_assert_msg(base64url_decode(cases[i], out, sizeof(out), &n) == OCDN_EINVAL, "%s",
                      cases[i]);
        ck_assert_uint_eq(n, 0);
    }
    ck_assert_int_eq(base64url_decode(NULL, out, sizeof(out), &n), OCDN_EINVAL);
}
END_TEST

START_TEST(base64url_decode_respects_outcap)
{
    uint8_t out[8];
    size_t n = 99;

    ck_assert_int_eq(base64url_decode("Zm9vYmFy", out, 5, &n), OCDN_ETOOBIG);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(base64url_decode("Zm9vYmFy", out, 6, &n), OCDN_OK);
    ck_assert_uint_eq(n, 6);
    ck_assert_int_eq(base64url_decode("Zm9vYmE", out, 4, &n), OCDN_ETOOBIG);
    ck_assert_int_eq(base64url_decode("Zm9vYmE", out, 5, &n), OCDN_OK);
    ck_assert_int_eq(base64url_decode("", NULL, 0, &n), OCDN_OK);
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- random, equal, sha256 ------------------------------------------------------------------ */

START_TEST(random_fills_bytes)
{
    uint8_t a[32], b[32];
    static const uint8_t zero[32];

    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    ck_assert_int_eq(token_random(a, sizeof(a)), OCDN_OK);
    ck_assert_int_eq(token_random(b, sizeof(b)), OCDN_OK);
    /* 2^-256 chance of a false failure. */
    ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);
    ck_assert_int_ne(memcmp(a, zero, sizeof(a)), 0);
    ck_assert_int_eq(token_random(a, 0), OCDN_OK);
}
END_TEST

START_TEST(equal_cases)
{
    ck_assert(token_equal("abcd", "abcd", 4));
    ck_assert(!token_equal("abcd", "abce", 4));
    ck_assert(!token_equal("xbcd", "abcd", 4));
    ck_assert(token_equal("abcd", "abce", 3));
    ck_assert(token_equal("", "", 0));
}
END_TEST

START_TEST(sha256_hex_vectors)
{
    char hex[65];

    token_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    token_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("token");
    TCase *tc;

    tc = tcase_create("sign");
    tcase_add_test(tc, sign_known_answer_video);
    tcase_add_test(tc, sign_known_answer_speedtest);
    tcase_add_test(tc, sign_every_field_changes_token);
    tcase_add_test(tc, sign_field_boundaries_matter);
    tcase_add_test(tc, sign_null_field_is_empty);
    tcase_add_test(tc, sign_field_max_length);
    tcase_add_test(tc, sign_rejects_bad_fields);
    suite_add_tcase(s, tc);

    tc = tcase_create("check");
    tcase_add_test(tc, check_valid_token);
    tcase_add_test(tc, check_key_rotation);
    tcase_add_test(tc, check_expiry_edges);
    tcase_add_test(tc, check_expired_by_one_second);
    tcase_add_test(tc, check_ttl_overflow_is_safe);
    tcase_add_test(tc, check_kind_separation);
    tcase_add_test(tc, check_wrong_key);
    tcase_add_test(tc, check_tampered_character);
    tcase_add_test(tc, check_rejects_malformed_token);
    tcase_add_test(tc, check_rejects_bad_arguments);
    suite_add_tcase(s, tc);

    tc = tcase_create("base64url");
    tcase_add_test(tc, base64url_encode_vectors);
    tcase_add_test(tc, base64url_round_trip_all_lengths);
    tcase_add_test(tc, base64url_decode_rejects_bad);
    tcase_add_test(tc, base64url_decode_respects_outcap);
    suite_add_tcase(s, tc);

    tc = tcase_create("util");
    tcase_add_test(tc, random_fills_bytes);
    tcase_add_test(tc, equal_cases);
    tcase_add_test(tc, sha256_hex_vectors);
    suite_add_tcase(s, tc);

    return run_suite(s);
}
