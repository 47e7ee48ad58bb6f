/* check_http_parse.c - the agent's HTTP request parser against recorded requests in
 * tests/data/http/, plus query strings, Range headers and /range/ paths. */
#include "http_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static struct http_limits lim;
static struct http_request req;

static void
setup(void)
{
    http_limits_init(&lim);
}

/* Parse tests/data/http/<name>.req; returns the buffer (caller frees) for slice checks. */
static char *
parse_fixture(const char *name, size_t *len, enum ocdn_err *err)
{
    char rel[128];
    char *data;

    snprintf(rel, sizeof(rel), "http/%s.req", name);
    data = fixture(rel, len);
    *err = http_parse_request(data, *len, &lim, &req);
    return data;
}

static bool
slice_is(struct http_slice s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

/* ---- rejects: one row per refusal path ---- */

static const struct {
    const char *name;
    enum http_reject reject;
    int status;
    const char *reason;
} rejects[] = {
    {"bare_lf", HTTP_REJECT_BAD_REQUEST, 400, "bare LF"},
    {"bare_cr", HTTP_REJECT_BAD_REQUEST, 400, "bare CR"},
    {"nul_in_header", HTTP_REJECT_BAD_REQUEST, 400, "NUL"},
    {"ctl_in_value", HTTP_REJECT_BAD_REQUEST, 400, "control character"},
    {"del_in_value", HTTP_REJECT_BAD_REQUEST, 400, "control character"},
    {"obs_fold", HTTP_REJECT_BAD_REQUEST, 400, "folding"},
    {"space_in_name", HTTP_REJECT_BAD_REQUEST, 400, "whitespace in header name"},
    {"space_inside_name", HTTP_REJECT_BAD_REQUEST, 400, "whitespace in header name"},
    {"no_colon", HTTP_REJECT_BAD_REQUEST, 400, "without colon"},
    {"empty_name", HTTP_REJECT_BAD_REQUEST, 400, "empty header name"},
    {"bad_name_char", HTTP_REJECT_BAD_REQUEST, 400, "bad header name"},
    {"dup_host", HTTP_REJECT_BAD_REQUEST, 400, "duplicate Host"},
    {"missing_host", HTTP_REJECT_BAD_REQUEST, 400, "missing Host"},
    {"bad_host_char", HTTP_REJECT_BAD_REQUEST, 400, "bad Host"},
    {"bad_host_port", HTTP_REJECT_BAD_REQUEST, 400, "bad Host port"},
    {"bad_host_port_char", HTTP_REJECT_BAD_REQUEST, 400, "bad Host port"},
    {"bad_host_v6", HTTP_REJECT_BAD_REQUEST, 400, "bad Host"},
    {"host_too_long", HTTP_REJECT_BAD_REQUEST, 400, "Host too long"},
    {"dup_content_length", HTTP_REJECT_BAD_REQUEST, 400, "duplicate Content-Length"},
    {"content_length_list", HTTP_REJECT_BAD_REQUEST, 400, "bad Content-Length"},
    {"content_length_sign", HTTP_REJECT_BAD_REQUEST, 400, "bad Content-Length"},
    {"content_length_negative", HTTP_REJECT_BAD_REQUEST, 400, "bad Content-Length"},
    {"content_length_empty", HTTP_REJECT_BAD_REQUEST, 400, "bad Content-Length"},
    {"content_length_huge", HTTP_REJECT_BAD_REQUEST, 400, "bad Content-Length"},
    {"cl_and_te", HTTP_REJECT_BAD_REQUEST, 400, "Content-Length with Transfer-Encoding"},
    {"get_with_body", HTTP_REJECT_BAD_REQUEST, 400, "body not allowed"},
    {"dup_range", HTTP_REJECT_BAD_REQUEST, 400, "duplicate Range"},
    {"bad_method_char", HTTP_REJECT_BAD_REQUEST, 400, "bad method"},
    {"http09", HTTP_REJECT_BAD_REQUEST, 400, "bad request line"},
    {"bad_version", HTTP_REJECT_BAD_REQUEST, 400, "bad HTTP version"},
    {"bad_version_digits", HTTP_REJECT_BAD_REQUEST, 400, "bad HTTP version"},
    {"extra_space", HTTP_REJECT_BAD_REQUEST, 400, "bad request line"},
    {"trailing_space", HTTP_REJECT_BAD_REQUEST, 400, "bad request line"},
    {"absolute_form", HTTP_REJECT_BAD_REQUEST, 400, "origin form"},
    {"asterisk_form", HTTP_REJECT_BAD_REQUEST, 400, "origin form"},
    {"target_ctl", HTTP_REJECT_BAD_REQUEST, 400, "bad character in target"},
    {"target_non_ascii", HTTP_REJECT_BAD_REQUEST, 400, "bad character in target"},
    {"target_fragment", HTTP_REJECT_BAD_REQUEST, 400, "bad character in target"},
    {"target_bad_percent", HTTP_REJECT_BAD_REQUEST, 400, "bad percent escape"},
    {"target_short_percent", HTTP_REJECT_BAD_REQUEST, 400, "bad percent escape"},
    {"put", HTTP_REJECT_METHOD, 405, "method not allowed"},
    {"delete", HTTP_REJECT_METHOD, 405, "method not allowed"},
    {"post_not_speedtest", HTTP_REJECT_METHOD, 405, "method not allowed"},
    {"post_speedtest_prefix", HTTP_REJECT_METHOD, 405, "method not allowed"},
    {"unknown_method", HTTP_REJECT_NOT_IMPLEMENTED, 501, "unknown method"},
    {"lowercase_method", HTTP_REJECT_NOT_IMPLEMENTED, 501, "unknown method"},
    {"te_chunked", HTTP_REJECT_NOT_IMPLEMENTED, 501, "Transfer-Encoding"},
    {"http2", HTTP_REJECT_VERSION, 505, "version not supported"},
    {"post_too_large", HTTP_REJECT_BODY_TOO_LARGE, 413, "body too large"},
    {"long_target", HTTP_REJECT_URI_TOO_LONG, 414, "target too long"},
    {"long_target_incomplete", HTTP_REJECT_URI_TOO_LONG, 414, "target too long"},
    {"expect_other", HTTP_REJECT_EXPECTATION, 417, "Expect"},
    {"too_many_headers", HTTP_REJECT_HEADERS_TOO_LARGE, 431, "too many headers"},
    {"head_too_large", HTTP_REJECT_HEADERS_TOO_LARGE, 431, "too large"},
    {"head_too_large_incomplete", HTTP_REJECT_HEADERS_TOO_LARGE, 431, "too large"},
};

START_TEST(reject_fixture)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture(rejects[_i].name, &len, &err);

    ck_assert_msg(err == OCDN_EINVAL, "%s: err %s", rejects[_i].name, ocdn_err_str(err));
    ck_assert_msg(req.reject == rejects[_i].reject, "%s: reject %d reason %s", rejects[_i].name,
                  req.reject, req.reason ? req.reason : "-");
    ck_assert_int_eq(http_reject_status(req.reject), rejects[_i].status);
    ck_assert_ptr_nonnull(req.reason);
    ck_assert_msg(strstr(req.reason, rejects[_i].reason), "%s: reason '%s'", rejects[_i].name,
                  req.reason);
    free(data);
}
END_TEST

