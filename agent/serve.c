/* serve.c - the agent's file server: epoll workers, connections, routes, tokens, drain.
 * Owns the listening sockets, the data_dir descriptor, the speed test object (a memfd), the
 * worker threads and every client connection. Requests are parsed by http_parse.c; bytes move
 * through a per-connection transport (serve_transport.h) so TLS can replace plain HTTP.
 * Other threads talk to it only through serve_set_keys(), serve_set_hosts(), serve_drain(),
 * serve_stop() and serve_stats(). */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http_parse.h"
#include "log.h"
#include "serve_transport.h"

#define LISTEN_BACKLOG   1024
#define EVENTS_MAX       128
#define ACCEPT_BATCH     64
#define TURN_BUDGET      (1024 * 1024) /* bytes one connection may send per turn */
#define LINGER_MAX_BYTES (1024 * 1024) /* input discarded before a close, at most */
#define ACCEPT_PAUSE_MS  100           /* after EMFILE and friends */
#define SPEED_WRAP       (1024 * 1024) /* the speed test object repeats this block */
#define HBUF_MAX         1024          /* response head plus a short error body */
#define FILE_ID_MAX      128
#define FCACHE_SLOTS     256  /* open files remembered per worker (direct-mapped) */
#define FCACHE_MS        1000 /* how long an open file answers for its id without a new open */

/* ---- counters: written by one worker, read by serve_stats() from any thread ---- */

struct counters {
    atomic_uint_least64_t requests, s2xx, s4xx, s5xx, s403, bytes_sent, bytes_received, conns_total,
        conns_refused, timeouts, aborts, errors, sends_blocked;
};

