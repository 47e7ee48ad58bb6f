/* api_org.c - /v1/orgs: create, list and show organisations (admin), and a partner's view of
 * its own org. JSON in and out; rules in oca.c; rows from store_org.c. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_handlers.h"
#include "audit.h"
#include "jsonx.h"
#include "oca.h"
#include "store_org.h"

#define ORG_MAX_ASNS 64

static const char *const org_kinds[] = {"isp", "ix", "operator", NULL};

static bool
valid_slug(const char *s)
{
    size_t i, n = strlen(s);

    if (n < 2 || n > 32 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (i = 0; i < n; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    }
    return true;
}

/* ASNs a partner may own: not 0, AS_TRANS (23456), nor the last of each range. */
static bool
valid_asn(int64_t asn)
{
    return asn >= 1 && asn <= 4294967294LL && asn != 23456 && asn != 65535;
}

enum ocdn_err
api_org_create(struct api_req *rq, struct api_resp *rs)
{
    static const char *const keys[] = {"name", "display_name", "kind", "asns", NULL};
    struct audit_who who;
    struct org o;
    json_t *body = NULL, *asns = NULL, *v;
    int64_t ids[ORG_MAX_ASNS], id;
    int kind = 0;
    size_t i;
    enum ocdn_err err;

    memset(&o, 0, sizeof(o));
    err = api_body_json(rq, rs, &body);
    if (err)
        return err;
    err = jsonx_only_keys(body, "body", keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_str(body, "name", true, 2, 32, &o.name, rq->arena, &rs->errmsg);
    if (!err && !valid_slug(o.name))
        err = api_fail(rq, rs,
                       "field 'name': lower-case letters, digits and '-' (2..32), used in site "
                       "names");
    if (!err)
        err = jsonx_get_str(body, "display_name", true, 1, 128, &o.display_name, rq->arena,
                            &rs->errmsg);
    if (!err)
        err = jsonx_get_enum(body, "kind", true, org_kinds, &kind, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_array(body, "asns", false, ORG_MAX_ASNS, &asns, rq->arena, &rs->errmsg);
    for (i = 0; !err && asns && i < json_array_size(asns); i++) {
        v = json_array_get(asns, i);
        if (!json_is_integer(v) || !valid_asn(json_integer_value(v)))
            err = api_fail(
                rq, rs,
                "field 'asns[%zu]': must be an AS number 1..4294967294 (not 23456 or 65535)", i);
        else
            ids[i] = json_integer_value(v);
    }
    if (err)
        goto out;
    o.name = arena_strdup(rq->arena, o.name);
    o.display_name = arena_strdup(rq->arena, o.display_name);
    o.kind = org_kinds[kind];
    o.asns = ids;
    o.nasns = asns ? json_array_size(asns) : 0;
    o.created_at = rq->now;
    audit_who_of(rq, &who);
    err = org_create(rq->store, &who, &o, &id);
    if (err == OCDN_EEXIST)
        rs->errmsg = "an org with this name exists";
    if (err)
        goto out;
    err = store_org_get(rq->store, id, rq->arena, &o);
    if (err)
        goto out;
    rs->status = 201;
    err = api_org_out(rs, &o);
out:
    json_decref(body);
    return err;
}

enum ocdn_err
api_org_list(struct api_req *rq, struct api_resp *rs)
{
    struct org *v;
    size_t n, limit;
    int64_t after;
    enum ocdn_err err;

    err = api_page(rq, rs, 100, 1000, &limit, &after);
    if (err)
        return err;
    err = store_org_list(rq->store, after, limit, rq->arena, &v, &n);
    if (err)
        return err;
    return api_org_list_out(rs, v, n, n == limit);
}

enum ocdn_err
api_org_get(struct api_req *rq, struct api_resp *rs)
{
    struct org o;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    /* A partner may read its own org and nothing else. */
    if (rq->tenant->scope == SCOPE_PARTNER && id != rq->tenant->org_id)
        return OCDN_ENOTFOUND;
    err = store_org_get(rq->store, id, rq->arena, &o);
    if (err)
        return err;
    return api_org_out(rs, &o);
}
