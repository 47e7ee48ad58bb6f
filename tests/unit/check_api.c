/* check_api.c - the control plane's API through http_dispatch() (no sockets), on a temp
 * database. The walkers go through the route table itself, so a new route cannot skip tenant
 * isolation, scope checks or bad-body checks. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "airport.h"
#include "api.h"
#include "auth.h"
#include "clock.h"
#include "cp.h"
#include "cp_steer.h"
#include "http.h"
#include "routes.h"
#include "steer.h"
#include "store.h"
#include "store_int.h"
#include "sweeper.h"
#include "testutil.h"
#include "token.h"

static char *dir;
static char dbpath[512];
static struct cp cp;
static struct store *st;
static struct arena *ar;
static char admin[AUTH_KEY_STRLEN];

/* ---- harness -------------------------------------------------------------------------------- */

static void
setup(void)
{
    struct cp_config_ref *cfg;
    struct store_opts so = {0};
    char err[512];
    int64_t id;

    dir = tmpdir_new();
    snprintf(dbpath, sizeof(dbpath), "%s/cp.db", dir);
    ck_assert_int_eq(cp_config_load(NULL, &cfg, err, sizeof(err)), OCDN_OK);
    free(cfg->c.db);
    cfg->c.db = strdup(dbpath);
    cfg->c.steer_rebuild_ms = 0;
    cfg->c.auth_cache_ttl_ms = 0;
    cp_init(&cp, cfg, NULL);
    so.migrate = true;
    so.busy_timeout_ms = 2000;
    ck_assert_msg(store_open(dbpath, &so, &st, err, sizeof(err)) == OCDN_OK, "%s", err);
    ck_assert_msg(airports_load("tests/data/api/airports.json", &cp.airports, err, sizeof(err)) ==
                      OCDN_OK,
                  "%s", err);
    cp.auth = auth_new(0, 1000);
    ar = arena_new(64u << 20);
    ck_assert_int_eq(auth_key_create(st, SCOPE_ADMIN, 0, 0, "test", clock_wall_s(), admin, &id),
                     OCDN_OK);
}

static void
teardown(void)
{
    cp_clear(&cp);
    store_close(st);
    arena_free(ar);
    tmpdir_remove(dir);
}

struct res {
    unsigned status;
    json_t *j;  /* parsed JSON body or NULL */
    char *body; /* raw body */
};

static void
res_free(struct res *r)
{
    json_decref(r->j);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *
unescape(const char *s, size_t n)
{
    char *out = arena_alloc(ar, n + 1);
    size_t i, o = 0;

    ck_assert_ptr_nonnull(out);
    for (i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n + 1 && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* A request with raw body bytes and headers as given. */
static struct res
call_raw(const char *method, const char *url, const char *key, const char *body, size_t len,
         const char *ctype, const char *cenc)
{
    struct kv q[API_MAX_QUERY + 4];
    struct http_call c;
    struct http_result r;
    struct res out;
    const char *qs, *p;
    char *auth = NULL;
    unsigned nq = 0;
    json_error_t je;

    arena_reset(ar);
    memset(&c, 0, sizeof(c));
    qs = strchr(url, '?');
    c.path = qs ? arena_strndup(ar, url, (size_t)(qs - url)) : url;
    for (p = qs ? qs + 1 : NULL; p && *p && nq < API_MAX_QUERY + 4;) {
        const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));

        q[nq].key = unescape(p, (size_t)((eq ? eq : end) - p));
        q[nq].value = eq ? unescape(eq + 1, (size_t)(end - eq - 1)) : "";
        nq++;
        p = amp ? amp + 1 : NULL;
    }
    if (key) {
        auth = arena_printf(ar, "Bearer %s", key);
        c.authorization = auth;
    }
    c.method = method;
    c.query = q;
    c.nquery = nq;
    c.body = body;
    c.body_len = len;
    c.content_type = ctype;
    c.content_encoding = cenc;
    c.client_ip = "127.0.0.1";
    http_dispatch(&cp, st, ar, &c, &r);
    memset(&out, 0, sizeof(out));
    out.status = r.status;
    out.body = r.body ? r.body : strdup("");
    r.body = NULL;
    if (r.content_type && strncmp(r.content_type, "application/json", 16) == 0 && out.body[0])
        out.j = json_loads(out.body, 0, &je);
    http_result_clear(&r);
    return out;
}

static struct res
call(const char *method, const char *url, const char *key, const char *body)
{
    return call_raw(method, url, key, body, body ? strlen(body) : 0,
                    body ? "application/json" : NULL, NULL);
}

/* Call and expect a status; returns the response for inspection. */
static struct res
expect(unsigned status, const char *method, const char *url, const char *key, const char *body)
{
    struct res r = call(method, url, key, body);

    ck_assert_msg(r.status == status, "%s %s: expected %u, got %u: %s", method, url, status,
                  r.status, r.body);
    return r;
}

static int64_t
jint(const json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);

    ck_assert_msg(json_is_integer(v), "no integer '%s'", key);
    return json_integer_value(v);
}

static const char *
jstr(const json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);

    ck_assert_msg(json_is_string(v), "no string '%s'", key);
    return json_string_value(v);
}

/* Count of rows of a table (through a separate connection: what is committed). */
static int64_t
rows(const char *table)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    char sql[128];
    int64_t n = -1;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* A checksum of everything a request could change. */