/* Single writer: a relaxed load and store is enough and costs a plain add. */
static inline void
ctr_add(atomic_uint_least64_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static inline uint64_t
ctr_get(const atomic_uint_least64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

/* ---- keys and host names: an immutable snapshot ---- */

/* Published by serve_set_keys()/serve_set_hosts() under auth_mu. A worker keeps a reference to
 * the snapshot it uses and compares a generation number (one atomic load) before each token
 * check; only when the generation moved does it take auth_mu to swap its reference. So the
 * request path takes no lock and the old snapshot is freed by whoever drops the last ref. */
struct auth {
    atomic_uint refs;
    size_t nkeys;
    struct token_key keys[SERVE_KEYS_MAX];
    size_t nhosts;
    char hosts[SERVE_HOSTS_MAX][254];
};

static struct auth *
auth_ref(struct auth *a)
{
    if (a)
        atomic_fetch_add_explicit(&a->refs, 1, memory_order_relaxed);
    return a;
}

static void
auth_unref(struct auth *a)
{
    if (a && atomic_fetch_sub_explicit(&a->refs, 1, memory_order_acq_rel) == 1) {
        explicit_bzero(a->keys, sizeof(a->keys));
        free(a);
    }
}

/* ---- event sources, connections, workers ---- */

enum src_kind {
    SRC_LISTENER = 1,
    SRC_WAKE,
    SRC_CONN,
};

/* First member of everything registered with epoll; data.ptr points at it. */
struct evsrc {
    enum src_kind kind;
};

struct listener {
    struct evsrc src;
    int fd;
};

enum conn_state {
    CS_HEAD,   /* reading and parsing a request head */
    CS_BODY,   /* discarding a request body (speed test upload) */
    CS_SEND,   /* writing a response head, then its body */
    CS_LINGER, /* output shut down; reading until EOF so the client sees our last response */
};

/* Each connection is on exactly one timer list; every list has one duration, so appending
 * keeps it sorted by deadline and the earliest deadline is at its head. */
enum timer_list {
    TL_HEADER, /* header_timeout_ms: the whole head must arrive */
    TL_IDLE,   /* idle_timeout_ms: keep-alive wait, nothing received */
    TL_IO,     /* io_timeout_ms since the last progress of a body or a response */
    TL_LINGER, /* linger_ms */
    TL_COUNT,
    TL_NONE = -1,
};

/* An open file, shared by the responses of one worker that send it. The cache holds one
 * reference while the entry is in its slot, each response one more; the descriptor is closed
 * with the last. Within FCACHE_MS a replaced (renamed over) or deleted file is still served
 * from the inode that was open, which is the snapshot semantics the filler's rename gives
 * anyway; this saves the open/fstat/close of every small request. */
struct fent {
    unsigned refs;
    int fd;
    uint64_t size;
    int64_t until_ms;
    char id[FILE_ID_MAX + 1];
};

struct worker;

struct conn {
    struct evsrc src;
    struct serve_xport xp;
    struct worker *w;
    enum conn_state state;
    bool closed;  /* on the worker's dead list, freed after this event batch */
    bool counted; /* holds one of serve->conns_open (not while lingering) */
    bool in_ready;
    int tl; /* enum timer_list or TL_NONE */
    int64_t deadline_ms;
    struct conn *tprev, *tnext; /* timer list */
    struct conn *rnext;         /* ready list or dead list */
    unsigned nreq;
    char *rbuf; /* max_head_bytes: request heads, pipelined requests, body scratch */
    size_t rlen;
    size_t consumed;    /* bytes of rbuf used by the request being answered */
    uint64_t body_left; /* request body bytes still to read and discard */
    size_t linger_left;
    bool keep_alive; /* after the response being sent */
    /* the response */
    char hbuf[HBUF_MAX];
    size_t hlen, hoff;
    int body_fd;       /* file or speed test memfd; -1 when no body */
    struct fent *fent; /* the file's reference, released with the body (NULL: memfd) */
    uint64_t body_off; /* position in the object */
    uint64_t body_left_out;
    uint64_t body_wrap; /* object repeats every body_wrap bytes of body_fd (0 = no) */
    int pending_status; /* response to send once the body is read (CS_BODY) */
    bool pending_cors;
};

struct conn_list {
    struct conn *head, *tail;
};

struct worker {
    struct serve *s;
    unsigned id;
    pthread_t thread;
    bool has_thread;
    int epfd;
    struct evsrc wake_src;
    int wakefd;
    struct listener lis[SERVE_LISTEN_MAX];
    size_t nlis;
    bool listening;
    bool accept_paused;
    int64_t accept_resume_ms;
    struct conn_list timers[TL_COUNT];
    struct conn *ready;
    struct conn *dead;
    struct fent *fcache[FCACHE_SLOTS];
    struct auth *auth; /* this worker's reference */
    uint64_t auth_gen;
    int64_t now_ms;
    int64_t date_s;
    char date[40];
    struct counters ctr;
    struct http_request req; /* scratch for the request being handled */
    struct http_query query;
};

struct serve {
    /* config, with owned copies of the strings */
    struct serve_config cfg;
    char *listen_copy[SERVE_LISTEN_MAX];
    char *data_dir;
    char *oca_id;
    struct http_limits hlim;
    unsigned nworkers;
    struct worker *workers;
    struct sockaddr_storage addr[SERVE_LISTEN_MAX];
    socklen_t addrlen[SERVE_LISTEN_MAX];
    uint16_t port[SERVE_LISTEN_MAX];
    int data_fd;
    int speed_fd;
    bool bound, started, stopped;
    atomic_bool stopping;
    atomic_bool draining;
    atomic_uint conns_open;
    pthread_mutex_t auth_mu;
    struct auth *auth;
    atomic_uint_least64_t auth_gen;
    pthread_mutex_t drain_mu;
    pthread_cond_t drain_cv;
    unsigned drain_acks;
};

/* ---- small helpers ---- */

static int64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
wall_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool
slice_eq(struct http_slice s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

static bool
slice_starts(struct http_slice s, const char *lit)
{
    return s.len >= strlen(lit) && memcmp(s.p, lit, strlen(lit)) == 0;
}

/* ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ */
static bool
is_file_id(const char *p, size_t len)
{
    if (len < 1 || len > FILE_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = p[i];
        bool alnum =
            (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && (i == 0 || (ch != '.' && ch != '_' && ch != '-')))
            return false;
    }
    return true;
}

/* RFC 9110 5.6.7 IMF-fixdate, without strftime()'s locale. */
static void
format_date(int64_t t, char *out, size_t len)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    snprintf(out, len, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static const char *
worker_date(struct worker *w)
{
    int64_t now = wall_s();

    if (now != w->date_s) {
        w->date_s = now;
        format_date(now, w->date, sizeof(w->date));
    }
    return w->date;
}

/* ---- timers ---- */

static void
timer_unlink(struct conn *c)
{
    struct conn_list *l;

    if (c->tl == TL_NONE)
        return;
    l = &c->w->timers[c->tl];
    if (c->tprev)
        c->tprev->tnext = c->tnext;
    else
        l->head = c->tnext;
    if (c->tnext)
        c->tnext->tprev = c->tprev;
    else
        l->tail = c->tprev;
    c->tprev = c->tnext = NULL;
    c->tl = TL_NONE;
}

static int64_t
timer_duration(const struct serve *s, int tl)
{
    switch (tl) {
    case TL_HEADER:
        return s->cfg.limits.header_timeout_ms;
    case TL_IDLE:
        return s->cfg.limits.idle_timeout_ms;
    case TL_IO:
        return s->cfg.limits.io_timeout_ms;
    default:
        return s->cfg.limits.linger_ms;
    }
}

/* (Re)arm c on list tl with a deadline from now; a no-op when nothing would change. */
static void
timer_set(struct conn *c, int tl)
{
    struct worker *w = c->w;
    int64_t deadline = w->now_ms + timer_duration(w->s, tl);
    struct conn_list *l;

    if (c->tl == tl && c->deadline_ms == deadline)
        return;
    timer_unlink(c);
    l = &w->timers[tl];
    c->tl = tl;
    c->deadline_ms = deadline;
    c->tprev = l->tail;
    c->tnext = NULL;
    if (l->tail)
        l->tail->tnext = c;
    else
        l->head = c;
    l->tail = c;
}

/* ---- connection teardown ---- */

/* ---- open files ---- */

static void
fent_unref(struct fent *e)
{
    if (e && --e->refs == 0) {
        close(e->fd);
        free(e);
    }
}

static void
fcache_evict(struct worker *w, size_t slot)
{
    struct fent *e = w->fcache[slot];

    if (!e)
        return;
    w->fcache[slot] = NULL;
    fent_unref(e);
}

static size_t
fcache_slot(const char *id)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (; *id; id++)
        h = (h ^ (uint8_t)*id) * 16777619u;
    return h % FCACHE_SLOTS;
}

/* A reference to the regular file data_dir/id: OCDN_OK, OCDN_ENOTFOUND (missing, symlink,
 * not a regular file), OCDN_EIO (other open errors, logged), OCDN_ENOMEM. */
static enum ocdn_err
file_get(struct worker *w, const char *id, struct fent **out)
{
    size_t slot = fcache_slot(id);
    struct fent *e = w->fcache[slot];
    struct stat st;
    int fd;

    *out = NULL;
    if (e && strcmp(e->id, id) == 0 && w->now_ms < e->until_ms) {
        e->refs++;
        *out = e;
        return OCDN_OK;
    }
    /* O_NONBLOCK: opening a FIFO someone left in data_dir must not block the worker. */
    fd = openat(w->s->data_fd, id, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR)
            return OCDN_ENOTFOUND;
        log_warn("serve: cannot open file=%s", id);
        return OCDN_EIO;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return OCDN_ENOTFOUND;
    }
    e = calloc(1, sizeof(*e));
    if (!e) {
        close(fd);
        return OCDN_ENOMEM;
    }
    e->fd = fd;
    e->size = (uint64_t)st.st_size;
    e->until_ms = w->now_ms + FCACHE_MS;
    snprintf(e->id, sizeof(e->id), "%s", id);
    fcache_evict(w, slot);
    e->refs = 2; /* the cache's and the caller's */
    w->fcache[slot] = e;
    *out = e;
    return OCDN_OK;
}

static void
body_release(struct conn *c)
{
    fent_unref(c->fent);
    c->fent = NULL;
    c->body_fd = -1;
    c->body_left_out = 0;
}

static void
conn_uncount(struct conn *c)
{
    if (c->counted) {
        atomic_fetch_sub_explicit(&c->w->s->conns_open, 1, memory_order_acq_rel);
        c->counted = false;
    }
}

/* Close now; the memory is freed after the current event batch (events may still name c). */
static void
conn_close(struct conn *c)
{
    if (c->closed)
        return;
    c->closed = true;
    timer_unlink(c);
    body_release(c);
    conn_uncount(c); /* before close(): a client that saw the EOF may count on the slot */
    c->xp.ops->close(&c->xp);
    close(c->xp.fd);
    if (!c->in_ready) {
        c->rnext = c->w->dead;
        c->w->dead = c;
    }
}

static void
conn_fail(struct conn *c, const char *what)
{
    if (errno == ECONNRESET || errno == EPIPE)
        ctr_add(&c->w->ctr.aborts, 1);
    else
        ctr_add(&c->w->ctr.errors, 1);
    log_debug("serve: connection closed worker=%u reason=%s: %s", c->w->id, what, strerror(errno));
    conn_close(c);
}

/* After the last response: FIN, then read until the client's EOF (bounded by linger_ms and
 * LINGER_MAX_BYTES). Closing with unread input would send RST, which can destroy the
 * response before the client has read it. */
static void
conn_linger(struct conn *c)
{
    conn_uncount(c); /* before the FIN: a client that saw it may reconnect at once */
    c->xp.ops->shutdown(&c->xp);
    c->state = CS_LINGER;
    c->rlen = 0;
    c->linger_left = LINGER_MAX_BYTES;
    timer_set(c, TL_LINGER);
}

/* ---- responses ---- */

struct resp {
    int status;
    const char *ctype; /* NULL: no Content-Type */
    uint64_t length;   /* Content-Length */
    bool has_crange;   /* Content-Range: bytes first-last/size */
    bool crange_unsat; /* Content-Range: bytes  * /size */
    uint64_t cr_first, cr_last, cr_size;
    bool cors;  /* speed test headers */
    bool allow; /* Allow: on 405 */
    bool accept_ranges;
    const char *body; /* short error body, copied after the head */
};

static void
count_status(struct worker *w, int status)
{
    ctr_add(&w->ctr.requests, 1);
    if (status >= 200 && status < 300)
        ctr_add(&w->ctr.s2xx, 1);
    else if (status >= 400 && status < 500)
        ctr_add(&w->ctr.s4xx, 1);
    else if (status >= 500)
        ctr_add(&w->ctr.s5xx, 1);
    if (status == 403)
        ctr_add(&w->ctr.s403, 1);
}

/* Format the response head (and a short body) into c->hbuf and enter CS_SEND. */
static void
resp_start(struct conn *c, const struct resp *r, bool is_head)
{
    struct worker *w = c->w;
    size_t cap = sizeof(c->hbuf), n = 0;
    int m;

#define PUT(...)                                                                                   \
    do {                                                                                           \
        m = snprintf(c->hbuf + n, cap - n, __VA_ARGS__);                                           \
        if (m < 0 || (size_t)m >= cap - n)                                                         \
            fatalx("%s: response head overflow", __func__);                                        \
        n += (size_t)m;                                                                            \
    } while (0)

    PUT("HTTP/1.1 %d %s\r\nDate: %s\r\n", r->status, http_status_text(r->status), worker_date(w));
    if (r->ctype)
        PUT("Content-Type: %s\r\n", r->ctype);
    if (r->accept_ranges)
        PUT("Accept-Ranges: bytes\r\n");
    PUT("Content-Length: %llu\r\n", (unsigned long long)r->length);
    if (r->has_crange)
        PUT("Content-Range: bytes %llu-%llu/%llu\r\n", (unsigned long long)r->cr_first,
            (unsigned long long)r->cr_last, (unsigned long long)r->cr_size);
    if (r->crange_unsat)
        PUT("Content-Range: bytes */%llu\r\n", (unsigned long long)r->cr_size);
    if (r->cors)
        PUT("Cache-Control: no-store\r\nAccess-Control-Allow-Origin: *\r\n"
            "Timing-Allow-Origin: *\r\n");
    if (r->allow)
        PUT("Allow: GET, HEAD\r\n");
    PUT("Connection: %s\r\n\r\n", c->keep_alive ? "keep-alive" : "close");
    if (r->body && !is_head)
        PUT("%s", r->body);
#undef PUT
    c->hlen = n;
    c->hoff = 0;
    c->state = CS_SEND;
    count_status(w, r->status);
    timer_set(c, TL_IO);
}

/* A short text/plain error; the body is the reason phrase plus an optional detail. */
static void
resp_error(struct conn *c, int status, const char *detail, bool cors, bool is_head)
{
    struct resp r = {0};
    char body[160];

    snprintf(body, sizeof(body), "%d %s%s%s\n", status, http_status_text(status),
             detail ? ": " : "", detail ? detail : "");
    r.status = status;
    r.ctype = "text/plain";
    r.length = strlen(body);
    r.cors = cors;
    r.allow = status == 405;
    r.body = body;
    body_release(c);
    resp_start(c, &r, is_head);
}

/* ---- routing ---- */

/* Keys and hosts for this request; see struct auth for why this is lock-free. */
static const struct auth *
worker_auth(struct worker *w)
{
    struct serve *s = w->s;
    uint64_t gen = atomic_load_explicit(&s->auth_gen, memory_order_acquire);
    struct auth *old;

    if (gen == w->auth_gen && w->auth)
        return w->auth;
    pthread_mutex_lock(&s->auth_mu);
    old = w->auth;
    w->auth = auth_ref(s->auth);
    w->auth_gen = atomic_load_explicit(&s->auth_gen, memory_order_relaxed);
    pthread_mutex_unlock(&s->auth_mu);
    auth_unref(old);
    return w->auth;
}

static bool
parse_i64(const char *p, int64_t *out)
{
    int64_t v = 0;

    if (!*p || strlen(p) > 18)
        return false;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return true;
}

static bool
want_keep_alive(const struct conn *c, const struct http_request *req)
{
    const struct serve *s = c->w->s;

    return req->keep_alive && c->nreq < s->cfg.limits.max_requests_per_conn &&
           !atomic_load_explicit(&s->draining, memory_order_relaxed);
}

/* NULL when the signed URL is good, else a short reason for the 403 body. */
static const char *
check_token(struct worker *w, enum token_kind kind, const char *o)
{
    const struct serve *s = w->s;
    const struct auth *a = worker_auth(w);
    const struct http_query *q = &w->query;
    const char *v = http_query_get(q, "v"), *e = http_query_get(q, "e");
    const char *t = http_query_get(q, "t");
    struct token_fields f = {0};
    int64_t now = wall_s();
    bool host_ok = false;

    for (size_t i = 0; a && i < a->nhosts && !host_ok; i++)
        host_ok = strcmp(a->hosts[i], w->req.host) == 0;
    if (!host_ok)
        return "wrong host";
    if (!t || !v || !e)
        return "missing token";
    if (strcmp(v, s->oca_id) != 0)
        return "wrong oca";
    if (!parse_i64(e, &f.e))
        return "bad expiry";
    if (f.e < now)
        return "expired";
    f.kind = kind;
    f.host = w->req.host;
    f.o = o;
    f.v = v;
    if (kind == TOKEN_KIND_SPEEDTEST) {
        f.c = http_query_get(q, "c");
        f.n = http_query_get(q, "n");
    }
    if (token_check(a->keys, a->nkeys, &f, t, now, s->cfg.max_token_ttl_s) != OCDN_OK)
        return "bad token";
    return NULL;
}

/* What to send of an object of size bytes: the path range, a Range header, or all of it.
 * Returns the status (200, 206 or 416) and fills r and the body span. */
static int
choose_span(struct conn *c, const struct http_request *req, bool has_path_range, uint64_t pfirst,
            uint64_t plast, uint64_t size, struct resp *r)
{
    struct http_range hr;
    uint64_t off, count;

    r->cr_size = size;
    if (has_path_range) {
        /* /range/<a>-<b>: the URL names the bytes, so the answer is a plain 200 of them
         * (as Open Connect does); the last byte is clamped like a Range header's. */
        if (pfirst >= size) {
            r->crange_unsat = true;
            return 416;
        }
        c->body_off = pfirst;
        c->body_left_out = (plast < size - 1 ? plast : size - 1) - pfirst + 1;
        return 200;
    }
    c->body_off = 0;
    c->body_left_out = size;
    /* If-Range: we send no validators, so the condition cannot hold: send it all
     * (RFC 9110 13.1.5). Multiple ranges are served whole with 200, as nginx does with
     * max_ranges 1: a CDN client asks for one range, and multipart bodies buy nothing. */
    if (!req->has_range || req->has_if_range)
        return 200;
    http_range_parse(req->range.p, req->range.len, &hr);
    if (hr.kind == HTTP_RANGE_MULTI || hr.kind == HTTP_RANGE_INVALID || hr.kind == HTTP_RANGE_NONE)
        return 200;
    if (http_range_resolve(&hr, size, &off, &count) != OCDN_OK) {
        r->crange_unsat = true;
        return 416;
    }
    c->body_off = off;
    c->body_left_out = count;
    r->has_crange = true;
    r->cr_first = off;
    r->cr_last = off + count - 1;
    return 206;
}

/* Send the object in body_fd (already set) with the chosen span. */
static void
respond_object(struct conn *c, const struct http_request *req, bool has_path_range, uint64_t pfirst,
               uint64_t plast, uint64_t size, bool cors)
{
    bool is_head = req->method == HTTP_METHOD_HEAD;
    struct resp r = {0};
    int status = choose_span(c, req, has_path_range, pfirst, plast, size, &r);

    if (status == 416) {
        body_release(c);
        r.status = 416;
        r.ctype = "text/plain";
        r.body = "416 Range Not Satisfiable\n";
        r.length = strlen(r.body);
        r.cors = cors;
        resp_start(c, &r, is_head);
        return;
    }
    r.status = status;
    r.ctype = "application/octet-stream";
    r.accept_ranges = true;
    r.length = c->body_left_out;
    r.cors = cors;
    resp_start(c, &r, is_head);
    if (is_head || c->body_left_out == 0)
        body_release(c);
}

static void
route_video(struct conn *c, struct http_slice file, struct http_slice prange)
{
    struct worker *w = c->w;
    const struct serve *s = w->s;
    const struct http_request *req = &w->req;
    bool is_head = req->method == HTTP_METHOD_HEAD;
    uint64_t pfirst = 0, plast = 0;
    char id[FILE_ID_MAX + 1];
    const char *o, *why;
    enum ocdn_err err;

    if (prange.p && http_path_range_parse(prange.p, prange.len, &pfirst, &plast) != OCDN_OK) {
        resp_error(c, 400, "bad range", false, is_head);
        return;
    }
    o = http_query_get(&w->query, "o");
    if (file.p) {
        if (!is_file_id(file.p, file.len)) {
            resp_error(c, 404, NULL, false, is_head);
            return;
        }
        memcpy(id, file.p, file.len);
        id[file.len] = '\0';
        if (o && strcmp(o, id) != 0) {
            resp_error(c, s->cfg.require_token ? 403 : 400, "o does not match the path", false,
                       is_head);
            return;
        }
    } else {
        if (!o) {
            resp_error(c, s->cfg.require_token ? 403 : 400, "missing o", false, is_head);
            return;
        }
        if (!is_file_id(o, strlen(o))) {
            resp_error(c, 404, NULL, false, is_head);
            return;
        }
        snprintf(id, sizeof(id), "%s", o);
    }
    if (s->cfg.require_token) {
        why = check_token(w, TOKEN_KIND_VIDEO, id);
        if (why) {
            resp_error(c, 403, why, false, is_head);
            return;
        }
    }
    err = file_get(w, id, &c->fent);
    if (err) {
        resp_error(c, err == OCDN_ENOTFOUND || err == OCDN_EIO ? 404 : 503, NULL, false, is_head);
        return;
    }
    c->body_fd = c->fent->fd;
    c->body_wrap = 0;
    respond_object(c, req, prange.p != NULL, pfirst, plast, c->fent->size, false);
}

static void
route_speedtest(struct conn *c, struct http_slice rest)
{
    struct worker *w = c->w;
    const struct serve *s = w->s;
    const struct http_request *req = &w->req;
    bool is_head = req->method == HTTP_METHOD_HEAD;
    bool has_prange = false;
    uint64_t pfirst = 0, plast = 0;
    const char *why;

    if (rest.len > 0) {
        struct http_slice pr = {rest.p + 7, rest.len - 7};
        if (!slice_starts(rest, "/range/")) {
            resp_error(c, 404, NULL, true, is_head);
            return;
        }
        if (http_path_range_parse(pr.p, pr.len, &pfirst, &plast) != OCDN_OK) {
            resp_error(c, 400, "bad range", true, is_head);
            return;
        }
        has_prange = true;
    }
    if (s->cfg.require_token) {
        why = check_token(w, TOKEN_KIND_SPEEDTEST, NULL);
        if (why) {
            resp_error(c, 403, why, true, is_head);
            return;
        }
    }
    if (req->method == HTTP_METHOD_POST) {
        /* Upload sink: read and drop the body, then 200 with no content (latency pings are
         * empty POSTs to /speedtest/range/0-0). */
        c->pending_status = 200;
        c->pending_cors = true;
        c->body_left = req->content_length;
        c->keep_alive = want_keep_alive(c, req);
        return;
    }
    c->body_fd = s->speed_fd;
    c->body_wrap = SPEED_WRAP;
    respond_object(c, req, has_prange, pfirst, plast, SERVE_SPEEDTEST_BYTES, true);
}

static void
route_healthz(struct conn *c)
{
    bool is_head = c->w->req.method == HTTP_METHOD_HEAD;
    struct resp r = {0};

    if (atomic_load(&c->w->s->draining)) {
        resp_error(c, 503, "draining", false, is_head);
        return;
    }
    r.status = 200;
    r.ctype = "text/plain";
    r.body = "ok\n";
    r.length = 3;
    resp_start(c, &r, is_head);
}

/* A complete, valid head is in w->req: choose the response. */
static void
handle_request(struct conn *c)
{
    struct worker *w = c->w;
    struct http_request *req = &w->req;
    struct http_slice path = req->path;
    bool is_head = req->method == HTTP_METHOD_HEAD;

    c->nreq++;
    /* An unread request body would be parsed as the next request: every answer but the
     * upload sink's (which reads the body first) closes such a connection. */
    c->keep_alive = req->content_length == 0 && want_keep_alive(c, req);
    c->pending_status = 0;
    if (http_query_parse(req->query.p, req->query.len, &w->query) != OCDN_OK) {
        resp_error(c, 400, "bad query", false, is_head);
        return;
    }
    if (slice_eq(path, "/healthz")) {
        route_healthz(c);
    } else if (slice_eq(path, "/speedtest") || slice_starts(path, "/speedtest/")) {
        struct http_slice rest = {path.p + 10, path.len - 10};
        route_speedtest(c, rest);
    } else if (slice_starts(path, "/range/")) {
        struct http_slice none = {NULL, 0}, pr = {path.p + 7, path.len - 7};
        route_video(c, none, pr);
    } else if (path.len > 1 && !memchr(path.p + 1, '/', path.len - 1)) {
        struct http_slice file = {path.p + 1, path.len - 1}, none = {NULL, 0};
        route_video(c, file, none);
    } else {
        resp_error(c, 404, NULL, false, is_head);
    }
}

/* Drop the bytes of the request just answered; pipelined requests move to the front. */
static void
rbuf_consume(struct conn *c)
{
    if (c->consumed >= c->rlen) {
        c->rlen = 0;
    } else {
        memmove(c->rbuf, c->rbuf + c->consumed, c->rlen - c->consumed);
        c->rlen -= c->consumed;
    }
    c->consumed = 0;
}

/* Parse what is buffered. Returns false when more input is needed. */
static bool
try_request(struct conn *c)
{
    struct worker *w = c->w;
    struct http_request *req = &w->req;
    enum ocdn_err err;
    uint64_t avail;

    err = http_parse_request(c->rbuf, c->rlen, &w->s->hlim, req);
    if (err == OCDN_EBUSY)
        return false;
    if (err) {
        c->keep_alive = false;
        c->nreq++;
        c->consumed = c->rlen;
        resp_error(c, http_reject_status(req->reject), req->reason, false, false);
        return true;
    }
    c->consumed = req->head_len;
    handle_request(c);
    if (c->state == CS_SEND || req->method != HTTP_METHOD_POST)
        return true;
    /* POST accepted: part of the body may already be buffered. */
    avail = c->rlen - c->consumed;
    if (avail > c->body_left)
        avail = c->body_left;
    c->consumed += (size_t)avail;
    c->body_left -= avail;
    rbuf_consume(c);
    if (c->body_left > 0 && req->expect_continue && avail == 0) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        size_t done;
        /* Best effort on an empty socket buffer; a client that misses it sends the body
         * after its own short wait anyway. */
        (void)c->xp.ops->write(&c->xp, cont, sizeof(cont) - 1, false, &done);
    }
    c->state = CS_BODY;
    timer_set(c, TL_IO);
    return true;
}

/* The response is out: next request, or linger and close. */
static void
response_done(struct conn *c)
{
    struct serve *s = c->w->s;

    body_release(c);
    if (!c->keep_alive || atomic_load_explicit(&s->draining, memory_order_relaxed)) {
        conn_linger(c);
        return;
    }
    rbuf_consume(c);
    c->state = CS_HEAD;
    timer_set(c, c->rlen > 0 ? TL_HEADER : TL_IDLE);
}

/* ---- the state machine: run until it would block, is closed, or used its turn ---- */

static void
ready_push(struct conn *c)
{
    if (c->in_ready)
        return;
    c->in_ready = true;
    c->rnext = c->w->ready;
    c->w->ready = c;
}

static bool
step_head(struct conn *c)
{
    struct worker *w = c->w;
    size_t cap = w->s->hlim.max_head_bytes, n;
    enum serve_io io;

    if (c->rlen > 0 && try_request(c))
        return true;
    io = c->xp.ops->read(&c->xp, c->rbuf + c->rlen, cap - c->rlen, &n);
    if (io == SERVE_IO_OK) {
        ctr_add(&w->ctr.bytes_received, n);
        if (c->tl == TL_IDLE)
            timer_set(c, TL_HEADER);
        c->rlen += n;
        return true;
    }
    if (io == SERVE_IO_WANT_READ || io == SERVE_IO_WANT_WRITE)
        return false;
    if (io == SERVE_IO_EOF)
        conn_close(c); /* a client closing between requests is normal */
    else
        conn_fail(c, "read");
    return false;
}

static bool
step_body(struct conn *c, size_t *budget)
{
    struct worker *w = c->w;
    size_t cap = w->s->hlim.max_head_bytes, n;
    enum serve_io io;

    if (c->body_left == 0) {
        struct resp r = {0};
        r.status = c->pending_status;
        r.cors = c->pending_cors;
        resp_start(c, &r, false);
        return true;
    }
    if (*budget == 0) {
        ready_push(c); /* a fast uploader yields like a fast downloader */
        return false;
    }
    io = c->xp.ops->read(&c->xp, c->rbuf, c->body_left < cap ? (size_t)c->body_left : cap, &n);
    if (io == SERVE_IO_OK) {
        ctr_add(&w->ctr.bytes_received, n);
        c->body_left -= n;
        *budget -= n < *budget ? n : *budget;
        timer_set(c, TL_IO);
        return true;
    }
    if (io == SERVE_IO_WANT_READ || io == SERVE_IO_WANT_WRITE)
        return false;
    if (io == SERVE_IO_EOF)
        errno = ECONNRESET; /* the client gave up mid-upload */
    conn_fail(c, "read body");
    return false;
}

static bool
step_send(struct conn *c, size_t *budget)
{
    struct worker *w = c->w;
    enum serve_io io;
    size_t n;

    if (c->hoff < c->hlen) {
        io = c->xp.ops->write(&c->xp, c->hbuf + c->hoff, c->hlen - c->hoff, c->body_left_out > 0,
                              &n);
        if (io == SERVE_IO_OK) {
            c->hoff += n;
            ctr_add(&w->ctr.bytes_sent, n);
            timer_set(c, TL_IO);
            return true;
        }
        if (io == SERVE_IO_WANT_READ || io == SERVE_IO_WANT_WRITE)
            return false;
        conn_fail(c, "write");
        return false;
    }
    if (c->body_left_out > 0) {
        uint64_t want = c->body_left_out, pos = c->body_off;
        if (*budget == 0) {
            ready_push(c); /* let the other connections have a turn */
            return false;
        }
        if (c->body_wrap) {
            pos = c->body_off % c->body_wrap;
            if (want > c->body_wrap - pos)
                want = c->body_wrap - pos;
        }
        if (want > *budget)
            want = *budget;
        io = c->xp.ops->sendfile(&c->xp, c->body_fd, pos, (size_t)want, &n);
        if (io == SERVE_IO_OK) {
            c->body_off += n;
            c->body_left_out -= n;
            *budget -= n < *budget ? n : *budget;
            ctr_add(&w->ctr.bytes_sent, n);
            timer_set(c, TL_IO);
            return true;
        }
        if (io == SERVE_IO_WANT_READ || io == SERVE_IO_WANT_WRITE) {
            ctr_add(&w->ctr.sends_blocked, 1);
            return false;
        }
        if (io == SERVE_IO_EOF) {
            log_warnx("serve: file shrank while being sent worker=%u", w->id);
            errno = EIO;
        }
        conn_fail(c, "sendfile");
        return false;
    }
    response_done(c);
    return true;
}

static bool
step_linger(struct conn *c)
{
    size_t cap = c->w->s->hlim.max_head_bytes, n;
    enum serve_io io = c->xp.ops->read(&c->xp, c->rbuf, cap, &n);

    if (io == SERVE_IO_OK) {
        if (n >= c->linger_left) {
            conn_close(c);
            return false;
        }
        c->linger_left -= n;
        return true;
    }
    if (io == SERVE_IO_WANT_READ || io == SERVE_IO_WANT_WRITE)
        return false;
    conn_close(c);
    return false;
}

static void
conn_run(struct conn *c)
{
    size_t budget = TURN_BUDGET;
    bool more = true;

    while (more && !c->closed) {
        switch (c->state) {
        case CS_HEAD:
            more = step_head(c);
            break;
        case CS_BODY:
            more = step_body(c, &budget);
            break;
        case CS_SEND:
            more = step_send(c, &budget);
            break;
        case CS_LINGER:
            more = step_linger(c);
            break;
        }
    }
}

/* ---- accepting ---- */

static void
listeners_set(struct worker *w, uint32_t events)
{
    for (size_t i = 0; i < w->nlis; i++) {
        struct epoll_event ev = {.events = events, .data.ptr = &w->lis[i].src};
        if (w->lis[i].fd >= 0 && epoll_ctl(w->epfd, EPOLL_CTL_MOD, w->lis[i].fd, &ev) != 0)
            log_warn("serve: epoll_ctl listener worker=%u", w->id);
    }
}

static void
conn_new(struct worker *w, int fd)
{
    struct serve *s = w->s;
    struct conn *c = calloc(1, sizeof(*c));
    struct epoll_event ev;
    int one = 1;

    if (c)
        c->rbuf = malloc(s->hlim.max_head_bytes);
    if (!c || !c->rbuf) {
        free(c);
        log_warnx("serve: out of memory for a connection worker=%u", w->id);
        ctr_add(&w->ctr.errors, 1);
        close(fd);
        atomic_fetch_sub(&s->conns_open, 1);
        return;
    }
    c->src.kind = SRC_CONN;
    c->xp.ops = serve_transport_plain();
    c->xp.fd = fd;
    c->w = w;
    c->state = CS_HEAD;
    c->counted = true;
    c->tl = TL_NONE;
    c->body_fd = -1;
    /* Responses are written whole (head with MSG_MORE, then the body): Nagle would only
     * delay the tail of each one. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &c->src;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        log_warn("serve: epoll_ctl add worker=%u", w->id);
        ctr_add(&w->ctr.errors, 1);
        close(fd);
        atomic_fetch_sub(&s->conns_open, 1);
        free(c->rbuf);
        free(c);
        return;
    }
    ctr_add(&w->ctr.conns_total, 1);
    timer_set(c, TL_HEADER);
}

static void
accept_ready(struct worker *w, struct listener *l)
{
    struct serve *s = w->s;

    for (int i = 0; i < ACCEPT_BATCH; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            /* Out of descriptors or memory: the listener stays readable, so stop polling it
             * for a moment instead of spinning. */
            log_warn("serve: accept worker=%u (pausing %d ms)", w->id, ACCEPT_PAUSE_MS);
            w->accept_paused = true;
            w->accept_resume_ms = w->now_ms + ACCEPT_PAUSE_MS;
            listeners_set(w, 0);
            return;
        }
        if (atomic_fetch_add(&s->conns_open, 1) >= s->cfg.limits.max_conns) {
            atomic_fetch_sub(&s->conns_open, 1);
            ctr_add(&w->ctr.conns_refused, 1);
            close(fd);
            continue;
        }
        conn_new(w, fd);
    }
}

