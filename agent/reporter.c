/* reporter.c - periodic reports to the control plane and the config it answers with.
 * Owns the reporter thread, its libcurl handle, the reporter state (state.h) and the latest
 * route set and catalog readings; talks to the control plane over HTTP(S), to the server only
 * through the hooks (counters in, keys and host names out).
 *
 * Why a thread and not a main-loop timer (STYLE.md 9): an exchange may take report_timeout
 * (a full report of two million routes is large), and scanning data_dir stats every file;
 * in the main loop either would delay SIGTERM handling and draining. The thread owns all of
 * its state; others reach it only through reporter_set_config(), reporter_kick() and
 * reporter_stop(), under one mutex. */
#include "reporter.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "catalog.h"
#include "clock.h"
#include "log.h"
#include "routeset.h"
#include "version.h"

#define JITTER_PCT     10    /* report interval +-10 % (DESIGN.md 4) */
#define CONNECT_MAX_MS 10000 /* connect timeout, at most */
#define URL_MAX        2048
#define ERR_MAX        512
/* Where a seq that fell behind the control plane jumps at least: 2^41 ms is the year 2039, so
 * one jump clears every seq a clock-seeded agent (state.h) used before then, even when this
 * host's clock was reset; doubling alone would take dozens of rounds from a small seq. */
#define SEQ_BEHIND_FLOOR (INT64_C(1) << 41)

/* A copy of struct reporter_config that owns its strings; shared by reference. */
struct rcfg {
    atomic_int refs;
    struct reporter_config c; /* its strings point to the owned copies below */
    char *url, *key, *ca_file, *state_dir, *data_dir, *routes_file;
};

/* The report being sent until the control plane answers for it. Resent as is (same seq,
 * same sets) after a failure that may have been applied. */
struct pending {
    bool active;
    int64_t seq;
    struct lineset *routes; /* the sets this report tells; NULL = that part is left out */
    struct lineset *catalog;
    unsigned attempts;
};

struct reporter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started;
    bool stop_req;        /* under mu */
    bool kick;            /* under mu */
    atomic_bool stopping; /* read by curl's progress callback */
    struct rcfg *cfg;     /* under mu */
    struct reporter_hooks hooks;

    /* Owned by the reporter thread (or the reporter_run_once() caller). */
    CURL *curl;
    struct state st;
    struct pending p;
    struct lineset *cur_routes; /* latest good readings; NULL until the first */
    struct lineset *cur_catalog;
    char known_version[CPCONF_VERSION_MAX + 1];
    int64_t cp_interval_ms; /* from the control plane's config; 0 = use cfg */
    unsigned fails;         /* failed cycles in a row */
    uint64_t seed;
    struct health_cpu cpu;
    uint64_t prev_bytes;
    int64_t prev_ms;
    int64_t started_at;
};

/* ---- config copies ---- */

static char *
dup_opt(const char *s, bool *oom)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

static void
rcfg_unref(struct rcfg *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    if (c->key) {
        explicit_bzero(c->key, strlen(c->key));
        free(c->key);
    }
    free(c->url);
    free(c->ca_file);
    free(c->state_dir);
    free(c->data_dir);
    free(c->routes_file);
    free(c);
}

static struct rcfg *
rcfg_new(const struct reporter_config *src)
{
    struct rcfg *c = calloc(1, sizeof(*c));
    bool oom = false;

    if (!c)
        return NULL;
    atomic_init(&c->refs, 1);
    c->c = *src;
    c->c.url = c->url = dup_opt(src->url, &oom);
    c->c.key = c->key = dup_opt(src->key, &oom);
    c->c.ca_file = c->ca_file = dup_opt(src->ca_file, &oom);
    c->c.state_dir = c->state_dir = dup_opt(src->state_dir, &oom);
    c->c.data_dir = c->data_dir = dup_opt(src->data_dir, &oom);
    c->c.routes_file = c->routes_file = dup_opt(src->routes_file, &oom);
    if (oom || !c->url || !c->state_dir || !c->data_dir) {
        rcfg_unref(c);
        return NULL;
    }
    return c;
}

