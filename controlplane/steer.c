/* steer.c - steering decisions on a snapshot: client + file -> ranked OCAs with reasons.
 * The snapshot's candidate list for the client's most specific prefix is already sorted by
 * prefix length, AS path and MED (steps 2-4) and cut into rank groups; here, per query, only
 * the dynamic steps run: eligibility (status, load, catalog), distance, and the weighted
 * rendezvous spread, keeping the best n + 1 in a small array (the extra one labels the n-th
 * choice). No locks, no allocation in steer_decide(); the position lookup is lazy.
 * steer_decide_batch() makes the same decisions for a batch after walking all its lookups
 * and lists in stages that only prefetch, so that the cache misses of different queries
 * overlap instead of following each other. */
#include "steer.h"

#include <stdlib.h>
#include <string.h>

#include "steer_int.h"

#define NO_SITE UINT32_MAX
#define NO_CAND UINT32_MAX

struct pick {
    double gkey;  /* distance bucket (0 while the position is not needed) */
    double score; /* rendezvous score, higher first */
    uint64_t id;  /* OCA id: the last tie-break */
    uint32_t oca;
    uint32_t cand;   /* word offset of the entry's struct steer_rent; NO_CAND in the fallback */
    uint32_t group;  /* rank group ordinal inside the list */
    uint32_t origin; /* origin AS of the entry's route, unless is_origin_in_entry */
    bool is_origin_in_entry; /* the segment has STEER_SEG_ORIGINS: the entry has it */
};

struct qctx {
    const struct steer_snap *s;
    const struct steer_query *q;
    bool speed;
    const uint32_t *eb; /* s->elig[] for the query's kind */
    const uint32_t *hb; /* the file's holders as a bitmap, or NULL */
    const uint32_t *ha; /* or as a sorted array of ha_n OCAs (is_array) */
    uint32_t ha_n;
    bool is_array;
    uint64_t base; /* spread key of (client net, file) */
    enum steer_geo geo;
    bool known;   /* lat/lon valid */
    bool has_vec; /* vec computed (only once a distance is needed) */
    double lat, lon;
    double vec[3];  /* steer_unit_vec(lat, lon) */
    uint32_t csite; /* distance cache: last site asked for */
    double ckm;
};

/* Group scan state: the first eligible site of the group and whether a second one appeared. */
struct gscan {
    unsigned from; /* first slot of this group in the pick array */
    uint32_t site;
    bool is_multi;
};

static enum ocdn_err
check_query(const struct steer_snap *s, const struct steer_query *q, bool need_n)
{
    if (!s || !q)
        return OCDN_EINVAL;
    if (q->client.family != NET_V4 && q->client.family != NET_V6)
        return OCDN_EINVAL;
    if (need_n && (q->n < 1 || q->n > s->policy.max_n))
        return OCDN_EINVAL;
    if (q->file != STEER_FILE_NONE && q->file != STEER_FILE_ANY &&
        (q->file < 0 || (size_t)q->file >= s->cat->n_files))
        return OCDN_EINVAL;
    if (q->has_geo && !geo_coords_valid(q->lat, q->lon))
        return OCDN_EINVAL;
    return OCDN_OK;
}

static void
ctx_init(struct qctx *c, const struct steer_snap *s, const struct steer_query *q)
{
    c->s = s;
    c->q = q;
    c->speed = q->file == STEER_FILE_NONE;
    c->eb = s->elig[c->speed];
    c->hb = NULL;
    c->ha = NULL;
    c->ha_n = 0;
    c->is_array = false;
    if (q->file >= 0) {
        const struct steer_fent *fe = &s->cat->fent[q->file];
        if (fe->is_bitmap) {
            c->hb = s->cat->pool + fe->off;
        } else {
            c->ha = s->cat->pool + fe->off;
            c->ha_n = fe->n;
            c->is_array = true;
        }
    }
    if (c->speed)
        c->base = steer_spread_base(&q->client, STEER_SPEEDTEST_HASH);
    else if (q->file == STEER_FILE_ANY)
        c->base = steer_spread_base(&q->client, STEER_ANYFILE_HASH);
    else
        c->base = steer_spread_base(&q->client, s->cat->file_hash[q->file]);
    c->geo = q->has_geo ? STEER_GEO_GIVEN : STEER_GEO_NOT_NEEDED;
    c->known = q->has_geo;
    c->lat = q->has_geo ? q->lat : 0.0;
    c->lon = q->has_geo ? q->lon : 0.0;
    c->has_vec = false;
    c->csite = NO_SITE;
    c->ckm = -1.0;
}

