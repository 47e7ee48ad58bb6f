/* http.c - the control plane's HTTP layer.
 * http_dispatch() is the request path without sockets: authenticate, match the route table,
 * check query parameters and body framing, gunzip, call the handler, map its error to a status
 * (the only such table) and format the JSON body. The libmicrohttpd glue below collects a
 * request under the configured limits, runs http_dispatch() on the worker thread that owns a
 * store connection and queues the response. Bodies, keys and tokens are never logged. */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <zlib.h>

#include "buf.h"
#include "clock.h"
#include "cp.h"
#include "jsonx.h"
#include "log.h"
#include "net.h"
#include "routes.h"
#include "store.h"

#define PATH_MAX_LEN    1024
#define QUERY_MAX_VALUE 1024
#define ARENA_MAX       (64u * 1024 * 1024)

/* ---- the handler-facing helpers -------------------------------------------------------- */

const char *
api_query(const struct api_req *rq, const char *key)
{
    unsigned i;

    for (i = 0; i < rq->nquery; i++) {
        if (strcmp(rq->query[i].key, key) == 0)
            return rq->query[i].value;
    }
    return NULL;
}

enum ocdn_err
api_param_id(const struct api_req *rq, unsigned i, int64_t *out)
{
    const char *s;
    int64_t v = 0;

    *out = 0;
    if (i >= rq->nparams)
        return OCDN_ENOTFOUND;
    s = rq->params[i];
    if (*s < '1' || *s > '9' || strlen(s) > 18)
        return OCDN_ENOTFOUND;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return OCDN_ENOTFOUND;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return OCDN_OK;
}

enum ocdn_err
api_body_json(struct api_req *rq, struct api_resp *rs, json_t **out)
{
    struct cp_config_ref *cfg;
    enum ocdn_err err;

    *out = NULL;
    if (!rq->body || rq->body_len == 0) {
        rs->errmsg = "request body: a JSON object is required";
        return OCDN_EINVAL;
    }
    cfg = cp_config_get(rq->cp);
    err = jsonx_parse(rq->body, rq->body_len, rq->body_len + 1, (size_t)cfg->c.json_depth_max, out,
                      rq->arena, &rs->errmsg);
    cp_config_unref(cfg);
    if (err)
        return err == OCDN_ETOOBIG ? OCDN_ETOOBIG : OCDN_EINVAL;
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        rs->errmsg = "request body: must be a JSON object";
        return OCDN_EINVAL;
    }
    return OCDN_OK;
}

/* ---- status mapping and error bodies ----------------------------------------------------- */

unsigned
http_status_of(enum ocdn_err err)
{
    switch (err) {
    case OCDN_OK:
        return 200;
    case OCDN_EINVAL:
        return 400;
    case OCDN_EUNAUTH:
        return 401;
    case OCDN_ENOTFOUND:
    case OCDN_EFORBIDDEN: /* hide other tenants' objects: the same answer as a missing one */
        return 404;
    case OCDN_EEXIST:
    case OCDN_ECONFLICT:
        return 409;
    case OCDN_ETOOBIG:
        return 413;
    case OCDN_EBUSY:
        return 503;
    case OCDN_EUPSTREAM:
        return 502;
    default:
        return 500;
    }
}

static const char *
status_name(unsigned status)
{
    switch (status) {
    case 400:
        return "bad_request";
    case 401:
        return "unauthorized";
    case 403:
        return "forbidden";
    case 404:
        return "not_found";
    case 405:
        return "method_not_allowed";
    case 409:
        return "conflict";
    case 413:
        return "too_large";
    case 415:
        return "unsupported_media_type";
    case 502:
        return "bad_gateway";
    case 503:
        return "busy";
    default:
        return "internal_error";
    }
}

static void
set_json(struct http_result *out, json_t *body)
{
    out->body = json_dumps(body, JSON_COMPACT);
    out->body_len = out->body ? strlen(out->body) : 0;
    out->content_type = "application/json";
    if (!out->body) {
        out->status = 500;
        out->body = strdup("{\"error\":\"internal_error\"}");
        out->body_len = out->body ? strlen(out->body) : 0;
    }
}

static void
set_error(struct http_result *out, unsigned status, const char *detail)
{
    json_t *j = json_pack("{s:s}", "error", status_name(status));

    out->status = status;
    if (j && detail)
        json_object_set_new(j, "detail", json_string(detail));
    if (!j) {
        out->body = strdup("{\"error\":\"internal_error\"}");
        out->body_len = out->body ? strlen(out->body) : 0;
        out->content_type = "application/json";
        out->status = 500;
        return;
    }
    set_json(out, j);
    json_decref(j);
}

