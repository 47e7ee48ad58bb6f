/* steer_snap.c - an immutable steering snapshot: validated copies of the sites and OCAs with
 * their query-time facts (eligibility without the file, spread weight), the route tables
 * (steer_rt.c) and the catalog (steer_cat.c), which are refcounted on their own so that a
 * snapshot built for a load or status change reuses the previous one's tables.
 * Owns its copies; shared read-only by every thread that holds a reference. */
#include "steer_int.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum ocdn_err bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum ocdn_err
bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return OCDN_EINVAL;
}

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static enum ocdn_err
check_policy(const struct steer_policy *p, char *err, size_t errlen)
{
    int i;

    for (i = 0; i < ROUTE_SRC_COUNT; i++)
        if (p->path_hops[i] > STEER_PATH_LEN_MAX)
            return bad(err, errlen, "policy: path_hops[%s] %u over %d", route_src_str(i),
                       p->path_hops[i], STEER_PATH_LEN_MAX);
    if (!(p->load_limit > 0.0 && p->load_limit <= 1.0))
        return bad(err, errlen, "policy: load_limit %g not in (0, 1]", p->load_limit);
    if (!(p->geo_bucket_km >= 0.0 && p->geo_bucket_km <= 20000.0))
        return bad(err, errlen, "policy: geo_bucket_km %g not in [0, 20000]", p->geo_bucket_km);
    if (p->max_n < 1 || p->max_n > STEER_MAX_N)
        return bad(err, errlen, "policy: max_n %u not in 1..%d", p->max_n, STEER_MAX_N);
    return OCDN_OK;
}

static bool
name_ok(const char *s)
{
    return s && s[0] && strnlen(s, STEER_NAME_MAX + 1) <= STEER_NAME_MAX;
}

static int
id_cmp(const void *a, const void *b, void *ctx)
{
    const struct steer_oca *o = ctx;
    uint64_t x = o[*(const uint32_t *)a].id, y = o[*(const uint32_t *)b].id;

    return x < y ? -1 : x > y;
}