/* Every prefix of a rejected request is either incomplete or rejected, never accepted. */
START_TEST(reject_prefixes_never_accept)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture(rejects[_i].name, &len, &err);

    for (size_t n = 0; n < len; n++) {
        err = http_parse_request(data, n, &lim, &req);
        ck_assert_msg(err == OCDN_EBUSY || err == OCDN_EINVAL, "%s: prefix %zu accepted",
                      rejects[_i].name, n);
    }
    free(data);
}
END_TEST

/* ---- accepted requests ---- */

START_TEST(accept_range_path)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture("get_range_path", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    ck_assert_int_eq(req.method, HTTP_METHOD_GET);
    ck_assert_uint_eq(req.version_minor, 1);
    ck_assert(req.keep_alive);
    ck_assert_uint_eq(req.head_len, len);
    ck_assert(slice_is(req.path, "/range/0-99"));
    ck_assert(slice_is(req.query, "o=f1&v=42&e=1700000000&t=abc"));
    ck_assert(req.has_host);
    ck_assert_str_eq(req.host, "c001-tls001-isp.1.oca.example.net");
    ck_assert_uint_eq(req.nheaders, 3);
    ck_assert(slice_is(req.headers[1].name, "User-Agent"));
    ck_assert(slice_is(req.headers[1].value, "test/1.0"));
    ck_assert(!req.has_range);
    ck_assert(!req.has_content_length);
    free(data);
}
END_TEST

