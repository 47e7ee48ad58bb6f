/* api_notif.c - notifications (open, acknowledged, closed) of the caller's org, and their
 * acknowledgement. Acknowledging a prefix-drop notification accepts the new prefix count as
 * the OCA's normal. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_handlers.h"
#include "audit.h"
#include "store.h"
#include "store_notif.h"
#include "store_oca.h"

static const char *const notif_states[] = {"open", "acknowledged", "closed", NULL};

static json_t *
notif_json(const struct notif_rec *r)
{
    json_t *j =
        json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "id", (json_int_t)r->id, "org_id",
                  (json_int_t)r->org_id, "kind", r->kind, "severity", r->severity, "state",
                  r->state, "message", r->message, "opened_at", api_time(r->opened_at),
                  "acknowledged_at", api_time(r->acked_at), "closed_at", api_time(r->closed_at));

    if (j && r->oca_id)
        json_object_set_new(j, "oca_id", json_integer(r->oca_id));
    if (j && r->clear_since && strcmp(r->state, "closed") != 0)
        json_object_set_new(j, "clearing_since", api_time(r->clear_since));
    return j;
}

static bool
valid_kind(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_') || i >= 32)
            return false;
    }
    return i > 0;
}

enum ocdn_err
api_notif_list(struct api_req *rq, struct api_resp *rs)
{
    struct notif_filter f;
    struct notif_rec *v;
    const char *s;
    size_t n, i;
    json_t *items;
    char next[32];
    int k;
    enum ocdn_err err;

    memset(&f, 0, sizeof(f));
    f.org_id = api_org_filter(rq);
    err = api_page_before(rq, rs, 100, 1000, &f.limit, &f.before_id);
    if (!err)
        err = api_query_uint(rq, rs, "oca_id", 1, INT64_MAX / 10, 0, &f.oca_id);
    if (err)
        return err;
    s = api_query(rq, "state");
    if (s) {
        for (k = 0; notif_states[k] && strcmp(notif_states[k], s) != 0; k++)
            ;
        if (!notif_states[k])
            return api_fail(rq, rs, "state: open, acknowledged or closed");
        f.state = notif_states[k];
    }
    s = api_query(rq, "kind");
    if (s && !valid_kind(s))
        return api_fail(rq, rs, "kind: lower-case letters and '_'");
    f.kind = s;
    err = store_notif_list(rq->store, &f, rq->arena, &v, &n);
    if (err)
        return err;
    items = json_array();
    for (i = 0; items && i < n; i++)
        json_array_append_new(items, notif_json(&v[i]));
    snprintf(next, sizeof(next), "%lld", n ? (long long)v[n - 1].id : 0LL);
    rs->body = api_list(items, n == f.limit ? next : NULL);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_notif_get(struct api_req *rq, struct api_resp *rs)
{
    struct notif_rec r;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (!err)
        err = store_notif_get(rq->store, api_org_filter(rq), id, rq->arena, &r);
    if (err)
        return err;
    rs->body = notif_json(&r);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_notif_ack(struct api_req *rq, struct api_resp *rs)
{
    struct notif_rec r;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    err = store_tx_begin(rq->store);
    if (err)
        return err;
    err = store_notif_ack(rq->store, api_org_filter(rq), id, rq->tenant->key_id, rq->now);
    if (err == OCDN_ECONFLICT)
        rs->errmsg = "only an open notification can be acknowledged";
    if (!err)
        err = store_notif_get(rq->store, 0, id, rq->arena, &r);
    if (!err && r.oca_id && strcmp(r.kind, "prefix_drop") == 0)
        err = store_oca_reset_prefix_peak(rq->store, r.oca_id);
    if (!err)
        err = audit_add_org(rq, r.org_id, "notification.ack", "notification", id, NULL);
    err = store_tx_end(rq->store, err);
    if (err)
        return err;
    rs->body = notif_json(&r);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}
