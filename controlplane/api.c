/* api.c - helpers shared by the API handlers: tenant filter, pagination, errors, and the JSON
 * shape of each record (one place, so every route shows an object the same way). */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "net.h"

#define API_OUT_MAX (256u * 1024 * 1024) /* largest response body */

int64_t
api_org_filter(const struct api_req *rq)
{
    return rq->tenant->scope == SCOPE_PARTNER ? rq->tenant->org_id : 0;
}

enum ocdn_err
api_fail(struct api_req *rq, struct api_resp *rs, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    rs->errmsg = arena_vprintf(rq->arena, fmt, ap);
    va_end(ap);
    return OCDN_EINVAL;
}

enum ocdn_err
api_query_uint(struct api_req *rq, struct api_resp *rs, const char *key, int64_t min, int64_t max,
               int64_t def, int64_t *out)
{
    const char *s = api_query(rq, key);
    int64_t v = 0;
    size_t i;

    *out = def;
    if (!s)
        return OCDN_OK;
    for (i = 0; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 18)
            return api_fail(rq, rs, "%s: must be an integer from %lld to %lld", key, (long long)min,
                            (long long)max);
        v = v * 10 + (s[i] - '0');
    }
    if (i == 0 || v < min || v > max)
        return api_fail(rq, rs, "%s: must be an integer from %lld to %lld", key, (long long)min,
                        (long long)max);
    *out = v;
    return OCDN_OK;
}

enum ocdn_err
api_page(struct api_req *rq, struct api_resp *rs, size_t def, size_t max, size_t *limit,
         int64_t *after)
{
    int64_t l;
    enum ocdn_err err;

    err = api_query_uint(rq, rs, "limit", 1, (int64_t)max, (int64_t)def, &l);
    if (!err)
        err = api_query_uint(rq, rs, "after", 0, INT64_MAX / 10, 0, after);
    *limit = (size_t)l;
    return err;
}

enum ocdn_err
api_page_before(struct api_req *rq, struct api_resp *rs, size_t def, size_t max, size_t *limit,
                int64_t *before)
{
    int64_t l;
    enum ocdn_err err;

    err = api_query_uint(rq, rs, "limit", 1, (int64_t)max, (int64_t)def, &l);
    if (!err)
        err = api_query_uint(rq, rs, "before", 1, INT64_MAX / 10, 0, before);
    *limit = (size_t)l;
    return err;
}

json_t *
api_list(json_t *items, const char *next)
{
    json_t *j = json_object();

    if (!j || !items) {
        json_decref(j);
        json_decref(items);
        return NULL;
    }
    json_object_set_new(j, "items", items);
    if (next)
        json_object_set_new(j, "next", json_string(next));
    return j;
}

json_t *
api_time(int64_t unix_s)
{
    char buf[32];

    if (unix_s <= 0)
        return json_null();
    return json_string(clock_format_utc(unix_s, buf, sizeof(buf)));
}

bool
api_etag_match(const char *header, const char *etag)
{
    size_t n = strlen(etag);
    const char *p = header;

    while (p && *p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (*p == '"' && strncmp(p + 1, etag, n) == 0 && p[1 + n] == '"')
            return true;
        p = strchr(p, ',');
    }
    return false;
}