static struct rcfg *
cfg_get(struct reporter *r)
{
    struct rcfg *c;

    pthread_mutex_lock(&r->mu);
    c = r->cfg;
    atomic_fetch_add(&c->refs, 1);
    pthread_mutex_unlock(&r->mu);
    return c;
}

/* ---- HTTP ---- */

struct http_res {
    long status; /* 0 when no response came */
    struct buf body;
    char error[CURL_ERROR_SIZE + 64]; /* transport error text */
};

struct http_req {
    bool post;
    const char *path; /* "/v1/agent/report" */
    const char *if_none_match;
    const char *body;
    size_t len;
    bool gzipped;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;

    /* Over the limit: returning less than given makes curl fail with CURLE_WRITE_ERROR. */
    if (buf_append(b, p, size * n) != OCDN_OK)
        return 0;
    return size * n;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    atomic_bool *stopping = arg;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return atomic_load(stopping) ? 1 : 0;
}

/* Append a header line to *l; false (and *l unchanged) when out of memory. */
static bool
add_header(struct curl_slist **l, const char *h)
{
    struct curl_slist *t = curl_slist_append(*l, h);

    if (!t)
        return false;
    *l = t;
    return true;
}

/* One exchange. OCDN_OK when an HTTP response was read (any status), OCDN_EIO for a network
 * error or timeout (res->error says which), OCDN_ENOMEM. */
static enum ocdn_err
http_do(CURL *h, const struct reporter_config *cfg, atomic_bool *stopping,
        const struct http_req *rq, struct http_res *res)
{
    char url[URL_MAX], auth[600], inm[CPCONF_VERSION_MAX + 32], cerr[CURL_ERROR_SIZE];
    struct curl_slist *hdrs = NULL;
    size_t ulen = strlen(cfg->url);
    bool ok;
    CURLcode cc = CURLE_OK;
    enum ocdn_err e = OCDN_OK;

    res->status = 0;
    res->error[0] = '\0';
    buf_init(&res->body, REPORT_REPLY_MAX + 1);
    while (ulen && cfg->url[ulen - 1] == '/')
        ulen--;
    if ((size_t)snprintf(url, sizeof(url), "%.*s%s", (int)ulen, cfg->url, rq->path) >=
        sizeof(url)) {
        snprintf(res->error, sizeof(res->error), "URL too long");
        return OCDN_EIO;
    }
    ok = add_header(&hdrs, "Accept: application/json");
    if (ok && cfg->key && cfg->key[0]) {
        ok = (size_t)snprintf(auth, sizeof(auth), "Authorization: Bearer %s", cfg->key) <
                 sizeof(auth) &&
             add_header(&hdrs, auth);
        explicit_bzero(auth, sizeof(auth));
    }
    if (ok && rq->post)
        ok = add_header(&hdrs, "Content-Type: application/json");
    if (ok && rq->gzipped)
        ok = add_header(&hdrs, "Content-Encoding: gzip");
    if (ok && rq->if_none_match && rq->if_none_match[0]) {
        snprintf(inm, sizeof(inm), "If-None-Match: \"%s\"", rq->if_none_match);
        ok = add_header(&hdrs, inm);
    }
    if (!ok) {
        e = OCDN_ENOMEM;
        goto out;
    }

    curl_easy_reset(h);
    cerr[0] = '\0';
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (cc == CURLE_OK)                                                                        \
            cc = curl_easy_setopt(h, opt, val);                                                    \
    } while (0)
    SET(CURLOPT_URL, url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_HTTPHEADER, hdrs);
    SET(CURLOPT_USERAGENT, "ocdn-agent/" OCDN_VERSION);
    SET(CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS,
        (long)(cfg->timeout_ms < CONNECT_MAX_MS ? cfg->timeout_ms : CONNECT_MAX_MS));
    SET(CURLOPT_ERRORBUFFER, cerr);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, &res->body);
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, stopping);
    if (cfg->ca_file)
        SET(CURLOPT_CAINFO, cfg->ca_file);
    if (rq->post) {
        SET(CURLOPT_POST, 1L);
        SET(CURLOPT_POSTFIELDS, rq->body);
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->len);
    }