/* Sites and OCAs: check them, copy them with their strings. */
static enum ocdn_err
copy_places(const struct steer_input *in, struct steer_snap *s, char *err, size_t errlen)
{
    size_t i, total = 0, off = 0;

    if (in->n_sites > STEER_MAX_SITES || in->n_ocas > STEER_MAX_OCAS)
        return bad(err, errlen, "too many sites or ocas");
    for (i = 0; i < in->n_sites; i++) {
        const struct steer_site *t = &in->sites[i];
        if (!name_ok(t->name))
            return bad(err, errlen, "site %zu: missing or overlong name", i);
        if (t->type != SITE_TYPE_ISP && t->type != SITE_TYPE_IX)
            return bad(err, errlen, "site %zu: bad type %d", i, (int)t->type);
        if (t->has_coords && !geo_coords_valid(t->lat, t->lon))
            return bad(err, errlen, "site %zu: bad coordinates %g,%g", i, t->lat, t->lon);
        total += strlen(t->name) + 1;
    }
    for (i = 0; i < in->n_ocas; i++) {
        const struct steer_oca *o = &in->ocas[i];
        if (o->site >= in->n_sites)
            return bad(err, errlen, "oca %zu: site %u out of range (%zu sites)", i, o->site,
                       in->n_sites);
        if (!name_ok(o->host))
            return bad(err, errlen, "oca %zu: missing or overlong host", i);
        if ((unsigned)o->model > OCA_MODEL_GLOBAL)
            return bad(err, errlen, "oca %zu: bad model %d", i, (int)o->model);
        if ((unsigned)o->status > OCA_STATUS_DECOMMISSIONED)
            return bad(err, errlen, "oca %zu: bad status %d", i, (int)o->status);
        total += strlen(o->host) + 1;
    }
    s->sites = calloc(in->n_sites ? in->n_sites : 1, sizeof(*s->sites));
    s->ocas = calloc(in->n_ocas ? in->n_ocas : 1, sizeof(*s->ocas));
    s->strs = malloc(total ? total : 1);
    s->by_id = malloc((in->n_ocas ? in->n_ocas : 1) * sizeof(*s->by_id));
    s->site_vec = calloc(in->n_sites ? in->n_sites : 1, sizeof(*s->site_vec));
    if (!s->sites || !s->ocas || !s->strs || !s->by_id || !s->site_vec)
        return OCDN_ENOMEM;
    for (i = 0; i < in->n_sites; i++) {
        size_t len = strlen(in->sites[i].name) + 1;
        s->sites[i] = in->sites[i];
        memcpy(s->strs + off, in->sites[i].name, len);
        s->sites[i].name = s->strs + off;
        off += len;
        if (s->sites[i].has_coords)
            steer_unit_vec(s->sites[i].lat, s->sites[i].lon, s->site_vec[i]);
    }
    for (i = 0; i < in->n_ocas; i++) {
        size_t len = strlen(in->ocas[i].host) + 1;
        s->ocas[i] = in->ocas[i];
        memcpy(s->strs + off, in->ocas[i].host, len);
        s->ocas[i].host = s->strs + off;
        off += len;
        s->by_id[i] = (uint32_t)i;
    }
    s->n_sites = in->n_sites;
    s->n_ocas = in->n_ocas;
    qsort_r(s->by_id, s->n_ocas, sizeof(*s->by_id), id_cmp, s->ocas);
    for (i = 1; i < s->n_ocas; i++)
        if (s->ocas[s->by_id[i]].id == s->ocas[s->by_id[i - 1]].id)
            return bad(err, errlen, "oca %u: duplicate id %llu (oca %u)", s->by_id[i],
                       (unsigned long long)s->ocas[s->by_id[i]].id, s->by_id[i - 1]);
    s->stats.memory_bytes +=
        total + s->n_sites * sizeof(*s->sites) + s->n_ocas * (sizeof(*s->ocas) + sizeof(*s->by_id));
    return OCDN_OK;
}

/* Eligibility of o without the catalog test (docs/steering.md, step 1). */
static enum steer_inelig
inelig_of(const struct steer_oca *o, double limit, bool speedtest)
{
    bool status_ok = speedtest ? o->status == OCA_STATUS_ONLINE
                               : o->status == OCA_STATUS_ONLINE || o->status == OCA_STATUS_DEGRADED;

    if (!status_ok)
        return STEER_INELIG_STATUS;
    if (!o->is_healthy)
        return STEER_INELIG_UNHEALTHY;
    if (!((double)o->load_bps < limit * (double)o->capacity_bps))
        return STEER_INELIG_OVERLOADED;
    return STEER_ELIGIBLE;
}

static int
fb_cmp(const void *a, const void *b, void *ctx)
{
    const struct steer_oq *oq = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    if (oq[x].site != oq[y].site)
        return oq[x].site < oq[y].site ? -1 : 1;
    return x < y ? -1 : x > y;
}

