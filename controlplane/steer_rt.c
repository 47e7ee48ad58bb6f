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
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_MAX   0x7fffffffu /* node ids and slots: the LPM tables keep the top bit */
#define IDX_BITS 26          /* route index inside a sort key */
#ifndef PF_ROUTES
#define PF_ROUTES 16
#endif
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
    const struct steer_route **best; /* scratch: the route behind each own entry */
    size_t cap_best;
    uint32_t *gmark, *gslot; /* per OCA: stamp of the prefix being grouped, its own entry */
    uint32_t gstamp;
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
    steer_lpm4_free(rt);
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

/* Run fn(a) here and fn(b) on a second thread (or here too if none can be started). */
static void
par2(void *(*fn)(void *), void *a, void *b)
{
    pthread_t t;
    bool is_threaded = pthread_create(&t, NULL, fn, b) == 0;

    fn(a);
    if (is_threaded)
        pthread_join(t, NULL);
    else
        fn(b);
}

/* fn(a) and fn(b), on both cores when is_par, else one after the other here. */
static void
run2(void *(*fn)(void *), void *a, void *b, bool is_par)
{
    if (is_par) {
        par2(fn, a, b);
    } else {
        fn(a);
        fn(b);
    }
}

#define PAR_MIN_KEYS 100000 /* below this, one core: a thread would not pay for itself */

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

/* Half of the IPv4 sort: a histogram of its share of the keys (phase 0), their scatter into
 * the buckets (1), the sort of its half of the buckets (2). */
struct sort4_part {
    uint64_t *v, *tmp;
    size_t from, to;           /* its keys (phases 0 and 1) */
    unsigned pos;              /* bucket = the MSD_BITS bits of a key from bit pos */
    size_t cnt[MSD_BUCKETS];   /* phase 0: its keys per bucket; phase 1: where the next goes */
    const size_t *start;       /* bucket b is tmp[start[b], start[b + 1]) */
    unsigned b_from, b_to, ph; /* its buckets (phase 2); the phase */
};

static void *
sort4_work(void *arg)
{
    struct sort4_part *p = arg;
    size_t i;
    unsigned b;

    if (p->ph == 0) {
        memset(p->cnt, 0, sizeof(p->cnt));
        for (i = p->from; i < p->to; i++)
            p->cnt[(p->v[i] >> p->pos) & (MSD_BUCKETS - 1)]++;
    } else if (p->ph == 1) {
        for (i = p->from; i < p->to; i++)
            p->tmp[p->cnt[(p->v[i] >> p->pos) & (MSD_BUCKETS - 1)]++] = p->v[i];
    } else {
        for (b = p->b_from; b < p->b_to; b++)
            if (p->start[b + 1] - p->start[b] > 1)
                sort_bucket4(p->tmp + p->start[b], p->v + p->start[b],
                             p->start[b + 1] - p->start[b]);
        memcpy(p->v + p->start[p->b_from], p->tmp + p->start[p->b_from],
               (p->start[p->b_to] - p->start[p->b_from]) * sizeof(*p->v));
    }
    return NULL;
}

/* Sort IPv4 keys: both cores take half of the keys for the bucket pass, then half of the
 * buckets (by size) for the sorts in cache. */
