/* steer_ref.c - the brute-force reference ranker (docs/steering.md, "Reference").
 * For one query: every OCA's best route covering the client, plain eligibility, one sort by
 * the whole ranking key. No tables, no caches, no cleverness: it exists to be obviously
 * right, so the randomized tests and the benchmark can hold the engine to it. It shares with
 * the engine only the definitions in steer_int.h (route tie-break, spread score, distance
 * bucket), which are part of the rules rather than of the algorithm. */
#include "steer_ref.h"

#include <stdlib.h>
#include <string.h>

#include "steer_int.h"

struct rc { /* one candidate */
    uint32_t oca;
    const struct steer_route *r; /* NULL in the geo fallback */
    uint32_t site;
    uint64_t id;
    double gkey, score;
};

struct sortctx {
    const struct steer_policy *p;
};

static bool
prefix_contains(const struct net_prefix *p, const struct net_addr *a)
{
    unsigned bit;

    if (p->addr.family != a->family)
        return false;
    for (bit = 0; bit < p->len; bit++) {
        unsigned byte = bit / 8, shift = 7 - bit % 8;
        if (((p->addr.bytes[byte] >> shift) & 1) != ((a->bytes[byte] >> shift) & 1))
            return false;
    }
    return true;
}

/* Compare by the static steps: longer prefix, shorter effective path, lower effective MED. */
static int
static_cmp(const struct steer_policy *p, const struct steer_route *a, const struct steer_route *b)
{
    uint32_t pa = steer_path_eff(p, a->path_len, a->src),
             pb = steer_path_eff(p, b->path_len, b->src);
    uint64_t ma = steer_med_eff(p, a->has_med, a->med, a->src);
    uint64_t mb = steer_med_eff(p, b->has_med, b->med, b->src);

    if (a->prefix.len != b->prefix.len)
        return a->prefix.len > b->prefix.len ? -1 : 1;
    if (pa != pb)
        return pa < pb ? -1 : 1;
    if (ma != mb)
        return ma < mb ? -1 : 1;
    return 0;
}