void
http_result_clear(struct http_result *r)
{
    free(r->body);
    memset(r, 0, sizeof(*r));
}

/* ---- request checks ---------------------------------------------------------------------- */

static bool
query_allowed(const struct api_route *rt, const char *key)
{
    const char *const *q;

    for (q = rt->query; q && *q; q++) {
        if (strcmp(*q, key) == 0)
            return true;
    }
    return false;
}

static const char *
check_query(const struct api_route *rt, const struct http_call *c, struct arena *a)
{
    unsigned i, j;

    if (c->nquery > API_MAX_QUERY)
        return "too many query parameters";
    for (i = 0; i < c->nquery; i++) {
        if (!query_allowed(rt, c->query[i].key))
            return arena_printf(a, "unknown query parameter '%.64s'", c->query[i].key);
        if (c->query[i].value && strlen(c->query[i].value) > QUERY_MAX_VALUE)
            return arena_printf(a, "query parameter '%.64s' is too long", c->query[i].key);
        for (j = 0; j < i; j++) {
            if (strcmp(c->query[i].key, c->query[j].key) == 0)
                return arena_printf(a, "query parameter '%.64s' given twice", c->query[i].key);
        }
    }
    return NULL;
}

static bool
is_json_type(const char *ct)
{
    size_t n = strlen("application/json");

    if (!ct)
        return true; /* agents and curl often omit it; the body must still parse as JSON */
    if (strncasecmp(ct, "application/json", n) != 0)
        return false;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* Inflate a gzip body into out (bounded by out->max); a bomb fails with OCDN_ETOOBIG. */
static enum ocdn_err
gunzip(const char *in, size_t len, struct buf *out)
{
    z_stream zs;
    unsigned char chunk[64 * 1024];
    enum ocdn_err err = OCDN_OK;
    int rc;

    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return OCDN_ENOMEM;
    zs.next_in = (unsigned char *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    if (len > UINT32_MAX) {
        inflateEnd(&zs);
        return OCDN_ETOOBIG;
    }
    do {
        zs.next_out = chunk;
        zs.avail_out = sizeof(chunk);
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            err = OCDN_EINVAL;
            break;
        }
        err = buf_append(out, chunk, sizeof(chunk) - zs.avail_out);
        if (err)
            break;
    } while (rc != Z_STREAM_END && (zs.avail_in > 0 || zs.avail_out == 0));
    if (!err && rc != Z_STREAM_END)
        err = OCDN_EINVAL; /* truncated stream */
    if (!err && zs.avail_in != 0)
        err = OCDN_EINVAL; /* trailing bytes after the gzip member */
    inflateEnd(&zs);
    return err;
}

static int64_t
body_limit(struct cp *cp, const struct api_route *rt)
{
    struct cp_config_ref *cfg = cp_config_get(cp);
    int64_t max = (rt && (rt->flags & ROUTE_F_REPORT)) ? cfg->c.report_max : cfg->c.body_max;

    cp_config_unref(cfg);
    return max;
}

/* Resolve the caller's key for route rt into *t. 0 when the route may be called, else the
 * status to answer with (and its detail in *detail). */
static unsigned
check_key(struct cp *cp, struct store *st, const struct api_route *rt, const char *authorization,
          struct tenant *t, const char **detail)
{
    enum ocdn_err err;

    memset(t, 0, sizeof(*t));
    *detail = NULL;
    if (rt->scopes == SCOPE_NONE)
        return 0;
    err = auth_resolve(cp->auth, st, authorization, clock_mono_ms(), t);
    if (err == OCDN_EUNAUTH) {
        *detail = "a valid API key is required (Authorization: Bearer <key>)";
        return 401;
    }
    if (err) {
        log_warnx("http: key lookup failed route=%s err=%s", rt->pattern, ocdn_err_str(err));
        return http_status_of(err);
    }
    if (!(t->scope & rt->scopes)) {
        *detail = "this key's scope may not call this route";
        return 403;
    }
    return 0;
}

/* ---- dispatch ---------------------------------------------------------------------------- */

void
http_dispatch(struct cp *cp, struct store *st, struct arena *a, const struct http_call *c,
              struct http_result *out)
{
    const struct api_route *rt;
    struct api_req rq;
    struct api_resp rs;
    struct tenant tenant;
    struct buf plain;
    char pathbuf[PATH_MAX_LEN + 1];
    const char *msg;
    enum ocdn_err err;
    unsigned status;
    int path_known = 0;
    bool has_body = c->body_len > 0;

    memset(out, 0, sizeof(*out));
    memset(&rq, 0, sizeof(rq));
    memset(&rs, 0, sizeof(rs));
    buf_init(&plain, 0);

    if (strlen(c->path) > PATH_MAX_LEN) {
        set_error(out, 404, NULL);
        return;
    }
    rt = routes_match(c->method, c->path, rq.params, &rq.nparams, pathbuf, sizeof(pathbuf),
                      &path_known);
    if (!rt) {
        set_error(out, path_known ? 405 : 404, path_known ? "method not allowed here" : NULL);
        return;
    }
    out->route = rt->pattern;

    status = check_key(cp, st, rt, c->authorization, &tenant, &msg);
    if (status) {
        set_error(out, status, msg);
        return;
    }

    msg = check_query(rt, c, a);
    if (msg) {
        set_error(out, 400, msg);
        return;
    }

    if (has_body && !(rt->flags & (ROUTE_F_BODY | ROUTE_F_REPORT))) {
        set_error(out, 400, "this route takes no request body");
        return;
    }
    /* The MHD glue refuses oversize bodies while reading; this covers every other caller. */
    if (has_body && c->body_len > (size_t)body_limit(cp, rt)) {
        set_error(out, 413, "request body is larger than the limit");
        return;
    }
    if (has_body && !is_json_type(c->content_type)) {
        set_error(out, 415, "request body must be application/json");
        return;
    }
    rq.body = c->body;
    rq.body_len = c->body_len;
    if (has_body && c->content_encoding && strcasecmp(c->content_encoding, "identity") != 0) {
        if (strcasecmp(c->content_encoding, "gzip") != 0 || !(rt->flags & ROUTE_F_REPORT)) {
            set_error(out, 415, "unsupported Content-Encoding");
            return;
        }
        buf_init(&plain, (size_t)body_limit(cp, rt));
        err = gunzip(c->body, c->body_len, &plain);
        if (err) {
            buf_clear(&plain);
            set_error(out, err == OCDN_ETOOBIG ? 413 : 400,
                      err == OCDN_ETOOBIG ? "decoded body is larger than the limit"
                                          : "body is not valid gzip");
            return;
        }
        rq.body = plain.data;
        rq.body_len = plain.len;
    }

    rq.cp = cp;
    rq.store = st;
    rq.arena = a;
    rq.tenant = &tenant;
    rq.method = c->method;
    rq.path = c->path;
    rq.query = c->query;
    rq.nquery = c->nquery;
    rq.if_none_match = c->if_none_match;
    rq.client_ip = c->client_ip;
    rq.now = clock_wall_s();

    err = rt->fn(&rq, &rs);
    buf_clear(&plain);
    if (err) {
        status = http_status_of(err);
        if (status >= 500 && status != 503)
            log_warnx("http: %s %s failed err=%s", c->method, rt->pattern, ocdn_err_str(err));
        if (rs.need_full && err == OCDN_ECONFLICT) {
            json_t *j = json_pack("{s:s,s:s,s:b}", "error", "conflict", "detail",
                                  rs.errmsg ? rs.errmsg : "full report needed", "need_full", 1);
            out->status = 409;
            if (j)
                set_json(out, j);
            else
                set_error(out, 500, NULL);
            json_decref(j);
        } else {
            set_error(out, status, status < 500 || status == 503 ? rs.errmsg : NULL);
        }
        json_decref(rs.body);
        free(rs.raw);
        return;
    }
    out->status = rs.status ? rs.status : 200;
    if (rs.etag)
        snprintf(out->etag, sizeof(out->etag), "\"%s\"", rs.etag);
    if (rs.location)
        snprintf(out->location, sizeof(out->location), "%s", rs.location);
    if (rs.raw) {
        out->body = rs.raw;
        out->body_len = rs.raw_len;
        out->content_type = rs.content_type ? rs.content_type : "text/plain; charset=utf-8";
        json_decref(rs.body);
        return;
    }
    if (rs.body) {
        set_json(out, rs.body);
        json_decref(rs.body);
        return;
    }
    out->content_type = "application/json";
}

/* ---- libmicrohttpd glue ------------------------------------------------------------------ */

struct http {
    struct cp *cp;
    struct MHD_Daemon *d;
    uint16_t port;
};

/* Per-thread state: a store connection and an arena, created on the thread's first request
 * and released when libmicrohttpd ends the thread. */
struct worker {
    struct store *st;
    struct arena *a;
};

static pthread_key_t worker_key;
static pthread_once_t worker_once = PTHREAD_ONCE_INIT;

static void
worker_free(void *p)
{
    struct worker *w = p;

    store_close(w->st);
    arena_free(w->a);
    free(w);
}

static void
worker_key_init(void)
{
    if (pthread_key_create(&worker_key, worker_free) != 0)
        fatalx("http: pthread_key_create failed");
}

static struct worker *
worker_get(struct cp *cp)
{
    struct worker *w = pthread_getspecific(worker_key);
    struct store_opts so = {0};
    struct cp_config_ref *cfg;
    char err[256];

    if (w)
        return w;
    w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    cfg = cp_config_get(cp);
    so.busy_timeout_ms = (int)cfg->c.busy_timeout_ms;
    if (store_open(cfg->c.db, &so, &w->st, err, sizeof(err)) != OCDN_OK) {
        log_warnx("http: cannot open the database for a worker: %s", err);
        cp_config_unref(cfg);
        free(w);
        return NULL;
    }
    cp_config_unref(cfg);
    w->a = arena_new(ARENA_MAX);
    if (!w->a) {
        store_close(w->st);
        free(w);
        return NULL;
    }
    pthread_setspecific(worker_key, w);
    return w;
}

struct req_state {
    struct buf body;
    unsigned early_status; /* set when the request is refused before its body is read */
    const char *early_detail;
};

static void
log_mhd(void *cls, const char *fmt, va_list ap)
{
    char line[512];

    (void)cls;
    vsnprintf(line, sizeof(line), fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    log_debug("http: libmicrohttpd: %s", line);
}

struct count_ctx {
    unsigned content_length;
    unsigned transfer_encoding;
};

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct count_ctx *cc = cls;

    (void)kind;
    (void)value;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        cc->content_length++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
        cc->transfer_encoding++;
    return MHD_YES;
}

struct query_ctx {
    struct kv *kv;
    unsigned n;
    bool overflow;
    struct arena *a;
};

static enum MHD_Result
collect_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct query_ctx *qc = cls;

    (void)kind;
    if (qc->n >= API_MAX_QUERY + 1) {
        qc->overflow = true;
        return MHD_NO;
    }
    qc->kv[qc->n].key = arena_strdup(qc->a, key);
    qc->kv[qc->n].value = arena_strdup(qc->a, value ? value : "");
    qc->n++;
    return MHD_YES;
}

