/* check_serve.c - the agent's file server, started for real on 127.0.0.1 (and ::1) with an
 * ephemeral port and a temp data dir, driven through plain sockets. Every wait is a poll()
 * with a generous bound; nothing sleeps to let a race settle. */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "testutil.h"

#define HOST       "c001-tls001-isp.1.oca.example.net"
#define OCA        "42"
#define WAIT_MS    10000
#define SMALL_SIZE 1000
#define BIG_SIZE   (64u * 1024 * 1024)

static uint8_t key1[TOKEN_KEY_LEN], key2[TOKEN_KEY_LEN];
static struct serve *srv;
static char *dir;
static uint16_t port;

/* ---- data ---- */

static uint8_t
small_byte(size_t i)
{
    return (uint8_t)(i * 7 + 3);
}

/* Byte i of the big file: cheap, position-dependent, so a misplaced block is caught. */
static uint8_t
big_byte(uint64_t i)
{
    uint64_t x = (i / 8) * 0x9e3779b97f4a7c15ULL;
    x ^= x >> 29;
    return (uint8_t)(x >> ((i % 8) * 8));
}

static void
make_file(const char *name, size_t size, uint8_t (*gen)(uint64_t))
{
    char path[512];
    size_t chunk = 1 << 20;
    char *buf = malloc(chunk);
    FILE *f;

    ck_assert_ptr_nonnull(buf);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (size_t off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)gen(off + i);
        ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
    }
    ck_assert_int_eq(fclose(f), 0);
    free(buf);
}

static uint8_t
small_gen(uint64_t i)
{
    return small_byte((size_t)i);
}

static void
make_data(bool big)
{
    char path[512], target[512];

    dir = tmpdir_new();
    make_file("small.bin", SMALL_SIZE, small_gen);
    make_file("empty.bin", 0, small_gen);
    if (big)
        make_file("big.bin", BIG_SIZE, big_byte);
    snprintf(path, sizeof(path), "%s/link.bin", dir);
    snprintf(target, sizeof(target), "%s/small.bin", dir);
    ck_assert_int_eq(symlink(target, path), 0);
    snprintf(path, sizeof(path), "%s/dir.bin", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/fifo.bin", dir);
    ck_assert_int_eq(mkfifo(path, 0644), 0);
}

/* ---- server ---- */

static void
start_server(void (*tweak)(struct serve_config *))
{
    struct serve_config cfg;
    struct token_key k = {{0}, 0};
    const char *hosts[] = {HOST};
    char err[256] = "";

    serve_config_init(&cfg);
    cfg.listen[0] = "127.0.0.1:0";
    cfg.nlisten = 1;
    cfg.data_dir = dir;
    cfg.workers = 2;
    cfg.oca_id = OCA;
    cfg.max_token_ttl_s = 3600;
    if (tweak)
        tweak(&cfg);
    srv = serve_new(&cfg);
    ck_assert_ptr_nonnull(srv);
    ck_assert_msg(serve_bind(srv, err, sizeof(err)) == OCDN_OK, "bind: %s", err);
    port = serve_port(srv, 0);
    ck_assert_uint_ne(port, 0);
    memcpy(k.key, key1, sizeof(key1));
    ck_assert_int_eq(serve_set_keys(srv, &k, 1), OCDN_OK);
    ck_assert_int_eq(serve_set_hosts(srv, hosts, 1), OCDN_OK);
    ck_assert_int_eq(serve_start(srv), OCDN_OK);
}

static void
setup_small(void)
{
    make_data(false);
    start_server(NULL);
}

static void
teardown(void)
{
    serve_free(srv);
    srv = NULL;
    tmpdir_remove(dir);
    dir = NULL;
}

/* ---- signed URLs ---- */

static void
sign_fields(const uint8_t *key, const struct token_fields *f, char tok[TOKEN_STRLEN])
{
    ck_assert_int_eq(token_sign(key, f, tok), OCDN_OK);
}

/* "/range/a-b?o=..&v=..&e=..&t=.." or "/<file>?o=..." signed with key for host. */
static void
video_url(char *out, size_t cap, const char *path, const char *o, const char *host, const char *v,
          int64_t e, const uint8_t *key)
{
    struct token_fields f = {TOKEN_KIND_VIDEO, host, o, v, e, NULL, NULL};
    char tok[TOKEN_STRLEN];

    sign_fields(key, &f, tok);
    snprintf(out, cap, "%s?o=%s&v=%s&e=%lld&t=%s", path, o, v, (long long)e, tok);
}

static void
speed_url(char *out, size_t cap, const char *path, int64_t e, const uint8_t *key)
{
    struct token_fields f = {TOKEN_KIND_SPEEDTEST, HOST, NULL, OCA, e, "FR", "3215"};
    char tok[TOKEN_STRLEN];

    sign_fields(key, &f, tok);
    snprintf(out, cap, "%s?c=FR&n=3215&v=%s&e=%lld&t=%s", path, OCA, (long long)e, tok);
}

static int64_t
soon(void)
{
    return (int64_t)time(NULL) + 600;
}

/* ---- a tiny HTTP client ---- */

struct client {
    int fd;
    size_t len;
    char buf[(1 << 16) + 1]; /* + a NUL */
};

struct reply {
    int status;
    char head[8192];
    char *body; /* malloc'd; NULL for HEAD */
    size_t body_len;
};

static struct client *
client_open_family(int family, int rcvbuf)
{
    struct client *cl = calloc(1, sizeof(*cl));
    struct sockaddr_storage ss;
    socklen_t len;

    ck_assert_ptr_nonnull(cl);
    memset(&ss, 0, sizeof(ss));
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        a->sin6_addr = in6addr_loopback;
        len = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(*a);
    }
    cl->fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(cl->fd, 0);
    if (rcvbuf > 0)
        ck_assert_int_eq(setsockopt(cl->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
    ck_assert_msg(connect(cl->fd, (struct sockaddr *)&ss, len) == 0, "connect: %s",
                  strerror(errno));
    return cl;
}

static struct client *
client_open(void)
{
    return client_open_family(AF_INET, 0);
}

static void
client_close(struct client *cl)
{
    if (!cl)
        return;
    close(cl->fd);
    free(cl);
}

static void
client_send(struct client *cl, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(cl->fd, data, len, MSG_NOSIGNAL);
        ck_assert_msg(n > 0, "send: %s", strerror(errno));
        data += n;
        len -= (size_t)n;
    }
}

static void
client_sends(struct client *cl, const char *s)
{
    client_send(cl, s, strlen(s));
}

/* Read more bytes into cl->buf; returns 0 on EOF or reset. Fails the test after WAIT_MS. */
static ssize_t
client_fill(struct client *cl)
{
    struct pollfd p = {cl->fd, POLLIN, 0};
    ssize_t n;

    ck_assert_uint_lt(cl->len, sizeof(cl->buf) - 1);
    ck_assert_msg(poll(&p, 1, WAIT_MS) == 1, "timed out waiting for the server");
    n = recv(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len, 0);
    if (n < 0 && errno == ECONNRESET)
        return 0;
    ck_assert_int_ge(n, 0);
    cl->len += (size_t)n;
    return n;
}

static void
client_drop(struct client *cl, size_t n)
{
    memmove(cl->buf, cl->buf + n, cl->len - n);
    cl->len -= n;
}

/* Value of header name in a reply head (case-insensitive name), or NULL; static storage. */
static const char *
header(const struct reply *r, const char *name)
{
    static char val[512];
    const char *p = r->head;
    size_t nl = strlen(name);

    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1, *e = strstr(v, "\r\n");
            while (*v == ' ')
                v++;
            snprintf(val, sizeof(val), "%.*s", (int)(e - v), v);
            return val;
        }
    }
    return NULL;
}

