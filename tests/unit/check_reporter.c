/* check_reporter.c - the reporter (agent/reporter.c) and its protocol (agent/report_proto.c).
 * Pure parts with recorded replies and configs (tests/data/agent/reply, cpconf); the cycle
 * against a fake control plane: a small HTTP server thread on 127.0.0.1 that records each
 * request and answers with the next canned reply (an ack echoing the report's seq, an error,
 * a config, or a dropped connection), so retry, need_full, duplicate acks, seq persistence
 * and config fetches are checked request by request. Nothing sleeps; waits are bounded
 * condition waits on events. */
#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "clock.h"
#include "log.h"
#include "report_proto.h"
#include "reporter.h"
#include "testutil.h"

#define KEY      "ocdn_app_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define WAIT_MS  10000
#define REQS_MAX 64
#define Q_MAX    32

/* ======================================================================================== */
/* pure parts                                                                               */
/* ======================================================================================== */

static struct lineset *
set_of(const char *const *v, size_t n, bool routes)
{
    struct lineset_builder *b = lineset_builder_new(1000, 100000);
    struct lineset *s;
    size_t i;

    for (i = 0; i < n; i++) {
        if (routes) {
            const char *key = v[i], *bar = strchr(v[i], '|');
            ck_assert_int_eq(lineset_builder_add(b, key, (size_t)(bar - key), v[i], strlen(v[i])),
                             OCDN_OK);
        } else {
            ck_assert_int_eq(lineset_builder_add(b, v[i], strlen(v[i]), NULL, 0), OCDN_OK);
        }
    }
    ck_assert_int_eq(lineset_builder_finish(b, &s, NULL, 0), OCDN_OK);
    lineset_builder_free(b);
    return s;
}

static json_t *
parse_json(const char *s, size_t len)
{
    json_error_t je;
    json_t *j = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);

    ck_assert_msg(j != NULL, "invalid JSON: %s: %.200s", je.text, s);
    return j;
}

static const char *
jstr(json_t *j, const char *path_a, const char *path_b)
{
    json_t *v = json_object_get(j, path_a);

    if (path_b)
        v = json_object_get(v, path_b);
    return json_string_value(v);
}

static json_int_t
jint(json_t *j, const char *a, const char *b)
{
    json_t *v = json_object_get(j, a);

    if (b)
        v = json_object_get(v, b);
    ck_assert_msg(json_is_integer(v), "%s.%s is not an integer", a, b ? b : "");
    return json_integer_value(v);
}

START_TEST(body_full_parts)
{
    static const char *const r[] = {"203.0.113.0/24|65001 64500|50|65001:300|198.18.0.1|isp4",
                                    "198.51.100.0/24|||a\"b\\c||"};
    static const char *const c[] = {"tt0001-1080p", "tt0002"};
    struct lineset *rs = set_of(r, 2, true), *cs = set_of(c, 2, false);
    struct health_sample h = {0};
    struct report_traffic t = {8000, 123456789, 1000, 250, 990, 10, 0, 3};
    struct report_msg m = {0};
    struct buf b;
    json_t *j, *add;

    h.has_load = true;
    h.load1 = 0.8;
    h.has_mem = true;
    h.mem_pct = 40;
    h.has_cpu = true;
    h.cpu_pct = 150; /* clamped to 100 */
    h.has_uptime = true;
    h.uptime_s = 86400;
    h.has_disk = true;
    h.disk_ok = true;
    h.disk_size_bytes = 16000000000000LL;
    h.disk_used_bytes = 9000000000000LL;
    m.seq = 42;
    m.routes.mode = REPORT_PART_FULL;
    m.routes.set = rs;
    m.catalog.mode = REPORT_PART_FULL;
    m.catalog.set = cs;
    m.health = &h;
    m.traffic = &t;
    m.version = "0.1.0";
    m.started_at = 1764000000;
    buf_init(&b, 1 << 20);
    ck_assert_int_eq(report_proto_build(&m, &b), OCDN_OK);
    j = parse_json(b.data, b.len);
    ck_assert_int_eq(jint(j, "seq", NULL), 42);
    ck_assert_str_eq(jstr(j, "routes", "mode"), "full");
    ck_assert_ptr_null(json_object_get(json_object_get(j, "routes"), "base_seq"));
    ck_assert_ptr_null(json_object_get(json_object_get(j, "routes"), "del"));
    add = json_object_get(json_object_get(j, "routes"), "add");
    ck_assert_uint_eq(json_array_size(add), 2);
    /* Sorted by key; quotes and backslashes survive the JSON round trip. */
    ck_assert_str_eq(json_string_value(json_array_get(add, 0)), r[1]);
    ck_assert_str_eq(json_string_value(json_array_get(add, 1)), r[0]);
    ck_assert_str_eq(jstr(j, "catalog", "mode"), "full");
    ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(j, "catalog"), "add")), 2);
    ck_assert_double_eq_tol(
        json_real_value(json_object_get(json_object_get(j, "health"), "cpu_pct")), 100, 1e-9);
    ck_assert_int_eq(jint(j, "health", "uptime_s"), 86400);
    ck_assert_int_eq(jint(j, "health", "errors"), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_array_get(json_object_get(json_object_get(j, "health"), "disks"), 0),
                         "used_bytes")),
                     9000000000000LL);
    ck_assert_int_eq(jint(j, "traffic", "bytes_sent"), 123456789);
    ck_assert_int_eq(jint(j, "traffic", "status_4xx"), 10);
    ck_assert_str_eq(jstr(j, "agent", "version"), "0.1.0");
    ck_assert_int_eq(jint(j, "agent", "started_at"), 1764000000);
    json_decref(j);
    buf_clear(&b);
    lineset_unref(rs);
    lineset_unref(cs);
}
END_TEST

START_TEST(body_delta_and_omitted_parts)
{
    const char *a[] = {"x", "y"};
    const char *d[] = {"gone"};
    struct lineset_delta delta = {a, 2, d, 1};
    struct lineset_delta none = {NULL, 0, NULL, 0};
    struct report_msg m = {0};
    struct buf b;
    json_t *j, *cat;

    m.seq = 43;
    m.catalog.mode = REPORT_PART_DELTA;
    m.catalog.delta = &delta;
    m.catalog.base_seq = 42;
    m.routes.mode = REPORT_PART_DELTA;
    m.routes.delta = &none;
    m.routes.base_seq = 42;
    buf_init(&b, 4096);
    ck_assert_int_eq(report_proto_build(&m, &b), OCDN_OK);
    j = parse_json(b.data, b.len);
    cat = json_object_get(j, "catalog");
    ck_assert_str_eq(jstr(j, "catalog", "mode"), "delta");
    ck_assert_int_eq(jint(j, "catalog", "base_seq"), 42);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(cat, "add"), 1)), "y");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(cat, "del"), 0)), "gone");
    /* An empty delta is still a delta: it proves the base to the control plane. */
    ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(j, "routes"), "add")), 0);
    ck_assert_ptr_null(json_object_get(j, "health"));
    ck_assert_ptr_null(json_object_get(j, "traffic"));
    ck_assert_ptr_null(json_object_get(j, "agent"));
    json_decref(j);
    /* Left-out parts are absent. */
    buf_reset(&b);
    m.routes.mode = REPORT_PART_NONE;
    m.catalog.mode = REPORT_PART_NONE;
    ck_assert_int_eq(report_proto_build(&m, &b), OCDN_OK);
    ck_assert_str_eq(b.data, "{\"seq\":43}");
    buf_clear(&b);
}
END_TEST

