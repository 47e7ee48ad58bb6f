/* report_proto.c - the report protocol without I/O (docs/agent-report.md): builds report
 * bodies as text straight into a bounded buffer (a report may carry two million route lines;
 * a jansson tree of them would take gigabytes), gzips them, and reads the control plane's
 * replies and config with jsonx. Replies are untrusted input: bounded, type-checked, and
 * reduced to the few fields the reporter acts on. Owns nothing; logs nothing. */
#include "report_proto.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "arena.h"
#include "clock.h"
#include "jsonx.h"

#define JSON_DEPTH  8
#define ARENA_MAX   (64 * 1024)                 /* error texts of one parse */
#define KEYS_SEEN   16                          /* sign_keys accepted in a config */
#define COUNTER_MAX ((uint64_t)(INT64_MAX / 2)) /* the control plane's bound on numbers */
#define GZIP_CHUNK  (256 * 1024)

/* ---- body ---- */

/* Append s as a JSON string. Route lines are printable ASCII, but '"' and '\' may appear in
 * communities, so escape properly rather than assume. */
static enum ocdn_err
put_json_str(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *p = s, *run = s;
    enum ocdn_err e;
    char esc[6];

    e = buf_append(b, "\"", 1);
    for (; !e && *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        e = buf_append(b, run, (size_t)(p - run));
        if (e)
            break;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            e = buf_append(b, esc, 2);
        } else {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            e = buf_append(b, esc, 6);
        }
        run = p + 1;
    }
    if (!e)
        e = buf_append(b, run, (size_t)(p - run));
    if (!e)
        e = buf_append(b, "\"", 1);
    return e;
}

static enum ocdn_err
put_str_list(struct buf *b, const char *name, const char *const *v, size_t n)
{
    enum ocdn_err e;
    size_t i;

    e = buf_printf(b, ",\"%s\":[", name);
    for (i = 0; !e && i < n; i++) {
        if (i)
            e = buf_append(b, ",", 1);
        if (!e)
            e = put_json_str(b, v[i]);
    }
    if (!e)
        e = buf_append(b, "]", 1);
    return e;
}

static enum ocdn_err
put_part(struct buf *b, const char *name, const struct report_part *p)
{
    enum ocdn_err e;
    size_t i, n;

    switch (p->mode) {
    case REPORT_PART_NONE:
        return OCDN_OK;
    case REPORT_PART_FULL:
        if (!p->set)
            return OCDN_EINVAL;
        e = buf_printf(b, ",\"%s\":{\"mode\":\"full\",\"add\":[", name);
        n = lineset_count(p->set);
        for (i = 0; !e && i < n; i++) {
            if (i)
                e = buf_append(b, ",", 1);
            if (!e)
                e = put_json_str(b, lineset_line(p->set, i));
        }
        if (!e)
            e = buf_append(b, "]}", 2);
        return e;
    case REPORT_PART_DELTA:
        if (!p->delta || p->base_seq < 1)
            return OCDN_EINVAL;
        e = buf_printf(b, ",\"%s\":{\"mode\":\"delta\",\"base_seq\":%" PRId64, name, p->base_seq);
        if (!e)
            e = put_str_list(b, "add", p->delta->add, p->delta->nadd);
        if (!e)
            e = put_str_list(b, "del", p->delta->del, p->delta->ndel);
        if (!e)
            e = buf_append(b, "}", 1);
        return e;
    }
    return OCDN_EINVAL;
}

static uint64_t
cap(uint64_t v)
{
    return v < COUNTER_MAX ? v : COUNTER_MAX;
}

static double
pct(double v)
{
    return v < 0 ? 0 : v > 100 ? 100 : v;
}