/* Ask for the client position once, the first time a distance decides something. */
static void
geo_resolve(struct qctx *c)
{
    double lat, lon;

    if (c->geo != STEER_GEO_NOT_NEEDED)
        return;
    if (c->q->geo && c->q->geo(c->q->geo_ctx, &c->q->client, &lat, &lon) &&
        geo_coords_valid(lat, lon)) {
        c->geo = STEER_GEO_LOOKED_UP;
        c->known = true;
        c->lat = lat;
        c->lon = lon;
    } else {
        c->geo = STEER_GEO_UNKNOWN;
    }
}

static double
site_km(struct qctx *c, uint32_t site)
{
    if (!c->known)
        return -1.0;
    if (!c->has_vec) {
        steer_unit_vec(c->lat, c->lon, c->vec);
        c->has_vec = true;
    }
    if (site != c->csite) {
        c->csite = site;
        c->ckm = c->s->sites[site].has_coords ? steer_chord_km(c->vec, c->s->site_vec[site]) : -1.0;
    }
    return c->ckm;
}

static double
site_gkey(struct qctx *c, uint32_t site)
{
    return c->known ? steer_geo_key(&c->s->policy, site_km(c, site)) : 0.0;
}

static bool
in_sorted(const uint32_t *v, size_t n, uint32_t x)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == x;
}

/* The ranking's test: a word of the eligibility bitmap and one of the file's holders. */
static inline bool
eligible(const struct qctx *c, uint32_t oca)
{
    uint32_t w = c->eb[oca >> 5];

    if (c->hb)
        w &= c->hb[oca >> 5];
    if (!((w >> (oca & 31u)) & 1u))
        return false;
    return !c->is_array || in_sorted(c->ha, c->ha_n, oca);
}

/* Why OCA oca is not eligible (explain). */
static enum steer_inelig
inelig(const struct qctx *c, uint32_t oca)
{
    enum steer_inelig r = steer_oq_inelig(&c->s->oq[oca], c->speed);

    if (r == STEER_ELIGIBLE && !eligible(c, oca))
        return STEER_INELIG_NO_FILE;
    return r;
}

/* a ranks before b inside one rank group. */
static bool
before(const struct pick *a, const struct pick *b)
{
    if (a->gkey != b->gkey)
        return a->gkey < b->gkey;
    if (a->score != b->score)
        return a->score > b->score;
    return a->id < b->id;
}

/* Insert p into the ranked run v[from..*n) of the current group, keeping at most cap. */
static void
insert(struct pick *v, unsigned from, unsigned *n, unsigned cap, const struct pick *p)
{
    unsigned i;

    if (*n == cap) {
        if (!before(p, &v[cap - 1]))
            return;
        i = cap - 1;
    } else {
        i = (*n)++;
    }
    while (i > from && before(p, &v[i - 1])) {
        v[i] = v[i - 1];
        i--;
    }
    v[i] = *p;
}

/* Make an eligible OCA a pick of the current group. Distances only matter inside a group with
 * eligible OCAs of two sites: until the second site shows up, picks carry bucket 0 (they are
 * all of one site, so one bucket, and keep their order when it is filled in); then the
 * position is looked up if it is not known yet. */
