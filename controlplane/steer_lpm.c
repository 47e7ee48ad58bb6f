/* steer_lpm.c - longest-prefix-match tables of a steering snapshot: address -> list id.
 * IPv4: DIR-16-8-8: a 2^16-entry table indexed by the top 16 bits (256 KiB: it stays in the
 * L2 cache), 256-entry groups for the /16s that hold longer prefixes, and 256-entry groups
 * again for the rare /25../32; one miss to memory per lookup, as DIR-24-8, without its fixed
 * 64 MiB. IPv6: a poptrie (Asai & Ohara, SIGCOMM 2015): a 2^16 direct table, then 64-way nodes
 * whose children and leaves are found by popcount, so a node is 24 bytes however sparse. Both
 * are built once from a sorted prefix list and never modified; the lookups themselves are
 * inline in steer_int.h. */
#include "steer_int.h"

#include <stdlib.h>
#include <string.h>

#define TBL16    ((size_t)1 << 16)
#define DIRECT6  ((size_t)1 << STEER_DIRECT6_BITS)
#define LIST_MAX (STEER_TBL_EXT - 1) /* list ids must leave the flag bit free */
#define GROUP    256u

void
steer_lpm4_free(struct steer_rt *rt)
{
    free(rt->tbl16);
    steer_mem_free(rt->grp16, rt->grp16_alloc);
    free(rt->tbl8);
}

/* The group behind entry *e, made (filled with *e's value) if *e is still a value. */
static uint32_t *
group_of(uint32_t *e, uint32_t *groups, size_t *n)
{
    uint32_t *g;
    unsigned k;

    if (!(*e & STEER_TBL_EXT)) {
        g = groups + (*n << 8);
        for (k = 0; k < GROUP; k++)
            g[k] = *e;
        *e = STEER_TBL_EXT | (uint32_t)(*n)++;
    }
    return groups + ((size_t)(*e & ~STEER_TBL_EXT) << 8);
}

/* Write v over entries [from, from + cnt) of a level. An entry that is already a group is
 * left alone: it holds more specific prefixes, and with sorted input it never occurs anyway
 * (a group's prefixes come after every prefix covering them). */
static void
fill(uint32_t *t, size_t from, size_t cnt, uint32_t v)
{
    size_t k;

    for (k = from; k < from + cnt; k++)
        if (!(t[k] & STEER_TBL_EXT))
            t[k] = v;
}

enum ocdn_err
steer_lpm4_build(struct steer_rt *rt, const uint32_t *addr, const uint8_t *len,
                 const uint32_t *list, size_t n)
{
    size_t i, g16 = 0, g8 = 0;
    uint32_t last16 = 0, last24 = 0;
    bool have16 = false, have24 = false;

    if (n == 0)
        return OCDN_OK;
    /* Groups: one per /16 that holds a prefix longer than /16, one per /24 that holds a prefix
     * longer than /24 (sorted input makes each one's prefixes adjacent). */
    for (i = 0; i < n; i++) {
        if (len[i] > 16 && (!have16 || addr[i] >> 16 != last16)) {
            g16++;
            last16 = addr[i] >> 16;
            have16 = true;
        }
        if (len[i] > 24 && (!have24 || addr[i] >> 8 != last24)) {
            g8++;
            last24 = addr[i] >> 8;
            have24 = true;
        }
        if (list[i] > LIST_MAX)
            return OCDN_ETOOBIG;
    }
    if (g16 > LIST_MAX || g8 > LIST_MAX)
        return OCDN_ETOOBIG;
    rt->tbl16 = calloc(TBL16, sizeof(*rt->tbl16));
    rt->grp16_alloc = (g16 ? g16 : 1) * GROUP * sizeof(*rt->grp16);
    rt->grp16 = steer_mem_alloc(rt->grp16_alloc);
    rt->tbl8 = malloc((g8 ? g8 : 1) * GROUP * sizeof(*rt->tbl8));
    if (!rt->tbl16 || !rt->grp16 || !rt->tbl8)
        return OCDN_ENOMEM;
    /* In (addr, len) order a prefix comes after every prefix that covers it, so writing each
     * one over its whole range leaves the most specific value everywhere. */
    for (i = 0; i < n; i++) {
        uint32_t a = addr[i], v = list[i], *g;

        if (len[i] <= 16) {
            fill(rt->tbl16, a >> 16, (size_t)1 << (16 - len[i]), v);
            continue;
        }
        g = group_of(&rt->tbl16[a >> 16], rt->grp16, &rt->n_grp16);
        if (len[i] <= 24) {
            fill(g, (a >> 8) & 0xffu, (size_t)1 << (24 - len[i]), v);
            continue;
        }
        g = group_of(&g[(a >> 8) & 0xffu], rt->tbl8, &rt->n_tbl8);
        fill(g, a & 0xffu, (size_t)1 << (32 - len[i]), v);
    }
    return OCDN_OK;
}