static int
full_cmp(const void *va, const void *vb, void *ctx)
{
    const struct rc *a = va, *b = vb;
    const struct sortctx *c = ctx;
    int r = a->r && b->r ? static_cmp(c->p, a->r, b->r) : 0;

    if (r)
        return r;
    if (a->gkey != b->gkey)
        return a->gkey < b->gkey ? -1 : 1;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

static bool
holds(const struct steer_input *in, int32_t file, uint32_t oca)
{
    size_t i;

    for (i = 0; i < in->n_holdings; i++)
        if (in->holdings[i][0] == (uint32_t)file && in->holdings[i][1] == oca)
            return true;
    return false;
}

static bool
eligible(const struct steer_input *in, const struct steer_query *q, uint32_t oca)
{
    const struct steer_oca *o = &in->ocas[oca];
    bool speed = q->file == STEER_FILE_NONE, any = q->file == STEER_FILE_ANY;

    if (speed && o->status != OCA_STATUS_ONLINE)
        return false;
    if (!speed && o->status != OCA_STATUS_ONLINE && o->status != OCA_STATUS_DEGRADED)
        return false;
    if (!o->is_healthy)
        return false;
    if (!((double)o->load_bps < in->policy.load_limit * (double)o->capacity_bps))
        return false;
    return speed || any || holds(in, q->file, oca);
}

static double
spread(const struct steer_input *in, uint64_t base, uint32_t oca)
{
    const struct steer_oca *o = &in->ocas[oca];
    double w = in->policy.load_limit * (double)o->capacity_bps - (double)o->load_bps;

    return steer_spread_score(base, steer_mix64(o->id), w > 0 ? w : 0);
}

static double
distance(const struct steer_input *in, uint32_t site, bool known, double lat, double lon)
{
    const struct steer_site *s = &in->sites[site];
    double a[3], b[3];

    if (!known || !s->has_coords)
        return -1.0;
    steer_unit_vec(lat, lon, a);
    steer_unit_vec(s->lat, s->lon, b);
    return steer_chord_km(a, b);
}

enum ocdn_err
steer_ref_decide(const struct steer_input *in, const struct steer_query *q,
                 struct steer_result *out)
{
    const struct steer_route **best = NULL;
    struct rc *v = NULL;
    struct sortctx sc = {&in->policy};
    size_t nv = 0, i, j, start;
    bool known = q->has_geo, need_geo = false;
    double lat = q->lat, lon = q->lon;
    uint64_t base;
    enum ocdn_err err = OCDN_OK;

    memset(out, 0, sizeof(*out));
    if (q->client.family != NET_V4 && q->client.family != NET_V6)
        return OCDN_EINVAL;
    if (q->n < 1 || q->n > in->policy.max_n)
        return OCDN_EINVAL;
    if (q->file != STEER_FILE_NONE && q->file != STEER_FILE_ANY &&
        (q->file < 0 || (size_t)q->file >= in->n_files))
        return OCDN_EINVAL;
    if (q->has_geo && !geo_coords_valid(q->lat, q->lon))
        return OCDN_EINVAL;
    base = steer_spread_base(&q->client,
                             q->file == STEER_FILE_NONE ? STEER_SPEEDTEST_HASH
                             : q->file == STEER_FILE_ANY
                                 ? STEER_ANYFILE_HASH
                                 : steer_file_hash(in->files[q->file], strlen(in->files[q->file])));
    out->geo = q->has_geo ? STEER_GEO_GIVEN : STEER_GEO_NOT_NEEDED;
    best = calloc(in->n_ocas + 1, sizeof(*best));
    v = calloc(in->n_ocas + 1, sizeof(*v));
    if (!best || !v) {
        err = OCDN_ENOMEM;
        goto out;
    }

    /* 1. Each OCA's most specific covering route; among equals the better one. */
    for (i = 0; i < in->n_routes; i++) {
        const struct steer_route *r = &in->routes[i], *b = best[r->oca];
        if (r->prefix.len == 0 || !prefix_contains(&r->prefix, &q->client))
            continue;
        if (!b || r->prefix.len > b->prefix.len ||
            (r->prefix.len == b->prefix.len && steer_route_cmp(&in->policy, r, b) < 0))
            best[r->oca] = r;
    }
    /* The client's ASN: origin of the best-ranked route, the lowest among equals. */
    {
        const struct steer_route *top = NULL;
        for (i = 0; i < in->n_ocas; i++) {
            const struct steer_route *r = best[i];
            if (!r)
                continue;
            if (!top || static_cmp(&in->policy, r, top) < 0 ||
                (static_cmp(&in->policy, r, top) == 0 && r->origin_as < top->origin_as))
                top = r;
        }
        out->client_asn = top ? top->origin_as : 0;
    }
    /* 2. Eligible OCAs with a route. */
    for (i = 0; i < in->n_ocas; i++) {
        if (best[i] && eligible(in, q, (uint32_t)i)) {
            v[nv].oca = (uint32_t)i;
            v[nv].r = best[i];
            v[nv].site = in->ocas[i].site;
            v[nv].id = in->ocas[i].id;
            nv++;
        }
    }
    out->mode = STEER_MODE_ROUTE;
    if (nv == 0) {
        /* 3. Geo fallback: eligible OCAs at IX sites or of the global model. */
        for (i = 0; i < in->n_ocas; i++) {
            const struct steer_oca *o = &in->ocas[i];
            if ((in->sites[o->site].type == SITE_TYPE_IX || o->model == OCA_MODEL_GLOBAL) &&
                eligible(in, q, (uint32_t)i)) {
                v[nv].oca = (uint32_t)i;
                v[nv].site = o->site;
                v[nv].id = o->id;
                nv++;
            }
        }
        out->mode = nv ? STEER_MODE_GEO_FALLBACK : STEER_MODE_ORIGIN;
    }
    /* 4. Is a distance needed? Only when a rank group that gives the answer at least one of
     * its n choices has eligible OCAs at two sites. */
    for (i = 0; i < nv; i++)
        v[i].score = spread(in, base, v[i].oca);
    qsort_r(v, nv, sizeof(*v), full_cmp, &sc); /* gkey is 0 for all here: static order */
    for (start = 0; start < nv && !q->has_geo; start = j) {
        bool two_sites = false;
        if (start >= q->n)
            break;
        for (j = start; j < nv && (!v[j].r || static_cmp(&in->policy, v[j].r, v[start].r) == 0);
             j++)
            if (v[j].site != v[start].site)
                two_sites = true;
        if (two_sites) {
            need_geo = true;
            break;
        }
    }
    if (need_geo) {
        if (q->geo && q->geo(q->geo_ctx, &q->client, &lat, &lon) && geo_coords_valid(lat, lon)) {
            out->geo = STEER_GEO_LOOKED_UP;
            known = true;
        } else {
            out->geo = STEER_GEO_UNKNOWN;
        }
    }
    /* 5. The full order. */
    for (i = 0; i < nv; i++)
        v[i].gkey = known ? steer_geo_key(&in->policy, distance(in, v[i].site, true, lat, lon)) : 0;
    qsort_r(v, nv, sizeof(*v), full_cmp, &sc);
    out->n = nv < q->n ? (unsigned)nv : q->n;
    for (i = 0; i < out->n; i++) {
        struct steer_choice *c = &out->v[i];
        const struct steer_route *r = v[i].r;

        c->oca = v[i].oca;
        c->rank = (uint32_t)i + 1;
        if (i + 1 >= nv)
            c->decided_by = STEER_STEP_LAST;
        else if (r && static_cmp(&in->policy, r, v[i + 1].r) != 0)
            c->decided_by =
                r->prefix.len != v[i + 1].r->prefix.len ? STEER_STEP_PREFIX
                : steer_path_eff(&in->policy, r->path_len, r->src) !=
                        steer_path_eff(&in->policy, v[i + 1].r->path_len, v[i + 1].r->src)
                    ? STEER_STEP_ASPATH
                    : STEER_STEP_MED;
        else
            c->decided_by = v[i].gkey != v[i + 1].gkey ? STEER_STEP_GEO : STEER_STEP_SPREAD;
        if (r) {
            unsigned b;
            c->has_route = true;
            c->prefix.addr.family = q->client.family;
            c->prefix.len = r->prefix.len;
            for (b = 0; b < r->prefix.len; b++)
                c->prefix.addr.bytes[b / 8] |= q->client.bytes[b / 8] & (0x80u >> (b % 8));
            c->src = r->src;
            c->path_len = r->path_len;
            c->path_len_eff = steer_path_eff(&in->policy, r->path_len, r->src);
            c->has_med = r->has_med;
            c->med = r->has_med ? r->med : 0;
            c->med_eff = steer_med_eff(&in->policy, r->has_med, r->med, r->src);
            c->origin_as = r->origin_as;
            c->first_as = r->first_as;
        }
        c->distance_km = distance(in, v[i].site, known, lat, lon);
    }
    if (known) {
        out->lat = lat;
        out->lon = lon;
    }
out:
    free(best);
    free(v);
    return err;
}
