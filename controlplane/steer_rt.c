/* steer_rt.c - route tables of a steering snapshot: routes -> candidate lists -> LPM tables.
 * For every distinct prefix in the union of all OCAs' routes, its candidate list holds, per
 * OCA, that OCA's most specific route covering the prefix, ranked by the static steps (prefix
 * length, AS path, MED). The list is stored as a node: a segment with the prefix's own
 * entries (the OCAs that learned exactly this prefix) and the node of the covering prefix,
 * whose entries follow minus the OCAs an own entry overrides. Segments are hash-consed on
 * their content and nodes on (segment, parent): the thousands of prefixes a partner announces
 * identically to the OCAs of a site share one segment, and an aggregate learned by hundreds of
 * IX OCAs is stored once however many prefixes it covers. Owns everything in struct steer_rt;
 * built once, then read-only and shared by consecutive snapshots while the routes hold. */
#include "steer_int.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_MAX   0x7fffffffu /* node ids and slots: the LPM tables keep the top bit */
#define IDX_BITS 26          /* route index inside a sort key */
_Static_assert(STEER_MAX_ROUTES <= (1u << IDX_BITS), "route index must fit a sort key");

/* Sort keys of routes, ordered by (address, length, route index). IPv4: one word,
 * addr << 32 | len << 26 | idx (8 bytes: the sort moves a third of what a generic key would).
 * IPv6: (hi, lo) = address, x = len << 32 | idx. */
struct rkey {
    uint64_t hi, lo, x;
};

struct pk { /* a prefix as 128 bits, IPv4 in the top 32 bits of hi */
    uint64_t hi, lo;
    unsigned len;
};

struct canon_rec;

struct memo { /* open addressing: hash -> id + 1 (0 = empty) */
    uint64_t h;
    uint32_t id1, pad;
};

struct table {
    struct memo *v;
    size_t mask, n;
};

struct rtb { /* build state */
    const struct steer_input *in;
    struct steer_rt *rt;
    uint32_t *mark; /* per OCA: stamp of the node being created */
    uint32_t stamp;
    uint32_t *parent; /* per node: the covering prefix's node (build only) */
    size_t cap_parent;
    struct table segs, nodes;
    uint32_t *enc; /* scratch: one segment encoded as stored, to hash and compare */
    size_t cap_enc;
    struct steer_cand *own; /* scratch: one prefix's own entries */
    size_t cap_own;
    /* Own entries as they come out of the route sort (OCA order, a canonical form) -> their
     * segment: most prefixes repeat a set seen before, and then need no sorting at all. */
    struct table canon;
    struct steer_cand *canon_v; /* the canonical entries of each known set, back to back */
    size_t n_canon_v, cap_canon_v;
    struct canon_rec *canon_rec;
    size_t n_canon_rec, cap_canon_rec;
    /* The previous prefix's answers: siblings in sorted order often repeat them, and checking
     * here first saves a cache miss in the hash tables. */
    uint32_t last_rec, last_node; /* canon_rec index + 1, node + 1; 0 = none */
};

struct canon_rec {
    size_t off; /* into canon_v */
    uint32_t n, seg, uniform, pad;
};

static enum ocdn_err
bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return OCDN_EINVAL;
}