/* ---- drain and stop, in the worker ---- */

static void
close_list(struct worker *w, int tl, bool only_idle)
{
    struct conn *c = w->timers[tl].head, *next;

    for (; c; c = next) {
        next = c->tnext;
        if (!only_idle || (c->state == CS_HEAD && c->rlen == 0))
            conn_close(c);
    }
}

static void
worker_drain(struct worker *w)
{
    struct serve *s = w->s;

    if (!w->listening)
        return;
    for (size_t i = 0; i < w->nlis; i++) {
        if (w->lis[i].fd >= 0) {
            (void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->lis[i].fd, NULL);
            close(w->lis[i].fd);
            w->lis[i].fd = -1;
        }
    }
    w->listening = false;
    /* Idle keep-alive connections and connections that sent nothing yet go now; a request
     * whose head has started arriving is answered (with Connection: close). */
    close_list(w, TL_IDLE, true);
    close_list(w, TL_HEADER, true);
    pthread_mutex_lock(&s->drain_mu);
    s->drain_acks++;
    pthread_cond_broadcast(&s->drain_cv);
    pthread_mutex_unlock(&s->drain_mu);
}

static void
free_dead(struct worker *w)
{
    while (w->dead) {
        struct conn *c = w->dead;
        w->dead = c->rnext;
        free(c->rbuf);
        free(c);
    }
}