static void
add(struct qctx *c, struct gscan *g, struct pick *v, unsigned *n, unsigned cap, uint32_t oca,
    uint32_t cand, uint32_t group, uint32_t origin, bool is_origin_in_entry)
{
    const struct steer_oq *o = &c->s->oq[oca];
    struct pick p;
    unsigned j;

    if (g->site == NO_SITE) {
        g->site = o->site;
    } else if (o->site != g->site && !g->is_multi) {
        g->is_multi = true;
        geo_resolve(c);
        if (c->known) {
            double k = site_gkey(c, g->site);
            for (j = g->from; j < *n; j++)
                v[j].gkey = k;
        }
    }
    p.gkey = g->is_multi ? site_gkey(c, o->site) : 0.0;
    p.score = steer_spread_score(c->base, o->id_mix, o->weight);
    p.id = o->id;
    p.oca = oca;
    p.cand = cand;
    p.group = group;
    p.origin = origin;
    p.is_origin_in_entry = is_origin_in_entry;
    if (cand != NO_CAND) /* its route fields go into the answer if it stays */
        __builtin_prefetch(c->s->rt->seg + cand);
    insert(v, g->from, n, cap, &p);
}

/* True when a more specific level of the chain (segment headers lv[0..nlv)) has its own entry
 * for oca. */
static bool
overridden(const uint32_t *const *lv, unsigned nlv, uint32_t oca)
{
    unsigned j;

    for (j = 0; j < nlv; j++) {
        const uint32_t *h = lv[j];
        uint32_t bits = (oca & 63u) < 32 ? h[1] : h[2];

        if (((bits >> (oca & 31u)) & 1u) && in_sorted(steer_seg_sorted(h), steer_seg_n(h), oca))
            return true;
    }
    return false;
}

/* Start fetching the holder words of a level's first entries: they are its next misses, and
 * independent of each other. */
static void
prefetch_holders(const uint32_t *hb, const uint32_t *rk, uint32_t n, uint32_t max)
{
    uintptr_t last = 0;
    uint32_t i;

    for (i = 0; i < n && i < max; i++) {
        const uint32_t *w = hb + ((rk[i] & STEER_RANK_OCA_MASK) >> 5);
        if ((uintptr_t)w / 64 != last) {
            __builtin_prefetch(w);
            last = (uintptr_t)w / 64;
        }
    }
}

/* Best cap eligible OCAs of node id: its own entries, then its parents', rank group by rank
 * group (each group ranked in full), an OCA counted only at its most specific level. */
static unsigned
rank_route(struct qctx *c, uint32_t id, struct pick *v, unsigned cap)
{
    const struct steer_rt *rt = c->s->rt;
    const uint32_t *lv[STEER_CHAIN_MAX];
    struct gscan g = {0, NO_SITE, false};
    unsigned n = 0, nlv = 0;
    uint32_t i, group = 0;

    for (; id != 0 && nlv < STEER_CHAIN_MAX; id = rt->lnodes[id].up) {
        const struct steer_lnode *nd = &rt->lnodes[id];
        const uint32_t *h = rt->seg + nd->seg, *rk = h + STEER_SEG_HDR;
        uint32_t ne = steer_seg_n(h), rent0 = nd->seg + STEER_SEG_HDR + ne;
        bool in_entry = (h[0] & STEER_SEG_ORIGINS) != 0;

        /* If this level does not fill the answer, the next one is the next miss: its node
         * and its entries are both known now (the node carries up_seg). */
        if (nd->up) {
            __builtin_prefetch(&rt->lnodes[nd->up]);
            __builtin_prefetch(rt->seg + nd->up_seg);
        }
        if (c->hb)
            prefetch_holders(c->hb, rk, ne, 16);
        lv[nlv] = h;
        for (i = 0; i < ne; i++) {
            uint32_t w = rk[i], oca = w & STEER_RANK_OCA_MASK;

            if ((i == 0 && nlv > 0) || (w >> STEER_RANK_STEP_SHIFT)) {
                if (n >= cap)
                    return n; /* later groups rank below everything picked */
                group++;
                g.from = n;
                g.site = NO_SITE;
                g.is_multi = false;
            }
            if (!eligible(c, oca) || (nlv > 0 && overridden(lv, nlv, oca)))
                continue;
            if (group > 0 && g.from == cap - 1) {
                /* Only the label of the last choice is missing, and any member of a later
                 * group gives the same one (a static step): no order inside this group, no
                 * distance. */
                memset(&v[n], 0, sizeof(v[n]));
                v[n].oca = oca;
                v[n].cand = rent0 + 4 * i;
                v[n].group = group;
                return n + 1;
            }
            add(c, &g, v, &n, cap, oca, rent0 + 4 * i, group, nd->origin_as, in_entry);
        }
        nlv++;
    }
    return n;
}

