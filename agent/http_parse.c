/* http_parse.c - HTTP/1.1 request heads, query strings and byte ranges for serve.c.
 * Pure functions over caller buffers: no I/O, no allocation, every length bounded. The server
 * maps the reject reasons to status codes; this file only decides what is acceptable.
 * Strictness is deliberate: anything two parsers could read differently (bare LF, obs-fold,
 * duplicate framing headers) is refused rather than guessed at. */
#include "http_parse.h"

#include <string.h>

/* tchar from RFC 9110 5.6.2. */
static bool
is_tchar(unsigned char ch)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return true;
    return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static bool
is_digit(unsigned char ch)
{
    return ch >= '0' && ch <= '9';
}

static int
hex_val(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Characters of an origin-form target besides pct-encoded (RFC 3986: pchar, '/', '?'). */
static bool
is_target_char(unsigned char ch)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return true;
    return ch != '\0' && strchr("-._~!$&'()*+,;=:@/?", ch) != NULL;
}

static bool
slice_ieq(const char *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);

    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)p[i], b = (unsigned char)lit[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

static enum ocdn_err
reject(struct http_request *req, enum http_reject r, const char *reason)
{
    req->reject = r;
    req->reason = reason;
    return OCDN_EINVAL;
}

void
http_limits_init(struct http_limits *lim)
{
    lim->max_head_bytes = 8192;
    lim->max_headers = 64;
    lim->max_target_bytes = 2048;
    lim->max_body_bytes = 26214400;
}

int
http_reject_status(enum http_reject r)
{
    switch (r) {
    case HTTP_REJECT_METHOD:
        return 405;
    case HTTP_REJECT_BODY_TOO_LARGE:
        return 413;
    case HTTP_REJECT_URI_TOO_LONG:
        return 414;
    case HTTP_REJECT_EXPECTATION:
        return 417;
    case HTTP_REJECT_HEADERS_TOO_LARGE:
        return 431;
    case HTTP_REJECT_NOT_IMPLEMENTED:
        return 501;
    case HTTP_REJECT_VERSION:
        return 505;
    case HTTP_REJECT_NONE:
    case HTTP_REJECT_BAD_REQUEST:
        break;
    }
    return 400;
}

const char *
http_status_text(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 206:
        return "Partial Content";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 416:
        return "Range Not Satisfiable";
    case 417:
        return "Expectation Failed";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

/* Find the end of the head (the CRLF CRLF) while refusing bytes no request head may contain.
 * Returns OCDN_OK with *end just past the empty line, OCDN_EBUSY when it has not arrived. */
static enum ocdn_err
find_head_end(const char *buf, size_t len, size_t start, struct http_request *req, size_t *end)
{
    for (size_t i = start; i < len; i++) {
        unsigned char ch = (unsigned char)buf[i];

        if (ch == '\0')
            return reject(req, HTTP_REJECT_BAD_REQUEST, "NUL in request head");
        if (ch == '\r' && i + 1 < len && buf[i + 1] != '\n')
            return reject(req, HTTP_REJECT_BAD_REQUEST, "bare CR in request head");
        if (ch != '\n')
            continue;
        if (i == 0 || buf[i - 1] != '\r')
            return reject(req, HTTP_REJECT_BAD_REQUEST, "bare LF in request head");
        if (i >= start + 3 && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
            *end = i + 1;
            return OCDN_OK;
        }
    }
    return OCDN_EBUSY;
}

/* Method token -> method, or a reject for a token we know but refuse, or do not know. */
static enum ocdn_err
parse_method(const char *p, size_t len, struct http_request *req)
{
    static const char *const refused[] = {"PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"};

    if (len == 0 || len > 16)
        return reject(req, HTTP_REJECT_BAD_REQUEST, "bad method");
    for (size_t i = 0; i < len; i++) {
        if (!is_tchar((unsigned char)p[i]))
            return reject(req, HTTP_REJECT_BAD_REQUEST, "bad method");
    }
    if (len == 3 && memcmp(p, "GET", 3) == 0)
        req->method = HTTP_METHOD_GET;
    else if (len == 4 && memcmp(p, "HEAD", 4) == 0)
        req->method = HTTP_METHOD_HEAD;
    else if (len == 4 && memcmp(p, "POST", 4) == 0)
        req->method = HTTP_METHOD_POST;
    else
        req->method = HTTP_METHOD_NONE;
    if (req->method != HTTP_METHOD_NONE)
        return OCDN_OK;
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        if (strlen(refused[i]) == len && memcmp(p, refused[i], len) == 0)
            return reject(req, HTTP_REJECT_METHOD, "method not allowed");
    }
    return reject(req, HTTP_REJECT_NOT_IMPLEMENTED, "unknown method");
}

static enum ocdn_err
parse_target(const char *p, size_t len, const struct http_limits *lim, struct http_request *req)
{
    size_t q = len;

    if (len > lim->max_target_bytes)
        return reject(req, HTTP_REJECT_URI_TOO_LONG, "target too long");
    if (len == 0 || p[0] != '/')
        return reject(req, HTTP_REJECT_BAD_REQUEST, "target not in origin form");
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];

        if (ch == '%') {
            if (i + 2 >= len)
                return reject(req, HTTP_REJECT_BAD_REQUEST, "bad percent escape");
            if (hex_val((unsigned char)p[i + 1]) < 0 || hex_val((unsigned char)p[i + 2]) < 0)
                return reject(req, HTTP_REJECT_BAD_REQUEST, "bad percent escape");
            i += 2;
            continue;
        }
        if (!is_target_char(ch))
            return reject(req, HTTP_REJECT_BAD_REQUEST, "bad character in target");
        if (ch == '?' && q == len)
            q = i;
    }
    req->target.p = p;
    req->target.len = len;
    req->path.p = p;
    req->path.len = q;
    req->query.p = q < len ? p + q + 1 : p + len;
    req->query.len = q < len ? len - q - 1 : 0;
    return OCDN_OK;
}

