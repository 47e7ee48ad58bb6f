/* bench_steer.c - steering engine at internet scale: snapshot build time and memory, prefix
 * lookups, full decisions, and the brute-force reference on a sample, in one run.
 *
 * Synthetic world (docs/steering.md, "Benchmarks"): ISP partners own address blocks and
 * announce them, mostly identically, to every OCA of the site that serves the region (a few
 * more-specifics to single OCAs, some prefixes to two sites with a prepend, aggregates to all
 * of a partner's sites); IX sites learn partners' prefixes over PNI and public peering, and the
 * big ones also over transit (with other networks' prefixes). The prefix-length mix follows
 * the public IPv4/IPv6 tables. Single-threaded throughout: the figures are per core.
 *
 *   build/bench/bench_steer            full size: 1 M IPv4 + 200 k IPv6 prefixes, 12 k OCAs
 *   build/bench/bench_steer --small    a tenth of that (make bench)
 *   options: --v4 N --v6 N --ocas N --sites N --files N --lookups N
 *            --decisions N --ref N --transit-sites N (IX sites with a full transit table, 20)
 *            --seed S --decide-only (only the random-client decisions, three times) */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "steer.h"
#include "steer_int.h"
#include "steer_ref.h"

struct opts {
    size_t v4, v6, ocas, sites, files, lookups, decisions, ref, transit;
    uint64_t seed;
};

static uint64_t rs;
static double yardstick_rate = 1.0; /* lookups/s of the yardstick, measured first */

static uint64_t
rnd(void)
{
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return rs * 0x2545f4914f6cdd1dull;
}

static uint32_t
below(uint32_t n)
{
    return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

static double
now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
rss_mib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;

    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &size, &res) != 2)
        res = 0;
    fclose(f);
    return (double)res * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

static void
die(const char *what, enum ocdn_err e)
{
    fprintf(stderr, "bench_steer: %s: %s\n", what, ocdn_err_str(e));
    exit(1);
}

/* ---- the synthetic world ---------------------------------------------------------------- */

struct gpfx {        /* a generated prefix */
    uint64_t hi, lo; /* IPv4 in the top 32 bits of hi */
    uint8_t len, family;
    uint32_t site; /* the ISP site that serves it (clients are near it) */
};

struct partner {
    uint32_t *sites; /* ISP site indices */
    size_t n_sites;
    size_t first4, n4, first6, n6; /* its prefixes in the generated arrays */
    size_t n_agg4, n_agg6;         /* the first n_agg of them are aggregates */
};

struct world {
    struct steer_input in;
    uint32_t *site_first, *site_n; /* OCAs per site (contiguous) */
    struct partner *partners;
    size_t n_partners;
    struct gpfx *p4, *p6;
    size_t n4, n6, cap4, cap6;
    uint64_t *seen; /* open-addressing set of (hi, lo, len) hashes: distinct prefixes */
    size_t seen_mask;
};

static bool
seen_add(struct world *w, uint64_t hi, uint64_t lo, unsigned len)
{
    uint64_t h = steer_mix64(hi ^ steer_mix64(lo ^ len)) | 1;
    size_t i;

    for (i = h & w->seen_mask; w->seen[i]; i = (i + 1) & w->seen_mask)
        if (w->seen[i] == h)
            return false;
    w->seen[i] = h;
    return true;
}

/* Public-table length mixes (RIPE RIS, 2024, rounded). */
static unsigned
len4(void)
{
    static const struct {
        unsigned upto, len;
    } mix[] = {{600, 24}, {690, 23}, {800, 22}, {845, 21}, {890, 20},
               {925, 19}, {945, 18}, {960, 17}, {982, 16}, {995, 0}};
    uint32_t r = below(1000);
    size_t i;

    for (i = 0; i < sizeof(mix) / sizeof(mix[0]); i++)
        if (r < mix[i].upto)
            return mix[i].len ? mix[i].len : 13 + below(3);
    return 25 + below(4); /* 0.5 %: more-specifics announced to embedded OCAs only */
}

static unsigned
len6(void)
{
    uint32_t r = below(1000);

    if (r < 450)
        return 48;
    if (r < 600)
        return 32;
    if (r < 700)
        return 44;
    if (r < 800)
        return 40;
    if (r < 860)
        return 36;
    if (r < 900)
        return 46;
    if (r < 940)
        return 47;
    if (r < 970)
        return 29 + below(3);
    return 56 + below(9);
}

static void
push(struct gpfx **v, size_t *n, size_t *cap, const struct gpfx *p)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 1 << 16;
        *v = realloc(*v, *cap * sizeof(**v));
        if (!*v)
            die("realloc", OCDN_ENOMEM);
    }
    (*v)[(*n)++] = *p;
}

static uint64_t
mask_hi(unsigned len)
{
    return len == 0 ? 0 : len >= 64 ? ~0ull : ~0ull << (64 - len);
}

static struct steer_route
route_of(const struct gpfx *p, uint32_t oca, uint32_t path, enum route_src src, uint32_t med,
         bool has_med, uint32_t origin, uint32_t first)
{
    struct steer_route r;
    int i;

    memset(&r, 0, sizeof(r));
    r.oca = oca;
    r.prefix.addr.family = p->family;
    for (i = 0; i < 8; i++) {
        r.prefix.addr.bytes[i] = (uint8_t)(p->hi >> (56 - 8 * i));
        r.prefix.addr.bytes[8 + i] = (uint8_t)(p->lo >> (56 - 8 * i));
    }
    if (p->family == NET_V4)
        memset(r.prefix.addr.bytes + 4, 0, 12);
    r.prefix.len = p->len;
    r.path_len = path;
    r.src = src;
    r.med = med;
    r.has_med = has_med;
    r.origin_as = origin;
    r.first_as = first;
    return r;
}