static enum ocdn_err
query_facts(struct steer_snap *s)
{
    size_t i, k = 0;

    size_t words = (s->n_ocas + 31) / 32 + 1;

    s->oq = calloc(s->n_ocas ? s->n_ocas : 1, sizeof(*s->oq));
    s->fb = malloc((s->n_ocas ? s->n_ocas : 1) * sizeof(*s->fb));
    s->elig[0] = calloc(2 * words, sizeof(*s->elig[0]));
    if (!s->oq || !s->fb || !s->elig[0])
        return OCDN_ENOMEM;
    s->elig[1] = s->elig[0] + words;
    for (i = 0; i < s->n_ocas; i++) {
        const struct steer_oca *o = &s->ocas[i];
        struct steer_oq *q = &s->oq[i];
        double w = s->policy.load_limit * (double)o->capacity_bps - (double)o->load_bps;

        q->weight = w > 0 ? w : 0;
        q->id = o->id;
        q->id_mix = steer_mix64(o->id);
        q->site = o->site;
        q->video = (uint8_t)inelig_of(o, s->policy.load_limit, false);
        q->speed = (uint8_t)inelig_of(o, s->policy.load_limit, true);
        s->elig[0][i / 32] |= (uint32_t)(q->video == STEER_ELIGIBLE) << (i % 32);
        s->elig[1][i / 32] |= (uint32_t)(q->speed == STEER_ELIGIBLE) << (i % 32);
        q->is_fallback = s->sites[o->site].type == SITE_TYPE_IX || o->model == OCA_MODEL_GLOBAL;
        if (q->is_fallback)
            s->fb[k++] = (uint32_t)i; /* by index; sorted by site below */
    }
    s->n_fb = k;
    /* Site order groups an IX site's OCAs together (one distance per site). */
    qsort_r(s->fb, k, sizeof(*s->fb), fb_cmp, s->oq);
    s->fbs = malloc((k ? k : 1) * sizeof(*s->fbs));
    if (!s->fbs)
        return OCDN_ENOMEM;
    for (i = 0; i < k; i++) {
        if (i == 0 || s->oq[s->fb[i]].site != s->oq[s->fb[i - 1]].site) {
            s->fbs[s->n_fbs].site = s->oq[s->fb[i]].site;
            s->fbs[s->n_fbs].first = (uint32_t)i;
            s->fbs[s->n_fbs].n = 0;
            s->n_fbs++;
        }
        s->fbs[s->n_fbs - 1].n++;
    }
    s->stats.memory_bytes += s->n_ocas * (sizeof(*s->oq) + sizeof(*s->fb) + sizeof(*s->fbs)) +
                             2 * words * sizeof(*s->elig[0]);
    return OCDN_OK;
}

static bool
same_ocas(const uint64_t *ids, size_t n, const struct steer_input *in)
{
    size_t i;

    if (n != in->n_ocas)
        return false;
    for (i = 0; i < n; i++)
        if (ids[i] != in->ocas[i].id)
            return false;
    return true;
}

static uint64_t
own_checksum(const struct steer_snap *s)
{
    uint64_t h = 0x5a9ull ^ s->generation;
    size_t i;

    h = steer_hash_bytes(s->policy.path_hops, sizeof(s->policy.path_hops), h);
    h = steer_hash_bytes(s->policy.med_offset, sizeof(s->policy.med_offset), h);
    h = steer_hash_bytes(&s->policy.load_limit, sizeof(s->policy.load_limit), h);
    h = steer_hash_bytes(&s->policy.geo_bucket_km, sizeof(s->policy.geo_bucket_km), h);
    h ^= s->policy.max_n;
    for (i = 0; i < s->n_sites; i++) {
        const struct steer_site *t = &s->sites[i];
        h = steer_hash_bytes(&t->id, sizeof(t->id), h);
        h = steer_hash_bytes(&t->lat, sizeof(t->lat), h);
        h = steer_hash_bytes(&t->lon, sizeof(t->lon), h);
        h = steer_hash_bytes(t->name, strlen(t->name), h ^ (uint64_t)t->type << 1 ^ t->has_coords);
    }
    for (i = 0; i < s->n_ocas; i++) {
        const struct steer_oca *o = &s->ocas[i];
        h = steer_hash_bytes(&o->id, sizeof(o->id), h);
        h = steer_hash_bytes(&o->capacity_bps, sizeof(o->capacity_bps), h);
        h = steer_hash_bytes(&o->load_bps, sizeof(o->load_bps), h);
        h = steer_hash_bytes(o->key, sizeof(o->key), h);
        h = steer_hash_bytes(o->host, strlen(o->host), h ^ o->site ^ (uint64_t)o->status << 32);
    }
    h = steer_hash_bytes(s->oq, s->n_ocas * sizeof(*s->oq), h);
    h = steer_hash_bytes(s->elig[0], 2 * ((s->n_ocas + 31) / 32 + 1) * sizeof(*s->elig[0]), h);
    h = steer_hash_bytes(s->fb, s->n_fb * sizeof(*s->fb), h);
    return h;
}