static void
run_ready(struct worker *w)
{
    struct conn *list = w->ready;

    w->ready = NULL;
    while (list) {
        struct conn *c = list;
        list = c->rnext;
        c->in_ready = false;
        if (c->closed) {
            c->rnext = w->dead;
            w->dead = c;
            continue;
        }
        conn_run(c);
    }
}

static void
expire_timers(struct worker *w)
{
    for (int tl = 0; tl < TL_COUNT; tl++) {
        struct conn *c;
        while ((c = w->timers[tl].head) != NULL && c->deadline_ms <= w->now_ms) {
            if (tl != TL_LINGER && tl != TL_IDLE)
                ctr_add(&w->ctr.timeouts, 1);
            log_debug("serve: timeout worker=%u timer=%d", w->id, tl);
            conn_close(c);
        }
    }
}

static int
next_timeout_ms(const struct worker *w)
{
    int64_t next = INT64_MAX;

    if (w->ready)
        return 0;
    for (int tl = 0; tl < TL_COUNT; tl++) {
        if (w->timers[tl].head && w->timers[tl].head->deadline_ms < next)
            next = w->timers[tl].head->deadline_ms;
    }
    if (w->accept_paused && w->accept_resume_ms < next)
        next = w->accept_resume_ms;
    if (next == INT64_MAX)
        return -1;
    next -= w->now_ms;
    if (next < 0)
        return 0;
    return next > 60000 ? 60000 : (int)next;
}