/* Eligible OCAs of fallback site f, added to the group. */
static void
add_site(struct qctx *c, struct gscan *g, struct pick *v, unsigned *n, unsigned cap,
         const struct steer_fbsite *f)
{
    uint32_t k;

    for (k = f->first; k < f->first + f->n; k++)
        if (eligible(c, c->s->fb[k]))
            add(c, g, v, n, cap, c->s->fb[k], NO_CAND, 0, 0, false);
}

static bool
site_has_eligible(const struct qctx *c, const struct steer_fbsite *f)
{
    uint32_t k;

    for (k = f->first; k < f->first + f->n; k++)
        if (eligible(c, c->s->fb[k]))
            return true;
    return false;
}

#define FB_SITES_MAX 4096 /* fallback sites ranked by distance on the stack; more: scan all */

/* Best cap eligible IX-site or global OCAs: one group, by distance then spread. With a known
 * position only the nearest sites are visited: sites in order of distance bucket until cap
 * OCAs are picked (a farther bucket can no longer place anything). */
static unsigned
rank_fallback(struct qctx *c, struct pick *v, unsigned cap)
{
    const struct steer_snap *s = c->s;
    struct gscan g = {0, NO_SITE, false};
    double key[FB_SITES_MAX], cur = -1.0;
    unsigned n = 0;
    size_t k, first = s->n_fbs;

    /* The position matters only when eligible OCAs are at two sites or more. */
    for (k = 0; k < s->n_fbs && !g.is_multi; k++) {
        if (!site_has_eligible(c, &s->fbs[k]))
            continue;
        if (first == s->n_fbs)
            first = k;
        else
            g.is_multi = true;
    }
    if (first == s->n_fbs)
        return 0;
    if (!g.is_multi) {
        add_site(c, &g, v, &n, cap, &s->fbs[first]);
        return n;
    }
    geo_resolve(c);
    if (!c->known || s->n_fbs > FB_SITES_MAX) {
        for (k = first; k < s->n_fbs; k++)
            add_site(c, &g, v, &n, cap, &s->fbs[k]);
        return n;
    }
    g.is_multi = true; /* every pick carries its distance bucket */
    for (k = 0; k < s->n_fbs; k++)
        key[k] = site_gkey(c, s->fbs[k].site);
    while (n < cap) {
        double next = INFINITY;
        bool any = false;
        for (k = 0; k < s->n_fbs; k++) {
            if (key[k] > cur && (key[k] < next || !any)) {
                next = key[k];
                any = true;
            }
        }
        if (!any)
            break;
        for (k = 0; k < s->n_fbs; k++)
            if (key[k] == next)
                add_site(c, &g, v, &n, cap, &s->fbs[k]);
        if (next == INFINITY)
            break; /* the sites without coordinates came last, all at once */
        cur = next;
    }
    return n;
}

static const struct steer_rent *
rent_at(const struct steer_rt *rt, uint32_t cand)
{
    return (const struct steer_rent *)(const void *)(rt->seg + cand);
}

