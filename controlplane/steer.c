/* steer.c - steering decisions on a snapshot: client + file -> ranked OCAs with reasons.
 * The snapshot's candidate list for the client's most specific prefix is already sorted by
 * prefix length, AS path and MED (steps 2-4) and cut into rank groups; here, per query, only
 * the dynamic steps run: eligibility (status, load, catalog), distance, and the weighted
 * rendezvous spread, keeping the best n + 1 in a small array (the extra one labels the n-th
 * choice). No locks, no allocation in steer_decide(); the position lookup is lazy. */
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
    uint32_t cand;   /* slot of the entry; NO_CAND in the geo fallback */
    uint32_t group;  /* rank group ordinal inside the list */
    uint32_t origin; /* origin AS of the entry's route */
};

struct qctx {
    const struct steer_snap *s;
    const struct steer_query *q;
    bool speed;
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
    if (q->file != STEER_FILE_NONE && (q->file < 0 || (size_t)q->file >= s->cat->n_files))
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
    c->base =
        steer_spread_base(&q->client, c->speed ? STEER_SPEEDTEST_HASH : s->cat->file_hash[q->file]);
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

static enum steer_inelig
inelig(const struct qctx *c, uint32_t oca)
{
    enum steer_inelig r = steer_oq_inelig(&c->s->oq[oca], c->speed);

    if (r == STEER_ELIGIBLE && !c->speed && !steer_cat_holds(c->s->cat, (uint32_t)c->q->file, oca))
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
    uint32_t cand, uint32_t group, uint32_t origin)
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
    insert(v, g->from, n, cap, &p);
}

/* True when a more specific level of the chain (segments lv[0..nlv)) has its own entry for oca. */
static bool
overridden(const struct steer_rt *rt, const uint32_t *lv, unsigned nlv, uint32_t oca)
{
    unsigned j;

    for (j = 0; j < nlv; j++) {
        const struct steer_shdr *h = &rt->slots[lv[j]].h;
        const uint32_t *v = rt->slot_oca + lv[j] + 1;
        uint32_t bits = (oca & 63u) < 32 ? h->filter_lo : h->filter_hi;
        size_t lo = 0, hi = h->n;

        if (!((bits >> (oca & 31u)) & 1u))
            continue;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (v[mid] < oca)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < h->n && v[lo] == oca)
            return true;
    }
    return false;
}

/* Best cap eligible OCAs of node id: its own entries, then its parents', rank group by rank
 * group (each group ranked in full), an OCA counted only at its most specific level. */