static void
worker_close_all(struct worker *w)
{
    for (int tl = 0; tl < TL_COUNT; tl++)
        close_list(w, tl, false);
    for (struct conn *c = w->ready; c; c = c->rnext)
        c->in_ready = false;
    while (w->ready) {
        struct conn *c = w->ready;
        w->ready = c->rnext;
        c->rnext = w->dead;
        w->dead = c;
    }
    free_dead(w);
    for (size_t i = 0; i < FCACHE_SLOTS; i++)
        fcache_evict(w, i);
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct serve *s = w->s;
    struct epoll_event ev[EVENTS_MAX];

    w->now_ms = mono_ms();
    while (!atomic_load(&s->stopping)) {
        int n;

        if (atomic_load(&s->draining))
            worker_drain(w);
        n = epoll_wait(w->epfd, ev, EVENTS_MAX, next_timeout_ms(w));
        if (n < 0 && errno != EINTR)
            fatal("serve: epoll_wait worker=%u", w->id);
        w->now_ms = mono_ms();
        for (int i = 0; i < n; i++) {
            struct evsrc *src = ev[i].data.ptr;
            if (src->kind == SRC_CONN) {
                struct conn *c = (struct conn *)src;
                if (!c->closed && !c->in_ready)
                    conn_run(c);
            } else if (src->kind == SRC_LISTENER) {
                if (w->listening && !w->accept_paused)
                    accept_ready(w, (struct listener *)src);
            } else {
                uint64_t v;
                if (read(w->wakefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
                    log_warn("serve: eventfd read worker=%u", w->id);
            }
        }
        run_ready(w);
        expire_timers(w);
        if (w->accept_paused && w->now_ms >= w->accept_resume_ms && w->listening) {
            w->accept_paused = false;
            listeners_set(w, EPOLLIN);
        }
        free_dead(w);
    }
    worker_close_all(w);
    return NULL;
}

/* ---- public API ---- */

void
serve_config_init(struct serve_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->limits.max_conns = 10000;
    cfg->limits.max_requests_per_conn = 1000;
    cfg->limits.max_head_bytes = 8192;
    cfg->limits.max_headers = 64;
    cfg->limits.max_target_bytes = 2048;
    cfg->limits.max_upload_bytes = SERVE_SPEEDTEST_BYTES;
    cfg->limits.header_timeout_ms = 10000;
    cfg->limits.idle_timeout_ms = 60000;
    cfg->limits.io_timeout_ms = 30000;
    cfg->limits.linger_ms = 2000;
    cfg->require_token = true;
    cfg->max_token_ttl_s = 86400;
}

static char *
dup_or_null(const char *s, bool *oom)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

struct serve *
serve_new(const struct serve_config *cfg)
{
    struct serve *s = calloc(1, sizeof(*s));
    bool oom = false;

    if (!s)
        return NULL;
    pthread_mutex_init(&s->auth_mu, NULL);
    pthread_mutex_init(&s->drain_mu, NULL);
    pthread_cond_init(&s->drain_cv, NULL);
    s->cfg = *cfg;
    if (s->cfg.nlisten > SERVE_LISTEN_MAX)
        s->cfg.nlisten = SERVE_LISTEN_MAX + 1; /* refused by serve_bind() */
    for (size_t i = 0; i < cfg->nlisten && i < SERVE_LISTEN_MAX; i++) {
        s->listen_copy[i] = dup_or_null(cfg->listen[i], &oom);
        s->cfg.listen[i] = s->listen_copy[i];
    }
    s->data_dir = dup_or_null(cfg->data_dir, &oom);
    s->oca_id = dup_or_null(cfg->oca_id ? cfg->oca_id : "", &oom);
    s->cfg.data_dir = s->data_dir;
    s->cfg.oca_id = s->oca_id;
    s->data_fd = -1;
    s->speed_fd = -1;
    s->auth = calloc(1, sizeof(*s->auth));
    if (oom || !s->auth) {
        serve_free(s);
        return NULL;
    }
    atomic_init(&s->auth->refs, 1);
    return s;
}

/* "a.b.c.d:port" or "[v6]:port" (numeric only; port 0 = ephemeral). */
static enum ocdn_err
parse_listen(const char *str, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[64];
    const char *colon, *h = str;
    size_t hl;
    char *end;
    long port;

    memset(ss, 0, sizeof(*ss));
    if (!str)
        return OCDN_EINVAL;
    colon = strrchr(str, ':');
    if (!colon)
        return OCDN_EINVAL;
    hl = (size_t)(colon - str);
    if (str[0] == '[') {
        if (hl < 2 || str[hl - 1] != ']')
            return OCDN_EINVAL;
        h = str + 1;
        hl -= 2;
    }
    if (hl == 0 || hl >= sizeof(host))
        return OCDN_EINVAL;
    memcpy(host, h, hl);
    host[hl] = '\0';
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
        return OCDN_EINVAL;
    if (str[0] == '[') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
            return OCDN_EINVAL;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*a6);
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
        if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
            return OCDN_EINVAL;
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof(*a4);
    }
    return OCDN_OK;
}