static enum ocdn_err
put_health(struct buf *b, const struct health_sample *h, uint64_t errors)
{
    const char *sep = "";
    enum ocdn_err e;

    e = buf_puts(b, ",\"health\":{");
    if (!e && h->has_cpu) {
        e = buf_printf(b, "%s\"cpu_pct\":%.2f", sep, pct(h->cpu_pct));
        sep = ",";
    }
    if (!e && h->has_mem) {
        e = buf_printf(b, "%s\"mem_pct\":%.2f", sep, pct(h->mem_pct));
        sep = ",";
    }
    if (!e && h->has_load) {
        e = buf_printf(b, "%s\"load1\":%.2f", sep,
                       h->load1 < 0        ? 0
                       : h->load1 > 100000 ? 100000
                                           : h->load1);
        sep = ",";
    }
    if (!e && h->has_uptime) {
        e = buf_printf(b, "%s\"uptime_s\":%" PRIu64, sep, cap((uint64_t)h->uptime_s));
        sep = ",";
    }
    if (!e) {
        e = buf_printf(b, "%s\"errors\":%" PRIu64, sep, cap(errors));
        sep = ",";
    }
    if (!e && h->has_disk) {
        if (h->disk_ok) {
            e = buf_printf(b,
                           "%s\"disks\":[{\"name\":\"data\",\"ok\":true,\"errors\":0,"
                           "\"size_bytes\":%" PRIu64 ",\"used_bytes\":%" PRIu64 "}]",
                           sep, cap((uint64_t)h->disk_size_bytes),
                           cap((uint64_t)h->disk_used_bytes));
        } else {
            e = buf_printf(b, "%s\"disks\":[{\"name\":\"data\",\"ok\":false,\"errors\":1}]", sep);
        }
    }
    if (!e)
        e = buf_append(b, "}", 1);
    return e;
}

static enum ocdn_err
put_traffic(struct buf *b, const struct report_traffic *t)
{
    return buf_printf(b,
                      ",\"traffic\":{\"bps\":%" PRIu64 ",\"bytes_sent\":%" PRIu64
                      ",\"requests\":%" PRIu64 ",\"connections\":%" PRIu64
                      ",\"status_2xx\":%" PRIu64 ",\"status_4xx\":%" PRIu64
                      ",\"status_5xx\":%" PRIu64 "}",
                      cap(t->bps), cap(t->bytes_sent), cap(t->requests), cap(t->connections),
                      cap(t->status_2xx), cap(t->status_4xx), cap(t->status_5xx));
}

enum ocdn_err
report_proto_build(const struct report_msg *m, struct buf *out)
{
    size_t start = out->len;
    enum ocdn_err e;

    if (m->seq < 1 || (uint64_t)m->seq > COUNTER_MAX)
        return OCDN_EINVAL;
    e = buf_printf(out, "{\"seq\":%" PRId64, m->seq);
    if (!e)
        e = put_part(out, "routes", &m->routes);
    if (!e)
        e = put_part(out, "catalog", &m->catalog);
    if (!e && m->health)
        e = put_health(out, m->health, m->traffic ? m->traffic->errors : 0);
    if (!e && m->traffic)
        e = put_traffic(out, m->traffic);
    if (!e && m->version) {
        e = buf_puts(out, ",\"agent\":{\"version\":");
        if (!e)
            e = put_json_str(out, m->version);
        if (!e) {
            e = buf_printf(out, ",\"started_at\":%" PRIu64 "}",
                           cap((uint64_t)(m->started_at > 0 ? m->started_at : 0)));
        }
    }
    if (!e)
        e = buf_append(out, "}", 1);
    if (e) {
        out->len = start; /* all or nothing */
        if (out->data)
            out->data[start] = '\0';
    }
    return e;
}

enum ocdn_err
report_proto_gzip(const char *in, size_t len, struct buf *out)
{
    unsigned char chunk[GZIP_CHUNK];
    size_t start = out->len;
    z_stream z;
    int rc;
    enum ocdn_err e = OCDN_OK;

    memset(&z, 0, sizeof(z));
    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's. */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return OCDN_ENOMEM;
    z.next_in = (Bytef *)(uintptr_t)in;
    do {
        size_t feed = len > UINT32_MAX ? UINT32_MAX : len;

        z.avail_in = (uInt)feed;
        len -= feed;
        do {
            z.next_out = chunk;
            z.avail_out = sizeof(chunk);
            rc = deflate(&z, len ? Z_NO_FLUSH : Z_FINISH);
            if (rc == Z_STREAM_ERROR) {
                e = OCDN_ENOMEM;
                goto out;
            }
            e = buf_append(out, chunk, sizeof(chunk) - z.avail_out);
            if (e)
                goto out;
        } while (z.avail_out == 0);
    } while (len);
    if (rc != Z_STREAM_END)
        e = OCDN_ENOMEM;
out:
    deflateEnd(&z);
    if (e) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    return e;
}

