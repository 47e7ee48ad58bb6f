/* steer_rt.c - route tables of a steering snapshot: routes -> candidate lists -> LPM tables.
 * For every distinct prefix in the union of all OCAs' routes the list holds, per OCA, its most
 * specific route covering that prefix (own routes first, then inherited from the covering
 * prefix), sorted by the static ranking steps (prefix length, AS path, MED). Identical lists are
 * stored once (hash-consing), so the thousands of prefixes a partner announces identically to
 * every OCA of a site share one list. Owns everything in struct steer_rt; built once, then
 * read-only and shared by consecutive snapshots while the routes do not change. */
#include "steer_int.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_ID_MAX  0x7fffffffu
#define CANDS_MAX    0xffffffffu
#define OCA_KEY_BITS 24 /* OCA index inside a sort key; STEER_MAX_OCAS fits */

/* Sort key of one route: v4 packs (addr, len, oca) into hi; v6 uses (hi, lo) = address and
 * x = len << 24 | oca. */
struct rkey {
    uint64_t hi, lo;
    uint32_t x;
    uint32_t idx; /* route index */
};

struct pk { /* a prefix as 128 bits, IPv4 in the top 32 bits of hi */
    uint64_t hi, lo;
    unsigned len;
};

struct memo { /* (own entries, parent list) -> list */
    uint64_t h;
    uint32_t parent, ne, list, pad;
};

struct cons { /* list content -> list */
    uint64_t h;
    uint32_t list, pad;
};

struct rtb { /* build state */
    const struct steer_input *in;
    struct steer_rt *rt;
    size_t cap_cands, cap_lists;
    struct memo *memo;
    size_t memo_mask, memo_n;
    struct cons *cons;
    size_t cons_mask, cons_n;
    uint32_t *mark; /* per OCA: stamp of the list being materialised */
    uint32_t stamp;
    struct steer_cand *own; /* scratch: one prefix's own entries */
    size_t cap_own;
};

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

