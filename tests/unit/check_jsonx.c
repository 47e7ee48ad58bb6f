/* check_jsonx.c - tests of the bounded JSON parser and the typed getters (common/jsonx.c). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jsonx.h"
#include "testutil.h"

static struct arena *arena;
static const char *msg;

static const char *const SENTINEL = "untouched";

static void
setup(void)
{
    arena = arena_new(64 * 1024);
    ck_assert_ptr_nonnull(arena);
    msg = SENTINEL;
}

static void
teardown(void)
{
    arena_free(arena);
    arena = NULL;
}

static enum ocdn_err
parse(const char *body, size_t max_depth, json_t **out)
{
    return jsonx_parse(body, strlen(body), 1 << 20, max_depth, out, arena, &msg);
}

/* A parsed object that the test must json_decref(). */
static json_t *
obj_of(const char *body)
{
    json_t *j = NULL;

    ck_assert_msg(parse(body, JSONX_DEPTH_DEFAULT, &j) == OCDN_OK, "%s: %s", body, msg);
    return j;
}

/* "[[[...1...]]]" with n brackets on each side; caller frees. */
static char *
nested(size_t n, char open, char close)
{
    char *s = malloc(2 * n + 2);
    size_t i;

    ck_assert_ptr_nonnull(s);
    for (i = 0; i < n; i++) {
        s[i] = open;
        s[n + 1 + i] = close;
    }
    s[n] = '1';
    s[2 * n + 1] = '\0';
    return s;
}

/* ---- jsonx_parse --------------------------------------------------------------------------- */

START_TEST(parse_object_ok)
{
    json_t *j = (json_t *)1;

    ck_assert_int_eq(parse("{\"a\": [1, 2, {\"b\": \"c\"}]}\n", 16, &j), OCDN_OK);
    ck_assert(json_is_object(j));
    ck_assert_ptr_eq(msg, SENTINEL);
    json_decref(j);
}
END_TEST

START_TEST(parse_any_value_accepted)
{
    static const char *const bodies[] = {"42", "\"x\"", "null", "true", "[]", "{}", " 1.5 "};
    json_t *j;
    size_t i;

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        j = NULL;
        ck_assert_msg(parse(bodies[i], 16, &j) == OCDN_OK, "%s: %s", bodies[i], msg);
        ck_assert_ptr_nonnull(j);
        json_decref(j);
    }
}
END_TEST

START_TEST(parse_size_limit_exact)
{
    const char *body = "{\"a\":1}"; /* 7 bytes */
    json_t *j = NULL;

    ck_assert_int_eq(jsonx_parse(body, 7, 7, 16, &j, arena, &msg), OCDN_OK);
    json_decref(j);
    j = (json_t *)1;
    ck_assert_int_eq(jsonx_parse(body, 7, 6, 16, &j, arena, &msg), OCDN_ETOOBIG);
    ck_assert_ptr_null(j);
    ck_assert_str_eq(msg, "body: larger than 6 bytes");
}
END_TEST