static enum steer_step
step_between(const struct qctx *c, const struct pick *a, const struct pick *b)
{
    const struct steer_policy *p = &c->s->policy;

    if (a->group != b->group) {
        const struct steer_rent *x = rent_at(c->s->rt, a->cand);
        const struct steer_rent *y = rent_at(c->s->rt, b->cand);
        enum route_src sx = x->flags & STEER_CAND_SRC_MASK, sy = y->flags & STEER_CAND_SRC_MASK;
        if (x->plen != y->plen)
            return STEER_STEP_PREFIX;
        if (steer_path_eff(p, x->path_len, sx) != steer_path_eff(p, y->path_len, sy))
            return STEER_STEP_ASPATH;
        return STEER_STEP_MED;
    }
    return a->gkey != b->gkey ? STEER_STEP_GEO : STEER_STEP_SPREAD;
}

static void
fill(struct qctx *c, const struct pick *p, struct steer_choice *ch)
{
    memset(ch, 0, sizeof(*ch));
    ch->oca = p->oca;
    if (p->cand != NO_CAND) {
        const struct steer_rent *cd = rent_at(c->s->rt, p->cand);
        enum route_src src = cd->flags & STEER_CAND_SRC_MASK;

        ch->has_route = true;
        steer_prefix_of(&c->q->client, cd->plen, &ch->prefix);
        ch->src = src;
        ch->path_len = cd->path_len;
        ch->path_len_eff = steer_path_eff(&c->s->policy, cd->path_len, src);
        ch->has_med = (cd->flags & STEER_CAND_HAS_MED) != 0;
        ch->med = cd->med;
        ch->med_eff = steer_med_eff(&c->s->policy, ch->has_med, cd->med, src);
        ch->origin_as = p->is_origin_in_entry ? cd->origin_as : p->origin;
        ch->first_as = cd->first_as;
    }
    ch->distance_km = c->known ? site_km(c, c->s->oq[p->oca].site) : -1.0;
}

/* Origin AS of the best-ranked route: the lowest one among the first rank group (which is
 * in the list's own entries), kept in the segment's header unless the node has it. */
static uint32_t
client_asn(const struct steer_rt *rt, uint32_t id)
{
    const uint32_t *h = rt->seg + rt->lnodes[id].seg;

    if (steer_seg_n(h) == 0)
        return 0;
    return h[0] & STEER_SEG_ORIGINS ? h[3] : rt->lnodes[id].origin_as;
}

/* A decision between its ranking and its answer: the picks' route fields (struct steer_rent)
 * are the ranking's last misses, prefetched as the picks are made, and read by fill(). */
struct dq {
    struct qctx c;
    struct pick v[STEER_MAX_N + 1];
    unsigned n; /* picks in v */
};

/* The ranking of steer_decide() once the query is checked and its node (id) looked up. */
static void
decide_rank(const struct steer_snap *s, const struct steer_query *q, uint32_t id, struct dq *d,
            struct steer_result *out)
{
    struct qctx *c = &d->c;
    unsigned n = 0;

    ctx_init(c, s, q);
    out->client_asn = client_asn(s->rt, id);
    if (id)
        n = rank_route(c, id, d->v, q->n + 1);
    if (n > 0) {
        out->mode = STEER_MODE_ROUTE;
    } else {
        n = rank_fallback(c, d->v, q->n + 1);
        out->mode = n > 0 ? STEER_MODE_GEO_FALLBACK : STEER_MODE_ORIGIN;
    }
    d->n = n;
}

/* The answer of a ranked decision. */
static void
decide_fill(struct dq *d, struct steer_result *out)
{
    struct qctx *c = &d->c;
    unsigned n = d->n, j;

    out->n = n < c->q->n ? n : c->q->n;
    for (j = 0; j < out->n; j++) {
        fill(c, &d->v[j], &out->v[j]);
        out->v[j].rank = j + 1;
        out->v[j].decided_by =
            j + 1 < n ? step_between(c, &d->v[j], &d->v[j + 1]) : STEER_STEP_LAST;
    }
    out->geo = c->geo;
    out->lat = c->known ? c->lat : 0.0;
    out->lon = c->known ? c->lon : 0.0;
}