static enum MHD_Result
queue(struct MHD_Connection *conn, struct http_result *r)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    char *body = r->body;

    if (!body) {
        body = strdup("");
        r->body_len = 0;
    }
    resp = MHD_create_response_from_buffer(r->body_len, body, MHD_RESPMEM_MUST_FREE);
    r->body = NULL;
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    if (r->etag[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
    if (r->location[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    if (r->status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    if (r->status == 503)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    ret = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result
queue_error(struct MHD_Connection *conn, unsigned status, const char *detail)
{
    struct http_result r;
    enum MHD_Result ret;

    memset(&r, 0, sizeof(r));
    set_error(&r, status, detail);
    ret = queue(conn, &r);
    http_result_clear(&r);
    return ret;
}

static void
client_ip(struct MHD_Connection *conn, char *buf, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(buf, len, "-");
    if (!sa)
        return;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                  (socklen_t)len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                  (socklen_t)len);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct http *h = cls;
    struct req_state *rs = *con_cls;
    struct worker *w;
    struct http_call c;
    struct http_result r;
    struct query_ctx qc;
    struct kv kv[API_MAX_QUERY + 1];
    char ip[INET6_ADDRSTRLEN];
    enum MHD_Result ret;

    (void)version;
    if (!rs) {
        struct count_ctx cc = {0, 0};
        const char *cl;
        const struct api_route *rt;
        const char *params[API_MAX_PARAMS];
        unsigned np;
        char pbuf[PATH_MAX_LEN + 1];
        int known;
        int64_t max;

        rs = calloc(1, sizeof(*rs));
        if (!rs)
            return MHD_NO;
        *con_cls = rs;
        rt = strlen(url) <= PATH_MAX_LEN
                 ? routes_match(method, url, params, &np, pbuf, sizeof(pbuf), &known)
                 : NULL;
        max = body_limit(h->cp, rt);
        buf_init(&rs->body, (size_t)max);
        /* Ambiguous framing is refused before any byte of the body is read. */
        MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &cc);
        if (cc.content_length > 1 || (cc.content_length && cc.transfer_encoding) ||
            cc.transfer_encoding > 1)
            return queue_error(conn, 400,
                               "ambiguous framing: duplicate Content-Length or Content-Length "
                               "with Transfer-Encoding");
        cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > (unsigned long long)max)
            return queue_error(conn, 413, "request body is larger than the limit");
        /* A body is read only for a caller whose key may call the route: otherwise anyone
         * could make the server wait for and buffer up to report_max per connection. */
        if (rt && (cc.transfer_encoding || (cl && strtoull(cl, NULL, 10) > 0))) {
            struct tenant t;
            const char *detail;
            unsigned status;

            w = worker_get(h->cp);
            if (!w)
                return queue_error(conn, 503, "database unavailable");
            status = check_key(
                h->cp, w->st, rt,
                MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
                &t, &detail);
            if (status)
                return queue_error(conn, status, detail);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!rs->early_status && buf_append(&rs->body, upload_data, *upload_data_size)) {
            rs->early_status = 413;
            rs->early_detail = "request body is larger than the limit";
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rs->early_status)
        return queue_error(conn, rs->early_status, rs->early_detail);

    w = worker_get(h->cp);
    if (!w)
        return queue_error(conn, 503, "database unavailable");
    arena_reset(w->a);
    memset(&qc, 0, sizeof(qc));
    qc.kv = kv;
    qc.a = w->a;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, &qc);
    if (qc.overflow)
        return queue_error(conn, 400, "too many query parameters");
    client_ip(conn, ip, sizeof(ip));

    memset(&c, 0, sizeof(c));
    c.method = method;
    c.path = url;
    c.query = kv;
    c.nquery = qc.n;
    c.authorization =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    c.content_type =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    c.content_encoding =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
    c.if_none_match =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    c.body = rs->body.data;
    c.body_len = rs->body.len;
    c.client_ip = ip;

    http_dispatch(h->cp, w->st, w->a, &c, &r);
    cp_metrics_http(h->cp, r.status);
    ret = queue(conn, &r);
    http_result_clear(&r);
    buf_clear(&rs->body);
    arena_reset(w->a);
    return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct req_state *rs = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (!rs)
        return;
    buf_clear(&rs->body);
    free(rs);
    *con_cls = NULL;
}

enum ocdn_err
http_start(struct cp *cp, struct http **out, char *errbuf, size_t errlen)
{
    struct http *h;
    struct net_addr addr;
    struct sockaddr_storage ss;
    struct cp_config_ref *cfg;
    const union MHD_DaemonInfo *di;
    uint16_t port;
    unsigned flags;
    enum ocdn_err err;

    *out = NULL;
    pthread_once(&worker_once, worker_key_init);
    cfg = cp_config_get(cp);
    err = net_hostport_parse(cfg->c.listen, &addr, &port);
    if (err) {
        snprintf(errbuf, errlen, "listen: bad address %s", cfg->c.listen);
        cp_config_unref(cfg);
        return err;
    }
    memset(&ss, 0, sizeof(ss));
    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (addr.family == NET_V4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        memcpy(&sin->sin_addr, addr.bytes, 4);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        memcpy(&sin6->sin6_addr, addr.bytes, 16);
        flags |= MHD_USE_IPv6;
    }
    h = calloc(1, sizeof(*h));
    if (!h) {
        cp_config_unref(cfg);
        return OCDN_ENOMEM;
    }
    h->cp = cp;
    h->d = MHD_start_daemon(
        flags, port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->c.http_threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->c.http_conn_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)cfg->c.http_per_ip_limit, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)(cfg->c.http_timeout_ms / 1000), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(16 * 1024), MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, h, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, h, MHD_OPTION_END);
    if (!h->d) {
        snprintf(errbuf, errlen, "cannot listen on %s (address in use or not available)",
                 cfg->c.listen);
        cp_config_unref(cfg);
        free(h);
        return OCDN_EIO;
    }
    di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : port;
    log_info("http: listening on %s port=%u threads=%lld", cfg->c.listen, h->port,
             (long long)cfg->c.http_threads);
    cp_config_unref(cfg);
    *out = h;
    return OCDN_OK;
}

void
http_stop(struct http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->d);
    free(h);
}

uint16_t
http_port(const struct http *h)
{
    return h->port;
}