static uint64_t
db_state(void)
{
    static const char *const tables[] = {
        "orgs",        "org_asns",      "sites",     "ocas",      "oca_sign_keys", "api_keys",
        "routes",      "titles",        "files",     "catalog",   "reports",       "bgp_sessions",
        "maintenance", "notifications", "audit_log", "manifests", "fill_policies", NULL};
    sqlite3 *db;
    sqlite3_stmt *s;
    uint64_t h = 1469598103934665603ULL;
    char sql[128];
    int i, c, n;

    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    for (i = 0; tables[i]; i++) {
        snprintf(sql, sizeof(sql), "SELECT * FROM %s", tables[i]);
        ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
        while (sqlite3_step(s) == SQLITE_ROW) {
            for (c = 0; c < sqlite3_column_count(s); c++) {
                const unsigned char *b = sqlite3_column_blob(s, c);
                n = sqlite3_column_bytes(s, c);
                for (int k = 0; b && k < n; k++) {
                    h ^= b[k];
                    h *= 1099511628211ULL;
                }
                h ^= 0xff;
                h *= 1099511628211ULL;
            }
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return h;
}

static const char *
utc(int64_t t)
{
    static char buf[4][32];
    static int k;

    k = (k + 1) % 4;
    return clock_format_utc(t, buf[k], sizeof(buf[k]));
}

/* ---- a world with two partner orgs ----------------------------------------------------------- */

struct side {
    int64_t org, site, oca, maint, notif, key_id;
    char partner[AUTH_KEY_STRLEN];  /* the org's partner key */
    char partner2[AUTH_KEY_STRLEN]; /* a second one (object of key routes) */
    char appliance[AUTH_KEY_STRLEN];
    char host[256];
    char site_name[64];
};

struct world {
    struct side a, b;
    char frontend[AUTH_KEY_STRLEN];
};

static void
copy_key(char *dst, const json_t *j, const char *member)
{
    snprintf(dst, AUTH_KEY_STRLEN, "%s", jstr(j, member));
}

static void
make_side(struct side *s, const char *name, const char *iata, int64_t asn, const char *v4)
{
    char body[512];
    struct res r;
    int64_t now = clock_wall_s();

    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"display_name\":\"%s\",\"kind\":\"isp\",\"asns\":[%lld]}", name,
             name, (long long)asn);
    r = expect(201, "POST", "/v1/orgs", admin, body);
    s->org = jint(r.j, "id");
    res_free(&r);
    snprintf(body, sizeof(body), "{\"org_id\":%lld,\"iata\":\"%s\",\"type\":\"isp\"}",
             (long long)s->org, iata);
    r = expect(201, "POST", "/v1/sites", admin, body);
    s->site = jint(r.j, "id");
    snprintf(s->site_name, sizeof(s->site_name), "%s", jstr(r.j, "name"));
    res_free(&r);
    snprintf(body, sizeof(body),
             "{\"site_id\":%lld,\"model\":\"storage\",\"capacity_bytes\":1000000000000,"
             "\"nic_bps\":10000000000,\"ipv4\":\"%s\",\"http_port\":8081}",
             (long long)s->site, v4);
    r = expect(201, "POST", "/v1/ocas", admin, body);
    s->oca = jint(r.j, "id");
    copy_key(s->appliance, r.j, "appliance_key");
    snprintf(s->host, sizeof(s->host), "%s", jstr(r.j, "hostname"));
    res_free(&r);
    snprintf(body, sizeof(body), "{\"scope\":\"partner\",\"org_id\":%lld,\"label\":\"noc\"}",
             (long long)s->org);
    r = expect(201, "POST", "/v1/keys", admin, body);
    copy_key(s->partner, r.j, "key");
    res_free(&r);
    r = expect(201, "POST", "/v1/keys", s->partner, "{\"label\":\"second\"}");
    copy_key(s->partner2, r.j, "key");
    s->key_id = jint(r.j, "id");
    res_free(&r);
    /* A drain window tomorrow. */
    snprintf(body, sizeof(body), "{\"kind\":\"drain\",\"start\":\"%s\",\"end\":\"%s\"}",
             utc(now + 86400), utc(now + 86400 + 4 * 3600));
    snprintf(body + 400, 100, "/v1/ocas/%lld/maintenance", (long long)s->oca);
    r = expect(201, "POST", body + 400, s->partner, body);
    s->maint = jint(r.j, "id");
    res_free(&r);
    /* A report with a session down: a bgp_down notification. */
    r = expect(
        200, "POST", "/v1/agent/report", s->appliance,
        "{\"seq\":1,\"routes\":{\"mode\":\"full\",\"add\":[\"176.128.0.0/11|5410||||isp4\"]},"
        "\"bgp\":[{\"name\":\"isp4\",\"neighbor\":\"127.0.0.1\",\"peer_asn\":5410,"
        "\"family\":\"ipv4\",\"state\":\"active\"}]}");
    res_free(&r);
    r = expect(200, "GET", "/v1/notifications?kind=bgp_down", s->partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 1);
    s->notif = jint(json_array_get(json_object_get(r.j, "items"), 0), "id");
    res_free(&r);
}

static void
make_world(struct world *w)
{
    struct res r;

    memset(w, 0, sizeof(*w));
    make_side(&w->a, "isp-a", "TLS", 64500, "192.0.2.10");
    make_side(&w->b, "isp-b", "CDG", 64501, "192.0.2.20");
    r = expect(201, "POST", "/v1/keys", admin, "{\"scope\":\"frontend\"}");
    copy_key(w->frontend, r.j, "key");
    res_free(&r);
}

/* Path of route rt with its {params} taken from side s (or ids nobody has when s is NULL);
 * caller frees. */
static char *
route_path(const struct api_route *rt, const struct side *s)
{
    char out[512], name[32];
    const char *p = rt->pattern;
    size_t o = 0;

    while (*p && o < sizeof(out) - 40) {
        if (*p == '{') {
            const char *e = strchr(p, '}');
            long long id = 0;

            ck_assert_ptr_nonnull(e);
            snprintf(name, sizeof(name), "%.*s", (int)(e - p - 1), p + 1);
            if (strcmp(name, "org") == 0)
                id = s ? s->org : 999999;
            else if (strcmp(name, "site") == 0)
                id = s ? s->site : 999999;
            else if (strcmp(name, "oca") == 0)
                id = s ? s->oca : 999999;
            else if (strcmp(name, "maintenance") == 0)
                id = s ? s->maint : 999999;
            else if (strcmp(name, "notification") == 0)
                id = s ? s->notif : 999999;
            else if (strcmp(name, "key") == 0)
                id = s ? s->key_id : 999999;
            else if (strcmp(name, "session") == 0) {
                o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", s ? "isp4" : "nope");
                p = e + 1;
                continue;
            } else if (strcmp(name, "title") == 0 || strcmp(name, "file") == 0) {
                o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", s ? "t1" : "nope");
                p = e + 1;
                continue;
            } else {
                ck_abort_msg("route %s: the tests know no object for {%s}: add one to "
                             "route_path()",
                             rt->pattern, name);
            }
            o += (size_t)snprintf(out + o, sizeof(out) - o, "%lld", id);
            p = e + 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return strdup(out);
}

/* A valid body for a route that takes one (so that a refusal is about the object, not the
 * body). */
static const char *
sample_body(const struct api_route *rt)
{
    static char buf[512];
    int64_t now = clock_wall_s();

    if (!(rt->flags & (ROUTE_F_BODY | ROUTE_F_REPORT)))
        return NULL;
    if (strcmp(rt->pattern, "/v1/orgs") == 0)
        return "{\"name\":\"isp-new\",\"display_name\":\"New\",\"kind\":\"isp\"}";
    if (strcmp(rt->pattern, "/v1/sites") == 0)
        return "{\"org_id\":1,\"iata\":\"AMS\",\"type\":\"ix\"}";
    if (strcmp(rt->pattern, "/v1/ocas") == 0)
        return "{\"site_id\":1,\"model\":\"global\",\"capacity_bytes\":1,\"nic_bps\":"
               "1000000000,\"ipv6\":\"2001:db8::9\"}";
    if (strcmp(rt->pattern, "/v1/titles") == 0)
        return "{\"id\":\"t1\",\"name\":\"Title\"}";
    if (strcmp(rt->pattern, "/v1/files") == 0)
        return "{\"id\":\"t1\",\"title_id\":\"t1\",\"size\":1,\"sha256\":"
               "\"0000000000000000000000000000000000000000000000000000000000000000\"}";
    if (strstr(rt->pattern, "fill-window"))
        return "{\"offset_min\":30}";
    if (strstr(rt->pattern, "maintenance")) {
        snprintf(buf, sizeof(buf), "{\"kind\":\"maintenance\",\"start\":\"%s\",\"end\":\"%s\"}",
                 utc(now + 10 * 86400), utc(now + 10 * 86400 + 5 * 3600));
        return buf;
    }
    if (strcmp(rt->pattern, "/v1/keys") == 0)
        return "{\"label\":\"x\"}";
    if (strstr(rt->pattern, "/bgp/"))
        return "{\"kind\":\"pni\"}";
    if (strcmp(rt->pattern, "/v1/agent/report") == 0)
        return "{\"seq\":100}";
    return "{}";
}

/* ---- the route-table walkers ----------------------------------------------------------------- */

/* Every partner route: another org's object is 404, exactly like a missing one, and changes
 * nothing; the org's own object works. Routes without objects never show the other org. */
START_TEST(partner_isolation_every_route)
{
    struct world w;
    size_t i, checked = 0;
    char err[256];

    make_world(&w);
    ck_assert_msg(cp_steer_start(&cp, err, sizeof(err)) == OCDN_OK, "%s", err);
    for (i = 0; i < api_nroutes; i++) {
        const struct api_route *rt = &api_routes[i];
        char *path_b, *path_none, *path_a;
        const char *body = sample_body(rt);
        struct res rb, rn, ra;
        uint64_t before;

        if (!(rt->scopes & SCOPE_PARTNER))
            continue;
        checked++;
        if (!strchr(rt->pattern, '{')) {
            if (strcmp(rt->method, "GET") != 0)
                continue; /* POST /v1/keys: covered by partner_key_creates_only_own */
            ra = expect(200, "GET",
                        strcmp(rt->pattern, "/v1/route-explorer") == 0
                            ? "/v1/route-explorer?ip=176.130.1.1"
                            : rt->pattern,
                        w.a.partner, NULL);
            ck_assert_msg(!strstr(ra.body, w.b.site_name) && !strstr(ra.body, w.b.host) &&
                              !strstr(ra.body, "isp-b"),
                          "%s leaks org B: %s", rt->pattern, ra.body);
            res_free(&ra);
            continue;
        }
        path_b = route_path(rt, &w.b);
        path_none = route_path(rt, NULL);
        before = db_state();
        rb = call(rt->method, path_b, w.a.partner, body);
        rn = call(rt->method, path_none, w.a.partner, body);
        ck_assert_msg(rb.status == 404, "%s %s with org A's key: %u %s", rt->method, path_b,
                      rb.status, rb.body);
        ck_assert_msg(rn.status == 404, "%s %s: %u", rt->method, path_none, rn.status);
        ck_assert_msg(strcmp(rb.body, rn.body) == 0, "%s: other org '%s' vs missing '%s'",
                      rt->pattern, rb.body, rn.body);
        ck_assert_msg(db_state() == before, "%s %s changed the database", rt->method, path_b);
        res_free(&rb);
        res_free(&rn);
        /* The same route on org A's own object is allowed. */
        path_a = route_path(rt, &w.a);
        ra = call(rt->method, path_a, w.a.partner, body);
        ck_assert_msg(ra.status >= 200 && ra.status < 300, "%s %s on its own object: %u %s",
                      rt->method, path_a, ra.status, ra.body);
        res_free(&ra);
        free(path_a);
        free(path_b);
        free(path_none);
    }
    ck_assert_uint_ge(checked, 20);
}
END_TEST

/* Every route: no key is 401; a key of a scope the route does not allow is 403. */
START_TEST(scopes_every_route)
{
    struct world w;
    size_t i;
    struct {
        const char *key;
        enum scope scope;
    } keys[4];

    make_world(&w);
    keys[0].key = admin;
    keys[0].scope = SCOPE_ADMIN;
    keys[1].key = w.frontend;
    keys[1].scope = SCOPE_FRONTEND;
    keys[2].key = w.a.partner;
    keys[2].scope = SCOPE_PARTNER;
    keys[3].key = w.a.appliance;
    keys[3].scope = SCOPE_APPLIANCE;
    for (i = 0; i < api_nroutes; i++) {
        const struct api_route *rt = &api_routes[i];
        char *path = route_path(rt, &w.a);
        struct res r;
        size_t k;

        if (rt->scopes == SCOPE_NONE) {
            r = call(rt->method, path, NULL, NULL);
            ck_assert_msg(r.status == 200, "%s without a key: %u", rt->pattern, r.status);
            res_free(&r);
            free(path);
            continue;
        }
        r = call(rt->method, path, NULL, sample_body(rt));
        ck_assert_msg(r.status == 401, "%s %s without a key: %u", rt->method, rt->pattern,
                      r.status);
        res_free(&r);
        r = call(rt->method, path, "ocdn_adm_notakeyatallnotakeyatallnotakeyatallnota",
                 sample_body(rt));
        ck_assert_msg(r.status == 401, "%s with an unknown key: %u", rt->pattern, r.status);
        res_free(&r);
        for (k = 0; k < 4; k++) {
            if (rt->scopes & keys[k].scope)
                continue;
            r = call(rt->method, path, keys[k].key, sample_body(rt));
            ck_assert_msg(r.status == 403, "%s %s with a %s key: %u", rt->method, rt->pattern,
                          scope_str(keys[k].scope), r.status);
            res_free(&r);
        }
        free(path);
    }
}
END_TEST

/* Every route with a body: malformed JSON, a non-object, and an unknown member are 400 and
 * change nothing; a body on a route without one is 400. */
START_TEST(bad_bodies_every_route)
{
    static const char *const bad[] = {"{",
                                      "[]",
                                      "{\"seq\":1,\"unknown_member\":1}",
                                      "{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}",
                                      "nul\x01l",
                                      "{\"x\":\"\\ud800\"}"};
    struct world w;
    size_t i, k;

    make_world(&w);
    for (i = 0; i < api_nroutes; i++) {
        const struct api_route *rt = &api_routes[i];
        const char *key = rt->scopes & SCOPE_ADMIN       ? admin
                          : rt->scopes & SCOPE_APPLIANCE ? w.a.appliance
                                                         : w.frontend;
        char *path = route_path(rt, &w.a);
        uint64_t before = db_state();
        struct res r;

        if (rt->scopes == SCOPE_NONE) {
            free(path);
            continue;
        }
        if (!(rt->flags & (ROUTE_F_BODY | ROUTE_F_REPORT))) {
            r = call(rt->method, path, key, "{}");
            ck_assert_msg(r.status == 400, "%s %s with a body: %u", rt->method, rt->pattern,
                          r.status);
            res_free(&r);
        } else {
            for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
                r = call(rt->method, path, key, bad[k]);
                ck_assert_msg(r.status == 400, "%s %s with body %s: %u %s", rt->method, rt->pattern,
                              bad[k], r.status, r.body);
                ck_assert_msg(json_is_string(json_object_get(r.j, "detail")),
                              "%s: a 400 says why: %s", rt->pattern, r.body);
                res_free(&r);
            }
            r = call_raw(rt->method, path, key, "{}", 2, "text/plain", NULL);
            ck_assert_msg(r.status == 415, "%s with text/plain: %u", rt->pattern, r.status);
            res_free(&r);
        }
        ck_assert_msg(db_state() == before, "%s %s: a refused request changed the database",
                      rt->method, rt->pattern);
        free(path);
    }
}
END_TEST

/* Every change is audited: a route that changes something carries ROUTE_F_AUDIT (the agent's
 * report excepted: its log is the reports table), and each such route, when it succeeds,
 * writes an audit row. */
START_TEST(audit_every_change)
{
    struct world w;
    size_t i, checked = 0;
    int pass;

    make_world(&w);
    /* Two passes: decommissioning the OCA last, as the other changes need it active. */
    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < api_nroutes; i++) {
            const struct api_route *rt = &api_routes[i];
            bool last = strstr(rt->pattern, "decommission") != NULL;
            char *path;
            struct res r;
            int64_t before;

            if (strcmp(rt->method, "GET") == 0 || rt->scopes == SCOPE_APPLIANCE ||
                last != (pass == 1))
                continue;
            ck_assert_msg(rt->flags & ROUTE_F_AUDIT, "%s %s changes something but is not audited",
                          rt->method, rt->pattern);
            path = route_path(rt, &w.a);
            before = rows("audit_log");
            r = call(rt->method, path, rt->scopes & SCOPE_PARTNER ? w.a.partner : admin,
                     sample_body(rt));
            ck_assert_msg(r.status >= 200 && r.status < 300, "%s %s: %u %s", rt->method, path,
                          r.status, r.body);
            ck_assert_msg(rows("audit_log") > before, "%s %s wrote no audit row", rt->method, path);
            res_free(&r);
            free(path);
            checked++;
        }
    ck_assert_uint_ge(checked, 15);
}
END_TEST

/* ---- requests in general --------------------------------------------------------------------- */

START_TEST(unknown_routes_and_methods)
{
    struct res r;

    r = expect(404, "GET", "/v1/nope", admin, NULL);
    ck_assert_str_eq(jstr(r.j, "error"), "not_found");
    res_free(&r);
    r = expect(405, "DELETE", "/v1/orgs", admin, NULL);
    res_free(&r);
    r = expect(404, "GET", "/v1/orgs/", admin, NULL);
    res_free(&r);
    r = expect(404, "GET", "/v1//orgs", admin, NULL);
    res_free(&r);
    r = expect(404, "GET", "/v1/orgs/abc", admin, NULL);
    res_free(&r);
    r = expect(404, "GET", "/v1/orgs/0", admin, NULL);
    res_free(&r);
    r = expect(404, "GET", "/v1/orgs/0001", admin, NULL);
    res_free(&r);
    r = expect(400, "GET", "/v1/orgs?bogus=1", admin, NULL);
    ck_assert_msg(strstr(jstr(r.j, "detail"), "bogus") != NULL, "%s", r.body);
    res_free(&r);
    r = expect(400, "GET", "/v1/orgs?limit=1&limit=2", admin, NULL);
    res_free(&r);
    r = expect(400, "GET", "/v1/orgs?limit=0", admin, NULL);
    res_free(&r);
    r = expect(400, "GET", "/v1/orgs?limit=1001", admin, NULL);
    res_free(&r);
    r = expect(400, "GET", "/v1/orgs?limit=-1", admin, NULL);
    res_free(&r);
    r = expect(200, "GET", "/healthz", NULL, NULL);
    ck_assert_str_eq(jstr(r.j, "status"), "ok");
    res_free(&r);
    r = expect(200, "GET", "/metrics", NULL, NULL);
    ck_assert_msg(strstr(r.body, "ocdn_http_responses_total") != NULL, "%s", r.body);
    res_free(&r);
}
END_TEST

START_TEST(body_size_limit)
{
    size_t n = 1024 * 1024 + 16;
    char *big = malloc(n + 1);
    struct res r;
    int64_t orgs = rows("orgs");

    ck_assert_ptr_nonnull(big);
    memset(big, ' ', n);
    memcpy(big, "{\"name\":\"x\"", 11);
    big[n - 1] = '}';
    big[n] = '\0';
    r = call("POST", "/v1/orgs", admin, big);
    /* The MHD glue refuses by Content-Length before reading; the dispatcher by size. */
    ck_assert_msg(r.status == 413, "%u %s", r.status, r.body);
    res_free(&r);
    ck_assert_int_eq(rows("orgs"), orgs);
    free(big);
}
END_TEST

START_TEST(revoked_key_is_refused)
{
    struct world w;
    struct res r;
    char path[64];

    make_world(&w);
    r = expect(200, "GET", "/v1/sites", w.a.partner2, NULL);
    res_free(&r);
    snprintf(path, sizeof(path), "/v1/keys/%lld", (long long)w.a.key_id);
    r = expect(200, "DELETE", path, w.a.partner, NULL);
    res_free(&r);
    r = expect(401, "GET", "/v1/sites", w.a.partner2, NULL);
    res_free(&r);
    r = expect(404, "DELETE", path, w.a.partner, NULL); /* already revoked */
    res_free(&r);
}
END_TEST

/* A key revoked (and the cache flushed) while another thread is looking it up in the database
 * must not end up cached as valid by that lookup. The progress handler plays the other thread:
 * it revokes the key through its own connection and flushes the cache in the middle of the
 * lookup's query, which still reads the snapshot from before the revocation. */
struct revoke_ctx {
    struct auth *au;
    int64_t key_id;
    bool done;
};

static int
revoke_during_lookup(void *arg)
{
    struct revoke_ctx *rc = arg;
    sqlite3 *db;
    char sql[128];

    if (rc->done)
        return 0;
    rc->done = true;
    snprintf(sql, sizeof(sql), "UPDATE api_keys SET revoked_at = 1 WHERE id = %lld",
             (long long)rc->key_id);
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    auth_flush(rc->au);
    return 0;
}

START_TEST(revocation_during_lookup_is_not_cached)
{
    struct revoke_ctx rc;
    struct tenant t;
    char key[AUTH_KEY_STRLEN], *header;

    memset(&rc, 0, sizeof(rc));
    rc.au = auth_new(60000, 1000);
    ck_assert_int_eq(
        auth_key_create(st, SCOPE_FRONTEND, 0, 0, "fe", clock_wall_s(), key, &rc.key_id), OCDN_OK);
    header = arena_printf(ar, "Bearer %s", key);
    sqlite3_progress_handler(store_db(st), 1, revoke_during_lookup, &rc);
    ck_assert_int_eq(auth_resolve(rc.au, st, header, 1000, &t), OCDN_OK);
    sqlite3_progress_handler(store_db(st), 0, NULL, NULL);
    ck_assert(rc.done);
    ck_assert_int_eq(auth_resolve(rc.au, st, header, 1001, &t), OCDN_EUNAUTH);
    auth_free(rc.au);
}
END_TEST

/* auth_cache_ttl is reloadable: a configuration swapped in (SIGHUP) applies to the key cache.
 * An operator who shortens it expects revocations made elsewhere to be seen within it. */
START_TEST(auth_cache_ttl_follows_the_configuration)
{
    struct cp_config_ref *cfg, *next;
    struct tenant t;
    char key[AUTH_KEY_STRLEN], *header, err[256], sql[128];
    int64_t id;
    sqlite3 *db;

    auth_free(cp.auth);
    cp.auth = auth_new(60000, 1000);
    ck_assert_int_eq(auth_key_create(st, SCOPE_FRONTEND, 0, 0, "fe", clock_wall_s(), key, &id),
                     OCDN_OK);
    header = arena_printf(ar, "Bearer %s", key);
    ck_assert_int_eq(cp_config_load(NULL, &next, err, sizeof(err)), OCDN_OK);
    cfg = cp_config_get(&cp);
    free(next->c.db);
    next->c.db = strdup(cfg->c.db);
    cp_config_unref(cfg);
    next->c.auth_cache_ttl_ms = 0;
    cp_config_swap(&cp, next);
    ck_assert_int_eq(auth_resolve(cp.auth, st, header, 1000, &t), OCDN_OK);
    /* Revoked by another process: no flush here, only the TTL bounds how long it is seen. */
    snprintf(sql, sizeof(sql), "UPDATE api_keys SET revoked_at = 1 WHERE id = %lld", (long long)id);
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_int_eq(auth_resolve(cp.auth, st, header, 1001, &t), OCDN_EUNAUTH);
}
END_TEST

/* ---- orgs, sites, OCAs ------------------------------------------------------------------------
 */

START_TEST(names_follow_the_design)
{
    struct res r;
    int64_t org, site;
    char body[256];

    r = expect(201, "POST", "/v1/orgs", admin,
               "{\"name\":\"bouyguestelecom\",\"display_name\":\"Bouygues Telecom\","
               "\"kind\":\"isp\",\"asns\":[5410]}");
    org = jint(r.j, "id");
    res_free(&r);
    snprintf(body, sizeof(body), "{\"org_id\":%lld,\"iata\":\"tls\",\"type\":\"isp\"}",
             (long long)org);
    r = expect(201, "POST", "/v1/sites", admin, body);
    ck_assert_str_eq(jstr(r.j, "name"), "TLS001.bouyguestelecom.ISP");
    ck_assert_str_eq(jstr(r.j, "tz"), "Europe/Paris");
    site = jint(r.j, "id");
    res_free(&r);
    r = expect(201, "POST", "/v1/sites", admin, body);
    ck_assert_str_eq(jstr(r.j, "name"), "TLS002.bouyguestelecom.ISP");
    res_free(&r);
    snprintf(body, sizeof(body), "{\"org_id\":%lld,\"iata\":\"SEA\",\"type\":\"ix\"}",
             (long long)org);
    r = expect(201, "POST", "/v1/sites", admin, body);
    ck_assert_str_eq(jstr(r.j, "name"), "SEA001.IX");
    res_free(&r);
    for (int i = 1; i <= 9; i++) {
        snprintf(body, sizeof(body),
                 "{\"site_id\":%lld,\"model\":\"flash\",\"capacity_bytes\":1,\"nic_bps\":"
                 "100000000000,\"ipv4\":\"192.0.2.%d\",\"ipv6\":\"2001:db8::%d\"}",
                 (long long)site, i, i);
        r = expect(201, "POST", "/v1/ocas", admin, body);
        if (i == 9) {
            ck_assert_str_eq(jstr(r.j, "hostname"),
                             "c009-tls001-bouyguestelecom-isp.1.oca.example.net");
            ck_assert_str_eq(jstr(r.j, "ipv6_hostname"),
                             "ipv6-c009-tls001-bouyguestelecom-isp.1.oca.example.net");
            ck_assert_msg(strncmp(jstr(r.j, "appliance_key"), "ocdn_app_", 9) == 0, "key");
        }
        res_free(&r);
    }
    /* The key is shown once: not in reads. */
    r = expect(200, "GET", "/v1/ocas/9", admin, NULL);
    ck_assert_ptr_null(json_object_get(r.j, "appliance_key"));
    ck_assert_str_eq(jstr(r.j, "status"), "unreported");
    res_free(&r);
}
END_TEST

START_TEST(create_validation)
{
    struct res r;
    int64_t orgs = rows("orgs"), sites = rows("sites"), ocas = rows("ocas");
    char body[256];

    r = expect(400, "POST", "/v1/orgs", admin,
               "{\"name\":\"Bad Name\",\"display_name\":\"x\",\"kind\":\"isp\"}");
    ck_assert_msg(strstr(jstr(r.j, "detail"), "'name'") != NULL, "%s", r.body);
    res_free(&r);
    r = expect(400, "POST", "/v1/orgs", admin,
               "{\"name\":\"ok-name\",\"display_name\":\"x\",\"kind\":\"cdn\"}");
    res_free(&r);
    r = expect(400, "POST", "/v1/orgs", admin,
               "{\"name\":\"ok-name\",\"display_name\":\"x\",\"kind\":\"isp\",\"asns\":[0]}");
    res_free(&r);
    r = expect(400, "POST", "/v1/orgs", admin,
               "{\"name\":\"ok-name\",\"display_name\":\"x\",\"kind\":\"isp\",\"asns\":[\"1\"]}");
    res_free(&r);
    r = expect(201, "POST", "/v1/orgs", admin,
               "{\"name\":\"ok-name\",\"display_name\":\"x\",\"kind\":\"isp\"}");
    res_free(&r);
    r = expect(409, "POST", "/v1/orgs", admin,
               "{\"name\":\"ok-name\",\"display_name\":\"y\",\"kind\":\"isp\"}");
    res_free(&r);
    r = expect(400, "POST", "/v1/sites", admin, "{\"org_id\":1,\"iata\":\"QQQ\",\"type\":\"isp\"}");
    ck_assert_msg(strstr(jstr(r.j, "detail"), "IATA") != NULL, "%s", r.body);
    res_free(&r);
    r = expect(400, "POST", "/v1/sites", admin,
               "{\"org_id\":99,\"iata\":\"TLS\",\"type\":\"isp\"}");
    res_free(&r);
    r = expect(400, "POST", "/v1/sites", admin,
               "{\"org_id\":1,\"iata\":\"TLS\",\"type\":\"isp\",\"tz\":\"Mars/Olympus\"}");
    ck_assert_msg(strstr(jstr(r.j, "detail"), "time zone") != NULL, "%s", r.body);
    res_free(&r);
    r = expect(400, "POST", "/v1/sites", admin, "{\"org_id\":1,\"iata\":\"ZZQ\",\"type\":\"isp\"}");
    ck_assert_msg(strstr(jstr(r.j, "detail"), "no time zone") != NULL, "%s", r.body);
    res_free(&r);
    r = expect(400, "POST", "/v1/sites", admin,
               "{\"org_id\":1,\"iata\":\"TLS\",\"type\":\"isp\",\"lat\":91,\"lon\":0}");
    res_free(&r);
    r = expect(400, "POST", "/v1/sites", admin,
               "{\"org_id\":1,\"iata\":\"TLS\",\"type\":\"isp\",\"lat\":45}");
    res_free(&r);
    r = expect(201, "POST", "/v1/sites", admin,
               "{\"org_id\":1,\"iata\":\"ZZQ\",\"type\":\"isp\",\"tz\":\"Africa/Lagos\"}");
    res_free(&r);
    snprintf(body, sizeof(body),
             "{\"site_id\":1,\"model\":\"storage\",\"capacity_bytes\":1,\"nic_bps\":1000000000,"
             "\"ipv4\":\"2001:db8::1\"}");
    r = expect(400, "POST", "/v1/ocas", admin, body);
    res_free(&r);
    r = expect(400, "POST", "/v1/ocas", admin,
               "{\"site_id\":1,\"model\":\"storage\",\"capacity_bytes\":1,\"nic_bps\":1000000000}");
    ck_assert_msg(strstr(jstr(r.j, "detail"), "address") != NULL, "%s", r.body);
    res_free(&r);
    r = expect(400, "POST", "/v1/ocas", admin,
               "{\"site_id\":1,\"model\":\"storage\",\"capacity_bytes\":1,\"nic_bps\":1000000000,"
               "\"ipv4\":\"192.0.2.1\",\"http_port\":70000}");
    res_free(&r);
    r = expect(400, "POST", "/v1/ocas", admin,
               "{\"site_id\":77,\"model\":\"storage\",\"capacity_bytes\":1,\"nic_bps\":1000000000,"
               "\"ipv4\":\"192.0.2.1\"}");
    res_free(&r);
    ck_assert_int_eq(rows("orgs"), orgs + 1);
    ck_assert_int_eq(rows("sites"), sites + 1);
    ck_assert_int_eq(rows("ocas"), ocas);
}
END_TEST

START_TEST(partner_key_creates_only_own)
{
    struct world w;
    struct res r;
    char body[128];

    make_world(&w);
    snprintf(body, sizeof(body), "{\"org_id\":%lld}", (long long)w.b.org);
    r = expect(400, "POST", "/v1/keys", w.a.partner, body);
    res_free(&r);
    r = expect(400, "POST", "/v1/keys", w.a.partner, "{\"scope\":\"admin\"}");
    res_free(&r);
    r = expect(201, "POST", "/v1/keys", w.a.partner, "{\"scope\":\"partner\"}");
    ck_assert_int_eq(jint(r.j, "org_id"), w.a.org);
    res_free(&r);
    r = expect(200, "GET", "/v1/keys", w.a.partner, NULL);
    ck_assert_msg(!strstr(r.body, "\"org_id\":2"), "%s", r.body);
    res_free(&r);
}
END_TEST

START_TEST(decommission_and_key_rotation)
{
    struct world w;
    struct res r;
    char path[96], newkey[AUTH_KEY_STRLEN];

    /* With a key cache, as in production: revocations must flush it. */
    auth_free(cp.auth);
    cp.auth = auth_new(600000, 1000);
    make_world(&w);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/appliance-key", (long long)w.a.oca);
    r = expect(200, "POST", path, admin, NULL);
    copy_key(newkey, r.j, "appliance_key");
    res_free(&r);
    r = expect(401, "GET", "/v1/agent/config", w.a.appliance, NULL);
    res_free(&r);
    r = expect(200, "GET", "/v1/agent/config", newkey, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "sign_keys")), 1);
    res_free(&r);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/signing-key", (long long)w.a.oca);
    r = expect(200, "POST", path, admin, NULL);
    res_free(&r);
    r = expect(200, "GET", "/v1/agent/config", newkey, NULL);
    /* Both keys verify during the overlap. */
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "sign_keys")), 2);
    res_free(&r);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/decommission", (long long)w.a.oca);
    r = expect(200, "POST", path, admin, NULL);
    ck_assert_str_eq(jstr(r.j, "status"), "decommissioned");
    res_free(&r);
    r = expect(409, "POST", path, admin, NULL);
    res_free(&r);
    r = expect(401, "POST", "/v1/agent/report", newkey, "{\"seq\":50}");
    res_free(&r);
}
END_TEST