static void
add(struct world *w, const struct steer_route *r)
{
    enum ocdn_err e = steer_input_add_route(&w->in, r);

    if (e)
        die("add route", e);
}

/* Announce p to every OCA of site s (or to k of them when k > 0). */
static void
announce_site(struct world *w, const struct gpfx *p, uint32_t s, unsigned k, uint32_t path,
              enum route_src src, uint32_t med, bool has_med, uint32_t origin, uint32_t first)
{
    uint32_t i, n = w->site_n[s], from = w->site_first[s];

    if (k > 0 && k < n) {
        from += below(n - k + 1);
        n = k;
    }
    for (i = 0; i < n; i++) {
        struct steer_route r = route_of(p, from + i, path, src, med, has_med, origin, first);
        add(w, &r);
    }
}

/* Prefixes of one partner: aggregates covering its block, then more-specifics inside them. */
static void
gen_partner_prefixes(struct world *w, struct partner *pt, size_t pi, size_t n4, size_t n6)
{
    /* IPv4: a /10 block per partner from 4.0.0.0 up; IPv6: a /28 per partner in 2a00::/12. */
    uint64_t base4 = ((uint64_t)(4u + (uint32_t)(pi >> 2)) << 56) | ((uint64_t)(pi & 3) << 54);
    uint64_t base6 = (0x2a00ull << 48) | ((uint64_t)pi << 36);
    size_t i, tries;
    struct gpfx p;

    pt->first4 = w->n4;
    pt->n_agg4 = 1 + below(3);
    for (i = 0; i < pt->n_agg4 && i < n4; i++) {
        memset(&p, 0, sizeof(p));
        p.family = NET_V4;
        p.len = (uint8_t)(i == 0 ? 10 : 11 + below(4));
        p.hi = (base4 | ((uint64_t)below(1u << 22) << 32)) & mask_hi(p.len);
        p.site = pt->sites[below((uint32_t)pt->n_sites)];
        if (seen_add(w, p.hi, 0, p.len))
            push(&w->p4, &w->n4, &w->cap4, &p);
    }
    pt->n_agg4 = w->n4 - pt->first4;
    for (i = pt->n_agg4, tries = 0; i < n4 && tries < n4 * 4; tries++) {
        memset(&p, 0, sizeof(p));
        p.family = NET_V4;
        p.len = (uint8_t)len4();
        p.hi = (base4 | ((uint64_t)below(1u << 22) << 32)) & mask_hi(p.len);
        /* A site serves a contiguous part of the block (regions), so clients of a site share
         * its prefixes' neighbourhood. */
        p.site = pt->sites[(size_t)((p.hi >> 32 & 0x3fffff) * pt->n_sites >> 22)];
        if (!seen_add(w, p.hi, 0, p.len))
            continue;
        push(&w->p4, &w->n4, &w->cap4, &p);
        i++;
    }
    pt->n4 = w->n4 - pt->first4;

    pt->first6 = w->n6;
    memset(&p, 0, sizeof(p));
    p.family = NET_V6;
    p.len = 28;
    p.hi = base6;
    p.site = pt->sites[0];
    if (n6 > 0 && seen_add(w, p.hi, 0, p.len))
        push(&w->p6, &w->n6, &w->cap6, &p);
    pt->n_agg6 = w->n6 - pt->first6;
    for (i = pt->n_agg6, tries = 0; i < n6 && tries < n6 * 4; tries++) {
        unsigned l = len6();
        memset(&p, 0, sizeof(p));
        p.family = NET_V6;
        p.len = (uint8_t)(l < 29 ? 29 : l);
        p.hi = (base6 | (rnd() >> 28)) & mask_hi(p.len);
        p.site = pt->sites[(size_t)(((p.hi >> 20) & 0xffff) * pt->n_sites >> 16)];
        if (!seen_add(w, p.hi, 0, p.len))
            continue;
        push(&w->p6, &w->n6, &w->cap6, &p);
        i++;
    }
    pt->n6 = w->n6 - pt->first6;
}