/* ---- replies ---- */

/* Copy s into dst as printable ASCII ('?' for anything else), cut to fit. */
static void
copy_printable(char *dst, size_t len, const char *s)
{
    size_t i;

    for (i = 0; s && s[i] && i + 1 < len; i++)
        dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (len)
        dst[i] = '\0';
}

static bool
printable_token(const char *s)
{
    for (; *s; s++) {
        if (*s <= 0x20 || *s >= 0x7f || *s == '"')
            return false;
    }
    return true;
}

/* The "detail" (else "error") text of an error body, if it is JSON. */
static void
error_detail(const char *body, size_t len, struct report_reply *out)
{
    struct arena *a = arena_new(ARENA_MAX);
    const char *msg = NULL, *text = NULL;
    json_t *j = NULL;

    if (!a)
        return;
    if (len && jsonx_parse(body, len, REPORT_REPLY_MAX, JSON_DEPTH, &j, a, &msg) == OCDN_OK &&
        json_is_object(j)) {
        if (jsonx_get_str(j, "detail", false, 0, 1024, &text, a, &msg) != OCDN_OK || !text)
            jsonx_get_str(j, "error", false, 0, 1024, &text, a, &msg);
        if (text)
            copy_printable(out->detail, sizeof(out->detail), text);
    }
    json_decref(j);
    arena_free(a);
}

static void
reply_bad(struct report_reply *out, const char *why)
{
    out->kind = REPORT_REPLY_BAD;
    copy_printable(out->detail, sizeof(out->detail), why);
}

static void
parse_ack(const char *body, size_t len, struct report_reply *out)
{
    struct arena *a = arena_new(ARENA_MAX);
    const char *msg = NULL, *ver = NULL, *st = NULL;
    json_t *j = NULL;
    bool need_full = false;
    enum ocdn_err e;

    if (!a) {
        reply_bad(out, "out of memory");
        return;
    }
    e = jsonx_parse(body, len, REPORT_REPLY_MAX, JSON_DEPTH, &j, a, &msg);
    if (!e && !json_is_object(j))
        e = jsonx_fail(a, &msg, "reply: not a JSON object");
    if (!e)
        e = jsonx_get_int(j, "ack_seq", true, 1, INT64_MAX / 2, &out->ack_seq, a, &msg);
    if (!e)
        e = jsonx_get_bool(j, "duplicate", true, &out->duplicate, a, &msg);
    if (!e)
        e = jsonx_get_bool(j, "need_full", false, &need_full, a, &msg);
    if (!e && need_full)
        e = jsonx_fail(a, &msg, "reply: 200 with need_full");
    if (!e)
        e = jsonx_get_str(j, "config_version", false, 0, CPCONF_VERSION_MAX, &ver, a, &msg);
    if (!e && ver && !printable_token(ver))
        e = jsonx_fail(a, &msg, "field 'config_version': must be printable without spaces");
    if (!e) {
        e = jsonx_get_int(j, "manifest_version", false, 0, INT64_MAX / 2, &out->manifest_version, a,
                          &msg);
    }
    if (!e)
        e = jsonx_get_str(j, "status", false, 0, sizeof(out->oca_status) - 1, &st, a, &msg);
    if (e) {
        out->ack_seq = 0;
        out->duplicate = false;
        out->manifest_version = 0;
        reply_bad(out, msg ? msg : "unreadable reply");
    } else {
        out->kind = REPORT_REPLY_ACK;
        copy_printable(out->config_version, sizeof(out->config_version), ver);
        copy_printable(out->oca_status, sizeof(out->oca_status), st);
    }
    json_decref(j);
    arena_free(a);
}