START_TEST(body_limits_and_bad_input)
{
    static const char *const c[] = {"a", "b", "c"};
    struct lineset *cs = set_of(c, 3, false);
    struct report_msg m = {0};
    struct buf b;

    m.seq = 1;
    m.catalog.mode = REPORT_PART_FULL;
    m.catalog.set = cs;
    buf_init(&b, 30);
    ck_assert_int_eq(buf_puts(&b, "prefix"), OCDN_OK);
    ck_assert_int_eq(report_proto_build(&m, &b), OCDN_ETOOBIG);
    ck_assert_str_eq(b.data, "prefix"); /* unchanged */
    b.max = 1000;
    m.seq = 0;
    ck_assert_int_eq(report_proto_build(&m, &b), OCDN_EINVAL);
    m.seq = 1;
    m.catalog.mode = REPORT_PART_DELTA; /* without a delta */
    ck_assert_int_eq(report_proto_build(&m, &b), OCDN_EINVAL);
    m.catalog.mode = REPORT_PART_FULL;
    m.catalog.set = NULL;
    ck_assert_int_eq(report_proto_build(&m, &b), OCDN_EINVAL);
    ck_assert_str_eq(b.data, "prefix");
    buf_clear(&b);
    lineset_unref(cs);
}
END_TEST

static char *
gunzip_all(const char *in, size_t len, size_t *outlen)
{
    size_t cap = 1 << 20;
    char *out = malloc(cap + 1);
    z_stream z;

    memset(&z, 0, sizeof(z));
    ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
    *outlen = cap - z.avail_out;
    out[*outlen] = '\0';
    inflateEnd(&z);
    return out;
}

START_TEST(gzip_round_trip_and_limit)
{
    char plain[100000], *back;
    struct buf b;
    size_t i, n;

    for (i = 0; i < sizeof(plain); i++)
        plain[i] = (char)('a' + (i * 7) % 26);
    buf_init(&b, 1 << 20);
    ck_assert_int_eq(report_proto_gzip(plain, sizeof(plain), &b), OCDN_OK);
    ck_assert_uint_lt(b.len, sizeof(plain));
    ck_assert_int_eq((unsigned char)b.data[0], 0x1f); /* gzip magic */
    ck_assert_int_eq((unsigned char)b.data[1], 0x8b);
    back = gunzip_all(b.data, b.len, &n);
    ck_assert_uint_eq(n, sizeof(plain));
    ck_assert_int_eq(memcmp(back, plain, n), 0);
    free(back);
    buf_clear(&b);
    buf_init(&b, 10);
    ck_assert_int_eq(report_proto_gzip(plain, sizeof(plain), &b), OCDN_ETOOBIG);
    ck_assert_uint_eq(b.len, 0);
    buf_clear(&b);
}
END_TEST

static void
reply_of(long status, const char *rel, struct report_reply *out)
{
    char path[256];
    size_t len;
    char *body;

    snprintf(path, sizeof(path), "agent/reply/%s", rel);
    body = fixture(path, &len);
    report_proto_parse_reply(status, body, len, out);
    free(body);
}