/* ---- report ingest ----------------------------------------------------------------------------
 */

static int64_t
oca_field(struct world *w, const char *member)
{
    struct res r;
    char path[64];
    int64_t v;

    snprintf(path, sizeof(path), "/v1/ocas/%lld", (long long)w->a.oca);
    r = expect(200, "GET", path, admin, NULL);
    v = jint(r.j, member);
    res_free(&r);
    return v;
}

static int64_t
route_total(struct world *w)
{
    struct res r;
    char path[64];
    int64_t v;

    snprintf(path, sizeof(path), "/v1/ocas/%lld/routes", (long long)w->a.oca);
    r = expect(200, "GET", path, w->a.partner, NULL);
    v = jint(r.j, "total");
    res_free(&r);
    return v;
}

START_TEST(report_idempotent_and_deltas)
{
    struct world w;
    struct res r;
    uint64_t before;

    make_world(&w); /* seq 1 applied: one route */
    r = expect(200, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":2,\"routes\":{\"mode\":\"full\",\"add\":["
               "\"176.128.0.0/11|5410||||isp4\",\"176.130.0.0/16|5410|10|||isp4\","
               "\"2a01:cb00::/32|5410 5410|||2001:db8::1|isp6\"]}}");
    ck_assert_int_eq(jint(r.j, "ack_seq"), 2);
    ck_assert(json_is_false(json_object_get(r.j, "duplicate")));
    ck_assert_int_eq(jint(json_object_get(r.j, "routes"), "total"), 3);
    res_free(&r);
    /* Resent: acked again, nothing changes. */
    before = db_state();
    r = expect(200, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":2,\"routes\":{\"mode\":\"full\",\"add\":[]}}");
    ck_assert(json_is_true(json_object_get(r.j, "duplicate")));
    ck_assert_int_eq(jint(r.j, "ack_seq"), 2);
    res_free(&r);
    ck_assert(db_state() == before);
    /* A delta against an unknown base: 409 need_full, nothing changes. */
    r = expect(409, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":3,\"routes\":{\"mode\":\"delta\",\"base_seq\":1,\"add\":[],"
               "\"del\":[\"176.130.0.0/16 isp4\"]}}");
    ck_assert(json_is_true(json_object_get(r.j, "need_full")));
    res_free(&r);
    ck_assert(db_state() == before);
    /* The right delta. */
    r = expect(200, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":3,\"routes\":{\"mode\":\"delta\",\"base_seq\":2,"
               "\"add\":[\"176.131.0.0/16|5410|20|||isp4\"],\"del\":[\"176.130.0.0/16 isp4\"]}}");
    ck_assert_int_eq(jint(json_object_get(r.j, "routes"), "added"), 1);
    ck_assert_int_eq(jint(json_object_get(r.j, "routes"), "removed"), 1);
    res_free(&r);
    ck_assert_int_eq(route_total(&w), 3);
    ck_assert_int_eq(oca_field(&w, "last_seq"), 3);
    /* A full report with a bad line in the middle: 400 naming it, nothing applied. */
    before = db_state();
    r = expect(400, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":4,\"routes\":{\"mode\":\"full\",\"add\":["
               "\"10.0.0.0/8|1||||p\",\"10.0.0.1/8|1||||p\"]}}");
    ck_assert_msg(strstr(jstr(r.j, "detail"), "routes.add[1]") != NULL, "%s", r.body);
    res_free(&r);
    ck_assert(db_state() == before);
    ck_assert_int_eq(route_total(&w), 3);
    /* Catalog delta with a bad id. */
    r = expect(400, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":4,\"catalog\":{\"mode\":\"full\",\"add\":[\"../etc/passwd\"]}}");
    res_free(&r);
    ck_assert(db_state() == before);
    /* Out of range members. */
    r = expect(400, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":4,\"health\":{\"cpu_pct\":101}}");
    res_free(&r);
    r = expect(400, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":4,\"bgp\":[{\"name\":\"x y\",\"state\":\"established\"}]}");
    res_free(&r);
    r = expect(400, "POST", "/v1/agent/report", w.a.appliance, "{\"seq\":0}");
    res_free(&r);
    r = expect(400, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":4,\"routes\":{\"mode\":\"full\",\"base_seq\":3,\"add\":[]}}");
    res_free(&r);
    ck_assert(db_state() == before);
}
END_TEST