#undef SET
    if (cc != CURLE_OK) {
        snprintf(res->error, sizeof(res->error), "curl setup: %s", curl_easy_strerror(cc));
        e = cc == CURLE_OUT_OF_MEMORY ? OCDN_ENOMEM : OCDN_EIO;
        goto out;
    }
    cc = curl_easy_perform(h);
    if (cc == CURLE_WRITE_ERROR && res->body.len >= REPORT_REPLY_MAX) {
        snprintf(res->error, sizeof(res->error), "reply larger than %d bytes", REPORT_REPLY_MAX);
        e = OCDN_EIO;
    } else if (cc != CURLE_OK) {
        snprintf(res->error, sizeof(res->error), "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
        e = OCDN_EIO;
    } else if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status) != CURLE_OK ||
               res->status < 100) {
        snprintf(res->error, sizeof(res->error), "no HTTP status");
        e = OCDN_EIO;
    }
    /* Do not keep the key in the handle between exchanges. */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
out:
    curl_slist_free_all(hdrs);
    if (e)
        res->status = 0;
    return e;
}

/* ---- config ---- */

enum ocdn_err
reporter_config_load(const char *state_dir, struct cpconf *out, char *err, size_t errlen)
{
    char *body = NULL;
    size_t len;
    enum ocdn_err e;

    memset(out, 0, sizeof(*out));
    e = state_load_config(state_dir, &body, &len, err, errlen);
    if (e)
        return e;
    e = report_proto_parse_config(body, len, out, err, errlen);
    explicit_bzero(body, len);
    free(body);
    return e;
}

/* GET the config; *modified false on 304. The body is saved in state_dir before it is used,
 * so that what the server verifies with is what a restart will load. */
static enum ocdn_err
fetch_config(CURL *h, const struct reporter_config *cfg, atomic_bool *stopping, const char *known,
             struct cpconf *out, bool *modified, char *err, size_t errlen)
{
    struct http_req rq = {false, "/v1/agent/config", known, NULL, 0, false};
    struct http_res res;
    char why[ERR_MAX];
    enum ocdn_err e;

    *modified = false;
    memset(out, 0, sizeof(*out));
    e = http_do(h, cfg, stopping, &rq, &res);
    if (e) {
        snprintf(err, errlen, "%s", res.error);
        goto out;
    }
    if (res.status == 304 && known && known[0])
        goto out;
    if (res.status == 401 || res.status == 403) {
        snprintf(err, errlen, "HTTP %ld: the key is refused", res.status);
        e = OCDN_EUNAUTH;
        goto out;
    }
    if (res.status != 200) {
        snprintf(err, errlen, "HTTP %ld", res.status);
        e = OCDN_EUPSTREAM;
        goto out;
    }
    e = report_proto_parse_config(res.body.data, res.body.len, out, why, sizeof(why));
    if (e) {
        snprintf(err, errlen, "bad config: %s", why);
        e = e == OCDN_ENOMEM ? e : OCDN_EUPSTREAM;
        goto out;
    }
    e = state_save_config(cfg->state_dir, res.body.data, res.body.len, why, sizeof(why));
    if (e) {
        /* Still use it: serving with the new keys matters more than surviving a restart. */
        log_warnx("reporter: cannot save the config: %s", why);
        e = OCDN_OK;
    }
    *modified = true;
out:
    if (res.body.data)
        explicit_bzero(res.body.data, res.body.len);
    buf_clear(&res.body);
    return e;
}

enum ocdn_err
reporter_config_fetch(const struct reporter_config *cfg, struct cpconf *out, char *err,
                      size_t errlen)
{
    atomic_bool stopping;
    bool modified;
    CURL *h = curl_easy_init();
    enum ocdn_err e;

    memset(out, 0, sizeof(*out));
    if (!h)
        return OCDN_ENOMEM;
    atomic_init(&stopping, false);
    e = fetch_config(h, cfg, &stopping, NULL, out, &modified, err, errlen);
    curl_easy_cleanup(h);
    return e;
}

/* After an ack whose config_version differs from ours. Failures are logged and retried after
 * the next ack (the version still differs then). */
