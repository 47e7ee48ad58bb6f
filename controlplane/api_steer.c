/* api_steer.c - the front end's routes (GET /v1/steer, GET /v1/speedtest) and the partner's
 * route explorer, all answered from the steering engine's current snapshot: no database, no
 * lock beyond taking the snapshot's reference. URLs are signed with each OCA's key held in the
 * snapshot (common/token.c). */
#include <stdio.h>
#include <string.h>

#include "airport.h"
#include "api.h"
#include "api_handlers.h"
#include "cp.h"
#include "cp_steer.h"
#include "geoip.h"
#include "net.h"
#include "steer.h"
#include "token.h"

#define STEER_N_DEFAULT     3
#define SPEEDTEST_N_DEFAULT 5
#define EXPLAIN_MAX         1000

static bool
geo_lookup(void *ctx, const struct net_addr *a, double *lat, double *lon)
{
    struct geoip_loc loc;

    if (geoip_locate(ctx, a, &loc) != OCDN_OK || !loc.has_coords)
        return false;
    *lat = loc.lat;
    *lon = loc.lon;
    return true;
}

/* The name a client of family fam uses for OCA o: ipv6- for IPv6 clients when the OCA has an
 * IPv6 address, else ipv4- (and ipv6- for an IPv6-only OCA). */
static void
host_for(const struct steer_oca *o, uint8_t fam, char *buf, size_t len)
{
    bool v6 = (fam == NET_V6 && o->has_v6) || !o->has_v4;

    snprintf(buf, len, "%s-%s", v6 ? "ipv6" : "ipv4", o->host);
}

/* "scheme://host[:port]" for OCA o; false when it serves neither scheme asked for. */
static bool
base_url(const struct steer_oca *o, const char *host, bool https, char *buf, size_t len)
{
    uint16_t port = https ? o->https_port : o->http_port;
    uint16_t dflt = https ? 443 : 80;

    if (!port)
        return false;
    if (port == dflt)
        snprintf(buf, len, "%s://%s", https ? "https" : "http", host);
    else
        snprintf(buf, len, "%s://%s:%u", https ? "https" : "http", host, port);
    return true;
}

static enum ocdn_err
parse_client(struct api_req *rq, struct api_resp *rs, const char *key, struct net_addr *out)
{
    const char *s = api_query(rq, key);

    if (!s)
        return api_fail(rq, rs, "%s: the client address is required", key);
    if (net_addr_parse(s, out) != OCDN_OK)
        return api_fail(rq, rs, "%s: not an IPv4 or IPv6 address", key);
    return OCDN_OK;
}

static enum ocdn_err
parse_https(struct api_req *rq, struct api_resp *rs, bool *out)
{
    const char *s = api_query(rq, "https");

    *out = false;
    if (!s)
        return OCDN_OK;
    if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0)
        *out = true;
    else if (strcmp(s, "0") != 0 && strcmp(s, "false") != 0)
        return api_fail(rq, rs, "https: 1/true or 0/false");
    return OCDN_OK;
}

static void
reason_fields(struct jsonw *w, const struct steer_choice *c)
{
    char p[NET_PREFIX_STRLEN];

    jsonw_kstr(w, "decided_by", steer_step_str(c->decided_by));
    jsonw_key(w, "distance_km");
    if (c->distance_km >= 0)
        jsonw_real(w, c->distance_km, 1);
    else
        jsonw_null(w);
    if (!c->has_route)
        return;
    net_prefix_format(&c->prefix, p, sizeof(p));
    jsonw_kstr(w, "matched_prefix", p);
    jsonw_kstr(w, "source", route_src_str(c->src));
    jsonw_kint(w, "as_path_len", c->path_len);
    jsonw_kint(w, "as_path_len_effective", c->path_len_eff);
    jsonw_key(w, "med");
    if (c->has_med)
        jsonw_int(w, c->med);
    else
        jsonw_null(w);
    jsonw_kint(w, "med_effective", (int64_t)c->med_eff);
}

static const char *
site_name(const struct steer_snap *snap, const struct steer_oca *o)
{
    const struct steer_site *s = steer_snap_site(snap, o->site);

    return s && s->name ? s->name : "";
}