struct ptb {
    const uint64_t *addr; /* (hi, lo) per prefix */
    const uint8_t *len;
    const uint32_t *list;
    struct steer_ptnode *nodes;
    size_t n_nodes, cap_nodes;
    uint32_t *leaves;
    size_t n_leaves, cap_leaves;
};

static enum ocdn_err
reserve(void **v, size_t *cap, size_t need, size_t sz)
{
    size_t ncap = *cap ? *cap : 1024;
    void *p;

    if (need <= *cap)
        return OCDN_OK;
    if (need > LIST_MAX)
        return OCDN_ETOOBIG;
    while (ncap < need)
        ncap *= 2;
    p = realloc(*v, ncap * sz);
    if (!p)
        return OCDN_ENOMEM;
    *v = p;
    *cap = ncap;
    return OCDN_OK;
}

/* Fill node (already allocated) for the block of addresses whose first d bits it stands for.
 * [lo, hi) are the prefixes longer than d inside the block, in (addr, len) order; val is the
 * longest prefix of length <= d covering the block. */
static enum ocdn_err
build_node(struct ptb *b, size_t node, unsigned d, size_t lo, size_t hi, uint32_t val)
{
    uint32_t vals[64], last = 0;
    uint8_t blen[64];
    size_t cs[64], ce[64], i, base0, base1, nchild = 0, j;
    uint64_t vec = 0, leafvec = 0;
    unsigned v, k;
    bool any = false;
    enum ocdn_err err;

    for (v = 0; v < 64; v++) {
        vals[v] = val;
        blen[v] = 0;
        ce[v] = 0;
        cs[v] = 0;
    }
    for (i = lo; i < hi; i++) {
        unsigned l = b->len[i], s = steer_key6(b->addr[2 * i], b->addr[2 * i + 1], d);

        if (l <= d + STEER_STRIDE6) {
            /* Covers 2^(d+6-l) aligned slots (past bit 127 the padding bits are zero). */
            unsigned span = 1u << (d + STEER_STRIDE6 - l);
            for (k = s; k < s + span && k < 64; k++) {
                if (l > blen[k]) {
                    vals[k] = b->list[i];
                    blen[k] = (uint8_t)l;
                }
            }
        } else {
            /* A deeper prefix: the ones inside one slot are contiguous in sorted order. */
            if (ce[s] == 0)
                cs[s] = i;
            ce[s] = i + 1;
        }
    }
    for (v = 0; v < 64; v++) {
        if (ce[v]) {
            vec |= 1ull << v;
            nchild++;
        }
    }
    base1 = b->n_nodes;
    err = reserve((void **)&b->nodes, &b->cap_nodes, b->n_nodes + nchild, sizeof(*b->nodes));
    if (err)
        return err;
    memset(b->nodes + base1, 0, nchild * sizeof(*b->nodes));
    b->n_nodes += nchild;
    base0 = b->n_leaves;
    err = reserve((void **)&b->leaves, &b->cap_leaves, b->n_leaves + 64, sizeof(*b->leaves));
    if (err)
        return err;
    for (v = 0; v < 64; v++) {
        if (vec & (1ull << v))
            continue;
        if (!any || vals[v] != last) {
            leafvec |= 1ull << v;
            b->leaves[b->n_leaves++] = vals[v];
            last = vals[v];
            any = true;
        }
    }
    b->nodes[node].vec = vec;
    b->nodes[node].leafvec = leafvec;
    b->nodes[node].base0 = (uint32_t)base0;
    b->nodes[node].base1 = (uint32_t)base1;
    for (v = 0, j = 0; v < 64; v++) {
        if (!ce[v])
            continue;
        err = build_node(b, base1 + j, d + STEER_STRIDE6, cs[v], ce[v], vals[v]);
        if (err)
            return err;
        j++;
    }
    return OCDN_OK;
}