static bool
update_config(struct reporter *r, const struct reporter_config *cfg, const char *version)
{
    struct cpconf conf;
    char err[ERR_MAX];
    bool modified;
    enum ocdn_err e;

    e = fetch_config(r->curl, cfg, &r->stopping, r->known_version, &conf, &modified, err,
                     sizeof(err));
    if (e) {
        log_warnx("reporter: config fetch failed version=%s: %s", version, err);
        return false;
    }
    if (!modified) {
        log_debug("reporter: config not modified version=%s", r->known_version);
        return false;
    }
    if (r->hooks.apply)
        r->hooks.apply(r->hooks.ctx, &conf);
    snprintf(r->known_version, sizeof(r->known_version), "%s", conf.version);
    r->cp_interval_ms = conf.report_interval_s * 1000;
    log_info("reporter: config applied version=%s oca_id=%" PRId64 " keys=%zu hosts=%zu "
             "report_interval_s=%" PRId64,
             conf.version, conf.oca_id, conf.nkeys, conf.nhosts, conf.report_interval_s);
    explicit_bzero(&conf, sizeof(conf));
    return true;
}

/* ---- the cycle ---- */

static void
pending_clear(struct pending *p)
{
    lineset_unref(p->routes);
    lineset_unref(p->catalog);
    memset(p, 0, sizeof(*p));
}

/* Read the route set and the catalog; a source that fails keeps its last good reading (and
 * the report leaves that part out until there is one). */
static void
read_sets(struct reporter *r, const struct reporter_config *cfg)
{
    struct catalog_scan_stats cs;
    struct lineset *s = NULL;
    char err[ERR_MAX];
    enum ocdn_err e;

    if (cfg->routes_file) {
        e = routeset_load_static(cfg->routes_file, cfg->max_routes, &s, err, sizeof(err));
        if (e) {
            log_warnx("reporter: routes not read, %s: %s",
                      r->cur_routes ? "keeping the last set" : "reporting none", err);
        }
    } else if (lineset_count(r->cur_routes) || !r->cur_routes) {
        s = lineset_new_empty(); /* no routes_file (any more): no routes */
    }
    if (s) {
        lineset_unref(r->cur_routes);
        r->cur_routes = s;
    }
    s = NULL;
    e = catalog_scan(cfg->data_dir, cfg->max_files, &s, &cs, err, sizeof(err));
    if (e) {
        log_warnx("reporter: catalog not read, %s: %s",
                  r->cur_catalog ? "keeping the last one" : "reporting none", err);
        return;
    }
    lineset_unref(r->cur_catalog);
    r->cur_catalog = s;
}

static void
traffic_now(struct reporter *r, struct report_traffic *t)
{
    int64_t now = clock_mono_ms();

    memset(t, 0, sizeof(*t));
    r->hooks.stats(r->hooks.ctx, t);
    if (r->prev_ms && now > r->prev_ms && t->bytes_sent >= r->prev_bytes)
        t->bps = (t->bytes_sent - r->prev_bytes) * 8 * 1000 / (uint64_t)(now - r->prev_ms);
    r->prev_bytes = t->bytes_sent;
    r->prev_ms = now;
}

/* Start a new report: take the readings, reserve its seq on disk. */
static enum ocdn_err
pending_begin(struct reporter *r, const struct reporter_config *cfg)
{
    char err[ERR_MAX];
    enum ocdn_err e;

    read_sets(r, cfg);
    if (r->st.next_seq >= STATE_SEQ_MAX) {
        log_warnx("reporter: seq exhausted next_seq=%" PRId64, r->st.next_seq);
        return OCDN_EINVAL;
    }
    r->p.seq = r->st.next_seq;
    r->st.next_seq = r->p.seq + 1;
    e = state_save_seq(cfg->state_dir, &r->st, err, sizeof(err));
    if (e) {
        /* The seq stays used in memory: it may be on disk after all. */
        log_warnx("reporter: cannot save the seq, not reporting: %s", err);
        return e;
    }
    r->p.active = true;
    r->p.routes = lineset_ref(r->cur_routes);
    r->p.catalog = lineset_ref(r->cur_catalog);
    r->p.attempts = 0;
    return OCDN_OK;
}