static enum ocdn_err
sort_keys4(uint64_t *v, size_t n, struct steer_scratch *sc)
{
    struct sort4_part *p;
    uint64_t diff = 0, *tmp;
    size_t start[MSD_BUCKETS + 1], i;
    unsigned pos, b, split;
    bool is_par = n >= PAR_MIN_KEYS;

    for (i = 1; i < n; i++)
        diff |= v[i] ^ v[0];
    if (diff == 0)
        return OCDN_OK;
    pos = 64 - (unsigned)__builtin_clzll(diff); /* one past the highest differing bit */
    pos = pos >= MSD_BITS ? pos - MSD_BITS : 0;
    tmp = steer_scratch_get(sc, n * sizeof(*tmp));
    p = calloc(2, sizeof(*p));
    if (!tmp || !p) {
        free(p);
        return OCDN_ENOMEM;
    }
    for (i = 0; i < 2; i++) {
        p[i].v = v;
        p[i].tmp = tmp;
        p[i].from = i ? n / 2 : 0;
        p[i].to = i ? n : n / 2;
        p[i].pos = pos;
        p[i].start = start;
    }
    run2(sort4_work, &p[0], &p[1], is_par);
    start[0] = 0;
    for (b = 0; b < MSD_BUCKETS; b++) { /* each half's keys of bucket b: the first's, then the
                                           second's */
        size_t c0 = p[0].cnt[b], c1 = p[1].cnt[b];
        p[0].cnt[b] = start[b];
        p[1].cnt[b] = start[b] + c0;
        start[b + 1] = start[b] + c0 + c1;
    }
    p[0].ph = p[1].ph = 1;
    run2(sort4_work, &p[0], &p[1], is_par);
    for (split = 0; split < MSD_BUCKETS && start[split] < n / 2; split++)
        ;
    p[0].b_from = 0;
    p[0].b_to = split;
    p[1].b_from = split;
    p[1].b_to = MSD_BUCKETS;
    p[0].ph = p[1].ph = 2;
    run2(sort4_work, &p[0], &p[1], is_par);
    free(p);
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
sort_keys6(struct rkey *v, size_t n, struct steer_scratch *sc)
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
    tmp = steer_scratch_get(sc, n * sizeof(*tmp));
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

/* The segment whose stored words (header, rank words, route fields: STEER_SEG_HDR + 5 ne) are
 * w: an existing one with the same content, or a new one, appended with its sorted OCAs
 * (sorted, or computed from w when NULL). */
static enum ocdn_err
intern_encoded(struct rtb *b, const uint32_t *w, size_t ne, const uint32_t *sorted, uint32_t *seg)
{
    struct steer_rt *rt = b->rt;
    size_t words = STEER_SEG_HDR + 5 * ne, i, at;
    uint32_t *dst;
    uint64_t hash = steer_hash_bytes(w, words * sizeof(*w), 0x5e65e6ull);

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
    dst = rt->seg + at + words;
    if (sorted) {
        memcpy(dst, sorted, ne * sizeof(*dst));
    } else {
        for (i = 0; i < ne; i++)
            dst[i] = w[STEER_SEG_HDR + i] & STEER_RANK_OCA_MASK;
        qsort(dst, ne, sizeof(*dst), u32_cmp);
    }
    rt->n_seg_words += words + ne;
    rt->n_segs++;
    rt->n_entries += ne;
    *seg = (uint32_t)at;
    return table_put(&b->segs, hash, (uint32_t)at);
}

/* The segment holding e[0..ne) (sorted): an existing one with the same content, or a new
 * one. uniform: the entries' origin AS was moved to the node (and is 0 here). */
static enum ocdn_err
intern_seg(struct rtb *b, const struct steer_cand *e, size_t ne, bool uniform, uint32_t *seg)
{
    const struct steer_policy *pol = &b->in->policy;
    size_t words = STEER_SEG_HDR + 5 * ne, j;
    uint32_t *w;
    struct steer_rent *f;
    uint64_t filter = 0;
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
    return intern_encoded(b, w, ne, NULL, seg);
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

    bool is_marked = false;

    for (a = parent; a != 0; a = b->parent[a]) {
        uint32_t as = rt->lnodes[a].seg, an = steer_seg_n(rt->seg + as);
        const uint32_t *ao = steer_seg_sorted(rt->seg + as);

        if (an > n) /* more OCAs than seg has: one of them is not in seg */
            return a;
        if (!is_marked) {
            if (++b->stamp == 0) { /* wrapped: clear the marks */
                memset(b->mark, 0, rt->n_ocas * sizeof(*b->mark));
                b->stamp = 1;
            }
            for (i = 0; i < n; i++)
                b->mark[own[i]] = b->stamp;
            is_marked = true;
        }
        for (i = 0; i < an && b->mark[ao[i]] == b->stamp; i++)
            ;
        if (i < an)
            return a;
    }
    return 0;
}

/* Append node (seg, parent, origin) whose up pointer is up (SKIP_COMPUTE: work it out). */
#define SKIP_COMPUTE UINT32_MAX
static enum ocdn_err
append_node(struct rtb *b, uint32_t seg, uint32_t parent, uint32_t origin, uint32_t up,
            uint32_t *node)
{
    struct steer_rt *rt = b->rt;
    struct steer_lnode *nd;
    enum ocdn_err err;

    if (rt->n_lnodes >= ID_MAX || (rt->n_lnodes + 1) * sizeof(*rt->lnodes) > rt->lnodes_alloc)
        return OCDN_ETOOBIG;
    err = reserve((void **)&b->parent, &b->cap_parent, rt->n_lnodes + 1, sizeof(*b->parent));
    if (err)
        return err;
    *node = (uint32_t)rt->n_lnodes;
    b->parent[*node] = parent;
    nd = &rt->lnodes[rt->n_lnodes++];
    nd->seg = seg;
    nd->up = up == SKIP_COMPUTE ? skip_overridden(b, seg, parent) : up;
    nd->origin_as = origin;
    nd->up_seg = rt->lnodes[nd->up].seg;
    return OCDN_OK;
}

/* The node (seg, parent, origin): an existing one or a new one. */
static enum ocdn_err
intern_node(struct rtb *b, uint32_t seg, uint32_t parent, uint32_t origin, uint32_t up,
            uint32_t *node)
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
    err = append_node(b, seg, parent, origin, up, node);
    if (err)
        return err;
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

/* ---- sort keys of all routes --------------------------------------------------------- */

/* The routes' sort keys, per family, in arrays sized for the worst case (steer_mem: only what
 * is written costs memory). */
struct keys {
    uint64_t *k4;    /* IPv4: addr << 32 | len << IDX_BITS | route index */
    struct rkey *k6; /* IPv6 */
    size_t n4, n6;
    size_t ignored; /* default routes */
};

/* One thread's share of the key pass: routes [from, to), keys written from k4[from], k6[from]
 * (a share never has more keys than routes). bad: the first invalid route, or SIZE_MAX. */
struct xpart {
    const struct steer_input *in;
    size_t from, to;
    uint64_t *k4;
    struct rkey *k6;
    size_t n4, n6, ignored, bad;
};

static void *
extract_part(void *arg)
{
    struct xpart *p = arg;
    const struct steer_input *in = p->in;
    char err[8];
    size_t i;

    for (i = p->from; i < p->to; i++) {
        const struct steer_route *r = &in->routes[i];
        const uint8_t *a = r->prefix.addr.bytes;

        /* The hardware prefetcher stops at every 4 KiB page of the input; this does not. */
        if (i % 4 == 0 && i + 64 < p->to)
            __builtin_prefetch(&in->routes[i + 64], 0, 0);
        if (check_route(in, i, err, sizeof(err)) != OCDN_OK) {
            p->bad = i;
            break;
        }
        if (r->prefix.len == 0) {
            p->ignored++;
        } else if (r->prefix.addr.family == NET_V4) {
            uint32_t a4 = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
            p->k4[p->from + p->n4++] = (uint64_t)a4 << 32 | (uint64_t)r->prefix.len << IDX_BITS | i;
        } else {
            struct rkey *k = &p->k6[p->from + p->n6++];
            k->hi = steer_be64(a);
            k->lo = steer_be64(a + 8);
            k->x = (uint64_t)r->prefix.len << 32 | i;
        }
    }
    return NULL;
}

/* Validate every route and write the sort keys of both families: one pass over the input (it
 * is the largest thing the build reads), half of it on each core. OCDN_EINVAL names the first
 * bad route. */
static enum ocdn_err
extract_keys(const struct steer_input *in, struct steer_builder *bld, struct keys *k, char *err,
             size_t errlen)
{
    struct xpart x[2];
    size_t n = in->n_routes, t;

    memset(k, 0, sizeof(*k));
    k->k4 = steer_scratch_get(&bld->s[STEER_SCRATCH_K4], (n ? n : 1) * sizeof(*k->k4));
    k->k6 = steer_scratch_get(&bld->s[STEER_SCRATCH_K6], (n ? n : 1) * sizeof(*k->k6));
    if (!k->k4 || !k->k6)
        return OCDN_ENOMEM;
    for (t = 0; t < 2; t++) {
        memset(&x[t], 0, sizeof(x[t]));
        x[t].in = in;
        x[t].from = t ? n / 2 : 0;
        x[t].to = t ? n : n / 2;
        x[t].k4 = k->k4;
        x[t].k6 = k->k6;
        x[t].bad = SIZE_MAX;
    }
    if (n < 65536) /* not worth a thread */
        for (t = 0; t < 2; t++)
            extract_part(&x[t]);
    else
        par2(extract_part, &x[0], &x[1]);
    for (t = 0; t < 2; t++)
        if (x[t].bad != SIZE_MAX)
            return check_route(in, x[t].bad, err, errlen);
    /* The second share's keys follow the first's. */
    memmove(k->k4 + x[0].n4, k->k4 + x[1].from, x[1].n4 * sizeof(*k->k4));
    memmove(k->k6 + x[0].n6, k->k6 + x[1].from, x[1].n6 * sizeof(*k->k6));
    k->n4 = x[0].n4 + x[1].n4;
    k->n6 = x[0].n6 + x[1].n6;
    k->ignored = x[0].ignored + x[1].ignored;
    return OCDN_OK;
}

/* ---- one family's prefixes ------------------------------------------------------------- */

static inline struct steer_cand
cand_of(const struct steer_route *r, unsigned plen)
{
    struct steer_cand c;

    c.oca = r->oca;
    c.med = r->has_med ? r->med : 0;
    c.origin_as = r->origin_as;
    c.first_as = r->first_as;
    c.path_len = (uint16_t)r->path_len;
    c.plen = (uint8_t)plen;
    c.flags = (uint8_t)((unsigned)r->src | (r->has_med ? STEER_CAND_HAS_MED : 0));
    return c;
}

static int
cand_oca_cmp(const void *a, const void *b)
{
    uint32_t x = ((const struct steer_cand *)a)->oca, y = ((const struct steer_cand *)b)->oca;

    return x < y ? -1 : x > y;
}

/* One own entry per OCA among the routes of one prefix (keys [from, to)): its best route, in
 * OCA order. The routes are grouped with a per-OCA stamp rather than sorted: a prefix learned
 * over transit by a few hundred OCAs costs one pass, not a sort with a random read per
 * comparison. */
static enum ocdn_err
group_routes(struct rtb *b, uint8_t family, const struct keys *k, size_t from, size_t to,
             unsigned plen, size_t *ne_out)
{
    const struct steer_route *routes = b->in->routes;
    size_t j, ne = 0, nk = family == NET_V4 ? k->n4 : k->n6;
    const struct steer_route **best;
    bool is_sorted = true;
    enum ocdn_err err;

    err = reserve((void **)&b->own, &b->cap_own, to - from, sizeof(*b->own));
    if (!err)
        err = reserve((void **)&b->best, &b->cap_best, to - from, sizeof(*b->best));
    if (err)
        return err;
    best = b->best;
    if (++b->gstamp == 0) { /* wrapped: clear the stamps */
        memset(b->gmark, 0, b->in->n_ocas * sizeof(*b->gmark));
        b->gstamp = 1;
    }
    for (j = from; j < to; j++) {
        uint32_t idx =
            family == NET_V4 ? (uint32_t)(k->k4[j] & ((1u << IDX_BITS) - 1)) : (uint32_t)k->k6[j].x;
        const struct steer_route *r = &routes[idx];

        if (j + PF_ROUTES < nk) /* the routes are read at random: fetch ahead */
            __builtin_prefetch(
                &routes[family == NET_V4 ? (uint32_t)(k->k4[j + PF_ROUTES] & ((1u << IDX_BITS) - 1))
                                         : (uint32_t)k->k6[j + PF_ROUTES].x]);
        if (b->gmark[r->oca] != b->gstamp) {
            b->gmark[r->oca] = b->gstamp;
            b->gslot[r->oca] = (uint32_t)ne;
            if (ne > 0 && r->oca < b->own[ne - 1].oca)
                is_sorted = false;
            best[ne] = r;
            b->own[ne++] = cand_of(r, plen);
        } else if (steer_route_cmp(&b->in->policy, r, best[b->gslot[r->oca]]) < 0) {
            /* A second session for the prefix: keep the better route (equal ones are equal
             * in every field the entry keeps). */
            best[b->gslot[r->oca]] = r;
            b->own[b->gslot[r->oca]] = cand_of(r, plen);
        }
    }
    if (!is_sorted)
        qsort(b->own, ne, sizeof(*b->own), cand_oca_cmp);
    *ne_out = ne;
    return OCDN_OK;
}

/* Distinct prefixes as the build produces them, in sorted order: they feed the lookup tables
 * and are not kept. */
struct plist {
    uint32_t *node;
    uint8_t *len;
    uint64_t *addr; /* hi, lo per prefix (IPv4 in the top 32 bits of hi) */
    size_t n, cap;
};

static void
plist_clear(struct plist *p)
{
    free(p->node);
    free(p->len);
    free(p->addr);
    memset(p, 0, sizeof(*p));
}

static enum ocdn_err
plist_reserve(struct plist *p, size_t need)
{
    size_t cap = p->cap;
    enum ocdn_err err;

    err = reserve((void **)&p->node, &cap, need, sizeof(*p->node));
    cap = p->cap;
    if (!err)
        err = reserve((void **)&p->len, &cap, need, sizeof(*p->len));
    cap = p->cap;
    if (!err)
        err = reserve((void **)&p->addr, &cap, need, 2 * sizeof(*p->addr));
    if (!err)
        p->cap = cap;
    return err;
}

/* Nodes for the keys [from, to) of one family (the start of a top-level prefix: nothing
 * before from covers what follows), their prefixes appended to out. */
static enum ocdn_err
build_range(struct rtb *b, uint8_t family, const uint32_t *site, const struct keys *k, size_t from,
            size_t to, struct plist *out)
{
    const uint64_t *k4 = k->k4;
    const struct rkey *k6 = k->k6;
    struct pk stack[130], cur;
    uint32_t stack_node[130];
    size_t depth = 0, i, np = 0;
    enum ocdn_err err;

    for (i = from; i < to; i++) /* distinct prefixes: at most one per key */
        if (i == from || !same_prefix(family, k4, k6, i, i - 1))
            np++;
    err = plist_reserve(out, out->n + np);
    if (err)
        return err;
    for (i = from; i < to;) {
        size_t ne, end;
        uint32_t parent, seg, node, origin, idx;

        key_at(family, k4, k6, i, &cur, &idx);
        for (end = i + 1; end < to && same_prefix(family, k4, k6, end, i); end++)
            ;
        err = group_routes(b, family, k, i, end, cur.len, &ne);
        if (!err)
            err = own_segment(b, site, ne, &seg, &origin);
        if (err)
            return err;
        /* The covering prefixes are on the stack (sorted input is a depth-first walk). */
        while (depth > 0 && !pk_covers(&stack[depth - 1], &cur))
            depth--;
        parent = depth > 0 ? stack_node[depth - 1] : 0;
        err = intern_node(b, seg, parent, origin, SKIP_COMPUTE, &node);
        if (err)
            return err;
        stack[depth] = cur;
        stack_node[depth] = node;
        depth++;
        out->node[out->n] = node;
        out->len[out->n] = (uint8_t)cur.len;
        out->addr[2 * out->n] = cur.hi;
        out->addr[2 * out->n + 1] = cur.lo;
        out->n++;
        i = end;
    }
    return OCDN_OK;
}

/* ---- two builders: split, replay, lookup tables ---------------------------------------- */

/* A builder writing into rt, whose seg and lnodes arrays are sized for the worst case: new
 * ones, or the builder's scratch (seg2, nodes2 not NULL) for the second core's temporary tables. */
static enum ocdn_err
rtb_init(struct rtb *b, const struct steer_input *in, struct steer_rt *rt,
         struct steer_scratch *seg2, struct steer_scratch *nodes2)
{
    size_t no = in->n_ocas ? in->n_ocas : 1;
    enum ocdn_err e;

    memset(b, 0, sizeof(*b));
    b->in = in;
    b->rt = rt;
    b->mark = calloc(no, sizeof(*b->mark));
    b->gmark = calloc(no, sizeof(*b->gmark));
    b->gslot = calloc(no, sizeof(*b->gslot));
    if (!b->mark || !b->gmark || !b->gslot)
        return OCDN_ENOMEM;
    e = table_grow(&b->segs);
    if (!e)
        e = table_grow(&b->nodes);
    if (!e)
        e = table_grow(&b->canon);
    if (!e)
        e = reserve((void **)&b->parent, &b->cap_parent, 1, sizeof(*b->parent));
    if (e)
        return e;
    /* Worst cases (one segment and one node per route), reserved, not committed: only what
     * the build writes costs memory, and nothing is copied as the arrays fill. */
    rt->seg_alloc = (STEER_SEG_HDR + (STEER_SEG_HDR + 6) * in->n_routes) * sizeof(*rt->seg);
    rt->lnodes_alloc = (1 + in->n_routes) * sizeof(*rt->lnodes);
    if (seg2) {
        rt->seg = steer_scratch_get(seg2, rt->seg_alloc);
        rt->lnodes = steer_scratch_get(nodes2, rt->lnodes_alloc);
        if (!rt->seg || !rt->lnodes)
            return OCDN_ENOMEM;
        memset(rt->seg, 0, STEER_SEG_HDR * sizeof(*rt->seg));
        memset(rt->lnodes, 0, sizeof(*rt->lnodes));
    } else {
        rt->seg = steer_mem_alloc(rt->seg_alloc);
        rt->lnodes = steer_mem_alloc(rt->lnodes_alloc);
        if (!rt->seg || !rt->lnodes)
            return OCDN_ENOMEM;
    }
    rt->n_ocas = in->n_ocas;
    rt->n_seg_words = STEER_SEG_HDR; /* offset 0: the empty segment (zeroed) */
    b->parent[0] = 0;
    rt->n_lnodes = 1; /* node 0: no route (zeroed) */
    return OCDN_OK;
}

static void
rtb_clear(struct rtb *b)
{
    free(b->mark);
    free(b->parent);
    free(b->segs.v);
    free(b->nodes.v);
    free(b->canon.v);
    free(b->canon_v);
    free(b->canon_rec);
    free(b->own);
    free(b->enc);
    free(b->best);
    free(b->gmark);
    free(b->gslot);
    memset(b, 0, sizeof(*b));
}

/* Re-create in a what the second builder src made (segments, then nodes in creation order, so
 * a parent comes before its children): the tables end up as if one builder had seen every
 * prefix, sharing included. node_map[i] gets the node in a of src's node i. */
static enum ocdn_err
replay(struct rtb *a, const struct rtb *src, uint32_t *node_map)
{
    const struct steer_rt *sr = src->rt;
    uint32_t *seg_from = NULL, *seg_to = NULL, first_new;
    size_t off, ns = 0, j;
    enum ocdn_err err = OCDN_OK;

    seg_from = malloc((sr->n_segs + 1) * sizeof(*seg_from));
    seg_to = malloc((sr->n_segs + 1) * sizeof(*seg_to));
    if (!seg_from || !seg_to) {
        err = OCDN_ENOMEM;
        goto out;
    }
    for (off = STEER_SEG_HDR; off < sr->n_seg_words && !err; ns++) {
        const uint32_t *h = sr->seg + off;
        size_t n = steer_seg_n(h);

        seg_from[ns] = (uint32_t)off;
        err = intern_encoded(a, h, n, steer_seg_sorted(h), &seg_to[ns]);
        off += STEER_SEG_HDR + 6 * n;
    }
    /* The mapping of src's nodes is one to one (distinct segments stay distinct, and so, by
     * induction, do nodes), so a node whose parent is one of the replayed ones cannot match
     * anything already there, and nothing looks for it later: it is appended as is, with its
     * up pointer mapped. Only a node under a node that a had before (the roots, under node 0)
     * may exist already and goes through the table. */
    first_new = (uint32_t)a->rt->n_lnodes;
    node_map[0] = 0;
    for (j = 1; j < sr->n_lnodes && !err; j++) {
        const struct steer_lnode *nd = &sr->lnodes[j];
        uint32_t parent = node_map[src->parent[j]], up = node_map[nd->up];
        size_t lo = 0, hi = ns;

        while (lo < hi) { /* the segment's new offset (segments are in offset order) */
            size_t mid = (lo + hi) / 2;
            if (seg_from[mid] < nd->seg)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (parent >= first_new)
            err = append_node(a, seg_to[lo], parent, nd->origin_as, up, &node_map[j]);
        else
            err = intern_node(a, seg_to[lo], parent, nd->origin_as, up, &node_map[j]);
    }
out:
    free(seg_from);
    free(seg_to);
    return err;
}

/* Work of a prefix, in routes: grouping its routes costs per route, finding its segment and
 * node (hashes, tables) per prefix, about as much as this many routes (measured). */
#define PREFIX_COST 6

/* Where the second builder starts in the IPv4 keys: about half of all the work (it also takes
 * the IPv6 keys, whose prefixes are counted at the IPv4 ratio: they are not sorted yet), moved
 * up to the first prefix that no earlier prefix covers, so that each builder's covering chains
 * are its own. n4 when there is none. */
static size_t
split_point(const struct keys *k)
{
    uint64_t reach = 0; /* end of the furthest-reaching prefix so far (exclusive) */
    size_t np4 = 0, i, work, target, done = 0;

    for (i = 0; i < k->n4; i++)
        np4 += i == 0 || k->k4[i] >> IDX_BITS != k->k4[i - 1] >> IDX_BITS;
    work = k->n4 + PREFIX_COST * np4;
    /* The IPv6 keys: their work at the IPv4 rate, plus their sort (the second builder's). */
    target = (work + (k->n4 ? work / k->n4 : 1) * k->n6 + k->n6) / 2;
    for (i = 0; i < k->n4; i++) {
        uint64_t addr = k->k4[i] >> 32;
        unsigned len = (unsigned)(k->k4[i] >> IDX_BITS) & 63u;
        bool is_new = i == 0 || k->k4[i] >> IDX_BITS != k->k4[i - 1] >> IDX_BITS;

        if (done >= target && addr >= reach)
            return i;
        done += 1 + (is_new ? PREFIX_COST : 0);
        if (addr + (1ull << (32 - len)) > reach)
            reach = addr + (1ull << (32 - len));
    }
    return k->n4;
}

struct part { /* one builder's share */
    struct rtb *b;
    const uint32_t *site;
    struct keys *k;
    struct steer_scratch *sort; /* for the IPv6 keys, sorted by the builder that takes them */
    size_t from4, to4;
    bool has_v6;
    struct plist p4, p6;
    enum ocdn_err err;
};

static void *
build_part(void *arg)
{
    struct part *p = arg;

    p->err = build_range(p->b, NET_V4, p->site, p->k, p->from4, p->to4, &p->p4);
    if (!p->err && p->has_v6)
        p->err = sort_keys6(p->k->k6, p->k->n6, p->sort);
    if (!p->err && p->has_v6)
        p->err = build_range(p->b, NET_V6, p->site, p->k, 0, p->k->n6, &p->p6);
    return NULL;
}

struct lpm_job {
    struct steer_rt *rt;
    const struct plist *p;
    bool is_v6;
    enum ocdn_err err;
};

static void *
lpm_job(void *arg)
{
    struct lpm_job *j = arg;
    uint32_t *a4;
    size_t i;

    j->err = OCDN_OK;
    if (j->p->n == 0)
        return NULL;
    if (j->is_v6) {
        j->rt->n_pfx6 = j->p->n;
        j->err = steer_lpm6_build(j->rt, j->p->addr, j->p->len, j->p->node, j->p->n);
        return NULL;
    }
    a4 = malloc(j->p->n * sizeof(*a4));
    if (!a4) {
        j->err = OCDN_ENOMEM;
        return NULL;
    }
    for (i = 0; i < j->p->n; i++)
        a4[i] = (uint32_t)(j->p->addr[2 * i] >> 32);
    j->rt->n_pfx4 = j->p->n;
    j->err = steer_lpm4_build(j->rt, a4, j->p->len, j->p->node, j->p->n);
    free(a4);
    return NULL;
}

/* Segments, nodes and lookup tables from the sorted keys: two builders on the two halves of
 * the work when it is large, the second one's work replayed into the first's tables. */
static enum ocdn_err
build_tables(struct rtb *a, const uint32_t *site, struct keys *k, struct steer_builder *bld)
{
    struct steer_rt tmp_rt;
    struct rtb second;
    struct part pa, pb;
    struct lpm_job j4, j6;
    uint32_t *node_map = NULL;
    bool is_par = k->n4 + k->n6 >= PAR_MIN_KEYS;
    size_t m = is_par ? split_point(k) : k->n4, i;
    enum ocdn_err err;

    memset(&tmp_rt, 0, sizeof(tmp_rt));
    memset(&second, 0, sizeof(second));
    memset(&pa, 0, sizeof(pa));
    memset(&pb, 0, sizeof(pb));
    pa.b = a;
    pa.site = site;
    pa.k = k;
    pa.sort = &bld->s[STEER_SCRATCH_SORT];
    pa.from4 = 0;
    pa.to4 = m;
    pa.has_v6 = !is_par;
    pb = pa;
    pb.b = &second;
    pb.from4 = m;
    pb.to4 = k->n4;
    pb.has_v6 = true;
    if (!is_par) {
        build_part(&pa);
        err = pa.err;
        if (err)
            goto out;
    } else {
        err = rtb_init(&second, a->in, &tmp_rt, &bld->s[STEER_SCRATCH_SEG2],
                       &bld->s[STEER_SCRATCH_NODES2]);
        if (err)
            goto out;
        par2(build_part, &pa, &pb);
        err = pa.err ? pa.err : pb.err;
        if (err)
            goto out;
        node_map = malloc(tmp_rt.n_lnodes * sizeof(*node_map));
        if (!node_map) {
            err = OCDN_ENOMEM;
            goto out;
        }
        err = replay(a, &second, node_map);
        if (err)
            goto out;
        err = plist_reserve(&pa.p4, pa.p4.n + pb.p4.n);
        if (err)
            goto out;
        for (i = 0; i < pb.p4.n; i++) {
            pa.p4.node[pa.p4.n] = node_map[pb.p4.node[i]];
            pa.p4.len[pa.p4.n] = pb.p4.len[i];
            pa.p4.addr[2 * pa.p4.n] = pb.p4.addr[2 * i];
            pa.p4.addr[2 * pa.p4.n + 1] = pb.p4.addr[2 * i + 1];
            pa.p4.n++;
        }
        for (i = 0; i < pb.p6.n; i++)
            pb.p6.node[i] = node_map[pb.p6.node[i]];
    }
    /* The two lookup tables are independent: one per core. */
    j4.rt = a->rt;
    j4.p = &pa.p4;
    j4.is_v6 = false;
    j6.rt = a->rt;
    j6.p = is_par ? &pb.p6 : &pa.p6;
    j6.is_v6 = true;
    if (is_par)
        par2(lpm_job, &j4, &j6);
    else {
        lpm_job(&j4);
        lpm_job(&j6);
    }
    err = j4.err ? j4.err : j6.err;
out:
    free(node_map);
    plist_clear(&pa.p4);
    plist_clear(&pa.p6);
    plist_clear(&pb.p4);
    plist_clear(&pb.p6);
    rtb_clear(&second); /* tmp_rt's arrays are the builder's */
    return err;
}

uint64_t
steer_rt_checksum(const struct steer_rt *rt)
{
    uint64_t h = 0x7274ull;

    h = steer_hash_bytes(rt->path_hops_and_offsets, sizeof(rt->path_hops_and_offsets), h);
    h = steer_hash_bytes(rt->oca_ids, rt->n_ocas * sizeof(*rt->oca_ids), h);
    h = steer_hash_bytes(rt->seg, rt->n_seg_words * sizeof(*rt->seg), h);
    h = steer_hash_bytes(rt->lnodes, rt->n_lnodes * sizeof(*rt->lnodes), h);
    /* The lookup tables themselves. */
    if (rt->tbl16)
        h = steer_hash_bytes(rt->tbl16, ((size_t)1 << 16) * sizeof(*rt->tbl16), h);
    h = steer_hash_bytes(rt->grp16, rt->n_grp16 * 256 * sizeof(*rt->grp16), h);
    h = steer_hash_bytes(rt->tbl8, rt->n_tbl8 * 256 * sizeof(*rt->tbl8), h);
    if (rt->direct6)
        h = steer_hash_bytes(rt->direct6, ((size_t)1 << STEER_DIRECT6_BITS) * sizeof(*rt->direct6),
                             h);
    h = steer_hash_bytes(rt->nodes, rt->n_nodes * sizeof(*rt->nodes), h);
    h = steer_hash_bytes(rt->leaves, rt->n_leaves * sizeof(*rt->leaves), h);
    return h ^ rt->n_pfx4 ^ (uint64_t)rt->n_pfx6 << 32;
}

enum ocdn_err
steer_rt_build(const struct steer_input *in, const uint32_t *oca_site, struct steer_builder *bld,
               struct steer_rt **out, char *err, size_t errlen)
{
    struct steer_builder own_bld;
    struct steer_rt *rt = NULL;
    struct rtb b;
    struct keys k;
    enum ocdn_err e = OCDN_OK;
    size_t i;

    *out = NULL;
    memset(&b, 0, sizeof(b));
    memset(&own_bld, 0, sizeof(own_bld));
    if (!bld)
        bld = &own_bld;
    e = extract_keys(in, bld, &k, err, errlen);
    if (e)
        goto out;
    rt = calloc(1, sizeof(*rt));
    if (!rt) {
        e = OCDN_ENOMEM;
        goto out;
    }
    atomic_init(&rt->refs, 1);
    rt->version = in->routes_version;
    memcpy(rt->path_hops_and_offsets[0], in->policy.path_hops, sizeof(in->policy.path_hops));
    memcpy(rt->path_hops_and_offsets[1], in->policy.med_offset, sizeof(in->policy.med_offset));
    rt->n_routes = in->n_routes;
    rt->routes_ignored = k.ignored;
    rt->oca_ids = malloc((in->n_ocas ? in->n_ocas : 1) * sizeof(*rt->oca_ids));
    if (!rt->oca_ids) {
        e = OCDN_ENOMEM;
        goto out;
    }
    for (i = 0; i < in->n_ocas; i++)
        rt->oca_ids[i] = in->ocas[i].id;
    e = rtb_init(&b, in, rt, NULL, NULL);
    if (!e)
        e = sort_keys4(k.k4, k.n4, &bld->s[STEER_SCRATCH_SORT]);
    if (!e)
        e = build_tables(&b, oca_site, &k, bld);
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
                steer_lpm4_bytes(rt) + steer_lpm6_bytes(rt);
    rt->checksum = steer_rt_checksum(rt);
    *out = rt;
    rt = NULL;
out:
    steer_rt_unref(rt);
    rtb_clear(&b);
    for (i = 0; i < STEER_SCRATCH_COUNT; i++) {
        if (bld == &own_bld)
            steer_scratch_clear(&bld->s[i]);
        else
            steer_scratch_idle(&bld->s[i]);
    }
    return e;
}