enum ocdn_err
steer_decide(const struct steer_snap *s, const struct steer_query *q, struct steer_result *out)
{
    enum ocdn_err err;

    out->n = 0;
    err = check_query(s, q, true);
    if (err)
        return err;
    /* The file's holder set and the lookup are independent misses: overlap them. */
    if (q->file >= 0)
        __builtin_prefetch(&s->cat->fent[q->file]);
    {
        struct dq d;

        decide_rank(s, q, steer_lookup(s->rt, &q->client), &d, out);
        decide_fill(&d, out);
    }
    return OCDN_OK;
}

/* ---- batches ---------------------------------------------------------------------------- */

/* A batch is decided BATCH queries at a time, in passes over them: each pass reads, for every
 * query, what the previous pass prefetched for it (the first word of its lookup, the next
 * level of an IPv6 walk, its list node, its first segments) and prefetches the next thing.
 * A query's misses then overlap those of the other queries of the batch instead of following
 * each other; the last pass makes the decisions on data that is (mostly) in cache. */
#define BATCH      32
#define FILL_GROUP 8 /* decisions between ranked and answered (13 KiB of stack) */

struct bq { /* one query of a batch */
    struct steer_walk w;
    const uint32_t *hb; /* holders bitmap of the file, or NULL */
    bool is_ok;
};

static void
stage_start(const struct steer_snap *s, const struct steer_query *q, struct bq *b)
{
    b->hb = NULL;
    steer_walk_start(s->rt, &q->client, &b->w);
    if (b->w.at)
        __builtin_prefetch(b->w.at);
    if (q->file >= 0) {
        __builtin_prefetch(&s->cat->fent[q->file]);
        __builtin_prefetch(&s->cat->file_hash[q->file]);
    }
}

/* The node is known: fetch the header and first entries of its segment and of the next
 * level's (the node carries up_seg). */
static void
stage_node(const struct steer_snap *s, const struct steer_query *q, struct bq *b)
{
    const struct steer_rt *rt = s->rt;
    const struct steer_lnode *nd;

    if (q->file >= 0 && s->cat->fent[q->file].is_bitmap)
        b->hb = s->cat->pool + s->cat->fent[q->file].off;
    if (!b->w.id)
        return;
    nd = &rt->lnodes[b->w.id];
    __builtin_prefetch(rt->seg + nd->seg);
    __builtin_prefetch(rt->seg + nd->seg + 16);
    if (nd->up) {
        __builtin_prefetch(&rt->lnodes[nd->up]);
        __builtin_prefetch(rt->seg + nd->up_seg);
    }
}

/* The segments are in: fetch the holder words of their first entries, and the rest of a
 * small own segment (route fields, sorted OCAs). */
static void
stage_seg(const struct steer_rt *rt, const struct bq *b)
{
    const struct steer_lnode *nd;
    const uint32_t *h;
    uint32_t words, k;

    if (!b->w.id)
        return;
    nd = &rt->lnodes[b->w.id];
    h = rt->seg + nd->seg;
    words = STEER_SEG_HDR + 6 * steer_seg_n(h);
    for (k = 32; k < words && k < 64; k += 16)
        __builtin_prefetch(h + k);
    if (!b->hb)
        return;
    prefetch_holders(b->hb, h + STEER_SEG_HDR, steer_seg_n(h), 16);
    if (nd->up) {
        h = rt->seg + nd->up_seg;
        prefetch_holders(b->hb, h + STEER_SEG_HDR, steer_seg_n(h), 16);
    }
}

enum ocdn_err
steer_decide_batch(const struct steer_snap *s, const struct steer_query *q, size_t n,
                   struct steer_result *out, enum ocdn_err *errs)
{
    struct bq b[BATCH];
    struct dq d[FILL_GROUP];
    enum ocdn_err first = OCDN_OK;
    size_t base, k, k0, m;
    bool busy;