START_TEST(report_route_count_limit)
{
    struct world w;
    struct res r;
    uint64_t before;

    make_world(&w);
    cp.cfg->c.report_max_routes = 2;
    before = db_state();
    r = expect(400, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":2,\"routes\":{\"mode\":\"full\",\"add\":[\"10.0.0.0/8|1||||p\","
               "\"11.0.0.0/8|1||||p\",\"12.0.0.0/8|1||||p\"]}}");
    ck_assert_msg(strstr(jstr(r.j, "detail"), "routes") != NULL, "%s", r.body);
    res_free(&r);
    ck_assert(db_state() == before);
    r = expect(200, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":2,\"routes\":{\"mode\":\"full\",\"add\":[\"10.0.0.0/8|1||||p\","
               "\"11.0.0.0/8|1||||p\"]}}");
    res_free(&r);
}
END_TEST

/* A member a report leaves out is unchanged (docs/agent-report.md), and so is what it says
 * about the OCA's health: a report without "bgp" does not make a down session look fine, one
 * without "health" does not forget a failed disk. */
static const char *
report_status(struct world *w, const char *body)
{
    static char status[32];
    struct res r = expect(200, "POST", "/v1/agent/report", w->a.appliance, body);

    snprintf(status, sizeof(status), "%s", jstr(r.j, "status"));
    res_free(&r);
    return status;
}

START_TEST(report_without_a_member_keeps_its_verdict)
{
    struct world w;

    make_world(&w); /* seq 1: org A's session isp4 is down, the OCA degraded */
    ck_assert_str_eq(report_status(&w, "{\"seq\":2}"), "degraded");
    ck_assert_str_eq(report_status(&w, "{\"seq\":3,\"health\":{\"cpu_pct\":5}}"), "degraded");
    ck_assert_str_eq(
        report_status(&w, "{\"seq\":4,\"bgp\":[{\"name\":\"isp4\",\"state\":\"established\"}]}"),
        "online");
    ck_assert_str_eq(report_status(&w, "{\"seq\":5,\"health\":{\"disks\":[{\"name\":\"d0\","
                                       "\"ok\":false}]}}"),
                     "degraded");
    ck_assert_str_eq(
        report_status(&w, "{\"seq\":6,\"bgp\":[{\"name\":\"isp4\",\"state\":\"established\"}]}"),
        "degraded");
    ck_assert_str_eq(report_status(&w, "{\"seq\":7}"), "degraded");
    ck_assert_int_eq(oca_field(&w, "last_seq"), 7);
    ck_assert_str_eq(report_status(&w, "{\"seq\":8,\"health\":{\"disks\":[{\"name\":\"d0\","
                                       "\"ok\":true}]}}"),
                     "online");
}
END_TEST

static char *
gzip_text(const char *in, size_t len, size_t *outlen)
{
    z_stream zs;
    size_t cap = len + 1024;
    char *out = malloc(cap);

    ck_assert_ptr_nonnull(out);
    memset(&zs, 0, sizeof(zs));
    ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = (unsigned char *)out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *outlen = zs.total_out;
    deflateEnd(&zs);
    return out;
}

START_TEST(report_gzip_and_bomb)
{
    struct world w;
    struct res r;
    const char *body = "{\"seq\":5,\"routes\":{\"mode\":\"full\",\"add\":"
                       "[\"176.128.0.0/11|5410||||isp4\"]}}";
    char *gz, *bomb;
    size_t n, bn;
    uint64_t before;

    make_world(&w);
    gz = gzip_text(body, strlen(body), &n);
    r = call_raw("POST", "/v1/agent/report", w.a.appliance, gz, n, "application/json", "gzip");
    ck_assert_msg(r.status == 200, "%u %s", r.status, r.body);
    res_free(&r);
    free(gz);
    /* Not gzip at all. */
    r = call_raw("POST", "/v1/agent/report", w.a.appliance, "xxxx", 4, "application/json", "gzip");
    ck_assert_uint_eq(r.status, 400);
    res_free(&r);
    /* 300 MB of spaces inflate beyond report_max (256M). */
    n = 300u << 20;
    bomb = malloc(n);
    ck_assert_ptr_nonnull(bomb);
    memset(bomb, ' ', n);
    gz = gzip_text(bomb, n, &bn);
    free(bomb);
    before = db_state();
    r = call_raw("POST", "/v1/agent/report", w.a.appliance, gz, bn, "application/json", "gzip");
    ck_assert_uint_eq(r.status, 413);
    res_free(&r);
    free(gz);
    ck_assert(db_state() == before);
    /* gzip is for reports only. */
    gz = gzip_text("{}", 2, &n);
    r = call_raw("POST", "/v1/orgs", admin, gz, n, "application/json", "gzip");
    ck_assert_uint_eq(r.status, 415);
    res_free(&r);
    free(gz);
}
END_TEST

/* ---- status, notifications, maintenance ------------------------------------------------------ */

static struct sweep_result
sweep_at(int64_t t)
{
    struct sweep_result sr;

    ck_assert_int_eq(sweeper_run(&cp, st, t, &sr), OCDN_OK);
    return sr;
}