static enum ocdn_err
parse_version(const char *p, size_t len, struct http_request *req)
{
    if (len != 8 || memcmp(p, "HTTP/", 5) != 0 || !is_digit((unsigned char)p[5]) || p[6] != '.' ||
        !is_digit((unsigned char)p[7]))
        return reject(req, HTTP_REJECT_BAD_REQUEST, "bad HTTP version");
    if (p[5] != '1')
        return reject(req, HTTP_REJECT_VERSION, "HTTP version not supported");
    /* RFC 9110 2.5: a higher 1.x minor version is answered as the highest we support. */
    req->version_minor = p[7] == '0' ? 0 : 1;
    return OCDN_OK;
}

/* Request line "METHOD SP target SP HTTP/x.y"; line excludes the CRLF. */
static enum ocdn_err
parse_request_line(const char *line, size_t len, const struct http_limits *lim,
                   struct http_request *req)
{
    const char *sp1 = memchr(line, ' ', len);
    const char *sp2;
    enum ocdn_err err;

    if (!sp1)
        return reject(req, HTTP_REJECT_BAD_REQUEST, "bad request line");
    sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line));
    if (!sp2) {
        /* HTTP/0.9 "GET /x" or a target with a space: neither is acceptable. */
        return reject(req, HTTP_REJECT_BAD_REQUEST, "bad request line");
    }
    if (memchr(sp2 + 1, ' ', len - (size_t)(sp2 + 1 - line)))
        return reject(req, HTTP_REJECT_BAD_REQUEST, "bad request line");
    err = parse_version(sp2 + 1, len - (size_t)(sp2 + 1 - line), req);
    if (err)
        return err;
    err = parse_target(sp1 + 1, (size_t)(sp2 - sp1 - 1), lim, req);
    if (err)
        return err;
    /* The method is judged last so that 405/501 are only sent for well-formed requests. */
    return parse_method(line, (size_t)(sp1 - line), req);
}

/* Strict decimal: 1..19 digits, no sign, no overflow of int64. */
static bool
parse_u63(const char *p, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 19)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit((unsigned char)p[i]))
            return false;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (v > INT64_MAX)
        return false;
    *out = v;
    return true;
}