void
steer_rt_unref(struct steer_rt *rt)
{
    if (!rt || atomic_fetch_sub_explicit(&rt->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(rt->oca_ids);
    free(rt->cands);
    free(rt->lists);
    free(rt->tbl24);
    free(rt->tbl8);
    free(rt->pfx4_addr);
    free(rt->pfx4_len);
    free(rt->pfx4_list);
    free(rt->direct6);
    free(rt->nodes);
    free(rt->leaves);
    free(rt->pfx6_addr);
    free(rt->pfx6_len);
    free(rt->pfx6_list);
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
    for (b = 0; b < 16; b++) {
        if (p->addr.bytes[b] & (uint8_t)~byte_mask(p->len, b)) {
            prefix_str(p, txt, sizeof(txt));
            return bad(err, errlen, "route %zu: prefix %s has host bits set", i, txt);
        }
    }
    return OCDN_OK;
}

/* ---- sorting ---------------------------------------------------------------------------- */

static inline unsigned
digit(const struct rkey *k, unsigned d)
{
    if (d < 2)
        return (uint16_t)(k->x >> (16 * d));
    if (d < 6)
        return (uint16_t)(k->lo >> (16 * (d - 2)));
    return (uint16_t)(k->hi >> (16 * (d - 6)));
}

/* LSD radix sort by (hi, lo, x) in 16-bit digits; digits that are equal in every key (the
 * lower address half of most IPv6 prefixes, all of lo and x for IPv4) cost one counting pass
 * only. Returns whichever of v and tmp holds the result. */
static struct rkey *
radix_sort(struct rkey *v, struct rkey *tmp, size_t n, uint32_t (*hist)[65536])
{
    struct rkey *src = v, *dst = tmp, *sw;
    size_t i;
    unsigned d;

    memset(hist, 0, 10 * sizeof(*hist));
    for (i = 0; i < n; i++)
        for (d = 0; d < 10; d++)
            hist[d][digit(&v[i], d)]++;
    for (d = 0; d < 10; d++) {
        uint32_t sum = 0, c;

        if (n == 0 || hist[d][digit(&v[0], d)] == n)
            continue;
        for (i = 0; i < 65536; i++) {
            c = hist[d][i];
            hist[d][i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            dst[hist[d][digit(&src[i], d)]++] = src[i];
        sw = src;
        src = dst;
        dst = sw;
    }
    return src;
}

static void
key_decode(uint8_t family, const struct rkey *k, struct pk *p, uint32_t *oca)
{
    if (family == NET_V4) {
        p->hi = k->hi & 0xffffffff00000000ull;
        p->lo = 0;
        p->len = (unsigned)(k->hi >> OCA_KEY_BITS) & 0xffu;
        *oca = (uint32_t)(k->hi & ((1u << OCA_KEY_BITS) - 1));
    } else {
        p->hi = k->hi;
        p->lo = k->lo;
        p->len = k->x >> OCA_KEY_BITS;
        *oca = k->x & ((1u << OCA_KEY_BITS) - 1);
    }
}

static bool
pk_equal(const struct pk *a, const struct pk *b)
{
    return a->hi == b->hi && a->lo == b->lo && a->len == b->len;
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

/* ---- candidate lists -------------------------------------------------------------------- */

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

/* Which static step separates b from the entry a before it (0 = same group). */
static uint8_t
step_bits(const struct steer_policy *p, const struct steer_cand *a, const struct steer_cand *b)
{
    unsigned step;

    if (a->plen != b->plen)
        step = STEER_STEP_PREFIX;
    else if (steer_path_eff(p, a->path_len, cand_src(a)) !=
             steer_path_eff(p, b->path_len, cand_src(b)))
        step = STEER_STEP_ASPATH;
    else if (steer_med_eff(p, a->flags & STEER_CAND_HAS_MED, a->med, cand_src(a)) !=
             steer_med_eff(p, b->flags & STEER_CAND_HAS_MED, b->med, cand_src(b)))
        step = STEER_STEP_MED;
    else
        return 0;
    return (uint8_t)((step + 1) << STEER_CAND_STEP_SHIFT);
}

static bool
cand_equal_nostep(const struct steer_cand *a, const struct steer_cand *b)
{
    return a->oca == b->oca && a->med == b->med && a->origin_as == b->origin_as &&
           a->first_as == b->first_as && a->path_len == b->path_len && a->plen == b->plen &&
           (a->flags & ~STEER_CAND_STEP_MASK) == (b->flags & ~STEER_CAND_STEP_MASK);
}

static uint64_t
own_hash(const struct steer_cand *e, size_t ne, uint32_t parent)
{
    /* Own entries carry no step bits yet, so their bytes are their identity. */
    return steer_hash_bytes(e, ne * sizeof(*e), 0x0e0e0e0eull ^ ((uint64_t)parent << 20));
}

static enum ocdn_err
table_grow(void **t, size_t *mask, size_t n, size_t esz)
{
    size_t cap = *mask + 1, ncap, i;
    void *nt;

    if (*t && (n + 1) * 2 <= cap)
        return OCDN_OK;
    ncap = *t ? cap * 2 : 4096;
    nt = calloc(ncap, esz);
    if (!nt)
        return OCDN_ENOMEM;
    for (i = 0; *t && i < cap; i++) {
        const unsigned char *e = (const unsigned char *)*t + i * esz;
        uint64_t h;
        uint32_t list;
        size_t j;

        memcpy(&h, e, 8);
        memcpy(&list,
               e + (esz == sizeof(struct memo) ? offsetof(struct memo, list)
                                               : offsetof(struct cons, list)),
               4);
        if (list == 0)
            continue;
        for (j = h & (ncap - 1);; j = (j + 1) & (ncap - 1)) {
            unsigned char *d = (unsigned char *)nt + j * esz;
            uint32_t dl;
            memcpy(&dl,
                   d + (esz == sizeof(struct memo) ? offsetof(struct memo, list)
                                                   : offsetof(struct cons, list)),
                   4);
            if (dl == 0) {
                memcpy(d, e, esz);
                break;
            }
        }
    }
    free(*t);
    *t = nt;
    *mask = ncap - 1;
    return OCDN_OK;
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

/* The list for a prefix whose own entries are e[0..ne) (sorted) and whose covering prefix has
 * list parent: e followed by the parent's entries of the OCAs not in e. */
static enum ocdn_err
make_list(struct rtb *b, const struct steer_cand *e, size_t ne, uint32_t parent, uint32_t *id)
{
    struct steer_rt *rt = b->rt;
    const struct steer_policy *pol = &b->in->policy;
    struct steer_list pl = rt->lists[parent];
    struct steer_cand *dst;
    uint64_t h = own_hash(e, ne, parent), ch;
    size_t i, j, n;
    enum ocdn_err err;

    for (i = h & b->memo_mask; b->memo[i].list != 0; i = (i + 1) & b->memo_mask) {
        const struct memo *m = &b->memo[i];
        const struct steer_list *l = &rt->lists[m->list];
        if (m->h != h || m->parent != parent || m->ne != ne || l->n < ne)
            continue;
        for (j = 0; j < ne && cand_equal_nostep(&rt->cands[l->off + j], &e[j]); j++)
            ;
        if (j == ne) {
            *id = m->list;
            return OCDN_OK;
        }
    }
    if (rt->n_cands + ne + pl.n > CANDS_MAX || rt->n_lists >= LIST_ID_MAX)
        return OCDN_ETOOBIG;
    err = reserve((void **)&rt->cands, &b->cap_cands, rt->n_cands + ne + pl.n, sizeof(*rt->cands));
    if (err)
        return err;
    dst = rt->cands + rt->n_cands;
    b->stamp++;
    for (n = 0; n < ne; n++) {
        dst[n] = e[n];
        b->mark[e[n].oca] = b->stamp;
    }
    for (j = 0; j < pl.n; j++) {
        const struct steer_cand *c = &rt->cands[pl.off + j];
        if (b->mark[c->oca] != b->stamp)
            dst[n++] = *c;
    }
    dst[0].flags &= (uint8_t)~STEER_CAND_STEP_MASK;
    for (j = 1; j < n; j++)
        dst[j].flags = (uint8_t)((dst[j].flags & ~STEER_CAND_STEP_MASK) |
                                 step_bits(pol, &dst[j - 1], &dst[j]));
    ch = steer_hash_bytes(dst, n * sizeof(*dst), 0xc0c0c0c0ull);
    for (i = ch & b->cons_mask; b->cons[i].list != 0; i = (i + 1) & b->cons_mask) {
        const struct steer_list *l = &rt->lists[b->cons[i].list];
        if (b->cons[i].h == ch && l->n == n &&
            memcmp(&rt->cands[l->off], dst, n * sizeof(*dst)) == 0)
            break;
    }
    if (b->cons[i].list != 0) {
        *id = b->cons[i].list; /* same content as an existing list: drop the copy */
    } else {
        err = reserve((void **)&rt->lists, &b->cap_lists, rt->n_lists + 1, sizeof(*rt->lists));
        if (err)
            return err;
        *id = (uint32_t)rt->n_lists;
        rt->lists[rt->n_lists].off = (uint32_t)rt->n_cands;
        rt->lists[rt->n_lists].n = (uint32_t)n;
        rt->n_lists++;
        rt->n_cands += n;
        b->cons[i].h = ch;
        b->cons[i].list = *id;
        b->cons_n++;
        err = table_grow((void **)&b->cons, &b->cons_mask, b->cons_n, sizeof(*b->cons));
        if (err)
            return err;
    }
    for (i = h & b->memo_mask; b->memo[i].list != 0; i = (i + 1) & b->memo_mask)
        ;
    b->memo[i].h = h;
    b->memo[i].parent = parent;
    b->memo[i].ne = (uint32_t)ne;
    b->memo[i].list = *id;
    b->memo_n++;
    return table_grow((void **)&b->memo, &b->memo_mask, b->memo_n, sizeof(*b->memo));
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

/* Build the lists and the distinct-prefix arrays of one family. */
static enum ocdn_err
build_family(struct rtb *b, uint8_t family, const uint32_t *site, uint32_t (*hist)[65536])
{
    const struct steer_input *in = b->in;
    struct steer_rt *rt = b->rt;
    struct rkey *keys = NULL, *tmp = NULL, *sorted;
    struct pk stack[130], cur, p;
    uint32_t stack_list[130];
    size_t depth = 0, nk = 0, i, j, np = 0;
    uint32_t *plist = NULL;
    uint8_t *plen = NULL;
    uint64_t *paddr = NULL;
    enum ocdn_err err = OCDN_OK;

    for (i = 0; i < in->n_routes; i++)
        if (in->routes[i].prefix.addr.family == family && in->routes[i].prefix.len > 0)
            nk++;
    if (nk == 0)
        return OCDN_OK;
    keys = malloc(nk * sizeof(*keys));
    tmp = malloc(nk * sizeof(*tmp));
    plist = malloc(nk * sizeof(*plist));
    plen = malloc(nk);
    paddr = malloc(nk * 2 * sizeof(*paddr));
    if (!keys || !tmp || !plist || !plen || !paddr) {
        err = OCDN_ENOMEM;
        goto out;
    }
    for (i = 0, j = 0; i < in->n_routes; i++) {
        const struct steer_route *r = &in->routes[i];
        const uint8_t *a = r->prefix.addr.bytes;

        if (r->prefix.addr.family != family || r->prefix.len == 0)
            continue;
        if (family == NET_V4) {
            keys[j].hi =
                (uint64_t)((uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3])
                    << 32 |
                (uint64_t)r->prefix.len << OCA_KEY_BITS | r->oca;
            keys[j].lo = 0;
            keys[j].x = 0;
        } else {
            keys[j].hi = steer_be64(a);
            keys[j].lo = steer_be64(a + 8);
            keys[j].x = (uint32_t)r->prefix.len << OCA_KEY_BITS | r->oca;
        }
        keys[j].idx = (uint32_t)i;
        j++;
    }
    sorted = radix_sort(keys, tmp, nk, hist);

    for (i = 0; i < nk;) {
        size_t ne = 0, end;
        uint32_t parent, id, oca;

        key_decode(family, &sorted[i], &cur, &oca);
        /* The run of routes for this prefix, and in it one entry per OCA: its best route. */
        for (end = i; end < nk; end++) {
            key_decode(family, &sorted[end], &p, &oca);
            if (!pk_equal(&p, &cur))
                break;
        }
        err = reserve((void **)&b->own, &b->cap_own, end - i, sizeof(*b->own));
        if (err)
            goto out;
        for (j = i; j < end;) {
            const struct steer_route *best = &in->routes[sorted[j].idx];
            uint32_t o;
            size_t k;

            key_decode(family, &sorted[j], &p, &o);
            for (k = j + 1; k < end; k++) {
                uint32_t o2;
                const struct steer_route *r = &in->routes[sorted[k].idx];
                key_decode(family, &sorted[k], &p, &o2);
                if (o2 != o)
                    break;
                if (steer_route_cmp(&in->policy, r, best) < 0)
                    best = r;
            }
            b->own[ne].oca = o;
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
        if (ne <= 16) {
            sort_own(&in->policy, site, b->own, ne);
        } else {
            struct own_ctx oc = {&in->policy, site};
            qsort_r(b->own, ne, sizeof(*b->own), own_cmp, &oc);
        }
        /* The covering prefixes are on the stack (sorted input is a depth-first walk). */
        while (depth > 0 && !pk_covers(&stack[depth - 1], &cur))
            depth--;
        parent = depth > 0 ? stack_list[depth - 1] : 0;
        err = make_list(b, b->own, ne, parent, &id);
        if (err)
            goto out;
        stack[depth] = cur;
        stack_list[depth] = id;
        depth++;
        plist[np] = id;
        plen[np] = (uint8_t)cur.len;
        paddr[2 * np] = cur.hi;
        paddr[2 * np + 1] = cur.lo;
        np++;
        i = end;
    }

    if (family == NET_V4) {
        uint32_t *a4 = malloc(np * sizeof(*a4));
        if (!a4) {
            err = OCDN_ENOMEM;
            goto out;
        }
        for (i = 0; i < np; i++)
            a4[i] = (uint32_t)(paddr[2 * i] >> 32);
        rt->pfx4_addr = a4;
        rt->pfx4_len = plen;
        rt->pfx4_list = plist;
        rt->n_pfx4 = np;
        plen = NULL;
        plist = NULL;
        err = steer_lpm4_build(rt, rt->pfx4_addr, rt->pfx4_len, rt->pfx4_list, np);
    } else {
        rt->pfx6_addr = paddr;
        rt->pfx6_len = plen;
        rt->pfx6_list = plist;
        rt->n_pfx6 = np;
        paddr = NULL;
        plen = NULL;
        plist = NULL;
        err = steer_lpm6_build(rt, rt->pfx6_addr, rt->pfx6_len, rt->pfx6_list, np);
    }
out:
    free(keys);
    free(tmp);
    free(plist);
    free(plen);
    free(paddr);
    return err;
}

uint64_t
steer_rt_checksum(const struct steer_rt *rt)
{
    uint64_t h = 0x7274ull;

    h = steer_hash_bytes(rt->path_hops_and_offsets, sizeof(rt->path_hops_and_offsets), h);
    h = steer_hash_bytes(rt->oca_ids, rt->n_ocas * sizeof(*rt->oca_ids), h);
    h = steer_hash_bytes(rt->cands, rt->n_cands * sizeof(*rt->cands), h);
    h = steer_hash_bytes(rt->lists, rt->n_lists * sizeof(*rt->lists), h);
    h = steer_hash_bytes(rt->pfx4_addr, rt->n_pfx4 * sizeof(*rt->pfx4_addr), h);
    h = steer_hash_bytes(rt->pfx4_len, rt->n_pfx4, h);
    h = steer_hash_bytes(rt->pfx4_list, rt->n_pfx4 * sizeof(*rt->pfx4_list), h);
    h = steer_hash_bytes(rt->pfx6_addr, rt->n_pfx6 * 2 * sizeof(*rt->pfx6_addr), h);
    h = steer_hash_bytes(rt->pfx6_len, rt->n_pfx6, h);
    h = steer_hash_bytes(rt->pfx6_list, rt->n_pfx6 * sizeof(*rt->pfx6_list), h);
    return h;
}

static void
shrink(void **v, size_t n, size_t sz)
{
    void *p;

    if (*v && n > 0) {
        p = realloc(*v, n * sz);
        if (p)
            *v = p;
    }
}

enum ocdn_err
steer_rt_build(const struct steer_input *in, const uint32_t *oca_site, struct steer_rt **out,
               char *err, size_t errlen)
{
    struct steer_rt *rt;
    struct rtb b;
    uint32_t(*hist)[65536] = NULL;
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
    b.mark = calloc(in->n_ocas ? in->n_ocas : 1, sizeof(*b.mark));
    hist = malloc(10 * sizeof(*hist));
    if (!rt->oca_ids || !b.mark || !hist) {
        e = OCDN_ENOMEM;
        goto out;
    }
    for (i = 0; i < in->n_ocas; i++)
        rt->oca_ids[i] = in->ocas[i].id;
    for (i = 0; i < in->n_routes; i++)
        if (in->routes[i].prefix.len == 0)
            rt->routes_ignored++;
    e = table_grow((void **)&b.memo, &b.memo_mask, 0, sizeof(*b.memo));
    if (!e)
        e = table_grow((void **)&b.cons, &b.cons_mask, 0, sizeof(*b.cons));
    if (!e)
        e = reserve((void **)&rt->lists, &b.cap_lists, 1, sizeof(*rt->lists));
    if (e)
        goto out;
    rt->lists[0].off = 0; /* list 0: no route */
    rt->lists[0].n = 0;
    rt->n_lists = 1;
    e = build_family(&b, NET_V4, oca_site, hist);
    if (!e)
        e = build_family(&b, NET_V6, oca_site, hist);
    if (e) {
        if (e == OCDN_ETOOBIG)
            snprintf(err, errlen, "route tables over their size limits");
        goto out;
    }
    shrink((void **)&rt->cands, rt->n_cands, sizeof(*rt->cands));
    shrink((void **)&rt->lists, rt->n_lists, sizeof(*rt->lists));
    rt->bytes = sizeof(*rt) + rt->n_ocas * sizeof(*rt->oca_ids) + rt->n_cands * sizeof(*rt->cands) +
                rt->n_lists * sizeof(*rt->lists) +
                (rt->tbl24 ? ((size_t)1 << 24) * sizeof(*rt->tbl24) : 0) +
                rt->n_tbl8 * 256 * sizeof(*rt->tbl8) +
                rt->n_pfx4 * (sizeof(*rt->pfx4_addr) + 1 + sizeof(*rt->pfx4_list)) +
                (rt->direct6 ? ((size_t)1 << STEER_DIRECT6_BITS) * sizeof(*rt->direct6) : 0) +
                rt->n_nodes * sizeof(*rt->nodes) + rt->n_leaves * sizeof(*rt->leaves) +
                rt->n_pfx6 * (2 * sizeof(*rt->pfx6_addr) + 1 + sizeof(*rt->pfx6_list));
    rt->checksum = steer_rt_checksum(rt);
    *out = rt;
    rt = NULL;
out:
    steer_rt_unref(rt);
    free(b.memo);
    free(b.cons);
    free(b.mark);
    free(b.own);
    free(hist);
    return e;
}