static enum ocdn_err
decide(struct api_req *rq, struct api_resp *rs, struct steer_snap *snap,
       const struct net_addr *client, int32_t file, unsigned n, struct steer_result *res)
{
    struct steer_query q;
    enum ocdn_err err;

    memset(&q, 0, sizeof(q));
    q.client = *client;
    q.file = file;
    q.n = n;
    q.geo = rq->cp->geoip ? geo_lookup : NULL;
    q.geo_ctx = rq->cp->geoip;
    err = steer_decide(snap, &q, res);
    if (err == OCDN_EINVAL)
        return api_fail(rq, rs, "the query cannot be answered (n or address family)");
    if (err)
        return err;
    atomic_fetch_add(&rq->cp->metrics.steer_answers, 1);
    if (res->mode == STEER_MODE_GEO_FALLBACK)
        atomic_fetch_add(&rq->cp->metrics.steer_geo_fallback, 1);
    else if (res->mode == STEER_MODE_ORIGIN)
        atomic_fetch_add(&rq->cp->metrics.steer_origin_fallback, 1);
    return OCDN_OK;
}

/* This thread's snapshot, borrowed until its next request (cp_steer_snapshot()). */
static struct steer_snap *
snapshot(struct api_req *rq, struct api_resp *rs)
{
    struct steer_snap *snap = cp_steer_snapshot(rq->cp);

    if (!snap)
        rs->errmsg = "steering is not ready (no snapshot yet)";
    return snap;
}

enum ocdn_err
api_steer(struct api_req *rq, struct api_resp *rs)
{
    struct steer_snap *snap = NULL;
    struct steer_result res;
    struct cp_config_ref *cfg;
    struct net_addr client;
    const char *file;
    char host[300], base[360], tok[TOKEN_STRLEN], vbuf[24], cbuf[NET_ADDR_STRLEN], url[1024];
    struct buf b;
    struct jsonw w;
    int64_t n, expiry;
    int32_t fidx;
    bool https;
    unsigned i;
    enum ocdn_err err;

    err = parse_client(rq, rs, "client", &client);
    if (!err)
        err = parse_https(rq, rs, &https);
    if (err)
        return err;
    file = api_query(rq, "file");
    if (!file || !steer_file_id_valid(file))
        return api_fail(rq, rs, "file: a file id is required ([A-Za-z0-9][A-Za-z0-9._-]*)");
    snap = snapshot(rq, rs);
    if (!snap)
        return OCDN_EBUSY;
    err = api_query_uint(rq, rs, "n", 1, steer_snap_policy(snap)->max_n, STEER_N_DEFAULT, &n);
    if (err)
        goto out;
    if (n > steer_snap_policy(snap)->max_n)
        n = steer_snap_policy(snap)->max_n;
    err = steer_snap_file_find(snap, file, &fidx);
    if (err) {
        err = api_fail(rq, rs, "file: unknown file '%s'", file);
        goto out;
    }
    err = decide(rq, rs, snap, &client, fidx, (unsigned)n, &res);
    if (err)
        goto out;

    cfg = cp_config_get(rq->cp);
    expiry = rq->now + cfg->c.url_ttl_ms / 1000;
    api_out_begin(&b, &w);
    jsonw_obj(&w);
    jsonw_kstr(&w, "client", net_addr_format(&client, cbuf, sizeof(cbuf)));
    jsonw_kstr(&w, "file", file);
    jsonw_kstr(&w, "mode", steer_mode_str(res.mode));
    jsonw_kstr(&w, "geo", steer_geo_str(res.geo));
    jsonw_key(&w, "client_asn");
    if (res.client_asn)
        jsonw_uint(&w, res.client_asn);
    else
        jsonw_null(&w);
    jsonw_key(&w, "urls");
    jsonw_arr(&w);
    for (i = 0; i < res.n; i++) {
        const struct steer_oca *o = steer_snap_oca(snap, res.v[i].oca);
        struct token_fields tf;

        host_for(o, client.family, host, sizeof(host));
        if (!base_url(o, host, https, base, sizeof(base)))
            continue;
        snprintf(vbuf, sizeof(vbuf), "%llu", (unsigned long long)o->id);
        memset(&tf, 0, sizeof(tf));
        tf.kind = TOKEN_KIND_VIDEO;
        tf.host = host;
        tf.o = file;
        tf.v = vbuf;
        tf.e = expiry;
        if (token_sign(o->key, &tf, tok) != OCDN_OK)
            continue;
        jsonw_obj(&w);
        snprintf(url, sizeof(url), "%s/%s?o=%s&v=%s&e=%lld&t=%s", base, file, file, vbuf,
                 (long long)expiry, tok);
        jsonw_kstr(&w, "url", url);
        snprintf(url, sizeof(url), "%s/range/{start}-{end}?o=%s&v=%s&e=%lld&t=%s", base, file, vbuf,
                 (long long)expiry, tok);
        jsonw_kstr(&w, "range_url", url);
        jsonw_kstr(&w, "hostname", host);
        jsonw_kint(&w, "oca_id", (int64_t)o->id);
        jsonw_kstr(&w, "site", site_name(snap, o));
        jsonw_kint(&w, "rank", res.v[i].rank);
        jsonw_ktime(&w, "expires_at", expiry);
        jsonw_key(&w, "reason");
        jsonw_obj(&w);
        reason_fields(&w, &res.v[i]);
        jsonw_obj_end(&w);
        jsonw_obj_end(&w);
    }
    jsonw_arr_end(&w);
    if (res.mode == STEER_MODE_ORIGIN) {
        snprintf(url, sizeof(url), "%s/%s", cfg->c.origin_url, file);
        jsonw_kstr(&w, "origin_url", url);
    }
    jsonw_obj_end(&w);
    cp_config_unref(cfg);
    err = api_out_done(rs, &b, &w);
out:
    return err;
}