/* Host = uri-host [ ":" port ]; keeps the host part lower-cased in req->host. */
static enum ocdn_err
parse_host(const char *p, size_t len, struct http_request *req)
{
    size_t hlen = len;
    size_t i;

    if (len > 0 && p[0] == '[') {
        const char *rb = memchr(p, ']', len);
        if (!rb)
            return reject(req, HTTP_REJECT_BAD_REQUEST, "bad Host");
        hlen = (size_t)(rb - p) + 1;
        for (i = 1; i + 1 < hlen; i++) {
            if (hex_val((unsigned char)p[i]) < 0 && p[i] != ':' && p[i] != '.')
                return reject(req, HTTP_REJECT_BAD_REQUEST, "bad Host");
        }
    } else {
        for (i = 0; i < len && p[i] != ':'; i++) {
            unsigned char ch = (unsigned char)p[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || is_digit(ch) ||
                  ch == '-' || ch == '.' || ch == '_'))
                return reject(req, HTTP_REJECT_BAD_REQUEST, "bad Host");
        }
        hlen = i;
    }
    if (hlen < len) {
        /* port = *DIGIT (RFC 3986 3.2.3; empty allowed), at most 65535 */
        unsigned long port = 0;
        if (p[hlen] != ':' || len - hlen - 1 > 5)
            return reject(req, HTTP_REJECT_BAD_REQUEST, "bad Host port");
        for (i = hlen + 1; i < len; i++) {
            if (!is_digit((unsigned char)p[i]))
                return reject(req, HTTP_REJECT_BAD_REQUEST, "bad Host port");
            port = port * 10 + (unsigned long)(p[i] - '0');
        }
        if (port > 65535)
            return reject(req, HTTP_REJECT_BAD_REQUEST, "bad Host port");
    }
    if (hlen > HTTP_HOST_MAX)
        return reject(req, HTTP_REJECT_BAD_REQUEST, "Host too long");
    for (i = 0; i < hlen; i++) {
        char ch = p[i];
        req->host[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    req->host[hlen] = '\0';
    return OCDN_OK;
}

/* Connection = #token: "close" and "keep-alive" matter, the rest is ignored. */
static void
parse_connection(const char *p, size_t len, bool *is_close, bool *is_keep_alive)
{
    size_t i = 0;

    while (i < len) {
        size_t s, e;
        while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
            i++;
        s = i;
        while (i < len && p[i] != ',')
            i++;
        e = i;
        while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'))
            e--;
        if (slice_ieq(p + s, e - s, "close"))
            *is_close = true;
        else if (slice_ieq(p + s, e - s, "keep-alive"))
            *is_keep_alive = true;
    }
}

/* One known header; unknown ones are only kept in req->headers. */
static enum ocdn_err
apply_header(const struct http_header *h, struct http_request *req, bool *has_te, bool *is_close,
             bool *is_keep_alive)
{
    const char *n = h->name.p, *v = h->value.p;
    size_t nl = h->name.len, vl = h->value.len;

    if (slice_ieq(n, nl, "host")) {
        if (req->has_host)
            return reject(req, HTTP_REJECT_BAD_REQUEST, "duplicate Host");
        req->has_host = true;
        return parse_host(v, vl, req);
    }
    if (slice_ieq(n, nl, "content-length")) {
        if (req->has_content_length)
            return reject(req, HTTP_REJECT_BAD_REQUEST, "duplicate Content-Length");
        req->has_content_length = true;
        if (!parse_u63(v, vl, &req->content_length))
            return reject(req, HTTP_REJECT_BAD_REQUEST, "bad Content-Length");
        return OCDN_OK;
    }
    if (slice_ieq(n, nl, "transfer-encoding")) {
        *has_te = true;
        return OCDN_OK;
    }
    if (slice_ieq(n, nl, "connection")) {
        parse_connection(v, vl, is_close, is_keep_alive);
        return OCDN_OK;
    }
    if (slice_ieq(n, nl, "range")) {
        if (req->has_range)
            return reject(req, HTTP_REJECT_BAD_REQUEST, "duplicate Range");
        req->has_range = true;
        req->range = h->value;
        return OCDN_OK;
    }
    if (slice_ieq(n, nl, "if-range")) {
        req->has_if_range = true;
        return OCDN_OK;
    }
    if (slice_ieq(n, nl, "expect")) {
        if (!slice_ieq(v, vl, "100-continue"))
            return reject(req, HTTP_REJECT_EXPECTATION, "unsupported Expect");
        req->expect_continue = true;
    }
    return OCDN_OK;
}

/* "name: value" without the CRLF. */
static enum ocdn_err
parse_header_line(const char *line, size_t len, struct http_header *h, struct http_request *req)
{
    const char *colon = memchr(line, ':', len);
    size_t vs, ve;

    if (line[0] == ' ' || line[0] == '\t')
        return reject(req, HTTP_REJECT_BAD_REQUEST, "obsolete line folding");
    if (!colon)
        return reject(req, HTTP_REJECT_BAD_REQUEST, "header without colon");
    if (colon == line)
        return reject(req, HTTP_REJECT_BAD_REQUEST, "empty header name");
    for (const char *c = line; c < colon; c++) {
        if (*c == ' ' || *c == '\t')
            return reject(req, HTTP_REJECT_BAD_REQUEST, "whitespace in header name");
        if (!is_tchar((unsigned char)*c))
            return reject(req, HTTP_REJECT_BAD_REQUEST, "bad header name");
    }
    vs = (size_t)(colon - line) + 1;
    ve = len;
    while (vs < ve && (line[vs] == ' ' || line[vs] == '\t'))
        vs++;
    while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t'))
        ve--;
    for (size_t i = vs; i < ve; i++) {
        unsigned char ch = (unsigned char)line[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return reject(req, HTTP_REJECT_BAD_REQUEST, "control character in header value");
    }
    h->name.p = line;
    h->name.len = (size_t)(colon - line);
    h->value.p = line + vs;
    h->value.len = ve - vs;
    return OCDN_OK;
}

static bool
is_speedtest_path(const struct http_slice *path)
{
    static const char st[] = "/speedtest";
    size_t n = sizeof(st) - 1;

    return path->len >= n && memcmp(path->p, st, n) == 0 && (path->len == n || path->p[n] == '/');
}

/* Decisions that need the whole head: Host, framing, method against target, body size. */
static enum ocdn_err
check_request(struct http_request *req, const struct http_limits *lim, bool has_te, bool is_close,
              bool is_keep_alive)
{
    if (req->version_minor >= 1 && !req->has_host)
        return reject(req, HTTP_REJECT_BAD_REQUEST, "missing Host");
    if (has_te && req->has_content_length)
        return reject(req, HTTP_REJECT_BAD_REQUEST, "Content-Length with Transfer-Encoding");
    if (has_te)
        return reject(req, HTTP_REJECT_NOT_IMPLEMENTED, "Transfer-Encoding not supported");
    if (req->method == HTTP_METHOD_POST && !is_speedtest_path(&req->path))
        return reject(req, HTTP_REJECT_METHOD, "method not allowed");
    if (req->method != HTTP_METHOD_POST && req->content_length > 0)
        return reject(req, HTTP_REJECT_BAD_REQUEST, "body not allowed");
    if (req->content_length > lim->max_body_bytes)
        return reject(req, HTTP_REJECT_BODY_TOO_LARGE, "body too large");
    if (req->version_minor == 0)
        req->keep_alive = is_keep_alive && !is_close;
    else
        req->keep_alive = !is_close;
    return OCDN_OK;
}

/* Is an incomplete head already too long? 414 while still in the request line. */
static enum ocdn_err
check_incomplete(const char *buf, size_t len, size_t start, const struct http_limits *lim,
                 struct http_request *req)
{
    const char *eol = memchr(buf + start, '\n', len - start);

    /* method (16) + 2 SP + version (8) + CRLF around the longest acceptable target */
    if (!eol && len - start > lim->max_target_bytes + 28)
        return reject(req, HTTP_REJECT_URI_TOO_LONG, "target too long");
    if (len >= lim->max_head_bytes)
        return reject(req, HTTP_REJECT_HEADERS_TOO_LARGE, "request head too large");
    return OCDN_EBUSY;
}

static void
request_reset(struct http_request *req)
{
    req->method = HTTP_METHOD_NONE;
    req->version_minor = 0;
    req->keep_alive = false;
    req->head_len = 0;
    req->target.p = req->path.p = req->query.p = NULL;
    req->target.len = req->path.len = req->query.len = 0;
    req->has_host = false;
    req->host[0] = '\0';
    req->has_content_length = false;
    req->content_length = 0;
    req->has_range = false;
    req->range.p = NULL;
    req->range.len = 0;
    req->has_if_range = false;
    req->expect_continue = false;
    req->nheaders = 0;
    req->reject = HTTP_REJECT_NONE;
    req->reason = NULL;
}

enum ocdn_err
http_parse_request(const char *buf, size_t len, const struct http_limits *lim,
                   struct http_request *req)
{
    bool has_te = false, is_close = false, is_keep_alive = false;
    size_t start = 0, end = 0, pos, eol;
    unsigned max_headers = lim->max_headers;
    enum ocdn_err err;

    request_reset(req);
    if (max_headers > HTTP_HEADERS_LIMIT)
        max_headers = HTTP_HEADERS_LIMIT;
    /* RFC 9112 2.2: ignore empty lines before the request line (some clients send a CRLF
     * after a POST body). They count against the head size. */
    while (start + 1 < len && buf[start] == '\r' && buf[start + 1] == '\n')
        start += 2;
    if (start >= lim->max_head_bytes)
        return reject(req, HTTP_REJECT_HEADERS_TOO_LARGE, "request head too large");
    err = find_head_end(buf, len, start, req, &end);
    if (err == OCDN_EBUSY)
        return check_incomplete(buf, len, start, lim, req);
    if (err)
        return err;
    if (end > lim->max_head_bytes)
        return reject(req, HTTP_REJECT_HEADERS_TOO_LARGE, "request head too large");

    eol = (size_t)((const char *)memchr(buf + start, '\n', end - start) - buf) - 1;
    err = parse_request_line(buf + start, eol - start, lim, req);
    if (err)
        return err;
    for (pos = eol + 2; pos < end - 2; pos = eol + 2) {
        struct http_header *h;

        eol = (size_t)((const char *)memchr(buf + pos, '\n', end - pos) - buf) - 1;
        if (req->nheaders >= max_headers)
            return reject(req, HTTP_REJECT_HEADERS_TOO_LARGE, "too many headers");
        h = &req->headers[req->nheaders];
        err = parse_header_line(buf + pos, eol - pos, h, req);
        if (err)
            return err;
        req->nheaders++;
        err = apply_header(h, req, &has_te, &is_close, &is_keep_alive);
        if (err)
            return err;
    }
    err = check_request(req, lim, has_te, is_close, is_keep_alive);
    if (err)
        return err;
    req->head_len = end;
    return OCDN_OK;
}

enum ocdn_err
http_query_parse(const char *s, size_t len, struct http_query *q)
{
    size_t i = 0, o = 0;

    q->n = 0;
    if (len > HTTP_TARGET_MAX_LIMIT)
        return OCDN_EINVAL;
    while (i < len) {
        const char *key, *value = NULL;
        size_t vstart = 0;

        if (s[i] == '&') {
            i++;
            continue;
        }
        if (q->n >= HTTP_QUERY_MAX_PARAMS)
            goto bad;
        key = q->buf + o;
        for (; i < len && s[i] != '&'; i++) {
            unsigned char ch = (unsigned char)s[i];
            if (ch == '=' && !value) {
                if (q->buf + o == key)
                    goto bad; /* empty key */
                q->buf[o++] = '\0';
                value = q->buf + o;
                vstart = o;
                continue;
            }
            if (ch == '%') {
                int hi, lo;
                if (i + 2 >= len)
                    goto bad;
                hi = hex_val((unsigned char)s[i + 1]);
                lo = hex_val((unsigned char)s[i + 2]);
                if (hi < 0 || lo < 0)
                    goto bad;
                ch = (unsigned char)(hi * 16 + lo);
                i += 2;
            }
            if (ch < 0x20 || ch == 0x7f)
                goto bad;
            q->buf[o++] = (char)ch;
        }
        if (!value) {
            if (q->buf + o == key)
                goto bad;
            q->buf[o++] = '\0';
            value = q->buf + o;
            vstart = o;
        }
        if (o - vstart > HTTP_QUERY_VALUE_MAX)
            goto bad;
        q->buf[o++] = '\0';
        if (http_query_get(q, key))
            goto bad; /* a duplicate could let the token cover one value and us use another */
        q->v[q->n].key = key;
        q->v[q->n].value = value;
        q->n++;
    }
    return OCDN_OK;
bad:
    q->n = 0;
    return OCDN_EINVAL;
}

const char *
http_query_get(const struct http_query *q, const char *key)
{
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->v[i].key, key) == 0)
            return q->v[i].value;
    }
    return NULL;
}

