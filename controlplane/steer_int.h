#ifndef CP_STEER_INT_H
#define CP_STEER_INT_H

/* Private to controlplane/steer*.c: the snapshot's layout, the lookup tables, and the small
 * pure helpers that the engine and the reference ranker (steer_ref.c) must share bit for bit
 * (spread hash, distance key, effective AS path and MED). */

#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "geo.h"
#include "steer.h"

/* One OCA's best route for a prefix: its most specific route covering the prefix, as the build
 * compares them. A segment is a run of these sorted by (path_eff, med_eff, site, oca), all of
 * one prefix length. origin_as is 0 in segments whose entries share one origin: the node holds
 * it (transit routes to a million prefixes of 75k origin networks then share segments). */
struct steer_cand {
    uint32_t oca;
    uint32_t med;
    uint32_t origin_as;
    uint32_t first_as;
    uint16_t path_len;
    uint8_t plen;
    uint8_t flags; /* STEER_CAND_* */
};

#define STEER_CAND_SRC_MASK 0x03u /* enum route_src */
#define STEER_CAND_HAS_MED  0x04u

/* Candidate lists. The list of a distinct prefix is its own entries (the OCAs that learned
 * exactly this prefix, their best route each, sorted) followed by the list of its covering
 * prefix minus the OCAs that an own entry overrides. It is stored as a node (segment, parent
 * node): segments are hash-consed on their content, so the thousands of prefixes a partner
 * announces identically to the OCAs of a site share one, and nodes on (segment, parent), so
 * prefixes with the same segment under the same covering prefix share one node.
 *
 * A segment of n entries is 4 + 6n consecutive words of rt->seg, laid out for the query:
 *   [0]            n | STEER_SEG_ORIGINS (the entries carry their origin AS; else the node's)
 *   [1], [2]       filter: bit (oca % 64) set for each OCA ("overridden?" in one test)
 *   [3]            lowest origin AS of the first rank group (the client's AS), 0 if the node's
 *   [4, 4+n)       rank words: oca | step << 30, in list order: all the ranking scans, so the
 *                  header and the first 12 entries share a cache line
 *   [4+n, 4+5n)    the entries' route fields (struct steer_rent, 16 bytes), read only for the
 *                  choices of the answer
 *   [4+5n, 4+6n)   the OCAs sorted by index ("is this inherited entry overridden?")
 * step = 0: same rank group as the previous entry, else 1 + the static step that separates
 * them (STEER_STEP_PREFIX, _ASPATH, _MED). */
struct steer_rent {
    uint32_t med;
    uint32_t origin_as; /* 0 unless the segment has STEER_SEG_ORIGINS */
    uint32_t first_as;
    uint8_t path_len; /* <= STEER_PATH_LEN_MAX */
    uint8_t plen;
    uint8_t flags; /* STEER_CAND_SRC_MASK | STEER_CAND_HAS_MED */
    uint8_t pad;
};

#define STEER_SEG_HDR         4u
#define STEER_SEG_ORIGINS     0x80000000u
#define STEER_RANK_OCA_MASK   0x00ffffffu
#define STEER_RANK_STEP_SHIFT 30

static inline uint32_t
steer_seg_n(const uint32_t *h)
{
    return h[0] & ~STEER_SEG_ORIGINS;
}

static inline const struct steer_rent *
steer_seg_rent(const uint32_t *h)
{
    return (const struct steer_rent *)(const void *)(h + STEER_SEG_HDR + steer_seg_n(h));
}

static inline const uint32_t *
steer_seg_sorted(const uint32_t *h)
{
    return h + STEER_SEG_HDR + 5 * steer_seg_n(h);
}

struct steer_lnode {
    uint32_t seg;       /* word offset of the own entries' segment in rt->seg */
    uint32_t up;        /* the covering prefix's node, or its first ancestor with an OCA not in
                           this node's own entries (the levels in between are all overridden) */
    uint32_t origin_as; /* origin AS of the own entries, unless the segment has_origins */
    uint32_t up_seg;    /* lnodes[up].seg: the next level's entries can be fetched at once */
};

#define STEER_CHAIN_MAX 130 /* a list and its parents: prefix lengths 0..128 strictly decrease */

