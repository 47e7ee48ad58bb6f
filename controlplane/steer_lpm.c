/* steer_lpm.c - longest-prefix-match tables of a steering snapshot: address -> list id.
 * IPv4: DIR-24-8 (one 2^24-entry table indexed by the top 24 bits, 256-entry groups for the
 * rare /25../32), one or two loads per lookup. IPv6: a poptrie (Asai & Ohara, SIGCOMM 2015):
 * a 2^16 direct table, then 64-way nodes whose children and leaves are found by popcount, so
 * a node is 24 bytes however sparse. Both are built once from a sorted prefix list and never
 * modified; the lookups themselves are inline in steer_int.h. */
#include "steer_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TBL24_SIZE ((size_t)1 << 24)
#define DIRECT6    ((size_t)1 << STEER_DIRECT6_BITS)
#define LIST_MAX   (STEER_TBL_EXT - 1) /* list ids must leave the flag bit free */

/* The 64 MiB table comes straight from mmap: its pages are zero until written (a sparse table
 * costs only what it touches, where calloc under ASan would clear all of it), and huge pages
 * (where the kernel allows them on request) save most of the TLB misses of random lookups. */
static uint32_t *
tbl24_new(void)
{
    void *p = mmap(NULL, TBL24_SIZE * sizeof(uint32_t), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        return NULL;
    (void)madvise(p, TBL24_SIZE * sizeof(uint32_t), MADV_HUGEPAGE); /* a hint; may fail */
    return p;
}

void
steer_lpm4_free(uint32_t *tbl24)
{
    if (tbl24)
        munmap(tbl24, TBL24_SIZE * sizeof(uint32_t));
}

/* Note that tbl24 entries [from, to) were written (checksums and checks skip clean chunks). */
static void
mark_dirty(struct steer_rt *rt, size_t from, size_t to)
{
    size_t c;

    for (c = from / STEER_TBL24_CHUNK; c <= (to - 1) / STEER_TBL24_CHUNK; c++)
        rt->tbl24_dirty[c / 64] |= 1ull << (c % 64);
}

enum ocdn_err
steer_lpm4_build(struct steer_rt *rt, const uint32_t *addr, const uint8_t *len,
                 const uint32_t *list, size_t n)
{
    size_t i, k, groups = 0;
    uint32_t last24 = 0;
    bool have_last = false;

    if (n == 0)
        return OCDN_OK;
    /* One group per /24 that holds a longer prefix; sorted input makes them adjacent. */
    for (i = 0; i < n; i++) {
        if (len[i] > 24 && (!have_last || addr[i] >> 8 != last24)) {
            groups++;
            last24 = addr[i] >> 8;
            have_last = true;
        }
        if (list[i] > LIST_MAX)
            return OCDN_ETOOBIG;
    }
    if (groups > LIST_MAX)
        return OCDN_ETOOBIG;
    rt->tbl24 = tbl24_new();
    if (!rt->tbl24)
        return OCDN_ENOMEM;
    if (groups) {
        rt->tbl8 = malloc(groups * 256 * sizeof(*rt->tbl8));
        if (!rt->tbl8)
            return OCDN_ENOMEM;
    }
    /* In (addr, len) order a prefix comes after every prefix that covers it, so writing each
     * one over its whole range leaves the most specific value everywhere. */
    for (i = 0; i < n; i++) {
        uint32_t a = addr[i], v = list[i];
        uint32_t *g;

        if (len[i] <= 24) {
            size_t s = a >> 8, cnt = (size_t)1 << (24 - len[i]);
            mark_dirty(rt, s, s + cnt);
            for (k = s; k < s + cnt; k++) {
                if (rt->tbl24[k] & STEER_TBL_EXT) {
                    /* Cannot happen with sorted input (a group's /24 is covered first). */
                    g = rt->tbl8 + ((size_t)(rt->tbl24[k] & ~STEER_TBL_EXT) << 8);
                    for (size_t j = 0; j < 256; j++)
                        g[j] = v;
                } else {
                    rt->tbl24[k] = v;
                }
            }
            continue;
        }
        mark_dirty(rt, a >> 8, (a >> 8) + 1);
        if (!(rt->tbl24[a >> 8] & STEER_TBL_EXT)) {
            g = rt->tbl8 + (rt->n_tbl8 << 8);
            for (k = 0; k < 256; k++)
                g[k] = rt->tbl24[a >> 8];
            rt->tbl24[a >> 8] = STEER_TBL_EXT | (uint32_t)rt->n_tbl8;
            rt->n_tbl8++;
        }
        g = rt->tbl8 + ((size_t)(rt->tbl24[a >> 8] & ~STEER_TBL_EXT) << 8);
        for (k = a & 0xffu; k < (a & 0xffu) + ((size_t)1 << (32 - len[i])); k++)
            g[k] = v;
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