START_TEST(accept_keep_alive_rules)
{
    static const struct {
        const char *name;
        unsigned minor;
        bool keep_alive;
    } rows[] = {
        {"head_http10", 0, false},     {"http10_keepalive", 0, true}, {"http11_close", 1, false},
        {"connection_list", 1, false}, {"http12", 1, true},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        enum ocdn_err err;
        size_t len;
        char *data = parse_fixture(rows[i].name, &len, &err);
        ck_assert_msg(err == OCDN_OK, "%s: %s", rows[i].name, req.reason);
        ck_assert_uint_eq(req.version_minor, rows[i].minor);
        ck_assert_msg(req.keep_alive == rows[i].keep_alive, "%s", rows[i].name);
        free(data);
    }
}
END_TEST

START_TEST(accept_head_http10_without_host)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture("head_http10", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    ck_assert_int_eq(req.method, HTTP_METHOD_HEAD);
    ck_assert(!req.has_host);
    ck_assert_str_eq(req.host, "");
    free(data);
}
END_TEST

START_TEST(accept_range_header_trimmed)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture("range_header", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    ck_assert(req.has_range);
    ck_assert(slice_is(req.range, "bytes=0-99"));
    ck_assert(req.has_if_range);
    free(data);
}
END_TEST

START_TEST(accept_post_body_follows)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture("post_speedtest", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    ck_assert_int_eq(req.method, HTTP_METHOD_POST);
    ck_assert(req.has_content_length);
    ck_assert_uint_eq(req.content_length, 16);
    ck_assert_uint_eq(req.head_len + 16, len);
    ck_assert(memcmp(data + req.head_len, "0123456789abcdef", 16) == 0);
    free(data);
}
END_TEST

START_TEST(accept_expect_continue)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture("expect_continue", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    ck_assert(req.expect_continue);
    ck_assert(slice_is(req.path, "/speedtest"));
    free(data);
}
END_TEST

START_TEST(accept_leading_crlf)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture("leading_crlf", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    ck_assert_uint_eq(req.head_len, len);
    ck_assert(slice_is(req.path, "/f1"));
    free(data);
}
END_TEST