void
steer_rt_unref(struct steer_rt *rt)
{
    if (!rt || atomic_fetch_sub_explicit(&rt->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(rt->oca_ids);
    steer_mem_free(rt->seg, rt->seg_alloc);
    steer_mem_free(rt->lnodes, rt->lnodes_alloc);
    steer_lpm4_free(rt->tbl24);
    free(rt->tbl8);
    free(rt->direct6);
    free(rt->nodes);
    free(rt->leaves);
    free(rt);
}

/* ---- validation ------------------------------------------------------------------------- */

/* Bits of byte b that a prefix of length len may have set. */
static uint8_t
byte_mask(unsigned len, unsigned b)
{
    if (len >= (b + 1) * 8)
        return 0xff;
    if (len <= b * 8)
        return 0;
    return (uint8_t)(0xff00u >> (len - b * 8));
}

static void
prefix_str(const struct net_prefix *p, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN];

    if (!inet_ntop(p->addr.family == NET_V4 ? AF_INET : AF_INET6, p->addr.bytes, a, sizeof(a)))
        snprintf(a, sizeof(a), "?");
    snprintf(buf, len, "%s/%u", a, p->len);
}

static enum ocdn_err
check_route(const struct steer_input *in, size_t i, char *err, size_t errlen)
{
    const struct steer_route *r = &in->routes[i];
    const struct net_prefix *p = &r->prefix;
    char txt[NET_PREFIX_STRLEN + 8];
    unsigned b;

    if (r->oca >= in->n_ocas)
        return bad(err, errlen, "route %zu: oca %u out of range (%zu ocas)", i, r->oca, in->n_ocas);
    if ((unsigned)r->src >= ROUTE_SRC_COUNT)
        return bad(err, errlen, "route %zu: bad source %d", i, (int)r->src);
    if (r->path_len > STEER_PATH_LEN_MAX)
        return bad(err, errlen, "route %zu: AS path length %u over %d", i, r->path_len,
                   STEER_PATH_LEN_MAX);
    if (p->addr.family != NET_V4 && p->addr.family != NET_V6)
        return bad(err, errlen, "route %zu: bad address family %u", i, p->addr.family);
    if (p->len > (p->addr.family == NET_V4 ? 32 : 128))
        return bad(err, errlen, "route %zu: prefix length %u too long", i, p->len);
    /* Host bits: the address words below the prefix length must be zero. */
    {
        uint64_t hi = steer_be64(p->addr.bytes), lo = steer_be64(p->addr.bytes + 8);
        uint64_t mhi = p->len == 0 ? 0 : p->len >= 64 ? ~0ull : ~0ull << (64 - p->len);
        uint64_t mlo = p->len <= 64 ? 0 : ~0ull << (128 - p->len);
        if (!(hi & ~mhi) && !(lo & ~mlo))
            return OCDN_OK;
    }
    for (b = 0; b < 16; b++)
        if (p->addr.bytes[b] & (uint8_t)~byte_mask(p->len, b))
            break;
    prefix_str(p, txt, sizeof(txt));
    return bad(err, errlen, "route %zu: prefix %s has host bits set", i, txt);
}

/* ---- sorting ---------------------------------------------------------------------------- */

/* Keys are sorted by one pass over memory that splits them on the 11 highest bits in which
 * they differ (2048 buckets: few enough for the scattered writes to stay cache-friendly,
 * enough for a bucket to fit in cache), then each bucket by LSD radix on the bytes that vary
 * inside it (insertion sort for small ones). */
#define MSD_BITS    11
#define MSD_BUCKETS (1u << MSD_BITS)
#define SMALL_SORT  24

static inline unsigned
byte64(uint64_t v, unsigned d)
{
    return (unsigned)(v >> (8 * d)) & 0xffu;
}

/* Sort a bucket of IPv4 keys in cache; tmp has room for n. */
static void
sort_bucket4(uint64_t *v, uint64_t *tmp, size_t n)
{
    uint64_t diff = 0, *src = v, *dst = tmp, *sw;
    size_t i, j, cnt[256];
    unsigned d;

    if (n <= SMALL_SORT) {
        for (i = 1; i < n; i++) {
            uint64_t t = v[i];
            for (j = i; j > 0 && t < v[j - 1]; j--)
                v[j] = v[j - 1];
            v[j] = t;
        }
        return;
    }
    for (i = 1; i < n; i++)
        diff |= v[i] ^ v[0];
    for (d = 0; d < 8; d++) {
        size_t sum = 0;
        if (!byte64(diff, d))
            continue;
        memset(cnt, 0, sizeof(cnt));
        for (i = 0; i < n; i++)
            cnt[byte64(src[i], d)]++;
        for (i = 0; i < 256; i++) {
            size_t c = cnt[i];
            cnt[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            dst[cnt[byte64(src[i], d)]++] = src[i];
        sw = src;
        src = dst;
        dst = sw;
    }
    if (src != v)
        memcpy(v, src, n * sizeof(*v));
}

static enum ocdn_err
sort_keys4(uint64_t *v, size_t n)
{
    uint64_t diff = 0, *tmp;
    size_t start[MSD_BUCKETS + 1], i;
    unsigned pos, b;

    for (i = 1; i < n; i++)
        diff |= v[i] ^ v[0];
    if (diff == 0)
        return OCDN_OK;
    pos = 64 - (unsigned)__builtin_clzll(diff); /* one past the highest differing bit */
    pos = pos >= MSD_BITS ? pos - MSD_BITS : 0;
    tmp = malloc(n * sizeof(*tmp));
    if (!tmp)
        return OCDN_ENOMEM;
    memset(start, 0, sizeof(start));
    for (i = 0; i < n; i++)
        start[((v[i] >> pos) & (MSD_BUCKETS - 1)) + 1]++;
    for (b = 1; b <= MSD_BUCKETS; b++)
        start[b] += start[b - 1];
    for (i = 0; i < n; i++)
        tmp[start[(v[i] >> pos) & (MSD_BUCKETS - 1)]++] = v[i];
    for (b = 0; b < MSD_BUCKETS; b++) { /* start[b] is now the end of bucket b */
        size_t lo = b ? start[b - 1] : 0;
        if (start[b] - lo > 1)
            sort_bucket4(tmp + lo, v + lo, start[b] - lo);
    }
    memcpy(v, tmp, n * sizeof(*v));
    free(tmp);
    return OCDN_OK;
}

/* Byte d of an IPv6 key, d = 0 the least significant: x (0..7), lo (8..15), hi (16..23). */
static inline unsigned
key_byte(const struct rkey *k, unsigned d)
{
    return byte64(d < 8 ? k->x : d < 16 ? k->lo : k->hi, d % 8);
}

static inline bool
key_less(const struct rkey *a, const struct rkey *b)
{
    if (a->hi != b->hi)
        return a->hi < b->hi;
    if (a->lo != b->lo)
        return a->lo < b->lo;
    return a->x < b->x;
}

static void
key_diff(const struct rkey *v, size_t n, struct rkey *diff)
{
    size_t i;

    memset(diff, 0, sizeof(*diff));
    for (i = 1; i < n; i++) {
        diff->hi |= v[i].hi ^ v[0].hi;
        diff->lo |= v[i].lo ^ v[0].lo;
        diff->x |= v[i].x ^ v[0].x;
    }
}

static void
sort_bucket6(struct rkey *v, struct rkey *tmp, size_t n)
{
    struct rkey *src = v, *dst = tmp, *sw, diff;
    size_t i, j, cnt[256];
    unsigned d;

    if (n <= SMALL_SORT) {
        for (i = 1; i < n; i++) {
            struct rkey t = v[i];
            for (j = i; j > 0 && key_less(&t, &v[j - 1]); j--)
                v[j] = v[j - 1];
            v[j] = t;
        }
        return;
    }
    key_diff(v, n, &diff);
    for (d = 0; d < 24; d++) {
        size_t sum = 0;
        if (!key_byte(&diff, d))
            continue;
        memset(cnt, 0, sizeof(cnt));
        for (i = 0; i < n; i++)
            cnt[key_byte(&src[i], d)]++;
        for (i = 0; i < 256; i++) {
            size_t c = cnt[i];
            cnt[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            dst[cnt[key_byte(&src[i], d)]++] = src[i];
        sw = src;
        src = dst;
        dst = sw;
    }
    if (src != v)
        memcpy(v, src, n * sizeof(*v));
}

/* The 11 bits of an IPv6 key from bit pos up (x is bits 0..63, lo 64..127, hi 128..191). */
static inline unsigned
key_bits11(const struct rkey *k, unsigned pos)
{
    unsigned __int128 v;

    if (pos >= 64) {
        v = (unsigned __int128)k->hi << 64 | k->lo;
        return (unsigned)(v >> (pos - 64)) & (MSD_BUCKETS - 1);
    }
    v = (unsigned __int128)k->lo << 64 | k->x;
    return (unsigned)(v >> pos) & (MSD_BUCKETS - 1);
}

static enum ocdn_err
sort_keys6(struct rkey *v, size_t n)
{
    struct rkey diff, *tmp;
    size_t start[MSD_BUCKETS + 1], i;
    unsigned pos, b;

    key_diff(v, n, &diff);
    if (diff.hi)
        pos = 192 - (unsigned)__builtin_clzll(diff.hi);
    else if (diff.lo)
        pos = 128 - (unsigned)__builtin_clzll(diff.lo);
    else if (diff.x)
        pos = 64 - (unsigned)__builtin_clzll(diff.x);
    else
        return OCDN_OK;
    pos = pos >= MSD_BITS ? pos - MSD_BITS : 0;
    tmp = malloc(n * sizeof(*tmp));
    if (!tmp)
        return OCDN_ENOMEM;
    memset(start, 0, sizeof(start));
    for (i = 0; i < n; i++)
        start[key_bits11(&v[i], pos) + 1]++;
    for (b = 1; b <= MSD_BUCKETS; b++)
        start[b] += start[b - 1];
    for (i = 0; i < n; i++)
        tmp[start[key_bits11(&v[i], pos)]++] = v[i];
    for (b = 0; b < MSD_BUCKETS; b++) {
        size_t lo = b ? start[b - 1] : 0;
        if (start[b] - lo > 1)
            sort_bucket6(tmp + lo, v + lo, start[b] - lo);
    }
    memcpy(v, tmp, n * sizeof(*v));
    free(tmp);
    return OCDN_OK;
}

/* The prefix and route index of key i. */
static inline void
key_at(uint8_t family, const uint64_t *k4, const struct rkey *k6, size_t i, struct pk *p,
       uint32_t *idx)
{
    if (family == NET_V4) {
        p->hi = k4[i] & 0xffffffff00000000ull;
        p->lo = 0;
        p->len = (unsigned)(k4[i] >> IDX_BITS) & 63u;
        *idx = (uint32_t)(k4[i] & ((1u << IDX_BITS) - 1));
    } else {
        p->hi = k6[i].hi;
        p->lo = k6[i].lo;
        p->len = (unsigned)(k6[i].x >> 32);
        *idx = (uint32_t)k6[i].x;
    }
}

/* True when keys i and j are routes of the same prefix. */
static inline bool
same_prefix(uint8_t family, const uint64_t *k4, const struct rkey *k6, size_t i, size_t j)
{
    if (family == NET_V4)
        return k4[i] >> IDX_BITS == k4[j] >> IDX_BITS;
    return k6[i].hi == k6[j].hi && k6[i].lo == k6[j].lo && k6[i].x >> 32 == k6[j].x >> 32;
}

/* True when q covers p (q no longer than p and p inside q). */
static bool
pk_covers(const struct pk *q, const struct pk *p)
{
    uint64_t mhi, mlo;

    if (q->len > p->len)
        return false;
    mhi = q->len == 0 ? 0 : q->len >= 64 ? ~0ull : ~0ull << (64 - q->len);
    mlo = q->len <= 64 ? 0 : q->len >= 128 ? ~0ull : ~0ull << (128 - q->len);
    return (p->hi & mhi) == q->hi && (p->lo & mlo) == q->lo;
}

/* ---- segments and nodes ----------------------------------------------------------------- */

static inline enum route_src
cand_src(const struct steer_cand *c)
{
    return (enum route_src)(c->flags & STEER_CAND_SRC_MASK);
}

/* Order of a list: plen desc, effective AS path, effective MED, site, OCA index. */
static int
cand_cmp(const struct steer_policy *p, const uint32_t *site, const struct steer_cand *a,
         const struct steer_cand *b)
{
    uint32_t pa, pb;
    uint64_t ma, mb;

    if (a->plen != b->plen)
        return a->plen > b->plen ? -1 : 1;
    pa = steer_path_eff(p, a->path_len, cand_src(a));
    pb = steer_path_eff(p, b->path_len, cand_src(b));
    if (pa != pb)
        return pa < pb ? -1 : 1;
    ma = steer_med_eff(p, a->flags & STEER_CAND_HAS_MED, a->med, cand_src(a));
    mb = steer_med_eff(p, b->flags & STEER_CAND_HAS_MED, b->med, cand_src(b));
    if (ma != mb)
        return ma < mb ? -1 : 1;
    if (site[a->oca] != site[b->oca])
        return site[a->oca] < site[b->oca] ? -1 : 1;
    return a->oca < b->oca ? -1 : a->oca > b->oca;
}

/* Which static step separates b from the entry a before it: 0 = same group, else 1 + step. */
static uint32_t
step_code(const struct steer_policy *p, const struct steer_cand *a, const struct steer_cand *b)
{
    if (a->plen != b->plen)
        return 1 + STEER_STEP_PREFIX;
    if (steer_path_eff(p, a->path_len, cand_src(a)) != steer_path_eff(p, b->path_len, cand_src(b)))
        return 1 + STEER_STEP_ASPATH;
    if (steer_med_eff(p, a->flags & STEER_CAND_HAS_MED, a->med, cand_src(a)) !=
        steer_med_eff(p, b->flags & STEER_CAND_HAS_MED, b->med, cand_src(b)))
        return 1 + STEER_STEP_MED;
    return 0;
}

static enum ocdn_err
reserve(void **v, size_t *cap, size_t need, size_t sz)
{
    size_t ncap = *cap ? *cap : 4096;
    void *p;

    if (need <= *cap)
        return OCDN_OK;
    while (ncap < need)
        ncap *= 2;
    p = realloc(*v, ncap * sz);
    if (!p)
        return OCDN_ENOMEM;
    *v = p;
    *cap = ncap;
    return OCDN_OK;
}

static int
u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static enum ocdn_err
table_grow(struct table *t)
{
    size_t cap = t->v ? t->mask + 1 : 0, ncap, i, j;
    struct memo *nv;

    if (t->v && (t->n + 1) * 2 <= cap)
        return OCDN_OK;
    ncap = cap ? cap * 2 : 4096;
    nv = calloc(ncap, sizeof(*nv));
    if (!nv)
        return OCDN_ENOMEM;
    for (i = 0; i < cap; i++) {
        if (t->v[i].id1 == 0)
            continue;
        for (j = t->v[i].h & (ncap - 1); nv[j].id1 != 0; j = (j + 1) & (ncap - 1))
            ;
        nv[j] = t->v[i];
    }
    free(t->v);
    t->v = nv;
    t->mask = ncap - 1;
    return OCDN_OK;
}

static enum ocdn_err
table_put(struct table *t, uint64_t h, uint32_t id)
{
    size_t i;

    for (i = h & t->mask; t->v[i].id1 != 0; i = (i + 1) & t->mask)
        ;
    t->v[i].h = h;
    t->v[i].id1 = id + 1;
    t->n++;
    return table_grow(t);
}

/* The segment holding e[0..ne) (sorted): an existing one with the same content, or a new
 * one. uniform: the entries' origin AS was moved to the node (and is 0 here). */
static enum ocdn_err
intern_seg(struct rtb *b, const struct steer_cand *e, size_t ne, bool uniform, uint32_t *seg)
{
    struct steer_rt *rt = b->rt;
    const struct steer_policy *pol = &b->in->policy;
    size_t words = STEER_SEG_HDR + 5 * ne, i, j, at;
    uint32_t *w, *sorted;
    struct steer_rent *f;
    uint64_t hash, filter = 0;
    enum ocdn_err err;

    /* Encode as stored (all but the sorted OCAs, which follow from the rest). */
    err = reserve((void **)&b->enc, &b->cap_enc, words, sizeof(*b->enc));
    if (err)
        return err;
    w = b->enc;
    f = (struct steer_rent *)(void *)(w + STEER_SEG_HDR + ne);
    for (j = 0; j < ne; j++) {
        uint32_t step = j ? step_code(pol, &e[j - 1], &e[j]) : 0;
        w[STEER_SEG_HDR + j] = e[j].oca | step << STEER_RANK_STEP_SHIFT;
        filter |= 1ull << (e[j].oca & 63u);
        memset(&f[j], 0, sizeof(f[j]));
        f[j].med = e[j].med;
        f[j].origin_as = e[j].origin_as;
        f[j].first_as = e[j].first_as;
        f[j].path_len = (uint8_t)e[j].path_len;
        f[j].plen = e[j].plen;
        f[j].flags = e[j].flags;
    }
    w[0] = (uint32_t)ne | (uniform ? 0 : STEER_SEG_ORIGINS);
    w[1] = (uint32_t)filter;
    w[2] = (uint32_t)(filter >> 32);
    /* The client's AS: the lowest origin of the first rank group, which ends at the first
     * entry with a step. */
    w[3] = ne && !uniform ? e[0].origin_as : 0;
    if (!uniform)
        for (j = 1; j < ne && !(w[STEER_SEG_HDR + j] >> STEER_RANK_STEP_SHIFT); j++)
            if (e[j].origin_as < w[3])
                w[3] = e[j].origin_as;
    hash = steer_hash_bytes(w, words * sizeof(*w), 0x5e65e6ull);
    for (i = hash & b->segs.mask; b->segs.v[i].id1 != 0; i = (i + 1) & b->segs.mask) {
        uint32_t m = b->segs.v[i].id1 - 1;
        if (b->segs.v[i].h == hash && rt->seg[m] == w[0] &&
            memcmp(rt->seg + m, w, words * sizeof(*w)) == 0) {
            *seg = m;
            return OCDN_OK;
        }
    }
    at = rt->n_seg_words;
    if (at + words + ne > ID_MAX || (at + words + ne) * sizeof(*rt->seg) > rt->seg_alloc)
        return OCDN_ETOOBIG;
    memcpy(rt->seg + at, w, words * sizeof(*w));
    /* The same OCAs sorted by index, for "is this inherited entry overridden?" at query time. */
    sorted = rt->seg + at + words;
    for (j = 0; j < ne; j++)
        sorted[j] = e[j].oca;
    qsort(sorted, ne, sizeof(*sorted), u32_cmp);
    rt->n_seg_words += words + ne;
    rt->n_segs++;
    rt->n_entries += ne;
    *seg = (uint32_t)at;
    return table_put(&b->segs, hash, (uint32_t)at);
}

/* The first ancestor, from parent up, with an OCA that segment seg does not have: the levels
 * before it are made only of OCAs seg overrides (typically the site's own aggregates of its
 * more-specifics), so a query has nothing to find there. */
static uint32_t
skip_overridden(struct rtb *b, uint32_t seg, uint32_t parent)
{
    const struct steer_rt *rt = b->rt;
    const uint32_t *own = steer_seg_sorted(rt->seg + seg);
    uint32_t n = steer_seg_n(rt->seg + seg), i, a;

    if (++b->stamp == 0) { /* wrapped: clear the marks */
        memset(b->mark, 0, rt->n_ocas * sizeof(*b->mark));
        b->stamp = 1;
    }
    for (i = 0; i < n; i++)
        b->mark[own[i]] = b->stamp;
    for (a = parent; a != 0; a = b->parent[a]) {
        uint32_t as = rt->lnodes[a].seg, an = steer_seg_n(rt->seg + as);
        const uint32_t *ao = steer_seg_sorted(rt->seg + as);
        for (i = 0; i < an && b->mark[ao[i]] == b->stamp; i++)
            ;
        if (i < an)
            return a;
    }
    return 0;
}

/* The node (seg, parent, origin): an existing one or a new one. */
static enum ocdn_err
intern_node(struct rtb *b, uint32_t seg, uint32_t parent, uint32_t origin, uint32_t *node)
{
    struct steer_rt *rt = b->rt;
    uint64_t hash;
    size_t i;
    enum ocdn_err err;

    if (b->last_node) {
        const struct steer_lnode *m = &rt->lnodes[b->last_node - 1];
        if (m->seg == seg && b->parent[b->last_node - 1] == parent && m->origin_as == origin) {
            *node = b->last_node - 1;
            return OCDN_OK;
        }
    }
    hash = steer_mix64(((uint64_t)seg << 32 | parent) ^ steer_mix64(origin));
    for (i = hash & b->nodes.mask; b->nodes.v[i].id1 != 0; i = (i + 1) & b->nodes.mask) {
        const struct steer_lnode *m = &rt->lnodes[b->nodes.v[i].id1 - 1];
        if (m->seg == seg && b->parent[b->nodes.v[i].id1 - 1] == parent && m->origin_as == origin) {
            *node = b->nodes.v[i].id1 - 1;
            b->last_node = b->nodes.v[i].id1;
            return OCDN_OK;
        }
    }
    if (rt->n_lnodes >= ID_MAX || (rt->n_lnodes + 1) * sizeof(*rt->lnodes) > rt->lnodes_alloc)
        return OCDN_ETOOBIG;
    err = reserve((void **)&b->parent, &b->cap_parent, rt->n_lnodes + 1, sizeof(*b->parent));
    if (err)
        return err;
    *node = (uint32_t)rt->n_lnodes;
    b->parent[*node] = parent;
    rt->lnodes[rt->n_lnodes].seg = seg;
    rt->lnodes[rt->n_lnodes].up = skip_overridden(b, seg, parent);
    rt->lnodes[rt->n_lnodes].origin_as = origin;
    rt->lnodes[rt->n_lnodes].up_seg = rt->lnodes[rt->lnodes[rt->n_lnodes].up].seg;
    rt->n_lnodes++;
    b->last_node = *node + 1;
    return table_put(&b->nodes, hash, *node);
}

/* Sort the own entries of one prefix (small: insertion sort). */
static void
sort_own(const struct steer_policy *p, const uint32_t *site, struct steer_cand *e, size_t n)
{
    size_t i, j;

    for (i = 1; i < n; i++) {
        struct steer_cand t = e[i];
        for (j = i; j > 0 && cand_cmp(p, site, &t, &e[j - 1]) < 0; j--)
            e[j] = e[j - 1];
        e[j] = t;
    }
}

struct own_ctx {
    const struct steer_policy *p;
    const uint32_t *site;
};

static int
own_cmp(const void *a, const void *b, void *ctx)
{
    const struct own_ctx *c = ctx;

    return cand_cmp(c->p, c->site, a, b);
}

/* The segment of b->own[0..ne) (in OCA order), and *origin: the origin AS all its entries
 * share (moved out of the entries), or 0 when they differ. */
static enum ocdn_err
own_segment(struct rtb *b, const uint32_t *site, size_t ne, uint32_t *seg, uint32_t *origin)
{
    const struct steer_input *in = b->in;
    struct steer_cand *e = b->own;
    struct canon_rec *r;
    uint64_t h;
    size_t i;
    bool uniform = true;
    enum ocdn_err err;

    for (i = 1; i < ne && uniform; i++)
        uniform = e[i].origin_as == e[0].origin_as;
    *origin = uniform ? e[0].origin_as : 0;
    if (uniform)
        for (i = 0; i < ne; i++)
            e[i].origin_as = 0;
    if (b->last_rec) {
        r = &b->canon_rec[b->last_rec - 1];
        if (r->n == ne && r->uniform == uniform &&
            memcmp(b->canon_v + r->off, e, ne * sizeof(*e)) == 0) {
            *seg = r->seg;
            return OCDN_OK;
        }
    }
    h = steer_hash_bytes(e, ne * sizeof(*e), 0xca0ca0ull ^ uniform);
    for (i = h & b->canon.mask; b->canon.v[i].id1 != 0; i = (i + 1) & b->canon.mask) {
        r = &b->canon_rec[b->canon.v[i].id1 - 1];
        if (b->canon.v[i].h == h && r->n == ne && r->uniform == uniform &&
            memcmp(b->canon_v + r->off, e, ne * sizeof(*e)) == 0) {
            *seg = r->seg;
            b->last_rec = b->canon.v[i].id1;
            return OCDN_OK;
        }
    }
    err = reserve((void **)&b->canon_v, &b->cap_canon_v, b->n_canon_v + ne, sizeof(*b->canon_v));
    if (!err)
        err = reserve((void **)&b->canon_rec, &b->cap_canon_rec, b->n_canon_rec + 1,
                      sizeof(*b->canon_rec));
    if (err)
        return err;
    memcpy(b->canon_v + b->n_canon_v, e, ne * sizeof(*e));
    if (ne <= 16) {
        sort_own(&in->policy, site, e, ne);
    } else {
        struct own_ctx oc = {&in->policy, site};
        qsort_r(e, ne, sizeof(*e), own_cmp, &oc);
    }
    err = intern_seg(b, e, ne, uniform, seg);
    if (err)
        return err;
    r = &b->canon_rec[b->n_canon_rec];
    r->off = b->n_canon_v;
    r->n = (uint32_t)ne;
    r->seg = *seg;
    r->uniform = uniform;
    b->n_canon_v += ne;
    b->last_rec = (uint32_t)b->n_canon_rec + 1;
    return table_put(&b->canon, h, (uint32_t)b->n_canon_rec++);
}

static int
by_oca(const void *a, const void *b, void *ctx)
{
    const struct steer_route *r = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    if (r[x].oca != r[y].oca)
        return r[x].oca < r[y].oca ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Build the nodes and the distinct-prefix arrays of one family. */
static enum ocdn_err
build_family(struct rtb *b, uint8_t family, const uint32_t *site)
{
    const struct steer_input *in = b->in;
    const struct steer_route *routes = in->routes;
    struct steer_rt *rt = b->rt;
    uint64_t *k4 = NULL;
    struct rkey *k6 = NULL;
    struct pk stack[130], cur;
    uint32_t stack_node[130], *run = NULL;
    size_t depth = 0, nk = 0, i, j, np = 0, cap_run = 0;
    uint32_t *pnode = NULL;
    uint8_t *plen = NULL;
    uint64_t *paddr = NULL;
    enum ocdn_err err = OCDN_OK;

    for (i = 0; i < in->n_routes; i++)
        if (routes[i].prefix.addr.family == family && routes[i].prefix.len > 0)
            nk++;
    if (nk == 0)
        return OCDN_OK;
    if (family == NET_V4)
        k4 = malloc(nk * sizeof(*k4));
    else
        k6 = malloc(nk * sizeof(*k6));
    if (!k4 && !k6)
        return OCDN_ENOMEM;
    for (i = 0, j = 0; i < in->n_routes; i++) {
        const struct steer_route *r = &routes[i];
        const uint8_t *a = r->prefix.addr.bytes;

        if (r->prefix.addr.family != family || r->prefix.len == 0)
            continue;
        if (family == NET_V4) {
            uint32_t a4 = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
            k4[j] = (uint64_t)a4 << 32 | (uint64_t)r->prefix.len << IDX_BITS | i;
        } else {
            k6[j].hi = steer_be64(a);
            k6[j].lo = steer_be64(a + 8);
            k6[j].x = (uint64_t)r->prefix.len << 32 | i;
        }
        j++;
    }
    err = family == NET_V4 ? sort_keys4(k4, nk) : sort_keys6(k6, nk);
    if (err)
        goto out;
    /* Distinct prefixes: at most one per key. */
    for (i = 0; i < nk; i++)
        if (i == 0 || !same_prefix(family, k4, k6, i, i - 1))
            np++;
    pnode = malloc(np * sizeof(*pnode));
    plen = malloc(np);
    paddr = malloc(np * 2 * sizeof(*paddr));
    if (!pnode || !plen || !paddr) {
        err = OCDN_ENOMEM;
        goto out;
    }
    np = 0;
    for (i = 0; i < nk;) {
        size_t ne = 0, end, nr;
        uint32_t parent, seg, node, origin, idx;

        key_at(family, k4, k6, i, &cur, &idx);
        for (end = i + 1; end < nk && same_prefix(family, k4, k6, end, i); end++)
            ;
        /* The routes of this prefix grouped by OCA (their order in the input breaks ties, so
         * the result never depends on the sort). */
        nr = end - i;
        err = reserve((void **)&run, &cap_run, nr, sizeof(*run));
        if (!err)
            err = reserve((void **)&b->own, &b->cap_own, nr, sizeof(*b->own));
        if (err)
            goto out;
        for (j = 0; j < nr; j++) {
            key_at(family, k4, k6, i + j, &cur, &run[j]);
            if (i + j + 16 < nk) { /* the routes are read at random: fetch ahead */
                struct pk ahead;
                uint32_t aidx;
                key_at(family, k4, k6, i + j + 16, &ahead, &aidx);
                __builtin_prefetch(&routes[aidx]);
            }
        }
        if (nr <= SMALL_SORT) {
            size_t x, y;
            for (x = 1; x < nr; x++) {
                uint32_t t = run[x];
                for (y = x; y > 0 && by_oca(&t, &run[y - 1], (void *)(uintptr_t)routes) < 0; y--)
                    run[y] = run[y - 1];
                run[y] = t;
            }
        } else {
            qsort_r(run, nr, sizeof(*run), by_oca, (void *)(uintptr_t)routes);
        }
        /* One own entry per OCA: its best route for this prefix. */
        for (j = 0; j < nr;) {
            const struct steer_route *best = &routes[run[j]];
            size_t k;

            for (k = j + 1; k < nr && routes[run[k]].oca == best->oca; k++)
                if (steer_route_cmp(&in->policy, &routes[run[k]], best) < 0)
                    best = &routes[run[k]];
            b->own[ne].oca = best->oca;
            b->own[ne].med = best->has_med ? best->med : 0;
            b->own[ne].origin_as = best->origin_as;
            b->own[ne].first_as = best->first_as;
            b->own[ne].path_len = (uint16_t)best->path_len;
            b->own[ne].plen = (uint8_t)cur.len;
            b->own[ne].flags =
                (uint8_t)((unsigned)best->src | (best->has_med ? STEER_CAND_HAS_MED : 0));
            ne++;
            j = k;
        }
        err = own_segment(b, site, ne, &seg, &origin);
        if (err)
            goto out;
        /* The covering prefixes are on the stack (sorted input is a depth-first walk). */
        while (depth > 0 && !pk_covers(&stack[depth - 1], &cur))
            depth--;
        parent = depth > 0 ? stack_node[depth - 1] : 0;
        err = intern_node(b, seg, parent, origin, &node);
        if (err)
            goto out;
        stack[depth] = cur;
        stack_node[depth] = node;
        depth++;
        pnode[np] = node;
        plen[np] = (uint8_t)cur.len;
        paddr[2 * np] = cur.hi;
        paddr[2 * np + 1] = cur.lo;
        np++;
        i = end;
    }
    free(k4);
    free(k6);
    k4 = NULL;
    k6 = NULL;

    /* The prefix list only feeds the lookup tables: it is not kept. */
    if (family == NET_V4) {
        uint32_t *a4 = malloc(np * sizeof(*a4));
        if (!a4) {
            err = OCDN_ENOMEM;
            goto out;
        }
        for (i = 0; i < np; i++)
            a4[i] = (uint32_t)(paddr[2 * i] >> 32);
        rt->n_pfx4 = np;
        err = steer_lpm4_build(rt, a4, plen, pnode, np);
        free(a4);
    } else {
        rt->n_pfx6 = np;
        err = steer_lpm6_build(rt, paddr, plen, pnode, np);
    }
out:
    free(k4);
    free(k6);
    free(run);
    free(pnode);
    free(plen);
    free(paddr);
    return err;
}

uint64_t
steer_rt_checksum(const struct steer_rt *rt)
{
    uint64_t h = 0x7274ull;
    size_t i;

    h = steer_hash_bytes(rt->path_hops_and_offsets, sizeof(rt->path_hops_and_offsets), h);
    h = steer_hash_bytes(rt->oca_ids, rt->n_ocas * sizeof(*rt->oca_ids), h);
    h = steer_hash_bytes(rt->seg, rt->n_seg_words * sizeof(*rt->seg), h);
    h = steer_hash_bytes(rt->lnodes, rt->n_lnodes * sizeof(*rt->lnodes), h);
    /* The lookup tables themselves: the chunks of tbl24 the build wrote (the others are zero
     * pages that were never touched), then everything else. */
    for (i = 0; rt->tbl24 && i < STEER_TBL24_CHUNKS; i++)
        if ((rt->tbl24_dirty[i / 64] >> (i % 64)) & 1)
            h = steer_hash_bytes(rt->tbl24 + (size_t)i * STEER_TBL24_CHUNK,
                                 STEER_TBL24_CHUNK * sizeof(*rt->tbl24), h ^ i);
    h = steer_hash_bytes(rt->tbl24_dirty, sizeof(rt->tbl24_dirty), h);
    h = steer_hash_bytes(rt->tbl8, rt->n_tbl8 * 256 * sizeof(*rt->tbl8), h);
    if (rt->direct6)
        h = steer_hash_bytes(rt->direct6, ((size_t)1 << STEER_DIRECT6_BITS) * sizeof(*rt->direct6),
                             h);
    h = steer_hash_bytes(rt->nodes, rt->n_nodes * sizeof(*rt->nodes), h);
    h = steer_hash_bytes(rt->leaves, rt->n_leaves * sizeof(*rt->leaves), h);
    return h ^ rt->n_pfx4 ^ (uint64_t)rt->n_pfx6 << 32;
}

enum ocdn_err
steer_rt_build(const struct steer_input *in, const uint32_t *oca_site, struct steer_rt **out,
               char *err, size_t errlen)
{
    struct steer_rt *rt;
    struct rtb b;
    enum ocdn_err e = OCDN_OK;
    size_t i;

    *out = NULL;
    for (i = 0; i < in->n_routes; i++) {
        e = check_route(in, i, err, errlen);
        if (e)
            return e;
    }
    rt = calloc(1, sizeof(*rt));
    if (!rt)
        return OCDN_ENOMEM;
    atomic_init(&rt->refs, 1);
    rt->version = in->routes_version;
    memcpy(rt->path_hops_and_offsets[0], in->policy.path_hops, sizeof(in->policy.path_hops));
    memcpy(rt->path_hops_and_offsets[1], in->policy.med_offset, sizeof(in->policy.med_offset));
    rt->n_ocas = in->n_ocas;
    rt->n_routes = in->n_routes;
    memset(&b, 0, sizeof(b));
    b.in = in;
    b.rt = rt;
    rt->oca_ids = malloc((in->n_ocas ? in->n_ocas : 1) * sizeof(*rt->oca_ids));
    if (!rt->oca_ids) {
        e = OCDN_ENOMEM;
        goto out;
    }
    for (i = 0; i < in->n_ocas; i++)
        rt->oca_ids[i] = in->ocas[i].id;
    for (i = 0; i < in->n_routes; i++)
        if (in->routes[i].prefix.len == 0)
            rt->routes_ignored++;
    b.mark = calloc(in->n_ocas ? in->n_ocas : 1, sizeof(*b.mark));
    if (!b.mark) {
        e = OCDN_ENOMEM;
        goto out;
    }
    e = table_grow(&b.segs);
    if (!e)
        e = table_grow(&b.nodes);
    if (!e)
        e = table_grow(&b.canon);
    if (!e)
        e = reserve((void **)&b.parent, &b.cap_parent, 1, sizeof(*b.parent));
    if (e)
        goto out;
    /* Worst cases (one segment and one node per route), reserved, not committed: only what
     * the build writes costs memory, and nothing is copied as the arrays fill. */
    rt->seg_alloc = (STEER_SEG_HDR + (STEER_SEG_HDR + 6) * in->n_routes) * sizeof(*rt->seg);
    rt->lnodes_alloc = (1 + in->n_routes) * sizeof(*rt->lnodes);
    rt->seg = steer_mem_alloc(rt->seg_alloc);
    rt->lnodes = steer_mem_alloc(rt->lnodes_alloc);
    if (!rt->seg || !rt->lnodes) {
        e = OCDN_ENOMEM;
        goto out;
    }
    rt->n_seg_words = STEER_SEG_HDR; /* offset 0: the empty segment (zeroed) */
    b.parent[0] = 0;
    rt->n_lnodes = 1;
    e = build_family(&b, NET_V4, oca_site);
    if (!e)
        e = build_family(&b, NET_V6, oca_site);
    if (e) {
        if (e == OCDN_ETOOBIG)
            snprintf(err, errlen, "route tables over their size limits");
        goto out;
    }
    rt->seg_alloc = steer_mem_shrink(rt->seg, rt->seg_alloc, rt->n_seg_words * sizeof(*rt->seg));
    rt->lnodes_alloc =
        steer_mem_shrink(rt->lnodes, rt->lnodes_alloc, rt->n_lnodes * sizeof(*rt->lnodes));
    rt->bytes = sizeof(*rt) + rt->n_ocas * sizeof(*rt->oca_ids) +
                rt->n_seg_words * sizeof(*rt->seg) + rt->n_lnodes * sizeof(*rt->lnodes) +
                (rt->tbl24 ? ((size_t)1 << 24) * sizeof(*rt->tbl24) : 0) +
                rt->n_tbl8 * 256 * sizeof(*rt->tbl8) +
                (rt->direct6 ? ((size_t)1 << STEER_DIRECT6_BITS) * sizeof(*rt->direct6) : 0) +
                rt->n_nodes * sizeof(*rt->nodes) + rt->n_leaves * sizeof(*rt->leaves);
    rt->checksum = steer_rt_checksum(rt);
    *out = rt;
    rt = NULL;
out:
    steer_rt_unref(rt);
    free(b.mark);
    free(b.parent);
    free(b.segs.v);
    free(b.nodes.v);
    free(b.canon.v);
    free(b.canon_v);
    free(b.canon_rec);
    free(b.own);
    free(b.enc);
    return e;
}
