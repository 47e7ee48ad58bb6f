/* api_maint.c - drain and maintenance windows of OCAs and sites (partner portal).
 * Rules from the Open Connect partner documentation: a window starts now or later, at most
 * three months ahead, and lasts 3 hours to 30 days; windows of one target do not overlap. An
 * OCA shows the window's status while it is in force (the sweeper applies it). */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_handlers.h"
#include "audit.h"
#include "clock.h"
#include "cp.h"
#include "jsonx.h"
#include "store.h"
#include "store_maint.h"
#include "store_oca.h"
#include "store_site.h"
#include "sweeper.h"

#define MAINT_AHEAD_MAX_S (92LL * 86400) /* "up to 3 months ahead" */
#define MAINT_LEN_MIN_S   (3LL * 3600)
#define MAINT_LEN_MAX_S   (30LL * 86400)
#define MAINT_SKEW_S      300 /* a start this far in the past counts as "now" */
#define MAINT_NOTE_MAX    256

static const char *const maint_kinds[] = {"drain", "maintenance", NULL};

static json_t *
maint_json(const struct maint_rec *m, int64_t now)
{
    const char *state = m->cancelled_at       ? "cancelled"
                        : now >= m->ends_at   ? "ended"
                        : now >= m->starts_at ? "active"
                                              : "scheduled";
    json_t *j =
        json_pack("{s:I,s:I,s:s,s:s,s:o,s:o,s:s,s:o,s:o}", "id", (json_int_t)m->id, "org_id",
                  (json_int_t)m->org_id, "kind", m->kind, "state", state, "start",
                  api_time(m->starts_at), "end", api_time(m->ends_at), "note", m->note,
                  "created_at", api_time(m->created_at), "cancelled_at", api_time(m->cancelled_at));

    if (j && m->oca_id)
        json_object_set_new(j, "oca_id", json_integer(m->oca_id));
    if (j && m->site_id)
        json_object_set_new(j, "site_id", json_integer(m->site_id));
    return j;
}

static enum ocdn_err
get_time(struct api_req *rq, struct api_resp *rs, json_t *body, const char *key, bool required,
         int64_t *out)
{
    const char *s = NULL;
    enum ocdn_err err;

    err = jsonx_get_str(body, key, required, 1, 32, &s, rq->arena, &rs->errmsg);
    if (err || !s)
        return err;
    if (clock_parse_utc(s, out) != OCDN_OK)
        return api_fail(rq, rs, "field '%s': a UTC time like 2026-11-24T03:00:00Z", key);
    return OCDN_OK;
}