/* fast.com's discovery answer: {client: {ip, asn, location}, targets: [{name, url,
 * location}]}, each target "https://<oca>/speedtest?c=&n=&v=&e=&t=" (25 MiB object). */
enum ocdn_err
api_speedtest(struct api_req *rq, struct api_resp *rs)
{
    struct steer_snap *snap = NULL;
    struct steer_result res;
    struct cp_config_ref *cfg;
    struct geoip_loc loc;
    struct net_addr client;
    char host[300], base[360], tok[TOKEN_STRLEN], vbuf[24], nbuf[16], cbuf[NET_ADDR_STRLEN];
    json_t *targets = NULL, *where;
    int64_t n, expiry;
    bool https;
    unsigned i;
    enum ocdn_err err;

    err = parse_client(rq, rs, "client", &client);
    if (!err)
        err = parse_https(rq, rs, &https);
    if (err)
        return err;
    snap = snapshot(rq, rs);
    if (!snap)
        return OCDN_EBUSY;
    err = api_query_uint(rq, rs, "n", 1, steer_snap_policy(snap)->max_n,
                         SPEEDTEST_N_DEFAULT < steer_snap_policy(snap)->max_n
                             ? SPEEDTEST_N_DEFAULT
                             : steer_snap_policy(snap)->max_n,
                         &n);
    if (!err)
        err = decide(rq, rs, snap, &client, STEER_FILE_NONE, (unsigned)n, &res);
    if (err)
        goto out;
    memset(&loc, 0, sizeof(loc));
    if (rq->cp->geoip)
        geoip_locate(rq->cp->geoip, &client, &loc);
    snprintf(nbuf, sizeof(nbuf), "%u", res.client_asn);

    cfg = cp_config_get(rq->cp);
    expiry = rq->now + cfg->c.speedtest_ttl_ms / 1000;
    cp_config_unref(cfg);
    targets = json_array();
    for (i = 0; targets && i < res.n; i++) {
        const struct steer_oca *o = steer_snap_oca(snap, res.v[i].oca);
        const char *sname = site_name(snap, o);
        const struct airport *ap = NULL;
        struct token_fields tf;
        char iata[4];

        host_for(o, client.family, host, sizeof(host));
        if (!base_url(o, host, https, base, sizeof(base)))
            continue;
        snprintf(vbuf, sizeof(vbuf), "%llu", (unsigned long long)o->id);
        memset(&tf, 0, sizeof(tf));
        tf.kind = TOKEN_KIND_SPEEDTEST;
        tf.host = host;
        tf.v = vbuf;
        tf.e = expiry;
        tf.c = loc.country;
        tf.n = res.client_asn ? nbuf : "";
        if (token_sign(o->key, &tf, tok) != OCDN_OK)
            continue;
        snprintf(iata, sizeof(iata), "%.3s", sname);
        if (rq->cp->airports && strlen(iata) == 3)
            ap = airports_find(rq->cp->airports, iata);
        where =
            json_pack("{s:s,s:s}", "city", ap ? ap->city : "", "country", ap ? ap->country : "");
        json_array_append_new(
            targets, json_pack("{s:s,s:s,s:o,s:I,s:s}", "name", base, "url",
                               arena_printf(rq->arena, "%s/speedtest?c=%s&n=%s&v=%s&e=%lld&t=%s",
                                            base, loc.country, res.client_asn ? nbuf : "", vbuf,
                                            (long long)expiry, tok),
                               "location", where ? where : json_object(), "oca_id",
                               (json_int_t)o->id, "site", sname));
    }
    rs->body = json_pack("{s:{s:s,s:o,s:{s:s}},s:o}", "client", "ip",
                         net_addr_format(&client, cbuf, sizeof(cbuf)), "asn",
                         res.client_asn ? json_integer(res.client_asn) : json_null(), "location",
                         "country", loc.country, "targets", targets ? targets : json_array());
    err = rs->body ? OCDN_OK : OCDN_ENOMEM;
out:
    return err;
}