START_TEST(parse_empty_rejected)
{
    json_t *j = (json_t *)1;

    ck_assert_int_eq(jsonx_parse("", 0, 100, 16, &j, arena, &msg), OCDN_EINVAL);
    ck_assert_ptr_null(j);
    ck_assert_str_eq(msg, "body: empty");
    ck_assert_int_eq(jsonx_parse(NULL, 0, 100, 16, &j, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: empty");
    ck_assert_int_eq(parse("   ", 16, &j), OCDN_EINVAL);
    ck_assert_ptr_nonnull(strstr(msg, "body: invalid JSON: "));
}
END_TEST

START_TEST(parse_depth_at_limit_and_one_over)
{
    static const char opens[] = "[{";
    size_t limit;
    int k;

    for (k = 0; k < 2; k++) {
        for (limit = 1; limit <= 20; limit++) {
            char *ok, *over;
            json_t *j = NULL;

            if (opens[k] == '[') {
                ok = nested(limit, '[', ']');
                over = nested(limit + 1, '[', ']');
            } else {
                /* {"a":{"a":...1...}} */
                size_t i;

                ok = calloc(1, 6 * (limit + 2) + 2);
                over = calloc(1, 6 * (limit + 2) + 2);
                ck_assert_ptr_nonnull(ok);
                ck_assert_ptr_nonnull(over);
                for (i = 0; i < limit; i++)
                    strcat(ok, "{\"a\":");
                strcat(ok, "1");
                for (i = 0; i < limit; i++)
                    strcat(ok, "}");
                strcpy(over, "{\"a\":");
                strcat(over, ok);
                strcat(over, "}");
            }
            ck_assert_msg(parse(ok, limit, &j) == OCDN_OK, "depth %zu: %s", limit, msg);
            json_decref(j);
            j = (json_t *)1;
            ck_assert_int_eq(parse(over, limit, &j), OCDN_EINVAL);
            ck_assert_ptr_null(j);
            ck_assert_str_eq(msg,
                             arena_printf(arena, "body: nested deeper than %zu levels", limit));
            free(ok);
            free(over);
        }
    }
}
END_TEST

START_TEST(parse_depth_default)
{
    char *ok = nested(JSONX_DEPTH_DEFAULT, '[', ']');
    char *over = nested(JSONX_DEPTH_DEFAULT + 1, '[', ']');
    json_t *j = NULL;

    ck_assert_int_eq(parse(ok, JSONX_DEPTH_DEFAULT, &j), OCDN_OK);
    json_decref(j);
    ck_assert_int_eq(parse(over, JSONX_DEPTH_DEFAULT, &j), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: nested deeper than 16 levels");
    free(ok);
    free(over);
}
END_TEST

START_TEST(parse_depth_zero_allows_scalars_only)
{
    json_t *j = NULL;

    ck_assert_int_eq(parse("\"[{\"", 0, &j), OCDN_OK);
    json_decref(j);
    ck_assert_int_eq(parse("[]", 0, &j), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: nested deeper than 0 levels");
}
END_TEST

/* 100k open brackets (and no closing ones): refused by the pre-scan, so the message is ours,
 * not jansson's "maximum parsing depth reached", and nothing recursed. */
START_TEST(parse_deep_attack_rejected_by_prescan)
{
    size_t n = 100000;
    char *body = malloc(n);
    json_t *j = (json_t *)1;

    ck_assert_ptr_nonnull(body);
    memset(body, '[', n);
    ck_assert_int_eq(jsonx_parse(body, n, n, JSONX_DEPTH_DEFAULT, &j, arena, &msg), OCDN_EINVAL);
    ck_assert_ptr_null(j);
    ck_assert_str_eq(msg, "body: nested deeper than 16 levels");
    memset(body, '{', n);
    ck_assert_int_eq(jsonx_parse(body, n, n, JSONX_DEPTH_DEFAULT, &j, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: nested deeper than 16 levels");
    free(body);
}
END_TEST

START_TEST(parse_brackets_in_strings_do_not_count)
{
    /* Each of these has depth 1 outside strings. A scanner that ends a string at \" or keeps
     * it open after \\ counts the brackets in the strings. */
    static const char *const ok[] = {
        "[\"[[[[[[[[\"]",       "[\"\\\"[[[[[[\", \"\\\\\", \"]]]]\"]",
        "[\"\\\\\", \"[[[[\"]", "{\"a\\\"{{{\": \"}}}{{{{\"}",
        "[\"\\\\\\\"[[[[\"]",   "[\"\\u005b\\u007b\"]",
    };
    json_t *j;
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        j = NULL;
        ck_assert_msg(parse(ok[i], 1, &j) == OCDN_OK, "%s: %s", ok[i], msg);
        json_decref(j);
    }
    /* After such strings, real brackets still count. */
    ck_assert_int_eq(parse("[\"\\\\\", [[1]]]", 2, &j), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: nested deeper than 2 levels");
    ck_assert_int_eq(parse("[\"\\\"]\", [[1]]]", 2, &j), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: nested deeper than 2 levels");
}
END_TEST

struct bad_body {
    const char *body;
    size_t len;       /* 0: strlen */
    const char *part; /* expected in the message */
};

static const struct bad_body bad_bodies[] = {
    {"{\"a\":1,\"a\":2}", 0, "duplicate object key"},
    {"{\"a\":{\"b\":1,\"b\":1}}", 0, "duplicate object key"},
    {"{\"a\":1} x", 0, "end of file expected"},
    {"{} {}", 0, "end of file expected"},
    {"[1]]", 0, "end of file expected"},
    {"[\"\xff\"]", 0, "unable to decode byte 0xff"},
    {"[\"\xc0\xaf\"]", 0, "unable to decode byte 0xc0"},
    {"[\"\xe2\x82\"]", 0, "unable to decode byte 0xe2"},
    {"[\"\xed\xa0\x80\"]", 0, "unable to decode byte 0xed"},
    {"{\"k\xff\":1}", 0, "unable to decode byte 0xff"},
    {"[\xff]", 0, "invalid JSON"},
    {"[\"a\\u0000b\"]", 0, "\\u0000 is not allowed"},
    {"{\"a\\u0000\":1}", 0, "NUL byte in object key not supported"},
    {"[\"a\0b\"]", 7, "control character"},
    {"{}\0", 3, "end of file expected"},
    {"\0{}", 3, "invalid JSON"},
    {"{\"a\":}", 0, "line 1, column 6"},
    {"[1,]", 0, "invalid JSON"},
    {"{'a':1}", 0, "invalid JSON"},
    {"[01]", 0, "invalid JSON"},
    {"[NaN]", 0, "invalid JSON"},
    {"[1e999]", 0, "real number overflow"},
    {"[99999999999999999999]", 0, "too big integer"},
    {"[\"abc", 0, "premature end of input"},
    {"[\"\\x41\"]", 0, "invalid escape"},
    {"[\"\\ud800\"]", 0, "invalid Unicode"},
    {"[\"tab\there\"]", 0, "control character"},
    /* jansson quotes the text near the error; non-ASCII in it is masked. */
    {"[\"caf\xc3\xa9", 0, "near '\"caf?\?'"},
};

START_TEST(parse_bad_bodies_rejected)
{
    const struct bad_body *b = &bad_bodies[_i];
    size_t len = b->len ? b->len : strlen(b->body);
    json_t *j = (json_t *)1;
    const char *p;

    ck_assert_int_eq(jsonx_parse(b->body, len, 1024, 16, &j, arena, &msg), OCDN_EINVAL);
    ck_assert_ptr_null(j);
    ck_assert_msg(strstr(msg, b->part) != NULL, "%s: message '%s' lacks '%s'", b->body, msg,
                  b->part);
    ck_assert_msg(strncmp(msg, "body: ", 6) == 0, "%s", msg);
    for (p = msg; *p; p++)
        ck_assert_msg(*p >= 0x20 && *p < 0x7f, "unprintable byte in '%s'", msg);
}
END_TEST

START_TEST(parse_error_names_position)
{
    json_t *j;

    ck_assert_int_eq(parse("{\n  \"a\": tru\n}", 16, &j), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: invalid JSON: invalid token near 'tru' (line 2, column 10, "
                          "byte 12)");
}
END_TEST

START_TEST(parse_valid_utf8_accepted)
{
    json_t *j = NULL;

    ck_assert_int_eq(parse("[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xac\"]", 16, &j), OCDN_OK);
    json_decref(j);
}
END_TEST

/* ---- getters ------------------------------------------------------------------------------- */

static const char *const DOC = "{\"s\":\"abc\",\"e\":\"\",\"u\":\"\xc3\xa9\",\"i\":42,\"neg\":-5,"
                               "\"r\":1.5,\"ri\":2.0,\"t\":true,\"f\":false,\"n\":null,"
                               "\"a\":[1,2,3],\"ea\":[],\"o\":{\"x\":1},"
                               "\"max\":9223372036854775807,\"min\":-9223372036854775808,"
                               "\"kind\":\"maintenance\",\"Kind\":\"Drain\"}";

START_TEST(str_present)
{
    json_t *o = obj_of(DOC);
    const char *s = NULL;

    ck_assert_int_eq(jsonx_get_str(o, "s", true, 1, 64, &s, arena, &msg), OCDN_OK);
    ck_assert_str_eq(s, "abc");
    ck_assert_ptr_eq(s, json_string_value(json_object_get(o, "s"))); /* borrowed */
    ck_assert_ptr_eq(msg, SENTINEL);
    json_decref(o);
}
END_TEST

START_TEST(str_missing)
{
    json_t *o = obj_of(DOC);
    const char *s = SENTINEL;

    ck_assert_int_eq(jsonx_get_str(o, "zz", false, 1, 64, &s, arena, &msg), OCDN_OK);
    ck_assert_ptr_eq(s, SENTINEL);
    ck_assert_ptr_eq(msg, SENTINEL);
    ck_assert_int_eq(jsonx_get_str(o, "zz", true, 1, 64, &s, arena, &msg), OCDN_EINVAL);
    ck_assert_ptr_eq(s, SENTINEL);
    ck_assert_str_eq(msg, "field 'zz': missing, must be a string of 1..64 bytes");
    json_decref(o);
}
END_TEST

struct type_case {
    const char *key;
    const char *type;
};

/* Every JSON type under a key, with the name the messages use. */
static const struct type_case type_cases[] = {
    {"s", "a string"},  {"i", "an integer"}, {"r", "a real number"}, {"t", "a boolean"},
    {"f", "a boolean"}, {"n", "null"},       {"a", "an array"},      {"o", "an object"},
};
#define NTYPES ((int)(sizeof(type_cases) / sizeof(type_cases[0])))

START_TEST(wrong_types_rejected)
{
    const struct type_case *c = &type_cases[_i];
    json_t *o = obj_of(DOC), *jv = (json_t *)1;
    const char *s = SENTINEL;
    int64_t i = 7;
    double d = 7.0;
    bool b = true;
    int idx = 7;
    const char *const choices[] = {"x", "y", NULL};
    char want[256];

    if (strcmp(c->type, "a string") != 0) {
        ck_assert_int_eq(jsonx_get_str(o, c->key, true, 0, 9, &s, arena, &msg), OCDN_EINVAL);
        snprintf(want, sizeof(want), "field '%s': must be a string of at most 9 bytes, not %s",
                 c->key, c->type);
        ck_assert_str_eq(msg, want);
        ck_assert_ptr_eq(s, SENTINEL);
        /* Optional does not relax the type. */
        ck_assert_int_eq(jsonx_get_str(o, c->key, false, 0, 9, &s, arena, &msg), OCDN_EINVAL);
        ck_assert_int_eq(jsonx_get_enum(o, c->key, true, choices, &idx, arena, &msg), OCDN_EINVAL);
        snprintf(want, sizeof(want), "field '%s': must be a string, one of 'x', 'y', not %s",
                 c->key, c->type);
        ck_assert_str_eq(msg, want);
        ck_assert_int_eq(idx, 7);
    }
    if (strcmp(c->type, "an integer") != 0) {
        ck_assert_int_eq(jsonx_get_int(o, c->key, false, 0, 9, &i, arena, &msg), OCDN_EINVAL);
        snprintf(want, sizeof(want), "field '%s': must be an integer in 0..9, not %s", c->key,
                 c->type);
        ck_assert_str_eq(msg, want);
        ck_assert_int_eq(i, 7);
    }
    if (strcmp(c->type, "an integer") != 0 && strcmp(c->type, "a real number") != 0) {
        ck_assert_int_eq(jsonx_get_real(o, c->key, false, 0, 9, &d, arena, &msg), OCDN_EINVAL);
        snprintf(want, sizeof(want), "field '%s': must be a number in 0..9, not %s", c->key,
                 c->type);
        ck_assert_str_eq(msg, want);
        ck_assert(d == 7.0);
    }
    if (strcmp(c->type, "a boolean") != 0) {
        ck_assert_int_eq(jsonx_get_bool(o, c->key, false, &b, arena, &msg), OCDN_EINVAL);
        snprintf(want, sizeof(want), "field '%s': must be a boolean, not %s", c->key, c->type);
        ck_assert_str_eq(msg, want);
        ck_assert(b);
    }
    if (strcmp(c->type, "an array") != 0) {
        ck_assert_int_eq(jsonx_get_array(o, c->key, false, 5, &jv, arena, &msg), OCDN_EINVAL);
        snprintf(want, sizeof(want), "field '%s': must be an array of at most 5 items, not %s",
                 c->key, c->type);
        ck_assert_str_eq(msg, want);
        ck_assert_ptr_eq(jv, (json_t *)1);
    }
    if (strcmp(c->type, "an object") != 0) {
        ck_assert_int_eq(jsonx_get_object(o, c->key, false, &jv, arena, &msg), OCDN_EINVAL);
        snprintf(want, sizeof(want), "field '%s': must be an object, not %s", c->key, c->type);
        ck_assert_str_eq(msg, want);
        ck_assert_ptr_eq(jv, (json_t *)1);
    }
    json_decref(o);
}
END_TEST

START_TEST(str_length_bounds)
{
    json_t *o = obj_of(DOC);
    const char *s = SENTINEL;

    ck_assert_int_eq(jsonx_get_str(o, "s", true, 3, 3, &s, arena, &msg), OCDN_OK);
    ck_assert_str_eq(s, "abc");
    s = SENTINEL;
    ck_assert_int_eq(jsonx_get_str(o, "s", true, 4, 10, &s, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 's': must be a string of 4..10 bytes, got 3 bytes");
    ck_assert_int_eq(jsonx_get_str(o, "s", true, 1, 2, &s, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 's': must be a string of 1..2 bytes, got 3 bytes");
    ck_assert_ptr_eq(s, SENTINEL);
    /* Empty: fine with minlen 0 only. */
    ck_assert_int_eq(jsonx_get_str(o, "e", true, 0, 2, &s, arena, &msg), OCDN_OK);
    ck_assert_str_eq(s, "");
    ck_assert_int_eq(jsonx_get_str(o, "e", true, 1, 2, &s, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'e': must be a string of 1..2 bytes, got 0 bytes");
    /* Bytes, not characters. */
    ck_assert_int_eq(jsonx_get_str(o, "u", true, 0, 1, &s, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'u': must be a string of at most 1 bytes, got 2 bytes");
    json_decref(o);
}
END_TEST

START_TEST(str_embedded_nul_rejected)
{
    json_t *o = json_object();
    const char *s = SENTINEL;

    /* The parser refuses \u0000; an object built in code can still hold one. */
    ck_assert_int_eq(json_object_set_new(o, "s", json_stringn("a\0b", 3)), 0);
    ck_assert_int_eq(jsonx_get_str(o, "s", true, 0, 64, &s, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 's': must not contain NUL bytes");
    ck_assert_ptr_eq(s, SENTINEL);
    json_decref(o);
}
END_TEST

START_TEST(getters_need_an_object)
{
    json_t *arr = obj_of("[1]");
    const char *s = SENTINEL;
    int64_t i = 7;
    double d = 7;
    bool b = false;
    json_t *jv = NULL;
    int idx = 7;
    const char *const choices[] = {"x", NULL};

    ck_assert_int_eq(jsonx_get_str(arr, "k", false, 0, 9, &s, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'k': looked up in an array, not an object");
    ck_assert_int_eq(jsonx_get_str(NULL, "k", false, 0, 9, &s, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'k': looked up in nothing, not an object");
    ck_assert_int_eq(jsonx_get_int(arr, "k", false, 0, 9, &i, arena, &msg), OCDN_EINVAL);
    ck_assert_int_eq(jsonx_get_real(arr, "k", false, 0, 9, &d, arena, &msg), OCDN_EINVAL);
    ck_assert_int_eq(jsonx_get_bool(arr, "k", false, &b, arena, &msg), OCDN_EINVAL);
    ck_assert_int_eq(jsonx_get_array(arr, "k", false, 9, &jv, arena, &msg), OCDN_EINVAL);
    ck_assert_int_eq(jsonx_get_object(arr, "k", false, &jv, arena, &msg), OCDN_EINVAL);
    ck_assert_int_eq(jsonx_get_enum(arr, "k", false, choices, &idx, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'k': looked up in an array, not an object");
    ck_assert_ptr_eq(s, SENTINEL);
    ck_assert_int_eq(i, 7);
    ck_assert_ptr_null(jv);
    ck_assert_int_eq(idx, 7);
    json_decref(arr);
}
END_TEST

START_TEST(int_present_and_bounds)
{
    json_t *o = obj_of(DOC);
    int64_t i = 7;

    ck_assert_int_eq(jsonx_get_int(o, "i", true, 42, 42, &i, arena, &msg), OCDN_OK);
    ck_assert_int_eq(i, 42);
    ck_assert_int_eq(jsonx_get_int(o, "neg", true, -5, 0, &i, arena, &msg), OCDN_OK);
    ck_assert_int_eq(i, -5);
    i = 7;
    ck_assert_int_eq(jsonx_get_int(o, "i", true, 43, 100, &i, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'i': must be an integer in 43..100, got 42");
    ck_assert_int_eq(jsonx_get_int(o, "i", true, 0, 41, &i, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'i': must be an integer in 0..41, got 42");
    ck_assert_int_eq(jsonx_get_int(o, "neg", true, -4, 0, &i, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'neg': must be an integer in -4..0, got -5");
    ck_assert_int_eq(i, 7);
    ck_assert_int_eq(jsonx_get_int(o, "max", true, INT64_MIN, INT64_MAX, &i, arena, &msg), OCDN_OK);
    ck_assert_int_eq(i, INT64_MAX);
    ck_assert_int_eq(jsonx_get_int(o, "min", true, INT64_MIN, INT64_MAX, &i, arena, &msg), OCDN_OK);
    ck_assert_int_eq(i, INT64_MIN);
    ck_assert_int_eq(jsonx_get_int(o, "max", true, 0, INT64_MAX - 1, &i, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'max': must be an integer in 0..9223372036854775806, got "
                          "9223372036854775807");
    json_decref(o);
}
END_TEST

START_TEST(int_rejects_reals)
{
    static const char *const bodies[] = {"{\"v\":1.0}", "{\"v\":2.5}", "{\"v\":1e2}",
                                         "{\"v\":-0.0}"};
    size_t k;

    for (k = 0; k < sizeof(bodies) / sizeof(bodies[0]); k++) {
        json_t *o = obj_of(bodies[k]);
        int64_t i = 7;

        ck_assert_int_eq(jsonx_get_int(o, "v", true, -1000, 1000, &i, arena, &msg), OCDN_EINVAL);
        ck_assert_str_eq(msg, "field 'v': must be an integer in -1000..1000, not a real number");
        ck_assert_int_eq(i, 7);
        json_decref(o);
    }
}
END_TEST

START_TEST(int_missing)
{
    json_t *o = obj_of(DOC);
    int64_t i = 7;

    ck_assert_int_eq(jsonx_get_int(o, "zz", false, 0, 9, &i, arena, &msg), OCDN_OK);
    ck_assert_int_eq(i, 7);
    ck_assert_ptr_eq(msg, SENTINEL);
    ck_assert_int_eq(jsonx_get_int(o, "zz", true, 0, 9, &i, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'zz': missing, must be an integer in 0..9");
    ck_assert_int_eq(i, 7);
    json_decref(o);
}
END_TEST

START_TEST(real_accepts_integers_and_reals)
{
    json_t *o = obj_of(DOC);
    double d = 7;

    ck_assert_int_eq(jsonx_get_real(o, "r", true, 1.5, 1.5, &d, arena, &msg), OCDN_OK);
    ck_assert(d == 1.5);
    ck_assert_int_eq(jsonx_get_real(o, "i", true, 0, 100, &d, arena, &msg), OCDN_OK);
    ck_assert(d == 42.0);
    ck_assert_int_eq(jsonx_get_real(o, "ri", true, 0, 100, &d, arena, &msg), OCDN_OK);
    ck_assert(d == 2.0);
    d = 7;
    ck_assert_int_eq(jsonx_get_real(o, "r", true, 1.6, 2, &d, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'r': must be a number in 1.6..2, got 1.5");
    ck_assert_int_eq(jsonx_get_real(o, "r", true, 0, 1.25, &d, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'r': must be a number in 0..1.25, got 1.5");
    ck_assert_int_eq(jsonx_get_real(o, "i", true, -1, 41.5, &d, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'i': must be a number in -1..41.5, got 42");
    ck_assert(d == 7);
    ck_assert_int_eq(jsonx_get_real(o, "zz", false, 0, 1, &d, arena, &msg), OCDN_OK);
    ck_assert(d == 7);
    ck_assert_int_eq(jsonx_get_real(o, "zz", true, 0, 1, &d, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'zz': missing, must be a number in 0..1");
    json_decref(o);
}
END_TEST

START_TEST(bool_values_and_missing)
{
    json_t *o = obj_of(DOC);
    bool b = false;

    ck_assert_int_eq(jsonx_get_bool(o, "t", true, &b, arena, &msg), OCDN_OK);
    ck_assert(b);
    ck_assert_int_eq(jsonx_get_bool(o, "f", true, &b, arena, &msg), OCDN_OK);
    ck_assert(!b);
    b = true;
    ck_assert_int_eq(jsonx_get_bool(o, "zz", false, &b, arena, &msg), OCDN_OK);
    ck_assert(b);
    ck_assert_int_eq(jsonx_get_bool(o, "zz", true, &b, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'zz': missing, must be a boolean");
    json_decref(o);
    o = obj_of("{\"v\":\"true\",\"w\":1}");
    ck_assert_int_eq(jsonx_get_bool(o, "v", true, &b, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'v': must be a boolean, not a string");
    ck_assert_int_eq(jsonx_get_bool(o, "w", true, &b, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'w': must be a boolean, not an integer");
    ck_assert(b);
    json_decref(o);
}
END_TEST

START_TEST(array_items_limit)
{
    json_t *o = obj_of(DOC), *a = NULL;

    ck_assert_int_eq(jsonx_get_array(o, "a", true, 3, &a, arena, &msg), OCDN_OK);
    ck_assert_ptr_eq(a, json_object_get(o, "a"));
    ck_assert_uint_eq(json_array_size(a), 3);
    a = NULL;
    ck_assert_int_eq(jsonx_get_array(o, "a", true, 2, &a, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'a': must be an array of at most 2 items, got 3");
    ck_assert_ptr_null(a);
    ck_assert_int_eq(jsonx_get_array(o, "ea", true, 0, &a, arena, &msg), OCDN_OK);
    ck_assert_uint_eq(json_array_size(a), 0);
    a = NULL;
    ck_assert_int_eq(jsonx_get_array(o, "zz", false, 3, &a, arena, &msg), OCDN_OK);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(jsonx_get_array(o, "zz", true, 3, &a, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'zz': missing, must be an array of at most 3 items");
    json_decref(o);
}
END_TEST

START_TEST(object_present_and_missing)
{
    json_t *o = obj_of(DOC), *v = NULL;

    ck_assert_int_eq(jsonx_get_object(o, "o", true, &v, arena, &msg), OCDN_OK);
    ck_assert_ptr_eq(v, json_object_get(o, "o"));
    v = NULL;
    ck_assert_int_eq(jsonx_get_object(o, "zz", false, &v, arena, &msg), OCDN_OK);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(jsonx_get_object(o, "zz", true, &v, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'zz': missing, must be an object");
    json_decref(o);
}
END_TEST

START_TEST(enum_choices)
{
    static const char *const kinds[] = {"drain", "maintenance", NULL};
    json_t *o = obj_of(DOC), *built;
    int idx = 7;

    ck_assert_int_eq(jsonx_get_enum(o, "kind", true, kinds, &idx, arena, &msg), OCDN_OK);
    ck_assert_int_eq(idx, 1);
    idx = 7;
    /* Case matters. */
    ck_assert_int_eq(jsonx_get_enum(o, "Kind", true, kinds, &idx, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'Kind': must be one of 'drain', 'maintenance'");
    ck_assert_int_eq(jsonx_get_enum(o, "s", true, kinds, &idx, arena, &msg), OCDN_EINVAL);
    ck_assert_int_eq(jsonx_get_enum(o, "zz", false, kinds, &idx, arena, &msg), OCDN_OK);
    ck_assert_int_eq(idx, 7);
    ck_assert_int_eq(jsonx_get_enum(o, "zz", true, kinds, &idx, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'zz': missing, must be one of 'drain', 'maintenance'");
    json_decref(o);
    /* Prefixes, and a NUL inside, do not match. */
    built = json_object();
    ck_assert_int_eq(json_object_set_new(built, "p", json_string("dra")), 0);
    ck_assert_int_eq(json_object_set_new(built, "q", json_stringn("drain\0x", 7)), 0);
    ck_assert_int_eq(json_object_set_new(built, "r", json_string("drain")), 0);
    ck_assert_int_eq(jsonx_get_enum(built, "p", true, kinds, &idx, arena, &msg), OCDN_EINVAL);
    ck_assert_int_eq(jsonx_get_enum(built, "q", true, kinds, &idx, arena, &msg), OCDN_EINVAL);
    ck_assert_int_eq(idx, 7);
    ck_assert_int_eq(jsonx_get_enum(built, "r", true, kinds, &idx, arena, &msg), OCDN_OK);
    ck_assert_int_eq(idx, 0);
    json_decref(built);
}
END_TEST

START_TEST(enum_long_choice_list_not_spelled_out)
{
    char big[700];
    const char *choices[] = {big, big, NULL};
    json_t *o = obj_of("{\"k\":\"x\"}");
    int idx = 7;

    memset(big, 'c', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(jsonx_get_enum(o, "k", true, choices, &idx, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'k': must be one of the documented values");
    ck_assert_int_eq(idx, 7);
    json_decref(o);
}
END_TEST

/* ---- jsonx_only_keys ----------------------------------------------------------------------- */

static const char *const ALLOWED[] = {"name", "site", "capacity", NULL};

START_TEST(only_keys_all_known)
{
    json_t *o = obj_of("{\"name\":1,\"capacity\":2}");

    ck_assert_int_eq(jsonx_only_keys(o, "body", ALLOWED, arena, &msg), OCDN_OK);
    ck_assert_ptr_eq(msg, SENTINEL);
    json_decref(o);
    o = obj_of("{}");
    ck_assert_int_eq(jsonx_only_keys(o, "body", ALLOWED, arena, &msg), OCDN_OK);
    json_decref(o);
}
END_TEST

START_TEST(only_keys_names_first_unknown)
{
    json_t *o = obj_of("{\"name\":1,\"nmae\":2,\"aaa\":3}");

    ck_assert_int_eq(jsonx_only_keys(o, "body", ALLOWED, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: unknown field 'nmae'");
    json_decref(o);
    o = obj_of("{\"zzz\":1,\"aaa\":2}");
    ck_assert_int_eq(jsonx_only_keys(o, "routes[3]", ALLOWED, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "routes[3]: unknown field 'zzz'");
    json_decref(o);
    /* Prefix and extension of an allowed key. */
    o = obj_of("{\"nam\":1}");
    ck_assert_int_eq(jsonx_only_keys(o, "body", ALLOWED, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: unknown field 'nam'");
    json_decref(o);
    o = obj_of("{\"names\":1}");
    ck_assert_int_eq(jsonx_only_keys(o, "body", ALLOWED, arena, &msg), OCDN_EINVAL);
    json_decref(o);
}
END_TEST

START_TEST(only_keys_not_object_or_no_list)
{
    json_t *a = obj_of("[1]"), *o = obj_of("{\"name\":1}");
    static const char *const none[] = {NULL};

    ck_assert_int_eq(jsonx_only_keys(a, "body", ALLOWED, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: must be an object, not an array");
    ck_assert_int_eq(jsonx_only_keys(NULL, "body", ALLOWED, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: must be an object, not nothing");
    ck_assert_int_eq(jsonx_only_keys(o, "body", none, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: unknown field 'name'");
    ck_assert_int_eq(jsonx_only_keys(o, "body", NULL, arena, &msg), OCDN_EINVAL);
    json_decref(a);
    json_decref(o);
}
END_TEST

START_TEST(only_keys_echo_is_bounded_and_printable)
{
    char body[256], want[128];
    json_t *o;

    o = obj_of("{\"a\\u0001b\\nc\xc3\xa9\":1}");
    ck_assert_int_eq(jsonx_only_keys(o, "body", ALLOWED, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: unknown field 'a?b?c?\?'");
    json_decref(o);
    snprintf(body, sizeof(body), "{\"%0100d\":1}", 0);
    o = obj_of(body);
    ck_assert_int_eq(jsonx_only_keys(o, "body", ALLOWED, arena, &msg), OCDN_EINVAL);
    snprintf(want, sizeof(want), "body: unknown field '%064d...'", 0);
    ck_assert_str_eq(msg, want);
    json_decref(o);
    /* Exactly 64 bytes: no ellipsis. */
    snprintf(body, sizeof(body), "{\"%064d\":1}", 0);
    o = obj_of(body);
    ck_assert_int_eq(jsonx_only_keys(o, "body", ALLOWED, arena, &msg), OCDN_EINVAL);
    snprintf(want, sizeof(want), "body: unknown field '%064d'", 0);
    ck_assert_str_eq(msg, want);
    json_decref(o);
}
END_TEST

START_TEST(only_keys_key_with_nul_is_unknown)
{
    json_t *o = json_object();

    ck_assert_int_eq(json_object_setn_new(o, "name\0x", 6, json_true()), 0);
    ck_assert_int_eq(jsonx_only_keys(o, "body", ALLOWED, arena, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "body: unknown field 'name?x'");
    json_decref(o);
}
END_TEST

/* ---- messages ------------------------------------------------------------------------------ */

START_TEST(fail_formats_in_arena)
{
    ck_assert_int_eq(jsonx_fail(arena, &msg, "field '%s': %d", "x", 3), OCDN_EINVAL);
    ck_assert_str_eq(msg, "field 'x': 3");
    ck_assert_uint_gt(arena_used(arena), 0);
    /* A NULL errmsg is allowed. */
    ck_assert_int_eq(jsonx_fail(arena, NULL, "x"), OCDN_EINVAL);
}
END_TEST

START_TEST(fail_with_full_arena_still_has_text)
{
    struct arena *tiny = arena_new(8);
    json_t *j = (json_t *)1;

    ck_assert_ptr_nonnull(tiny);
    ck_assert_int_eq(jsonx_fail(tiny, &msg, "field '%s': too long a message", "x"), OCDN_EINVAL);
    ck_assert_str_eq(msg, "invalid input");
    msg = SENTINEL;
    ck_assert_int_eq(jsonx_parse("[1", 2, 10, 16, &j, tiny, &msg), OCDN_EINVAL);
    ck_assert_str_eq(msg, "invalid input");
    ck_assert_ptr_null(j);
    ck_assert_int_eq(jsonx_fail(NULL, &msg, "x"), OCDN_EINVAL);
    ck_assert_str_eq(msg, "invalid input");
    arena_free(tiny);
}
END_TEST

static Suite *
jsonx_suite(void)
{
    Suite *s = suite_create("jsonx");
    TCase *tc;

    tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, parse_object_ok);
    tcase_add_test(tc, parse_any_value_accepted);
    tcase_add_test(tc, parse_size_limit_exact);
    tcase_add_test(tc, parse_empty_rejected);
    tcase_add_test(tc, parse_depth_at_limit_and_one_over);
    tcase_add_test(tc, parse_depth_default);
    tcase_add_test(tc, parse_depth_zero_allows_scalars_only);
    tcase_add_test(tc, parse_deep_attack_rejected_by_prescan);
    tcase_add_test(tc, parse_brackets_in_strings_do_not_count);
    tcase_add_loop_test(tc, parse_bad_bodies_rejected, 0,
                        (int)(sizeof(bad_bodies) / sizeof(bad_bodies[0])));
    tcase_add_test(tc, parse_error_names_position);
    tcase_add_test(tc, parse_valid_utf8_accepted);
    suite_add_tcase(s, tc);

    tc = tcase_create("getters");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, str_present);
    tcase_add_test(tc, str_missing);
    tcase_add_loop_test(tc, wrong_types_rejected, 0, NTYPES);
    tcase_add_test(tc, str_length_bounds);
    tcase_add_test(tc, str_embedded_nul_rejected);
    tcase_add_test(tc, getters_need_an_object);
    tcase_add_test(tc, int_present_and_bounds);
    tcase_add_test(tc, int_rejects_reals);
    tcase_add_test(tc, int_missing);
    tcase_add_test(tc, real_accepts_integers_and_reals);
    tcase_add_test(tc, bool_values_and_missing);
    tcase_add_test(tc, array_items_limit);
    tcase_add_test(tc, object_present_and_missing);
    tcase_add_test(tc, enum_choices);
    tcase_add_test(tc, enum_long_choice_list_not_spelled_out);
    suite_add_tcase(s, tc);

    tc = tcase_create("only_keys");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, only_keys_all_known);
    tcase_add_test(tc, only_keys_names_first_unknown);
    tcase_add_test(tc, only_keys_not_object_or_no_list);
    tcase_add_test(tc, only_keys_echo_is_bounded_and_printable);
    tcase_add_test(tc, only_keys_key_with_nul_is_unknown);
    suite_add_tcase(s, tc);

    tc = tcase_create("messages");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, fail_formats_in_arena);
    tcase_add_test(tc, fail_with_full_arena_still_has_text);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(jsonx_suite());
}
