#ifndef AGENT_HTTP_PARSE_H
#define AGENT_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Pure HTTP/1.1 request parsing for the agent's file server: bytes in, structs out, no I/O,
 * no allocation. Slices point into the caller's buffer and are valid while it is unchanged.
 *
 * Rules (RFC 9110/9112, strict where leniency enables request smuggling):
 * - lines end in CRLF; a bare LF, a bare CR, NUL or another CTL in the head is 400;
 * - methods GET and HEAD; POST only to /speedtest and /speedtest/...; PUT, DELETE, OPTIONS,
 *   PATCH, TRACE, CONNECT are 405; any other method token is 501;
 * - origin-form targets only ("/..."), at most max_target_bytes (414), URI characters only;
 * - HTTP/1.0 and HTTP/1.x (x >= 1, answered as 1.1); another major version is 505;
 * - no obs-fold, no whitespace in or before a header name's colon, no duplicate Host,
 *   Content-Length or Range, no Content-Length with Transfer-Encoding (400); any
 *   Transfer-Encoding is 501 (no chunked request bodies); HTTP/1.1 without Host is 400;
 *   GET and HEAD must not carry a body; a POST body over max_body_bytes is 413;
 * - more than max_headers header lines or a head over max_head_bytes is 431. */

#define HTTP_HEAD_MAX_LIMIT   65536 /* largest max_head_bytes a caller may set */
#define HTTP_HEADERS_LIMIT    128   /* largest max_headers a caller may set */
#define HTTP_TARGET_MAX_LIMIT 8192  /* largest max_target_bytes a caller may set */
#define HTTP_HOST_MAX         255   /* longest Host name (without port) */
#define HTTP_QUERY_MAX_PARAMS 16    /* most key=value pairs in a query */
#define HTTP_QUERY_VALUE_MAX  512   /* longest decoded query value */

struct http_limits {
    size_t max_head_bytes;   /* request line + headers + final CRLF (default 8192) */
    unsigned max_headers;    /* header lines (default 64) */
    size_t max_target_bytes; /* request target (default 2048) */
    uint64_t max_body_bytes; /* POST body (default 26214400, one speed test object) */
};

enum http_method {
    HTTP_METHOD_NONE = 0,
    HTTP_METHOD_GET,
    HTTP_METHOD_HEAD,
    HTTP_METHOD_POST,
};

/* Why a request was refused; http_reject_status() gives the status code to send. */
enum http_reject {
    HTTP_REJECT_NONE = 0,
    HTTP_REJECT_BAD_REQUEST,       /* 400 */
    HTTP_REJECT_METHOD,            /* 405: known method not allowed on this target */
    HTTP_REJECT_BODY_TOO_LARGE,    /* 413 */
    HTTP_REJECT_URI_TOO_LONG,      /* 414 */
    HTTP_REJECT_EXPECTATION,       /* 417: Expect other than 100-continue */
    HTTP_REJECT_HEADERS_TOO_LARGE, /* 431 */
    HTTP_REJECT_NOT_IMPLEMENTED,   /* 501: unknown method, Transfer-Encoding */
    HTTP_REJECT_VERSION,           /* 505 */
};

/* A byte range of the parsed buffer (not NUL-terminated). */
struct http_slice {
    const char *p;
    size_t len;
};

struct http_header {
    struct http_slice name;
    struct http_slice value; /* without leading and trailing whitespace */
};

struct http_request {
    enum http_method method;
    unsigned version_minor; /* 0 for HTTP/1.0, 1 for HTTP/1.1 and later 1.x */
    bool keep_alive;        /* after version defaults and Connection tokens */
    size_t head_len;        /* bytes consumed: leading empty lines, request line, headers */
    struct http_slice target;
    struct http_slice path;  /* target up to '?', not decoded */
    struct http_slice query; /* after '?', not decoded; len 0 when absent */
    bool has_host;
    char host[HTTP_HOST_MAX + 1]; /* Host without port, lower case, NUL-terminated */
    bool has_content_length;
    uint64_t content_length;
    bool has_range;
    struct http_slice range; /* Range header value */
    bool has_if_range;
    bool expect_continue; /* Expect: 100-continue */
    size_t nheaders;
    struct http_header headers[HTTP_HEADERS_LIMIT];
    enum http_reject reject; /* set when http_parse_request() returns OCDN_EINVAL */
    const char *reason;      /* short static text for the reject, or NULL */
};