START_TEST(accept_pipelined_in_order)
{
    enum ocdn_err err;
    size_t len, first;
    char *data = parse_fixture("pipelined", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    ck_assert_int_eq(req.method, HTTP_METHOD_GET);
    ck_assert(slice_is(req.path, "/a"));
    ck_assert(req.keep_alive);
    first = req.head_len;
    ck_assert_uint_lt(first, len);
    ck_assert_int_eq(http_parse_request(data + first, len - first, &lim, &req), OCDN_OK);
    ck_assert_int_eq(req.method, HTTP_METHOD_HEAD);
    ck_assert(slice_is(req.path, "/b"));
    ck_assert(!req.keep_alive);
    ck_assert_uint_eq(first + req.head_len, len);
    free(data);
}
END_TEST

START_TEST(accept_host_forms)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture("host_ipv6", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    ck_assert_str_eq(req.host, "[::1]");
    free(data);
    data = parse_fixture("host_empty_port", &len, &err);
    ck_assert_int_eq(err, OCDN_OK);
    ck_assert_str_eq(req.host, "example.net");
    free(data);
}
END_TEST

START_TEST(accept_obs_text_value)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture("header_value_obs_text", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    ck_assert_uint_eq(req.headers[1].value.len, 8);
    free(data);
}
END_TEST

START_TEST(accept_percent_target_raw)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture("percent_target", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    ck_assert(slice_is(req.query, "o=a%2Fb&x=%41"));
    free(data);
}
END_TEST

START_TEST(accept_max_headers_exactly)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture("max_headers", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    ck_assert_uint_eq(req.nheaders, 64);
    free(data);
}
END_TEST

START_TEST(limits_are_configurable)
{
    enum ocdn_err err;
    size_t len;
    char *data;

    lim.max_headers = 3;
    data = parse_fixture("get_range_path", &len, &err);
    ck_assert_int_eq(err, OCDN_OK);
    free(data);
    lim.max_headers = 2;
    data = parse_fixture("get_range_path", &len, &err);
    ck_assert_int_eq(err, OCDN_EINVAL);
    ck_assert_int_eq(req.reject, HTTP_REJECT_HEADERS_TOO_LARGE);
    free(data);
    http_limits_init(&lim);
    lim.max_target_bytes = 20;
    data = parse_fixture("get_range_path", &len, &err);
    ck_assert_int_eq(err, OCDN_EINVAL);
    ck_assert_int_eq(req.reject, HTTP_REJECT_URI_TOO_LONG);
    free(data);
    http_limits_init(&lim);
    lim.max_body_bytes = 15;
    data = parse_fixture("post_speedtest", &len, &err);
    ck_assert_int_eq(err, OCDN_EINVAL);
    ck_assert_int_eq(req.reject, HTTP_REJECT_BODY_TOO_LARGE);
    free(data);
    http_limits_init(&lim);
    lim.max_head_bytes = 64;
    data = parse_fixture("get_range_path", &len, &err);
    ck_assert_int_eq(err, OCDN_EINVAL);
    ck_assert_int_eq(req.reject, HTTP_REJECT_HEADERS_TOO_LARGE);
    free(data);
}
END_TEST

/* ---- incomplete heads ---- */

START_TEST(incomplete_needs_more)
{
    static const char *const names[] = {"partial_head", "partial_cr", "partial_line"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        enum ocdn_err err;
        size_t len;
        char *data = parse_fixture(names[i], &len, &err);
        ck_assert_msg(err == OCDN_EBUSY, "%s: %s", names[i], ocdn_err_str(err));
        free(data);
    }
}
END_TEST

START_TEST(incomplete_every_prefix)
{
    enum ocdn_err err;
    size_t len;
    char *data = parse_fixture("get_range_path", &len, &err);

    ck_assert_int_eq(err, OCDN_OK);
    for (size_t n = 0; n < len; n++)
        ck_assert_int_eq(http_parse_request(data, n, &lim, &req), OCDN_EBUSY);
    free(data);
}
END_TEST

/* ---- query strings ---- */

START_TEST(query_decodes_values)
{
    static struct http_query q;
    const char *s = "o=a%2Fb&v=42&&e=17&t=x+y&flag&empty=";

    ck_assert_int_eq(http_query_parse(s, strlen(s), &q), OCDN_OK);
    ck_assert_uint_eq(q.n, 6);
    ck_assert_str_eq(http_query_get(&q, "o"), "a/b");
    ck_assert_str_eq(http_query_get(&q, "v"), "42");
    ck_assert_str_eq(http_query_get(&q, "e"), "17");
    ck_assert_str_eq(http_query_get(&q, "t"), "x+y");
    ck_assert_str_eq(http_query_get(&q, "flag"), "");
    ck_assert_str_eq(http_query_get(&q, "empty"), "");
    ck_assert_ptr_null(http_query_get(&q, "missing"));
    ck_assert_int_eq(http_query_parse("", 0, &q), OCDN_OK);
    ck_assert_uint_eq(q.n, 0);
}
END_TEST

START_TEST(query_rejects)
{
    static struct http_query q;
    static const char *const bad[] = {
        "o=a&o=b", /* duplicate key */
        "=x",      /* empty key */
        "o=%00",   /* decoded NUL */
        "o=%0a",   /* decoded CTL */
        "o=%7F",   /* decoded DEL */
        "o=%zz",   /* bad escape */
        "o=%2",    /* short escape */
        "o=ab%",   /* short escape */
        "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15&p=16&q=17",
    };
    char big[700];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(http_query_parse(bad[i], strlen(bad[i]), &q) == OCDN_EINVAL, "%s", bad[i]);
        ck_assert_uint_eq(q.n, 0);
    }
    memset(big, 'x', sizeof(big));
    big[0] = 'o';
    big[1] = '=';
    ck_assert_int_eq(http_query_parse(big, sizeof(big), &q), OCDN_EINVAL);
    ck_assert_int_eq(http_query_parse(big, HTTP_QUERY_VALUE_MAX + 2, &q), OCDN_OK);
    ck_assert_int_eq(http_query_parse(big, HTTP_TARGET_MAX_LIMIT + 1, &q), OCDN_EINVAL);
}
END_TEST

