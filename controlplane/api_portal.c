/* api_portal.c - partner portal routes about sites and sessions: fill-window offset, site
 * consistency report, BGP sessions (and the admin's session kind), and the audit log.
 * Every read and change is limited to the caller's org (404 for anything else). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_handlers.h"
#include "audit.h"
#include "cp.h"
#include "jsonx.h"
#include "net.h"
#include "steer.h"
#include "store.h"
#include "store_audit.h"
#include "store_bgp.h"
#include "store_oca.h"
#include "store_route.h"
#include "store_site.h"

#define CONSISTENCY_MAX 1000
#define SITE_MAX_OCAS   1000

enum ocdn_err
api_site_fill_window(struct api_req *rq, struct api_resp *rs)
{
    static const char *const keys[] = {"offset_min", NULL};
    struct site s;
    json_t *body = NULL, *detail;
    int64_t id, offset = 0;
    int before;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    err = api_body_json(rq, rs, &body);
    if (err)
        return err;
    err = jsonx_only_keys(body, "body", keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_int(body, "offset_min", true, -120, 120, &offset, rq->arena, &rs->errmsg);
    json_decref(body);
    if (err)
        return err;
    err = store_tx_begin(rq->store);
    if (err)
        return err;
    err = store_site_get(rq->store, api_org_filter(rq), id, rq->arena, &s);
    before = err ? 0 : s.fill_offset_min;
    if (!err)
        err = store_site_set_fill_offset(rq->store, api_org_filter(rq), id, (int)offset);
    if (!err) {
        detail = json_pack("{s:i,s:I}", "from", before, "to", (json_int_t)offset);
        err = detail ? audit_add_org(rq, s.org_id, "site.fill_window", "site", id, detail)
                     : OCDN_ENOMEM;
        json_decref(detail);
    }
    if (!err)
        err = store_site_get(rq->store, 0, id, rq->arena, &s);
    err = store_tx_end(rq->store, err);
    if (err)
        return err;
    return api_site_out(rs, &s);
}

/* JSON array of ids parsed from "1,5,7". */
static json_t *
id_array(const char *csv)
{
    json_t *a = json_array();
    const char *p = csv;
    char *end;

    while (a && *p) {
        long long v = strtoll(p, &end, 10);
        if (end == p)
            break;
        json_array_append_new(a, json_integer(v));
        p = *end == ',' ? end + 1 : end;
    }
    return a;
}

static bool
in_csv(const char *csv, int64_t id)
{
    const char *p = csv;
    char *end;

    while (*p) {
        long long v = strtoll(p, &end, 10);
        if (end == p)
            return false;
        if (v == id)
            return true;
        p = *end == ',' ? end + 1 : end;
    }
    return false;
}