/* Read one response; false on EOF before any byte. is_head: no body follows. */
static bool
read_reply(struct client *cl, bool is_head, struct reply *r)
{
    char *end;
    size_t hl;
    const char *cl_hdr;

    memset(r, 0, sizeof(*r));
    for (;;) {
        cl->buf[cl->len] = '\0';
        end = cl->len ? memmem(cl->buf, cl->len, "\r\n\r\n", 4) : NULL;
        if (end)
            break;
        if (client_fill(cl) == 0) {
            ck_assert_msg(cl->len == 0, "EOF inside a response head");
            return false;
        }
    }
    hl = (size_t)(end - cl->buf) + 4;
    ck_assert_uint_lt(hl, sizeof(r->head));
    memcpy(r->head, cl->buf, hl);
    r->head[hl] = '\0';
    client_drop(cl, hl);
    ck_assert_int_eq(sscanf(r->head, "HTTP/1.1 %d ", &r->status), 1);
    if (is_head || r->status == 100)
        return true;
    cl_hdr = header(r, "Content-Length");
    ck_assert_ptr_nonnull(cl_hdr);
    r->body_len = strtoull(cl_hdr, NULL, 10);
    r->body = malloc(r->body_len + 1);
    ck_assert_ptr_nonnull(r->body);
    for (size_t got = 0; got < r->body_len;) {
        size_t n;
        if (cl->len == 0)
            ck_assert_msg(client_fill(cl) > 0, "EOF inside a body");
        n = cl->len < r->body_len - got ? cl->len : r->body_len - got;
        memcpy(r->body + got, cl->buf, n);
        client_drop(cl, n);
        got += n;
    }
    r->body[r->body_len] = '\0';
    return true;
}

static void
reply_clear(struct reply *r)
{
    free(r->body);
    r->body = NULL;
}

/* True when the server closes the connection (EOF or reset) within WAIT_MS. */
static bool
wait_eof(struct client *cl)
{
    char tmp[4096];

    for (;;) {
        struct pollfd p = {cl->fd, POLLIN, 0};
        ssize_t n;
        if (poll(&p, 1, WAIT_MS) != 1)
            return false;
        n = recv(cl->fd, tmp, sizeof(tmp), 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return true;
        if (n < 0)
            return false;
    }
}

/* One request on a new connection; returns the status, *r filled (caller clears). */
static int
request(const char *method, const char *target, const char *host, const char *extra,
        struct reply *r)
{
    struct client *cl = client_open();
    char req[4096];
    bool ok;

    snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", method, target, host,
             extra ? extra : "");
    client_sends(cl, req);
    ok = read_reply(cl, strcmp(method, "HEAD") == 0, r);
    ck_assert(ok);
    client_close(cl);
    return r->status;
}

static int
get(const char *target, const char *extra, struct reply *r)
{
    return request("GET", target, HOST, extra, r);
}

static void
assert_small_span(const struct reply *r, size_t off, size_t len)
{
    ck_assert_uint_eq(r->body_len, len);
    for (size_t i = 0; i < len; i++)
        ck_assert_uint_eq((uint8_t)r->body[i], small_byte(off + i));
}

/* ---- video: status codes ---- */

START_TEST(video_whole_file_200)
{
    char url[512];
    struct reply r;

    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, OCA, soon(), key1);
    ck_assert_int_eq(get(url, NULL, &r), 200);
    assert_small_span(&r, 0, SMALL_SIZE);
    ck_assert_str_eq(header(&r, "Content-Type"), "application/octet-stream");
    ck_assert_str_eq(header(&r, "Accept-Ranges"), "bytes");
    ck_assert_str_eq(header(&r, "Content-Length"), "1000");
    ck_assert_str_eq(header(&r, "Connection"), "keep-alive");
    ck_assert_ptr_nonnull(header(&r, "Date"));
    ck_assert_ptr_null(header(&r, "Content-Range"));
    ck_assert_ptr_null(header(&r, "Access-Control-Allow-Origin"));
    reply_clear(&r);
}
END_TEST

START_TEST(video_range_header_206)
{
    static const struct {
        const char *range;
        size_t off, len;
        const char *crange;
    } rows[] = {
        {"bytes=10-19", 10, 10, "bytes 10-19/1000"},
        {"bytes=990-", 990, 10, "bytes 990-999/1000"},
        {"bytes=-5", 995, 5, "bytes 995-999/1000"},
        {"bytes=900-5000", 900, 100, "bytes 900-999/1000"},
        {"bytes=-5000", 0, 1000, "bytes 0-999/1000"},
    };
    char url[512], extra[128];
    struct reply r;

    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, OCA, soon(), key1);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        snprintf(extra, sizeof(extra), "Range: %s\r\n", rows[i].range);
        ck_assert_int_eq(get(url, extra, &r), 206);
        assert_small_span(&r, rows[i].off, rows[i].len);
        ck_assert_str_eq(header(&r, "Content-Range"), rows[i].crange);
        reply_clear(&r);
    }
}
END_TEST