/* Describe one part of the pending report against the base. */
static enum ocdn_err
make_part(const struct lineset *base, const struct lineset *now, int64_t base_seq,
          struct report_part *part, struct lineset_delta *delta)
{
    memset(part, 0, sizeof(*part));
    if (!now)
        return OCDN_OK;
    if (!base) {
        part->mode = REPORT_PART_FULL;
        part->set = now;
        return OCDN_OK;
    }
    part->mode = REPORT_PART_DELTA;
    part->base_seq = base_seq;
    part->delta = delta;
    return lineset_diff(base, now, delta);
}

/* The body of the pending report, gzipped when large. */
static enum ocdn_err
build(struct reporter *r, const struct reporter_config *cfg, struct buf *out, bool *gz,
      struct reporter_result *res)
{
    struct lineset_delta dr = {0}, dc = {0};
    struct health_sample hs;
    struct report_traffic tr;
    struct report_msg m;
    struct buf plain;
    enum ocdn_err e;

    *gz = false;
    memset(&m, 0, sizeof(m));
    buf_init(&plain, cfg->report_max);
    m.seq = r->p.seq;
    e = make_part(r->st.routes, r->p.routes, r->st.acked_seq, &m.routes, &dr);
    if (!e)
        e = make_part(r->st.catalog, r->p.catalog, r->st.acked_seq, &m.catalog, &dc);
    if (e)
        goto out;
    res->routes_full = m.routes.mode == REPORT_PART_FULL;
    res->catalog_full = m.catalog.mode == REPORT_PART_FULL;
    health_probe(cfg->data_dir, &r->cpu, &hs);
    m.health = &hs;
    if (r->hooks.stats) {
        traffic_now(r, &tr);
        m.traffic = &tr;
    }
    m.version = OCDN_VERSION;
    m.started_at = r->started_at;
    e = report_proto_build(&m, &plain);
    if (e == OCDN_ETOOBIG) {
        log_warnx("reporter: report seq=%" PRId64 " is larger than report_max=%zu", m.seq,
                  cfg->report_max);
    }
    if (e)
        goto out;
    if (plain.len > cfg->gzip_min) {
        buf_init(out, cfg->report_max);
        e = report_proto_gzip(plain.data, plain.len, out);
        if (e)
            goto out;
        *gz = true;
    } else {
        *out = plain;
        buf_init(&plain, 0);
    }
out:
    lineset_delta_clear(&dr);
    lineset_delta_clear(&dc);
    buf_clear(&plain);
    return e;
}

static void
save_seq_or_warn(struct reporter *r, const struct reporter_config *cfg)
{
    char err[ERR_MAX];

    if (state_save_seq(cfg->state_dir, &r->st, err, sizeof(err)) != OCDN_OK)
        log_warnx("reporter: cannot save the state: %s", err);
}

/* Forget the base: the next report sends every part full. */
static void
drop_base(struct reporter *r, const struct reporter_config *cfg)
{
    lineset_unref(r->st.routes);
    lineset_unref(r->st.catalog);
    r->st.routes = NULL;
    r->st.catalog = NULL;
    r->st.base_seq = 0;
    save_seq_or_warn(r, cfg);
}

static bool
same_set(const struct lineset *a, const struct lineset *b)
{
    return (a == NULL) == (b == NULL) && lineset_equal(a, b);
}

/* The pending report was applied: its sets are the new base. */
static void
on_acked(struct reporter *r, const struct reporter_config *cfg)
{
    struct lineset *nr = r->p.routes ? r->p.routes : r->st.routes;
    struct lineset *nc = r->p.catalog ? r->p.catalog : r->st.catalog;
    bool changed = !same_set(nr, r->st.routes) || !same_set(nc, r->st.catalog);
    char err[ERR_MAX];

    lineset_ref(nr);
    lineset_ref(nc);
    lineset_unref(r->st.routes);
    lineset_unref(r->st.catalog);
    r->st.routes = nr;
    r->st.catalog = nc;
    r->st.acked_seq = r->p.seq;
    if (!nr && !nc) {
        r->st.base_seq = 0;
    } else if (changed || r->st.base_seq == 0) {
        /* The base file first, then the seq file naming it (state.h). */
        if (state_save_base(cfg->state_dir, r->p.seq, nr, nc, err, sizeof(err)) == OCDN_OK) {
            r->st.base_seq = r->p.seq;
        } else {
            log_warnx("reporter: cannot save the base, a restart will report in full: %s", err);
            r->st.base_seq = 0;
        }
    }
    save_seq_or_warn(r, cfg);
}