static void
gen_world(struct world *w, const struct opts *o)
{
    size_t n_ix = o->sites / 10, n_isp = o->sites - n_ix, i, k, seen_cap = 1;
    size_t other4 = o->v4 / 20, n4_isp = o->v4 - other4;
    uint32_t *isp_sites;
    char name[96];

    memset(w, 0, sizeof(*w));
    steer_input_init(&w->in);
    w->in.routes_version = 1;
    w->in.catalog_version = 1;
    while (seen_cap < (o->v4 + o->v6) * 2)
        seen_cap *= 2;
    w->seen = calloc(seen_cap, sizeof(*w->seen));
    w->seen_mask = seen_cap - 1;
    w->site_first = calloc(o->sites, sizeof(*w->site_first));
    w->site_n = calloc(o->sites, sizeof(*w->site_n));
    isp_sites = calloc(n_isp ? n_isp : 1, sizeof(*isp_sites));
    if (!w->seen || !w->site_first || !w->site_n || !isp_sites)
        die("calloc", OCDN_ENOMEM);

    /* Sites: IX sites first; one OCA each, then the rest weighted 1 (ISP) : 2.4 (IX). */
    for (i = 0; i < o->sites; i++) {
        struct steer_site s;
        memset(&s, 0, sizeof(s));
        s.id = i + 1;
        s.type = i < n_ix ? SITE_TYPE_IX : SITE_TYPE_ISP;
        s.has_coords = true;
        s.lat = -45.0 + (double)below(105000) / 1000.0;
        s.lon = -125.0 + (double)below(275000) / 1000.0;
        snprintf(name, sizeof(name), i < n_ix ? "X%04zu.IX" : "X%04zu.isp%zu.ISP", i, i % 397);
        s.name = name;
        if (steer_input_add_site(&w->in, &s, NULL))
            die("add site", OCDN_ENOMEM);
        w->site_n[i] = 1;
        if (i >= n_ix)
            isp_sites[i - n_ix] = (uint32_t)i;
    }
    for (k = o->sites; k < o->ocas; k++) {
        uint32_t r = below((uint32_t)(n_isp * 10 + n_ix * 24));
        w->site_n[r < n_isp * 10 ? n_ix + r / 10 : (r - n_isp * 10) / 24]++;
    }
    for (i = 0, k = 0; i < o->sites; i++) {
        uint32_t j;
        w->site_first[i] = (uint32_t)k;
        for (j = 0; j < w->site_n[i]; j++, k++) {
            struct steer_oca c;
            uint32_t st = below(1000);
            memset(&c, 0, sizeof(c));
            c.id = 10000 + k;
            c.site = (uint32_t)i;
            c.org_id = i < n_ix ? 1 : 2 + (i % 397);
            snprintf(name, sizeof(name), "c%03u-x%04zu.1.oca.example.net", j + 1, i);
            c.host = name;
            c.has_v4 = c.has_v6 = true;
            c.https_port = 443;
            c.model = i >= n_ix && below(1000) < 5 ? OCA_MODEL_GLOBAL
                      : below(10) < 3              ? OCA_MODEL_FLASH
                                                   : OCA_MODEL_STORAGE;
            c.status = st < 950   ? OCA_STATUS_ONLINE
                       : st < 970 ? OCA_STATUS_DEGRADED
                       : st < 980 ? OCA_STATUS_DRAINING
                       : st < 990 ? OCA_STATUS_OFFLINE
                                  : OCA_STATUS_MAINTENANCE;
            c.is_healthy = below(1000) < 995;
            c.capacity_bps = (uint64_t[]){10, 40, 100}[below(3)] * 1000000000ull;
            c.load_bps = c.capacity_bps / 100 * below(96);
            if (steer_input_add_oca(&w->in, &c, NULL))
                die("add oca", OCDN_ENOMEM);
        }
    }

    /* Partners: ~3.4 ISP sites each. */
    w->n_partners = n_isp / 3 + 1;
    if (w->n_partners > 1000)
        w->n_partners = 1000;
    w->partners = calloc(w->n_partners, sizeof(*w->partners));
    for (i = 0; i < w->n_partners; i++)
        w->partners[i].sites = calloc(n_isp ? n_isp : 1, sizeof(uint32_t));
    for (i = 0; i < n_isp; i++) {
        struct partner *pt = &w->partners[i < w->n_partners ? i : below((uint32_t)w->n_partners)];
        pt->sites[pt->n_sites++] = isp_sites[i];
    }
    /* Prefixes: partner sizes skewed (a few large incumbents, many small ISPs). */
    {
        double *wt = calloc(w->n_partners, sizeof(double)), sum = 0;
        size_t done4 = 0, done6 = 0;
        for (i = 0; i < w->n_partners; i++) {
            wt[i] = 1.0 / (1.0 + (double)below(1000) / 40.0);
            sum += wt[i];
        }
        for (i = 0; i < w->n_partners; i++) {
            size_t a = i + 1 == w->n_partners ? n4_isp - done4 : (size_t)(wt[i] / sum * n4_isp);
            size_t b = i + 1 == w->n_partners ? o->v6 - done6 : (size_t)(wt[i] / sum * o->v6);
            if (a > 30000) /* a /10 has 16 k /24s */
                a = 30000;
            gen_partner_prefixes(w, &w->partners[i], i, a, b);
            done4 += w->partners[i].n4;
            done6 += w->partners[i].n6;
        }
        free(wt);
    }
    /* Other networks' prefixes (reached over transit only), 160.0.0.0 and up. */
    for (i = 0; w->n4 < o->v4 && i < other4 * 4; i++) {
        struct gpfx p;
        memset(&p, 0, sizeof(p));
        p.family = NET_V4;
        p.len = (uint8_t)(len4() > 24 ? 24 : len4());
        p.hi = ((uint64_t)(0xa0000000u | below(0x40000000u)) << 32) & mask_hi(p.len);
        p.site = UINT32_MAX;
        if (seen_add(w, p.hi, 0, p.len))
            push(&w->p4, &w->n4, &w->cap4, &p);
    }

    /* Embedded routes. */
    for (i = 0; i < w->n_partners; i++) {
        struct partner *pt = &w->partners[i];
        uint32_t asn = 64512 + (uint32_t)i;
        size_t j, s;

        for (j = 0; j < pt->n4 + pt->n6; j++) {
            bool v4 = j < pt->n4;
            const struct gpfx *p = v4 ? &w->p4[pt->first4 + j] : &w->p6[pt->first6 + j - pt->n4];
            bool agg = v4 ? j < pt->n_agg4 : j - pt->n4 < pt->n_agg6;
            uint32_t r = below(100);

            if (agg) { /* to every site of the partner, prepended as a backup path */
                for (s = 0; s < pt->n_sites; s++)
                    announce_site(w, p, pt->sites[s], 0, 1 + (pt->sites[s] != p->site), 0, 0, false,
                                  asn, asn);
            } else if (r < 4) { /* traffic engineering: one or two OCAs of the site */
                announce_site(w, p, p->site, 1 + below(2), 1, 0, 0, false, asn, asn);
            } else if (r < 7 && pt->n_sites > 1) { /* two sites, one prepended */
                announce_site(w, p, p->site, 0, 1, 0, 0, false, asn, asn);
                announce_site(w, p, pt->sites[below((uint32_t)pt->n_sites)], 0, 3, 0, 0, false, asn,
                              asn);
            } else { /* the session's MED policy: the same for every prefix of the site */
                uint32_t site = p->site;
                announce_site(w, p, site, 0, 1, 0, 10 * (site % 4), site % 3 != 0, asn, asn);
            }
        }
    }
    /* IX sites: PNI and public peering with partners; the 20 biggest also buy transit. */
    for (i = 0; i < n_ix; i++) {
        size_t npni = i < 20 ? 8 : 2, npeer = i < 20 ? 40 : 8, j, q; /* the 20 largest */

        for (j = 0; j < npni + npeer; j++) {
            size_t pi = below((uint32_t)w->n_partners);
            struct partner *pt = &w->partners[pi];
            uint32_t asn = 64512 + (uint32_t)pi;
            bool pni = j < npni;

            for (q = 0; q < pt->n4 + pt->n6; q++) {
                bool v4 = q < pt->n4;
                bool agg = v4 ? q < pt->n_agg4 : q - pt->n4 < pt->n_agg6;
                const struct gpfx *p =
                    v4 ? &w->p4[pt->first4 + q] : &w->p6[pt->first6 + q - pt->n4];
                /* Over a PNI the partner sends aggregates and a fifth of its more-specifics
                 * (the same fifth on every PNI); over peering, aggregates only. */
                if (!agg && (!pni || steer_mix64(p->hi ^ p->lo ^ p->len) % 5 != 0))
                    continue;
                announce_site(w, p, (uint32_t)i, 0, 1, pni ? ROUTE_SRC_PNI : ROUTE_SRC_PEERING,
                              (uint32_t)((i + pi) % 3) * 50, true, asn, asn); /* per session */
            }
        }
        if (i < o->transit) {
            /* Transit: three providers; a site buys from one of them and learns the full
             * table: partners' aggregates and everybody else's prefixes, with the path length
             * that provider has to each (the same at every site using it). */
            uint32_t prov = (uint32_t)(i % 3), transit_as = 3356 + prov;
            for (j = 0; j < w->n_partners; j++) {
                struct partner *pt = &w->partners[j];
                for (q = 0; q < pt->n_agg4; q++) {
                    const struct gpfx *p = &w->p4[pt->first4 + q];
                    announce_site(w, p, (uint32_t)i, 0,
                                  2 + (uint32_t)(steer_mix64(p->hi ^ prov) % 3), ROUTE_SRC_TRANSIT,
                                  0, false, 64512 + (uint32_t)j, transit_as);
                }
            }
            for (j = n4_isp; j < w->n4; j++) {
                const struct gpfx *p = &w->p4[j];
                announce_site(w, p, (uint32_t)i, 0, 2 + (uint32_t)(steer_mix64(p->hi ^ prov) % 4),
                              ROUTE_SRC_TRANSIT, 0, false, 65000 + (uint32_t)(j % 1000),
                              transit_as);
            }
        }
    }

    /* Catalog (DESIGN 3.5): files ranked by popularity, placed per site by hashing with more
     * copies of more popular files: the head (top 10 %) on every flash OCA and half the storage
     * ones, the middle (next 40 %) on two storage OCAs of the site, the tail on one storage OCA
     * of sites with 8 or more OCAs and on two OCAs of every IX site; global OCAs hold half. */
    for (i = 0; i < o->files; i++) {
        uint32_t f;
        snprintf(name, sizeof(name), "title-%06zu.v1_1080p", i);
        if (steer_input_add_file(&w->in, name, &f))
            die("add file", OCDN_ENOMEM);
    }
    for (k = 0; k < o->sites; k++) {
        uint32_t first = w->site_first[k], n = w->site_n[k], j;
        bool ix = k < n_ix, big = n >= 8;

        for (i = 0; i < o->files; i++) {
            uint64_t h = steer_mix64(k * 0x100000001b3ull ^ i);
            unsigned tier = i < o->files / 10 ? 0 : i < o->files / 2 ? 1 : 2;
            unsigned copies = tier == 1 || ix ? 2 : big ? 1 : 0;

            for (j = 0; j < n; j++) {
                enum oca_model m = w->in.ocas[first + j].model;
                bool hold;
                if (m == OCA_MODEL_GLOBAL)
                    hold = steer_mix64(h ^ j) % 2 == 0;
                else if (tier == 0)
                    hold = m == OCA_MODEL_FLASH || steer_mix64(h ^ j) % 2 == 0;
                else
                    hold = m == OCA_MODEL_STORAGE && (j + h) % n < copies;
                if (hold && steer_input_add_holding(&w->in, (uint32_t)i, first + j))
                    die("add holding", OCDN_ENOMEM);
            }
        }
    }
    free(isp_sites);
}