START_TEST(video_range_ignored_200)
{
    static const char *const extras[] = {
        "Range: bytes=0-1,5-6\r\n",            /* multiple ranges: whole file */
        "Range: bytes=5-1\r\n",                /* invalid: ignored */
        "Range: items=0-1\r\n",                /* other unit: ignored */
        "Range: bytes=0-1\r\nIf-Range: x\r\n", /* If-Range cannot hold */
    };
    char url[512];
    struct reply r;

    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, OCA, soon(), key1);
    for (size_t i = 0; i < sizeof(extras) / sizeof(extras[0]); i++) {
        ck_assert_int_eq(get(url, extras[i], &r), 200);
        assert_small_span(&r, 0, SMALL_SIZE);
        reply_clear(&r);
    }
}
END_TEST

START_TEST(video_path_range_200)
{
    char url[512];
    struct reply r;

    video_url(url, sizeof(url), "/range/10-19", "small.bin", HOST, OCA, soon(), key1);
    ck_assert_int_eq(get(url, NULL, &r), 200);
    assert_small_span(&r, 10, 10);
    ck_assert_ptr_null(header(&r, "Content-Range"));
    reply_clear(&r);
    /* the end is clamped to the file; a Range header is ignored on /range/ URLs */
    video_url(url, sizeof(url), "/range/900-99999", "small.bin", HOST, OCA, soon(), key1);
    ck_assert_int_eq(get(url, "Range: bytes=0-0\r\n", &r), 200);
    assert_small_span(&r, 900, 100);
    reply_clear(&r);
}
END_TEST

START_TEST(video_unsatisfiable_416)
{
    char url[512];
    struct reply r;

    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, OCA, soon(), key1);
    ck_assert_int_eq(get(url, "Range: bytes=1000-\r\n", &r), 416);
    ck_assert_str_eq(header(&r, "Content-Range"), "bytes */1000");
    ck_assert_str_eq(header(&r, "Connection"), "keep-alive");
    reply_clear(&r);
    ck_assert_int_eq(get(url, "Range: bytes=-0\r\n", &r), 416);
    reply_clear(&r);
    video_url(url, sizeof(url), "/range/1000-2000", "small.bin", HOST, OCA, soon(), key1);
    ck_assert_int_eq(get(url, NULL, &r), 416);
    ck_assert_str_eq(header(&r, "Content-Range"), "bytes */1000");
    reply_clear(&r);
    video_url(url, sizeof(url), "/empty.bin", "empty.bin", HOST, OCA, soon(), key1);
    ck_assert_int_eq(get(url, "Range: bytes=0-\r\n", &r), 416);
    ck_assert_str_eq(header(&r, "Content-Range"), "bytes */0");
    reply_clear(&r);
    ck_assert_int_eq(get(url, NULL, &r), 200);
    ck_assert_uint_eq(r.body_len, 0);
    reply_clear(&r);
}
END_TEST

START_TEST(video_not_found_404)
{
    static const char *const files[] = {"missing.bin", "link.bin", "dir.bin", "fifo.bin"};
    char url[512];
    struct reply r;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[160];
        snprintf(path, sizeof(path), "/%s", files[i]);
        video_url(url, sizeof(url), path, files[i], HOST, OCA, soon(), key1);
        ck_assert_msg(get(url, NULL, &r) == 404, "%s", files[i]);
        reply_clear(&r);
        video_url(url, sizeof(url), "/range/0-9", files[i], HOST, OCA, soon(), key1);
        ck_assert_msg(get(url, NULL, &r) == 404, "range %s", files[i]);
        reply_clear(&r);
    }
    /* ids outside ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ and paths that are no route */
    video_url(url, sizeof(url), "/range/0-9", ".hidden", HOST, OCA, soon(), key1);
    ck_assert_int_eq(get(url, NULL, &r), 404);
    reply_clear(&r);
    video_url(url, sizeof(url), "/range/0-9", "..", HOST, OCA, soon(), key1);
    ck_assert_int_eq(get(url, NULL, &r), 404);
    reply_clear(&r);
    ck_assert_int_eq(get("/a/b", NULL, &r), 404);
    reply_clear(&r);
    ck_assert_int_eq(get("/", NULL, &r), 404);
    reply_clear(&r);
    ck_assert_int_eq(get("/small%2ebin", NULL, &r), 404);
    reply_clear(&r);
}
END_TEST