/* IPv6 trie node (poptrie): 64 children per node, 6 bits of the address per level. */
struct steer_ptnode {
    uint64_t vec;     /* bit v: slot v has a child node */
    uint64_t leafvec; /* bit v: slot v is a leaf that starts a new run of equal values */
    uint32_t base0;   /* first leaf of this node in rt->leaves */
    uint32_t base1;   /* first child of this node in rt->nodes */
};

#define STEER_TBL_EXT      0x80000000u /* entry -> the next level (group or trie node) */
#define STEER_DIRECT6_BITS 16
#define STEER_STRIDE6      6

/* Route tables: the part of a snapshot that depends only on routes, the OCA list and the
 * policy. Shared between consecutive snapshots while routes_version stays the same. */
struct steer_rt {
    atomic_uint refs;
    uint64_t version;
    uint32_t path_hops_and_offsets[2][ROUTE_SRC_COUNT]; /* the policy the lists are sorted by */
    size_t n_ocas;
    uint64_t *oca_ids;             /* the OCA list the tables were built for */
    uint32_t *seg;                 /* segments; offset 0: the empty segment */
    size_t n_seg_words, seg_alloc; /* words used; bytes allocated (steer_mem) */
    size_t n_segs, n_entries;
    struct steer_lnode *lnodes; /* node 0: "no route" */
    size_t n_lnodes, lnodes_alloc;
    /* IPv4: DIR-16-8-8. tbl16 by the address's top 16 bits; an entry with STEER_TBL_EXT is a
     * group of 256 in grp16 (bits 16..23), whose entries may in turn be a group of 256 in tbl8
     * (bits 24..31, for the rare /25../32). NULL when there is no IPv4 prefix. */
    uint32_t *tbl16; /* 2^16 entries */
    uint32_t *grp16; /* groups of 256 */
    size_t n_grp16, grp16_alloc;
    uint32_t *tbl8; /* groups of 256 */
    size_t n_tbl8;
    size_t n_pfx4;     /* distinct IPv4 prefixes */
    uint32_t *direct6; /* 2^16 entries; NULL when there is no IPv6 prefix */
    struct steer_ptnode *nodes;
    size_t n_nodes;
    uint32_t *leaves;
    size_t n_leaves;
    size_t n_pfx6;
    size_t n_routes, routes_ignored;
    size_t bytes;
    uint64_t checksum;
};

struct steer_fent {
    uint64_t off;       /* into cat->pool */
    uint32_t n;         /* holders */
    uint32_t is_bitmap; /* pool holds ceil(n_ocas / 32) words of bits instead of n indices */
};

/* Catalog: file ids, their hash map, and who holds what (CSR: per file a sorted OCA index
 * array, or a bitmap when that is smaller). Shared while catalog_version stays the same. */
struct steer_cat {
    atomic_uint refs;
    uint64_t version;
    size_t n_ocas;
    uint64_t *oca_ids;
    size_t n_files;
    uint32_t *name_off; /* into names */
    char *names;
    uint64_t *file_hash;
    uint32_t *map; /* open addressing: file index + 1, 0 = empty */
    size_t map_mask;
    struct steer_fent *fent;
    uint32_t *pool;
    size_t n_pool, pool_alloc; /* words used; bytes allocated (steer_mem) */
    size_t n_holdings;
    size_t bytes;
    uint64_t checksum;
};

/* Query-time facts per OCA, packed (32 bytes). */
struct steer_oq {
    double weight;   /* spare capacity below the load limit, bps; the spread weight */
    uint64_t id;     /* the OCA's database id (last tie-break) */
    uint64_t id_mix; /* steer_mix64(id) */
    uint32_t site;
    uint8_t video;       /* enum steer_inelig without the file test: 0 = eligible */
    uint8_t speed;       /* same for the speed test */
    uint8_t is_fallback; /* at an IX site or of the global model */
    uint8_t pad;
};

struct steer_fbsite {
    uint32_t site;
    uint32_t first, n; /* its OCAs: fb[first .. first + n) */
};