/* Saturating decimal for Range numbers: a too-large first byte is simply unsatisfiable. */
static bool
parse_range_num(const char *p, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        uint64_t d;
        if (!is_digit((unsigned char)p[i]))
            return false;
        d = (uint64_t)(p[i] - '0');
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    }
    *out = v;
    return true;
}

/* One range-spec without surrounding whitespace. */
static bool
parse_range_spec(const char *p, size_t len, struct http_range *r)
{
    const char *dash = memchr(p, '-', len);
    size_t a, b;

    if (!dash)
        return false;
    a = (size_t)(dash - p);
    b = len - a - 1;
    if (a == 0) {
        r->kind = HTTP_RANGE_SUFFIX;
        r->first = 0;
        return parse_range_num(dash + 1, b, &r->last);
    }
    if (!parse_range_num(p, a, &r->first))
        return false;
    if (b == 0) {
        r->kind = HTTP_RANGE_FROM;
        r->last = UINT64_MAX;
        return true;
    }
    r->kind = HTTP_RANGE_SPAN;
    /* RFC 9110 14.1.1: last < first makes the range-spec invalid. */
    return parse_range_num(dash + 1, b, &r->last) && r->last >= r->first;
}

void
http_range_parse(const char *s, size_t len, struct http_range *out)
{
    size_t i = 6, nspecs = 0;

    out->kind = HTTP_RANGE_INVALID;
    out->first = out->last = 0;
    if (len < 6 || !slice_ieq(s, 5, "bytes") || s[5] != '=')
        return;
    while (i < len) {
        struct http_range r;
        size_t st, e;

        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        st = i;
        while (i < len && s[i] != ',')
            i++;
        e = i;
        if (i < len)
            i++; /* the comma */
        while (e > st && (s[e - 1] == ' ' || s[e - 1] == '\t'))
            e--;
        if (e == st)
            continue; /* empty list element */
        if (!parse_range_spec(s + st, e - st, &r)) {
            out->kind = HTTP_RANGE_INVALID;
            return;
        }
        if (nspecs++ == 0)
            *out = r;
    }
    if (nspecs == 0)
        out->kind = HTTP_RANGE_INVALID;
    else if (nspecs > 1)
        out->kind = HTTP_RANGE_MULTI;
}

