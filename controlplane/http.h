#ifndef CP_HTTP_H
#define CP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "auth.h"
#include "err.h"

/* The control plane's HTTP layer: libmicrohttpd glue, limits, the route table lookup, and the
 * only place where enum ocdn_err becomes an HTTP status (STYLE.md 8). http_dispatch() is the
 * whole request path without sockets, so tests can drive every route directly. */

struct cp;
struct store;

struct kv {
    const char *key;
    const char *value;
};

#define API_MAX_PARAMS 4
#define API_MAX_QUERY  16

/* One request as a handler sees it. Strings live in arena (request scope). */
struct api_req {
    struct cp *cp;
    struct store *store; /* this thread's connection */
    struct arena *arena;
    const struct tenant *tenant;
    const char *method;
    const char *path;
    const char *params[API_MAX_PARAMS]; /* {name} captures of the route pattern, in order */
    unsigned nparams;
    const struct kv *query; /* already checked against the route's allowed names */
    unsigned nquery;
    const char *body; /* decoded (gunzipped) body, NUL-terminated; NULL when empty */
    size_t body_len;
    const char *if_none_match;
    const char *client_ip;
    int64_t now; /* Unix seconds when the request arrived */
};

/* What a handler returns besides its enum ocdn_err. */
struct api_resp {
    unsigned status;    /* 0 = 200 */
    json_t *body;       /* JSON body; http.c dumps and decrefs it */
    const char *errmsg; /* detail for an error status (arena text) */
    char *raw;          /* non-JSON body (malloc'd; http.c frees); with content_type */
    size_t raw_len;
    const char *content_type;
    const char *etag;     /* arena text, quoted by http.c */
    const char *location; /* arena text */
    bool need_full;       /* report ingest: ask the agent for a full report (409 body flag) */
};

typedef enum ocdn_err api_fn(struct api_req *rq, struct api_resp *rs);

/* Value of query parameter key, or NULL. */
const char *api_query(const struct api_req *rq, const char *key);
/* Path capture i as a positive integer id; OCDN_ENOTFOUND when it is not one (a malformed id
 * names no object). */
enum ocdn_err api_param_id(const struct api_req *rq, unsigned i, int64_t *out);
/* Parse the JSON body (depth, size and duplicate-key limits); OCDN_EINVAL with errmsg. */
enum ocdn_err api_body_json(struct api_req *rq, struct api_resp *rs, json_t **out);

/* A request for http_dispatch(). */
struct http_call {
    const char *method;
    const char *path;
    const struct kv *query;
    unsigned nquery;
    const char *authorization; /* Authorization header value, or NULL */
    const char *content_type;
    const char *content_encoding; /* "gzip" is accepted on report routes */
    const char *body;
    size_t body_len;
    const char *if_none_match;
    const char *client_ip;
};

/* A response from http_dispatch(); free with http_result_clear(). */
struct http_result {
    unsigned status;
    char *body; /* malloc'd */
    size_t body_len;
    const char *content_type; /* static string */
    char etag[80];            /* "" = none */
    char location[256];       /* "" = none */
    const char *route;        /* pattern of the matched route, for logs and metrics */
};

/* Authenticate, route, run the handler, map errors to statuses, and format the body. */
void http_dispatch(struct cp *cp, struct store *st, struct arena *a, const struct http_call *c,
                   struct http_result *out);
void http_result_clear(struct http_result *r);
/* HTTP status for an error code (the single mapping table). */
unsigned http_status_of(enum ocdn_err err);

struct http;
/* Start the server on cp's listen address with its limits and thread pool; each worker thread
 * opens its own store on first use. */
enum ocdn_err http_start(struct cp *cp, struct http **out, char *err, size_t errlen);
/* Stop accepting, finish, join the threads, close their stores. NULL does nothing. */
void http_stop(struct http *h);
/* The port actually bound (useful with port 0). */
uint16_t http_port(const struct http *h);

#endif