START_TEST(offline_with_hysteresis)
{
    struct world w;
    struct res r;
    int64_t now = clock_wall_s(), interval = 300;
    struct sweep_result sr;
    char path[96];

    make_world(&w);
    ck_assert_int_eq(oca_field(&w, "last_seq"), 1);
    r = expect(200, "GET", "/v1/ocas", w.a.partner, NULL);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(r.j, "items"), 0), "status"),
                     "degraded"); /* its BGP session is down */
    res_free(&r);
    sr = sweep_at(now + 2 * interval);
    ck_assert_int_eq(sr.status_changes, 0);
    sr = sweep_at(now + 3 * interval + 1);
    ck_assert_int_ge(sr.status_changes, 1);
    r = expect(200, "GET", "/v1/notifications?kind=offline&state=open", w.a.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 1);
    res_free(&r);
    /* It comes back (a report with everything fine): online at once ... */
    r = expect(200, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":2,\"bgp\":[{\"name\":\"isp4\",\"state\":\"established\"}]}");
    ck_assert_str_eq(jstr(r.j, "status"), "online");
    res_free(&r);
    /* ... but the notification only closes after the hold time (two intervals). */
    sweep_at(now + 1);
    r = expect(200, "GET", "/v1/notifications?kind=offline&state=open", w.a.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 1);
    res_free(&r);
    sr = sweep_at(now + 2 * interval + 5);
    ck_assert_int_ge(sr.closed, 1);
    r = expect(200, "GET", "/v1/notifications?kind=offline&state=closed", w.a.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 1);
    res_free(&r);
    /* Acknowledging a notification of the other org is a 404. */
    snprintf(path, sizeof(path), "/v1/notifications/%lld/ack", (long long)w.b.notif);
    r = expect(404, "POST", path, w.a.partner, NULL);
    res_free(&r);
}
END_TEST

START_TEST(prefix_drop_notification)
{
    struct world w;
    struct res r;
    char body[8192];
    size_t n, i;

    make_world(&w);
    n = (size_t)snprintf(body, sizeof(body), "{\"seq\":2,\"routes\":{\"mode\":\"full\",\"add\":[");
    for (i = 0; i < 10; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"176.%zu.0.0/16|5410||||isp4\"",
                              i ? "," : "", 128 + i);
    snprintf(body + n, sizeof(body) - n, "]}}");
    r = expect(200, "POST", "/v1/agent/report", w.a.appliance, body);
    res_free(&r);
    r = expect(
        200, "POST", "/v1/agent/report", w.a.appliance,
        "{\"seq\":3,\"routes\":{\"mode\":\"full\",\"add\":[\"176.128.0.0/16|5410||||isp4\"]}}");
    res_free(&r);
    r = expect(200, "GET", "/v1/notifications?kind=prefix_drop", w.a.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 1);
    snprintf(body, sizeof(body), "/v1/notifications/%lld/ack",
             (long long)jint(json_array_get(json_object_get(r.j, "items"), 0), "id"));
    res_free(&r);
    r = expect(200, "POST", body, w.a.partner, NULL);
    ck_assert_str_eq(jstr(r.j, "state"), "acknowledged");
    res_free(&r);
    r = expect(409, "POST", body, w.a.partner, NULL);
    res_free(&r);
    ck_assert_int_eq(oca_field(&w, "last_seq"), 3);
}
END_TEST

/* After the site's fill window (02:00-14:00 local, shifted by the offset) an OCA holding less
 * than 95 % of its manifest gets a catalog_low notification; it clears once the catalog is
 * complete. */
START_TEST(catalog_below_manifest_after_fill_window)
{
    struct world w;
    struct res r;
    struct clock_tz *tz;
    sqlite3 *db;
    char body[4096], sql[256];
    int64_t end, now = clock_wall_s();
    size_t n, i;

    make_world(&w);
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_exec(db, "INSERT INTO manifests VALUES (1, 1, 0, 'h')", NULL, NULL, NULL),
        SQLITE_OK);
    for (i = 0; i < 20; i++) {
        snprintf(sql, sizeof(sql), "INSERT INTO manifest_files VALUES (1, 'f%02zu', 0)", i);
        ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    sqlite3_close(db);
    /* The OCA holds 18 of the 20 files: 90 %. */
    n = (size_t)snprintf(body, sizeof(body), "{\"seq\":2,\"catalog\":{\"mode\":\"full\",\"add\":[");
    for (i = 0; i < 18; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"f%02zu\"", i ? "," : "", i);
    snprintf(body + n, sizeof(body) - n, "]}}");
    r = expect(200, "POST", "/v1/agent/report", w.a.appliance, body);
    res_free(&r);
    ck_assert_int_eq(clock_tz_load(NULL, "Europe/Paris", &tz), OCDN_OK);
    end = clock_tz_local_to_utc(tz, now, 14 * 60);
    clock_tz_free(tz);
    /* During the window: no judgement yet. */
    sweep_at(end - 3600);
    r = expect(200, "GET", "/v1/notifications?kind=catalog_low", w.a.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 0);
    res_free(&r);
    /* Ten minutes after it: 90 % < 95 %. */
    sweep_at(end + 600);
    r = expect(200, "GET", "/v1/notifications?kind=catalog_low&state=open", w.a.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 1);
    ck_assert_msg(strstr(r.body, "18 of the 20") != NULL, "%s", r.body);
    res_free(&r);
    /* Org B sees nothing of it. */
    r = expect(200, "GET", "/v1/notifications?kind=catalog_low", w.b.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 0);
    res_free(&r);
    /* The OCA completes its catalog: the condition clears, the notification closes after the
     * hold time. */
    r = expect(200, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":3,\"catalog\":{\"mode\":\"delta\",\"base_seq\":2,"
               "\"add\":[\"f18\",\"f19\"]}}");
    res_free(&r);
    sweep_at(end + 700);
    sweep_at(end + 700 + 601);
    r = expect(200, "GET", "/v1/notifications?kind=catalog_low&state=closed", w.a.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 1);
    res_free(&r);
}
END_TEST

/* A decommissioned OCA's conditions are gone with it: its open notifications close (the
 * sweeper no longer looks at it, so nothing else would ever close them). */
START_TEST(decommission_closes_notifications)
{
    struct world w;
    struct res r;
    char path[96];

    make_world(&w); /* org A's OCA has an open bgp_down notification */
    snprintf(path, sizeof(path), "/v1/ocas/%lld/decommission", (long long)w.a.oca);
    r = expect(200, "POST", path, admin, NULL);
    res_free(&r);
    sweep_at(clock_wall_s() + 86400);
    r = expect(200, "GET", "/v1/notifications?state=open", w.a.partner, NULL);
    ck_assert_msg(json_array_size(json_object_get(r.j, "items")) == 0, "%s", r.body);
    res_free(&r);
    snprintf(path, sizeof(path), "/v1/notifications/%lld", (long long)w.a.notif);
    r = expect(200, "GET", path, w.a.partner, NULL);
    ck_assert_str_eq(jstr(r.j, "state"), "closed");
    res_free(&r);
    /* Org B's OCA is untouched. */
    r = expect(200, "GET", "/v1/notifications?state=open", w.b.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 1);
    res_free(&r);
}
END_TEST

/* The catalog check runs for OCAs in any number of time zones (a world-wide network has sites
 * in well over a hundred): 64 sites in other zones come first, then the one whose catalog is
 * short after its fill window. */
START_TEST(catalog_check_in_many_time_zones)
{
    static const char *const zones[] = {
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "America/Anchorage",
        "America/Phoenix",
        "America/Toronto",
        "America/Vancouver",
        "America/Mexico_City",
        "America/Bogota",
        "America/Lima",
        "America/Santiago",
        "America/Caracas",
        "America/Halifax",
        "America/St_Johns",
        "America/Sao_Paulo",
        "America/Argentina/Buenos_Aires",
        "America/Montevideo",
        "America/La_Paz",
        "America/Guatemala",
        "America/Panama",
        "America/Havana",
        "America/Jamaica",
        "America/Puerto_Rico",
        "America/Regina",
        "America/Winnipeg",
        "America/Edmonton",
        "America/Boise",
        "America/Detroit",
        "America/Indiana/Indianapolis",
        "Asia/Tokyo",
        "Asia/Seoul",
        "Asia/Shanghai",
        "Asia/Hong_Kong",
        "Asia/Taipei",
        "Asia/Manila",
        "Asia/Singapore",
        "Asia/Kuala_Lumpur",
        "Asia/Jakarta",
        "Asia/Bangkok",
        "Asia/Ho_Chi_Minh",
        "Asia/Kolkata",
        "Asia/Karachi",
        "Asia/Dhaka",
        "Asia/Kathmandu",
        "Asia/Colombo",
        "Asia/Dubai",
        "Asia/Tehran",
        "Asia/Baghdad",
        "Asia/Riyadh",
        "Asia/Jerusalem",
        "Asia/Beirut",
        "Asia/Tashkent",
        "Asia/Almaty",
        "Asia/Yekaterinburg",
        "Asia/Novosibirsk",
        "Asia/Vladivostok",
        "Asia/Kabul",
        "Asia/Yangon",
        "Australia/Sydney",
        "Australia/Perth",
        "Australia/Adelaide",
        "Pacific/Auckland",
        "Pacific/Honolulu",
    };
    struct res r;
    struct clock_tz *tz;
    sqlite3 *db;
    char body[512], key[AUTH_KEY_STRLEN], sql[128];
    int64_t org, site = 0, oca = 0, end, now = clock_wall_s();
    size_t i;

    r = expect(201, "POST", "/v1/orgs", admin,
               "{\"name\":\"isp-w\",\"display_name\":\"W\",\"kind\":\"isp\"}");
    org = jint(r.j, "id");
    res_free(&r);
    for (i = 0; i <= sizeof(zones) / sizeof(zones[0]); i++) {
        snprintf(body, sizeof(body),
                 "{\"org_id\":%lld,\"iata\":\"TLS\",\"type\":\"isp\",\"tz\":\"%s\"}",
                 (long long)org, i < sizeof(zones) / sizeof(zones[0]) ? zones[i] : "Europe/Paris");
        r = expect(201, "POST", "/v1/sites", admin, body);
        site = jint(r.j, "id");
        res_free(&r);
        snprintf(body, sizeof(body),
                 "{\"site_id\":%lld,\"model\":\"storage\",\"capacity_bytes\":1,\"nic_bps\":"
                 "10000000000,\"ipv4\":\"192.0.2.1\"}",
                 (long long)site);
        r = expect(201, "POST", "/v1/ocas", admin, body);
        oca = jint(r.j, "id");
        copy_key(key, r.j, "appliance_key");
        res_free(&r);
    }
    /* The last OCA (Europe/Paris) should hold 2 files and holds none. */
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    snprintf(sql, sizeof(sql), "INSERT INTO manifests VALUES (%lld, 1, 0, 'h')", (long long)oca);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    snprintf(sql, sizeof(sql), "INSERT INTO manifest_files VALUES (%lld, 'f1', 0), (%lld, 'f2', 0)",
             (long long)oca, (long long)oca);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    r = expect(200, "POST", "/v1/agent/report", key,
               "{\"seq\":1,\"catalog\":{\"mode\":\"full\",\"add\":[]}}");
    res_free(&r);
    ck_assert_int_eq(clock_tz_load(NULL, "Europe/Paris", &tz), OCDN_OK);
    end = clock_tz_local_to_utc(tz, now, 14 * 60);
    clock_tz_free(tz);
    sweep_at(end + 600);
    r = expect(200, "GET", "/v1/notifications?kind=catalog_low&state=open", admin, NULL);
    ck_assert_msg(json_array_size(json_object_get(r.j, "items")) == 1, "%s", r.body);
    res_free(&r);
}
END_TEST

/* The sweeper thread keeps trying to open the database: one that cannot be opened when the
 * thread starts (a lock held by a migration, a volume mounted late) must not stop status
 * upkeep until the next restart. */