static int64_t
backoff(struct reporter *r, const struct reporter_config *cfg)
{
    r->fails++;
    return report_proto_backoff_ms(r->fails, cfg->retry_min_ms, cfg->retry_max_ms, &r->seed);
}

static int64_t
interval(struct reporter *r, const struct reporter_config *cfg)
{
    return clock_jitter_ms(r->cp_interval_ms > 0 ? r->cp_interval_ms : cfg->interval_ms, JITTER_PCT,
                           &r->seed);
}

/* A 200 for the pending report. */
static void
handle_ack(struct reporter *r, const struct reporter_config *cfg, const struct report_reply *rep,
           struct reporter_result *res)
{
    int64_t jump;
    bool catch_up;

    if (rep->ack_seq != r->p.seq) {
        log_warnx("reporter: control plane acknowledged seq=%" PRId64 " for seq=%" PRId64
                  ", sending again",
                  rep->ack_seq, r->p.seq);
        res->outcome = REPORTER_RETRY;
        res->delay_ms = backoff(r, cfg);
        return;
    }
    if (rep->duplicate && r->p.attempts == 1) {
        /* This seq was never sent before (it was saved as used first), so the control plane
         * has seen higher ones: our state is older than what it applied (lost, restored).
         * Skip ahead past it and send everything. */
        jump = r->p.seq > STATE_SEQ_MAX / 2 ? STATE_SEQ_MAX : r->p.seq * 2;
        if (jump < clock_wall_ms())
            jump = clock_wall_ms();
        if (jump < SEQ_BEHIND_FLOOR)
            jump = SEQ_BEHIND_FLOOR;
        if (r->st.next_seq < jump)
            r->st.next_seq = jump;
        log_warnx("reporter: control plane had already applied seq=%" PRId64
                  " (agent state lost or restored?): next seq=%" PRId64 ", full report",
                  r->p.seq, r->st.next_seq);
        pending_clear(&r->p);
        drop_base(r, cfg);
        res->outcome = REPORTER_SEQ_BEHIND;
        res->delay_ms = backoff(r, cfg);
        return;
    }
    on_acked(r, cfg);
    res->outcome = REPORTER_ACKED;
    res->duplicate = rep->duplicate;
    log_debug("reporter: acked seq=%" PRId64 " duplicate=%d attempt=%u status=%s", r->p.seq,
              rep->duplicate, r->p.attempts, rep->oca_status);
    if (r->p.attempts > 1) {
        log_info("reporter: control plane reachable again seq=%" PRId64 " after %u attempts",
                 r->p.seq, r->p.attempts);
    }
    /* After retries the readings are stale: report again at once. */
    catch_up = r->p.attempts > 1;
    pending_clear(&r->p);
    r->fails = 0;
    if (rep->config_version[0] && strcmp(rep->config_version, r->known_version) != 0)
        res->config_fetched = update_config(r, cfg, rep->config_version);
    res->delay_ms = catch_up ? 0 : interval(r, cfg);
}