/* Parse and check a window request; the target (oca_id or site_id) is filled by the caller. */
static enum ocdn_err
parse_window(struct api_req *rq, struct api_resp *rs, struct maint_rec *m)
{
    static const char *const keys[] = {"kind", "start", "end", "note", NULL};
    json_t *body = NULL;
    int kind = 0;
    int64_t start = rq->now, end = 0;
    const char *note = "";
    enum ocdn_err err;

    memset(m, 0, sizeof(*m));
    err = api_body_json(rq, rs, &body);
    if (err)
        return err;
    err = jsonx_only_keys(body, "body", keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_enum(body, "kind", true, maint_kinds, &kind, rq->arena, &rs->errmsg);
    if (!err)
        err = get_time(rq, rs, body, "start", false, &start);
    if (!err)
        err = get_time(rq, rs, body, "end", true, &end);
    if (!err)
        err = jsonx_get_str(body, "note", false, 0, MAINT_NOTE_MAX, &note, rq->arena, &rs->errmsg);
    if (!err && start < rq->now - MAINT_SKEW_S)
        err = api_fail(rq, rs, "field 'start': must not be in the past");
    if (start < rq->now)
        start = rq->now; /* "now" give or take the skew: the window starts now */
    if (!err && start > rq->now + MAINT_AHEAD_MAX_S)
        err = api_fail(rq, rs, "field 'start': at most 3 months (92 days) ahead");
    if (!err && (end - start < MAINT_LEN_MIN_S || end - start > MAINT_LEN_MAX_S))
        err = api_fail(rq, rs, "field 'end': a window lasts from 3 hours to 30 days");
    if (!err) {
        m->kind = maint_kinds[kind];
        m->starts_at = start;
        m->ends_at = end;
        m->note = arena_strdup(rq->arena, note);
        m->created_at = rq->now;
        m->created_by = rq->tenant->key_id;
    }
    json_decref(body);
    return err;
}

static enum ocdn_err
create(struct api_req *rq, struct api_resp *rs, struct maint_rec *m)
{
    int64_t id = 0, overlaps = 0;
    json_t *detail;
    enum ocdn_err err;

    err =
        store_maint_overlaps(rq->store, m->oca_id, m->site_id, m->starts_at, m->ends_at, &overlaps);
    if (!err && overlaps) {
        rs->errmsg = "another window of this target overlaps this one; cancel it first";
        err = OCDN_ECONFLICT;
    }
    if (!err)
        err = store_maint_insert(rq->store, m, &id);
    if (!err) {
        m->id = id;
        detail = maint_json(m, rq->now);
        err = detail ? audit_add_org(rq, m->org_id, "maintenance.create", "maintenance", id, detail)
                     : OCDN_ENOMEM;
        json_decref(detail);
    }
    return err;
}

static enum ocdn_err
finish_create(struct api_req *rq, struct api_resp *rs, enum ocdn_err err, const struct maint_rec *m)
{
    err = store_tx_end(rq->store, err);
    if (err)
        return err;
    sweeper_kick(rq->cp);
    rs->status = 201;
    rs->body = maint_json(m, rq->now);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_maint_create_oca(struct api_req *rq, struct api_resp *rs)
{
    struct maint_rec m;
    struct oca o;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    err = parse_window(rq, rs, &m);
    if (err)
        return err;
    err = store_tx_begin(rq->store);
    if (err)
        return err;
    err = store_oca_get(rq->store, api_org_filter(rq), id, rq->arena, &o);
    if (!err && o.decommissioned) {
        rs->errmsg = "the OCA is decommissioned";
        err = OCDN_ECONFLICT;
    }
    if (!err) {
        m.org_id = o.org_id;
        m.oca_id = id;
        err = create(rq, rs, &m);
    }
    return finish_create(rq, rs, err, &m);
}

enum ocdn_err
api_maint_create_site(struct api_req *rq, struct api_resp *rs)
{
    struct maint_rec m;
    struct site s;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    err = parse_window(rq, rs, &m);
    if (err)
        return err;
    err = store_tx_begin(rq->store);
    if (err)
        return err;
    err = store_site_get(rq->store, api_org_filter(rq), id, rq->arena, &s);
    if (!err) {
        m.org_id = s.org_id;
        m.site_id = id;
        err = create(rq, rs, &m);
    }
    return finish_create(rq, rs, err, &m);
}

static enum ocdn_err
list(struct api_req *rq, struct api_resp *rs, struct maint_filter *f)
{
    struct maint_rec *v;
    const char *s;
    size_t n, i;
    json_t *items;
    char next[32];
    enum ocdn_err err;

    f->org_id = api_org_filter(rq);
    f->now = rq->now;
    err = api_page_before(rq, rs, 100, 1000, &f->limit, &f->before_id);
    if (err)
        return err;
    s = api_query(rq, "current");
    if (s && strcmp(s, "1") != 0 && strcmp(s, "0") != 0 && strcmp(s, "true") != 0 &&
        strcmp(s, "false") != 0)
        return api_fail(rq, rs, "current: 1/true or 0/false");
    f->current = s && (strcmp(s, "1") == 0 || strcmp(s, "true") == 0);
    err = store_maint_list(rq->store, f, rq->arena, &v, &n);
    if (err)
        return err;
    items = json_array();
    for (i = 0; items && i < n; i++)
        json_array_append_new(items, maint_json(&v[i], rq->now));
    snprintf(next, sizeof(next), "%lld", n ? (long long)v[n - 1].id : 0LL);
    rs->body = api_list(items, n == f->limit ? next : NULL);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_maint_list(struct api_req *rq, struct api_resp *rs)
{
    struct maint_filter f;

    memset(&f, 0, sizeof(f));
    return list(rq, rs, &f);
}

enum ocdn_err
api_maint_list_oca(struct api_req *rq, struct api_resp *rs)
{
    struct maint_filter f;
    struct oca o;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (!err)
        err = store_oca_get(rq->store, api_org_filter(rq), id, rq->arena, &o);
    if (err)
        return err;
    memset(&f, 0, sizeof(f));
    f.oca_id = id;
    return list(rq, rs, &f);
}

enum ocdn_err
api_maint_list_site(struct api_req *rq, struct api_resp *rs)
{
    struct maint_filter f;
    struct site s;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (!err)
        err = store_site_get(rq->store, api_org_filter(rq), id, rq->arena, &s);
    if (err)
        return err;
    memset(&f, 0, sizeof(f));
    f.site_id = id;
    return list(rq, rs, &f);
}

enum ocdn_err
api_maint_get(struct api_req *rq, struct api_resp *rs)
{
    struct maint_rec m;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (!err)
        err = store_maint_get(rq->store, api_org_filter(rq), id, rq->arena, &m);
    if (err)
        return err;
    rs->body = maint_json(&m, rq->now);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_maint_cancel(struct api_req *rq, struct api_resp *rs)
{
    struct maint_rec m;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    err = store_tx_begin(rq->store);
    if (err)
        return err;
    err = store_maint_cancel(rq->store, api_org_filter(rq), id, rq->now);
    if (err == OCDN_ECONFLICT)
        rs->errmsg = "the window is already cancelled or over";
    if (!err)
        err = store_maint_get(rq->store, 0, id, rq->arena, &m);
    if (!err)
        err = audit_add_org(rq, m.org_id, "maintenance.cancel", "maintenance", id, NULL);
    err = store_tx_end(rq->store, err);
    if (err)
        return err;
    sweeper_kick(rq->cp);
    rs->body = maint_json(&m, rq->now);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}