enum ocdn_err
steer_lpm6_build(struct steer_rt *rt, const uint64_t *addr, const uint8_t *len,
                 const uint32_t *list, size_t n)
{
    struct ptb b;
    uint8_t *dlen = NULL;
    size_t *cs = NULL, *ce = NULL, i, k;
    enum ocdn_err err = OCDN_OK;

    if (n == 0)
        return OCDN_OK;
    memset(&b, 0, sizeof(b));
    b.addr = addr;
    b.len = len;
    b.list = list;
    for (i = 0; i < n; i++) {
        if (list[i] > LIST_MAX)
            return OCDN_ETOOBIG;
    }
    rt->direct6 = calloc(DIRECT6, sizeof(*rt->direct6));
    dlen = calloc(DIRECT6, 1);
    cs = calloc(DIRECT6, sizeof(*cs));
    ce = calloc(DIRECT6, sizeof(*ce));
    if (!rt->direct6 || !dlen || !cs || !ce) {
        err = OCDN_ENOMEM;
        goto out;
    }
    for (i = 0; i < n; i++) {
        size_t top = addr[2 * i] >> (64 - STEER_DIRECT6_BITS);

        if (len[i] <= STEER_DIRECT6_BITS) {
            size_t span = (size_t)1 << (STEER_DIRECT6_BITS - len[i]);
            for (k = top; k < top + span; k++) {
                if (len[i] >= dlen[k]) {
                    rt->direct6[k] = list[i];
                    dlen[k] = len[i];
                }
            }
        } else {
            if (ce[top] == 0)
                cs[top] = i;
            ce[top] = i + 1;
        }
    }
    for (k = 0; k < DIRECT6; k++) {
        size_t node;

        if (!ce[k])
            continue;
        node = b.n_nodes;
        err = reserve((void **)&b.nodes, &b.cap_nodes, b.n_nodes + 1, sizeof(*b.nodes));
        if (err)
            goto out;
        b.n_nodes++;
        err = build_node(&b, node, STEER_DIRECT6_BITS, cs[k], ce[k], rt->direct6[k]);
        if (err)
            goto out;
        rt->direct6[k] = STEER_TBL_EXT | (uint32_t)node;
    }
    /* Trim the growth slack: the snapshot keeps these for its whole life. */
    if (b.n_nodes) {
        struct steer_ptnode *p = realloc(b.nodes, b.n_nodes * sizeof(*b.nodes));
        if (p)
            b.nodes = p;
    }
    if (b.n_leaves) {
        uint32_t *p = realloc(b.leaves, b.n_leaves * sizeof(*b.leaves));
        if (p)
            b.leaves = p;
    }
    rt->nodes = b.nodes;
    rt->n_nodes = b.n_nodes;
    rt->leaves = b.leaves;
    rt->n_leaves = b.n_leaves;
    b.nodes = NULL;
    b.leaves = NULL;
out:
    free(b.nodes);
    free(b.leaves);
    free(dlen);
    free(cs);
    free(ce);
    return err;
}

size_t
steer_lpm4_bytes(const struct steer_rt *rt)
{
    return (rt->tbl16 ? TBL16 * sizeof(*rt->tbl16) : 0) +
           (rt->n_grp16 + rt->n_tbl8) * GROUP * sizeof(*rt->grp16);
}

size_t
steer_lpm6_bytes(const struct steer_rt *rt)
{
    return (rt->direct6 ? DIRECT6 * sizeof(*rt->direct6) : 0) + rt->n_nodes * sizeof(*rt->nodes) +
           rt->n_leaves * sizeof(*rt->leaves);
}
