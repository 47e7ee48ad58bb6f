/* api_site.c - /v1/sites: create (admin), list and show (admin, partner: own sites only).
 * Coordinates and time zone come from the IATA airport table unless given. */
#include <stdio.h>
#include <string.h>

#include "airport.h"
#include "api.h"
#include "api_handlers.h"
#include "audit.h"
#include "clock.h"
#include "cp.h"
#include "jsonx.h"
#include "oca.h"
#include "store_site.h"

/* The time zone must exist in the system's zoneinfo (checked by loading it). */
static enum ocdn_err
check_tz(struct api_req *rq, struct api_resp *rs, const char *tz)
{
    struct clock_tz *z = NULL;
    enum ocdn_err err = clock_tz_load(NULL, tz, &z);

    clock_tz_free(z);
    if (err)
        return api_fail(rq, rs, "field 'tz': unknown IANA time zone '%.64s'", tz);
    return OCDN_OK;
}

enum ocdn_err
api_site_create(struct api_req *rq, struct api_resp *rs)
{
    static const char *const keys[] = {"org_id",           "iata", "type", "lat", "lon", "tz",
                                       "manifest_cluster", NULL};
    const struct airport *ap;
    struct audit_who who;
    struct site in, out;
    const char *iata = NULL, *tz = NULL, *cluster = NULL;
    json_t *body = NULL;
    int type = 0;
    double lat = 0, lon = 0;
    bool has_lat, has_lon;
    enum ocdn_err err;

    memset(&in, 0, sizeof(in));
    err = api_body_json(rq, rs, &body);
    if (err)
        return err;
    err = jsonx_only_keys(body, "body", keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_int(body, "org_id", true, 1, INT64_MAX, &in.org_id, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_str(body, "iata", true, 3, 3, &iata, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_enum(body, "type", true, site_type_names, &type, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_real(body, "lat", false, -90, 90, &lat, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_real(body, "lon", false, -180, 180, &lon, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_str(body, "tz", false, 1, 64, &tz, rq->arena, &rs->errmsg);
    if (!err)
        err =
            jsonx_get_str(body, "manifest_cluster", false, 1, 64, &cluster, rq->arena, &rs->errmsg);
    if (err)
        goto out;
    has_lat = json_object_get(body, "lat") != NULL;
    has_lon = json_object_get(body, "lon") != NULL;
    if (has_lat != has_lon) {
        err = api_fail(rq, rs, "fields 'lat' and 'lon': give both or neither");
        goto out;
    }
    {
        char code[4];
        size_t i;

        for (i = 0; i < 3; i++)
            code[i] = (iata[i] >= 'a' && iata[i] <= 'z') ? (char)(iata[i] - 32) : iata[i];
        code[3] = '\0';
        ap = rq->cp->airports ? airports_find(rq->cp->airports, code) : NULL;
    }
    if (!ap) {
        err = api_fail(rq, rs, "field 'iata': '%s' is not an IATA airport code%s", iata,
                       rq->cp->airports ? "" : " (the airport table is not loaded)");
        goto out;
    }
    if (!tz && !ap->tz) {
        err = api_fail(rq, rs, "field 'tz': the airport table has no time zone for %s; give one",
                       iata);
        goto out;
    }
    err = check_tz(rq, rs, tz ? tz : ap->tz);
    if (err)
        goto out;
    memcpy(in.iata, ap->iata, sizeof(in.iata));
    in.type = (enum site_type)type;
    in.lat = has_lat ? lat : ap->lat;
    in.lon = has_lon ? lon : ap->lon;
    in.tz = arena_strdup(rq->arena, tz ? tz : ap->tz);
    in.manifest_cluster = cluster ? arena_strdup(rq->arena, cluster) : NULL;
    audit_who_of(rq, &who);
    err = site_create(rq->store, &who, &in, rq->arena, &out);
    if (err == OCDN_ENOTFOUND)
        err = api_fail(rq, rs, "field 'org_id': no such org");
    else if (err == OCDN_ECONFLICT)
        rs->errmsg = "all 999 site numbers of this IATA code are taken";
    if (err)
        goto out;
    rs->status = 201;
    err = api_site_out(rs, &out);
out:
    json_decref(body);
    return err;
}

enum ocdn_err
api_site_list(struct api_req *rq, struct api_resp *rs)
{
    struct site *v;
    size_t n, limit;
    int64_t after;
    enum ocdn_err err;

    err = api_page(rq, rs, 100, 1000, &limit, &after);
    if (err)
        return err;
    err = store_site_list(rq->store, api_org_filter(rq), after, limit, rq->arena, &v, &n);
    if (err)
        return err;
    return api_site_list_out(rs, v, n, n == limit);
}

enum ocdn_err
api_site_get(struct api_req *rq, struct api_resp *rs)
{
    struct site s;
    int64_t id;
    enum ocdn_err err;

    err = api_param_id(rq, 0, &id);
    if (err)
        return err;
    err = store_site_get(rq->store, api_org_filter(rq), id, rq->arena, &s);
    if (err)
        return err;
    return api_site_out(rs, &s);
}