static void
swap_config(const char *db)
{
    struct cp_config_ref *next;
    char err[256];

    ck_assert_int_eq(cp_config_load(NULL, &next, err, sizeof(err)), OCDN_OK);
    free(next->c.db);
    next->c.db = strdup(db);
    next->c.sweep_interval_ms = 100;
    next->c.auth_cache_ttl_ms = 0;
    cp_config_swap(&cp, next);
}

START_TEST(sweeper_opens_the_database_late)
{
    struct world w;
    struct res r;
    char path[96], body[256], missing[600];
    const char *status = "";
    int i;

    make_world(&w);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/maintenance", (long long)w.a.oca);
    snprintf(body, sizeof(body), "{\"kind\":\"maintenance\",\"end\":\"%s\"}",
             utc(clock_wall_s() + 4 * 3600));
    r = expect(201, "POST", path, w.a.partner, body);
    res_free(&r);
    snprintf(missing, sizeof(missing), "%s/missing/cp.db", dir);
    swap_config(missing);
    ck_assert_int_eq(sweeper_start(&cp), OCDN_OK);
    usleep(300 * 1000);
    swap_config(dbpath);
    snprintf(path, sizeof(path), "/v1/ocas/%lld", (long long)w.a.oca);
    for (i = 0; i < 50; i++) {
        usleep(100 * 1000);
        r = expect(200, "GET", path, admin, NULL);
        status = strcmp(jstr(r.j, "status"), "maintenance") == 0 ? "maintenance" : "";
        res_free(&r);
        if (*status)
            break;
    }
    sweeper_stop(&cp);
    ck_assert_str_eq(status, "maintenance");
}
END_TEST

START_TEST(maintenance_rules_and_status)
{
    struct world w;
    struct res r;
    int64_t now = clock_wall_s();
    char path[96], body[256], cancel[96];

    make_world(&w);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/maintenance", (long long)w.a.oca);
    snprintf(body, sizeof(body), "{\"kind\":\"drain\",\"start\":\"%s\",\"end\":\"%s\"}",
             utc(now - 3600), utc(now + 5 * 3600));
    r = expect(400, "POST", path, w.a.partner, body); /* in the past */
    res_free(&r);
    snprintf(body, sizeof(body), "{\"kind\":\"drain\",\"start\":\"%s\",\"end\":\"%s\"}",
             utc(now + 93 * 86400), utc(now + 93 * 86400 + 4 * 3600));
    r = expect(400, "POST", path, w.a.partner, body); /* beyond 3 months */
    res_free(&r);
    snprintf(body, sizeof(body), "{\"kind\":\"drain\",\"end\":\"%s\"}", utc(now + 2 * 3600));
    r = expect(400, "POST", path, w.a.partner, body); /* shorter than 3 h */
    res_free(&r);
    snprintf(body, sizeof(body), "{\"kind\":\"drain\",\"end\":\"%s\"}", utc(now + 31 * 86400));
    r = expect(400, "POST", path, w.a.partner, body); /* longer than 30 days */
    res_free(&r);
    snprintf(body, sizeof(body), "{\"kind\":\"drain\",\"end\":\"tomorrow\"}");
    r = expect(400, "POST", path, w.a.partner, body);
    res_free(&r);
    snprintf(body, sizeof(body), "{\"kind\":\"nap\",\"end\":\"%s\"}", utc(now + 4 * 3600));
    r = expect(400, "POST", path, w.a.partner, body);
    res_free(&r);
    /* Overlapping the window made with the world (tomorrow): 409. */
    snprintf(body, sizeof(body), "{\"kind\":\"maintenance\",\"start\":\"%s\",\"end\":\"%s\"}",
             utc(now + 86400 + 3600), utc(now + 86400 + 5 * 3600));
    r = expect(409, "POST", path, w.a.partner, body);
    res_free(&r);
    /* Now, for 4 hours: the OCA shows "maintenance" after a sweep. */
    snprintf(body, sizeof(body), "{\"kind\":\"maintenance\",\"end\":\"%s\",\"note\":\"optics\"}",
             utc(now + 4 * 3600));
    r = expect(201, "POST", path, w.a.partner, body);
    ck_assert_str_eq(jstr(r.j, "state"), "active");
    snprintf(cancel, sizeof(cancel), "/v1/maintenance/%lld", (long long)jint(r.j, "id"));
    res_free(&r);
    sweep_at(now + 1);
    r = expect(200, "GET", "/v1/ocas?limit=1", w.a.partner, NULL);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(r.j, "items"), 0), "status"),
                     "maintenance");
    res_free(&r);
    r = expect(200, "GET", "/v1/maintenance?current=1", w.a.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 2);
    res_free(&r);
    r = expect(200, "DELETE", cancel, w.a.partner, NULL);
    ck_assert_str_eq(jstr(r.j, "state"), "cancelled");
    res_free(&r);
    r = expect(409, "DELETE", cancel, w.a.partner, NULL);
    res_free(&r);
    sweep_at(now + 2);
    r = expect(200, "GET", "/v1/ocas?limit=1", w.a.partner, NULL);
    ck_assert_str_ne(jstr(json_array_get(json_object_get(r.j, "items"), 0), "status"),
                     "maintenance");
    res_free(&r);
    /* The audit log has the creation and the cancellation, only for org A. */
    r = expect(200, "GET", "/v1/audit", w.a.partner, NULL);
    ck_assert_msg(strstr(r.body, "maintenance.cancel") != NULL, "%s", r.body);
    res_free(&r);
    r = expect(200, "GET", "/v1/audit", w.b.partner, NULL);
    ck_assert_msg(strstr(r.body, "maintenance.cancel") == NULL, "%s", r.body);
    res_free(&r);
}
END_TEST

START_TEST(fill_window_and_consistency)
{
    struct world w;
    struct res r;
    char path[96], body[512];

    make_world(&w);
    snprintf(path, sizeof(path), "/v1/sites/%lld/fill-window", (long long)w.a.site);
    r = expect(400, "PUT", path, w.a.partner, "{\"offset_min\":121}");
    res_free(&r);
    r = expect(400, "PUT", path, w.a.partner, "{\"offset_min\":30.5}");
    res_free(&r);
    r = expect(200, "PUT", path, w.a.partner, "{\"offset_min\":-120}");
    ck_assert_int_eq(jint(r.j, "fill_offset_min"), -120);
    res_free(&r);
    r = expect(200, "GET", "/v1/audit", w.a.partner, NULL);
    ck_assert_msg(strstr(r.body, "site.fill_window") && strstr(r.body, "\"to\":-120"), "%s",
                  r.body);
    res_free(&r);
    /* A second OCA in site A learning a different set: inconsistent. */
    snprintf(body, sizeof(body),
             "{\"site_id\":%lld,\"model\":\"storage\",\"capacity_bytes\":1,\"nic_bps\":"
             "10000000000,\"ipv4\":\"192.0.2.11\"}",
             (long long)w.a.site);
    r = expect(201, "POST", "/v1/ocas", admin, body);
    {
        char key[AUTH_KEY_STRLEN];

        copy_key(key, r.j, "appliance_key");
        res_free(&r);
        r = expect(200, "POST", "/v1/agent/report", key,
                   "{\"seq\":1,\"routes\":{\"mode\":\"full\",\"add\":["
                   "\"176.128.0.0/11|5410 5410||||isp4\",\"176.140.0.0/16|5410||||isp4\"]}}");
        res_free(&r);
    }
    snprintf(path, sizeof(path), "/v1/sites/%lld/consistency", (long long)w.a.site);
    r = expect(200, "GET", path, w.a.partner, NULL);
    ck_assert(json_is_false(json_object_get(r.j, "consistent")));
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "missing")), 1);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(r.j, "missing"), 0), "prefix"),
                     "176.140.0.0/16");
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "differing")), 1);
    res_free(&r);
}
END_TEST

START_TEST(routes_listing_api)
{
    struct world w;
    struct res r;
    char path[512], body[8192], next[256];
    size_t n, i, seen = 0;

    make_world(&w);
    n = (size_t)snprintf(body, sizeof(body), "{\"seq\":2,\"routes\":{\"mode\":\"full\",\"add\":[");
    for (i = 0; i < 25; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"176.%zu.0.0/16|5410||||isp4\"",
                              i ? "," : "", 128 + i);
    snprintf(body + n, sizeof(body) - n, ",\"176.128.0.0/11|5410||||isp4\"]}}");
    r = expect(200, "POST", "/v1/agent/report", w.a.appliance, body);
    res_free(&r);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/routes?limit=10", (long long)w.a.oca);
    for (;;) {
        r = expect(200, "GET", path, w.a.partner, NULL);
        seen += json_array_size(json_object_get(r.j, "items"));
        if (!json_object_get(r.j, "next")) {
            res_free(&r);
            break;
        }
        snprintf(next, sizeof(next), "%s", jstr(r.j, "next"));
        snprintf(path, sizeof(path), "/v1/ocas/%lld/routes?limit=10&cursor=%s", (long long)w.a.oca,
                 next);
        res_free(&r);
    }
    ck_assert_uint_eq(seen, 26);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/routes?containing=176.130.7.7", (long long)w.a.oca);
    r = expect(200, "GET", path, w.a.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 2);
    res_free(&r);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/routes?contained_in=176.128.0.0/12",
             (long long)w.a.oca);
    r = expect(200, "GET", path, w.a.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "items")), 16); /* not the /11 */
    res_free(&r);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/routes?contained_in=176.128.0.1/12",
             (long long)w.a.oca);
    r = expect(400, "GET", path, w.a.partner, NULL);
    res_free(&r);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/routes?cursor=!!", (long long)w.a.oca);
    r = expect(400, "GET", path, w.a.partner, NULL);
    res_free(&r);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/bgp", (long long)w.a.oca);
    r = expect(200, "GET", path, w.a.partner, NULL);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(r.j, "items"), 0), "name"), "isp4");
    res_free(&r);
}
END_TEST

/* A route listing's page and its total come from one snapshot: a report landing between the
 * OCA row (which holds the count) and the page (played by an SQLite trace callback that, just
 * before the page's query runs, does what a report does through another connection: a new
 * route and the new count, in one transaction) must not make "total" disagree with the page. */
static int
add_route_before_count(unsigned type, void *ctx, void *p, void *x)
{
    bool *done = ctx;
    sqlite3 *db;

    (void)type;
    (void)p;
    if (*done || !strstr((const char *)x, "FROM routes WHERE oca_id"))
        return 0;
    *done = true;
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db,
                                  "BEGIN; INSERT INTO routes (oca_id, prefix, plen, proto, "
                                  "learned_at) VALUES (1, x'040a000000000000000000000000000000', "
                                  "8, 'isp4', 1); UPDATE ocas SET prefix_count = prefix_count + 1 "
                                  "WHERE id = 1; COMMIT",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    return 0;
}

START_TEST(routes_listing_is_one_snapshot)
{
    struct world w;
    struct res r;
    char path[96];
    bool done = false;

    make_world(&w); /* org A's OCA (id 1) has one route */
    ck_assert_int_eq(w.a.oca, 1);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/routes", (long long)w.a.oca);
    sqlite3_trace_v2(store_db(st), SQLITE_TRACE_STMT, add_route_before_count, &done);
    r = expect(200, "GET", path, w.a.partner, NULL);
    sqlite3_trace_v2(store_db(st), 0, NULL, NULL);
    ck_assert(done);
    ck_assert_msg(json_object_get(r.j, "next") == NULL, "%s", r.body);
    ck_assert_msg((size_t)jint(r.j, "total") == json_array_size(json_object_get(r.j, "items")),
                  "%s", r.body);
    res_free(&r);
    r = expect(200, "GET", path, w.a.partner, NULL); /* the next request sees both */
    ck_assert_int_eq(jint(r.j, "total"), 2);
    res_free(&r);
}
END_TEST

/* ---- steering through the API ---------------------------------------------------------------- */