static void
set_port(struct sockaddr_storage *ss, uint16_t port)
{
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
    else
        ((struct sockaddr_in *)ss)->sin_port = htons(port);
}

static uint16_t
get_port(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static int
listen_socket(struct sockaddr_storage *ss, socklen_t len)
{
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;

    if (fd < 0)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
        (ss->ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
        bind(fd, (struct sockaddr *)ss, len) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* The speed test object: SPEED_WRAP bytes of xorshift output in memory, repeated. Not
 * zeros, so a compressing middlebox cannot flatter the measurement. */
static int
speed_object(void)
{
    static const size_t chunk = 65536;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    uint64_t *buf = malloc(chunk);
    int fd = memfd_create("ocdn-speedtest", MFD_CLOEXEC);

    if (fd < 0 || !buf)
        goto fail;
    for (size_t off = 0; off < SPEED_WRAP; off += chunk) {
        for (size_t i = 0; i < chunk / 8; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = x;
        }
        if (pwrite(fd, buf, chunk, (off_t)off) != (ssize_t)chunk)
            goto fail;
    }
    free(buf);
    return fd;
fail:
    free(buf);
    if (fd >= 0)
        close(fd);
    return -1;
}

static enum ocdn_err
check_config(const struct serve_config *c, char *err, size_t errlen)
{
    const struct serve_limits *l = &c->limits;

    if (c->nlisten == 0 || c->nlisten > SERVE_LISTEN_MAX) {
        seterr(err, errlen, "serve: need 1..8 listen addresses");
        return OCDN_EINVAL;
    }
    if (!c->data_dir || !*c->data_dir) {
        seterr(err, errlen, "serve: no data_dir");
        return OCDN_EINVAL;
    }
    if (c->require_token && (!c->oca_id || !*c->oca_id)) {
        seterr(err, errlen, "serve: require_token needs oca_id");
        return OCDN_EINVAL;
    }
    if (c->workers > SERVE_WORKERS_MAX || l->max_conns == 0 || l->max_requests_per_conn == 0 ||
        l->max_head_bytes < 256 || l->max_head_bytes > HTTP_HEAD_MAX_LIMIT || l->max_headers == 0 ||
        l->max_headers > HTTP_HEADERS_LIMIT || l->max_target_bytes < 64 ||
        l->max_target_bytes > HTTP_TARGET_MAX_LIMIT || l->header_timeout_ms <= 0 ||
        l->idle_timeout_ms <= 0 || l->io_timeout_ms <= 0 || l->linger_ms <= 0 ||
        c->max_token_ttl_s < 0) {
        seterr(err, errlen, "serve: a limit is out of range");
        return OCDN_EINVAL;
    }
    return OCDN_OK;
}

enum ocdn_err
serve_bind(struct serve *s, char *err, size_t errlen)
{
    long ncpu;

    if (s->bound || s->workers) {
        seterr(err, errlen, "serve: serve_bind() called twice");
        return OCDN_EINVAL;
    }
    if (check_config(&s->cfg, err, errlen))
        return OCDN_EINVAL;
    for (size_t i = 0; i < s->cfg.nlisten; i++) {
        if (parse_listen(s->cfg.listen[i], &s->addr[i], &s->addrlen[i]) != OCDN_OK) {
            seterr(err, errlen, "serve: bad listen address '%s' (want a.b.c.d:port or [v6]:port)",
                   s->cfg.listen[i]);
            return OCDN_EINVAL;
        }
    }
    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    s->nworkers = s->cfg.workers ? s->cfg.workers : (unsigned)(ncpu > 0 ? ncpu : 1);
    if (s->nworkers > SERVE_WORKERS_MAX)
        s->nworkers = SERVE_WORKERS_MAX;
    http_limits_init(&s->hlim);
    s->hlim.max_head_bytes = s->cfg.limits.max_head_bytes;
    s->hlim.max_headers = s->cfg.limits.max_headers;
    s->hlim.max_target_bytes = s->cfg.limits.max_target_bytes;
    s->hlim.max_body_bytes = s->cfg.limits.max_upload_bytes;

    s->data_fd = open(s->cfg.data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->data_fd < 0) {
        seterr(err, errlen, "serve: cannot open data_dir %s", s->cfg.data_dir);
        return OCDN_EIO;
    }
    s->speed_fd = speed_object();
    if (s->speed_fd < 0) {
        seterr(err, errlen, "serve: cannot create the speed test object");
        return OCDN_EIO;
    }
    s->workers = calloc(s->nworkers, sizeof(*s->workers));
    if (!s->workers) {
        seterr(err, errlen, "serve: out of memory");
        return OCDN_ENOMEM;
    }
    for (unsigned j = 0; j < s->nworkers; j++) {
        struct worker *w = &s->workers[j];
        w->s = s;
        w->id = j;
        w->epfd = -1;
        w->wakefd = -1;
        w->nlis = s->cfg.nlisten;
        for (size_t i = 0; i < w->nlis; i++)
            w->lis[i].fd = -1;
    }
    for (size_t i = 0; i < s->cfg.nlisten; i++) {
        for (unsigned j = 0; j < s->nworkers; j++) {
            struct listener *l = &s->workers[j].lis[i];
            l->src.kind = SRC_LISTENER;
            l->fd = listen_socket(&s->addr[i], s->addrlen[i]);
            if (l->fd < 0) {
                seterr(err, errlen, "serve: cannot listen on %s: %s", s->cfg.listen[i],
                       strerror(errno));
                return OCDN_EIO;
            }
            if (j == 0 && get_port(&s->addr[i]) == 0) {
                /* Ephemeral port: every worker's socket must share the one the first got. */
                struct sockaddr_storage got;
                socklen_t gl = sizeof(got);
                if (getsockname(l->fd, (struct sockaddr *)&got, &gl) != 0) {
                    seterr(err, errlen, "serve: getsockname on %s failed", s->cfg.listen[i]);
                    return OCDN_EIO;
                }
                set_port(&s->addr[i], get_port(&got));
            }
        }
        s->port[i] = get_port(&s->addr[i]);
    }
    s->bound = true;
    return OCDN_OK;
}

uint16_t
serve_port(const struct serve *s, size_t i)
{
    if (!s->bound || i >= s->cfg.nlisten)
        return 0;
    return s->port[i];
}

static void
wake(struct worker *w)
{
    uint64_t one = 1;

    if (w->wakefd >= 0 && write(w->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        log_warn("serve: eventfd write worker=%u", w->id);
}

static void
join_workers(struct serve *s)
{
    atomic_store(&s->stopping, true);
    for (unsigned j = 0; j < s->nworkers; j++)
        wake(&s->workers[j]);
    for (unsigned j = 0; j < s->nworkers; j++) {
        if (s->workers[j].has_thread) {
            pthread_join(s->workers[j].thread, NULL);
            s->workers[j].has_thread = false;
        }
    }
}

static enum ocdn_err
worker_setup(struct worker *w)
{
    struct epoll_event ev;

    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->epfd < 0 || w->wakefd < 0)
        return OCDN_EIO;
    w->wake_src.kind = SRC_WAKE;
    ev.events = EPOLLIN;
    ev.data.ptr = &w->wake_src;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev) != 0)
        return OCDN_EIO;
    for (size_t i = 0; i < w->nlis; i++) {
        if (w->lis[i].fd < 0)
            continue;
        ev.events = EPOLLIN;
        ev.data.ptr = &w->lis[i].src;
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->lis[i].fd, &ev) != 0)
            return OCDN_EIO;
        w->listening = true;
    }
    return OCDN_OK;
}