START_TEST(video_forbidden_403)
{
    char url[512], tok[TOKEN_STRLEN];
    struct token_fields st = {TOKEN_KIND_SPEEDTEST, HOST, "small.bin", OCA, 0, NULL, NULL};
    struct reply r;
    char *t;

    /* tampered token */
    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, OCA, soon(), key1);
    t = strstr(url, "&t=") + 3;
    t[0] = t[0] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(get(url, NULL, &r), 403);
    ck_assert_ptr_nonnull(strstr(r.body, "bad token"));
    reply_clear(&r);
    /* tampered expiry (the signature covers e) */
    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, OCA, soon(), key1);
    t = strstr(url, "&e=") + 3;
    t[9] = t[9] == '1' ? '2' : '1';
    ck_assert_int_eq(get(url, NULL, &r), 403);
    reply_clear(&r);
    /* expired */
    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, OCA, time(NULL) - 10, key1);
    ck_assert_int_eq(get(url, NULL, &r), 403);
    ck_assert_ptr_nonnull(strstr(r.body, "expired"));
    reply_clear(&r);
    /* too far ahead (max_token_ttl_s = 3600) */
    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, OCA, time(NULL) + 7200, key1);
    ck_assert_int_eq(get(url, NULL, &r), 403);
    reply_clear(&r);
    /* wrong host: signed for another host, or sent to another host */
    video_url(url, sizeof(url), "/small.bin", "small.bin", "other.example.net", OCA, soon(), key1);
    ck_assert_int_eq(request("GET", url, "other.example.net", NULL, &r), 403);
    ck_assert_ptr_nonnull(strstr(r.body, "wrong host"));
    reply_clear(&r);
    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, OCA, soon(), key1);
    ck_assert_int_eq(request("GET", url, "other.example.net", NULL, &r), 403);
    reply_clear(&r);
    /* the Host port and case do not matter */
    ck_assert_int_eq(request("GET", url, "C001-TLS001-ISP.1.oca.example.NET:8080", NULL, &r), 200);
    reply_clear(&r);
    /* wrong v */
    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, "43", soon(), key1);
    ck_assert_int_eq(get(url, NULL, &r), 403);
    ck_assert_ptr_nonnull(strstr(r.body, "wrong oca"));
    reply_clear(&r);
    /* unknown key */
    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, OCA, soon(), key2);
    ck_assert_int_eq(get(url, NULL, &r), 403);
    reply_clear(&r);
    /* a speed test token on a video URL */
    st.e = soon();
    sign_fields(key1, &st, tok);
    snprintf(url, sizeof(url), "/small.bin?o=small.bin&v=%s&e=%lld&t=%s", OCA, (long long)st.e,
             tok);
    ck_assert_int_eq(get(url, NULL, &r), 403);
    reply_clear(&r);
    /* o signed for another file than the path names */
    video_url(url, sizeof(url), "/small.bin", "empty.bin", HOST, OCA, soon(), key1);
    ck_assert_int_eq(get(url, NULL, &r), 403);
    reply_clear(&r);
    /* missing pieces */
    ck_assert_int_eq(get("/small.bin", NULL, &r), 403);
    reply_clear(&r);
    ck_assert_int_eq(get("/range/0-9", NULL, &r), 403);
    reply_clear(&r);
    snprintf(url, sizeof(url), "/small.bin?o=small.bin&v=%s&e=%lld", OCA, (long long)soon());
    ck_assert_int_eq(get(url, NULL, &r), 403);
    ck_assert_ptr_nonnull(strstr(r.body, "missing token"));
    reply_clear(&r);
    /* the 403 keeps the connection usable and says nothing more */
    ck_assert_str_eq(header(&r, "Connection"), "keep-alive");
}
END_TEST

START_TEST(video_query_decoded)
{
    char url[512];
    struct reply r;

    /* percent-encoded o decodes to the signed file id */
    video_url(url, sizeof(url), "/range/0-9", "small.bin", HOST, OCA, soon(), key1);
    memmove(strstr(url, "small.bin") + 7, strstr(url, "small.bin") + 5,
            strlen(strstr(url, "small.bin") + 5) + 1);
    memcpy(strstr(url, "small") + 5, "%2e", 3);
    ck_assert_ptr_nonnull(strstr(url, "o=small%2ebin"));
    ck_assert_int_eq(get(url, NULL, &r), 200);
    assert_small_span(&r, 0, 10);
    reply_clear(&r);
    /* a duplicate parameter is refused: the token could cover one and we use the other */
    video_url(url, sizeof(url), "/range/0-9", "small.bin", HOST, OCA, soon(), key1);
    strcat(url, "&o=empty.bin");
    ck_assert_int_eq(get(url, NULL, &r), 400);
    reply_clear(&r);
}
END_TEST

START_TEST(head_has_no_body)
{
    struct client *cl = client_open();
    char url[512], req[2048];
    struct reply r;

    video_url(url, sizeof(url), "/small.bin", "small.bin", HOST, OCA, soon(), key1);
    snprintf(req, sizeof(req),
             "HEAD %s HTTP/1.1\r\nHost: %s\r\n\r\nGET %s HTTP/1.1\r\nHost: %s\r\n\r\n", url, HOST,
             url, HOST);
    client_sends(cl, req);
    ck_assert(read_reply(cl, true, &r));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "Content-Length"), "1000");
    /* the next bytes are the second response, not a body */
    ck_assert(read_reply(cl, false, &r));
    ck_assert_int_eq(r.status, 200);
    assert_small_span(&r, 0, SMALL_SIZE);
    reply_clear(&r);
    client_close(cl);
}
END_TEST