/* A 409 is need_full only when its body says so; otherwise (decommissioned) it is final. */
static bool
conflict_needs_full(const char *body, size_t len)
{
    struct arena *a = arena_new(ARENA_MAX);
    const char *msg = NULL;
    json_t *j = NULL;
    bool need_full = false;

    if (!a)
        return false;
    if (len && jsonx_parse(body, len, REPORT_REPLY_MAX, JSON_DEPTH, &j, a, &msg) == OCDN_OK &&
        json_is_object(j) && jsonx_get_bool(j, "need_full", false, &need_full, a, &msg) != OCDN_OK)
        need_full = false;
    json_decref(j);
    arena_free(a);
    return need_full;
}

void
report_proto_parse_reply(long status, const char *body, size_t len, struct report_reply *out)
{
    memset(out, 0, sizeof(*out));
    out->status = status;
    if (len > REPORT_REPLY_MAX) {
        reply_bad(out, "reply larger than the limit");
        return;
    }
    if (status == 200) {
        parse_ack(body, len, out);
        return;
    }
    error_detail(body, len, out);
    if (status == 409) {
        out->kind = conflict_needs_full(body, len) ? REPORT_REPLY_NEED_FULL : REPORT_REPLY_REJECTED;
    } else if (status == 401 || status == 403) {
        out->kind = REPORT_REPLY_UNAUTH;
    } else if (status == 408 || status == 429 || (status >= 500 && status <= 599)) {
        out->kind = REPORT_REPLY_RETRY;
    } else if (status >= 400 && status <= 499) {
        out->kind = REPORT_REPLY_REJECTED;
    } else {
        out->kind = REPORT_REPLY_BAD;
        if (!out->detail[0])
            snprintf(out->detail, sizeof(out->detail), "unexpected HTTP status %ld", status);
    }
}

/* ---- config ---- */

