/* api.c - helpers shared by the API handlers: tenant filter, pagination, errors, and the JSON
 * shape of each record (one place, so every route shows an object the same way). */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "net.h"

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

json_t *
api_org_json(const struct org *o)
{
    json_t *asns = json_array();
    size_t i;

    for (i = 0; asns && i < o->nasns; i++)
        json_array_append_new(asns, json_integer(o->asns[i]));
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)o->id, "name", o->name,
                     "display_name", o->display_name, "kind", o->kind, "asns",
                     asns ? asns : json_array(), "created_at", api_time(o->created_at));
}

json_t *
api_site_json(const struct site *s)
{
    return json_pack("{s:I,s:I,s:s,s:s,s:i,s:s,s:f,s:f,s:s,s:i,s:o,s:o}", "id", (json_int_t)s->id,
                     "org_id", (json_int_t)s->org_id, "name", s->name, "iata", s->iata, "number",
                     s->number, "type", site_type_str(s->type), "lat", s->lat, "lon", s->lon, "tz",
                     s->tz, "fill_offset_min", s->fill_offset_min, "manifest_cluster",
                     s->manifest_cluster ? json_string(s->manifest_cluster) : json_null(),
                     "created_at", api_time(s->created_at));
}

json_t *
api_oca_json(const struct oca *o)
{
    char v4[300], v6[300];

    snprintf(v4, sizeof(v4), "ipv4-%s", o->hostname);
    snprintf(v6, sizeof(v6), "ipv6-%s", o->hostname);
    return json_pack(
        "{s:I,s:I,s:I,s:s,s:i,s:s,s:s,s:s,s:s,s:I,s:I,s:o,s:o,s:i,s:i,s:s,s:o,s:I,"
        "s:I,s:o}",
        "id", (json_int_t)o->id, "site_id", (json_int_t)o->site_id, "org_id", (json_int_t)o->org_id,
        "site", o->site_name, "number", o->number, "hostname", o->hostname, "ipv4_hostname", v4,
        "ipv6_hostname", v6, "model", oca_model_str(o->model), "capacity_bytes",
        (json_int_t)o->capacity_bytes, "nic_bps", (json_int_t)o->nic_bps, "ipv4",
        o->ipv4 ? json_string(o->ipv4) : json_null(), "ipv6",
        o->ipv6 ? json_string(o->ipv6) : json_null(), "http_port", o->http_port, "https_port",
        o->https_port, "status", oca_status_str(o->status), "last_report_at",
        api_time(o->last_report_at), "last_seq", (json_int_t)o->last_seq, "load_bps",
        (json_int_t)o->load_bps, "created_at", api_time(o->created_at));
}

json_t *
api_route_json(const struct route *r)
{
    char p[NET_PREFIX_STRLEN];
    json_t *j;

    net_prefix_format(&r->prefix, p, sizeof(p));
    j = json_pack("{s:s,s:s,s:s,s:i,s:o,s:s,s:s,s:b,s:b,s:o}", "prefix", p, "proto", r->proto,
                  "as_path", r->as_path, "as_path_len", r->as_path_len, "med",
                  r->med >= 0 ? json_integer(r->med) : json_null(), "communities", r->communities,
                  "next_hop", r->next_hop, "bogon", (r->flags & ROUTE_F_BOGON) != 0, "default",
                  (r->flags & ROUTE_F_DEFAULT) != 0, "learned_at", api_time(r->learned_at));
    return j;
}

json_t *
api_file_json(const struct file_rec *f)
{
    return json_pack("{s:s,s:s,s:I,s:s,s:s,s:I,s:s,s:o}", "id", f->id, "title_id", f->title_id,
                     "size", (json_int_t)f->size, "sha256", f->sha256, "profile", f->profile,
                     "bitrate_kbps", (json_int_t)f->bitrate_kbps, "region", f->region, "created_at",
                     api_time(f->created_at));
}