bool
api_valid_object_id(const char *s)
{
    size_t i;

    if (!s || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
                (s[0] >= '0' && s[0] <= '9')))
        return false;
    for (i = 1; s[i]; i++) {
        char c = s[i];
        if (i >= 128)
            return false;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

void
api_out_begin(struct buf *b, struct jsonw *w)
{
    buf_init(b, API_OUT_MAX);
    buf_reserve(b, 8 * 1024); /* most answers fit without growing (a hint only) */
    jsonw_init(w, b);
}

enum ocdn_err
api_out_done(struct api_resp *rs, struct buf *b, struct jsonw *w)
{
    enum ocdn_err err = jsonw_finish(w);

    if (err) {
        buf_clear(b);
        return err == OCDN_ETOOBIG ? OCDN_ENOMEM : err;
    }
    rs->raw_len = b->len;
    rs->raw = buf_take(b);
    rs->content_type = "application/json";
    return rs->raw ? OCDN_OK : OCDN_ENOMEM;
}

void
api_list_begin(struct jsonw *w)
{
    jsonw_obj(w);
    jsonw_key(w, "items");
    jsonw_arr(w);
}

void
api_list_end(struct jsonw *w, const char *next)
{
    jsonw_arr_end(w);
    if (next)
        jsonw_kstr(w, "next", next);
    jsonw_obj_end(w);
}

void
api_org_fields(struct jsonw *w, const struct org *o)
{
    size_t i;

    jsonw_kint(w, "id", o->id);
    jsonw_kstr(w, "name", o->name);
    jsonw_kstr(w, "display_name", o->display_name);
    jsonw_kstr(w, "kind", o->kind);
    jsonw_key(w, "asns");
    jsonw_arr(w);
    for (i = 0; i < o->nasns; i++)
        jsonw_int(w, o->asns[i]);
    jsonw_arr_end(w);
    jsonw_ktime(w, "created_at", o->created_at);
}

void
api_site_fields(struct jsonw *w, const struct site *s)
{
    jsonw_kint(w, "id", s->id);
    jsonw_kint(w, "org_id", s->org_id);
    jsonw_kstr(w, "name", s->name);
    jsonw_kstr(w, "iata", s->iata);
    jsonw_kint(w, "number", s->number);
    jsonw_kstr(w, "type", site_type_str(s->type));
    jsonw_kreal(w, "lat", s->lat, 6);
    jsonw_kreal(w, "lon", s->lon, 6);
    jsonw_kstr(w, "tz", s->tz);
    jsonw_kint(w, "fill_offset_min", s->fill_offset_min);
    jsonw_kstr(w, "manifest_cluster", s->manifest_cluster);
    jsonw_ktime(w, "created_at", s->created_at);
}

void
api_oca_fields(struct jsonw *w, const struct oca *o)
{
    jsonw_kint(w, "id", o->id);
    jsonw_kint(w, "site_id", o->site_id);
    jsonw_kint(w, "org_id", o->org_id);
    jsonw_kstr(w, "site", o->site_name);
    jsonw_kint(w, "number", o->number);
    jsonw_kstr(w, "hostname", o->hostname);
    jsonw_key(w, "ipv4_hostname");
    jsonw_str2(w, "ipv4-", o->hostname);
    jsonw_key(w, "ipv6_hostname");
    jsonw_str2(w, "ipv6-", o->hostname);
    jsonw_kstr(w, "model", oca_model_str(o->model));
    jsonw_kint(w, "capacity_bytes", o->capacity_bytes);
    jsonw_kint(w, "nic_bps", o->nic_bps);
    jsonw_kstr(w, "ipv4", o->ipv4);
    jsonw_kstr(w, "ipv6", o->ipv6);
    jsonw_kint(w, "http_port", o->http_port);
    jsonw_kint(w, "https_port", o->https_port);
    jsonw_kstr(w, "status", oca_status_str(o->status));
    jsonw_ktime(w, "status_since", o->status_since);
    jsonw_ktime(w, "last_report_at", o->last_report_at);
    jsonw_kint(w, "last_seq", o->last_seq);
    jsonw_kint(w, "load_bps", o->load_bps);
    jsonw_kint(w, "prefixes", o->prefix_count);
    jsonw_key(w, "bgp");
    jsonw_obj(w);
    jsonw_kint(w, "sessions", o->bgp_sessions);
    jsonw_kint(w, "established", o->bgp_established);
    jsonw_obj_end(w);
    /* Stored as canonical JSON by the report ingest (jansson output of a validated object). */
    jsonw_key(w, "health");
    jsonw_raw(w, o->health && o->health[0] == '{' ? o->health : "{}");
    jsonw_key(w, "traffic");
    jsonw_raw(w, o->traffic && o->traffic[0] == '{' ? o->traffic : "{}");
    jsonw_ktime(w, "created_at", o->created_at);
}

void
api_route_fields(struct jsonw *w, const struct route *r)
{
    char p[NET_PREFIX_STRLEN];

    net_prefix_format(&r->prefix, p, sizeof(p));
    jsonw_kstr(w, "prefix", p);
    jsonw_kstr(w, "proto", r->proto);
    jsonw_kstr(w, "as_path", r->as_path);
    jsonw_kint(w, "as_path_len", r->as_path_len);
    jsonw_key(w, "med");
    if (r->med >= 0)
        jsonw_int(w, r->med);
    else
        jsonw_null(w);
    jsonw_kstr(w, "communities", r->communities);
    jsonw_kstr(w, "next_hop", r->next_hop);
    jsonw_kbool(w, "bogon", (r->flags & ROUTE_F_BOGON) != 0);
    jsonw_kbool(w, "default", (r->flags & ROUTE_F_DEFAULT) != 0);
    jsonw_ktime(w, "learned_at", r->learned_at);
}

void
api_file_fields(struct jsonw *w, const struct file_rec *f)
{
    jsonw_kstr(w, "id", f->id);
    jsonw_kstr(w, "title_id", f->title_id);
    jsonw_kint(w, "size", f->size);
    jsonw_kstr(w, "sha256", f->sha256);
    jsonw_kstr(w, "profile", f->profile);
    jsonw_kint(w, "bitrate_kbps", f->bitrate_kbps);
    jsonw_kstr(w, "region", f->region);
    jsonw_ktime(w, "created_at", f->created_at);
}

/* One record as the whole response. */
#define API_OUT_ONE(name, type, fields)                                                            \
    enum ocdn_err name(struct api_resp *rs, const type *rec)                                       \
    {                                                                                              \
        struct buf b;                                                                              \
        struct jsonw w;                                                                            \
                                                                                                   \
        api_out_begin(&b, &w);                                                                     \
        jsonw_obj(&w);                                                                             \
        fields(&w, rec);                                                                           \
        jsonw_obj_end(&w);                                                                         \
        return api_out_done(rs, &b, &w);                                                           \
    }

API_OUT_ONE(api_org_out, struct org, api_org_fields)
API_OUT_ONE(api_site_out, struct site, api_site_fields)
API_OUT_ONE(api_oca_out, struct oca, api_oca_fields)
API_OUT_ONE(api_file_out, struct file_rec, api_file_fields)

/* Records as {"items": [...], "next": "<last id>"} (next only when more may follow). */
#define API_OUT_LIST(name, type, fields)                                                           \
    enum ocdn_err name(struct api_resp *rs, const type *v, size_t n, bool more)                    \
    {                                                                                              \
        struct buf b;                                                                              \
        struct jsonw w;                                                                            \
        char next[32];                                                                             \
        size_t i;                                                                                  \
                                                                                                   \
        api_out_begin(&b, &w);                                                                     \
        api_list_begin(&w);                                                                        \
        for (i = 0; i < n; i++) {                                                                  \
            jsonw_obj(&w);                                                                         \
            fields(&w, &v[i]);                                                                     \
            jsonw_obj_end(&w);                                                                     \
        }                                                                                          \
        snprintf(next, sizeof(next), "%lld", n ? (long long)v[n - 1].id : 0LL);                    \
        api_list_end(&w, more &&n ? next : NULL);                                                  \
        return api_out_done(rs, &b, &w);                                                           \
    }

API_OUT_LIST(api_org_list_out, struct org, api_org_fields)
API_OUT_LIST(api_site_list_out, struct site, api_site_fields)
API_OUT_LIST(api_oca_list_out, struct oca, api_oca_fields)