/* ---- Range ---- */

static const struct {
    const char *value;
    enum http_range_kind kind;
    uint64_t first, last;
} ranges[] = {
    {"bytes=0-99", HTTP_RANGE_SPAN, 0, 99},
    {"BYTES=5-5", HTTP_RANGE_SPAN, 5, 5},
    {"bytes=100-", HTTP_RANGE_FROM, 100, UINT64_MAX},
    {"bytes=-500", HTTP_RANGE_SUFFIX, 0, 500},
    {"bytes= 0-1 ,", HTTP_RANGE_SPAN, 0, 1},
    {"bytes=0-1,2-3", HTTP_RANGE_MULTI, 0, 1},
    {"bytes=0-1, -5", HTTP_RANGE_MULTI, 0, 1},
    {"bytes=99999999999999999999999-", HTTP_RANGE_FROM, UINT64_MAX, UINT64_MAX},
    {"bytes=5-4", HTTP_RANGE_INVALID, 0, 0},
    {"bytes=a-b", HTTP_RANGE_INVALID, 0, 0},
    {"bytes=0-1,x", HTTP_RANGE_INVALID, 0, 0},
    {"bytes=-", HTTP_RANGE_INVALID, 0, 0},
    {"bytes=", HTTP_RANGE_INVALID, 0, 0},
    {"bytes=,", HTTP_RANGE_INVALID, 0, 0},
    {"bytes=1", HTTP_RANGE_INVALID, 0, 0},
    {"bytes=+1-2", HTTP_RANGE_INVALID, 0, 0},
    {"items=0-1", HTTP_RANGE_INVALID, 0, 0},
    {"bytes 0-1", HTTP_RANGE_INVALID, 0, 0},
    {"", HTTP_RANGE_INVALID, 0, 0},
};

START_TEST(range_parse_table)
{
    struct http_range r;

    http_range_parse(ranges[_i].value, strlen(ranges[_i].value), &r);
    ck_assert_msg(r.kind == ranges[_i].kind, "'%s': kind %d", ranges[_i].value, r.kind);
    if (r.kind != HTTP_RANGE_INVALID) {
        ck_assert_uint_eq(r.first, ranges[_i].first);
        ck_assert_uint_eq(r.last, ranges[_i].last);
    }
}
END_TEST