static bool
valid_host(const char *h)
{
    size_t n = strlen(h), i;

    if (n < 1 || n > CPCONF_HOST_MAX)
        return false;
    for (i = 0; i < n; i++) {
        char c = h[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* Current key (not_after 0) first, then the one that stays valid longest. */
static int
key_cmp(const void *x, const void *y)
{
    const struct token_key *a = x, *b = y;
    int64_t ta = a->not_after ? a->not_after : INT64_MAX;
    int64_t tb = b->not_after ? b->not_after : INT64_MAX;

    return ta > tb ? -1 : ta < tb ? 1 : 0;
}

static enum ocdn_err
parse_keys(json_t *j, struct cpconf *out, struct arena *a, const char **msg)
{
    struct token_key keys[KEYS_SEEN];
    json_t *arr = NULL, *o;
    const char *b64;
    size_t i, n;
    enum ocdn_err e;

    e = jsonx_get_array(j, "sign_keys", true, KEYS_SEEN, &arr, a, msg);
    if (e)
        return e;
    if (json_array_size(arr) == 0)
        return jsonx_fail(a, msg, "field 'sign_keys': no key");
    memset(keys, 0, sizeof(keys));
    json_array_foreach(arr, i, o)
    {
        b64 = NULL;
        if (!json_is_object(o)) {
            e = jsonx_fail(a, msg, "sign_keys[%zu]: must be an object", i);
            break;
        }
        e = jsonx_get_str(o, "key", true, 43, 43, &b64, a, msg);
        if (!e && (base64url_decode(b64, keys[i].key, sizeof(keys[i].key), &n) != OCDN_OK ||
                   n != TOKEN_KEY_LEN))
            e = jsonx_fail(a, msg, "sign_keys[%zu].key: not 32 bytes of base64url", i);
        if (!e)
            e = jsonx_get_int(o, "not_after", true, 0, INT64_MAX / 2, &keys[i].not_after, a, msg);
        if (e)
            break;
    }
    if (!e) {
        n = json_array_size(arr);
        qsort(keys, n, sizeof(keys[0]), key_cmp);
        out->nkeys = n < CPCONF_KEYS_MAX ? n : CPCONF_KEYS_MAX;
        memcpy(out->keys, keys, out->nkeys * sizeof(keys[0]));
    }
    explicit_bzero(keys, sizeof(keys));
    return e;
}

static enum ocdn_err
parse_hosts(json_t *j, struct cpconf *out, struct arena *a, const char **msg)
{
    json_t *arr = NULL, *v;
    const char *h = NULL;
    size_t i;
    enum ocdn_err e;

    e = jsonx_get_array(j, "hostnames", false, CPCONF_HOSTS_MAX, &arr, a, msg);
    if (!e && !arr) { /* an older control plane: the one name */
        e = jsonx_get_str(j, "hostname", true, 1, CPCONF_HOST_MAX, &h, a, msg);
        if (!e && !valid_host(h))
            e = jsonx_fail(a, msg, "field 'hostname': not a host name");
        if (!e) {
            snprintf(out->hosts[0], sizeof(out->hosts[0]), "%s", h);
            out->nhosts = 1;
        }
        return e;
    }
    if (e)
        return e;
    if (json_array_size(arr) == 0)
        return jsonx_fail(a, msg, "field 'hostnames': no host name");
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || !valid_host(json_string_value(v)))
            return jsonx_fail(a, msg, "hostnames[%zu]: not a host name", i);
        snprintf(out->hosts[i], sizeof(out->hosts[i]), "%s", json_string_value(v));
    }
    out->nhosts = json_array_size(arr);
    return OCDN_OK;
}

enum ocdn_err
report_proto_parse_config(const char *body, size_t len, struct cpconf *out, char *err,
                          size_t errlen)
{
    struct arena *a;
    const char *msg = NULL, *ver = NULL;
    json_t *j = NULL;
    enum ocdn_err e;

    memset(out, 0, sizeof(*out));
    a = arena_new(ARENA_MAX);
    if (!a)
        return OCDN_ENOMEM;
    e = jsonx_parse(body, len, REPORT_REPLY_MAX, JSON_DEPTH, &j, a, &msg);
    if (!e && !json_is_object(j))
        e = jsonx_fail(a, &msg, "config: not a JSON object");
    if (!e)
        e = jsonx_get_int(j, "oca_id", true, 1, INT64_MAX / 2, &out->oca_id, a, &msg);
    if (!e)
        e = jsonx_get_str(j, "config_version", true, 1, CPCONF_VERSION_MAX, &ver, a, &msg);
    if (!e && !printable_token(ver))
        e = jsonx_fail(a, &msg, "field 'config_version': must be printable without spaces");
    if (!e)
        e = parse_hosts(j, out, a, &msg);
    if (!e)
        e = parse_keys(j, out, a, &msg);
    if (!e) {
        e = jsonx_get_int(j, "report_interval_s", false, 1, 86400, &out->report_interval_s, a,
                          &msg);
    }
    if (!e) {
        e = jsonx_get_int(j, "max_token_ttl_s", false, 1, 30 * 86400, &out->max_token_ttl_s, a,
                          &msg);
    }
    if (e) {
        snprintf(err, errlen, "%s", msg ? msg : ocdn_err_str(e));
        explicit_bzero(out, sizeof(*out));
    } else {
        snprintf(out->version, sizeof(out->version), "%s", ver);
    }
    json_decref(j);
    arena_free(a);
    return e;
}

/* ---- backoff ---- */

int64_t
report_proto_backoff_ms(unsigned fails, int64_t min_ms, int64_t max_ms, uint64_t *seed)
{
    int64_t d = min_ms > 0 ? min_ms : 1;
    unsigned i;

    if (max_ms < d)
        max_ms = d;
    for (i = 1; i < fails && d < max_ms; i++)
        d = d > max_ms / 2 ? max_ms : d * 2;
    if (d > max_ms)
        d = max_ms;
    d = clock_jitter_ms(d, 20, seed);
    return d < 1 ? 1 : d > max_ms ? max_ms : d;
}