static void
world_free(struct world *w)
{
    size_t i;

    steer_input_clear(&w->in);
    for (i = 0; i < w->n_partners; i++)
        free(w->partners[i].sites);
    free(w->partners);
    free(w->p4);
    free(w->p6);
    free(w->seen);
    free(w->site_first);
    free(w->site_n);
}

/* ---- queries ---------------------------------------------------------------------------- */

/* Index in 0..n-1: uniform, or Zipf-like (s = 1: log-uniform rank over a fixed shuffle of the
 * prefixes, so that a few prefixes carry much of the traffic, as eyeball networks do). */
static size_t
pick(size_t n, bool skewed)
{
    double u;
    size_t r;

    if (!skewed)
        return below((uint32_t)n);
    u = (double)below(1u << 30) / (double)(1u << 30);
    r = (size_t)exp(u * log((double)n + 1.0)) - 1;
    return (size_t)(steer_mix64(r) % n); /* rank -> a prefix spread over the table */
}

/* A client inside an announced prefix (99 %) or anywhere (1 %), near its site. */
static void
gen_client(const struct world *w, bool v6, bool skewed, struct steer_query *q)
{
    const struct gpfx *p = NULL;
    uint64_t hi, lo;
    int i;

    memset(q, 0, sizeof(*q));
    if (below(1000) < 990) {
        p = v6 ? &w->p6[pick(w->n6, skewed)] : &w->p4[pick(w->n4, skewed)];
        hi = p->hi | (rnd() & ~mask_hi(p->len));
        lo = p->len > 64 ? p->lo | (rnd() & ~mask_hi(p->len - 64)) : rnd();
    } else {
        hi = rnd();
        lo = rnd();
        if (v6)
            hi = (hi & 0x1fffffffffffffffull) | 0x2000000000000000ull;
    }
    q->client.family = v6 ? NET_V6 : NET_V4;
    for (i = 0; i < 8; i++) {
        q->client.bytes[i] = (uint8_t)(hi >> (56 - 8 * i));
        q->client.bytes[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
    }
    if (!v6)
        memset(q->client.bytes + 4, 0, 12);
    q->has_geo = true;
    if (p && p->site != UINT32_MAX) {
        const struct steer_site *s = &w->in.sites[p->site];
        q->lat = s->lat + (double)below(2000) / 1000.0 - 1.0;
        q->lon = s->lon + (double)below(2000) / 1000.0 - 1.0;
        if (q->lat > 90)
            q->lat = 90;
        if (q->lat < -90)
            q->lat = -90;
    } else {
        q->lat = -45.0 + (double)below(105000) / 1000.0;
        q->lon = -125.0 + (double)below(275000) / 1000.0;
    }
}

static int32_t
gen_file(size_t nfiles)
{
    double u = (double)below(1u << 30) / (double)(1u << 30);

    return (int32_t)((double)nfiles * u * u * u); /* popular files asked for most */
}

/* ---- measurements ----------------------------------------------------------------------- */

static void
bench_lookups(const struct steer_rt *rt, const struct world *w, size_t n)
{
    uint32_t *a4 = malloc(n * sizeof(*a4));
    uint64_t *a6 = malloc(n * 2 * sizeof(*a6));
    uint64_t sum = 0;
    double t0, t1;
    size_t i;

    if (!a4 || !a6)
        die("malloc", OCDN_ENOMEM);
    for (i = 0; i < n; i++)
        a4[i] = (uint32_t)rnd();
    t0 = now_s();
    for (i = 0; i < n; i++)
        sum += steer_lpm4(rt, a4[i]);
    t1 = now_s();
    printf("lookups v4, random addresses:   %7.1f M/s/core (%.1f ns) = %.2f x yardstick\n",
           (double)n / (t1 - t0) / 1e6, (t1 - t0) / (double)n * 1e9,
           (double)n / (t1 - t0) / yardstick_rate);
    for (i = 0; i < n; i++) {
        const struct gpfx *p = &w->p4[below((uint32_t)w->n4)];
        a4[i] = (uint32_t)((p->hi | (rnd() & ~mask_hi(p->len))) >> 32);
    }
    t0 = now_s();
    for (i = 0; i < n; i++)
        sum += steer_lpm4(rt, a4[i]);
    t1 = now_s();
    printf("lookups v4, announced space:    %7.1f M/s/core (%.1f ns) = %.2f x yardstick\n",
           (double)n / (t1 - t0) / 1e6, (t1 - t0) / (double)n * 1e9,
           (double)n / (t1 - t0) / yardstick_rate);
    for (i = 0; i < n; i++) {
        const struct gpfx *p = &w->p6[below((uint32_t)w->n6)];
        a6[2 * i] = p->hi | (rnd() & ~mask_hi(p->len));
        a6[2 * i + 1] = rnd();
    }
    t0 = now_s();
    for (i = 0; i < n; i++)
        sum += steer_lpm6(rt, a6[2 * i], a6[2 * i + 1]);
    t1 = now_s();
    printf("lookups v6, announced space:    %7.1f M/s/core (%.1f ns)\n",
           (double)n / (t1 - t0) / 1e6, (t1 - t0) / (double)n * 1e9);
    for (i = 0; i < n; i++) {
        a6[2 * i] = (rnd() & 0x1fffffffffffffffull) | 0x2000000000000000ull;
        a6[2 * i + 1] = rnd();
    }
    t0 = now_s();
    for (i = 0; i < n; i++)
        sum += steer_lpm6(rt, a6[2 * i], a6[2 * i + 1]);
    t1 = now_s();
    printf("lookups v6, random in 2000::/3: %7.1f M/s/core (%.1f ns)   (checksum %llu)\n",
           (double)n / (t1 - t0) / 1e6, (t1 - t0) / (double)n * 1e9, (unsigned long long)sum);
    free(a4);
    free(a6);
}

struct qset {
    struct steer_query *q;
    size_t n;
};

static void
gen_queries(const struct world *w, struct qset *qs, size_t n, unsigned pct_v6, int32_t file,
            unsigned nres, bool skewed)
{
    size_t i;

    qs->q = malloc(n * sizeof(*qs->q));
    if (!qs->q)
        die("malloc", OCDN_ENOMEM);
    qs->n = n;
    for (i = 0; i < n; i++) {
        gen_client(w, below(100) < pct_v6, skewed, &qs->q[i]);
        qs->q[i].file = file == -2 ? gen_file(w->in.n_files) : file;
        qs->q[i].n = nres;
    }
}

/* Queries per steer_decide_batch() call: what an HTTP worker would have queued. */
#define BATCH_CALL 64

/* Decisions over qs, one at a time (batched: steer_decide_batch() over BATCH_CALL at a time);
 * prints the rate and its ratio to the same run's DIR-24-8 yardstick; returns s/decision. */
static double
bench_decisions(const struct steer_snap *s, const struct qset *qs, const char *what, bool batched)
{
    static struct steer_result r[BATCH_CALL];
    size_t i, k, modes[3] = {0, 0, 0}, choices = 0;
    double t0, t1, rate;

    t0 = now_s();
    for (i = 0; i < qs->n; i += k) {
        k = qs->n - i < BATCH_CALL ? qs->n - i : BATCH_CALL;
        if (batched) {
            enum ocdn_err e = steer_decide_batch(s, &qs->q[i], k, r, NULL);
            if (e)
                die("decide_batch", e);
            for (size_t j = 0; j < k; j++) {
                modes[r[j].mode]++;
                choices += r[j].n;
            }
            continue;
        }
        for (size_t j = 0; j < k; j++) {
            enum ocdn_err e = steer_decide(s, &qs->q[i + j], &r[0]);
            if (e)
                die("decide", e);
            modes[r[0].mode]++;
            choices += r[0].n;
        }
    }
    t1 = now_s();
    rate = (double)qs->n / (t1 - t0);
    printf("decisions, %-27s %-7s %6.2f M/s/core (%4.0f ns) = %.4f x yardstick; route %.1f %%, "
           "fallback %.1f %%, %.2f choices\n",
           what, batched ? "batched" : "single", rate / 1e6, 1e9 / rate, rate / yardstick_rate,
           100.0 * (double)modes[0] / (double)qs->n, 100.0 * (double)modes[1] / (double)qs->n,
           (double)choices / (double)qs->n);
    return 1.0 / rate;
}

/* A plain DIR-24-8 (shared/bench/lpm-probe.c: 900 k random prefixes, 60 % /24, 1 % longer),
 * timed on random addresses: the yardstick that the figures of this run are divided by, since
 * this machine's speed varies with what else runs on it. */
static void
yardstick(size_t nl)
{
    size_t np = 900000, i, ntbl8 = 0;
    uint32_t *tbl24 = calloc((size_t)1 << 24, sizeof(uint32_t));
    uint32_t *tbl8 = malloc((size_t)65536 * 256 * sizeof(uint32_t));
    uint32_t *a = malloc(nl * sizeof(uint32_t));
    uint64_t sum = 0;
    double t0, t1;

    if (!tbl24 || !tbl8 || !a)
        die("malloc", OCDN_ENOMEM);
    for (unsigned len = 8; len <= 32; len++) { /* by length: longer prefixes overwrite */
        uint64_t keep = rs;
        rs = 88172645463325252ull ^ len;
        for (i = 0; i < np; i++) {
            uint32_t r = (uint32_t)(rnd() % 1000), l, p, v = 1 + (uint32_t)i;
            l = r < 600 ? 24 : r < 990 ? 8 + (uint32_t)(rnd() % 16) : 25 + (uint32_t)(rnd() % 8);
            if (l != len)
                continue;
            p = (uint32_t)rnd() & (~0u << (32 - l));
            if (l <= 24) {
                for (uint32_t k = p >> 8; k < (p >> 8) + (1u << (24 - l)); k++)
                    tbl24[k] = v;
            } else {
                uint32_t *g;
                if (!(tbl24[p >> 8] & 0x80000000u) && ntbl8 < 65536) {
                    g = tbl8 + (ntbl8 << 8);
                    for (int k = 0; k < 256; k++)
                        g[k] = tbl24[p >> 8];
                    tbl24[p >> 8] = 0x80000000u | (uint32_t)ntbl8++;
                }
                if (!(tbl24[p >> 8] & 0x80000000u))
                    continue;
                g = tbl8 + ((size_t)(tbl24[p >> 8] & 0x7fffffffu) << 8);
                for (uint32_t k = p & 0xff; k < (p & 0xff) + (1u << (32 - l)); k++)
                    g[k] = v;
            }
        }
        rs = keep;
    }
    for (i = 0; i < nl; i++)
        a[i] = (uint32_t)rnd();
    t0 = now_s();
    for (i = 0; i < nl; i++) {
        uint32_t e = tbl24[a[i] >> 8];
        if (e & 0x80000000u)
            e = tbl8[((size_t)(e & 0x7fffffffu) << 8) | (a[i] & 0xff)];
        sum += e;
    }
    t1 = now_s();
    yardstick_rate = (double)nl / (t1 - t0);
    printf("yardstick: plain DIR-24-8, 900 k prefixes, random addresses: %.1f M/s/core (%.1f ns)"
           "   (checksum %llu)\n",
           yardstick_rate / 1e6, 1e9 / yardstick_rate, (unsigned long long)sum);
    free(tbl24);
    free(tbl8);
    free(a);
}

/* Latency of one dependent load from memory (256 MiB pointer chase): the unit in which the
 * cache-cold figures are best read. */
static double
memory_latency_ns(void)
{
    size_t n = ((size_t)256 << 20) / 64, i, p = 0;
    uint64_t *a = malloc(n * 64);
    size_t *perm = malloc(n * sizeof(*perm));
    double t0, t1;

    if (!a || !perm)
        die("malloc", OCDN_ENOMEM);
    for (i = 0; i < n; i++)
        perm[i] = i;
    for (i = n - 1; i > 0; i--) {
        size_t j = (size_t)(rnd() % (i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (i = 0; i < n; i++)
        a[perm[i] * 8] = perm[(i + 1) % n] * 8;
    t0 = now_s();
    for (i = 0; i < 5000000; i++)
        p = a[p];
    t1 = now_s();
    free(perm);
    free(a);
    return (t1 - t0) / 5e6 * 1e9 + (double)(p & 1) * 1e-12;
}

static bool
same(const struct steer_result *a, const struct steer_result *b)
{
    unsigned j;

    if (a->mode != b->mode || a->n != b->n || a->client_asn != b->client_asn || a->geo != b->geo)
        return false;
    for (j = 0; j < a->n; j++) {
        const struct steer_choice *x = &a->v[j], *y = &b->v[j];
        if (x->oca != y->oca || x->decided_by != y->decided_by || x->prefix.len != y->prefix.len ||
            x->path_len_eff != y->path_len_eff || x->med_eff != y->med_eff ||
            x->distance_km != y->distance_km)
            return false;
    }
    return true;
}

static void
bench_reference(const struct steer_snap *s, const struct world *w, size_t n, double engine_s)
{
    struct qset qs;
    struct steer_result a, b;
    size_t i, agree = 0;
    double t0, t1;

    gen_queries(w, &qs, n, 20, -2, 3, false);
    for (i = 0; i < n; i += 4)
        qs.q[i].file = STEER_FILE_NONE; /* a quarter of speed tests */
    t0 = now_s();
    for (i = 0; i < n; i++) {
        enum ocdn_err e = steer_ref_decide(&w->in, &qs.q[i], &b);
        if (e)
            die("reference", e);
        if (steer_decide(s, &qs.q[i], &a))
            die("decide", OCDN_EINVAL);
        agree += same(&a, &b);
    }
    t1 = now_s();
    printf("reference (brute force), same queries: %.1f ms/decision; engine %.0f ns -> %.0fx "
           "faster; agreement %zu/%zu\n",
           (t1 - t0) / (double)n * 1e3, engine_s * 1e9, (t1 - t0) / (double)n / engine_s, agree, n);
    free(qs.q);
    if (agree != n)
        exit(1);
}

static void
usage(void)
{
    fprintf(stderr, "usage: bench_steer [--small] [--v4 N] [--v6 N] [--ocas N] [--sites N] "
                    "[--files N] [--lookups N] [--decisions N] [--ref N] [--transit-sites N] "
                    "[--seed S] [--decide-only]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    struct opts o = {1000000, 200000, 12000, 1500, 20000, 20000000, 2000000, 5, 20, 1};
    struct world w;
    struct steer_snap *s = NULL, *s2 = NULL;
    struct steer_builder *bld;
    struct steer_snap_stats st, st2;
    struct qset qs;
    struct rusage ru;
    double t0, t1, rss0, rss1, engine_s;
    char err[256];
    enum ocdn_err e;
    bool is_decide_only = false;
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t *v = NULL;
        if (strcmp(a, "--decide-only") == 0) {
            is_decide_only = true;
            continue;
        }
        if (strcmp(a, "--small") == 0) {
            o.v4 = 100000, o.v6 = 20000, o.ocas = 1200, o.sites = 150, o.files = 2000;
            o.lookups = 10000000, o.decisions = 1000000, o.ref = 50;
            continue;
        }
        if (i + 1 >= argc)
            usage();
        if (strcmp(a, "--v4") == 0)
            v = &o.v4;
        else if (strcmp(a, "--v6") == 0)
            v = &o.v6;
        else if (strcmp(a, "--ocas") == 0)
            v = &o.ocas;
        else if (strcmp(a, "--sites") == 0)
            v = &o.sites;
        else if (strcmp(a, "--files") == 0)
            v = &o.files;
        else if (strcmp(a, "--lookups") == 0)
            v = &o.lookups;
        else if (strcmp(a, "--decisions") == 0)
            v = &o.decisions;
        else if (strcmp(a, "--ref") == 0)
            v = &o.ref;
        else if (strcmp(a, "--transit-sites") == 0)
            v = &o.transit;
        if (v) {
            *v = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(a, "--seed") == 0) {
            o.seed = strtoull(argv[++i], NULL, 10);
        } else {
            usage();
        }
    }
    if (o.sites < 10 || o.ocas < o.sites || o.v4 < 1000 || o.v6 < 100 || o.files < 1)
        usage();
    rs = 0x9e3779b97f4a7c15ull ^ (o.seed * 0x100000001b3ull);

    t0 = now_s();
    gen_world(&w, &o);
    t1 = now_s();
    printf("bench_steer: seed %llu; %zu sites (%zu IX, %zu with transit), %zu OCAs, %zu files\n",
           (unsigned long long)o.seed, o.sites, o.sites / 10, o.transit, w.in.n_ocas, w.in.n_files);
    printf("input: %zu routes, %zu v4 + %zu v6 generated prefixes, %zu holdings (%.1f s to "
           "generate)\n",
           w.in.n_routes, w.n4, w.n6, w.in.n_holdings, t1 - t0);

    malloc_trim(0);
    rss0 = rss_mib();
    t0 = now_s();
    e = steer_snap_build(&w.in, NULL, 1, &s, err, sizeof(err));
    t1 = now_s();
    if (e) {
        fprintf(stderr, "bench_steer: build: %s: %s\n", ocdn_err_str(e), err);
        return 1;
    }
    malloc_trim(0);
    rss1 = rss_mib();
    steer_snap_stats(s, &st);
    getrusage(RUSAGE_SELF, &ru);
    printf("build from scratch: %.2f s; snapshot memory %.1f MiB by its own accounting (route "
           "tables %.1f, "
           "catalog %.1f), RSS +%.1f MiB (peak RSS of the process %.0f MiB)\n",
           t1 - t0, (double)st.memory_bytes / 1048576.0, (double)st.route_bytes / 1048576.0,
           (double)st.catalog_bytes / 1048576.0, rss1 - rss0, (double)ru.ru_maxrss / 1024.0);
    printf("tables: %zu + %zu distinct prefixes; %zu unique candidate lists sharing %zu segments "
           "(%zu entries for %zu routes); %zu tbl8 groups, %zu trie nodes\n",
           st.prefixes_v4, st.prefixes_v6, st.lists, st.segments, st.list_entries, st.routes,
           st.tbl8_groups, st.trie_nodes);

    {
        const struct steer_rt *rt = s->rt;
        printf("route tables: lists %.1f MiB (segments %.1f, nodes %.1f), IPv4 lookup %.1f MiB, "
               "IPv6 lookup %.1f MiB\n",
               (double)(rt->n_seg_words * 4 + rt->n_lnodes * sizeof(*rt->lnodes)) / 1048576.0,
               (double)rt->n_seg_words * 4 / 1048576.0,
               (double)(rt->n_lnodes * sizeof(*rt->lnodes)) / 1048576.0,
               (double)steer_lpm4_bytes(rt) / 1048576.0, (double)steer_lpm6_bytes(rt) / 1048576.0);
    }
    if (is_decide_only) {
        /* Only the random-client decisions, three times over (for A/B runs of two builds). */
        yardstick(o.lookups);
        printf("memory latency here: %.0f ns per dependent load (256 MiB pointer chase)\n",
               memory_latency_ns());
        gen_queries(&w, &qs, o.decisions, 20, -2, 3, false);
        for (i = 0; i < 3; i++) {
            bench_decisions(s, &qs, "video n=3, random clients:", false);
            bench_decisions(s, &qs, "video n=3, random clients:", true);
        }
        free(qs.q);
        steer_snap_unref(s);
        world_free(&w);
        return 0;
    }
    /* Routes and catalog changed (new versions): full builds as the engine makes them, with
     * one builder; the second finds the builder's temporary arrays already mapped. */
    bld = steer_builder_new();
    if (!bld)
        die("builder", OCDN_ENOMEM);
    for (i = 0; i < 2; i++) {
        w.in.routes_version = 2 + (uint64_t)i;
        w.in.catalog_version = 2 + (uint64_t)i;
        t0 = now_s();
        e = steer_snap_build_with(bld, &w.in, s, 2 + (uint64_t)i, &s2, err, sizeof(err));
        t1 = now_s();
        if (e)
            die("full rebuild", e);
        steer_snap_stats(s2, &st2);
        steer_snap_unref(s);
        s = s2;
    }
    printf("full rebuild, builder reused (routes and catalog rebuilt: %s): %.2f s\n",
           !st2.routes_shared && !st2.catalog_shared ? "yes" : "no", t1 - t0);

    /* A load change: same routes and catalog versions, so only the OCA facts are rebuilt. */
    w.in.ocas[0].load_bps = 0;
    t0 = now_s();
    e = steer_snap_build_with(bld, &w.in, s, 4, &s2, err, sizeof(err));
    t1 = now_s();
    if (e)
        die("rebuild", e);
    steer_snap_stats(s2, &st2);
    printf("rebuild after a load change (tables shared: routes %s, catalog %s): %.1f ms\n",
           st2.routes_shared ? "yes" : "no", st2.catalog_shared ? "yes" : "no", (t1 - t0) * 1e3);
    steer_snap_unref(s2);

    yardstick(o.lookups);
    bench_lookups(s->rt, &w, o.lookups);

    printf("memory latency here: %.0f ns per dependent load (256 MiB pointer chase)\n",
           memory_latency_ns());
    gen_queries(&w, &qs, o.decisions, 20, -2, 3, false);
    engine_s = bench_decisions(s, &qs, "video n=3, random clients:", false);
    bench_decisions(s, &qs, "video n=3, random clients:", true);
    {
        /* The same decision work with everything in cache: 64 queries over and over. */
        struct qset hot = {malloc(qs.n * sizeof(*qs.q)), qs.n};
        size_t k;
        if (!hot.q)
            die("malloc", OCDN_ENOMEM);
        for (k = 0; k < hot.n; k++)
            hot.q[k] = qs.q[k % 64];
        bench_decisions(s, &hot, "video n=3, repeated (warm):", false);
        bench_decisions(s, &hot, "video n=3, repeated (warm):", true);
        for (k = 0; k < hot.n; k++)
            hot.q[k].file = STEER_FILE_NONE;
        bench_decisions(s, &hot, "speed n=3, repeated (warm):", false);
        free(hot.q);
    }
    free(qs.q);
    gen_queries(&w, &qs, o.decisions, 20, -2, 3, true);
    bench_decisions(s, &qs, "video n=3, skewed clients:", false);
    bench_decisions(s, &qs, "video n=3, skewed clients:", true);
    free(qs.q);
    gen_queries(&w, &qs, o.decisions, 20, -2, 10, false);
    bench_decisions(s, &qs, "video n=10, random clients:", false);
    bench_decisions(s, &qs, "video n=10, random clients:", true);
    free(qs.q);
    gen_queries(&w, &qs, o.decisions, 20, STEER_FILE_NONE, 5, false);
    bench_decisions(s, &qs, "speed n=5, random clients:", false);
    bench_decisions(s, &qs, "speed n=5, random clients:", true);
    free(qs.q);

    if (o.ref > 0)
        bench_reference(s, &w, o.ref, engine_s);
    steer_snap_unref(s);
    steer_builder_free(bld);
    world_free(&w);
    return 0;
}