static uint64_t
full_checksum(uint64_t own, uint64_t rt, uint64_t cat)
{
    return steer_mix64(own ^ steer_mix64(rt ^ steer_mix64(cat)));
}

static void
snap_free(struct steer_snap *s)
{
    if (!s)
        return;
    steer_rt_unref(s->rt);
    steer_cat_unref(s->cat);
    free(s->sites);
    free(s->ocas);
    free(s->oq);
    free(s->elig[0]);
    free(s->by_id);
    free(s->site_vec);
    free(s->fb);
    free(s->fbs);
    free(s->strs);
    free(s);
}

/* prev's route tables serve in: same non-zero routes version, same hops and offsets, same
 * OCA list. */
static bool
can_share_routes(const struct steer_input *in, const struct steer_snap *prev)
{
    return prev && prev->rt && in->routes_version != 0 && prev->rt->version == in->routes_version &&
           memcmp(prev->rt->path_hops_and_offsets[0], in->policy.path_hops,
                  sizeof(in->policy.path_hops)) == 0 &&
           memcmp(prev->rt->path_hops_and_offsets[1], in->policy.med_offset,
                  sizeof(in->policy.med_offset)) == 0 &&
           same_ocas(prev->rt->oca_ids, prev->rt->n_ocas, in);
}

static bool
can_share_catalog(const struct steer_input *in, const struct steer_snap *prev)
{
    return prev && prev->cat && in->catalog_version != 0 &&
           prev->cat->version == in->catalog_version &&
           same_ocas(prev->cat->oca_ids, prev->cat->n_ocas, in);
}

struct cat_job {
    const struct steer_input *in;
    struct steer_cat *cat;
    enum ocdn_err err;
    char msg[256];
};

static void *
cat_job_run(void *arg)
{
    struct cat_job *j = arg;

    j->err = steer_cat_build(j->in, &j->cat, j->msg, sizeof(j->msg));
    return NULL;
}

struct steer_builder *
steer_builder_new(void)
{
    return calloc(1, sizeof(struct steer_builder));
}

void
steer_builder_free(struct steer_builder *b)
{
    size_t i;

    if (!b)
        return;
    for (i = 0; i < STEER_SCRATCH_COUNT; i++)
        steer_scratch_clear(&b->s[i]);
    free(b);
}

enum ocdn_err
steer_snap_build(const struct steer_input *in, const struct steer_snap *prev, uint64_t generation,
                 struct steer_snap **out, char *err, size_t errlen)
{
    return steer_snap_build_with(NULL, in, prev, generation, out, err, errlen);
}