START_TEST(bad_requests_4xx_5xx)
{
    static const struct {
        const char *req;
        int status;
        bool closes; /* parser refusals close: the framing cannot be trusted */
    } rows[] = {
        {"PUT /small.bin HTTP/1.1\r\nHost: " HOST "\r\nContent-Length: 0\r\n\r\n", 405, true},
        {"POST /small.bin HTTP/1.1\r\nHost: " HOST "\r\nContent-Length: 0\r\n\r\n", 405, true},
        {"BREW /small.bin HTTP/1.1\r\nHost: " HOST "\r\n\r\n", 501, true},
        {"GET /small.bin HTTP/1.1\r\n\r\n", 400, true},
        {"GET /small.bin HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, true},
        {"POST /speedtest HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
         400, true},
        {"POST /speedtest HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501,
         true},
        {"GET /small.bin HTTP/2.0\r\nHost: a\r\n\r\n", 505, true},
        {"garbage\r\n\r\n", 400, true},
        {"GET /range/9-1?o=small.bin HTTP/1.1\r\nHost: a\r\n\r\n", 400, false},
        {"GET /small.bin?o=%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400, false},
        /* refused before its body was read: the body must not become the next request */
        {"POST /speedtest?c=%00 HTTP/1.1\r\nHost: a\r\nContent-Length: 30\r\n\r\n"
         "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
         400, true},
        {"POST /speedtest HTTP/1.1\r\nHost: a\r\nContent-Length: 30\r\n\r\n"
         "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
         403, true},
    };
    struct reply r;

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct client *cl = client_open();
        client_sends(cl, rows[i].req);
        ck_assert(read_reply(cl, false, &r));
        ck_assert_msg(r.status == rows[i].status, "row %zu: %d", i, r.status);
        ck_assert_str_eq(header(&r, "Connection"), rows[i].closes ? "close" : "keep-alive");
        if (rows[i].closes)
            ck_assert(wait_eof(cl));
        if (r.status == 405)
            ck_assert_str_eq(header(&r, "Allow"), "GET, HEAD");
        reply_clear(&r);
        client_close(cl);
    }
}
END_TEST

START_TEST(header_limit_431)
{
    struct client *cl = client_open();
    char big[9000];
    struct reply r;

    memset(big, 'x', sizeof(big));
    memcpy(big, "X-Big: ", 7);
    big[sizeof(big) - 1] = '\0';
    client_sends(cl, "GET /small.bin HTTP/1.1\r\nHost: " HOST "\r\n");
    client_sends(cl, big);
    ck_assert(read_reply(cl, false, &r));
    ck_assert_int_eq(r.status, 431);
    ck_assert_str_eq(header(&r, "Connection"), "close");
    ck_assert(wait_eof(cl));
    reply_clear(&r);
    client_close(cl);
}
END_TEST

START_TEST(healthz_200)
{
    struct reply r;

    ck_assert_int_eq(request("GET", "/healthz", "anything", NULL, &r), 200);
    ck_assert_str_eq(r.body, "ok\n");
    reply_clear(&r);
}
END_TEST

/* ---- connections ---- */

START_TEST(keep_alive_two_requests)
{
    struct client *cl = client_open();
    char url[512], req[2048];
    struct reply r;
    struct serve_stats st;

    video_url(url, sizeof(url), "/range/0-9", "small.bin", HOST, OCA, soon(), key1);
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", url, HOST);
    for (int i = 0; i < 2; i++) {
        client_sends(cl, req);
        ck_assert(read_reply(cl, false, &r));
        ck_assert_int_eq(r.status, 200);
        assert_small_span(&r, 0, 10);
        reply_clear(&r);
    }
    serve_stats(srv, &st);
    ck_assert_uint_eq(st.conns_total, 1);
    ck_assert_uint_eq(st.requests, 2);
    ck_assert_uint_eq(st.status_2xx, 2);
    client_close(cl);
}
END_TEST

START_TEST(pipelined_in_order)
{
    struct client *cl = client_open();
    char u1[512], u2[512], req[4096];
    struct reply r;

    video_url(u1, sizeof(u1), "/range/0-9", "small.bin", HOST, OCA, soon(), key1);
    video_url(u2, sizeof(u2), "/range/100-199", "small.bin", HOST, OCA, soon(), key1);
    snprintf(req, sizeof(req),
             "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n"
             "GET /missing HTTP/1.1\r\nHost: %s\r\n\r\n"
             "HEAD %s HTTP/1.1\r\nHost: %s\r\n\r\n"
             "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
             u1, HOST, HOST, u2, HOST, u2, HOST);
    client_sends(cl, req);
    ck_assert(read_reply(cl, false, &r));
    ck_assert_int_eq(r.status, 200);
    assert_small_span(&r, 0, 10);
    reply_clear(&r);
    ck_assert(read_reply(cl, false, &r));
    ck_assert_int_eq(r.status, 403);
    reply_clear(&r);
    ck_assert(read_reply(cl, true, &r));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "Content-Length"), "100");
    ck_assert(read_reply(cl, false, &r));
    ck_assert_int_eq(r.status, 200);
    assert_small_span(&r, 100, 100);
    ck_assert_str_eq(header(&r, "Connection"), "close");
    reply_clear(&r);
    ck_assert(wait_eof(cl));
    client_close(cl);
}
END_TEST

START_TEST(http10_closes)
{
    struct client *cl = client_open();
    char url[512], req[2048];
    struct reply r;

    video_url(url, sizeof(url), "/range/0-9", "small.bin", HOST, OCA, soon(), key1);
    snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", url, HOST);
    client_sends(cl, req);
    ck_assert(read_reply(cl, false, &r));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "Connection"), "close");
    ck_assert(wait_eof(cl));
    reply_clear(&r);
    client_close(cl);
}
END_TEST

static void
tweak_limits(struct serve_config *cfg)
{
    cfg->limits.max_conns = 2;
    cfg->limits.max_requests_per_conn = 3;
    cfg->limits.idle_timeout_ms = 200;
    cfg->limits.header_timeout_ms = 300;
}

static void
setup_limits(void)
{
    make_data(false);
    start_server(tweak_limits);
}