    for (base = 0; base < n; base += m) {
        m = n - base < BATCH ? n - base : BATCH;
        for (k = 0; k < m; k++) {
            enum ocdn_err e = check_query(s, &q[base + k], true);

            out[base + k].n = 0;
            if (errs)
                errs[base + k] = e;
            if (e && !first)
                first = e;
            b[k].is_ok = !e;
            if (!e)
                stage_start(s, &q[base + k], &b[k]);
        }
        /* The lookups, one level per pass (an IPv6 walk takes several). */
        do {
            busy = false;
            for (k = 0; k < m; k++) {
                if (!b[k].is_ok || b[k].w.kind == STEER_WALK_DONE)
                    continue;
                if (steer_walk_step(s->rt, &b[k].w)) {
                    __builtin_prefetch(&s->rt->lnodes[b[k].w.id]);
                } else {
                    __builtin_prefetch(b[k].w.at);
                    busy = true;
                }
            }
        } while (busy);
        for (k = 0; k < m; k++)
            if (b[k].is_ok)
                stage_node(s, &q[base + k], &b[k]);
        for (k = 0; k < m; k++)
            if (b[k].is_ok)
                stage_seg(s->rt, &b[k]);
        /* The next batch's queries (a caller's array may be cold). */
        for (k = base + m; k < base + 2 * m && k < n; k++)
            __builtin_prefetch(&q[k]);
        /* Rank FILL_GROUP queries, then answer them: the route fields of one query's picks
         * arrive while the next ones are ranked. */
        for (k0 = 0; k0 < m; k0 += FILL_GROUP) {
            size_t g = m - k0 < FILL_GROUP ? m - k0 : FILL_GROUP;
            for (k = 0; k < g; k++)
                if (b[k0 + k].is_ok)
                    decide_rank(s, &q[base + k0 + k], b[k0 + k].w.id, &d[k], &out[base + k0 + k]);
            for (k = 0; k < g; k++)
                if (b[k0 + k].is_ok)
                    decide_fill(&d[k], &out[base + k0 + k]);
        }
    }
    return first;
}

/* ---- explain ---------------------------------------------------------------------------- */

struct xent {
    struct pick p;
    enum steer_inelig why;
};

static int
xent_cmp(const void *va, const void *vb)
{
    const struct xent *a = va, *b = vb;

    if ((a->why == STEER_ELIGIBLE) != (b->why == STEER_ELIGIBLE))
        return a->why == STEER_ELIGIBLE ? -1 : 1;
    if (a->p.group != b->p.group)
        return a->p.group < b->p.group ? -1 : 1;
    if (a->why == STEER_ELIGIBLE)
        return before(&a->p, &b->p) ? -1 : before(&b->p, &a->p) ? 1 : 0;
    if (a->p.gkey != b->p.gkey)
        return a->p.gkey < b->p.gkey ? -1 : 1;
    return a->p.id < b->p.id ? -1 : a->p.id > b->p.id;
}

enum ocdn_err
steer_explain(const struct steer_snap *s, const struct steer_query *q, uint64_t org_id,
              struct steer_choice *v, size_t cap, struct steer_explain *out)
{
    const struct steer_rt *rt = s->rt;
    const uint32_t *lv[STEER_CHAIN_MAX];
    struct xent *x = NULL;
    struct qctx c;
    size_t i, nx = 0, ne = 0, total = 0;
    uint32_t id, group = 0, first_site = NO_SITE, k;
    unsigned nlv;
    bool two_sites = false;
    enum ocdn_err err;