enum ocdn_err
steer_snap_build_with(struct steer_builder *bld, const struct steer_input *in,
                      const struct steer_snap *prev, uint64_t generation, struct steer_snap **out,
                      char *err, size_t errlen)
{
    struct steer_snap *s;
    uint32_t *site = NULL;
    struct cat_job cj;
    pthread_t cat_thread;
    bool is_cat_threaded = false;
    enum ocdn_err e;
    double t0 = now_ms();
    size_t i;

    *out = NULL;
    if (errlen)
        err[0] = '\0';
    e = check_policy(&in->policy, err, errlen);
    if (e)
        return e;
    s = calloc(1, sizeof(*s));
    if (!s)
        return OCDN_ENOMEM;
    atomic_init(&s->refs, 1);
    s->generation = generation;
    s->policy = in->policy;
    s->stats.memory_bytes = sizeof(*s);
    e = copy_places(in, s, err, errlen);
    if (e)
        goto out;
    e = query_facts(s);
    if (e)
        goto out;
    if (can_share_routes(in, prev)) {
        s->rt = prev->rt;
        atomic_fetch_add_explicit(&s->rt->refs, 1, memory_order_relaxed);
        s->stats.routes_shared = true;
    }
    if (can_share_catalog(in, prev)) {
        s->cat = prev->cat;
        atomic_fetch_add_explicit(&s->cat->refs, 1, memory_order_relaxed);
        s->stats.catalog_shared = true;
    } else {
        /* The catalog does not depend on the routes: build it on the other core meanwhile. */
        memset(&cj, 0, sizeof(cj));
        cj.in = in;
        is_cat_threaded = !s->rt && pthread_create(&cat_thread, NULL, cat_job_run, &cj) == 0;
        if (!is_cat_threaded)
            cat_job_run(&cj);
    }
    if (!s->rt) {
        site = malloc((in->n_ocas ? in->n_ocas : 1) * sizeof(*site));
        if (!site) {
            e = OCDN_ENOMEM;
        } else {
            for (i = 0; i < in->n_ocas; i++)
                site[i] = in->ocas[i].site;
            e = steer_rt_build(in, site, bld, &s->rt, err, errlen);
        }
    }
    if (is_cat_threaded)
        pthread_join(cat_thread, NULL);
    if (!s->cat) {
        s->cat = cj.cat;
        /* Routes are validated first: their error, if any, is the one reported. */
        if (!e && cj.err) {
            e = cj.err;
            snprintf(err, errlen, "%s", cj.msg);
        }
    }
    if (e)
        goto out;
    s->checksum = full_checksum(own_checksum(s), s->rt->checksum, s->cat->checksum);
    s->stats.generation = generation;
    s->stats.checksum = s->checksum;
    s->stats.sites = s->n_sites;
    s->stats.ocas = s->n_ocas;
    s->stats.routes = s->rt->n_routes;
    s->stats.routes_ignored = s->rt->routes_ignored;
    s->stats.files = s->cat->n_files;
    s->stats.holdings = s->cat->n_holdings;
    s->stats.prefixes_v4 = s->rt->n_pfx4;
    s->stats.prefixes_v6 = s->rt->n_pfx6;
    s->stats.lists = s->rt->n_lnodes - 1;
    s->stats.segments = s->rt->n_segs;
    s->stats.list_entries = s->rt->n_entries;
    s->stats.tbl8_groups = s->rt->n_tbl8;
    s->stats.trie_nodes = s->rt->n_nodes;
    s->stats.route_bytes = s->rt->bytes;
    s->stats.catalog_bytes = s->cat->bytes;
    s->stats.memory_bytes += s->rt->bytes + s->cat->bytes;
    s->stats.build_ms = now_ms() - t0;
    *out = s;
    s = NULL;
out:
    free(site);
    snap_free(s);
    return e;
}