START_TEST(max_requests_per_conn)
{
    struct client *cl = client_open();
    struct reply r;

    for (int i = 0; i < 3; i++) {
        client_sends(cl, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        ck_assert(read_reply(cl, false, &r));
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(header(&r, "Connection"), i < 2 ? "keep-alive" : "close");
        reply_clear(&r);
    }
    ck_assert(wait_eof(cl));
    client_close(cl);
}
END_TEST

START_TEST(too_many_connections)
{
    struct client *a = client_open(), *b = client_open(), *c;
    struct reply r;
    struct serve_stats st;

    /* a and b hold the two slots (a request each proves they were accepted) */
    client_sends(a, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert(read_reply(a, false, &r));
    reply_clear(&r);
    client_sends(b, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert(read_reply(b, false, &r));
    reply_clear(&r);
    c = client_open();
    ck_assert(wait_eof(c));
    client_close(c);
    serve_stats(srv, &st);
    ck_assert_uint_ge(st.conns_refused, 1);
    ck_assert_uint_eq(st.conns_open, 2);
    /* b leaves politely: its slot is free once it has seen our FIN */
    client_sends(b, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ck_assert(read_reply(b, false, &r));
    reply_clear(&r);
    ck_assert(wait_eof(b));
    c = client_open();
    client_sends(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert(read_reply(c, false, &r));
    ck_assert_int_eq(r.status, 200);
    reply_clear(&r);
    client_close(c);
    client_close(b);
    client_close(a);
}
END_TEST

START_TEST(idle_timeout_closes)
{
    struct client *cl = client_open();
    struct reply r;
    struct serve_stats st;

    client_sends(cl, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert(read_reply(cl, false, &r));
    ck_assert_int_eq(r.status, 200);
    reply_clear(&r);
    ck_assert(wait_eof(cl)); /* idle_timeout_ms = 200 */
    client_close(cl);
    serve_stats(srv, &st);
    ck_assert_uint_eq(st.errors, 0);
}
END_TEST

START_TEST(slow_header_timeout)
{
    struct client *cl = client_open();
    struct serve_stats st;

    /* slowloris: a head that never ends */
    client_sends(cl, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    ck_assert(wait_eof(cl)); /* header_timeout_ms = 300 */
    client_close(cl);
    serve_stats(srv, &st);
    ck_assert_uint_ge(st.timeouts, 1);
}
END_TEST

/* ---- speed test ---- */

START_TEST(speedtest_whole_and_ranges)
{
    char url[512];
    struct reply r, whole;

    speed_url(url, sizeof(url), "/speedtest", soon(), key1);
    ck_assert_int_eq(get(url, NULL, &whole), 200);
    ck_assert_uint_eq(whole.body_len, SERVE_SPEEDTEST_BYTES);
    ck_assert_str_eq(header(&whole, "Content-Type"), "application/octet-stream");
    ck_assert_str_eq(header(&whole, "Cache-Control"), "no-store");
    ck_assert_str_eq(header(&whole, "Access-Control-Allow-Origin"), "*");
    ck_assert_str_eq(header(&whole, "Timing-Allow-Origin"), "*");
    ck_assert_str_eq(header(&whole, "Accept-Ranges"), "bytes");
    speed_url(url, sizeof(url), "/speedtest/range/0-2047", soon(), key1);
    ck_assert_int_eq(get(url, NULL, &r), 200);
    ck_assert_uint_eq(r.body_len, 2048);
    ck_assert(memcmp(r.body, whole.body, 2048) == 0);
    reply_clear(&r);
    /* min(N + 1, 26214400) */
    speed_url(url, sizeof(url), "/speedtest/range/0-99999999", soon(), key1);
    ck_assert_int_eq(request("HEAD", url, HOST, NULL, &r), 200);
    ck_assert_str_eq(header(&r, "Content-Length"), "26214400");
    /* a range that crosses the generator's 1 MiB block */
    speed_url(url, sizeof(url), "/speedtest/range/1048000-1049999", soon(), key1);
    ck_assert_int_eq(get(url, NULL, &r), 200);
    ck_assert_uint_eq(r.body_len, 2000);
    ck_assert(memcmp(r.body, whole.body + 1048000, 2000) == 0);
    reply_clear(&r);
    speed_url(url, sizeof(url), "/speedtest", soon(), key1);
    ck_assert_int_eq(get(url, "Range: bytes=-10\r\n", &r), 206);
    ck_assert(memcmp(r.body, whole.body + SERVE_SPEEDTEST_BYTES - 10, 10) == 0);
    reply_clear(&r);
    speed_url(url, sizeof(url), "/speedtest/range/26214400-26214500", soon(), key1);
    ck_assert_int_eq(get(url, NULL, &r), 416);
    ck_assert_str_eq(header(&r, "Content-Range"), "bytes */26214400");
    reply_clear(&r);
    reply_clear(&whole);
}
END_TEST

#define UPLOAD_SIZE (3 << 20)

START_TEST(speedtest_upload_and_ping)
{
    struct client *cl = client_open();
    char url[512], req[2048];
    char *body = malloc(UPLOAD_SIZE);
    struct reply r;

    ck_assert_ptr_nonnull(body);
    memset(body, 'u', UPLOAD_SIZE);
    speed_url(url, sizeof(url), "/speedtest/range/0-3145727", soon(), key1);
    snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n", url,
             HOST, UPLOAD_SIZE);
    client_sends(cl, req);
    client_send(cl, body, UPLOAD_SIZE); /* over one turn's budget */
    ck_assert(read_reply(cl, false, &r));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "Content-Length"), "0");
    ck_assert_str_eq(header(&r, "Access-Control-Allow-Origin"), "*");
    reply_clear(&r);
    /* latency ping on the same connection, then Expect: 100-continue */
    speed_url(url, sizeof(url), "/speedtest/range/0-0", soon(), key1);
    snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n\r\n", url,
             HOST);
    client_sends(cl, req);
    ck_assert(read_reply(cl, false, &r));
    ck_assert_int_eq(r.status, 200);
    reply_clear(&r);
    snprintf(req, sizeof(req),
             "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
             url, HOST);
    client_sends(cl, req);
    ck_assert(read_reply(cl, true, &r));
    ck_assert_int_eq(r.status, 100);
    client_sends(cl, "hello");
    ck_assert(read_reply(cl, false, &r));
    ck_assert_int_eq(r.status, 200);
    reply_clear(&r);
    client_close(cl);
    free(body);
}
END_TEST

START_TEST(speedtest_token_kinds)
{
    char url[512];
    struct reply r;

    /* a video token on a speed test URL */
    video_url(url, sizeof(url), "/speedtest", "small.bin", HOST, OCA, soon(), key1);
    ck_assert_int_eq(get(url, NULL, &r), 403);
    ck_assert_str_eq(header(&r, "Access-Control-Allow-Origin"), "*");
    reply_clear(&r);
    /* c and n are signed */
    speed_url(url, sizeof(url), "/speedtest", soon(), key1);
    memcpy(strstr(url, "c=FR"), "c=DE", 4);
    ck_assert_int_eq(get(url, NULL, &r), 403);
    reply_clear(&r);
    ck_assert_int_eq(get("/speedtest/other", NULL, &r), 404);
    reply_clear(&r);
}
END_TEST

/* ---- a large file through a small, slowly read socket buffer ---- */

static void
setup_big(void)
{
    make_data(true);
    start_server(NULL);
}

/* Read a whole body of len bytes in small pieces and compare it with big_byte(). */
static void
read_big_body(struct client *cl, uint64_t off, uint64_t len)
{
    char tmp[4096];
    uint64_t got = 0;

    while (got < len) {
        size_t n;
        if (cl->len == 0)
            ck_assert_msg(client_fill(cl) > 0, "EOF after %llu bytes", (unsigned long long)got);
        n = cl->len < sizeof(tmp) ? cl->len : sizeof(tmp);
        if (n > len - got)
            n = (size_t)(len - got);
        memcpy(tmp, cl->buf, n);
        client_drop(cl, n);
        for (size_t i = 0; i < n; i++) {
            if ((uint8_t)tmp[i] != big_byte(off + got + i))
                ck_abort_msg("byte %llu differs", (unsigned long long)(off + got + i));
        }
        got += n;
    }
}

START_TEST(big_file_byte_exact)
{
    struct client *cl = client_open_family(AF_INET, 4096);
    char url[512], req[2048];
    struct reply r;
    struct serve_stats st;

    video_url(url, sizeof(url), "/big.bin", "big.bin", HOST, OCA, soon(), key1);
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", url, HOST);
    client_sends(cl, req);
    ck_assert(read_reply(cl, true, &r)); /* head only; the body is checked as it streams */
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "Content-Length"), "67108864");
    read_big_body(cl, 0, BIG_SIZE);
    /* and a range from the middle on the same connection */
    snprintf(req, sizeof(req),
             "GET %s HTTP/1.1\r\nHost: %s\r\nRange: bytes=33554000-41943999\r\n\r\n", url, HOST);
    client_sends(cl, req);
    ck_assert(read_reply(cl, true, &r));
    ck_assert_int_eq(r.status, 206);
    read_big_body(cl, 33554000, 8390000);
    serve_stats(srv, &st);
    ck_assert_uint_gt(st.sends_blocked, 0); /* the socket filled: partial sends happened */
    ck_assert_uint_ge(st.bytes_sent, BIG_SIZE + 8390000ULL);
    client_close(cl);
}
END_TEST

START_TEST(drain_finishes_in_flight)
{
    struct client *busy = client_open_family(AF_INET, 4096), *idle = client_open();
    char url[512], req[2048];
    struct reply r;
    struct sockaddr_in a;
    int fd;

    client_sends(idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert(read_reply(idle, false, &r));
    reply_clear(&r);
    video_url(url, sizeof(url), "/big.bin", "big.bin", HOST, OCA, soon(), key1);
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", url, HOST);
    client_sends(busy, req);
    ck_assert(read_reply(busy, true, &r));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(header(&r, "Connection"), "keep-alive");
    read_big_body(busy, 0, 1 << 20); /* the transfer is under way */

    serve_drain(srv);
    /* no more listeners: a new connection is refused */
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
    close(fd);
    /* the idle keep-alive connection is closed */
    ck_assert(wait_eof(idle));
    ck_assert(!serve_drained(srv));
    /* the transfer completes, then the connection closes */
    read_big_body(busy, 1 << 20, BIG_SIZE - (1 << 20));
    ck_assert(wait_eof(busy));
    ck_assert(serve_drained(srv)); /* slots are released before the FIN goes out */
    client_close(busy);
    client_close(idle);
}
END_TEST

/* ---- key and host rotation while connections are open ---- */

START_TEST(rotation_while_connected)
{
    struct client *cl = client_open();
    struct token_key both[2], only2[1];
    const char *hosts[] = {"c002-new.oca.example.net"};
    char u1[512], u2[512], req[2048];
    struct reply r;

    video_url(u1, sizeof(u1), "/range/0-9", "small.bin", HOST, OCA, soon(), key1);
    video_url(u2, sizeof(u2), "/range/0-9", "small.bin", HOST, OCA, soon(), key2);
#define ASK(url, want)                                                                             \
    do {                                                                                           \
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", url, HOST);              \
        client_sends(cl, req);                                                                     \
        ck_assert(read_reply(cl, false, &r));                                                      \
        ck_assert_int_eq(r.status, want);                                                          \
        reply_clear(&r);                                                                           \
    } while (0)
    ASK(u1, 200);
    ASK(u2, 403);
    /* overlap: new key current, old key valid for a while */
    memcpy(both[0].key, key2, TOKEN_KEY_LEN);
    both[0].not_after = 0;
    memcpy(both[1].key, key1, TOKEN_KEY_LEN);
    both[1].not_after = time(NULL) + 3600;
    ck_assert_int_eq(serve_set_keys(srv, both, 2), OCDN_OK);
    ASK(u1, 200);
    ASK(u2, 200);
    /* the old key's not_after has passed */
    both[1].not_after = time(NULL) - 1;
    ck_assert_int_eq(serve_set_keys(srv, both, 2), OCDN_OK);
    ASK(u1, 403);
    ASK(u2, 200);
    memcpy(only2[0].key, key2, TOKEN_KEY_LEN);
    only2[0].not_after = 0;
    ck_assert_int_eq(serve_set_keys(srv, only2, 1), OCDN_OK);
    ASK(u1, 403);
    ASK(u2, 200);
    /* a new host name list: the old name no longer opens anything */
    ck_assert_int_eq(serve_set_hosts(srv, hosts, 1), OCDN_OK);
    ASK(u2, 403);
    ck_assert_int_eq(serve_set_keys(srv, NULL, 0), OCDN_OK);
#undef ASK
    client_close(cl);
}
END_TEST

START_TEST(setters_validate)
{
    struct token_key keys[SERVE_KEYS_MAX + 1];
    const char *bad[] = {"a b"};
    const char *empty[] = {""};

    memset(keys, 0, sizeof(keys));
    ck_assert_int_eq(serve_set_keys(srv, keys, SERVE_KEYS_MAX + 1), OCDN_EINVAL);
    ck_assert_int_eq(serve_set_keys(srv, keys, SERVE_KEYS_MAX), OCDN_OK);
    ck_assert_int_eq(serve_set_hosts(srv, bad, 1), OCDN_EINVAL);
    ck_assert_int_eq(serve_set_hosts(srv, empty, 1), OCDN_EINVAL);
}
END_TEST

/* ---- origin mode, IPv6, config errors ---- */

static void
tweak_origin(struct serve_config *cfg)
{
    cfg->require_token = false;
    cfg->listen[1] = "[::1]:0";
    cfg->nlisten = 2;
}

static void
setup_origin(void)
{
    make_data(false);
    start_server(tweak_origin);
}

START_TEST(origin_without_tokens)
{
    struct reply r;

    ck_assert_int_eq(get("/small.bin", "Range: bytes=0-9\r\n", &r), 206);
    assert_small_span(&r, 0, 10);
    reply_clear(&r);
    ck_assert_int_eq(get("/range/5-9?o=small.bin", NULL, &r), 200);
    assert_small_span(&r, 5, 5);
    reply_clear(&r);
    ck_assert_int_eq(get("/range/5-9", NULL, &r), 400);
    reply_clear(&r);
    ck_assert_int_eq(get("/small.bin?o=empty.bin", NULL, &r), 400);
    reply_clear(&r);
    ck_assert_int_eq(get("/speedtest/range/0-9", NULL, &r), 200);
    ck_assert_uint_eq(r.body_len, 10);
    reply_clear(&r);
}
END_TEST

START_TEST(origin_ipv6_listener)
{
    struct client *cl;
    struct reply r;

    port = serve_port(srv, 1);
    ck_assert_uint_ne(port, 0);
    cl = client_open_family(AF_INET6, 0);
    client_sends(cl, "GET /small.bin HTTP/1.1\r\nHost: [::1]\r\n\r\n");
    ck_assert(read_reply(cl, false, &r));
    ck_assert_int_eq(r.status, 200);
    assert_small_span(&r, 0, SMALL_SIZE);
    reply_clear(&r);
    client_close(cl);
}
END_TEST

START_TEST(config_errors)
{
    static const char *const bad_listen[] = {"127.0.0.1", "localhost:80",  "[::1:80",
                                             "1.2.3.4:x", "1.2.3.4:70000", "::1:80"};
    struct serve_config cfg;
    struct serve *s;
    char err[256];

    dir = tmpdir_new();
    for (size_t i = 0; i < sizeof(bad_listen) / sizeof(bad_listen[0]); i++) {
        serve_config_init(&cfg);
        cfg.listen[0] = bad_listen[i];
        cfg.nlisten = 1;
        cfg.data_dir = dir;
        cfg.oca_id = OCA;
        s = serve_new(&cfg);
        ck_assert_ptr_nonnull(s);
        ck_assert_msg(serve_bind(s, err, sizeof(err)) == OCDN_EINVAL, "%s", bad_listen[i]);
        ck_assert_ptr_nonnull(strstr(err, "listen"));
        serve_free(s);
    }
    serve_config_init(&cfg);
    cfg.listen[0] = "127.0.0.1:0";
    cfg.nlisten = 1;
    cfg.data_dir = "/nonexistent/ocdn";
    cfg.oca_id = OCA;
    s = serve_new(&cfg);
    ck_assert_int_eq(serve_bind(s, err, sizeof(err)), OCDN_EIO);
    ck_assert_int_eq(serve_start(s), OCDN_EINVAL);
    serve_free(s);
    cfg.data_dir = dir;
    cfg.oca_id = NULL;
    s = serve_new(&cfg);
    ck_assert_int_eq(serve_bind(s, err, sizeof(err)), OCDN_EINVAL);
    serve_free(s);
    cfg.oca_id = OCA;
    cfg.limits.max_head_bytes = 10;
    s = serve_new(&cfg);
    ck_assert_int_eq(serve_bind(s, err, sizeof(err)), OCDN_EINVAL);
    serve_free(s);
    /* bound but never started, then drained and freed */
    cfg.limits.max_head_bytes = 8192;
    s = serve_new(&cfg);
    ck_assert_int_eq(serve_bind(s, err, sizeof(err)), OCDN_OK);
    serve_drain(s);
    ck_assert(serve_drained(s));
    serve_free(s);
    serve_free(NULL);
    tmpdir_remove(dir);
    dir = NULL;
}
END_TEST

static Suite *
serve_suite(void)
{
    Suite *s = suite_create("serve");
    TCase *tc;

    tc = tcase_create("video");
    tcase_add_checked_fixture(tc, setup_small, teardown);
    tcase_add_test(tc, video_whole_file_200);
    tcase_add_test(tc, video_range_header_206);
    tcase_add_test(tc, video_range_ignored_200);
    tcase_add_test(tc, video_path_range_200);
    tcase_add_test(tc, video_unsatisfiable_416);
    tcase_add_test(tc, video_not_found_404);
    tcase_add_test(tc, video_forbidden_403);
    tcase_add_test(tc, video_query_decoded);
    tcase_add_test(tc, head_has_no_body);
    tcase_add_test(tc, bad_requests_4xx_5xx);
    tcase_add_test(tc, header_limit_431);
    tcase_add_test(tc, healthz_200);
    suite_add_tcase(s, tc);

    tc = tcase_create("connection");
    tcase_add_checked_fixture(tc, setup_small, teardown);
    tcase_add_test(tc, keep_alive_two_requests);
    tcase_add_test(tc, pipelined_in_order);
    tcase_add_test(tc, http10_closes);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, setup_limits, teardown);
    tcase_add_test(tc, max_requests_per_conn);
    tcase_add_test(tc, too_many_connections);
    tcase_add_test(tc, idle_timeout_closes);
    tcase_add_test(tc, slow_header_timeout);
    suite_add_tcase(s, tc);

    tc = tcase_create("speedtest");
    tcase_add_checked_fixture(tc, setup_small, teardown);
    tcase_add_test(tc, speedtest_whole_and_ranges);
    tcase_add_test(tc, speedtest_upload_and_ping);
    tcase_add_test(tc, speedtest_token_kinds);
    suite_add_tcase(s, tc);

    tc = tcase_create("large");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup_big, teardown);
    tcase_add_test(tc, big_file_byte_exact);
    tcase_add_test(tc, drain_finishes_in_flight);
    suite_add_tcase(s, tc);

    tc = tcase_create("keys");
    tcase_add_checked_fixture(tc, setup_small, teardown);
    tcase_add_test(tc, rotation_while_connected);
    tcase_add_test(tc, setters_validate);
    suite_add_tcase(s, tc);

    tc = tcase_create("config");
    tcase_add_checked_fixture(tc, setup_origin, teardown);
    tcase_add_test(tc, origin_without_tokens);
    tcase_add_test(tc, origin_ipv6_listener);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, config_errors);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    memset(key1, 0x11, sizeof(key1));
    memset(key2, 0x22, sizeof(key2));
    signal(SIGPIPE, SIG_IGN);
    log_init("check_serve", getenv("SERVE_DEBUG") != NULL);
    return run_suite(serve_suite());
}