enum ocdn_err
api_site_consistency(struct api_req *rq, struct api_resp *rs)
{
    struct oca_filter f;
    struct site s;
    struct oca *ocas, *active;
    struct route_gap *gaps, *mism;
    size_t nocas, nactive = 0, ngaps, nmism, i, j;
    json_t *missing, *differing, *ids, *g;
    char p[NET_PREFIX_STRLEN];
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    err = store_tx_begin_read(rq->store);
    if (err)
        return err;
    err = store_site_get(rq->store, api_org_filter(rq), id, rq->arena, &s);
    memset(&f, 0, sizeof(f));
    f.site_id = id;
    f.limit = SITE_MAX_OCAS;
    if (!err)
        err = store_oca_list(rq->store, &f, rq->arena, &ocas, &nocas);
    active = err ? NULL : arena_calloc(rq->arena, nocas + 1, sizeof(*active));
    if (!err && !active)
        err = OCDN_ENOMEM;
    for (i = 0; !err && i < nocas; i++) {
        if (!ocas[i].decommissioned)
            active[nactive++] = ocas[i];
    }
    if (!err)
        err = store_route_site_gaps(rq->store, id, (int64_t)nactive, CONSISTENCY_MAX, rq->arena,
                                    &gaps, &ngaps);
    if (!err)
        err = store_route_site_mismatches(rq->store, id, (int64_t)nactive, CONSISTENCY_MAX,
                                          rq->arena, &mism, &nmism);
    err = store_tx_end(rq->store, err);
    if (err)
        return err;

    ids = json_array();
    for (i = 0; ids && i < nactive; i++)
        json_array_append_new(ids, json_integer(active[i].id));
    missing = json_array();
    for (i = 0; missing && i < ngaps; i++) {
        json_t *miss = json_array();

        for (j = 0; miss && j < nactive; j++) {
            if (!in_csv(gaps[i].oca_ids, active[j].id))
                json_array_append_new(miss, json_integer(active[j].id));
        }
        net_prefix_format(&gaps[i].prefix, p, sizeof(p));
        g = json_pack("{s:s,s:o,s:o}", "prefix", p, "learned_by", id_array(gaps[i].oca_ids),
                      "missing_on", miss ? miss : json_array());
        json_array_append_new(missing, g);
    }
    differing = json_array();
    for (i = 0; differing && i < nmism; i++) {
        net_prefix_format(&mism[i].prefix, p, sizeof(p));
        json_array_append_new(differing, json_pack("{s:s,s:o}", "prefix", p, "learned_by",
                                                   id_array(mism[i].oca_ids)));
    }
    rs->body = json_pack("{s:I,s:s,s:o,s:b,s:o,s:o,s:b}", "site_id", (json_int_t)id, "site", s.name,
                         "ocas", ids ? ids : json_array(), "consistent", ngaps == 0 && nmism == 0,
                         "missing", missing ? missing : json_array(), "differing",
                         differing ? differing : json_array(), "truncated",
                         ngaps == CONSISTENCY_MAX || nmism == CONSISTENCY_MAX);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_oca_bgp(struct api_req *rq, struct api_resp *rs)
{
    struct bgp_session *v;
    struct oca o;
    size_t n, i;
    json_t *items;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    err = store_oca_get(rq->store, api_org_filter(rq), id, rq->arena, &o);
    if (!err)
        err = store_bgp_list(rq->store, id, rq->arena, &v, &n);
    if (err)
        return err;
    items = json_array();
    for (i = 0; items && i < n; i++) {
        json_array_append_new(items, json_pack("{s:s,s:s,s:I,s:s,s:s,s:o,s:I,s:s,s:o}", "name",
                                               v[i].name, "neighbor", v[i].neighbor, "peer_asn",
                                               (json_int_t)v[i].peer_asn, "family", v[i].family,
                                               "state", v[i].state, "since", api_time(v[i].since),
                                               "prefixes", (json_int_t)v[i].prefixes, "kind",
                                               v[i].kind, "updated_at", api_time(v[i].updated_at)));
    }
    rs->body = api_list(items, NULL);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_oca_bgp_kind(struct api_req *rq, struct api_resp *rs)
{
    static const char *const keys[] = {"kind", NULL};
    static const char *const kinds[] = {"auto", "embedded", "pni", "peering", "transit", NULL};
    json_t *body = NULL;
    int64_t id;
    int kind = 0;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    err = api_body_json(rq, rs, &body);
    if (err)
        return err;
    err = jsonx_only_keys(body, "body", keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_enum(body, "kind", true, kinds, &kind, rq->arena, &rs->errmsg);
    json_decref(body);
    if (err)
        return err;
    err = store_tx_begin(rq->store);
    if (err)
        return err;
    err = store_bgp_set_kind(rq->store, id, rq->params[1], kinds[kind]);
    if (!err)
        err = store_oca_bump_routes(rq->store, id);
    if (!err) {
        json_t *detail = json_pack("{s:s,s:s}", "session", rq->params[1], "kind", kinds[kind]);

        struct oca o;

        err = store_oca_get(rq->store, 0, id, rq->arena, &o);
        if (!err)
            err = detail ? audit_add_org(rq, o.org_id, "bgp.kind", "oca", id, detail) : OCDN_ENOMEM;
        json_decref(detail);
    }
    err = store_tx_end(rq->store, err);
    if (err)
        return err;
    if (rq->cp->steer)
        steer_engine_kick(rq->cp->steer);
    rs->body = json_pack("{s:I,s:s,s:s}", "oca_id", (json_int_t)id, "name", rq->params[1], "kind",
                         kinds[kind]);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_audit_list(struct api_req *rq, struct api_resp *rs)
{
    struct audit_rec *v;
    size_t n, i, limit;
    json_t *items, *e;
    char next[32];
    int64_t before;
    enum ocdn_err err;

    err = api_page_before(rq, rs, 100, 1000, &limit, &before);
    if (err)
        return err;
    err = store_audit_list(rq->store, api_org_filter(rq), before, limit, rq->arena, &v, &n);
    if (err)
        return err;
    items = json_array();
    for (i = 0; items && i < n; i++) {
        json_error_t je;
        json_t *detail = v[i].detail[0] ? json_loads(v[i].detail, 0, &je) : NULL;

        e = json_pack("{s:I,s:o,s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)v[i].id, "at",
                      api_time(v[i].at), "key_id", (json_int_t)v[i].key_id, "scope", v[i].scope,
                      "action", v[i].action, "object_type", v[i].object_type, "object_id",
                      v[i].object_id, "detail", detail ? detail : json_null());
        if (e && v[i].org_id)
            json_object_set_new(e, "org_id", json_integer(v[i].org_id));
        json_array_append_new(items, e);
    }
    snprintf(next, sizeof(next), "%lld", n ? (long long)v[n - 1].id : 0LL);
    rs->body = api_list(items, n == limit ? next : NULL);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}
