/* api_oca.c - /v1/ocas: provision, list, show, decommission, rotate keys, learned routes.
 * Partners see only the OCAs of their own sites (404 for any other). */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_handlers.h"
#include "audit.h"
#include "cp.h"
#include "jsonx.h"
#include "net.h"
#include "oca.h"
#include "steer.h"
#include "store.h"
#include "store_bgp.h"
#include "store_oca.h"
#include "store_route.h"
#include "token.h"

#define ROUTES_PAGE_MAX     5000
#define ROUTES_PAGE_DEFAULT 100

static enum ocdn_err
get_addr(struct api_req *rq, struct api_resp *rs, json_t *body, const char *key, uint8_t family,
         const char **out)
{
    struct net_addr a;
    const char *s = NULL;
    enum ocdn_err err;

    *out = NULL;
    err = jsonx_get_str(body, key, false, 2, 45, &s, rq->arena, &rs->errmsg);
    if (err || !s)
        return err;
    if (net_addr_parse(s, &a) != OCDN_OK || a.family != family)
        return api_fail(rq, rs, "field '%s': must be an IPv%u address", key, family);
    *out = arena_strdup(rq->arena, s);
    return *out ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_oca_create(struct api_req *rq, struct api_resp *rs)
{
    static const char *const keys[] = {"site_id", "model",     "capacity_bytes", "nic_bps", "ipv4",
                                       "ipv6",    "http_port", "https_port",     NULL};
    struct oca in;
    struct oca_provisioned p;
    struct audit_who who;
    struct buf b;
    struct jsonw w;
    struct cp_config_ref *cfg;
    json_t *body = NULL;
    int model = 0;
    int64_t http_port = 80, https_port = 443;
    enum ocdn_err err;

    memset(&in, 0, sizeof(in));
    err = api_body_json(rq, rs, &body);
    if (err)
        return err;
    err = jsonx_only_keys(body, "body", keys, rq->arena, &rs->errmsg);
    if (!err)
        err =
            jsonx_get_int(body, "site_id", true, 1, INT64_MAX, &in.site_id, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_enum(body, "model", true, oca_model_names, &model, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_int(body, "capacity_bytes", true, 0, INT64_MAX / 2, &in.capacity_bytes,
                            rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_int(body, "nic_bps", true, 1000000, INT64_MAX / 2, &in.nic_bps, rq->arena,
                            &rs->errmsg);
    if (!err)
        err = get_addr(rq, rs, body, "ipv4", NET_V4, &in.ipv4);
    if (!err)
        err = get_addr(rq, rs, body, "ipv6", NET_V6, &in.ipv6);
    if (!err)
        err = jsonx_get_int(body, "http_port", false, 1, 65535, &http_port, rq->arena, &rs->errmsg);
    if (!err)
        err =
            jsonx_get_int(body, "https_port", false, 1, 65535, &https_port, rq->arena, &rs->errmsg);
    in.http_port = (int)http_port;
    in.https_port = (int)https_port;
    if (err)
        goto out;
    if (!in.ipv4 && !in.ipv6) {
        err = api_fail(rq, rs, "fields 'ipv4', 'ipv6': an OCA needs at least one address");
        goto out;
    }
    in.model = (enum oca_model)model;
    cfg = cp_config_get(rq->cp);
    audit_who_of(rq, &who);
    err = oca_provision(rq->store, &who, &in, cfg->c.oca_domain, rq->arena, &p);
    cp_config_unref(cfg);
    if (err == OCDN_ENOTFOUND)
        err = api_fail(rq, rs, "field 'site_id': no such site");
    if (err)
        goto out;
    rs->status = 201;
    api_out_begin(&b, &w);
    jsonw_obj(&w);
    api_oca_fields(&w, &p.oca);
    jsonw_kstr(&w, "appliance_key", p.appliance_key); /* shown this once */
    jsonw_obj_end(&w);
    memset(p.appliance_key, 0, sizeof(p.appliance_key));
    err = api_out_done(rs, &b, &w);
    if (err)
        goto out;
    if (rq->cp->steer)
        steer_engine_kick(rq->cp->steer);
out:
    json_decref(body);
    return err;
}

enum ocdn_err
api_oca_list(struct api_req *rq, struct api_resp *rs)
{
    struct oca_filter f;
    struct oca *v;
    size_t n;
    enum ocdn_err err;

    memset(&f, 0, sizeof(f));
    err = api_page(rq, rs, 100, 1000, &f.limit, &f.after_id);
    if (err)
        return err;
    err = api_query_uint(rq, rs, "site_id", 1, INT64_MAX / 10, 0, &f.site_id);
    if (err)
        return err;
    f.org_id = api_org_filter(rq);
    err = store_oca_list(rq->store, &f, rq->arena, &v, &n);
    if (err)
        return err;
    return api_oca_list_out(rs, v, n, n == f.limit);
}

enum ocdn_err
api_oca_get(struct api_req *rq, struct api_resp *rs)
{
    struct bgp_session *bgp;
    struct oca o;
    struct buf b;
    struct jsonw w;
    size_t n, i;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    /* One snapshot: the OCA's session counts and its session list come from the same report. */
    err = store_tx_begin_read(rq->store);
    if (err)
        return err;
    err = store_oca_get(rq->store, api_org_filter(rq), id, rq->arena, &o);
    if (!err)
        err = store_bgp_list(rq->store, id, rq->arena, &bgp, &n);
    err = store_tx_end(rq->store, err);
    if (err)
        return err;
    api_out_begin(&b, &w);
    jsonw_obj(&w);
    api_oca_fields(&w, &o);
    jsonw_key(&w, "bgp_sessions");
    jsonw_arr(&w);
    for (i = 0; i < n; i++) {
        jsonw_obj(&w);
        jsonw_kstr(&w, "name", bgp[i].name);
        jsonw_kstr(&w, "neighbor", bgp[i].neighbor);
        jsonw_kint(&w, "peer_asn", bgp[i].peer_asn);
        jsonw_kstr(&w, "family", bgp[i].family);
        jsonw_kstr(&w, "state", bgp[i].state);
        jsonw_ktime(&w, "since", bgp[i].since);
        jsonw_kint(&w, "prefixes", bgp[i].prefixes);
        jsonw_kstr(&w, "kind", bgp[i].kind);
        jsonw_obj_end(&w);
    }
    jsonw_arr_end(&w);
    jsonw_obj_end(&w);
    return api_out_done(rs, &b, &w);
}

enum ocdn_err
api_oca_decommission(struct api_req *rq, struct api_resp *rs)
{
    struct audit_who who;
    struct oca o;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    audit_who_of(rq, &who);
    err = oca_decommission(rq->store, &who, id);
    if (!err)
        auth_flush(rq->cp->auth); /* its appliance keys were revoked */
    if (err == OCDN_ECONFLICT)
        rs->errmsg = "the OCA is already decommissioned";
    if (err)
        return err;
    err = store_oca_get(rq->store, 0, id, rq->arena, &o);
    if (err)
        return err;
    if (rq->cp->steer)
        steer_engine_kick(rq->cp->steer);
    return api_oca_out(rs, &o);
}

enum ocdn_err
api_oca_rotate_appliance_key(struct api_req *rq, struct api_resp *rs)
{
    struct audit_who who;
    char key[AUTH_KEY_STRLEN];
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    audit_who_of(rq, &who);
    err = oca_rotate_appliance_key(rq->store, &who, id, key);
    if (err == OCDN_ECONFLICT)
        rs->errmsg = "the OCA is decommissioned";
    if (err)
        return err;
    auth_flush(rq->cp->auth);
    rs->body = json_pack("{s:I,s:s}", "oca_id", (json_int_t)id, "appliance_key", key);
    memset(key, 0, sizeof(key));
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_oca_rotate_sign_key(struct api_req *rq, struct api_resp *rs)
{
    struct audit_who who;
    struct cp_config_ref *cfg;
    int64_t id, overlap;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    cfg = cp_config_get(rq->cp);
    overlap = cfg->c.sign_key_overlap_ms / 1000;
    cp_config_unref(cfg);
    audit_who_of(rq, &who);
    err = oca_rotate_sign_key(rq->store, &who, id, overlap);
    if (err == OCDN_ECONFLICT)
        rs->errmsg = "the OCA is decommissioned";
    if (err)
        return err;
    if (rq->cp->steer)
        steer_engine_kick(rq->cp->steer);
    rs->body = json_pack("{s:I,s:o}", "oca_id", (json_int_t)id, "previous_key_valid_until",
                         api_time(rq->now + overlap));
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

/* The cursor of a route listing: base64url of "<prefix> <proto>". */
static enum ocdn_err
cursor_parse(struct api_req *rq, struct api_resp *rs, const char *s, struct route_cursor *c)
{
    uint8_t raw[160];
    char text[161], *sp;
    size_t n;

    memset(c, 0, sizeof(*c));
    if (strlen(s) > 200 || base64url_decode(s, raw, sizeof(raw) - 1, &n) != OCDN_OK)
        return api_fail(rq, rs, "cursor: not a cursor returned by this API");
    memcpy(text, raw, n);
    text[n] = '\0';
    sp = strchr(text, ' ');
    if (!sp || strlen(sp + 1) >= sizeof(c->proto))
        return api_fail(rq, rs, "cursor: not a cursor returned by this API");
    *sp = '\0';
    if (net_prefix_parse(text, &c->prefix) != OCDN_OK)
        return api_fail(rq, rs, "cursor: not a cursor returned by this API");
    snprintf(c->proto, sizeof(c->proto), "%s", sp + 1);
    return OCDN_OK;
}

static const char *
cursor_format(struct arena *a, const struct route *r)
{
    char text[NET_PREFIX_STRLEN + 80], p[NET_PREFIX_STRLEN];
    char *out;
    int n;

    net_prefix_format(&r->prefix, p, sizeof(p));
    n = snprintf(text, sizeof(text), "%s %s", p, r->proto);
    if (n < 0 || (size_t)n >= sizeof(text))
        return NULL;
    out = arena_alloc(a, (size_t)n * 2 + 8);
    if (!out)
        return NULL;
    base64url_encode((const uint8_t *)text, (size_t)n, out);
    return out;
}

/* {"items": [routes], "next": cursor, "total": n, "truncated": bool}. */
static enum ocdn_err
routes_out(struct api_resp *rs, const struct route *v, size_t n, const char *next, int64_t total,
           bool truncated)
{
    struct buf b;
    struct jsonw w;
    size_t i;

    api_out_begin(&b, &w);
    jsonw_obj(&w);
    jsonw_key(&w, "items");
    jsonw_arr(&w);
    for (i = 0; i < n; i++) {
        jsonw_obj(&w);
        api_route_fields(&w, &v[i]);
        jsonw_obj_end(&w);
    }
    jsonw_arr_end(&w);
    if (next)
        jsonw_kstr(&w, "next", next);
    jsonw_kint(&w, "total", total);
    if (truncated)
        jsonw_kbool(&w, "truncated", true);
    jsonw_obj_end(&w);
    return api_out_done(rs, &b, &w);
}

/* One page of an OCA's routes with the count of all of them. */
struct routes_page {
    struct route *v;
    size_t n;
    const char *next; /* cursor of the next page, NULL on the last */
    int64_t total;
    bool truncated;
};

/* The page rq asks for; called inside a read transaction so that the page and the total
 * come from the same snapshot (a report may replace the routes in between). */
static enum ocdn_err
routes_read(struct api_req *rq, struct api_resp *rs, int64_t id, struct routes_page *pg)
{
    struct route_query q;
    struct route_cursor cur;
    struct net_prefix within, containing;
    struct oca o;
    const char *s;
    size_t limit;
    int64_t lim;
    enum ocdn_err err;

    memset(pg, 0, sizeof(*pg));
    err = store_oca_get(rq->store, api_org_filter(rq), id, rq->arena, &o);
    if (err)
        return err;
    memset(&q, 0, sizeof(q));
    q.oca_id = id;
    err = api_query_uint(rq, rs, "limit", 1, ROUTES_PAGE_MAX, ROUTES_PAGE_DEFAULT, &lim);
    if (err)
        return err;
    limit = (size_t)lim;
    s = api_query(rq, "contained_in");
    if (s) {
        if (net_prefix_parse(s, &within) != OCDN_OK)
            return api_fail(rq, rs, "contained_in: not a prefix (e.g. 203.0.113.0/24)");
        q.contained_in = &within;
    }
    s = api_query(rq, "containing");
    if (s) {
        if (q.contained_in)
            return api_fail(rq, rs, "containing and contained_in: give one of them");
        if (api_query(rq, "cursor"))
            return api_fail(rq, rs,
                            "cursor: not used with containing (one page holds every "
                            "covering route)");
        if (net_prefix_parse(s, &containing) != OCDN_OK) {
            struct net_addr a;
            if (net_addr_parse(s, &a) != OCDN_OK)
                return api_fail(rq, rs, "containing: not an address or prefix");
            net_prefix_from_addr(&a, net_family_bits(a.family), &containing);
        }
        err = store_route_containing(rq->store, id, &containing, rq->arena, &pg->v, &pg->n);
        if (err)
            return err;
        pg->total = o.prefix_count;
        pg->truncated = pg->n > limit;
        if (pg->truncated)
            pg->n = limit;
        return OCDN_OK;
    }
    s = api_query(rq, "cursor");
    if (s) {
        err = cursor_parse(rq, rs, s, &cur);
        if (err)
            return err;
        q.after = &cur;
    }
    q.limit = limit;
    err = store_route_list(rq->store, &q, rq->arena, &pg->v, &pg->n);
    if (err)
        return err;
    /* The ingest that changes an OCA's routes sets prefix_count in the same transaction, and
     * this runs in one read transaction: it is the count of these routes, without counting. */
    pg->total = o.prefix_count;
    if (pg->n == limit)
        pg->next = cursor_format(rq->arena, &pg->v[pg->n - 1]);
    return OCDN_OK;
}

enum ocdn_err
api_oca_routes(struct api_req *rq, struct api_resp *rs)
{
    struct routes_page pg;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    err = store_tx_begin_read(rq->store);
    if (err)
        return err;
    err = routes_read(rq, rs, id, &pg);
    err = store_tx_end(rq->store, err);
    if (err)
        return err;
    return routes_out(rs, pg.v, pg.n, pg.next, pg.total, pg.truncated);
}