START_TEST(range_resolve_table)
{
    static const struct {
        enum http_range_kind kind;
        uint64_t first, last, size;
        enum ocdn_err err;
        uint64_t off, count;
    } rows[] = {
        {HTTP_RANGE_SPAN, 0, 99, 1000, OCDN_OK, 0, 100},
        {HTTP_RANGE_SPAN, 900, 5000, 1000, OCDN_OK, 900, 100},
        {HTTP_RANGE_SPAN, 999, 999, 1000, OCDN_OK, 999, 1},
        {HTTP_RANGE_SPAN, 1000, 1001, 1000, OCDN_EINVAL, 0, 0},
        {HTTP_RANGE_FROM, 10, UINT64_MAX, 1000, OCDN_OK, 10, 990},
        {HTTP_RANGE_FROM, 1000, UINT64_MAX, 1000, OCDN_EINVAL, 0, 0},
        {HTTP_RANGE_FROM, UINT64_MAX, UINT64_MAX, 1000, OCDN_EINVAL, 0, 0},
        {HTTP_RANGE_SUFFIX, 0, 100, 1000, OCDN_OK, 900, 100},
        {HTTP_RANGE_SUFFIX, 0, 5000, 1000, OCDN_OK, 0, 1000},
        {HTTP_RANGE_SUFFIX, 0, 0, 1000, OCDN_EINVAL, 0, 0},
        {HTTP_RANGE_SUFFIX, 0, 10, 0, OCDN_EINVAL, 0, 0},
        {HTTP_RANGE_SPAN, 0, 0, 0, OCDN_EINVAL, 0, 0},
        {HTTP_RANGE_MULTI, 0, 1, 1000, OCDN_EINVAL, 0, 0},
        {HTTP_RANGE_INVALID, 0, 1, 1000, OCDN_EINVAL, 0, 0},
        {HTTP_RANGE_NONE, 0, 1, 1000, OCDN_EINVAL, 0, 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct http_range r = {rows[i].kind, rows[i].first, rows[i].last};
        uint64_t off, count;
        ck_assert_msg(http_range_resolve(&r, rows[i].size, &off, &count) == rows[i].err, "row %zu",
                      i);
        ck_assert_uint_eq(off, rows[i].off);
        ck_assert_uint_eq(count, rows[i].count);
    }
}
END_TEST

START_TEST(path_range_table)
{
    static const struct {
        const char *s;
        enum ocdn_err err;
        uint64_t first, last;
    } rows[] = {
        {"0-99", OCDN_OK, 0, 99},
        {"5-5", OCDN_OK, 5, 5},
        {"0-9223372036854775807", OCDN_OK, 0, 9223372036854775807ULL},
        {"0-9223372036854775808", OCDN_EINVAL, 0, 0},
        {"0-99999999999999999999", OCDN_EINVAL, 0, 0},
        {"6-5", OCDN_EINVAL, 0, 0},
        {"-5", OCDN_EINVAL, 0, 0},
        {"5-", OCDN_EINVAL, 0, 0},
        {"5", OCDN_EINVAL, 0, 0},
        {"+1-2", OCDN_EINVAL, 0, 0},
        {"1-2-3", OCDN_EINVAL, 0, 0},
        {"a-b", OCDN_EINVAL, 0, 0},
        {"", OCDN_EINVAL, 0, 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        uint64_t a, b;
        ck_assert_msg(http_path_range_parse(rows[i].s, strlen(rows[i].s), &a, &b) == rows[i].err,
                      "'%s'", rows[i].s);
        ck_assert_uint_eq(a, rows[i].first);
        ck_assert_uint_eq(b, rows[i].last);
    }
}
END_TEST

START_TEST(status_texts)
{
    ck_assert_str_eq(http_status_text(206), "Partial Content");
    ck_assert_str_eq(http_status_text(416), "Range Not Satisfiable");
    ck_assert_str_eq(http_status_text(431), "Request Header Fields Too Large");
    ck_assert_str_eq(http_status_text(299), "Unknown");
    ck_assert_int_eq(http_reject_status(HTTP_REJECT_NONE), 400);
}
END_TEST

static Suite *
http_parse_suite(void)
{
    Suite *s = suite_create("http_parse");
    TCase *tc;
    int nrejects = (int)(sizeof(rejects) / sizeof(rejects[0]));
    int nranges = (int)(sizeof(ranges) / sizeof(ranges[0]));

    tc = tcase_create("reject");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, reject_fixture, 0, nrejects);
    tcase_add_loop_test(tc, reject_prefixes_never_accept, 0, nrejects);
    suite_add_tcase(s, tc);

    tc = tcase_create("accept");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, accept_range_path);
    tcase_add_test(tc, accept_keep_alive_rules);
    tcase_add_test(tc, accept_head_http10_without_host);
    tcase_add_test(tc, accept_range_header_trimmed);
    tcase_add_test(tc, accept_post_body_follows);
    tcase_add_test(tc, accept_expect_continue);
    tcase_add_test(tc, accept_leading_crlf);
    tcase_add_test(tc, accept_pipelined_in_order);
    tcase_add_test(tc, accept_host_forms);
    tcase_add_test(tc, accept_obs_text_value);
    tcase_add_test(tc, accept_percent_target_raw);
    tcase_add_test(tc, accept_max_headers_exactly);
    tcase_add_test(tc, limits_are_configurable);
    tcase_add_test(tc, status_texts);
    suite_add_tcase(s, tc);

    tc = tcase_create("incomplete");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, incomplete_needs_more);
    tcase_add_test(tc, incomplete_every_prefix);
    suite_add_tcase(s, tc);

    tc = tcase_create("query");
    tcase_add_test(tc, query_decodes_values);
    tcase_add_test(tc, query_rejects);
    suite_add_tcase(s, tc);

    tc = tcase_create("range");
    tcase_add_loop_test(tc, range_parse_table, 0, nranges);
    tcase_add_test(tc, range_resolve_table);
    tcase_add_test(tc, path_range_table);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(http_parse_suite());
}