enum ocdn_err
serve_start(struct serve *s)
{
    sigset_t all, old;
    enum ocdn_err err = OCDN_OK;
    char listen[SERVE_LISTEN_MAX * 48] = "";

    if (!s->bound || s->started)
        return OCDN_EINVAL;
    for (unsigned j = 0; j < s->nworkers; j++) {
        err = worker_setup(&s->workers[j]);
        if (err) {
            log_warn("serve: cannot set up worker=%u", j);
            return err;
        }
    }
    /* Workers take no signals: the main loop handles them, and a SIGPIPE raised by sendfile
     * on a reset connection stays blocked instead of killing the process. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (unsigned j = 0; j < s->nworkers; j++) {
        if (pthread_create(&s->workers[j].thread, NULL, worker_main, &s->workers[j]) != 0) {
            err = OCDN_ENOMEM;
            break;
        }
        s->workers[j].has_thread = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        log_warnx("serve: cannot start worker threads");
        join_workers(s);
        return err;
    }
    s->started = true;
    for (size_t i = 0; i < s->cfg.nlisten; i++) {
        size_t n = strlen(listen);
        char a[INET6_ADDRSTRLEN] = "?";
        bool v6 = s->addr[i].ss_family == AF_INET6;
        const void *p = v6 ? (const void *)&((struct sockaddr_in6 *)&s->addr[i])->sin6_addr
                           : (const void *)&((struct sockaddr_in *)&s->addr[i])->sin_addr;
        (void)inet_ntop(s->addr[i].ss_family, p, a, sizeof(a));
        snprintf(listen + n, sizeof(listen) - n, "%s%s%s%s:%u", i ? "," : "", v6 ? "[" : "", a,
                 v6 ? "]" : "", s->port[i]);
    }
    log_info("serve: started workers=%u listen=%s send=%s require_token=%s", s->nworkers, listen,
             serve_transport_plain()->name, s->cfg.require_token ? "yes" : "no");
    return OCDN_OK;
}

static enum ocdn_err
publish_auth(struct serve *s, const struct token_key *keys, size_t nkeys, const char *const *hosts,
             size_t nhosts)
{
    struct auth *a = calloc(1, sizeof(*a)), *old;

    if (!a)
        return OCDN_ENOMEM;
    atomic_init(&a->refs, 1);
    pthread_mutex_lock(&s->auth_mu);
    old = s->auth;
    if (keys) {
        a->nkeys = nkeys;
        memcpy(a->keys, keys, nkeys * sizeof(*keys));
    } else {
        a->nkeys = old->nkeys;
        memcpy(a->keys, old->keys, sizeof(a->keys));
    }
    if (hosts) {
        a->nhosts = nhosts;
        for (size_t i = 0; i < nhosts; i++) {
            size_t j;
            for (j = 0; hosts[i][j]; j++) {
                char ch = hosts[i][j];
                a->hosts[i][j] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
            }
            a->hosts[i][j] = '\0';
        }
    } else {
        a->nhosts = old->nhosts;
        memcpy(a->hosts, old->hosts, sizeof(a->hosts));
    }
    s->auth = a;
    atomic_fetch_add_explicit(&s->auth_gen, 1, memory_order_release);
    pthread_mutex_unlock(&s->auth_mu);
    auth_unref(old);
    return OCDN_OK;
}

enum ocdn_err
serve_set_keys(struct serve *s, const struct token_key *keys, size_t n)
{
    static const struct token_key none[1];

    if (n > SERVE_KEYS_MAX || (n > 0 && !keys))
        return OCDN_EINVAL;
    return publish_auth(s, n ? keys : none, n, NULL, 0);
}

static bool
is_host_name(const char *h)
{
    size_t n = strlen(h);

    if (n < 1 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = h[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '.'))
            return false;
    }
    return true;
}

enum ocdn_err
serve_set_hosts(struct serve *s, const char *const *hosts, size_t n)
{
    static const char *const none[1] = {""};

    if (n > SERVE_HOSTS_MAX || (n > 0 && !hosts))
        return OCDN_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!hosts[i] || !is_host_name(hosts[i]))
            return OCDN_EINVAL;
    }
    return publish_auth(s, NULL, 0, n ? hosts : none, n);
}

void
serve_drain(struct serve *s)
{
    bool was = atomic_exchange(&s->draining, true);

    if (was || !s->bound)
        return;
    if (!s->started || s->stopped) {
        for (unsigned j = 0; j < s->nworkers; j++) {
            struct worker *w = &s->workers[j];
            for (size_t i = 0; i < w->nlis; i++) {
                if (w->lis[i].fd >= 0)
                    close(w->lis[i].fd);
                w->lis[i].fd = -1;
            }
        }
        return;
    }
    log_info("serve: draining open=%u", atomic_load(&s->conns_open));
    for (unsigned j = 0; j < s->nworkers; j++)
        wake(&s->workers[j]);
    pthread_mutex_lock(&s->drain_mu);
    while (s->drain_acks < s->nworkers)
        pthread_cond_wait(&s->drain_cv, &s->drain_mu);
    pthread_mutex_unlock(&s->drain_mu);
}

bool
serve_drained(const struct serve *s)
{
    return atomic_load(&s->draining) && atomic_load(&s->conns_open) == 0;
}

void
serve_stop(struct serve *s)
{
    if (!s->started || s->stopped)
        return;
    join_workers(s);
    s->stopped = true;
    log_info("serve: stopped");
}

void
serve_free(struct serve *s)
{
    if (!s)
        return;
    serve_stop(s);
    for (unsigned j = 0; s->workers && j < s->nworkers; j++) {
        struct worker *w = &s->workers[j];
        for (size_t i = 0; i < w->nlis; i++) {
            if (w->lis[i].fd >= 0)
                close(w->lis[i].fd);
        }
        if (w->epfd >= 0)
            close(w->epfd);
        if (w->wakefd >= 0)
            close(w->wakefd);
        auth_unref(w->auth);
    }
    free(s->workers);
    if (s->data_fd >= 0)
        close(s->data_fd);
    if (s->speed_fd >= 0)
        close(s->speed_fd);
    auth_unref(s->auth);
    pthread_mutex_destroy(&s->auth_mu);
    pthread_mutex_destroy(&s->drain_mu);
    pthread_cond_destroy(&s->drain_cv);
    for (size_t i = 0; i < SERVE_LISTEN_MAX; i++)
        free(s->listen_copy[i]);
    free(s->data_dir);
    free(s->oca_id);
    free(s);
}

void
serve_stats(const struct serve *s, struct serve_stats *out)
{
    memset(out, 0, sizeof(*out));
    for (unsigned j = 0; s->workers && j < s->nworkers; j++) {
        const struct counters *c = &s->workers[j].ctr;
        out->requests += ctr_get(&c->requests);
        out->status_2xx += ctr_get(&c->s2xx);
        out->status_4xx += ctr_get(&c->s4xx);
        out->status_5xx += ctr_get(&c->s5xx);
        out->status_403 += ctr_get(&c->s403);
        out->bytes_sent += ctr_get(&c->bytes_sent);
        out->bytes_received += ctr_get(&c->bytes_received);
        out->conns_total += ctr_get(&c->conns_total);
        out->conns_refused += ctr_get(&c->conns_refused);
        out->timeouts += ctr_get(&c->timeouts);
        out->aborts += ctr_get(&c->aborts);
        out->errors += ctr_get(&c->errors);
        out->sends_blocked += ctr_get(&c->sends_blocked);
    }
    out->conns_open = atomic_load(&s->conns_open);
}