/* Defaults: 8192-byte head, 64 headers, 2048-byte target, 25 MiB body. */
void http_limits_init(struct http_limits *lim);

/* Parse one request head at the start of buf[0..len). OCDN_OK: *req is filled and
 * req->head_len bytes were consumed (a body, if any, follows). OCDN_EBUSY: no complete head
 * yet and nothing wrong so far; call again with more bytes. OCDN_EINVAL: refused, req->reject
 * and req->reason say why (the connection must be closed after the error response). Slices
 * in *req point into buf. */
enum ocdn_err http_parse_request(const char *buf, size_t len, const struct http_limits *lim,
                                 struct http_request *req);

/* Status code for a reject reason (400 for HTTP_REJECT_NONE, which is never sent). */
int http_reject_status(enum http_reject r);
/* Reason phrase for a status code ("Not Found"); "Unknown" for codes we never send. */
const char *http_status_text(int status);

/* Query parameters, percent-decoded into buf; keys and values are NUL-terminated. */
struct http_query {
    size_t n;
    struct {
        const char *key;
        const char *value; /* "" for a key without '=' */
    } v[HTTP_QUERY_MAX_PARAMS];
    char buf[HTTP_TARGET_MAX_LIMIT + 2];
};

/* Parse "k=v&k2=v2" (without the '?'). '+' stays '+'; empty pairs are skipped.
 * OCDN_EINVAL on more than HTTP_QUERY_MAX_PARAMS pairs, a duplicate key, an empty key, a bad
 * %XX escape, a decoded NUL or other CTL, a value over HTTP_QUERY_VALUE_MAX, or len over
 * HTTP_TARGET_MAX_LIMIT. On error q->n is 0. */
enum ocdn_err http_query_parse(const char *s, size_t len, struct http_query *q);
/* Value of key, borrowed from q, or NULL when absent. */
const char *http_query_get(const struct http_query *q, const char *key);

/* A Range header value, before the representation size is known. */
enum http_range_kind {
    HTTP_RANGE_NONE = 0, /* no usable header: serve the whole representation */
    HTTP_RANGE_SPAN,     /* bytes=first-last */
    HTTP_RANGE_FROM,     /* bytes=first- */
    HTTP_RANGE_SUFFIX,   /* bytes=-last (last = suffix length) */
    HTTP_RANGE_MULTI,    /* more than one range: served whole with 200 (see serve.c) */
    HTTP_RANGE_INVALID,  /* not a bytes range set we understand: ignored per RFC 9110 14.2 */
};

struct http_range {
    enum http_range_kind kind;
    uint64_t first; /* numbers over 2^64-1 saturate, which makes them unsatisfiable */
    uint64_t last;
};

/* Classify a Range header value (RFC 9110 14.1.1; the unit is case-insensitive, empty list
 * elements are skipped). Never fails: anything unusable is HTTP_RANGE_INVALID. */
void http_range_parse(const char *s, size_t len, struct http_range *out);
/* Resolve a SPAN, FROM or SUFFIX range against size: OCDN_OK with *off and *count (>= 1),
 * the last byte clamped to size - 1; OCDN_EINVAL when unsatisfiable (416). Other kinds are
 * OCDN_EINVAL too; callers serve those whole. */
enum ocdn_err http_range_resolve(const struct http_range *r, uint64_t size, uint64_t *off,
                                 uint64_t *count);
/* Parse the "<first>-<last>" of /range/<first>-<last>: decimal digits only, first <= last,
 * no overflow; OCDN_EINVAL otherwise. */
enum ocdn_err http_path_range_parse(const char *s, size_t len, uint64_t *first, uint64_t *last);

#endif