START_TEST(reply_ack)
{
    struct report_reply r;

    reply_of(200, "ack.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_ACK);
    ck_assert_int_eq(r.ack_seq, 42);
    ck_assert(!r.duplicate);
    ck_assert_str_eq(r.config_version, "9f1c0a5e3b7d2c11");
    ck_assert_int_eq(r.manifest_version, 3);
    ck_assert_str_eq(r.oca_status, "online");
    reply_of(200, "ack_duplicate.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_ACK);
    ck_assert(r.duplicate);
    reply_of(200, "ack_minimal.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_ACK);
    ck_assert_str_eq(r.config_version, "");
    reply_of(200, "ack_unknown_member.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_ACK);
    ck_assert_str_eq(r.config_version, "v");
}
END_TEST

START_TEST(reply_errors_classified)
{
    struct report_reply r;

    reply_of(409, "need_full.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_NEED_FULL);
    ck_assert_ptr_nonnull(strstr(r.detail, "send a full report"));
    reply_of(409, "decommissioned.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_REJECTED);
    ck_assert_str_eq(r.detail, "this OCA is decommissioned");
    reply_of(400, "bad_request.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_REJECTED);
    ck_assert_str_eq(r.detail, "routes.add[12]: bad prefix");
    reply_of(401, "unauthorized.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_UNAUTH);
    reply_of(403, "unauthorized.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_UNAUTH);
    reply_of(503, "busy.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_RETRY);
    ck_assert_str_eq(r.detail, "database busy");
    reply_of(502, "bad_not_json.txt", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_RETRY);
    ck_assert_str_eq(r.detail, "");
    reply_of(413, "bad_request.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_REJECTED);
    reply_of(429, "busy.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_RETRY);
    reply_of(302, "bad_not_json.txt", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_BAD);
    ck_assert_ptr_nonnull(strstr(r.detail, "302"));
    reply_of(204, "ack.json", &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_BAD);
    /* An error reply that is not JSON, or empty. */
    report_proto_parse_reply(500, "", 0, &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_RETRY);
    report_proto_parse_reply(409, "", 0, &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_REJECTED);
    /* need_full must be a real boolean true. */
    report_proto_parse_reply(409, "{\"need_full\":\"yes\"}", 19, &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_REJECTED);
}
END_TEST

static const char *const bad_acks[] = {
    "bad_not_json.txt",      "bad_truncated.json",      "bad_no_ack_seq.json",
    "bad_no_duplicate.json", "bad_ack_seq_string.json", "bad_ack_seq_zero.json",
    "bad_ack_seq_real.json", "bad_version_long.json",   "bad_version_space.json",
    "bad_version_null.json", "bad_array.json",          "bad_need_full_200.json",
    "bad_deep.json",         "bad_duplicate_key.json",  "bad_manifest_negative.json",
};

START_TEST(reply_bad_ack_bodies)
{
    struct report_reply r;

    reply_of(200, bad_acks[_i], &r);
    ck_assert_msg(r.kind == REPORT_REPLY_BAD, "%s: kind %d", bad_acks[_i], r.kind);
    ck_assert_msg(r.detail[0] != '\0', "%s: no reason", bad_acks[_i]);
    ck_assert_int_eq(r.ack_seq, 0);
}
END_TEST

START_TEST(reply_huge_and_hostile)
{
    struct report_reply r;
    size_t n = REPORT_REPLY_MAX + 1;
    char *big = malloc(n);
    const char *ctl = "{\"error\":\"x\",\"detail\":\"line\\nbreak\\u001b[31m\"}";

    memset(big, ' ', n);
    memcpy(big, "{\"ack_seq\":1,\"duplicate\":false}", 31);
    report_proto_parse_reply(200, big, n, &r);
    ck_assert_int_eq(r.kind, REPORT_REPLY_BAD);
    ck_assert_ptr_nonnull(strstr(r.detail, "larger"));
    report_proto_parse_reply(200, big, n - 1, &r); /* at the limit: trailing blanks are fine */
    ck_assert_int_eq(r.kind, REPORT_REPLY_ACK);
    free(big);
    /* Control characters in a detail are masked so the log line stays one line. */
    report_proto_parse_reply(400, ctl, strlen(ctl), &r);
    ck_assert_str_eq(r.detail, "line?break?[31m");
}
END_TEST

/* Damaged replies and configs (random bytes changed, cut short) never crash the parsers and
 * never yield an ack or a config that was not in the text. */
START_TEST(reply_and_config_mutations)
{
    size_t alen, clen, i, k;
    char *ack = fixture("agent/reply/ack.json", &alen);
    char *conf = fixture("agent/cpconf/good.json", &clen);
    char *m = malloc(clen > alen ? clen : alen);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    struct report_reply r;
    struct cpconf c;
    char err[256];

    for (i = 0; i < 3000; i++) {
        const char *src = i % 2 ? conf : ack;
        size_t len = i % 2 ? clen : alen, cut;

        memcpy(m, src, len);
        for (k = 0; k < 1 + i % 4; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            m[x % len] = (char)(x >> 32);
        }
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        cut = i % 5 == 0 ? (size_t)(x % len) : len;
        if (i % 2) {
            if (report_proto_parse_config(m, cut, &c, err, sizeof(err)) == OCDN_OK) {
                ck_assert_int_ge(c.oca_id, 1);
                ck_assert_uint_ge(c.nkeys, 1);
                ck_assert_uint_le(c.nkeys, CPCONF_KEYS_MAX);
                ck_assert_uint_ge(c.nhosts, 1);
            } else {
                ck_assert_uint_eq(c.nkeys, 0);
            }
        } else {
            report_proto_parse_reply(200, m, cut, &r);
            ck_assert(r.kind == REPORT_REPLY_ACK || r.kind == REPORT_REPLY_BAD);
            if (r.kind == REPORT_REPLY_ACK)
                ck_assert_int_ge(r.ack_seq, 1);
            ck_assert_uint_lt(strlen(r.detail), sizeof(r.detail));
        }
    }
    free(m);
    free(ack);
    free(conf);
}
END_TEST

static enum ocdn_err
conf_of(const char *rel, struct cpconf *out, char *err, size_t errlen)
{
    char path[256];
    size_t len;
    char *body;
    enum ocdn_err e;

    snprintf(path, sizeof(path), "agent/cpconf/%s", rel);
    body = fixture(path, &len);
    e = report_proto_parse_config(body, len, out, err, errlen);
    free(body);
    return e;
}

START_TEST(config_good)
{
    struct cpconf c;
    char err[256];
    size_t i;

    ck_assert_int_eq(conf_of("good.json", &c, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(c.oca_id, 7);
    ck_assert_str_eq(c.version, "9f1c0a5e3b7d2c11");
    ck_assert_uint_eq(c.nhosts, 3);
    ck_assert_str_eq(c.hosts[1], "ipv4-c001-tls001-isp.1.oca.example.net");
    ck_assert_uint_eq(c.nkeys, 2);
    ck_assert_int_eq(c.keys[0].not_after, 0);
    ck_assert_int_eq(c.keys[1].not_after, 1764086400);
    for (i = 0; i < TOKEN_KEY_LEN; i++) {
        ck_assert_int_eq(c.keys[0].key[i], 1);
        ck_assert_int_eq(c.keys[1].key[i], 2);
    }
    ck_assert_int_eq(c.report_interval_s, 300);
    ck_assert_int_eq(c.max_token_ttl_s, 21600);
    ck_assert_int_eq(conf_of("unknown_member.json", &c, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(conf_of("old_hostname_only.json", &c, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_eq(c.nhosts, 1);
    ck_assert_str_eq(c.hosts[0], "c001-tls001-isp.1.oca.example.net");
}
END_TEST

START_TEST(config_keeps_current_and_longest_keys)
{
    struct cpconf c;
    char err[256];

    ck_assert_int_eq(conf_of("many_keys.json", &c, err, sizeof(err)), OCDN_OK);
    ck_assert_uint_eq(c.nkeys, CPCONF_KEYS_MAX);
    ck_assert_int_eq(c.keys[0].not_after, 0);
    ck_assert_int_eq(c.keys[0].key[0], 1);
    ck_assert_int_eq(c.keys[1].not_after, 400);
    ck_assert_int_eq(c.keys[1].key[0], 6);
    ck_assert_int_eq(c.keys[2].not_after, 300);
    ck_assert_int_eq(c.keys[3].not_after, 200);
}
END_TEST

static const struct {
    const char *file;
    const char *why;
} bad_confs[] = {
    {"bad_no_oca_id.json", "oca_id"},
    {"bad_oca_id_zero.json", "oca_id"},
    {"bad_no_version.json", "config_version"},
    {"bad_version_empty.json", "config_version"},
    {"bad_no_keys.json", "no key"},
    {"bad_keys_missing.json", "sign_keys"},
    {"bad_key_short.json", "key"},
    {"bad_key_padding.json", "sign_keys[0].key"},
    {"bad_key_plus.json", "sign_keys[0].key"},
    {"bad_key_no_not_after.json", "not_after"},
    {"bad_key_not_object.json", "sign_keys[0]: must be an object"},
    {"bad_too_many_keys.json", "sign_keys"},
    {"bad_host_bad.json", "hostnames[1]: not a host name"},
    {"bad_host_empty_list.json", "no host name"},
    {"bad_host_not_string.json", "hostnames[0]"},
    {"bad_too_many_hosts.json", "hostnames"},
    {"bad_host_long.json", "hostnames[0]"},
    {"bad_interval_zero.json", "report_interval_s"},
    {"bad_ttl_string.json", "max_token_ttl_s"},
    {"bad_not_object.json", "not a JSON object"},
    {"bad_truncated.json", "invalid JSON"},
};

START_TEST(config_bad)
{
    struct cpconf c;
    char err[256] = "";

    ck_assert_int_eq(conf_of(bad_confs[_i].file, &c, err, sizeof(err)), OCDN_EINVAL);
    ck_assert_msg(strstr(err, bad_confs[_i].why) != NULL, "%s: \"%s\" lacks \"%s\"",
                  bad_confs[_i].file, err, bad_confs[_i].why);
    ck_assert_int_eq(c.oca_id, 0);
    ck_assert_uint_eq(c.nkeys, 0);
}
END_TEST

START_TEST(config_too_big)
{
    struct cpconf c;
    char err[256];
    size_t n = REPORT_REPLY_MAX + 1;
    char *big = calloc(1, n);

    ck_assert_int_eq(report_proto_parse_config(big, n, &c, err, sizeof(err)), OCDN_ETOOBIG);
    free(big);
}
END_TEST

START_TEST(backoff_doubles_capped_jittered)
{
    uint64_t seed = 1;
    int64_t d;
    unsigned f;
    int i;

    for (i = 0; i < 50; i++) {
        d = report_proto_backoff_ms(1, 1000, 60000, &seed);
        ck_assert_int_ge(d, 800);
        ck_assert_int_le(d, 1200);
        d = report_proto_backoff_ms(3, 1000, 60000, &seed);
        ck_assert_int_ge(d, 3200);
        ck_assert_int_le(d, 4800);
        for (f = 7; f < 200; f += 37) {
            d = report_proto_backoff_ms(f, 1000, 60000, &seed);
            ck_assert_int_ge(d, 48000);
            ck_assert_int_le(d, 60000);
        }
    }
    ck_assert_int_eq(report_proto_backoff_ms(1000000, 1000, 1000, &seed) <= 1000, 1);
    ck_assert_int_ge(report_proto_backoff_ms(0, 0, 0, &seed), 1);
    /* A minimum above the maximum is lifted to it, not obeyed. */
    ck_assert_int_le(report_proto_backoff_ms(1, 5000, 100, &seed), 5000);
}
END_TEST

/* ======================================================================================== */
/* the fake control plane                                                                   */
/* ======================================================================================== */

enum fake_mode {
    FAKE_FIXED,     /* status + body as given */
    FAKE_ACK,       /* 200 ack echoing the report's seq */
    FAKE_ACK_DUP,   /* the same with duplicate: true */
    FAKE_ACK_OTHER, /* 200 ack for seq + 1000 */
    FAKE_DROP,      /* read the request, close without a reply */
};

struct fake_reply {
    enum fake_mode mode;
    int status;
    const char *body;
    const char *version; /* FAKE_ACK*: config_version; FIXED: ETag */
};

struct fake_req {
    char method[8];
    char path[128];
    char auth[256];
    char ctype[64];
    char cenc[32];
    char inm[128];
    char *body; /* decoded (gunzipped) */
    size_t len;
    bool gzipped;
    int64_t seq; /* of a report */
};

struct fake {
    int fd, stop_pipe[2];
    uint16_t port;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct fake_reply q[Q_MAX];
    size_t qhead, qlen;
    struct fake_req reqs[REQS_MAX];
    size_t nreq;
};

static struct fake fk;

static void
fake_expect(enum fake_mode mode, int status, const char *body, const char *version)
{
    pthread_mutex_lock(&fk.mu);
    ck_assert_uint_lt(fk.qhead + fk.qlen, Q_MAX);
    fk.q[fk.qhead + fk.qlen++] = (struct fake_reply){mode, status, body, version};
    pthread_mutex_unlock(&fk.mu);
}

static size_t
fake_nreq(void)
{
    size_t n;

    pthread_mutex_lock(&fk.mu);
    n = fk.nreq;
    pthread_mutex_unlock(&fk.mu);
    return n;
}

static const struct fake_req *
fake_req(size_t i)
{
    const struct fake_req *r;

    pthread_mutex_lock(&fk.mu);
    ck_assert_uint_lt(i, fk.nreq);
    r = &fk.reqs[i];
    pthread_mutex_unlock(&fk.mu);
    return r;
}

static size_t
fake_pending_replies(void)
{
    size_t n;

    pthread_mutex_lock(&fk.mu);
    n = fk.qlen;
    pthread_mutex_unlock(&fk.mu);
    return n;
}

/* Wait (bounded) until n requests were recorded. */
static bool
fake_wait(size_t n)
{
    struct timespec ts;
    bool ok;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += WAIT_MS / 1000;
    pthread_mutex_lock(&fk.mu);
    while (fk.nreq < n) {
        if (pthread_cond_timedwait(&fk.cv, &fk.mu, &ts) == ETIMEDOUT)
            break;
    }
    ok = fk.nreq >= n;
    pthread_mutex_unlock(&fk.mu);
    return ok;
}

static void
header_value(const char *head, const char *name, char *out, size_t len)
{
    const char *p = head;
    size_t n = strlen(name);

    out[0] = '\0';
    while ((p = strstr(p, "\r\n"))) {
        p += 2;
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1, *e = strstr(v, "\r\n");
            while (*v == ' ')
                v++;
            snprintf(out, len, "%.*s", (int)(e - v), v);
            return;
        }
    }
}

static bool
read_full(int fd, char *buf, size_t n)
{
    size_t got = 0;
    ssize_t r;

    while (got < n) {
        r = read(fd, buf + got, n - got);
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

static void
send_all(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n) {
        w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void
fake_serve_one(int c)
{
    char head[65536], val[256], out[1024], ack[512];
    size_t hl = 0, clen, extra;
    struct fake_req rq;
    struct fake_reply rep = {FAKE_FIXED, 500, "{\"error\":\"no reply queued\"}", NULL};
    const char *end = NULL, *body;
    char *raw;
    ssize_t r;
    json_t *j;

    memset(&rq, 0, sizeof(rq));
    while (!end) {
        r = read(c, head + hl, sizeof(head) - 1 - hl);
        if (r <= 0)
            return;
        hl += (size_t)r;
        head[hl] = '\0';
        end = strstr(head, "\r\n\r\n");
        if (!end && hl == sizeof(head) - 1)
            return;
    }
    sscanf(head, "%7s %127s", rq.method, rq.path);
    header_value(head, "Authorization", rq.auth, sizeof(rq.auth));
    header_value(head, "Content-Type", rq.ctype, sizeof(rq.ctype));
    header_value(head, "Content-Encoding", rq.cenc, sizeof(rq.cenc));
    header_value(head, "If-None-Match", rq.inm, sizeof(rq.inm));
    header_value(head, "Content-Length", val, sizeof(val));
    clen = (size_t)strtoul(val, NULL, 10);
    ck_assert_uint_lt(clen, 64u << 20);
    header_value(head, "Expect", val, sizeof(val));
    if (strcasecmp(val, "100-continue") == 0)
        send_all(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    raw = malloc(clen + 1);
    extra = hl - (size_t)(end + 4 - head);
    memcpy(raw, end + 4, extra < clen ? extra : clen);
    if (extra < clen && !read_full(c, raw + extra, clen - extra)) {
        free(raw);
        return;
    }
    raw[clen] = '\0';
    if (strcasecmp(rq.cenc, "gzip") == 0) {
        rq.body = gunzip_all(raw, clen, &rq.len);
        rq.gzipped = true;
        free(raw);
    } else {
        rq.body = raw;
        rq.len = clen;
    }
    if (rq.len && strcmp(rq.path, "/v1/agent/report") == 0) {
        j = json_loadb(rq.body, rq.len, 0, NULL);
        rq.seq = j ? json_integer_value(json_object_get(j, "seq")) : -1;
        json_decref(j);
    }

    pthread_mutex_lock(&fk.mu);
    if (fk.qlen) {
        rep = fk.q[fk.qhead++];
        fk.qlen--;
    }
    if (fk.nreq < REQS_MAX)
        fk.reqs[fk.nreq++] = rq;
    else
        free(rq.body);
    pthread_cond_broadcast(&fk.cv);
    pthread_mutex_unlock(&fk.mu);

    if (rep.mode == FAKE_DROP)
        return;
    body = rep.body;
    if (rep.mode != FAKE_FIXED) {
        snprintf(ack, sizeof(ack),
                 "{\"ack_seq\":%lld,\"duplicate\":%s,\"need_full\":false,\"routes\":{\"added\":0,"
                 "\"removed\":0,\"total\":0},\"catalog\":{\"added\":0,\"removed\":0,\"total\":0},"
                 "\"config_version\":\"%s\",\"manifest_version\":0,\"status\":\"online\"}",
                 (long long)(rq.seq + (rep.mode == FAKE_ACK_OTHER ? 1000 : 0)),
                 rep.mode == FAKE_ACK_DUP ? "true" : "false", rep.version ? rep.version : "");
        body = ack;
        rep.status = 200;
    }
    snprintf(out, sizeof(out),
             "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n%s%s%s\r\n",
             rep.status, body ? strlen(body) : 0,
             rep.mode == FAKE_FIXED && rep.version ? "ETag: \"" : "",
             rep.mode == FAKE_FIXED && rep.version ? rep.version : "",
             rep.mode == FAKE_FIXED && rep.version ? "\"\r\n" : "");
    send_all(c, out, strlen(out));
    if (body)
        send_all(c, body, strlen(body));
}

static void *
fake_run(void *arg)
{
    struct pollfd p[2];
    struct timeval tv = {WAIT_MS / 1000, 0};
    int c;

    (void)arg;
    p[0].fd = fk.fd;
    p[0].events = POLLIN;
    p[1].fd = fk.stop_pipe[0];
    p[1].events = POLLIN;
    for (;;) {
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            break;
        if (!(p[0].revents & POLLIN))
            continue;
        c = accept(fk.fd, NULL, NULL);
        if (c < 0)
            continue;
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        fake_serve_one(c);
        close(c);
    }
    return NULL;
}

static void
fake_start(void)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int one = 1;

    memset(&fk, 0, sizeof(fk));
    pthread_mutex_init(&fk.mu, NULL);
    pthread_cond_init(&fk.cv, NULL);
    fk.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fk.fd, 0);
    setsockopt(fk.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fk.fd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(fk.fd, 16), 0);
    ck_assert_int_eq(getsockname(fk.fd, (struct sockaddr *)&a, &alen), 0);
    fk.port = ntohs(a.sin_port);
    ck_assert_int_eq(pipe(fk.stop_pipe), 0);
    ck_assert_int_eq(pthread_create(&fk.thread, NULL, fake_run, NULL), 0);
}

static void
fake_stop(void)
{
    size_t i;

    ck_assert_int_eq(write(fk.stop_pipe[1], "x", 1), 1);
    pthread_join(fk.thread, NULL);
    close(fk.fd);
    close(fk.stop_pipe[0]);
    close(fk.stop_pipe[1]);
    for (i = 0; i < fk.nreq; i++)
        free(fk.reqs[i].body);
    pthread_cond_destroy(&fk.cv);
    pthread_mutex_destroy(&fk.mu);
}

/* ======================================================================================== */
/* the cycle                                                                                */
/* ======================================================================================== */

static char *tmp;
static char data_dir[4096], state_dir[4096], routes_path[4096], url[64];
static struct reporter_config rcfg;
static struct cpconf applied;
static int napplied;
static uint64_t stat_bytes;

static void
hook_stats(void *ctx, struct report_traffic *t)
{
    (void)ctx;
    stat_bytes += 1000;
    t->bytes_sent = stat_bytes;
    t->requests = 10;
    t->status_2xx = 9;
    t->status_4xx = 1;
}

static void
hook_apply(void *ctx, const struct cpconf *c)
{
    (void)ctx;
    applied = *c;
    napplied++;
}

static const struct reporter_hooks hooks = {NULL, hook_stats, hook_apply};

static void
put_file(const char *dir, const char *name, const char *content)
{
    char path[8192];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    write_file(path, content, strlen(content));
}

static void
del_file(const char *dir, const char *name)
{
    char path[8192];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ck_assert_int_eq(unlink(path), 0);
}

static void
write_routes(const char *text)
{
    write_file(routes_path, text, strlen(text));
}

static void
cycle_setup(void)
{
    tmp = tmpdir_new();
    snprintf(data_dir, sizeof(data_dir), "%s/data", tmp);
    snprintf(state_dir, sizeof(state_dir), "%s/state", tmp);
    snprintf(routes_path, sizeof(routes_path), "%s/routes.txt", tmp);
    ck_assert_int_eq(mkdir(data_dir, 0700), 0);
    ck_assert_int_eq(mkdir(state_dir, 0700), 0);
    put_file(data_dir, "tt0001-1080p", "a");
    put_file(data_dir, "tt0002-720p", "b");
    write_routes("203.0.113.0/24|65001 64500|50|65001:300|198.18.0.1|isp4\n"
                 "198.51.100.0/24|65001|||192.0.2.1|isp4\n");
    fake_start();
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", fk.port);
    memset(&rcfg, 0, sizeof(rcfg));
    rcfg.url = url;
    rcfg.key = KEY;
    rcfg.state_dir = state_dir;
    rcfg.data_dir = data_dir;
    rcfg.routes_file = routes_path;
    rcfg.interval_ms = 60000;
    rcfg.timeout_ms = 5000;
    rcfg.retry_min_ms = 1000;
    rcfg.retry_max_ms = 8000;
    rcfg.gzip_min = 1 << 20;
    rcfg.report_max = 16 << 20;
    rcfg.max_routes = 1000;
    rcfg.max_files = 1000;
    memset(&applied, 0, sizeof(applied));
    napplied = 0;
    stat_bytes = 0;
}

static void
cycle_teardown(void)
{
    fake_stop();
    tmpdir_remove(tmp);
    tmp = NULL;
}

static struct reporter *
new_reporter(const struct cpconf *known)
{
    struct reporter *r = NULL;
    char err[512];

    ck_assert_msg(reporter_new(&rcfg, &hooks, known, &r, err, sizeof(err)) == OCDN_OK, "%s", err);
    return r;
}

static json_t *
req_json(size_t i)
{
    const struct fake_req *q = fake_req(i);

    return parse_json(q->body, q->len);
}

/* The string items of body.part.list, joined by ',' (for compact comparisons). */
static char *
list_of(json_t *j, const char *part, const char *list)
{
    static char out[4096];
    json_t *arr = json_object_get(json_object_get(j, part), list), *v;
    size_t i, used = 0;

    out[0] = '\0';
    json_array_foreach(arr, i, v)
    {
        used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s", i ? "," : "",
                                 json_string_value(v));
    }
    return out;
}

static void
run(struct reporter *r, struct reporter_result *res, enum reporter_outcome want)
{
    reporter_run_once(r, res);
    ck_assert_msg(res->outcome == want, "outcome %d, expected %d", res->outcome, want);
}

/* A number from the seq file on disk ("next_seq", "acked_seq", "base_seq"). */
static int64_t
seq_on_disk(const char *field)
{
    char path[8192], buf[512], *p;
    size_t len;
    FILE *f;

    snprintf(path, sizeof(path), "%s/seq", state_dir);
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    p = strstr(buf, field);
    ck_assert_ptr_nonnull(p);
    return strtoll(p + strlen(field) + 1, NULL, 10);
}

START_TEST(first_full_then_delta)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    const struct fake_req *q;
    int64_t s1;
    json_t *j;

    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert(res.routes_full && res.catalog_full);
    ck_assert_uint_eq(res.attempt, 1);
    ck_assert_int_ge(res.delay_ms, 54000); /* 60 s +-10 % */
    ck_assert_int_le(res.delay_ms, 66000);
    q = fake_req(0);
    ck_assert_str_eq(q->method, "POST");
    ck_assert_str_eq(q->path, "/v1/agent/report");
    ck_assert_str_eq(q->auth, "Bearer " KEY);
    ck_assert_str_eq(q->ctype, "application/json");
    ck_assert(!q->gzipped);
    j = req_json(0);
    s1 = jint(j, "seq", NULL);
    ck_assert_int_eq(s1, res.seq);
    ck_assert_str_eq(jstr(j, "routes", "mode"), "full");
    ck_assert_str_eq(list_of(j, "routes", "add"),
                     "198.51.100.0/24|65001|||192.0.2.1|isp4,"
                     "203.0.113.0/24|65001 64500|50|65001:300|198.18.0.1|isp4");
    ck_assert_str_eq(list_of(j, "catalog", "add"), "tt0001-1080p,tt0002-720p");
    ck_assert_ptr_nonnull(json_object_get(j, "health"));
    ck_assert_int_eq(jint(j, "traffic", "bytes_sent"), 1000);
    json_decref(j);
    ck_assert_int_eq(reporter_state(r)->acked_seq, s1);
    ck_assert_int_eq(reporter_state(r)->base_seq, s1);
    ck_assert_int_eq(seq_on_disk("acked_seq"), s1);
    ck_assert_int_eq(seq_on_disk("next_seq"), s1 + 1);

    /* Changes: a file added, one removed, a route withdrawn, one changed. */
    put_file(data_dir, "tt0003-480p", "c");
    put_file(data_dir, "tt0003.tmp", "partial");
    del_file(data_dir, "tt0001-1080p");
    write_routes("203.0.113.0/24|65001 64500|60|65001:300|198.18.0.1|isp4\n");
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert(!res.routes_full && !res.catalog_full);
    j = req_json(1);
    ck_assert_int_eq(jint(j, "seq", NULL), s1 + 1);
    ck_assert_str_eq(jstr(j, "routes", "mode"), "delta");
    ck_assert_int_eq(jint(j, "routes", "base_seq"), s1);
    ck_assert_str_eq(list_of(j, "routes", "del"), "198.51.100.0/24 isp4");
    ck_assert_str_eq(list_of(j, "routes", "add"),
                     "203.0.113.0/24|65001 64500|60|65001:300|198.18.0.1|isp4");
    ck_assert_int_eq(jint(j, "catalog", "base_seq"), s1);
    ck_assert_str_eq(list_of(j, "catalog", "add"), "tt0003-480p");
    ck_assert_str_eq(list_of(j, "catalog", "del"), "tt0001-1080p");
    json_decref(j);

    /* Nothing changed: an empty delta still goes out, with health and traffic. */
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    j = req_json(2);
    ck_assert_int_eq(jint(j, "routes", "base_seq"), s1 + 1);
    ck_assert_str_eq(list_of(j, "routes", "add"), "");
    ck_assert_str_eq(list_of(j, "catalog", "del"), "");
    ck_assert_int_eq(jint(j, "traffic", "bytes_sent"), 3000);
    ck_assert_ptr_nonnull(json_object_get(j, "health"));
    json_decref(j);
    /* The base file is not rewritten for an unchanged set: base_seq stays. */
    ck_assert_int_eq(reporter_state(r)->acked_seq, s1 + 2);
    ck_assert_int_eq(reporter_state(r)->base_seq, s1 + 1);
    reporter_free(r);
}
END_TEST

START_TEST(retry_resends_same_report)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    json_t *a, *b, *c;

    fake_expect(FAKE_FIXED, 503, "{\"error\":\"service_unavailable\",\"detail\":\"busy\"}", NULL);
    run(r, &res, REPORTER_RETRY);
    ck_assert_int_ge(res.delay_ms, 800);
    ck_assert_int_le(res.delay_ms, 1200);
    fake_expect(FAKE_FIXED, 500, "", NULL);
    run(r, &res, REPORTER_RETRY);
    ck_assert_int_ge(res.delay_ms, 1600); /* doubled */
    ck_assert_int_le(res.delay_ms, 2400);
    ck_assert_uint_eq(res.attempt, 2);
    /* The data changes meanwhile; the retry still sends what the first attempt sent. */
    put_file(data_dir, "tt0009", "x");
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert_uint_eq(res.attempt, 3);
    ck_assert_int_eq(res.delay_ms, 0); /* catch up at once */
    a = req_json(0);
    b = req_json(2);
    ck_assert_int_eq(jint(a, "seq", NULL), jint(b, "seq", NULL));
    ck_assert(json_equal(json_object_get(a, "routes"), json_object_get(b, "routes")));
    ck_assert(json_equal(json_object_get(a, "catalog"), json_object_get(b, "catalog")));
    /* The next report carries the change as a delta against the acked retry. */
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert_int_ge(res.delay_ms, 54000);
    c = req_json(3);
    ck_assert_int_eq(jint(c, "seq", NULL), jint(a, "seq", NULL) + 1);
    ck_assert_str_eq(jstr(c, "catalog", "mode"), "delta");
    ck_assert_str_eq(list_of(c, "catalog", "add"), "tt0009");
    json_decref(a);
    json_decref(b);
    json_decref(c);
    reporter_free(r);
}
END_TEST

/* The report was applied but the reply was lost: the resend is acked as a duplicate. */
START_TEST(lost_reply_then_duplicate_ack)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    int64_t seq;

    fake_expect(FAKE_DROP, 0, NULL, NULL);
    run(r, &res, REPORTER_RETRY);
    seq = res.seq;
    ck_assert_int_eq(reporter_state(r)->acked_seq, 0);
    /* The seq was saved as used before it was sent. */
    ck_assert_int_eq(seq_on_disk("next_seq"), seq + 1);
    fake_expect(FAKE_ACK_DUP, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert(res.duplicate);
    ck_assert_int_eq(res.seq, seq);
    ck_assert_int_eq(reporter_state(r)->acked_seq, seq);
    ck_assert_ptr_nonnull(reporter_state(r)->catalog);
    reporter_free(r);
}
END_TEST

START_TEST(need_full_drops_base)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    const char *nf =
        "{\"error\":\"conflict\",\"detail\":\"send a full report\",\"need_full\":true}";
    json_t *j;

    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    fake_expect(FAKE_FIXED, 409, nf, NULL);
    run(r, &res, REPORTER_NEED_FULL);
    ck_assert_int_eq(res.delay_ms, 0);
    ck_assert_ptr_null(reporter_state(r)->routes);
    ck_assert_int_eq(seq_on_disk("base_seq"), 0);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert(res.routes_full && res.catalog_full);
    j = req_json(2);
    ck_assert_int_eq(jint(j, "seq", NULL), res.seq);
    ck_assert_str_eq(jstr(j, "routes", "mode"), "full");
    ck_assert_str_eq(jstr(j, "catalog", "mode"), "full");
    json_decref(j);
    reporter_free(r);
}
END_TEST

/* need_full for a full report cannot be fixed by sending it again in full: back off. */
START_TEST(need_full_for_full_report_backs_off)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    const char *nf = "{\"error\":\"conflict\",\"need_full\":true}";

    fake_expect(FAKE_FIXED, 409, nf, NULL);
    run(r, &res, REPORTER_RETRY);
    ck_assert_int_ge(res.delay_ms, 800);
    reporter_free(r);
}
END_TEST

START_TEST(unauthorized_keeps_report_and_backs_off)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    int64_t seq;

    fake_expect(FAKE_FIXED, 401, "{\"error\":\"unauthorized\"}", NULL);
    run(r, &res, REPORTER_UNAUTH);
    seq = res.seq;
    ck_assert_int_ge(res.delay_ms, 800);
    fake_expect(FAKE_FIXED, 401, "{\"error\":\"unauthorized\"}", NULL);
    run(r, &res, REPORTER_UNAUTH);
    ck_assert_int_ge(res.delay_ms, 1600);
    ck_assert_int_eq(res.seq, seq);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert_int_eq(res.seq, seq);
    reporter_free(r);
}
END_TEST

START_TEST(rejected_report_next_is_full)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    int64_t seq;

    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    fake_expect(FAKE_FIXED, 400, "{\"error\":\"bad_request\",\"detail\":\"routes.add[0]: x\"}",
                NULL);
    run(r, &res, REPORTER_REJECTED);
    seq = res.seq;
    ck_assert_int_ge(res.delay_ms, 800);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert_int_eq(res.seq, seq + 1);
    ck_assert(res.routes_full && res.catalog_full);
    reporter_free(r);
}
END_TEST

/* A first attempt acknowledged as a duplicate: the control plane has applied higher seqs
 * (our state was restored from an old copy). Skip ahead and send everything. */
START_TEST(duplicate_on_first_attempt_skips_ahead)
{
    struct reporter *r;
    struct reporter_result res;
    const char *old = "ocdn-agent-seq 1\nnext_seq 5\nacked_seq 4\nbase_seq 0\n";
    int64_t seq;

    put_file(state_dir, "seq", old);
    r = new_reporter(NULL);
    fake_expect(FAKE_ACK_DUP, 0, NULL, NULL);
    run(r, &res, REPORTER_SEQ_BEHIND);
    ck_assert_int_eq(res.seq, 5);
    ck_assert_int_eq(reporter_state(r)->acked_seq, 4); /* not taken as applied */
    seq = reporter_state(r)->next_seq;
    ck_assert_int_ge(seq, INT64_C(1) << 41); /* past any clock-seeded seq before 2039 */
    ck_assert_int_ge(seq, clock_wall_ms());
    ck_assert_int_eq(seq_on_disk("next_seq"), seq);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert_int_eq(res.seq, seq);
    ck_assert(res.routes_full && res.catalog_full);
    reporter_free(r);
}
END_TEST

START_TEST(ack_for_other_seq_is_retried)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;

    fake_expect(FAKE_ACK_OTHER, 0, NULL, NULL);
    run(r, &res, REPORTER_RETRY);
    ck_assert_int_eq(reporter_state(r)->acked_seq, 0);
    fake_expect(FAKE_FIXED, 200, "{\"ack_seq\":", NULL);
    run(r, &res, REPORTER_RETRY);
    ck_assert_uint_eq(res.attempt, 2);
    reporter_free(r);
}
END_TEST

START_TEST(huge_reply_is_retried)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    size_t n = REPORT_REPLY_MAX + 100;
    char *big = malloc(n + 1);

    memset(big, ' ', n);
    big[n] = '\0';
    fake_expect(FAKE_FIXED, 200, big, NULL);
    run(r, &res, REPORTER_RETRY);
    ck_assert_int_eq(reporter_state(r)->acked_seq, 0);
    ck_assert(fake_wait(1));
    reporter_free(r);
    free(big);
}
END_TEST

/* Stopped agent, same state dir: a new seq, never the one that may have been applied. */
START_TEST(restart_never_reuses_seq)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    const char *nf = "{\"error\":\"conflict\",\"need_full\":true}";
    int64_t acked, lost;

    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    acked = res.seq;
    fake_expect(FAKE_DROP, 0, NULL, NULL); /* applied, reply lost, then the agent stops */
    run(r, &res, REPORTER_RETRY);
    lost = res.seq;
    reporter_free(r);

    r = new_reporter(NULL);
    ck_assert_int_eq(reporter_state(r)->acked_seq, acked);
    ck_assert_ptr_nonnull(reporter_state(r)->catalog); /* the base survived */
    fake_expect(FAKE_FIXED, 409, nf, NULL);
    run(r, &res, REPORTER_NEED_FULL);
    ck_assert_int_gt(res.seq, lost);
    ck_assert(!res.routes_full); /* a delta against the acked base first */
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert(res.routes_full && res.catalog_full);
    reporter_free(r);
}
END_TEST

START_TEST(network_down_is_retried)
{
    struct reporter *r;
    struct reporter_result res;
    char dead[64];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);

    /* A port that was just free: connections are refused. */
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    snprintf(dead, sizeof(dead), "http://127.0.0.1:%u/", ntohs(a.sin_port));
    rcfg.url = dead;
    r = new_reporter(NULL);
    run(r, &res, REPORTER_RETRY);
    close(fd);
    ck_assert_int_eq(reporter_state(r)->acked_seq, 0);
    ck_assert_uint_eq(fake_nreq(), 0);
    /* Back again (SIGHUP with the right URL): the same report goes out. */
    rcfg.url = url;
    ck_assert_int_eq(reporter_set_config(r, &rcfg), OCDN_OK);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert_uint_eq(res.attempt, 2);
    reporter_free(r);
}
END_TEST

START_TEST(gzip_above_threshold)
{
    struct reporter *r;
    struct reporter_result res;
    const struct fake_req *q;
    json_t *j;

    rcfg.gzip_min = 0;
    r = new_reporter(NULL);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert(res.gzipped);
    q = fake_req(0);
    ck_assert(q->gzipped);
    ck_assert_str_eq(q->cenc, "gzip");
    j = req_json(0);
    ck_assert_int_eq(jint(j, "seq", NULL), res.seq);
    json_decref(j);
    reporter_free(r);
}
END_TEST

START_TEST(report_too_big_is_not_sent)
{
    struct reporter *r;
    struct reporter_result res;

    rcfg.report_max = 100;
    r = new_reporter(NULL);
    run(r, &res, REPORTER_LOCAL_ERROR);
    ck_assert_int_ge(res.delay_ms, 800);
    ck_assert_uint_eq(fake_nreq(), 0);
    reporter_free(r);
}
END_TEST

START_TEST(state_dir_unwritable_sends_nothing)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    char moved[8192];

    snprintf(moved, sizeof(moved), "%s.gone", state_dir);
    ck_assert_int_eq(rename(state_dir, moved), 0);
    run(r, &res, REPORTER_LOCAL_ERROR);
    ck_assert_uint_eq(fake_nreq(), 0);
    ck_assert_int_eq(rename(moved, state_dir), 0);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    reporter_free(r);
}
END_TEST

/* A broken routes file: the routes part is left out until it reads again; then it is sent
 * in full (the control plane's routes are not known) while the catalog goes as a delta. */
START_TEST(bad_routes_file_left_out)
{
    struct reporter *r;
    struct reporter_result res;
    json_t *j;

    write_routes("203.0.113.0/24|65001|||192.0.2.1|isp4\nnot a route\n");
    r = new_reporter(NULL);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    j = req_json(0);
    ck_assert_ptr_null(json_object_get(j, "routes"));
    ck_assert_str_eq(jstr(j, "catalog", "mode"), "full");
    json_decref(j);
    ck_assert_ptr_null(reporter_state(r)->routes);
    write_routes("203.0.113.0/24|65001|||192.0.2.1|isp4\n");
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    j = req_json(1);
    ck_assert_str_eq(jstr(j, "routes", "mode"), "full");
    ck_assert_str_eq(jstr(j, "catalog", "mode"), "delta");
    json_decref(j);
    /* Broken again later: the last good set is kept (an empty delta, not a withdrawal). */
    write_routes("garbage\n");
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    j = req_json(2);
    ck_assert_str_eq(jstr(j, "routes", "mode"), "delta");
    ck_assert_str_eq(list_of(j, "routes", "del"), "");
    json_decref(j);
    reporter_free(r);
}
END_TEST

START_TEST(no_routes_file_reports_empty_set)
{
    struct reporter *r;
    struct reporter_result res;
    json_t *j;

    rcfg.routes_file = NULL;
    r = new_reporter(NULL);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    j = req_json(0);
    ck_assert_str_eq(jstr(j, "routes", "mode"), "full");
    ck_assert_str_eq(list_of(j, "routes", "add"), "");
    json_decref(j);
    /* A routes file set by a reload, then unset again: its routes are withdrawn. */
    rcfg.routes_file = routes_path;
    ck_assert_int_eq(reporter_set_config(r, &rcfg), OCDN_OK);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    j = req_json(1);
    ck_assert_str_eq(list_of(j, "routes", "add"),
                     "198.51.100.0/24|65001|||192.0.2.1|isp4,"
                     "203.0.113.0/24|65001 64500|50|65001:300|198.18.0.1|isp4");
    json_decref(j);
    rcfg.routes_file = NULL;
    ck_assert_int_eq(reporter_set_config(r, &rcfg), OCDN_OK);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    run(r, &res, REPORTER_ACKED);
    j = req_json(2);
    ck_assert_str_eq(jstr(j, "routes", "mode"), "delta");
    ck_assert_str_eq(list_of(j, "routes", "del"), "198.51.100.0/24 isp4,203.0.113.0/24 isp4");
    json_decref(j);
    reporter_free(r);
}
END_TEST

/* ---- config ---- */

START_TEST(new_config_version_fetches_and_applies)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    struct cpconf saved;
    char *good = fixture("agent/cpconf/good.json", NULL), err[256];
    const struct fake_req *q;

    fake_expect(FAKE_ACK, 0, NULL, "9f1c0a5e3b7d2c11");
    fake_expect(FAKE_FIXED, 200, good, "9f1c0a5e3b7d2c11");
    run(r, &res, REPORTER_ACKED);
    ck_assert(res.config_fetched);
    ck_assert_uint_eq(fake_nreq(), 2);
    q = fake_req(1);
    ck_assert_str_eq(q->method, "GET");
    ck_assert_str_eq(q->path, "/v1/agent/config");
    ck_assert_str_eq(q->auth, "Bearer " KEY);
    ck_assert_str_eq(q->inm, ""); /* nothing known yet */
    ck_assert_int_eq(napplied, 1);
    ck_assert_int_eq(applied.oca_id, 7);
    ck_assert_uint_eq(applied.nkeys, 2);
    ck_assert_uint_eq(applied.nhosts, 3);
    /* The control plane's interval (300 s) now sets the pace. */
    ck_assert_int_ge(res.delay_ms, 270000);
    ck_assert_int_le(res.delay_ms, 330000);
    /* Saved for a restart with the control plane unreachable. */
    ck_assert_int_eq(reporter_config_load(state_dir, &saved, err, sizeof(err)), OCDN_OK);
    ck_assert_str_eq(saved.version, "9f1c0a5e3b7d2c11");
    ck_assert_int_eq(memcmp(saved.keys, applied.keys, sizeof(saved.keys)), 0);

    /* Same version: no fetch. */
    fake_expect(FAKE_ACK, 0, NULL, "9f1c0a5e3b7d2c11");
    run(r, &res, REPORTER_ACKED);
    ck_assert(!res.config_fetched);
    ck_assert_uint_eq(fake_nreq(), 3);

    /* New version, but not modified: asked with If-None-Match, nothing applied. */
    fake_expect(FAKE_ACK, 0, NULL, "aaaa");
    fake_expect(FAKE_FIXED, 304, NULL, "9f1c0a5e3b7d2c11");
    run(r, &res, REPORTER_ACKED);
    ck_assert(!res.config_fetched);
    q = fake_req(4);
    ck_assert_str_eq(q->inm, "\"9f1c0a5e3b7d2c11\"");
    ck_assert_int_eq(napplied, 1);
    free(good);
    reporter_free(r);
}
END_TEST

START_TEST(bad_config_not_applied_and_refetched)
{
    struct reporter *r = new_reporter(NULL);
    struct reporter_result res;
    char *bad = fixture("agent/cpconf/bad_key_short.json", NULL);
    char *good = fixture("agent/cpconf/good.json", NULL), err[256];
    struct cpconf saved;

    fake_expect(FAKE_ACK, 0, NULL, "v2");
    fake_expect(FAKE_FIXED, 200, bad, "v2");
    run(r, &res, REPORTER_ACKED);
    ck_assert(!res.config_fetched);
    ck_assert_int_eq(napplied, 0);
    ck_assert_int_eq(reporter_config_load(state_dir, &saved, err, sizeof(err)), OCDN_ENOTFOUND);
    /* The config fetch failing (HTTP 500) is not a report failure either. */
    fake_expect(FAKE_ACK, 0, NULL, "v2");
    fake_expect(FAKE_FIXED, 500, "", NULL);
    run(r, &res, REPORTER_ACKED);
    ck_assert_int_eq(napplied, 0);
    /* The version still differs at the next ack: fetched again. */
    fake_expect(FAKE_ACK, 0, NULL, "v2");
    fake_expect(FAKE_FIXED, 200, good, "v2");
    run(r, &res, REPORTER_ACKED);
    ck_assert(res.config_fetched);
    ck_assert_int_eq(napplied, 1);
    ck_assert_uint_eq(fake_pending_replies(), 0);
    free(bad);
    free(good);
    reporter_free(r);
}
END_TEST

START_TEST(known_config_is_not_refetched)
{
    struct reporter *r;
    struct reporter_result res;
    struct cpconf known;
    char err[256];

    memset(&known, 0, sizeof(known));
    snprintf(known.version, sizeof(known.version), "%s", "v7");
    known.report_interval_s = 120;
    r = new_reporter(&known);
    fake_expect(FAKE_ACK, 0, NULL, "v7");
    run(r, &res, REPORTER_ACKED);
    ck_assert(!res.config_fetched);
    ck_assert_uint_eq(fake_nreq(), 1);
    ck_assert_int_ge(res.delay_ms, 108000);
    ck_assert_int_le(res.delay_ms, 132000);
    reporter_free(r);
    ck_assert_int_eq(reporter_config_load(state_dir, &known, err, sizeof(err)), OCDN_ENOTFOUND);
}
END_TEST

START_TEST(startup_fetch)
{
    struct cpconf c;
    char *good = fixture("agent/cpconf/good.json", NULL), err[256];

    fake_expect(FAKE_FIXED, 200, good, "9f1c0a5e3b7d2c11");
    ck_assert_int_eq(reporter_config_fetch(&rcfg, &c, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(c.oca_id, 7);
    ck_assert_int_eq(reporter_config_load(state_dir, &c, err, sizeof(err)), OCDN_OK);
    fake_expect(FAKE_FIXED, 401, "{\"error\":\"unauthorized\"}", NULL);
    ck_assert_int_eq(reporter_config_fetch(&rcfg, &c, err, sizeof(err)), OCDN_EUNAUTH);
    fake_expect(FAKE_FIXED, 200, "{}", NULL);
    ck_assert_int_eq(reporter_config_fetch(&rcfg, &c, err, sizeof(err)), OCDN_EUPSTREAM);
    ck_assert_ptr_nonnull(strstr(err, "bad config"));
    /* The bad one did not replace the saved one. */
    ck_assert_int_eq(reporter_config_load(state_dir, &c, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(c.oca_id, 7);
    free(good);
}
END_TEST

START_TEST(saved_config_corrupt)
{
    struct cpconf c;
    char err[256];

    put_file(state_dir, "config.json", "{\"oca_id\":");
    ck_assert_int_eq(reporter_config_load(state_dir, &c, err, sizeof(err)), OCDN_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "invalid JSON"));
}
END_TEST

/* ---- the thread ---- */

START_TEST(thread_reports_at_once_and_stops)
{
    struct reporter *r = new_reporter(NULL);

    fake_expect(FAKE_ACK, 0, NULL, NULL);
    ck_assert_int_eq(reporter_start(r), OCDN_OK);
    ck_assert_int_eq(reporter_start(r), OCDN_EINVAL);
    ck_assert(fake_wait(1));
    /* The next report is a minute away; stop must not wait for it. */
    reporter_stop(r);
    reporter_stop(r);
    ck_assert_uint_eq(fake_nreq(), 1);
    reporter_free(r);
}
END_TEST

START_TEST(thread_kick_reports_again)
{
    struct reporter *r = new_reporter(NULL);

    fake_expect(FAKE_ACK, 0, NULL, NULL);
    fake_expect(FAKE_ACK, 0, NULL, NULL);
    ck_assert_int_eq(reporter_start(r), OCDN_OK);
    ck_assert(fake_wait(1));
    reporter_kick(r);
    ck_assert(fake_wait(2));
    reporter_free(r);
    ck_assert_int_gt(fake_req(1)->seq, fake_req(0)->seq);
}
END_TEST

static Suite *
reporter_suite(void)
{
    Suite *s = suite_create("reporter");
    TCase *tc = tcase_create("body");

    tcase_add_test(tc, body_full_parts);
    tcase_add_test(tc, body_delta_and_omitted_parts);
    tcase_add_test(tc, body_limits_and_bad_input);
    tcase_add_test(tc, gzip_round_trip_and_limit);
    suite_add_tcase(s, tc);
    tc = tcase_create("reply");
    tcase_add_test(tc, reply_ack);
    tcase_add_test(tc, reply_errors_classified);
    tcase_add_loop_test(tc, reply_bad_ack_bodies, 0, (int)(sizeof(bad_acks) / sizeof(bad_acks[0])));
    tcase_add_test(tc, reply_huge_and_hostile);
    tcase_add_test(tc, reply_and_config_mutations);
    tcase_add_test(tc, config_good);
    tcase_add_test(tc, config_keeps_current_and_longest_keys);
    tcase_add_loop_test(tc, config_bad, 0, (int)(sizeof(bad_confs) / sizeof(bad_confs[0])));
    tcase_add_test(tc, config_too_big);
    tcase_add_test(tc, backoff_doubles_capped_jittered);
    suite_add_tcase(s, tc);
    tc = tcase_create("cycle");
    tcase_add_checked_fixture(tc, cycle_setup, cycle_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, first_full_then_delta);
    tcase_add_test(tc, retry_resends_same_report);
    tcase_add_test(tc, lost_reply_then_duplicate_ack);
    tcase_add_test(tc, need_full_drops_base);
    tcase_add_test(tc, need_full_for_full_report_backs_off);
    tcase_add_test(tc, unauthorized_keeps_report_and_backs_off);
    tcase_add_test(tc, rejected_report_next_is_full);
    tcase_add_test(tc, duplicate_on_first_attempt_skips_ahead);
    tcase_add_test(tc, ack_for_other_seq_is_retried);
    tcase_add_test(tc, huge_reply_is_retried);
    tcase_add_test(tc, restart_never_reuses_seq);
    tcase_add_test(tc, network_down_is_retried);
    tcase_add_test(tc, gzip_above_threshold);
    tcase_add_test(tc, report_too_big_is_not_sent);
    tcase_add_test(tc, state_dir_unwritable_sends_nothing);
    tcase_add_test(tc, bad_routes_file_left_out);
    tcase_add_test(tc, no_routes_file_reports_empty_set);
    suite_add_tcase(s, tc);
    tc = tcase_create("config");
    tcase_add_checked_fixture(tc, cycle_setup, cycle_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, new_config_version_fetches_and_applies);
    tcase_add_test(tc, bad_config_not_applied_and_refetched);
    tcase_add_test(tc, known_config_is_not_refetched);
    tcase_add_test(tc, startup_fetch);
    tcase_add_test(tc, saved_config_corrupt);
    suite_add_tcase(s, tc);
    tc = tcase_create("thread");
    tcase_add_checked_fixture(tc, cycle_setup, cycle_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, thread_reports_at_once_and_stops);
    tcase_add_test(tc, thread_kick_reports_again);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    int rc;

    log_init("check_reporter", getenv("CHECK_DEBUG") != NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = run_suite(reporter_suite());
    curl_global_cleanup();
    return rc;
}