START_TEST(steer_answers_signed_urls)
{
    struct world w;
    struct res r, conf;
    struct token_key keys[2];
    struct token_fields tf;
    const char *url, *t, *e;
    char err[256], tok[TOKEN_STRLEN], host[300];
    uint8_t raw[64];
    size_t n;
    json_t *u;
    int64_t expiry;

    make_world(&w);
    r = expect(201, "POST", "/v1/titles", admin, "{\"id\":\"t1\",\"name\":\"Title\"}");
    res_free(&r);
    r = expect(201, "POST", "/v1/files", admin,
               "{\"id\":\"f1\",\"title_id\":\"t1\",\"size\":3,\"sha256\":"
               "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}");
    res_free(&r);
    r = expect(200, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":2,\"catalog\":{\"mode\":\"full\",\"add\":[\"f1\"]},"
               "\"bgp\":[{\"name\":\"isp4\",\"state\":\"established\"}]}");
    res_free(&r);
    r = expect(
        200, "POST", "/v1/agent/report", w.b.appliance,
        "{\"seq\":2,\"routes\":{\"mode\":\"full\",\"add\":[\"176.130.0.0/16|5410||||isp4\"]},"
        "\"catalog\":{\"mode\":\"full\",\"add\":[]},"
        "\"bgp\":[{\"name\":\"isp4\",\"state\":\"established\"}]}");
    res_free(&r);
    ck_assert_msg(cp_steer_start(&cp, err, sizeof(err)) == OCDN_OK, "%s", err);

    /* B has the more specific route but not the file: A (the /11) answers. */
    r = expect(200, "GET", "/v1/steer?client=176.130.1.1&file=f1&n=3", w.frontend, NULL);
    ck_assert_str_eq(jstr(r.j, "mode"), "route");
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "urls")), 1);
    u = json_array_get(json_object_get(r.j, "urls"), 0);
    ck_assert_int_eq(jint(u, "oca_id"), w.a.oca);
    ck_assert_str_eq(jstr(json_object_get(u, "reason"), "matched_prefix"), "176.128.0.0/11");
    snprintf(host, sizeof(host), "ipv4-%s", w.a.host);
    ck_assert_str_eq(jstr(u, "hostname"), host);
    url = jstr(u, "url");
    ck_assert_msg(strstr(url, ":8081/f1?o=f1&v=") != NULL, "%s", url);
    /* The token verifies with the key the agent is given, for that host only. */
    conf = expect(200, "GET", "/v1/agent/config", w.a.appliance, NULL);
    ck_assert_int_eq(
        base64url_decode(jstr(json_array_get(json_object_get(conf.j, "sign_keys"), 0), "key"), raw,
                         sizeof(raw), &n),
        OCDN_OK);
    ck_assert_uint_eq(n, TOKEN_KEY_LEN);
    memcpy(keys[0].key, raw, TOKEN_KEY_LEN);
    keys[0].not_after = 0;
    res_free(&conf);
    e = strstr(url, "&e=");
    t = strstr(url, "&t=");
    ck_assert(e && t);
    expiry = strtoll(e + 3, NULL, 10);
    snprintf(tok, sizeof(tok), "%s", t + 3);
    memset(&tf, 0, sizeof(tf));
    tf.kind = TOKEN_KIND_VIDEO;
    tf.host = host;
    tf.o = "f1";
    tf.v = arena_printf(ar, "%lld", (long long)w.a.oca);
    tf.e = expiry;
    ck_assert_int_eq(token_check(keys, 1, &tf, tok, clock_wall_s(), 86400), OCDN_OK);
    tf.host = w.b.host;
    ck_assert_int_ne(token_check(keys, 1, &tf, tok, clock_wall_s(), 86400), OCDN_OK);
    res_free(&r);

    /* No route at all: origin. */
    r = expect(200, "GET", "/v1/steer?client=8.8.8.8&file=f1", w.frontend, NULL);
    ck_assert_str_eq(jstr(r.j, "mode"), "origin");
    ck_assert_msg(strstr(jstr(r.j, "origin_url"), "/f1") != NULL, "%s", r.body);
    res_free(&r);
    /* Bad input. */
    r = expect(400, "GET", "/v1/steer?client=176.130.1&file=f1", w.frontend, NULL);
    res_free(&r);
    r = expect(400, "GET", "/v1/steer?client=176.130.1.1&file=nope", w.frontend, NULL);
    res_free(&r);
    r = expect(400, "GET", "/v1/steer?client=176.130.1.1&file=../f1", w.frontend, NULL);
    res_free(&r);
    r = expect(400, "GET", "/v1/steer?client=176.130.1.1&file=f1&n=11", w.frontend, NULL);
    res_free(&r);
    r = expect(400, "GET", "/v1/steer?client=176.130.1.1&file=f1&n=0", w.frontend, NULL);
    res_free(&r);
    r = expect(400, "GET", "/v1/steer?file=f1", w.frontend, NULL);
    res_free(&r);
    r = expect(400, "GET", "/v1/steer?client=176.130.1.1&file=f1&https=maybe", w.frontend, NULL);
    res_free(&r);
    /* Speed test: any healthy OCA with a route, fast.com shape. */
    r = expect(200, "GET", "/v1/speedtest?client=176.130.1.1", w.frontend, NULL);
    ck_assert_uint_ge(json_array_size(json_object_get(r.j, "targets")), 1);
    ck_assert_msg(strstr(jstr(json_array_get(json_object_get(r.j, "targets"), 0), "url"),
                         "/speedtest?c=") != NULL,
                  "%s", r.body);
    ck_assert_int_eq(jint(json_object_get(r.j, "client"), "asn"), 5410);
    res_free(&r);
    /* Route explorer: org A sees only its own OCA, ranked among all. */
    r = expect(200, "GET", "/v1/route-explorer?ip=176.130.1.1", w.a.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "candidates")), 1);
    ck_assert_int_eq(jint(json_array_get(json_object_get(r.j, "candidates"), 0), "oca_id"),
                     w.a.oca);
    res_free(&r);
    r = expect(200, "GET", "/v1/route-explorer?ip=176.130.1.1", admin, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "candidates")), 2);
    res_free(&r);
    /* A's session goes down: A is degraded, which /v1/steer still serves, and the explorer
     * says so (video eligibility, not the speed test's "online only"). */
    {
        struct steer_engine_stats es;
        char path[64];
        json_t *c;
        size_t i;

        steer_engine_stats(cp.steer, &es);
        r = expect(200, "POST", "/v1/agent/report", w.a.appliance,
                   "{\"seq\":3,\"bgp\":[{\"name\":\"isp4\",\"state\":\"idle\"}]}");
        res_free(&r);
        /* The session state is part of the OCA row at once; wait for a rebuild that saw it. */
        ck_assert(steer_engine_wait(cp.steer, es.attempts + 1, 10000));
        snprintf(path, sizeof(path), "/v1/ocas/%lld", (long long)w.a.oca);
        r = expect(200, "GET", path, admin, NULL);
        ck_assert_str_eq(jstr(r.j, "status"), "degraded");
        res_free(&r);
        r = expect(200, "GET", "/v1/steer?client=176.130.1.1&file=f1", w.frontend, NULL);
        ck_assert_int_eq(jint(json_array_get(json_object_get(r.j, "urls"), 0), "oca_id"), w.a.oca);
        res_free(&r);
        r = expect(200, "GET", "/v1/route-explorer?ip=176.130.1.1", admin, NULL);
        c = json_object_get(r.j, "candidates");
        for (i = 0; i < json_array_size(c); i++)
            if (jint(json_array_get(c, i), "oca_id") == w.a.oca)
                ck_assert(json_is_true(json_object_get(json_array_get(c, i), "eligible")));
        res_free(&r);
    }
    /* A goes over its load limit (90 % of 10 Gb/s): the report kicks a rebuild. A rebuild
     * already running when the report lands may still see the old load, so follow the
     * attempts one by one (bounded): without the kick no attempt comes and the wait fails. */
    {
        struct steer_engine_stats es;
        bool overloaded = false;
        int k;

        steer_engine_stats(cp.steer, &es);
        r = expect(200, "POST", "/v1/agent/report", w.a.appliance,
                   "{\"seq\":4,\"traffic\":{\"bps\":9500000000}}");
        res_free(&r);
        for (k = 1; k <= 3 && !overloaded; k++) {
            ck_assert_msg(steer_engine_wait(cp.steer, es.attempts + (uint64_t)k, 10000),
                          "no rebuild after the load report");
            r = expect(200, "GET", "/v1/steer?client=176.130.1.1&file=f1", w.frontend, NULL);
            overloaded = strcmp(jstr(r.j, "mode"), "route") != 0 ||
                         json_array_size(json_object_get(r.j, "urls")) == 0;
            res_free(&r);
        }
        ck_assert_msg(overloaded, "an overloaded OCA is still steered to");
    }
    /* Org B's OCA does not cover 176.128.1.1 (it has only 176.130.0.0/16): B learns nothing
     * about who does. */
    r = expect(200, "GET", "/v1/route-explorer?ip=176.128.1.1", w.b.partner, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(r.j, "candidates")), 0);
    ck_assert_str_eq(jstr(r.j, "mode"), "none");
    ck_assert(json_is_null(json_object_get(r.j, "client_asn")));
    res_free(&r);
    r = expect(400, "GET", "/v1/route-explorer?ip=banana", w.a.partner, NULL);
    res_free(&r);
}
END_TEST

/* ---- through the real server (libmicrohttpd glue) ------------------------------------------- */

static struct http *srv;

/* Start the HTTP server on a free port of 127.0.0.1 (after make_world, so that the workers'
 * stores see the schema). */
static uint16_t
server_start(void)
{
    struct cp_config_ref *cfg = cp_config_get(&cp);
    char err[256];

    free(cfg->c.listen);
    cfg->c.listen = strdup("127.0.0.1:0");
    cp_config_unref(cfg);
    ck_assert_msg(http_start(&cp, &srv, err, sizeof(err)) == OCDN_OK, "%s", err);
    return http_port(srv);
}

static void
server_stop(void)
{
    http_stop(srv);
    srv = NULL;
}

/* Send head (request line and headers) and up to body_len bytes of body, then read what the
 * server answers within timeout_ms; returns the status code or 0 when it said nothing. */