void
reporter_run_once(struct reporter *r, struct reporter_result *out)
{
    struct rcfg *rc = cfg_get(r);
    const struct reporter_config *cfg = &rc->c;
    struct report_reply rep;
    struct http_req rq;
    struct http_res res;
    struct buf body;
    bool gz = false;
    enum ocdn_err e;

    memset(out, 0, sizeof(*out));
    memset(&res, 0, sizeof(res));
    buf_init(&body, 0);
    if (!r->p.active && pending_begin(r, cfg) != OCDN_OK) {
        out->outcome = REPORTER_LOCAL_ERROR;
        out->delay_ms = backoff(r, cfg);
        goto out;
    }
    out->seq = r->p.seq;
    e = build(r, cfg, &body, &gz, out);
    if (e) {
        /* Nothing was sent; a new report (new seq, new readings) is made next time. */
        log_warnx("reporter: cannot build report seq=%" PRId64 ": %s", r->p.seq, ocdn_err_str(e));
        pending_clear(&r->p);
        out->outcome = REPORTER_LOCAL_ERROR;
        out->delay_ms = backoff(r, cfg);
        goto out;
    }
    out->gzipped = gz;
    out->attempt = ++r->p.attempts;
    rq = (struct http_req){true, "/v1/agent/report", NULL, body.data, body.len, gz};
    e = http_do(r->curl, cfg, &r->stopping, &rq, &res);
    if (e && atomic_load(&r->stopping)) {
        /* Shutting down: the report stays unacknowledged; the next start sends a new seq. */
        log_debug("reporter: report seq=%" PRId64 " abandoned at stop", r->p.seq);
        out->outcome = REPORTER_RETRY;
        goto out;
    }
    if (e) {
        out->outcome = REPORTER_RETRY;
        out->delay_ms = backoff(r, cfg);
        log_warnx("reporter: report failed seq=%" PRId64 " attempt=%u: %s; next try in %" PRId64
                  " ms",
                  r->p.seq, r->p.attempts, res.error, out->delay_ms);
        goto out;
    }
    report_proto_parse_reply(res.status, res.body.data, res.body.len, &rep);
    switch (rep.kind) {
    case REPORT_REPLY_ACK:
        handle_ack(r, cfg, &rep, out);
        break;
    case REPORT_REPLY_NEED_FULL:
        if (!out->routes_full || !out->catalog_full) {
            log_info("reporter: control plane wants a full report seq=%" PRId64 ": %s", r->p.seq,
                     rep.detail);
            pending_clear(&r->p);
            drop_base(r, cfg);
            r->fails = 0;
            out->outcome = REPORTER_NEED_FULL;
            out->delay_ms = 0;
            break;
        }
        /* need_full for a report that is full already: the control plane is confused. */
        out->outcome = REPORTER_RETRY;
        out->delay_ms = backoff(r, cfg);
        log_warnx("reporter: control plane wants a full report for a full report seq=%" PRId64
                  "; next try in %" PRId64 " ms",
                  r->p.seq, out->delay_ms);
        break;
    case REPORT_REPLY_REJECTED:
        out->outcome = REPORTER_REJECTED;
        out->delay_ms = backoff(r, cfg);
        log_warnx("reporter: report refused seq=%" PRId64 " status=%ld: %s; next report (full) "
                  "in %" PRId64 " ms",
                  r->p.seq, rep.status, rep.detail, out->delay_ms);
        pending_clear(&r->p);
        drop_base(r, cfg);
        break;
    case REPORT_REPLY_UNAUTH:
        out->outcome = REPORTER_UNAUTH;
        out->delay_ms = backoff(r, cfg);
        log_warnx("reporter: control plane refused the appliance key status=%ld: %s; next try "
                  "in %" PRId64 " ms",
                  rep.status, rep.detail, out->delay_ms);
        break;
    case REPORT_REPLY_RETRY:
    case REPORT_REPLY_BAD:
        out->outcome = REPORTER_RETRY;
        out->delay_ms = backoff(r, cfg);
        log_warnx("reporter: report failed seq=%" PRId64 " attempt=%u status=%ld: %s; next try "
                  "in %" PRId64 " ms",
                  r->p.seq, r->p.attempts, rep.status, rep.detail, out->delay_ms);
        break;
    }
out:
    buf_clear(&res.body);
    buf_clear(&body);
    rcfg_unref(rc);
}

/* ---- lifecycle ---- */