struct steer_snap *
steer_snap_ref(struct steer_snap *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void
steer_snap_unref(struct steer_snap *s)
{
    if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    snap_free(s);
}

void
steer_snap_stats(const struct steer_snap *s, struct steer_snap_stats *out)
{
    *out = s->stats;
}

/* Every index in the tables points inside what it indexes: a torn or overwritten snapshot
 * would send a reader out of bounds. */
static bool
tables_consistent(const struct steer_rt *rt)
{
    size_t i;

    for (i = 0; rt->tbl16 && i < ((size_t)1 << 16); i++) {
        uint32_t e = rt->tbl16[i];
        if (e & STEER_TBL_EXT ? (e & ~STEER_TBL_EXT) >= rt->n_grp16 : e >= rt->n_lnodes)
            return false;
    }
    for (i = 0; i < rt->n_grp16 * 256; i++) {
        uint32_t e = rt->grp16[i];
        if (e & STEER_TBL_EXT ? (e & ~STEER_TBL_EXT) >= rt->n_tbl8 : e >= rt->n_lnodes)
            return false;
    }
    for (i = 0; i < rt->n_tbl8 * 256; i++)
        if (rt->tbl8[i] >= rt->n_lnodes)
            return false;
    for (i = 0; rt->direct6 && i < ((size_t)1 << STEER_DIRECT6_BITS); i++) {
        uint32_t e = rt->direct6[i];
        if (e & STEER_TBL_EXT ? (e & ~STEER_TBL_EXT) >= rt->n_nodes : e >= rt->n_lnodes)
            return false;
    }
    for (i = 0; i < rt->n_nodes; i++) {
        const struct steer_ptnode *nd = &rt->nodes[i];
        if ((uint64_t)nd->base1 + steer_popcount64(nd->vec) > rt->n_nodes ||
            (uint64_t)nd->base0 + steer_popcount64(nd->leafvec) > rt->n_leaves)
            return false;
    }
    for (i = 0; i < rt->n_leaves; i++)
        if (rt->leaves[i] >= rt->n_lnodes)
            return false;
    /* The segments follow each other (header, 6 words per entry) to the end of the array, their
     * OCAs are in range; a node's next level comes before it. */
    for (i = 0; i < rt->n_seg_words; i += STEER_SEG_HDR + 6 * (size_t)steer_seg_n(rt->seg + i)) {
        const uint32_t *h = rt->seg + i;
        size_t k, n = steer_seg_n(h);
        if (i + STEER_SEG_HDR + 6 * n > rt->n_seg_words)
            return false;
        for (k = 0; k < n; k++)
            if ((h[STEER_SEG_HDR + k] & STEER_RANK_OCA_MASK) >= rt->n_ocas ||
                steer_seg_sorted(h)[k] >= rt->n_ocas)
                return false;
    }
    for (i = 1; i < rt->n_lnodes; i++)
        if (rt->lnodes[i].up >= i || rt->lnodes[i].seg >= rt->n_seg_words ||
            rt->lnodes[i].up_seg != rt->lnodes[rt->lnodes[i].up].seg)
            return false;
    return true;
}

enum ocdn_err
steer_snap_verify(const struct steer_snap *s)
{
    uint64_t rt = steer_rt_checksum(s->rt), cat = steer_cat_checksum(s->cat);

    if (rt != s->rt->checksum || cat != s->cat->checksum)
        return OCDN_ECONFLICT;
    if (full_checksum(own_checksum(s), rt, cat) != s->checksum)
        return OCDN_ECONFLICT;
    if (s->stats.generation != s->generation || s->stats.checksum != s->checksum)
        return OCDN_ECONFLICT;
    return tables_consistent(s->rt) ? OCDN_OK : OCDN_ECONFLICT;
}

const struct steer_policy *
steer_snap_policy(const struct steer_snap *s)
{
    return &s->policy;
}

size_t
steer_snap_site_count(const struct steer_snap *s)
{
    return s->n_sites;
}

const struct steer_site *
steer_snap_site(const struct steer_snap *s, uint32_t idx)
{
    return idx < s->n_sites ? &s->sites[idx] : NULL;
}

size_t
steer_snap_oca_count(const struct steer_snap *s)
{
    return s->n_ocas;
}

const struct steer_oca *
steer_snap_oca(const struct steer_snap *s, uint32_t idx)
{
    return idx < s->n_ocas ? &s->ocas[idx] : NULL;
}

enum ocdn_err
steer_snap_oca_find(const struct steer_snap *s, uint64_t id, uint32_t *idx)
{
    size_t lo = 0, hi = s->n_ocas;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->ocas[s->by_id[mid]].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == s->n_ocas || s->ocas[s->by_id[lo]].id != id)
        return OCDN_ENOTFOUND;
    *idx = s->by_id[lo];
    return OCDN_OK;
}

size_t
steer_snap_file_count(const struct steer_snap *s)
{
    return s->cat->n_files;
}

enum ocdn_err
steer_snap_file_find(const struct steer_snap *s, const char *id, int32_t *idx)
{
    int32_t f;

    if (!steer_file_id_valid(id))
        return OCDN_EINVAL;
    f = steer_cat_find(s->cat, id, strlen(id));
    if (f < 0)
        return OCDN_ENOTFOUND;
    *idx = f;
    return OCDN_OK;
}

const char *
steer_snap_file_id(const struct steer_snap *s, uint32_t idx)
{
    return idx < s->cat->n_files ? s->cat->names + s->cat->name_off[idx] : NULL;
}