struct steer_snap {
    atomic_uint refs;
    uint64_t generation;
    struct steer_policy policy;
    struct steer_site *sites;
    size_t n_sites;
    struct steer_oca *ocas;
    size_t n_ocas;
    struct steer_oq *oq;
    double (*site_vec)[3]; /* steer_unit_vec() of each site with coordinates */
    uint32_t *elig[2];     /* bit i: OCA i is eligible without the file test, for video (0) and
                              for the speed test (1): the ranking's first test, in L1 */
    uint32_t *by_id;       /* OCA indices sorted by id */
    uint32_t *fb;          /* geo-fallback OCAs sorted by (site, index) */
    size_t n_fb;
    struct steer_fbsite *fbs; /* the sites of fb, in fb's order */
    size_t n_fbs;
    char *strs;
    struct steer_rt *rt;
    struct steer_cat *cat;
    uint64_t checksum;
    struct steer_snap_stats stats;
};

/* ---- shared pure helpers ----------------------------------------------------------------- */

static inline uint64_t
steer_mix64(uint64_t x)
{
    /* MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static inline uint64_t
steer_hash_bytes(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *b = p;
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull), w;

    while (n >= 8) {
        memcpy(&w, b, 8);
        h = (h ^ steer_mix64(w)) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 31;
        b += 8;
        n -= 8;
    }
    w = 0;
    if (n)
        memcpy(&w, b, n);
    return steer_mix64(h ^ w ^ ((uint64_t)n << 56));
}

/* Hash of a file id (spread key); the speed test uses STEER_SPEEDTEST_HASH, a query for any
 * file (STEER_FILE_ANY) STEER_ANYFILE_HASH. */
#define STEER_SPEEDTEST_HASH 0x5eed7e57ull
#define STEER_ANYFILE_HASH   0xa11f11e5ull
static inline uint64_t
steer_file_hash(const char *id, size_t len)
{
    return steer_hash_bytes(id, len, 0x0f11e5ull);
}

/* Spread key of a client: its /24 (IPv4) or /48 (IPv6) and the file. */
static inline uint64_t
steer_spread_base(const struct net_addr *a, uint64_t file_hash)
{
    uint64_t net = 0;

    if (a->family == NET_V4) {
        net =
            ((uint64_t)a->bytes[0] << 16 | (uint64_t)a->bytes[1] << 8 | a->bytes[2]) | (4ull << 56);
    } else {
        memcpy(&net, a->bytes, 6); /* the first 48 bits */
        net = (net & 0xffffffffffffull) | (6ull << 56);
    }
    return steer_mix64(steer_mix64(net) ^ file_hash);
}

/* Weighted rendezvous score: -w / ln(u), u uniform in (0, 1) from the hash of (client net,
 * file, OCA). Highest wins; P(win) is proportional to w. */
static inline double
steer_spread_score(uint64_t base, uint64_t id_mix, double weight)
{
    uint64_t h = steer_mix64(base ^ id_mix);
    double u = ((double)(h >> 11) + 0.5) * 0x1.0p-53;

    return -weight / log(u);
}

/* Sort key of a distance: its bucket, or the distance itself when buckets are 0 km wide;
 * +inf when unknown (after every known one). */
static inline double
steer_geo_key(const struct steer_policy *p, double km)
{
    if (km < 0)
        return INFINITY;
    return p->geo_bucket_km > 0 ? floor(km / p->geo_bucket_km) : km;
}

/* A position as a unit vector (x, y, z): distances then cost a square root and an arcsine
 * instead of haversine's four trigonometric calls per site. */
static inline void
steer_unit_vec(double lat, double lon, double v[3])
{
    double phi = lat * (M_PI / 180.0), lambda = lon * (M_PI / 180.0), sp, cp, sl, cl;

    sincos(phi, &sp, &cp);
    sincos(lambda, &sl, &cl);
    v[0] = cp * cl;
    v[1] = cp * sl;
    v[2] = sp;
}

/* Great-circle distance in km between two unit vectors: the chord c gives the central angle
 * 2 asin(c / 2) (the same as haversine, whose sqrt(a) is c / 2). */
static inline double
steer_chord_km(const double a[3], const double b[3])
{
    double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    double h = sqrt(dx * dx + dy * dy + dz * dz) / 2.0;

    return 2.0 * GEO_EARTH_RADIUS_KM * asin(h > 1.0 ? 1.0 : h);
}

static inline uint32_t
steer_path_eff(const struct steer_policy *p, uint32_t path_len, enum route_src src)
{
    return path_len + p->path_hops[src];
}

static inline uint64_t
steer_med_eff(const struct steer_policy *p, bool has_med, uint32_t med, enum route_src src)
{
    return (uint64_t)(has_med ? med : 0) + p->med_offset[src];
}

/* Eligibility of OCA i for a query without the catalog test (0 = eligible). */
static inline enum steer_inelig
steer_oq_inelig(const struct steer_oq *o, bool speedtest)
{
    return (enum steer_inelig)(speedtest ? o->speed : o->video);
}

/* ---- lookups ------------------------------------------------------------------------------ */

static inline uint32_t
steer_lpm4(const struct steer_rt *rt, uint32_t a)
{
    uint32_t e;

    if (!rt->tbl16)
        return 0;
    e = rt->tbl16[a >> 16];
    if (e & STEER_TBL_EXT) {
        e = rt->grp16[((size_t)(e & ~STEER_TBL_EXT) << 8) | ((a >> 8) & 0xffu)];
        if (e & STEER_TBL_EXT)
            e = rt->tbl8[((size_t)(e & ~STEER_TBL_EXT) << 8) | (a & 0xffu)];
    }
    return e;
}

/* Bits [off, off + 6) of the 128-bit key (hi, lo), zero-padded past bit 127. Offsets are
 * 16 + 6k, so a field never straddles the two words. */
static inline unsigned
steer_key6(uint64_t hi, uint64_t lo, unsigned off)
{
    if (off < 64)
        return (unsigned)(hi >> (58 - off)) & 63u;
    if (off <= 122)
        return (unsigned)(lo >> (122 - off)) & 63u;
    return (unsigned)(lo << (off - 122)) & 63u;
}

/* Population count without relying on the POPCNT instruction (baseline x86-64 builds would
 * call libgcc's table-driven __popcountdi2 for __builtin_popcountll). */
static inline unsigned
steer_popcount64(uint64_t x)
{
#ifdef __POPCNT__
    return (unsigned)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

static inline uint32_t
steer_lpm6(const struct steer_rt *rt, uint64_t hi, uint64_t lo)
{
    const struct steer_ptnode *nd;
    uint32_t d;
    unsigned off = STEER_DIRECT6_BITS, v;
    uint64_t mask;

    if (!rt->direct6)
        return 0;
    d = rt->direct6[hi >> (64 - STEER_DIRECT6_BITS)];
    if (!(d & STEER_TBL_EXT))
        return d;
    nd = &rt->nodes[d & ~STEER_TBL_EXT];
    for (;;) {
        v = steer_key6(hi, lo, off);
        mask = (2ull << v) - 1; /* bits 0..v; v = 63 wraps to all ones */
        if (!(nd->vec & (1ull << v)))
            return rt->leaves[nd->base0 + steer_popcount64(nd->leafvec & mask) - 1];
        nd = &rt->nodes[nd->base1 + steer_popcount64(nd->vec & mask) - 1];
        off += STEER_STRIDE6;
    }
}

static inline uint64_t
steer_be64(const uint8_t *b)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

/* Node of the most specific prefix covering a (0 = none). */
static inline uint32_t
steer_lookup(const struct steer_rt *rt, const struct net_addr *a)
{
    if (a->family == NET_V4)
        return steer_lpm4(rt, (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
                                  (uint32_t)a->bytes[2] << 8 | a->bytes[3]);
    return steer_lpm6(rt, steer_be64(a->bytes), steer_be64(a->bytes + 8));
}

/* A lookup taken one memory access at a time, for batches: steer_walk_start() says what to
 * fetch first (walk->at), each steer_walk_step() reads it and either finishes (true, walk->id)
 * or points walk->at at the next word to fetch. */
enum steer_walk_kind {
    STEER_WALK_DONE = 0,
    STEER_WALK_TBL16,
    STEER_WALK_GRP16,
    STEER_WALK_TBL8,
    STEER_WALK_DIRECT6,
    STEER_WALK_NODE6,
    STEER_WALK_LEAF6,
};

struct steer_walk {
    const void *at;
    uint64_t hi, lo; /* the address (IPv4 in the low 32 bits of hi) */
    unsigned off;    /* IPv6: bits consumed */
    enum steer_walk_kind kind;
    uint32_t id; /* the node, once done */
};

static inline void
steer_walk_start(const struct steer_rt *rt, const struct net_addr *a, struct steer_walk *w)
{
    w->id = 0;
    w->off = STEER_DIRECT6_BITS;
    w->kind = STEER_WALK_DONE;
    w->at = NULL;
    if (a->family == NET_V4) {
        w->hi = (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
                (uint32_t)a->bytes[2] << 8 | a->bytes[3];
        w->lo = 0;
        if (rt->tbl16) {
            w->kind = STEER_WALK_TBL16;
            w->at = &rt->tbl16[w->hi >> 16];
        }
    } else {
        w->hi = steer_be64(a->bytes);
        w->lo = steer_be64(a->bytes + 8);
        if (rt->direct6) {
            w->kind = STEER_WALK_DIRECT6;
            w->at = &rt->direct6[w->hi >> (64 - STEER_DIRECT6_BITS)];
        }
    }
}

static inline bool
steer_walk_step(const struct steer_rt *rt, struct steer_walk *w)
{
    const struct steer_ptnode *nd;
    uint32_t e;
    unsigned v;
    uint64_t mask;

    switch (w->kind) {
    case STEER_WALK_TBL16:
        e = *(const uint32_t *)w->at;
        if (e & STEER_TBL_EXT) {
            w->kind = STEER_WALK_GRP16;
            w->at = &rt->grp16[((size_t)(e & ~STEER_TBL_EXT) << 8) | ((w->hi >> 8) & 0xffu)];
            return false;
        }
        w->id = e;
        break;
    case STEER_WALK_GRP16:
        e = *(const uint32_t *)w->at;
        if (e & STEER_TBL_EXT) {
            w->kind = STEER_WALK_TBL8;
            w->at = &rt->tbl8[((size_t)(e & ~STEER_TBL_EXT) << 8) | (w->hi & 0xffu)];
            return false;
        }
        w->id = e;
        break;
    case STEER_WALK_DIRECT6:
        e = *(const uint32_t *)w->at;
        if (e & STEER_TBL_EXT) {
            w->kind = STEER_WALK_NODE6;
            w->at = &rt->nodes[e & ~STEER_TBL_EXT];
            return false;
        }
        w->id = e;
        break;
    case STEER_WALK_NODE6:
        nd = w->at;
        v = steer_key6(w->hi, w->lo, w->off);
        mask = (2ull << v) - 1;
        if (!(nd->vec & (1ull << v))) {
            w->kind = STEER_WALK_LEAF6;
            w->at = &rt->leaves[nd->base0 + steer_popcount64(nd->leafvec & mask) - 1];
        } else {
            w->at = &rt->nodes[nd->base1 + steer_popcount64(nd->vec & mask) - 1];
            w->off += STEER_STRIDE6;
        }
        return false;
    case STEER_WALK_TBL8:
    case STEER_WALK_LEAF6:
        w->id = *(const uint32_t *)w->at;
        break;
    case STEER_WALK_DONE:
        break;
    }
    w->kind = STEER_WALK_DONE;
    return true;
}

/* The client address cut to len bits. */
static inline void
steer_prefix_of(const struct net_addr *a, unsigned len, struct net_prefix *out)
{
    unsigned i, nbytes = a->family == NET_V4 ? 4 : 16;

    memset(out, 0, sizeof(*out));
    out->addr.family = a->family;
    out->len = (uint8_t)len;
    for (i = 0; i < nbytes && i * 8 < len; i++) {
        unsigned keep = len - i * 8 >= 8 ? 8 : len - i * 8;
        out->addr.bytes[i] = (uint8_t)(a->bytes[i] & (0xff00u >> keep));
    }
}

/* The better of two routes of one OCA for the same prefix (<0: a): effective AS path,
 * effective MED, source, then the raw fields, so the choice never depends on input order. */
static inline int
steer_route_cmp(const struct steer_policy *p, const struct steer_route *a,
                const struct steer_route *b)
{
    uint32_t pa = steer_path_eff(p, a->path_len, a->src),
             pb = steer_path_eff(p, b->path_len, b->src);
    uint64_t ma = steer_med_eff(p, a->has_med, a->med, a->src);
    uint64_t mb = steer_med_eff(p, b->has_med, b->med, b->src);
    uint32_t meda = a->has_med ? a->med : 0, medb = b->has_med ? b->med : 0;

    if (pa != pb)
        return pa < pb ? -1 : 1;
    if (ma != mb)
        return ma < mb ? -1 : 1;
    if (a->src != b->src)
        return a->src < b->src ? -1 : 1;
    if (a->path_len != b->path_len)
        return a->path_len < b->path_len ? -1 : 1;
    if (meda != medb)
        return meda < medb ? -1 : 1;
    if (a->has_med != b->has_med)
        return a->has_med ? -1 : 1;
    if (a->origin_as != b->origin_as)
        return a->origin_as < b->origin_as ? -1 : 1;
    if (a->first_as != b->first_as)
        return a->first_as < b->first_as ? -1 : 1;
    return 0;
}

/* ---- module-private functions ----------------------------------------------------------- */

/* A build's temporary array, kept by a struct steer_builder between builds. */
struct steer_scratch {
    void *p;
    size_t bytes; /* allocated (steer_mem) */
};

/* The temporaries of a route-table build (steer_rt.c). */
enum steer_scratch_id {
    STEER_SCRATCH_K4 = 0, /* IPv4 sort keys */
    STEER_SCRATCH_K6,     /* IPv6 sort keys */
    STEER_SCRATCH_SORT,   /* the radix sort's second array */
    STEER_SCRATCH_SEG2,   /* the second core's segments */
    STEER_SCRATCH_NODES2, /* and nodes */
    STEER_SCRATCH_COUNT,
};

struct steer_builder {
    struct steer_scratch s[STEER_SCRATCH_COUNT];
};

/* steer_rt.c: validate the routes and build the route tables (oca_site: site of each OCA, for
 * the order inside a rank group), with bld's temporaries (NULL: fresh ones). OCDN_EINVAL with
 * the reason in err. Caller unrefs. */
enum ocdn_err steer_rt_build(const struct steer_input *in, const uint32_t *oca_site,
                             struct steer_builder *bld, struct steer_rt **out, char *err,
                             size_t errlen);
void steer_rt_unref(struct steer_rt *rt);
uint64_t steer_rt_checksum(const struct steer_rt *rt);
/* steer_cat.c: validate files and holdings and build the catalog. Caller unrefs. */
enum ocdn_err steer_cat_build(const struct steer_input *in, struct steer_cat **out, char *err,
                              size_t errlen);
void steer_cat_unref(struct steer_cat *c);
uint64_t steer_cat_checksum(const struct steer_cat *c);
/* steer_cat.c: index of file id in c, -1 when absent. */
int32_t steer_cat_find(const struct steer_cat *c, const char *id, size_t len);

/* steer_mem.c: arrays of bytes bytes, zeroed; 1 MiB and up mmap'd (2 MiB aligned, huge-page
 * hint, reserved rather than committed: only pages written cost memory). NULL when out of
 * memory. Free with the same size (or what steer_mem_shrink() returned). */
void *steer_mem_alloc(size_t bytes);
void steer_mem_free(void *p, size_t bytes);
/* Return the pages past the first used bytes of an array of bytes bytes; returns the size to
 * pass to steer_mem_free() from now on. */
size_t steer_mem_shrink(void *p, size_t bytes, size_t used);
/* An array of at least bytes bytes from sc (kept if large enough, else replaced); its content is
 * undefined. NULL when out of memory. */
void *steer_scratch_get(struct steer_scratch *sc, size_t bytes);
/* Done with sc until the next build: the kernel may take its pages back, lazily. */
void steer_scratch_idle(struct steer_scratch *sc);
/* Free sc's array. */
void steer_scratch_clear(struct steer_scratch *sc);

/* steer_lpm.c */

/* Build the IPv4 tables from n distinct prefixes sorted by (addr, len) with their node ids. */
enum ocdn_err steer_lpm4_build(struct steer_rt *rt, const uint32_t *addr, const uint8_t *len,
                               const uint32_t *list, size_t n);
/* Bytes of the IPv4 and IPv6 lookup tables. */
size_t steer_lpm4_bytes(const struct steer_rt *rt);
size_t steer_lpm6_bytes(const struct steer_rt *rt);
/* Release the IPv4 tables of rt. */
void steer_lpm4_free(struct steer_rt *rt);
/* Build the IPv6 trie from n distinct prefixes (hi, lo words) sorted by (addr, len). */
enum ocdn_err steer_lpm6_build(struct steer_rt *rt, const uint64_t *addr, const uint8_t *len,
                               const uint32_t *list, size_t n);

#endif