enum ocdn_err
reporter_new(const struct reporter_config *cfg, const struct reporter_hooks *hooks,
             const struct cpconf *known, struct reporter **out, char *err, size_t errlen)
{
    struct state_limits lim = {cfg->max_routes, cfg->max_files};
    struct reporter *r;
    pthread_condattr_t ca;
    char notes[1024];
    enum ocdn_err e;

    *out = NULL;
    r = calloc(1, sizeof(*r));
    if (!r)
        return OCDN_ENOMEM;
    r->cfg = rcfg_new(cfg);
    r->curl = curl_easy_init();
    if (!r->cfg || !r->curl) {
        e = OCDN_ENOMEM;
        goto fail;
    }
    state_init(&r->st);
    e = state_load(cfg->state_dir, &lim, clock_wall_ms(), &r->st, notes, sizeof(notes), err,
                   errlen);
    if (e)
        goto fail;
    if (notes[0])
        log_warnx("reporter: state in %s partly discarded: %s", cfg->state_dir, notes);
    log_info("reporter: state next_seq=%" PRId64 " acked_seq=%" PRId64 " base=%s", r->st.next_seq,
             r->st.acked_seq, r->st.routes || r->st.catalog ? "loaded" : "none (full report next)");
    if (hooks)
        r->hooks = *hooks;
    if (known) {
        snprintf(r->known_version, sizeof(r->known_version), "%s", known->version);
        r->cp_interval_ms = known->report_interval_s * 1000;
    }
    r->seed = (uint64_t)clock_wall_ms() ^ ((uint64_t)(uintptr_t)r << 16);
    r->started_at = clock_wall_s();
    atomic_init(&r->stopping, false);
    pthread_mutex_init(&r->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    *out = r;
    return OCDN_OK;
fail:
    state_clear(&r->st);
    rcfg_unref(r->cfg);
    if (r->curl)
        curl_easy_cleanup(r->curl);
    free(r);
    return e;
}

static void *
run(void *arg)
{
    struct reporter *r = arg;
    struct reporter_result res;
    struct timespec ts;
    int64_t due = clock_mono_ms(), now;

    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->stop_req && !r->kick && (now = clock_mono_ms()) < due) {
            ts.tv_sec = due / 1000;
            ts.tv_nsec = (due % 1000) * 1000000;
            pthread_cond_timedwait(&r->cv, &r->mu, &ts);
        }
        if (r->stop_req)
            break;
        r->kick = false;
        pthread_mutex_unlock(&r->mu);
        reporter_run_once(r, &res);
        pthread_mutex_lock(&r->mu);
        due = clock_mono_ms() + res.delay_ms;
        /* A kick does not hurry a retry after a failure. */
        if (r->fails)
            r->kick = false;
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

enum ocdn_err
reporter_start(struct reporter *r)
{
    sigset_t all, old;
    int rc;

    if (r->started)
        return OCDN_EINVAL;
    /* Signals belong to the main loop. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = pthread_create(&r->thread, NULL, run, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        errno = rc;
        return rc == EAGAIN ? OCDN_ENOMEM : OCDN_EIO;
    }
    r->started = true;
    return OCDN_OK;
}

void
reporter_stop(struct reporter *r)
{
    if (!r || !r->started)
        return;
    atomic_store(&r->stopping, true);
    pthread_mutex_lock(&r->mu);
    r->stop_req = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    r->started = false;
}

void
reporter_free(struct reporter *r)
{
    if (!r)
        return;
    reporter_stop(r);
    pending_clear(&r->p);
    state_clear(&r->st);
    lineset_unref(r->cur_routes);
    lineset_unref(r->cur_catalog);
    rcfg_unref(r->cfg);
    curl_easy_cleanup(r->curl);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

enum ocdn_err
reporter_set_config(struct reporter *r, const struct reporter_config *cfg)
{
    struct rcfg *c = rcfg_new(cfg), *old;

    if (!c)
        return OCDN_ENOMEM;
    pthread_mutex_lock(&r->mu);
    old = r->cfg;
    r->cfg = c;
    pthread_mutex_unlock(&r->mu);
    rcfg_unref(old);
    return OCDN_OK;
}

void
reporter_kick(struct reporter *r)
{
    pthread_mutex_lock(&r->mu);
    r->kick = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

const struct state *
reporter_state(const struct reporter *r)
{
    return &r->st;
}