enum ocdn_err
http_range_resolve(const struct http_range *r, uint64_t size, uint64_t *off, uint64_t *count)
{
    uint64_t first, last;

    *off = 0;
    *count = 0;
    switch (r->kind) {
    case HTTP_RANGE_SPAN:
    case HTTP_RANGE_FROM:
        if (r->first >= size)
            return OCDN_EINVAL;
        first = r->first;
        last = r->last < size - 1 ? r->last : size - 1;
        break;
    case HTTP_RANGE_SUFFIX:
        if (r->last == 0 || size == 0)
            return OCDN_EINVAL;
        first = r->last >= size ? 0 : size - r->last;
        last = size - 1;
        break;
    default:
        return OCDN_EINVAL;
    }
    *off = first;
    *count = last - first + 1;
    return OCDN_OK;
}

enum ocdn_err
http_path_range_parse(const char *s, size_t len, uint64_t *first, uint64_t *last)
{
    const char *dash = memchr(s, '-', len);
    uint64_t a, b;

    *first = *last = 0;
    if (!dash)
        return OCDN_EINVAL;
    if (!parse_u63(s, (size_t)(dash - s), &a) ||
        !parse_u63(dash + 1, len - (size_t)(dash - s) - 1, &b) || b < a)
        return OCDN_EINVAL;
    *first = a;
    *last = b;
    return OCDN_OK;
}