/* Which of the caller's OCAs learned a prefix covering ip, ranked by the steering engine
 * (ranks are global: a partner sees where its OCAs stand among all candidates). */
enum ocdn_err
api_route_explorer(struct api_req *rq, struct api_resp *rs)
{
    struct steer_snap *snap = NULL;
    struct steer_explain ex;
    struct steer_choice *v;
    struct steer_query q;
    struct net_addr ip;
    char cbuf[NET_ADDR_STRLEN], p[NET_PREFIX_STRLEN];
    struct buf b;
    struct jsonw w;
    const char *mode;
    uint32_t asn;
    size_t cap, i;
    enum ocdn_err err;

    err = parse_client(rq, rs, "ip", &ip);
    if (err)
        return err;
    snap = snapshot(rq, rs);
    if (!snap)
        return OCDN_EBUSY;
    cap = steer_snap_oca_count(snap);
    if (cap > EXPLAIN_MAX)
        cap = EXPLAIN_MAX;
    v = arena_calloc(rq->arena, cap ? cap : 1, sizeof(*v));
    if (!v) {
        err = OCDN_ENOMEM;
        goto out;
    }
    memset(&q, 0, sizeof(q));
    q.client = ip;
    q.file = STEER_FILE_ANY; /* eligibility as /v1/steer has it (degraded serves), no file */
    q.n = 1;
    q.geo = rq->cp->geoip ? geo_lookup : NULL;
    q.geo_ctx = rq->cp->geoip;
    err = steer_explain(snap, &q, (uint64_t)api_org_filter(rq), v, cap, &ex);
    if (err)
        goto out;
    /* A partner learns about its own OCAs only: whether some other network covers the
     * address, and its AS, are not its business (ranks stay global, as documented). */
    if (rq->tenant->scope == SCOPE_PARTNER) {
        asn = ex.n ? v[0].origin_as : 0;
        mode = ex.n ? steer_mode_str(STEER_MODE_ROUTE) : "none";
    } else {
        asn = ex.client_asn;
        mode = steer_mode_str(ex.mode);
    }
    api_out_begin(&b, &w);
    jsonw_obj(&w);
    jsonw_kstr(&w, "ip", net_addr_format(&ip, cbuf, sizeof(cbuf)));
    jsonw_kstr(&w, "mode", mode);
    jsonw_key(&w, "client_asn");
    if (asn)
        jsonw_uint(&w, asn);
    else
        jsonw_null(&w);
    jsonw_kint(&w, "total", (int64_t)ex.total);
    jsonw_kbool(&w, "truncated", ex.n < ex.total);
    jsonw_key(&w, "candidates");
    jsonw_arr(&w);
    for (i = 0; i < ex.n; i++) {
        const struct steer_oca *o = steer_snap_oca(snap, v[i].oca);

        net_prefix_format(&v[i].prefix, p, sizeof(p));
        jsonw_obj(&w);
        jsonw_kint(&w, "oca_id", (int64_t)o->id);
        jsonw_kstr(&w, "hostname", o->host);
        jsonw_kstr(&w, "site", site_name(snap, o));
        jsonw_kstr(&w, "prefix", p);
        jsonw_kstr(&w, "source", route_src_str(v[i].src));
        jsonw_kint(&w, "as_path_len", v[i].path_len);
        jsonw_kint(&w, "as_path_len_effective", v[i].path_len_eff);
        jsonw_key(&w, "med");
        if (v[i].has_med)
            jsonw_int(&w, v[i].med);
        else
            jsonw_null(&w);
        jsonw_kint(&w, "med_effective", (int64_t)v[i].med_eff);
        jsonw_key(&w, "distance_km");
        if (v[i].distance_km >= 0)
            jsonw_real(&w, v[i].distance_km, 1);
        else
            jsonw_null(&w);
        jsonw_kint(&w, "rank", v[i].rank);
        jsonw_kbool(&w, "eligible", v[i].inelig == STEER_ELIGIBLE);
        jsonw_kstr(&w, "ineligible_reason",
                   v[i].inelig == STEER_ELIGIBLE ? NULL : steer_inelig_str(v[i].inelig));
        jsonw_kstr(&w, "decided_by", steer_step_str(v[i].decided_by));
        jsonw_obj_end(&w);
    }
    jsonw_arr_end(&w);
    jsonw_obj_end(&w);
    err = api_out_done(rs, &b, &w);
out:
    return err;
}