static unsigned
raw_request(uint16_t port, const char *head, const char *body, size_t body_len, int timeout_ms)
{
    struct sockaddr_in sin;
    struct pollfd pfd;
    char reply[4096];
    size_t got = 0;
    unsigned status = 0;
    ssize_t n;
    int fd;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    ck_assert_int_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    if (body_len)
        ck_assert_int_eq(write(fd, body, body_len), (ssize_t)body_len);
    pfd.fd = fd;
    pfd.events = POLLIN;
    while (got < sizeof(reply) - 1 && poll(&pfd, 1, timeout_ms) == 1) {
        n = read(fd, reply + got, sizeof(reply) - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (memmem(reply, got, "\r\n\r\n", 4))
            break;
    }
    reply[got] = '\0';
    close(fd);
    if (strncmp(reply, "HTTP/1.1 ", 9) == 0)
        status = (unsigned)strtoul(reply + 9, NULL, 10);
    return status;
}

/* The server takes up to report_max (256 MB) for a report: it must not wait for, let alone
 * buffer, such a body from a client that has no key (or a key that may not call the route). */
START_TEST(server_refuses_body_without_key)
{
    struct world w;
    char head[512];
    uint16_t port;
    const char *body = "{\"seq\":2}";

    make_world(&w);
    port = server_start();
    snprintf(head, sizeof(head),
             "POST /v1/agent/report HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: 200000000\r\n\r\n");
    ck_assert_uint_eq(raw_request(port, head, NULL, 0, 5000), 401);
    snprintf(head, sizeof(head),
             "POST /v1/agent/report HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Authorization: Bearer %s\r\nContent-Length: 200000000\r\n\r\n",
             w.a.partner);
    ck_assert_uint_eq(raw_request(port, head, NULL, 0, 5000), 403);
    snprintf(head, sizeof(head),
             "POST /v1/agent/report HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Authorization: Bearer ocdn_app_notakeyatallnotakeyatallnotakeyatallnota\r\n"
             "Transfer-Encoding: chunked\r\n\r\n");
    ck_assert_uint_eq(raw_request(port, head, NULL, 0, 5000), 401);
    /* The agent itself is served as before. */
    snprintf(head, sizeof(head),
             "POST /v1/agent/report HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Authorization: Bearer %s\r\nContent-Length: %zu\r\n\r\n",
             w.a.appliance, strlen(body));
    ck_assert_uint_eq(raw_request(port, head, body, strlen(body), 5000), 200);
    server_stop();
}
END_TEST

/* Every steering setting the configuration accepts gives a policy the engine builds with: at
 * the table's bounds too, or the control plane would start (or reload) fine and answer 503 to
 * every steering request. */
static void
steer_keys_at(bool at_max)
{
    struct cp_config_ref *cfg = cp_config_get(&cp);
    size_t i;

    for (i = 0; i < cp_config_nkeys; i++) {
        const struct cfg_key *k = &cp_config_keys[i];

        if (strncmp(k->name, "steer_", 6) != 0 || k->type != CFG_INT)
            continue;
        *(int64_t *)(void *)((char *)&cfg->c + k->offset) = at_max ? k->max : k->min;
    }
    cp_config_unref(cfg);
}

/* A file registered after the steering engine started is known to steering at once: with no
 * OCA holding it yet, clients go to the origin (not a 400 "unknown file" until some report
 * happens to trigger a rebuild). */
START_TEST(new_file_is_steerable)
{
    struct world w;
    struct steer_engine_stats es;
    struct res r;
    char err[256];

    make_world(&w);
    r = expect(201, "POST", "/v1/titles", admin, "{\"id\":\"t1\",\"name\":\"Title\"}");
    res_free(&r);
    ck_assert_msg(cp_steer_start(&cp, err, sizeof(err)) == OCDN_OK, "%s", err);
    steer_engine_stats(cp.steer, &es);
    r = expect(201, "POST", "/v1/files", admin,
               "{\"id\":\"f9\",\"title_id\":\"t1\",\"size\":3,\"sha256\":"
               "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}");
    res_free(&r);
    steer_engine_wait(cp.steer, es.attempts + 1, 3000);
    r = expect(200, "GET", "/v1/steer?client=176.130.1.1&file=f9", w.frontend, NULL);
    ck_assert_str_eq(jstr(r.j, "mode"), "origin");
    res_free(&r);
}
END_TEST

/* The signing keys an agent verifies with, as GET /v1/agent/config gives them (the agent
 * fetching its configuration). */
static size_t
agent_keys(const char *appliance_key, struct token_key *keys, size_t cap)
{
    struct res r = expect(200, "GET", "/v1/agent/config", appliance_key, NULL);
    json_t *ks = json_object_get(r.j, "sign_keys");
    uint8_t raw[64];
    size_t i, n;

    for (i = 0; i < json_array_size(ks) && i < cap; i++) {
        ck_assert_int_eq(base64url_decode(jstr(json_array_get(ks, i), "key"), raw, sizeof(raw), &n),
                         OCDN_OK);
        ck_assert_uint_eq(n, TOKEN_KEY_LEN);
        memcpy(keys[i].key, raw, TOKEN_KEY_LEN);
        keys[i].not_after = jint(json_array_get(ks, i), "not_after");
    }
    res_free(&r);
    return i;
}

/* Whether the steered URL for f1 from org A's OCA verifies with keys. */
static bool
steered_url_verifies(struct world *w, const struct token_key *keys, size_t nkeys)
{
    struct res r = expect(200, "GET", "/v1/steer?client=176.130.1.1&file=f1", w->frontend, NULL);
    json_t *u = json_array_get(json_object_get(r.j, "urls"), 0);
    struct token_fields tf;
    const char *url = jstr(u, "url"), *e = strstr(url, "&e="), *t = strstr(url, "&t=");
    char tok[TOKEN_STRLEN];
    bool ok;

    ck_assert(e && t);
    snprintf(tok, sizeof(tok), "%s", t + 3);
    memset(&tf, 0, sizeof(tf));
    tf.kind = TOKEN_KIND_VIDEO;
    tf.host = jstr(u, "hostname");
    tf.o = "f1";
    tf.v = arena_printf(ar, "%lld", (long long)w->a.oca);
    tf.e = strtoll(e + 3, NULL, 10);
    ok = token_check(keys, nkeys, &tf, tok, clock_wall_s(), 86400) == OCDN_OK;
    res_free(&r);
    return ok;
}

static void
steer_rebuilt(uint64_t attempts)
{
    ck_assert(steer_engine_wait(cp.steer, attempts + 1, 3000));
}

/* After a signing-key rotation the OCA only knows the new key once its agent has fetched its
 * configuration (at its next report, up to report_interval later): until then steering must
 * keep signing with a key the agent has, then switch. */
START_TEST(rotated_signing_key_used_once_delivered)
{
    struct world w;
    struct steer_engine_stats es;
    struct token_key before[8], after[8];
    struct res r;
    size_t nbefore, nafter;
    char path[96], err[256];

    make_world(&w);
    r = expect(201, "POST", "/v1/titles", admin, "{\"id\":\"t1\",\"name\":\"Title\"}");
    res_free(&r);
    r = expect(201, "POST", "/v1/files", admin,
               "{\"id\":\"f1\",\"title_id\":\"t1\",\"size\":3,\"sha256\":"
               "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}");
    res_free(&r);
    r = expect(200, "POST", "/v1/agent/report", w.a.appliance,
               "{\"seq\":2,\"catalog\":{\"mode\":\"full\",\"add\":[\"f1\"]},"
               "\"bgp\":[{\"name\":\"isp4\",\"state\":\"established\"}]}");
    res_free(&r);
    nbefore = agent_keys(w.a.appliance, before, 8);
    ck_assert_msg(cp_steer_start(&cp, err, sizeof(err)) == OCDN_OK, "%s", err);
    ck_assert(steered_url_verifies(&w, before, nbefore));

    steer_engine_stats(cp.steer, &es);
    snprintf(path, sizeof(path), "/v1/ocas/%lld/signing-key", (long long)w.a.oca);
    r = expect(200, "POST", path, admin, NULL);
    res_free(&r);
    steer_rebuilt(es.attempts);
    ck_assert_msg(steered_url_verifies(&w, before, nbefore),
                  "a URL signed right after the rotation fails on the OCA");

    steer_engine_stats(cp.steer, &es);
    nafter = agent_keys(w.a.appliance, after, 8); /* the agent fetches the new key */
    ck_assert_uint_eq(nafter, 2);
    steer_rebuilt(es.attempts);
    ck_assert(steered_url_verifies(&w, after, 1)); /* the new key alone */
}
END_TEST

/* A steering build that failed (here: the loader cannot open the database when the engine
 * starts) is retried without waiting for some change in the network to ask for one; until then
 * every steering request is a 503. */
START_TEST(failed_steering_build_is_retried)
{
    struct world w;
    struct res r;
    char err[256], missing[600];
    int i;
    unsigned status = 0;

    make_world(&w);
    snprintf(missing, sizeof(missing), "%s/missing/cp.db", dir);
    swap_config(missing);
    ck_assert_msg(cp_steer_start(&cp, err, sizeof(err)) == OCDN_OK, "%s", err);
    r = expect(503, "GET", "/v1/steer?client=176.130.1.1&file=f1", w.frontend, NULL);
    res_free(&r);
    swap_config(dbpath);
    ck_assert_int_eq(sweeper_start(&cp), OCDN_OK);
    for (i = 0; i < 50 && status != 400; i++) {
        usleep(100 * 1000);
        r = call("GET", "/v1/steer?client=176.130.1.1&file=f1", w.frontend, NULL);
        status = r.status; /* 400: a snapshot, which does not know f1 */
        res_free(&r);
    }
    sweeper_stop(&cp);
    ck_assert_uint_eq(status, 400);
}
END_TEST

START_TEST(steer_settings_in_range_build)
{
    struct steer_snap *snap;
    char err[256];
    int pass;

    for (pass = 0; pass < 2; pass++) {
        steer_keys_at(pass == 1);
        ck_assert_msg(cp_steer_start(&cp, err, sizeof(err)) == OCDN_OK, "%s", err);
        err[0] = '\0';
        ck_assert_msg(steer_engine_build_now(cp.steer, err, sizeof(err)) == OCDN_OK,
                      "steering settings at their %s: %s", pass ? "maximum" : "minimum", err);
        snap = steer_engine_get(cp.steer);
        ck_assert_ptr_nonnull(snap);
        steer_snap_unref(snap);
        cp_steer_stop(&cp);
    }
}
END_TEST

/* More routes than steer_max_routes: no snapshot (steering is 503, the portal works), until
 * the limit allows them. */
START_TEST(steering_refuses_too_many_routes)
{
    struct world w;
    struct res r;
    char err[256];

    make_world(&w); /* one route per OCA */
    cp.cfg->c.steer_max_routes = 1;
    ck_assert_msg(cp_steer_start(&cp, err, sizeof(err)) == OCDN_OK, "%s", err);
    r = expect(503, "GET", "/v1/steer?client=176.130.1.1&file=x", w.frontend, NULL);
    res_free(&r);
    r = expect(200, "GET", "/v1/ocas", w.a.partner, NULL);
    res_free(&r);
    cp.cfg->c.steer_max_routes = 1000;
    ck_assert_int_eq(steer_engine_build_now(cp.steer, err, sizeof(err)), OCDN_OK);
    r = expect(400, "GET", "/v1/steer?client=176.130.1.1&file=x", w.frontend, NULL);
    res_free(&r); /* a snapshot now: the unknown file is the complaint */
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("api");
    TCase *walk = tcase_create("route table walkers");
    TCase *req = tcase_create("requests");
    TCase *obj = tcase_create("objects");
    TCase *rep = tcase_create("reports");
    TCase *por = tcase_create("portal");
    TCase *ste = tcase_create("steering");
    TCase *srvc = tcase_create("server");
    TCase *all[] = {walk, req, obj, rep, por, ste, srvc};
    size_t i;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        tcase_add_checked_fixture(all[i], setup, teardown);
        tcase_set_timeout(all[i], 120);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_test(walk, partner_isolation_every_route);
    tcase_add_test(walk, scopes_every_route);
    tcase_add_test(walk, bad_bodies_every_route);
    tcase_add_test(walk, audit_every_change);
    tcase_add_test(req, unknown_routes_and_methods);
    tcase_add_test(req, body_size_limit);
    tcase_add_test(req, revoked_key_is_refused);
    tcase_add_test(req, revocation_during_lookup_is_not_cached);
    tcase_add_test(req, auth_cache_ttl_follows_the_configuration);
    tcase_add_test(obj, names_follow_the_design);
    tcase_add_test(obj, create_validation);
    tcase_add_test(obj, partner_key_creates_only_own);
    tcase_add_test(obj, decommission_and_key_rotation);
    tcase_add_test(rep, report_idempotent_and_deltas);
    tcase_add_test(rep, report_gzip_and_bomb);
    tcase_add_test(rep, report_route_count_limit);
    tcase_add_test(rep, report_without_a_member_keeps_its_verdict);
    tcase_add_test(por, offline_with_hysteresis);
    tcase_add_test(por, prefix_drop_notification);
    tcase_add_test(por, decommission_closes_notifications);
    tcase_add_test(por, sweeper_opens_the_database_late);
    tcase_add_test(por, maintenance_rules_and_status);
    tcase_add_test(por, catalog_below_manifest_after_fill_window);
    tcase_add_test(por, catalog_check_in_many_time_zones);
    tcase_add_test(por, fill_window_and_consistency);
    tcase_add_test(por, routes_listing_api);
    tcase_add_test(por, routes_listing_is_one_snapshot);
    tcase_add_test(ste, steer_answers_signed_urls);
    tcase_add_test(ste, steering_refuses_too_many_routes);
    tcase_add_test(ste, steer_settings_in_range_build);
    tcase_add_test(ste, new_file_is_steerable);
    tcase_add_test(ste, rotated_signing_key_used_once_delivered);
    tcase_add_test(ste, failed_steering_build_is_retried);
    tcase_add_test(srvc, server_refuses_body_without_key);
    return s;
}

int
main(void)
{
    return run_suite(suite());
}
