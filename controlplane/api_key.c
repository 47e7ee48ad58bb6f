/* api_key.c - /v1/keys: create, list and revoke API keys. The admin manages every key; a
 * partner manages the partner keys of its own org (rotation: create a new key, then revoke
 * the old one). A key is shown once, at creation. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_handlers.h"
#include "audit.h"
#include "cp.h"
#include "jsonx.h"
#include "store.h"
#include "store_key.h"
#include "store_org.h"

static json_t *
key_json(const struct api_key_rec *k)
{
    json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)k->id, "prefix", k->prefix,
                          "scope", k->scope, "label", k->label, "created_at",
                          api_time(k->created_at), "revoked_at", api_time(k->revoked_at));

    if (j && k->org_id)
        json_object_set_new(j, "org_id", json_integer(k->org_id));
    if (j && k->oca_id)
        json_object_set_new(j, "oca_id", json_integer(k->oca_id));
    return j;
}

enum ocdn_err
api_key_create(struct api_req *rq, struct api_resp *rs)
{
    static const char *const keys[] = {"scope", "org_id", "label", NULL};
    static const char *const scopes[] = {"admin", "frontend", "partner", NULL};
    static const enum scope scope_of[] = {SCOPE_ADMIN, SCOPE_FRONTEND, SCOPE_PARTNER};
    char key[AUTH_KEY_STRLEN];
    const char *label = "";
    json_t *body = NULL;
    struct org org;
    int64_t org_id = 0, id = 0;
    int which = 2;
    enum scope scope;
    enum ocdn_err err;

    err = api_body_json(rq, rs, &body);
    if (err)
        return err;
    err = jsonx_only_keys(body, "body", keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_enum(body, "scope", rq->tenant->scope == SCOPE_ADMIN, scopes, &which,
                             rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_int(body, "org_id", false, 1, INT64_MAX, &org_id, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_str(body, "label", false, 0, 128, &label, rq->arena, &rs->errmsg);
    if (err)
        goto out;
    scope = scope_of[which];
    if (rq->tenant->scope == SCOPE_PARTNER) {
        /* A partner only ever makes keys for itself. */
        if (scope != SCOPE_PARTNER || (org_id && org_id != rq->tenant->org_id)) {
            err = api_fail(rq, rs,
                           "field 'scope': a partner key can only create partner keys "
                           "of its own org");
            goto out;
        }
        org_id = rq->tenant->org_id;
    }
    if (scope == SCOPE_PARTNER && !org_id) {
        err = api_fail(rq, rs, "field 'org_id': required for a partner key");
        goto out;
    }
    if (scope != SCOPE_PARTNER && org_id) {
        err = api_fail(rq, rs, "field 'org_id': only partner keys belong to an org");
        goto out;
    }
    err = store_tx_begin(rq->store);
    if (err)
        goto out;
    if (scope == SCOPE_PARTNER)
        err = store_org_get(rq->store, org_id, rq->arena, &org);
    if (err == OCDN_ENOTFOUND)
        err = api_fail(rq, rs, "field 'org_id': no such org");
    if (!err)
        err = auth_key_create(rq->store, scope, org_id, 0, label, rq->now, key, &id);
    if (!err)
        err = audit_add_org(rq, org_id, "key.create", "key", id, NULL);
    err = store_tx_end(rq->store, err);
    if (err)
        goto out;
    rs->status = 201;
    rs->body = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "scope", scope_str(scope),
                         "label", label, "key", key);
    if (rs->body && org_id)
        json_object_set_new(rs->body, "org_id", json_integer(org_id));
    memset(key, 0, sizeof(key));
    err = rs->body ? OCDN_OK : OCDN_ENOMEM;
out:
    json_decref(body);
    return err;
}

enum ocdn_err
api_key_list(struct api_req *rq, struct api_resp *rs)
{
    struct api_key_rec *v;
    size_t n, i, limit;
    int64_t before;
    json_t *items;
    char next[32];
    enum ocdn_err err;

    err = api_page_before(rq, rs, 100, 1000, &limit, &before);
    if (err)
        return err;
    err = store_key_list(rq->store, api_org_filter(rq), before, limit, rq->arena, &v, &n);
    if (err)
        return err;
    items = json_array();
    for (i = 0; items && i < n; i++)
        json_array_append_new(items, key_json(&v[i]));
    snprintf(next, sizeof(next), "%lld", n ? (long long)v[n - 1].id : 0LL);
    rs->body = api_list(items, n == limit ? next : NULL);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_key_revoke(struct api_req *rq, struct api_resp *rs)
{
    struct api_key_rec k;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    err = store_tx_begin(rq->store);
    if (err)
        return err;
    err = store_key_get(rq->store, api_org_filter(rq), id, rq->arena, &k);
    if (!err)
        err = store_key_revoke(rq->store, api_org_filter(rq), id, rq->now);
    if (!err)
        err = audit_add_org(rq, k.org_id, "key.revoke", "key", id, NULL);
    err = store_tx_end(rq->store, err);
    if (err)
        return err;
    auth_flush(rq->cp->auth);
    rs->body = json_pack("{s:I,s:b}", "id", (json_int_t)id, "revoked", 1);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}