static unsigned
rank_route(struct qctx *c, uint32_t id, struct pick *v, unsigned cap)
{
    const struct steer_rt *rt = c->s->rt;
    uint32_t lv[STEER_CHAIN_MAX];
    struct gscan g = {0, NO_SITE, false};
    unsigned n = 0, nlv = 0;
    uint32_t i, group = 0;

    for (; id != 0 && nlv < STEER_CHAIN_MAX; id = rt->lnodes[id].up) {
        uint32_t seg = rt->lnodes[id].seg, origin = rt->lnodes[id].origin_as;
        const struct steer_shdr *h = &rt->slots[seg].h;
        const union steer_slot *e = rt->slots + seg + 1;

        /* The next level's node is the next miss: start fetching it now. */
        __builtin_prefetch(&rt->lnodes[rt->lnodes[id].up]);
        lv[nlv] = seg;
        for (i = 0; i < h->n; i++) {
            uint32_t oca = e[i].c.oca;

            if ((i == 0 && nlv > 0) || (e[i].c.flags & STEER_CAND_STEP_MASK)) {
                if (n >= cap)
                    return n; /* later groups rank below everything picked */
                group++;
                g.from = n;
                g.site = NO_SITE;
                g.is_multi = false;
            }
            if (inelig(c, oca) != STEER_ELIGIBLE || (nlv > 0 && overridden(rt, lv, nlv, oca)))
                continue;
            if (group > 0 && g.from == cap - 1) {
                /* Only the label of the last choice is missing, and any member of a later
                 * group gives the same one (a static step): no order inside this group, no
                 * distance. */
                memset(&v[n], 0, sizeof(v[n]));
                v[n].oca = oca;
                v[n].cand = seg + 1 + i;
                v[n].group = group;
                return n + 1;
            }
            add(c, &g, v, &n, cap, oca, seg + 1 + i, group,
                h->has_origins ? e[i].c.origin_as : origin);
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
        if (inelig(c, c->s->fb[k]) == STEER_ELIGIBLE)
            add(c, g, v, n, cap, c->s->fb[k], NO_CAND, 0, 0);
}

static bool
site_has_eligible(const struct qctx *c, const struct steer_fbsite *f)
{
    uint32_t k;

    for (k = f->first; k < f->first + f->n; k++)
        if (inelig(c, c->s->fb[k]) == STEER_ELIGIBLE)
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

static enum steer_step
step_between(const struct qctx *c, const struct pick *a, const struct pick *b)
{
    const struct steer_policy *p = &c->s->policy;

    if (a->group != b->group) {
        const struct steer_cand *x = &c->s->rt->slots[a->cand].c;
        const struct steer_cand *y = &c->s->rt->slots[b->cand].c;
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
        const struct steer_cand *cd = &c->s->rt->slots[p->cand].c;
        enum route_src src = cd->flags & STEER_CAND_SRC_MASK;

        ch->has_route = true;
        steer_prefix_of(&c->q->client, cd->plen, &ch->prefix);
        ch->src = src;
        ch->path_len = cd->path_len;
        ch->path_len_eff = steer_path_eff(&c->s->policy, cd->path_len, src);
        ch->has_med = (cd->flags & STEER_CAND_HAS_MED) != 0;
        ch->med = cd->med;
        ch->med_eff = steer_med_eff(&c->s->policy, ch->has_med, cd->med, src);
        ch->origin_as = p->origin;
        ch->first_as = cd->first_as;
    }
    ch->distance_km = c->known ? site_km(c, c->s->oq[p->oca].site) : -1.0;
}

/* Origin AS of the best-ranked route: the lowest one among the first rank group (which is
 * in the list's own entries). */
static uint32_t
client_asn(const struct steer_rt *rt, uint32_t id)
{
    uint32_t seg = rt->lnodes[id].seg;
    const struct steer_shdr *h = &rt->slots[seg].h;
    const union steer_slot *e = rt->slots + seg + 1;
    uint32_t i, asn;

    if (h->n == 0)
        return 0;
    if (!h->has_origins)
        return rt->lnodes[id].origin_as;
    asn = e[0].c.origin_as;
    for (i = 1; i < h->n && !(e[i].c.flags & STEER_CAND_STEP_MASK); i++)
        if (e[i].c.origin_as < asn)
            asn = e[i].c.origin_as;
    return asn;
}

enum ocdn_err
steer_decide(const struct steer_snap *s, const struct steer_query *q, struct steer_result *out)
{
    struct pick v[STEER_MAX_N + 1];
    uint32_t id;
    struct qctx c;
    unsigned n = 0, j;
    enum ocdn_err err;

    out->n = 0;
    err = check_query(s, q, true);
    if (err)
        return err;
    ctx_init(&c, s, q);
    /* The file's holder set and the lookup are independent misses: overlap them. */
    if (!c.speed)
        __builtin_prefetch(&s->cat->fent[q->file]);
    id = steer_lookup(s->rt, &q->client);
    out->client_asn = client_asn(s->rt, id);
    if (id)
        n = rank_route(&c, id, v, q->n + 1);
    if (n > 0) {
        out->mode = STEER_MODE_ROUTE;
    } else {
        n = rank_fallback(&c, v, q->n + 1);
        out->mode = n > 0 ? STEER_MODE_GEO_FALLBACK : STEER_MODE_ORIGIN;
    }
    out->n = n < q->n ? n : q->n;
    for (j = 0; j < out->n; j++) {
        fill(&c, &v[j], &out->v[j]);
        out->v[j].rank = j + 1;
        out->v[j].decided_by = j + 1 < n ? step_between(&c, &v[j], &v[j + 1]) : STEER_STEP_LAST;
    }
    out->geo = c.geo;
    out->lat = c.known ? c.lat : 0.0;
    out->lon = c.known ? c.lon : 0.0;
    return OCDN_OK;
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
    uint32_t lv[STEER_CHAIN_MAX];
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
        total += rt->slots[rt->lnodes[k].seg].h.n;
    if (total) {
        x = malloc(total * sizeof(*x));
        if (!x)
            return OCDN_ENOMEM;
    }
    /* Every OCA at its most specific level, in list order. */
    for (k = id, nlv = 0; k != 0 && nlv < STEER_CHAIN_MAX; k = rt->lnodes[k].up, nlv++) {
        uint32_t seg = rt->lnodes[k].seg;
        uint32_t origin = rt->lnodes[k].origin_as;
        const struct steer_shdr *h = &rt->slots[seg].h;
        const union steer_slot *e = rt->slots + seg + 1;

        lv[nlv] = seg;
        for (i = 0; i < h->n; i++) {
            uint32_t oca = e[i].c.oca;

            if ((i == 0 && nlv > 0) || (e[i].c.flags & STEER_CAND_STEP_MASK))
                group++;
            if (nlv > 0 && overridden(rt, lv, nlv, oca))
                continue;
            x[nx].p.oca = oca;
            x[nx].p.cand = seg + 1 + (uint32_t)i;
            x[nx].p.group = group;
            x[nx].p.origin = h->has_origins ? e[i].c.origin_as : origin;
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
            if (inelig(&c, s->fb[i]) == STEER_ELIGIBLE) {
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