    memset(out, 0, sizeof(*out));
    err = check_query(s, q, false);
    if (err)
        return err;
    ctx_init(&c, s, q);
    id = steer_lookup(rt, &q->client);
    out->client_asn = client_asn(rt, id);
    for (k = id; k != 0; k = rt->lnodes[k].up)
        total += steer_seg_n(rt->seg + rt->lnodes[k].seg);
    if (total) {
        x = malloc(total * sizeof(*x));
        if (!x)
            return OCDN_ENOMEM;
    }
    /* Every OCA at its most specific level, in list order. */
    for (k = id, nlv = 0; k != 0 && nlv < STEER_CHAIN_MAX; k = rt->lnodes[k].up, nlv++) {
        const struct steer_lnode *nd = &rt->lnodes[k];
        const uint32_t *h = rt->seg + nd->seg, *rk = h + STEER_SEG_HDR;
        uint32_t len = steer_seg_n(h), rent0 = nd->seg + STEER_SEG_HDR + len;

        lv[nlv] = h;
        for (i = 0; i < len; i++) {
            uint32_t oca = rk[i] & STEER_RANK_OCA_MASK;

            if ((i == 0 && nlv > 0) || (rk[i] >> STEER_RANK_STEP_SHIFT))
                group++;
            if (nlv > 0 && overridden(lv, nlv, oca))
                continue;
            x[nx].p.oca = oca;
            x[nx].p.cand = rent0 + 4 * (uint32_t)i;
            x[nx].p.group = group;
            x[nx].p.origin = nd->origin_as;
            x[nx].p.is_origin_in_entry = (h[0] & STEER_SEG_ORIGINS) != 0;
            if (first_site == NO_SITE)
                first_site = s->oq[oca].site;
            else if (s->oq[oca].site != first_site)
                two_sites = true;
            nx++;
        }
    }
    /* Distances are worth showing as soon as the candidates span two sites. */
    if (two_sites)
        geo_resolve(&c);
    for (i = 0; i < nx; i++) {
        uint32_t oca = x[i].p.oca;

        x[i].why = inelig(&c, oca);
        x[i].p.gkey = site_gkey(&c, s->oq[oca].site);
        x[i].p.score = x[i].why == STEER_ELIGIBLE
                           ? steer_spread_score(c.base, s->oq[oca].id_mix, s->oq[oca].weight)
                           : 0.0;
        x[i].p.id = s->oq[oca].id;
        if (x[i].why == STEER_ELIGIBLE)
            ne++;
    }
    if (nx)
        qsort(x, nx, sizeof(*x), xent_cmp);
    if (ne > 0) {
        out->mode = STEER_MODE_ROUTE;
    } else {
        out->mode = STEER_MODE_ORIGIN;
        for (i = 0; i < s->n_fb; i++) {
            if (eligible(&c, s->fb[i])) {
                out->mode = STEER_MODE_GEO_FALLBACK;
                break;
            }
        }
    }
    for (i = 0; i < nx; i++) {
        struct steer_choice ch;

        if (org_id != 0 && s->ocas[x[i].p.oca].org_id != org_id)
            continue;
        out->total++;
        if (out->n >= cap)
            continue;
        fill(&c, &x[i].p, &ch);
        ch.rank = (uint32_t)i + 1;
        ch.inelig = x[i].why;
        if (i >= ne)
            ch.decided_by = STEER_STEP_INELIGIBLE;
        else
            ch.decided_by = i + 1 < ne ? step_between(&c, &x[i].p, &x[i + 1].p) : STEER_STEP_LAST;
        v[out->n++] = ch;
    }
    out->geo = c.geo;
    out->lat = c.known ? c.lat : 0.0;
    out->lon = c.known ? c.lon : 0.0;
    free(x);
    return OCDN_OK;
}

/* ---- names ------------------------------------------------------------------------------ */

const char *
steer_mode_str(enum steer_mode m)
{
    static const char *const names[] = {"route", "geo_fallback", "origin"};

    return (unsigned)m < 3 ? names[m] : "unknown";
}

const char *
steer_step_str(enum steer_step s)
{
    static const char *const names[] = {"prefix", "as_path", "med",       "geo",
                                        "spread", "last",    "ineligible"};

    return (unsigned)s < 7 ? names[s] : "unknown";
}

const char *
steer_geo_str(enum steer_geo g)
{
    static const char *const names[] = {"not_needed", "given", "looked_up", "unknown"};

    return (unsigned)g < 4 ? names[g] : "unknown";
}

const char *
steer_inelig_str(enum steer_inelig r)
{
    static const char *const names[] = {"eligible", "status", "unhealthy", "overloaded", "no_file"};

    return (unsigned)r < 5 ? names[r] : "unknown";
}
