/* check_steer.c - the steering engine: golden scenarios (tests/data/steer/<case>.in -> .out),
 * agreement with the brute-force reference on random route sets, concurrent readers during
 * rebuilds, bad input, snapshot sharing and the spread.
 *
 *   build/tests/check_steer                  run the suite
 *   build/tests/check_steer --golden-update  rewrite tests/data/steer/<case>.out (golden.sh)
 *   build/tests/check_steer --golden-check   compare only the golden files */
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steer.h"
#include "steer_ref.h"
#include "testutil.h"

#define GOLDEN_GLOB "tests/data/steer/*.in"
#define MAX_QUERIES 64

/* ---- addresses (own helpers: the engine does not depend on common/net.c) ------------------ */

static bool
addr_parse(const char *s, struct net_addr *a)
{
    memset(a, 0, sizeof(*a));
    if (inet_pton(AF_INET, s, a->bytes) == 1) {
        a->family = NET_V4;
        return true;
    }
    if (inet_pton(AF_INET6, s, a->bytes) == 1) {
        a->family = NET_V6;
        return true;
    }
    return false;
}

/* "a/len" without checking host bits (the engine must reject them itself). */
static bool
prefix_parse_raw(const char *s, struct net_prefix *p)
{
    char buf[64], *slash, *end;
    unsigned long len;

    if (strlen(s) >= sizeof(buf))
        return false;
    strcpy(buf, s);
    slash = strchr(buf, '/');
    if (!slash)
        return false;
    *slash = '\0';
    errno = 0;
    len = strtoul(slash + 1, &end, 10);
    if (errno || *end || end == slash + 1 || !addr_parse(buf, &p->addr))
        return false;
    if (len > (p->addr.family == NET_V4 ? 32u : 128u))
        return false;
    p->len = (uint8_t)len;
    return true;
}

static const char *
addr_str(const struct net_addr *a, char *buf, size_t len)
{
    return inet_ntop(a->family == NET_V4 ? AF_INET : AF_INET6, a->bytes, buf, (socklen_t)len);
}

static const char *
prefix_str(const struct net_prefix *p, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN];

    snprintf(buf, len, "%s/%u", addr_str(&p->addr, a, sizeof(a)), p->len);
    return buf;
}

/* ---- geo callback ------------------------------------------------------------------------ */

struct geo_answer {
    bool ok;
    double lat, lon;
    atomic_int calls;
};

static bool
geo_cb(void *ctx, const struct net_addr *a, double *lat, double *lon)
{
    struct geo_answer *g = ctx;

    (void)a;
    atomic_fetch_add(&g->calls, 1);
    if (!g->ok)
        return false;
    *lat = g->lat;
    *lon = g->lon;
    return true;
}

/* ---- scenario files ---------------------------------------------------------------------- */

struct scn_query {
    char line[256];
    bool is_explain;
    struct steer_query q;
    uint64_t org;
    bool has_lookup;
    struct geo_answer lookup;
};

struct scn {
    struct steer_input in;
    char names[4096][48]; /* OCA names, by index */
    struct scn_query qs[MAX_QUERIES];
    size_t nq;
};

static char *
tok(char **p)
{
    char *s = *p, *t;

    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return NULL;
    t = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    if (*s)
        *s++ = '\0';
    *p = s;
    return t;
}

static uint64_t
num(const char *s, const char *what, int line)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (*end == 'k')
        v *= 1e3, end++;
    else if (*end == 'm')
        v *= 1e6, end++;
    else if (*end == 'g')
        v *= 1e9, end++;
    ck_assert_msg(errno == 0 && end != s && *end == '\0' && v >= 0, "line %d: bad %s \"%s\"", line,
                  what, s);
    return (uint64_t)v;
}

static void
latlon(const char *s, double *lat, double *lon, int line)
{
    ck_assert_msg(sscanf(s, "%lf,%lf", lat, lon) == 2, "line %d: bad position \"%s\"", line, s);
}

static uint32_t
site_index(const struct scn *sc, const char *name, int line)
{
    size_t i;

    for (i = 0; i < sc->in.n_sites; i++)
        if (strcmp(sc->in.sites[i].name, name) == 0)
            return (uint32_t)i;
    ck_abort_msg("line %d: unknown site %s", line, name);
    return 0;
}

static uint32_t
oca_index(const struct scn *sc, const char *name, int line)
{
    size_t i;

    if (name[0] == '#')
        return (uint32_t)strtoul(name + 1, NULL, 10);
    for (i = 0; i < sc->in.n_ocas; i++)
        if (strcmp(sc->names[i], name) == 0)
            return (uint32_t)i;
    ck_abort_msg("line %d: unknown oca %s", line, name);
    return 0;
}

static int32_t
file_index(const struct scn *sc, const char *id, int line)
{
    size_t i;

    if (strcmp(id, "-") == 0)
        return STEER_FILE_NONE;
    if (id[0] == '#')
        return (int32_t)strtol(id + 1, NULL, 10);
    for (i = 0; i < sc->in.n_files; i++)
        if (strcmp(sc->in.files[i], id) == 0)
            return (int32_t)i;
    ck_abort_msg("line %d: unknown file %s", line, id);
    return 0;
}

static void
parse_policy(struct steer_policy *p, char *rest, int line)
{
    char *t, *v;

    while ((t = tok(&rest))) {
        v = strchr(t, '=');
        ck_assert_msg(v != NULL, "line %d: policy wants key=value", line);
        *v++ = '\0';
        if (strcmp(t, "hops") == 0) {
            ck_assert(sscanf(v, "%u,%u,%u,%u", &p->path_hops[0], &p->path_hops[1], &p->path_hops[2],
                             &p->path_hops[3]) == 4);
        } else if (strcmp(t, "med") == 0) {
            ck_assert(sscanf(v, "%u,%u,%u,%u", &p->med_offset[0], &p->med_offset[1],
                             &p->med_offset[2], &p->med_offset[3]) == 4);
        } else if (strcmp(t, "load_limit") == 0) {
            p->load_limit = strtod(v, NULL);
        } else if (strcmp(t, "bucket_km") == 0) {
            p->geo_bucket_km = strtod(v, NULL);
        } else if (strcmp(t, "max_n") == 0) {
            p->max_n = (unsigned)strtoul(v, NULL, 10);
        } else {
            ck_abort_msg("line %d: unknown policy key %s", line, t);
        }
    }
}

static void
parse_site(struct scn *sc, char *rest, int line)
{
    struct steer_site s;
    char *name = tok(&rest), *type = tok(&rest), *pos = tok(&rest);

    ck_assert_msg(name && type && pos, "line %d: site NAME isp|ix LAT,LON|-", line);
    memset(&s, 0, sizeof(s));
    s.id = sc->in.n_sites + 1;
    s.name = name;
    ck_assert_msg(site_type_parse(type, &s.type), "line %d: bad site type", line);
    if (strcmp(pos, "-") != 0) {
        latlon(pos, &s.lat, &s.lon, line);
        s.has_coords = true;
    }
    ck_assert_int_eq(steer_input_add_site(&sc->in, &s, NULL), OCDN_OK);
}

static void
parse_oca(struct scn *sc, char *rest, int line)
{
    struct steer_oca o;
    char *name = tok(&rest), *t, *v, host[128];
    uint32_t idx;

    ck_assert_msg(name != NULL, "line %d: oca NAME key=value...", line);
    memset(&o, 0, sizeof(o));
    o.id = sc->in.n_ocas + 1;
    o.status = OCA_STATUS_ONLINE;
    o.is_healthy = true;
    o.capacity_bps = 10000000000ull;
    o.org_id = 1;
    o.has_v4 = o.has_v6 = true;
    o.https_port = 443;
    o.http_port = 80;
    o.site = UINT32_MAX;
    while ((t = tok(&rest))) {
        if (strcmp(t, "unhealthy") == 0) {
            o.is_healthy = false;
            continue;
        }
        v = strchr(t, '=');
        ck_assert_msg(v != NULL, "line %d: oca wants key=value", line);
        *v++ = '\0';
        if (strcmp(t, "site") == 0)
            o.site = site_index(sc, v, line);
        else if (strcmp(t, "model") == 0)
            ck_assert_msg(oca_model_parse(v, &o.model), "line %d: bad model", line);
        else if (strcmp(t, "status") == 0)
            ck_assert_msg(oca_status_parse(v, &o.status), "line %d: bad status", line);
        else if (strcmp(t, "cap") == 0)
            o.capacity_bps = num(v, "cap", line);
        else if (strcmp(t, "load") == 0)
            o.load_bps = num(v, "load", line);
        else if (strcmp(t, "org") == 0)
            o.org_id = num(v, "org", line);
        else if (strcmp(t, "id") == 0)
            o.id = num(v, "id", line);
        else if (strcmp(t, "site#") == 0)
            o.site = (uint32_t)num(v, "site#", line);
        else
            ck_abort_msg("line %d: unknown oca key %s", line, t);
    }
    ck_assert_msg(o.site != UINT32_MAX, "line %d: oca without site", line);
    snprintf(host, sizeof(host), "%s.1.oca.example.net", name);
    o.host = host;
    ck_assert_int_eq(steer_input_add_oca(&sc->in, &o, &idx), OCDN_OK);
    ck_assert_uint_lt(idx, 4096);
    snprintf(sc->names[idx], sizeof(sc->names[idx]), "%s", name);
}

static void
parse_route(struct scn *sc, char *rest, int line)
{
    struct steer_route r;
    char *oca = tok(&rest), *pfx = tok(&rest), *t, *v;

    ck_assert_msg(oca && pfx, "line %d: route OCA PREFIX key=value...", line);
    memset(&r, 0, sizeof(r));
    r.oca = oca_index(sc, oca, line);
    ck_assert_msg(prefix_parse_raw(pfx, &r.prefix), "line %d: bad prefix %s", line, pfx);
    r.path_len = 1;
    while ((t = tok(&rest))) {
        v = strchr(t, '=');
        ck_assert_msg(v != NULL, "line %d: route wants key=value", line);
        *v++ = '\0';
        if (strcmp(t, "path") == 0) {
            r.path_len = (uint32_t)num(v, "path", line);
        } else if (strcmp(t, "med") == 0) {
            r.med = (uint32_t)num(v, "med", line);
            r.has_med = true;
        } else if (strcmp(t, "src") == 0) {
            ck_assert_msg(route_src_parse(v, &r.src), "line %d: bad source", line);
        } else if (strcmp(t, "origin") == 0) {
            r.origin_as = (uint32_t)num(v, "origin", line);
        } else if (strcmp(t, "first") == 0) {
            r.first_as = (uint32_t)num(v, "first", line);
        } else {
            ck_abort_msg("line %d: unknown route key %s", line, t);
        }
    }
    ck_assert_int_eq(steer_input_add_route(&sc->in, &r), OCDN_OK);
}

static void
parse_file(struct scn *sc, char *rest, int line)
{
    char *id = tok(&rest), *t;
    uint32_t f;

    ck_assert_msg(id != NULL, "line %d: file ID OCA...", line);
    ck_assert_int_eq(steer_input_add_file(&sc->in, id, &f), OCDN_OK);
    while ((t = tok(&rest)))
        ck_assert_int_eq(steer_input_add_holding(&sc->in, f, oca_index(sc, t, line)), OCDN_OK);
}

static void
parse_query(struct scn *sc, char *rest, bool is_explain, int line)
{
    struct scn_query *sq;
    char *client = tok(&rest), *t, *v;

    ck_assert_uint_lt(sc->nq, MAX_QUERIES);
    sq = &sc->qs[sc->nq++];
    memset(sq, 0, sizeof(*sq));
    sq->is_explain = is_explain;
    ck_assert_msg(client && addr_parse(client, &sq->q.client), "line %d: bad client", line);
    sq->q.n = 3;
    sq->q.file = STEER_FILE_NONE;
    while ((t = tok(&rest))) {
        v = strchr(t, '=');
        ck_assert_msg(v != NULL, "line %d: query wants key=value", line);
        *v++ = '\0';
        if (strcmp(t, "file") == 0) {
            sq->q.file = file_index(sc, v, line);
        } else if (strcmp(t, "n") == 0) {
            sq->q.n = (unsigned)strtoul(v, NULL, 10);
        } else if (strcmp(t, "geo") == 0) {
            latlon(v, &sq->q.lat, &sq->q.lon, line);
            sq->q.has_geo = true;
        } else if (strcmp(t, "lookup") == 0) {
            sq->has_lookup = true;
            if (strcmp(v, "none") != 0) {
                latlon(v, &sq->lookup.lat, &sq->lookup.lon, line);
                sq->lookup.ok = true;
            }
        } else if (strcmp(t, "org") == 0) {
            sq->org = num(v, "org", line);
        } else {
            ck_abort_msg("line %d: unknown query key %s", line, t);
        }
    }
}

/* Parse a scenario file into sc (caller clears sc->in). */
static void
scn_load(struct scn *sc, const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[1024], *rest, *kind;
    int line = 0;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    memset(sc, 0, sizeof(*sc));
    steer_input_init(&sc->in);
    while (fgets(buf, sizeof(buf), f)) {
        char copy[1024];
        line++;
        buf[strcspn(buf, "\r\n")] = '\0';
        snprintf(copy, sizeof(copy), "%s", buf);
        rest = buf;
        kind = tok(&rest);
        if (!kind || kind[0] == '#')
            continue;
        if (strcmp(kind, "policy") == 0)
            parse_policy(&sc->in.policy, rest, line);
        else if (strcmp(kind, "site") == 0)
            parse_site(sc, rest, line);
        else if (strcmp(kind, "oca") == 0)
            parse_oca(sc, rest, line);
        else if (strcmp(kind, "route") == 0)
            parse_route(sc, rest, line);
        else if (strcmp(kind, "file") == 0)
            parse_file(sc, rest, line);
        else if (strcmp(kind, "query") == 0 || strcmp(kind, "explain") == 0) {
            parse_query(sc, rest, strcmp(kind, "explain") == 0, line);
            ck_assert_msg(strlen(copy) < sizeof(sc->qs[0].line), "line %d too long", line);
            memcpy(sc->qs[sc->nq - 1].line, copy, strlen(copy) + 1);
        } else
            ck_abort_msg("%s:%d: unknown line kind %s", path, line, kind);
    }
    fclose(f);
}

/* ---- output ------------------------------------------------------------------------------ */

static void
print_choice(FILE *out, const struct scn *sc, const struct steer_choice *c, bool is_explain)
{
    char p[64];

    fprintf(out, "  #%u %s", c->rank, sc->names[c->oca]);
    if (c->has_route) {
        fprintf(out, " via=route prefix=%s src=%s path=%u/%u", prefix_str(&c->prefix, p, sizeof(p)),
                route_src_str(c->src), c->path_len, c->path_len_eff);
        if (c->has_med)
            fprintf(out, " med=%u/%llu", c->med, (unsigned long long)c->med_eff);
        else
            fprintf(out, " med=-/%llu", (unsigned long long)c->med_eff);
        fprintf(out, " as=%u/%u", c->origin_as, c->first_as);
    } else {
        fprintf(out, " via=fallback");
    }
    if (c->distance_km >= 0)
        fprintf(out, " km=%.1f", c->distance_km);
    else
        fprintf(out, " km=-");
    if (is_explain)
        fprintf(out, " %s", steer_inelig_str(c->inelig));
    fprintf(out, " by=%s\n", steer_step_str(c->decided_by));
}

/* Run the scenario's queries on s, writing the answers to out; the reference must agree. */
static void
scn_run(struct scn *sc, const struct steer_snap *s, FILE *out)
{
    struct steer_choice xs[64];
    size_t i, j;

    for (i = 0; i < sc->nq; i++) {
        struct scn_query *sq = &sc->qs[i];
        struct steer_query q = sq->q;
        struct steer_result r, ref;
        struct steer_explain ex;
        enum ocdn_err err, ref_err;

        if (sq->has_lookup) {
            atomic_store(&sq->lookup.calls, 0);
            q.geo = geo_cb;
            q.geo_ctx = &sq->lookup;
        }
        fprintf(out, "%s\n", sq->line);
        if (sq->is_explain) {
            err = steer_explain(s, &q, sq->org, xs, 64, &ex);
            if (err) {
                fprintf(out, "  error=%s\n", ocdn_err_str(err));
                continue;
            }
            fprintf(out, "  mode=%s geo=%s lookups=%d asn=%u total=%zu\n", steer_mode_str(ex.mode),
                    steer_geo_str(ex.geo), atomic_load(&sq->lookup.calls), ex.client_asn, ex.total);
            for (j = 0; j < ex.n; j++)
                print_choice(out, sc, &xs[j], true);
            continue;
        }
        err = steer_decide(s, &q, &r);
        if (err) {
            fprintf(out, "  error=%s\n", ocdn_err_str(err));
        } else {
            fprintf(out, "  mode=%s geo=%s lookups=%d asn=%u n=%u\n", steer_mode_str(r.mode),
                    steer_geo_str(r.geo), atomic_load(&sq->lookup.calls), r.client_asn, r.n);
            for (j = 0; j < r.n; j++)
                print_choice(out, sc, &r.v[j], false);
        }
        ref_err = steer_ref_decide(&sc->in, &q, &ref);
        ck_assert_msg(ref_err == err, "%s: reference error %s, engine %s", sq->line,
                      ocdn_err_str(ref_err), ocdn_err_str(err));
        if (!err) {
            ck_assert_msg(ref.n == r.n && ref.mode == r.mode && ref.client_asn == r.client_asn,
                          "%s: reference disagrees", sq->line);
            for (j = 0; j < r.n; j++)
                ck_assert_msg(ref.v[j].oca == r.v[j].oca &&
                                  ref.v[j].decided_by == r.v[j].decided_by,
                              "%s: reference disagrees at #%zu", sq->line, j + 1);
        }
    }
}

/* The text a scenario file produces: its answers, or the build error. */
static char *
scn_output(const char *path)
{
    struct scn *sc = calloc(1, sizeof(*sc));
    struct steer_snap *s = NULL;
    char err[256] = "", *text = NULL;
    size_t len = 0;
    FILE *out;
    enum ocdn_err e;

    ck_assert_ptr_nonnull(sc);
    scn_load(sc, path);
    out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    e = steer_snap_build(&sc->in, NULL, 1, &s, err, sizeof(err));
    if (e) {
        fprintf(out, "build: error=%s reason=%s\n", ocdn_err_str(e), err);
    } else {
        ck_assert_int_eq(steer_snap_verify(s), OCDN_OK);
        scn_run(sc, s, out);
    }
    ck_assert_int_eq(fclose(out), 0);
    steer_snap_unref(s);
    steer_input_clear(&sc->in);
    free(sc);
    return text;
}

static char *
read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;

    if (!f)
        return NULL;
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    rewind(f);
    data = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(fread(data, 1, (size_t)n, f), (size_t)n);
    data[n] = '\0';
    fclose(f);
    return data;
}

/* Compare every golden case (or rewrite the .out files); returns the number of mismatches. */
static int
golden(bool update, int *ncases)
{
    glob_t g;
    size_t i;
    int bad = 0;

    *ncases = 0;
    if (glob(GOLDEN_GLOB, 0, NULL, &g) != 0)
        return -1;
    for (i = 0; i < g.gl_pathc; i++) {
        char outpath[512], *got, *want;
        size_t len = strlen(g.gl_pathv[i]);

        snprintf(outpath, sizeof(outpath), "%.*s.out", (int)(len - 3), g.gl_pathv[i]);
        got = scn_output(g.gl_pathv[i]);
        (*ncases)++;
        if (update) {
            FILE *f = fopen(outpath, "w");
            ck_assert_msg(f != NULL, "cannot write %s", outpath);
            fputs(got, f);
            ck_assert_int_eq(fclose(f), 0);
        } else {
            want = read_all(outpath);
            if (!want || strcmp(want, got) != 0) {
                const char *a = want ? want : "", *b = got;
                int line = 1;
                while (*a && *a == *b) {
                    if (*a == '\n')
                        line++;
                    a++;
                    b++;
                }
                fprintf(stderr, "golden: %s differs at line %d (run make golden to update)\n",
                        outpath, line);
                bad++;
            }
            free(want);
        }
        free(got);
    }
    globfree(&g);
    return bad;
}

START_TEST(golden_scenarios)
{
    int n, bad = golden(false, &n);

    ck_assert_int_ge(n, 30);
    ck_assert_msg(bad == 0, "%d golden case(s) differ", bad);
}
END_TEST

/* ---- random worlds against the reference -------------------------------------------------- */

struct rng {
    uint64_t s;
};

static uint64_t
rnd(struct rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

static uint32_t
below(struct rng *r, uint32_t n)
{
    return (uint32_t)(rnd(r) % n);
}

static bool
chance(struct rng *r, unsigned pct)
{
    return below(r, 100) < pct;
}

/* Set bits [from, to) of p's address at random and make it /to. */
static void
extend(struct rng *r, struct net_prefix *p, unsigned to)
{
    unsigned b;

    for (b = p->len; b < to; b++)
        if (chance(r, 50))
            p->addr.bytes[b / 8] |= (uint8_t)(0x80u >> (b % 8));
    p->len = (uint8_t)to;
}

static void
random_addr_in(struct rng *r, const struct net_prefix *p, struct net_addr *a)
{
    struct net_prefix t = *p;

    extend(r, &t, p->addr.family == NET_V4 ? 32 : 128);
    *a = t.addr;
}

#define POOL_MAX 160

struct world {
    struct steer_input in;
    struct net_prefix pool[POOL_MAX];
    size_t npool;
};

static void
gen_pool(struct rng *r, struct world *w, uint8_t family)
{
    size_t roots = 1 + below(r, 3), n = 8 + below(r, 50), i;
    struct net_prefix p;

    for (i = 0; i < roots && w->npool < POOL_MAX; i++) {
        memset(&p, 0, sizeof(p));
        p.addr.family = family;
        if (family == NET_V4) {
            p.addr.bytes[0] = 176;
            p.addr.bytes[1] = 128;
            p.len = 9;
            extend(r, &p, 9 + below(r, 12));
        } else {
            p.addr.bytes[0] = 0x2a;
            p.addr.bytes[1] = 0x01;
            p.addr.bytes[2] = 0xcb;
            p.len = 24;
            extend(r, &p, 24 + below(r, 20));
        }
        w->pool[w->npool++] = p;
    }
    for (i = 0; i < n && w->npool < POOL_MAX; i++) {
        unsigned max = family == NET_V4 ? 32 : 128, to;
        p = w->pool[w->npool - 1 - below(r, (uint32_t)(w->npool < 12 ? w->npool : 12))];
        if (p.addr.family != family)
            continue;
        to = p.len + 1 + below(r, family == NET_V4 ? 8 : 24);
        if (family == NET_V6 && chance(r, 5))
            to = 128;
        extend(r, &p, to < max ? to : max);
        w->pool[w->npool++] = p;
    }
}

static void
gen_world(struct rng *r, struct world *w)
{
    size_t nsites = 1 + below(r, 10), nocas = 1 + below(r, 36), nfiles = 1 + below(r, 5), i, k;
    static const uint64_t caps[] = {10000000000ull, 40000000000ull, 100000000000ull, 0};
    char name[64];

    memset(w, 0, sizeof(*w));
    steer_input_init(&w->in);
    if (chance(r, 40)) {
        struct steer_policy *p = &w->in.policy;
        for (i = 0; i < ROUTE_SRC_COUNT; i++) {
            p->path_hops[i] = below(r, 3);
            p->med_offset[i] = chance(r, 50) ? 50 * below(r, 3) : below(r, 1000);
        }
        p->geo_bucket_km = (double[]){0, 10, 25, 100, 500}[below(r, 5)];
        p->load_limit = (double[]){0.5, 0.9, 1.0}[below(r, 3)];
        p->max_n = chance(r, 50) ? 10 : STEER_MAX_N;
    }
    for (i = 0; i < nsites; i++) {
        struct steer_site s = {0};
        snprintf(name, sizeof(name), "S%02zu.IX", i);
        s.id = i + 1;
        s.name = name;
        s.type = chance(r, 30) ? SITE_TYPE_IX : SITE_TYPE_ISP;
        s.has_coords = chance(r, 90);
        if (i > 0 && chance(r, 20)) { /* same city as another site */
            const struct steer_site *o = &w->in.sites[below(r, (uint32_t)i)];
            s.lat = o->lat;
            s.lon = o->lon;
            s.has_coords = o->has_coords;
        } else if (s.has_coords) {
            s.lat = 43.0 + (double)below(r, 6000) / 1000.0;
            s.lon = 0.0 + (double)below(r, 8000) / 1000.0;
        }
        ck_assert_int_eq(steer_input_add_site(&w->in, &s, NULL), OCDN_OK);
    }
    for (i = 0; i < nocas; i++) {
        struct steer_oca o = {0};
        snprintf(name, sizeof(name), "c%03zu", i);
        o.id = 1000 + i * 7 + below(r, 7);
        o.site = below(r, (uint32_t)nsites);
        o.org_id = 1 + below(r, 3);
        o.host = name;
        o.model = (enum oca_model)below(r, 3);
        o.status = chance(r, 70) ? OCA_STATUS_ONLINE : (enum oca_status)below(r, 7);
        o.is_healthy = chance(r, 92);
        o.capacity_bps = caps[below(r, 4)];
        if (o.capacity_bps == 0)
            o.capacity_bps = 1000000000ull + below(r, 1000) * 1000000ull;
        o.load_bps = o.capacity_bps / 1000 * below(r, 1100);
        ck_assert_int_eq(steer_input_add_oca(&w->in, &o, NULL), OCDN_OK);
    }
    gen_pool(r, w, NET_V4);
    gen_pool(r, w, NET_V6);
    for (i = 0; i < w->npool; i++) {
        size_t nr = 1 + below(r, 4);
        for (k = 0; k < nr; k++) {
            struct steer_route rt = {0};
            uint32_t site = below(r, (uint32_t)nsites), j;
            bool whole_site = chance(r, 30);

            rt.prefix = w->pool[i];
            rt.path_len = 1 + below(r, 4) + (chance(r, 10) ? below(r, 5) : 0);
            rt.has_med = chance(r, 50);
            rt.med = rt.has_med ? (chance(r, 50) ? 10 * below(r, 4) : below(r, 200)) : below(r, 9);
            rt.src = (enum route_src)below(r, ROUTE_SRC_COUNT);
            rt.origin_as = 64500 + below(r, 4);
            rt.first_as = 64600 + below(r, 4);
            for (j = 0; j < nocas; j++) {
                if (whole_site ? w->in.ocas[j].site != site : j != below(r, (uint32_t)nocas))
                    continue;
                rt.oca = j;
                ck_assert_int_eq(steer_input_add_route(&w->in, &rt), OCDN_OK);
                if (chance(r, 10)) { /* a second session for the same prefix */
                    struct steer_route t2 = rt;
                    t2.src = (enum route_src)below(r, ROUTE_SRC_COUNT);
                    t2.path_len = 1 + below(r, 3);
                    ck_assert_int_eq(steer_input_add_route(&w->in, &t2), OCDN_OK);
                }
            }
        }
    }
    if (chance(r, 10)) {
        struct steer_route d = {0};
        d.prefix.addr.family = NET_V4;
        d.oca = below(r, (uint32_t)nocas);
        ck_assert_int_eq(steer_input_add_route(&w->in, &d), OCDN_OK);
    }
    for (i = 0; i < nfiles; i++) {
        uint32_t f;
        snprintf(name, sizeof(name), "title%zu.v%u-1080p", i, below(r, 9));
        ck_assert_int_eq(steer_input_add_file(&w->in, name, &f), OCDN_OK);
        for (k = 0; k < nocas; k++)
            if (chance(r, 65))
                ck_assert_int_eq(steer_input_add_holding(&w->in, f, (uint32_t)k), OCDN_OK);
    }
}

static void
gen_query(struct rng *r, const struct world *w, struct steer_query *q, struct geo_answer *g)
{
    memset(q, 0, sizeof(*q));
    if (w->npool && chance(r, 80)) {
        random_addr_in(r, &w->pool[below(r, (uint32_t)w->npool)], &q->client);
    } else {
        struct net_prefix p = {0};
        p.addr.family = chance(r, 50) ? NET_V4 : NET_V6;
        p.addr.bytes[0] = p.addr.family == NET_V4 ? 176 : 0x2a;
        p.len = 8;
        random_addr_in(r, &p, &q->client);
    }
    q->file = chance(r, 15) ? STEER_FILE_NONE : (int32_t)below(r, (uint32_t)w->in.n_files);
    q->n = 1 + below(r, w->in.policy.max_n);
    atomic_store(&g->calls, 0);
    switch (below(r, 10)) {
    case 0:
    case 1:
    case 2:
        q->has_geo = true;
        q->lat = 42.5 + (double)below(r, 7000) / 1000.0;
        q->lon = -0.5 + (double)below(r, 9000) / 1000.0;
        break;
    case 3:
    case 4:
    case 5:
    case 6:
        g->ok = !chance(r, 15);
        g->lat = 42.5 + (double)below(r, 7000) / 1000.0;
        g->lon = -0.5 + (double)below(r, 9000) / 1000.0;
        q->geo = geo_cb;
        q->geo_ctx = g;
        break;
    default:
        break;
    }
}

/* Like ck_assert_msg() but silent on success: Check records every passing assertion with a
 * write(2), which would dominate the 100k-query loops. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

static void
same_result(const struct steer_result *a, const struct steer_result *b, const char *ctx)
{
    unsigned j;

    CHECK(a->mode == b->mode, "%s: mode %s vs %s", ctx, steer_mode_str(a->mode),
          steer_mode_str(b->mode));
    CHECK(a->geo == b->geo, "%s: geo %s vs %s", ctx, steer_geo_str(a->geo), steer_geo_str(b->geo));
    CHECK(a->lat == b->lat && a->lon == b->lon, "%s: position", ctx);
    CHECK(a->client_asn == b->client_asn, "%s: asn %u vs %u", ctx, a->client_asn, b->client_asn);
    CHECK(a->n == b->n, "%s: n %u vs %u", ctx, a->n, b->n);
    for (j = 0; j < a->n; j++) {
        const struct steer_choice *x = &a->v[j], *y = &b->v[j];
        CHECK(x->oca == y->oca, "%s: #%u oca %u vs %u", ctx, j + 1, x->oca, y->oca);
        CHECK(x->decided_by == y->decided_by, "%s: #%u decided_by %s vs %s", ctx, j + 1,
              steer_step_str(x->decided_by), steer_step_str(y->decided_by));
        CHECK(x->rank == y->rank && x->has_route == y->has_route && x->src == y->src &&
                  x->path_len == y->path_len && x->path_len_eff == y->path_len_eff &&
                  x->has_med == y->has_med && x->med == y->med && x->med_eff == y->med_eff &&
                  x->origin_as == y->origin_as && x->first_as == y->first_as,
              "%s: #%u route fields differ", ctx, j + 1);
        CHECK(x->prefix.len == y->prefix.len && x->prefix.addr.family == y->prefix.addr.family &&
                  memcmp(x->prefix.addr.bytes, y->prefix.addr.bytes, 16) == 0,
              "%s: #%u prefix differs", ctx, j + 1);
        CHECK(x->distance_km == y->distance_km, "%s: #%u distance %g vs %g", ctx, j + 1,
              x->distance_km, y->distance_km);
    }
}

#define RANDOM_WORLDS  200
#define RANDOM_QUERIES 500

START_TEST(random_worlds_agree_with_reference)
{
    struct world *w = malloc(sizeof(*w));
    struct rng r = {0x9e3779b97f4a7c15ull ^ (uint64_t)_i};
    size_t worlds, total = 0, fallback = 0, geo_lookups = 0, multi = 0;

    ck_assert_ptr_nonnull(w);
    for (worlds = 0; worlds < RANDOM_WORLDS / 4; worlds++) {
        struct steer_snap *s = NULL;
        char err[256], ctx[96];
        size_t qi;

        gen_world(&r, w);
        ck_assert_msg(steer_snap_build(&w->in, NULL, worlds + 1, &s, err, sizeof(err)) == OCDN_OK,
                      "build: %s", err);
        ck_assert_int_eq(steer_snap_verify(s), OCDN_OK);
        for (qi = 0; qi < RANDOM_QUERIES; qi++) {
            struct steer_query q;
            struct steer_result a, b;
            struct geo_answer ga = {0}, gb = {0};
            struct steer_choice xs[64];
            struct steer_explain ex;
            enum ocdn_err ea, eb;
            unsigned j;

            gen_query(&r, w, &q, &ga);
            gb.ok = ga.ok;
            gb.lat = ga.lat;
            gb.lon = ga.lon;
            snprintf(ctx, sizeof(ctx), "seed %d world %zu query %zu", _i, worlds, qi);
            ea = steer_decide(s, &q, &a);
            if (q.geo)
                q.geo_ctx = &gb;
            eb = steer_ref_decide(&w->in, &q, &b);
            CHECK(ea == OCDN_OK && eb == OCDN_OK, "%s: errors %d %d", ctx, ea, eb);
            same_result(&a, &b, ctx);
            CHECK(atomic_load(&ga.calls) <= 1 && atomic_load(&ga.calls) == atomic_load(&gb.calls),
                  "%s: geo calls %d and %d", ctx, atomic_load(&ga.calls), atomic_load(&gb.calls));
            total++;
            fallback += a.mode != STEER_MODE_ROUTE;
            geo_lookups += a.geo == STEER_GEO_LOOKED_UP;
            multi += a.n > 1;
            /* explain lists the same eligible OCAs first, in the same order. */
            if (a.mode == STEER_MODE_ROUTE && qi % 8 == 0) {
                if (q.geo)
                    q.geo_ctx = &ga;
                CHECK(steer_explain(s, &q, 0, xs, 64, &ex) == OCDN_OK, "%s: explain", ctx);
                CHECK(ex.mode == STEER_MODE_ROUTE && ex.n >= a.n, "%s: explain mode/n", ctx);
                for (j = 0; j < a.n; j++)
                    CHECK(xs[j].oca == a.v[j].oca && xs[j].inelig == STEER_ELIGIBLE &&
                              xs[j].decided_by == a.v[j].decided_by,
                          "%s: explain #%u", ctx, j + 1);
            }
        }
        steer_snap_unref(s);
        steer_input_clear(&w->in);
    }
    /* The generator must exercise what it is for (not a tautology: these are about coverage). */
    ck_assert_uint_gt(fallback, total / 50);
    ck_assert_uint_gt(geo_lookups, total / 50);
    ck_assert_uint_gt(multi, total / 4);
    free(w);
}
END_TEST

/* steer_decide_batch() gives exactly steer_decide()'s answers (and so the reference's), with
 * the same position lookups, for batches of every size around its internal one (32). */
#define BATCH_QUERIES 80

START_TEST(batch_agrees_with_single_and_reference)
{
    struct world *w = malloc(sizeof(*w));
    struct rng r = {0x5eedba7c4ull ^ (uint64_t)_i};
    struct steer_query *q = calloc(BATCH_QUERIES, sizeof(*q));
    struct steer_result *rb = calloc(BATCH_QUERIES, sizeof(*rb));
    struct geo_answer *ga = calloc(BATCH_QUERIES, sizeof(*ga));
    enum ocdn_err errs[BATCH_QUERIES];
    size_t worlds, total = 0, multi = 0;

    ck_assert(w && q && rb && ga);
    for (worlds = 0; worlds < RANDOM_WORLDS / 4; worlds++) {
        struct steer_snap *s = NULL;
        char err[256], ctx[96];
        size_t n = 1 + below(&r, BATCH_QUERIES), k;

        gen_world(&r, w);
        ck_assert_msg(steer_snap_build(&w->in, NULL, worlds + 1, &s, err, sizeof(err)) == OCDN_OK,
                      "build: %s", err);
        for (k = 0; k < n; k++) {
            gen_query(&r, w, &q[k], &ga[k]);
            if (chance(&r, 10))
                q[k].file = STEER_FILE_ANY;
            if (q[k].geo)
                q[k].geo_ctx = &ga[k];
        }
        ck_assert_int_eq(steer_decide_batch(s, q, n, rb, errs), OCDN_OK);
        for (k = 0; k < n; k++) {
            struct steer_result a, b;
            struct geo_answer gs = ga[k], gr = ga[k];

            snprintf(ctx, sizeof(ctx), "seed %d world %zu query %zu of %zu", _i, worlds, k, n);
            CHECK(errs[k] == OCDN_OK, "%s: error %d", ctx, errs[k]);
            CHECK(atomic_load(&ga[k].calls) <= 1, "%s: geo called twice", ctx);
            atomic_store(&gs.calls, 0);
            atomic_store(&gr.calls, 0);
            if (q[k].geo)
                q[k].geo_ctx = &gs;
            CHECK(steer_decide(s, &q[k], &a) == OCDN_OK, "%s: decide", ctx);
            same_result(&rb[k], &a, ctx);
            CHECK(atomic_load(&ga[k].calls) == atomic_load(&gs.calls), "%s: geo calls", ctx);
            if (q[k].geo)
                q[k].geo_ctx = &gr;
            CHECK(steer_ref_decide(&w->in, &q[k], &b) == OCDN_OK, "%s: reference", ctx);
            same_result(&rb[k], &b, ctx);
            total++;
            multi += rb[k].n > 1;
        }
        steer_snap_unref(s);
        steer_input_clear(&w->in);
    }
    ck_assert_uint_gt(multi, total / 4);
    free(w);
    free(q);
    free(rb);
    free(ga);
}
END_TEST

/* A world big enough for the build's two-core path (>= 100k route keys: the IPv4 work split
 * at a top-level prefix, the second builder replayed into the first) and its parallel sort:
 * the same answers as the reference, a verified snapshot, and the builder reused. */
START_TEST(large_world_uses_both_cores_and_agrees)
{
    struct rng r = {0x1a49e5ull};
    struct world *w = malloc(sizeof(*w));
    struct net_prefix *pool = malloc(4000 * sizeof(*pool));
    struct steer_builder *bld = steer_builder_new();
    struct steer_snap *s = NULL, *s2 = NULL;
    struct steer_snap_stats st, st2;
    size_t npool = 0, i, k, q;
    char err[256], ctx[64];

    ck_assert(w && pool && bld);
    memset(w, 0, sizeof(*w));
    steer_input_init(&w->in);
    for (i = 0; i < 6; i++) {
        struct steer_site site = {0};
        site.id = i + 1;
        site.name = "S.IX";
        site.type = i % 2 ? SITE_TYPE_IX : SITE_TYPE_ISP;
        site.has_coords = true;
        site.lat = 43.0 + (double)i;
        site.lon = 1.0 + (double)i;
        ck_assert_int_eq(steer_input_add_site(&w->in, &site, NULL), OCDN_OK);
    }
    for (i = 0; i < 64; i++) {
        struct steer_oca o = {0};
        o.id = 5000 + i;
        o.site = (uint32_t)(i % 6);
        o.host = "c.oca.example.net";
        o.status = chance(&r, 90) ? OCA_STATUS_ONLINE : OCA_STATUS_DEGRADED;
        o.is_healthy = chance(&r, 95);
        o.capacity_bps = 10000000000ull;
        o.load_bps = o.capacity_bps / 100 * below(&r, 95);
        ck_assert_int_eq(steer_input_add_oca(&w->in, &o, NULL), OCDN_OK);
    }
    /* Nested prefixes under many roots (top-level boundaries everywhere), both families. */
    while (npool < 4000) {
        struct net_prefix p = {0};
        bool v6 = npool % 5 == 4;
        p.addr.family = v6 ? NET_V6 : NET_V4;
        p.addr.bytes[0] = v6 ? 0x2a : (uint8_t)(10 + below(&r, 200));
        p.len = 8;
        if (npool > 0 && chance(&r, 60) && pool[npool - 1].addr.family == p.addr.family &&
            pool[npool - 1].len < (v6 ? 120 : 30)) {
            p = pool[npool - 1 - below(&r, npool < 8 ? (uint32_t)npool : 8)];
            if (p.addr.family != (v6 ? NET_V6 : NET_V4) || p.len >= (v6 ? 120 : 30))
                continue;
            unsigned to = p.len + 1 + below(&r, 6), max = v6 ? 128u : 32u;
            extend(&r, &p, to < max ? to : max);
        } else {
            extend(&r, &p, v6 ? 24 + below(&r, 24) : 12 + below(&r, 12));
        }
        pool[npool++] = p;
    }
    for (i = 0; i < npool; i++) {
        uint32_t first = below(&r, 64), span = 10 + below(&r, 40);
        for (k = 0; k < span; k++) {
            struct steer_route rt = {0};
            rt.oca = (first + (uint32_t)k) % 64;
            rt.prefix = pool[i];
            rt.path_len = 1 + below(&r, 3);
            rt.has_med = chance(&r, 50);
            rt.med = 10 * below(&r, 3);
            rt.src = (enum route_src)below(&r, ROUTE_SRC_COUNT);
            rt.origin_as = 64500 + (uint32_t)(i % 7);
            rt.first_as = 64600 + below(&r, 3);
            ck_assert_int_eq(steer_input_add_route(&w->in, &rt), OCDN_OK);
        }
    }
    ck_assert_uint_ge(w->in.n_routes, 100000);
    {
        uint32_t f;
        ck_assert_int_eq(steer_input_add_file(&w->in, "f1", &f), OCDN_OK);
        for (k = 0; k < 64; k++)
            if (chance(&r, 40))
                ck_assert_int_eq(steer_input_add_holding(&w->in, f, (uint32_t)k), OCDN_OK);
    }
    ck_assert_msg(steer_snap_build_with(bld, &w->in, NULL, 1, &s, err, sizeof(err)) == OCDN_OK,
                  "build: %s", err);
    ck_assert_int_eq(steer_snap_verify(s), OCDN_OK);
    for (q = 0; q < 300; q++) {
        struct steer_query qq;
        struct steer_result a, b;

        memset(&qq, 0, sizeof(qq));
        random_addr_in(&r, &pool[below(&r, (uint32_t)npool)], &qq.client);
        qq.file = chance(&r, 20) ? STEER_FILE_NONE : 0;
        qq.n = 1 + below(&r, 10);
        qq.has_geo = true;
        qq.lat = 45.0;
        qq.lon = 3.0;
        snprintf(ctx, sizeof(ctx), "large world query %zu", q);
        CHECK(steer_decide(s, &qq, &a) == OCDN_OK, "%s: decide", ctx);
        CHECK(steer_ref_decide(&w->in, &qq, &b) == OCDN_OK, "%s: reference", ctx);
        same_result(&a, &b, ctx);
    }
    /* A full rebuild with the same builder (its arrays reused) gives the same tables. */
    w->in.routes_version = 2;
    ck_assert_msg(steer_snap_build_with(bld, &w->in, s, 2, &s2, err, sizeof(err)) == OCDN_OK,
                  "rebuild: %s", err);
    steer_snap_stats(s, &st);
    steer_snap_stats(s2, &st2);
    ck_assert(!st2.routes_shared);
    ck_assert_uint_eq(st2.lists, st.lists);
    ck_assert_uint_eq(st2.segments, st.segments);
    ck_assert_uint_eq(st2.list_entries, st.list_entries);
    ck_assert_uint_eq(st2.prefixes_v4, st.prefixes_v4);
    ck_assert_uint_eq(st2.prefixes_v6, st.prefixes_v6);
    ck_assert_uint_gt(st.prefixes_v6, 100);
    ck_assert_int_eq(steer_snap_verify(s2), OCDN_OK);
    steer_snap_unref(s);
    steer_snap_unref(s2);
    steer_builder_free(bld);
    steer_input_clear(&w->in);
    free(pool);
    free(w);
}
END_TEST

/* ---- small worlds built in code ------------------------------------------------------------ */

static struct net_prefix
pfx(const char *s)
{
    struct net_prefix p;

    ck_assert_msg(prefix_parse_raw(s, &p), "bad prefix %s", s);
    return p;
}

static struct net_addr
addr(const char *s)
{
    struct net_addr a;

    ck_assert_msg(addr_parse(s, &a), "bad address %s", s);
    return a;
}

/* Sites TLS (ISP) and PAR (IX), n OCAs alternating between them, one file held by all. */
static void
small_world(struct steer_input *in, unsigned n)
{
    struct steer_site tls = {1, SITE_TYPE_ISP, true, 43.63, 1.36, "TLS001.bouyguestelecom.ISP"};
    struct steer_site par = {2, SITE_TYPE_IX, true, 48.86, 2.35, "PAR001.IX"};
    unsigned i;
    uint32_t f;

    steer_input_init(in);
    ck_assert_int_eq(steer_input_add_site(in, &tls, NULL), OCDN_OK);
    ck_assert_int_eq(steer_input_add_site(in, &par, NULL), OCDN_OK);
    ck_assert_int_eq(steer_input_add_file(in, "f1", &f), OCDN_OK);
    for (i = 0; i < n; i++) {
        struct steer_oca o = {0};
        char host[64];
        snprintf(host, sizeof(host), "c%03u-tls001-bouyguestelecom-isp.1.oca.example.net", i + 1);
        o.id = 100 + i;
        o.site = i % 2;
        o.org_id = 1 + i % 2;
        o.host = host;
        o.status = OCA_STATUS_ONLINE;
        o.is_healthy = true;
        o.capacity_bps = 10000000000ull;
        ck_assert_int_eq(steer_input_add_oca(in, &o, NULL), OCDN_OK);
        ck_assert_int_eq(steer_input_add_holding(in, f, i), OCDN_OK);
    }
}

static void
add_route(struct steer_input *in, uint32_t oca, const char *prefix, uint32_t path,
          enum route_src src)
{
    struct steer_route r = {0};

    r.oca = oca;
    r.prefix = pfx(prefix);
    r.path_len = path;
    r.src = src;
    r.origin_as = 5410;
    r.first_as = 5410;
    ck_assert_int_eq(steer_input_add_route(in, &r), OCDN_OK);
}

static struct steer_snap *
build(const struct steer_input *in, const struct steer_snap *prev, uint64_t gen)
{
    struct steer_snap *s = NULL;
    char err[256];

    ck_assert_msg(steer_snap_build(in, prev, gen, &s, err, sizeof(err)) == OCDN_OK, "build: %s",
                  err);
    return s;
}

static struct steer_query
query(const char *client, int32_t file, unsigned n)
{
    struct steer_query q;

    memset(&q, 0, sizeof(q));
    q.client = addr(client);
    q.file = file;
    q.n = n;
    return q;
}

/* ---- bad input ----------------------------------------------------------------------------- */

START_TEST(decide_rejects_malformed_queries)
{
    struct steer_input in;
    struct steer_snap *s;
    struct steer_query q;
    struct steer_result r;
    struct steer_choice xs[4];
    struct steer_explain ex;

    small_world(&in, 2);
    add_route(&in, 0, "176.128.0.0/11", 1, ROUTE_SRC_EMBEDDED);
    s = build(&in, NULL, 1);
    q = query("176.130.1.1", 0, 1);
    ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_OK);
    ck_assert_uint_eq(r.n, 1);
    q.n = 0;
    ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_EINVAL);
    ck_assert_uint_eq(r.n, 0);
    q.n = 11; /* default max_n is 10 */
    ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_EINVAL);
    q.n = 1;
    q.file = 1; /* one file */
    ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_EINVAL);
    ck_assert_int_eq(steer_explain(s, &q, 0, xs, 4, &ex), OCDN_EINVAL);
    q.file = -3; /* -1 and -2 are the speed test and "any file" */
    ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_EINVAL);
    q.file = 0;
    q.client.family = 0;
    ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_EINVAL);
    q = query("176.130.1.1", 0, 1);
    q.has_geo = true;
    q.lat = 91.0;
    ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_EINVAL);
    q.lat = NAN;
    ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_EINVAL);
    /* In a batch, a bad query fails alone: the others are answered. */
    {
        struct steer_query b[3] = {query("176.130.1.1", 0, 1), q, query("176.130.1.2", 0, 1)};
        struct steer_result rb[3];
        enum ocdn_err errs[3];

        rb[1].n = 7;
        ck_assert_int_eq(steer_decide_batch(s, b, 3, rb, errs), OCDN_EINVAL);
        ck_assert_int_eq(errs[0], OCDN_OK);
        ck_assert_int_eq(errs[1], OCDN_EINVAL);
        ck_assert_int_eq(errs[2], OCDN_OK);
        ck_assert_uint_eq(rb[0].n, 1);
        ck_assert_uint_eq(rb[1].n, 0);
        ck_assert_uint_eq(rb[2].n, 1);
        ck_assert_int_eq(steer_decide_batch(s, b, 1, rb, NULL), OCDN_OK);
        ck_assert_int_eq(steer_decide_batch(s, b, 0, rb, NULL), OCDN_OK);
    }
    steer_snap_unref(s);
    steer_input_clear(&in);
}
END_TEST

/* Build must fail with OCDN_EINVAL and a reason containing want. */
static void
expect_build_error(const struct steer_input *in, const char *want)
{
    struct steer_snap *s = (struct steer_snap *)&s;
    char err[256] = "";

    ck_assert_int_eq(steer_snap_build(in, NULL, 1, &s, err, sizeof(err)), OCDN_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
}

START_TEST(build_rejects_inconsistent_input)
{
    struct steer_input in;
    struct steer_route r = {0};
    struct steer_oca o;

    small_world(&in, 3);
    r.oca = 3;
    r.prefix = pfx("176.128.0.0/11");
    r.path_len = 1;
    ck_assert_int_eq(steer_input_add_route(&in, &r), OCDN_OK);
    expect_build_error(&in, "route 0: oca 3 out of range (3 ocas)");
    in.routes[0].oca = 0;
    in.routes[0].prefix = pfx("176.130.1.1/24");
    expect_build_error(&in, "route 0: prefix 176.130.1.1/24 has host bits set");
    in.routes[0].prefix = pfx("2a01:cb00::1/32");
    expect_build_error(&in, "has host bits set");
    in.routes[0].prefix = pfx("176.128.0.0/11");
    in.routes[0].prefix.addr.bytes[7] = 1; /* beyond an IPv4 address */
    expect_build_error(&in, "host bits");
    in.routes[0].prefix = pfx("176.128.0.0/11");
    in.routes[0].prefix.len = 33;
    expect_build_error(&in, "prefix length 33 too long");
    in.routes[0].prefix.len = 11;
    in.routes[0].path_len = 256;
    expect_build_error(&in, "AS path length 256");
    in.routes[0].path_len = 1;
    in.routes[0].src = (enum route_src)7;
    expect_build_error(&in, "bad source");
    in.routes[0].src = ROUTE_SRC_PNI;
    in.routes[0].prefix.addr.family = 5;
    expect_build_error(&in, "bad address family");
    in.routes[0].prefix.addr.family = NET_V4;

    in.ocas[1].site = 2;
    expect_build_error(&in, "oca 1: site 2 out of range");
    in.ocas[1].site = 1;
    in.ocas[2].id = in.ocas[0].id;
    expect_build_error(&in, "duplicate id 100");
    in.ocas[2].id = 102;
    in.ocas[2].status = (enum oca_status)42;
    expect_build_error(&in, "oca 2: bad status");
    in.ocas[2].status = OCA_STATUS_ONLINE;
    in.sites[0].lat = 95;
    expect_build_error(&in, "site 0: bad coordinates");
    in.sites[0].lat = 43.6;

    ck_assert_int_eq(steer_input_add_holding(&in, 1, 0), OCDN_OK);
    expect_build_error(&in, "file 1 out of range (1 files)");
    in.holdings[in.n_holdings - 1][0] = 0;
    in.holdings[in.n_holdings - 1][1] = 9;
    expect_build_error(&in, "oca 9 out of range");
    in.n_holdings--;
    ck_assert_int_eq(steer_input_add_file(&in, "f1", NULL), OCDN_OK);
    expect_build_error(&in, "file 1: duplicate id f1");
    in.n_files--;
    ck_assert_int_eq(steer_input_add_file(&in, "../etc/passwd", NULL), OCDN_OK);
    expect_build_error(&in, "file 1: malformed id");
    in.n_files--;

    in.policy.load_limit = 0;
    expect_build_error(&in, "load_limit");
    in.policy.load_limit = 0.9;
    in.policy.max_n = STEER_MAX_N + 1;
    expect_build_error(&in, "max_n");
    in.policy.max_n = 10;
    in.policy.path_hops[ROUTE_SRC_TRANSIT] = 1000;
    expect_build_error(&in, "path_hops[transit]");
    in.policy.path_hops[ROUTE_SRC_TRANSIT] = 1;

    memset(&o, 0, sizeof(o));
    o.id = 999;
    o.host = NULL;
    ck_assert_int_eq(steer_input_add_oca(&in, &o, NULL), OCDN_OK);
    expect_build_error(&in, "oca 3: missing or overlong host");
    in.n_ocas--;

    /* Everything repaired: the same input builds. */
    steer_snap_unref(build(&in, NULL, 1));
    steer_input_clear(&in);
}
END_TEST

START_TEST(file_ids_and_lookups)
{
    struct steer_input in;
    struct steer_snap *s;
    int32_t f = -5;
    uint32_t idx = 77;

    small_world(&in, 3);
    ck_assert_int_eq(steer_input_add_file(&in, "title-81234.v3_1080p.mp4", NULL), OCDN_OK);
    s = build(&in, NULL, 1);
    ck_assert_int_eq(steer_snap_file_find(s, "title-81234.v3_1080p.mp4", &f), OCDN_OK);
    ck_assert_int_eq(f, 1);
    ck_assert_str_eq(steer_snap_file_id(s, 1), "title-81234.v3_1080p.mp4");
    ck_assert_ptr_null(steer_snap_file_id(s, 2));
    ck_assert_int_eq(steer_snap_file_find(s, "title-81234.v3_1080p.mp5", &f), OCDN_ENOTFOUND);
    ck_assert_int_eq(steer_snap_file_find(s, "", &f), OCDN_EINVAL);
    ck_assert_int_eq(steer_snap_file_find(s, ".hidden", &f), OCDN_EINVAL);
    ck_assert_int_eq(steer_snap_file_find(s, "a/b", &f), OCDN_EINVAL);
    ck_assert(steer_file_id_valid("A"));
    ck_assert(!steer_file_id_valid(NULL));
    {
        char id[STEER_FILE_ID_MAX + 2];
        memset(id, 'x', sizeof(id));
        id[STEER_FILE_ID_MAX] = '\0';
        ck_assert(steer_file_id_valid(id));
        id[STEER_FILE_ID_MAX] = 'x';
        id[STEER_FILE_ID_MAX + 1] = '\0';
        ck_assert(!steer_file_id_valid(id));
        ck_assert_int_eq(steer_input_add_file(&in, id, NULL), OCDN_EINVAL);
    }
    ck_assert_int_eq(steer_snap_oca_find(s, 102, &idx), OCDN_OK);
    ck_assert_uint_eq(idx, 2);
    ck_assert_int_eq(steer_snap_oca_find(s, 103, &idx), OCDN_ENOTFOUND);
    ck_assert_uint_eq(steer_snap_oca_count(s), 3);
    ck_assert_str_eq(steer_snap_oca(s, 0)->host,
                     "c001-tls001-bouyguestelecom-isp.1.oca.example.net");
    ck_assert_ptr_null(steer_snap_oca(s, 3));
    ck_assert_str_eq(steer_snap_site(s, 1)->name, "PAR001.IX");
    ck_assert_uint_eq(steer_snap_site_count(s), 2);
    ck_assert_uint_eq(steer_snap_file_count(s), 2);
    ck_assert_uint_eq(steer_snap_policy(s)->max_n, 10);
    steer_snap_unref(s);
    steer_input_clear(&in);
}
END_TEST

/* ---- snapshots ------------------------------------------------------------------------------ */

START_TEST(snapshot_copies_its_input)
{
    struct steer_input in;
    struct steer_snap *s;
    struct steer_query q;
    struct steer_result r;

    small_world(&in, 2);
    add_route(&in, 0, "176.128.0.0/11", 1, ROUTE_SRC_EMBEDDED);
    s = build(&in, NULL, 1);
    steer_input_clear(&in); /* the snapshot must not point into the input */
    q = query("176.130.1.1", 0, 2);
    ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_OK);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_str_eq(steer_snap_oca(s, r.v[0].oca)->host,
                     "c001-tls001-bouyguestelecom-isp.1.oca.example.net");
    ck_assert_str_eq(steer_snap_file_id(s, 0), "f1");
    ck_assert_int_eq(steer_snap_verify(s), OCDN_OK);
    steer_snap_unref(s);
}
END_TEST

START_TEST(route_tables_shared_while_version_holds)
{
    struct steer_input in;
    struct steer_snap *s1, *s2, *s3;
    struct steer_snap_stats st;
    struct steer_query q = query("176.130.1.9", 0, 2);
    struct steer_result r;

    small_world(&in, 2);
    add_route(&in, 0, "176.130.1.0/24", 1, ROUTE_SRC_EMBEDDED);
    add_route(&in, 1, "176.128.0.0/11", 1, ROUTE_SRC_PNI);
    in.routes_version = 7;
    in.catalog_version = 3;
    s1 = build(&in, NULL, 1);
    steer_snap_stats(s1, &st);
    ck_assert(!st.routes_shared && !st.catalog_shared);
    ck_assert_int_eq(steer_decide(s1, &q, &r), OCDN_OK);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_uint_eq(r.v[0].oca, 0);

    /* Load changes, routes do not: the tables are reused and the decision sees the new load. */
    in.ocas[0].load_bps = in.ocas[0].capacity_bps;
    s2 = build(&in, s1, 2);
    steer_snap_stats(s2, &st);
    ck_assert(st.routes_shared && st.catalog_shared);
    ck_assert_uint_eq(st.generation, 2);
    steer_snap_unref(s1); /* s2 keeps the shared tables alive */
    ck_assert_int_eq(steer_decide(s2, &q, &r), OCDN_OK);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_uint_eq(r.v[0].oca, 1);
    ck_assert_int_eq(steer_snap_verify(s2), OCDN_OK);

    /* A new routes version, a changed policy or a changed OCA list rebuilds. */
    in.routes_version = 8;
    s3 = build(&in, s2, 3);
    steer_snap_stats(s3, &st);
    ck_assert(!st.routes_shared && st.catalog_shared);
    steer_snap_unref(s3);
    in.routes_version = 7;
    in.policy.med_offset[ROUTE_SRC_PEERING] = 60;
    s3 = build(&in, s2, 3);
    steer_snap_stats(s3, &st);
    ck_assert(!st.routes_shared);
    steer_snap_unref(s3);
    in.policy.med_offset[ROUTE_SRC_PEERING] = 50;
    in.ocas[1].id = 555;
    s3 = build(&in, s2, 3);
    steer_snap_stats(s3, &st);
    ck_assert(!st.routes_shared && !st.catalog_shared);
    steer_snap_unref(s3);
    in.ocas[1].id = 101;
    in.routes_version = 0; /* 0: unknown, always rebuild */
    s3 = build(&in, s2, 3);
    steer_snap_stats(s3, &st);
    ck_assert(!st.routes_shared && st.catalog_shared);
    steer_snap_unref(s3);
    steer_snap_unref(s2);
    steer_input_clear(&in);
}
END_TEST

START_TEST(identical_lists_are_stored_once)
{
    struct steer_input in;
    struct steer_snap *s;
    struct steer_snap_stats st;
    char p[32];
    unsigned i, k;

    small_world(&in, 8);
    /* 200 /24s announced identically to the 4 OCAs of site 0, under one /16 aggregate announced
     * to the 4 of site 1: 2 lists (the /16's and the /24s', which points to the /16's), not 201,
     * and the /16's entries are stored once. */
    for (i = 0; i < 200; i++) {
        snprintf(p, sizeof(p), "176.130.%u.0/24", i);
        for (k = 0; k < 8; k += 2)
            add_route(&in, k, p, 1, ROUTE_SRC_EMBEDDED);
    }
    for (k = 1; k < 8; k += 2)
        add_route(&in, k, "176.130.0.0/16", 2, ROUTE_SRC_PEERING);
    /* The same announcement to the same OCAs under another aggregate, from another origin AS:
     * a new list (other parent) sharing the /24s' segment. */
    add_route(&in, 0, "176.131.7.0/24", 1, ROUTE_SRC_EMBEDDED);
    add_route(&in, 2, "176.131.7.0/24", 1, ROUTE_SRC_EMBEDDED);
    add_route(&in, 4, "176.131.7.0/24", 1, ROUTE_SRC_EMBEDDED);
    add_route(&in, 6, "176.131.7.0/24", 1, ROUTE_SRC_EMBEDDED);
    for (k = in.n_routes - 4; k < in.n_routes; k++)
        in.routes[k].origin_as = 3215;
    s = build(&in, NULL, 1);
    steer_snap_stats(s, &st);
    ck_assert_uint_eq(st.prefixes_v4, 202);
    ck_assert_uint_eq(st.lists, 3);
    ck_assert_uint_eq(st.segments, 2);
    ck_assert_uint_eq(st.list_entries, 4 + 4);
    ck_assert_int_eq(steer_snap_verify(s), OCDN_OK);
    {
        struct steer_query q = query("176.131.7.9", 0, 3);
        struct steer_result r;
        ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_OK);
        ck_assert_uint_eq(r.n, 3);
        ck_assert_uint_eq(r.client_asn, 3215);
        ck_assert_uint_eq(r.v[0].origin_as, 3215);
        q = query("176.130.7.9", 0, 3);
        ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_OK);
        ck_assert_uint_eq(r.client_asn, 5410);
    }
    steer_snap_unref(s);
    in.n_routes -= 4;
    s = build(&in, NULL, 1);
    steer_snap_stats(s, &st);
    ck_assert_uint_eq(st.prefixes_v4, 201);
    ck_assert_uint_eq(st.lists, 2);
    ck_assert_uint_eq(st.segments, 2);
    ck_assert_uint_eq(st.list_entries, 4 + 4);
    ck_assert_int_eq(steer_snap_verify(s), OCDN_OK);
    steer_snap_unref(s);
    steer_input_clear(&in);
}
END_TEST

START_TEST(verify_detects_corruption)
{
    struct steer_input in;
    struct steer_snap *s;
    struct steer_snap_stats st;
    struct steer_oca *o;

    small_world(&in, 2);
    add_route(&in, 0, "176.128.0.0/11", 1, ROUTE_SRC_EMBEDDED);
    s = build(&in, NULL, 1);
    steer_snap_stats(s, &st);
    ck_assert_uint_ne(st.checksum, 0);
    ck_assert_int_eq(steer_snap_verify(s), OCDN_OK);
    /* Simulate a torn write: a field changes under the reader. */
    o = (struct steer_oca *)(uintptr_t)steer_snap_oca(s, 1);
    o->load_bps++;
    ck_assert_int_eq(steer_snap_verify(s), OCDN_ECONFLICT);
    o->load_bps--;
    ck_assert_int_eq(steer_snap_verify(s), OCDN_OK);
    steer_snap_unref(s);
    steer_input_clear(&in);
}
END_TEST

/* ---- spread --------------------------------------------------------------------------------- */

START_TEST(spread_is_sticky_and_weighted)
{
    struct steer_input in;
    struct steer_snap *s;
    struct steer_result r, r2;
    unsigned wins[3] = {0, 0, 0}, i;
    char client[32];

    small_world(&in, 6);
    /* Three OCAs at site 0 with the same route; capacities 10, 20, 10 Gb/s. */
    in.ocas[2].capacity_bps = 20000000000ull;
    add_route(&in, 0, "176.128.0.0/11", 1, ROUTE_SRC_EMBEDDED);
    add_route(&in, 2, "176.128.0.0/11", 1, ROUTE_SRC_EMBEDDED);
    add_route(&in, 4, "176.128.0.0/11", 1, ROUTE_SRC_EMBEDDED);
    add_route(&in, 0, "2a01:cb00::/24", 1, ROUTE_SRC_EMBEDDED);
    add_route(&in, 2, "2a01:cb00::/24", 1, ROUTE_SRC_EMBEDDED);
    add_route(&in, 4, "2a01:cb00::/24", 1, ROUTE_SRC_EMBEDDED);
    s = build(&in, NULL, 1);
    for (i = 0; i < 8000; i++) { /* 8000 distinct /24s inside the /11 */
        struct steer_query q;
        snprintf(client, sizeof(client), "176.%u.%u.1", 128 + (i >> 8), i & 255);
        q = query(client, 0, 3);
        CHECK(steer_decide(s, &q, &r) == OCDN_OK && r.n == 3, "%s", client);
        CHECK(r.v[0].decided_by == STEER_STEP_SPREAD, "%s", client);
        wins[r.v[0].oca / 2]++;
        /* Every address of the same /24 gets the same order. */
        snprintf(client, sizeof(client), "176.%u.%u.%u", 128 + (i >> 8), i & 255, 2 + i % 250);
        q = query(client, 0, 3);
        CHECK(steer_decide(s, &q, &r2) == OCDN_OK, "%s", client);
        CHECK(r.v[0].oca == r2.v[0].oca && r.v[1].oca == r2.v[1].oca && r.v[2].oca == r2.v[2].oca,
              "%s: another order than its /24", client);
    }
    /* Weights 1:2:1 -> about 25 % / 50 % / 25 % of first places. */
    ck_assert_msg(wins[0] > 1750 && wins[0] < 2250, "oca 0 won %u", wins[0]);
    ck_assert_msg(wins[1] > 3750 && wins[1] < 4250, "oca 2 won %u", wins[1]);
    ck_assert_msg(wins[2] > 1750 && wins[2] < 2250, "oca 4 won %u", wins[2]);
    /* IPv6: sticky per /48. */
    for (i = 0; i < 200; i++) {
        struct steer_query q;
        snprintf(client, sizeof(client), "2a01:cb00:%x::1", i);
        q = query(client, 0, 3);
        CHECK(steer_decide(s, &q, &r) == OCDN_OK && r.n == 3, "%s", client);
        snprintf(client, sizeof(client), "2a01:cb00:%x:%x::77", i, i * 31 + 1);
        q = query(client, 0, 3);
        CHECK(steer_decide(s, &q, &r2) == OCDN_OK, "%s", client);
        CHECK(r.v[0].oca == r2.v[0].oca && r.v[1].oca == r2.v[1].oca && r.v[2].oca == r2.v[2].oca,
              "%s: another order than its /48", client);
    }
    steer_snap_unref(s);
    steer_input_clear(&in);
}
END_TEST

START_TEST(spread_depends_on_file_and_load)
{
    struct steer_input in;
    struct steer_snap *s1, *s2;
    struct steer_result r;
    unsigned i, same_file_diff = 0, moved = 0, to_loaded = 0;
    uint32_t f2;
    char client[32];

    small_world(&in, 4);
    ck_assert_int_eq(steer_input_add_file(&in, "f2", &f2), OCDN_OK);
    ck_assert_int_eq(steer_input_add_holding(&in, f2, 0), OCDN_OK);
    ck_assert_int_eq(steer_input_add_holding(&in, f2, 2), OCDN_OK);
    add_route(&in, 0, "176.128.0.0/11", 1, ROUTE_SRC_EMBEDDED);
    add_route(&in, 2, "176.128.0.0/11", 1, ROUTE_SRC_EMBEDDED);
    s1 = build(&in, NULL, 1);
    in.ocas[0].load_bps = 8000000000ull; /* 80 % of 10 Gb/s: headroom 1 of 9 Gb/s left */
    s2 = build(&in, NULL, 2);
    for (i = 0; i < 2000; i++) {
        struct steer_query q;
        uint32_t a;
        snprintf(client, sizeof(client), "176.%u.%u.1", 128 + (i >> 8), i & 255);
        q = query(client, 0, 1);
        CHECK(steer_decide(s1, &q, &r) == OCDN_OK, "%s", client);
        a = r.v[0].oca;
        q.file = (int32_t)f2;
        CHECK(steer_decide(s1, &q, &r) == OCDN_OK, "%s", client);
        same_file_diff += r.v[0].oca != a;
        q.file = 0;
        CHECK(steer_decide(s2, &q, &r) == OCDN_OK, "%s", client);
        moved += r.v[0].oca != a;
        to_loaded += r.v[0].oca == 0 && a != 0; /* never moves onto the loaded OCA */
    }
    /* Different files spread independently (about half differ). */
    ck_assert_msg(same_file_diff > 800 && same_file_diff < 1200, "%u", same_file_diff);
    /* Load on OCA 0 (weight 1 vs 9) moves clients off it, only off it. */
    ck_assert_msg(moved > 700 && moved < 1000, "%u", moved);
    ck_assert_uint_eq(to_loaded, 0);
    steer_snap_unref(s1);
    steer_snap_unref(s2);
    steer_input_clear(&in);
}
END_TEST

/* ---- explain -------------------------------------------------------------------------------- */

START_TEST(explain_lists_ineligible_and_filters_by_org)
{
    struct steer_input in;
    struct steer_snap *s;
    struct steer_choice xs[8];
    struct steer_explain ex;
    struct steer_query q = query("176.130.1.9", 0, 1);

    small_world(&in, 4); /* orgs 1, 2, 1, 2 */
    add_route(&in, 0, "176.130.1.0/24", 1, ROUTE_SRC_EMBEDDED);
    add_route(&in, 1, "176.128.0.0/11", 1, ROUTE_SRC_PNI);
    add_route(&in, 2, "176.128.0.0/11", 3, ROUTE_SRC_EMBEDDED); /* prepended twice */
    add_route(&in, 3, "176.128.0.0/11", 1, ROUTE_SRC_TRANSIT);
    in.ocas[0].status = OCA_STATUS_DRAINING;
    s = build(&in, NULL, 1);
    ck_assert_int_eq(steer_explain(s, &q, 0, xs, 8, &ex), OCDN_OK);
    ck_assert_int_eq(ex.mode, STEER_MODE_ROUTE);
    ck_assert_uint_eq(ex.total, 4);
    ck_assert_uint_eq(ex.n, 4);
    /* Eligible first (decide's order), then the draining /24 OCA. */
    ck_assert_uint_eq(xs[0].oca, 1);
    ck_assert_int_eq(xs[0].decided_by, STEER_STEP_MED); /* PNI +0 vs transit +100 */
    ck_assert_uint_eq(xs[1].oca, 3);
    ck_assert_int_eq(xs[1].decided_by, STEER_STEP_ASPATH);
    ck_assert_uint_eq(xs[2].oca, 2);
    ck_assert_int_eq(xs[2].decided_by, STEER_STEP_LAST);
    ck_assert_uint_eq(xs[3].oca, 0);
    ck_assert_int_eq(xs[3].inelig, STEER_INELIG_STATUS);
    ck_assert_int_eq(xs[3].decided_by, STEER_STEP_INELIGIBLE);
    ck_assert_uint_eq(xs[3].prefix.len, 24);
    /* Org 2 sees its two OCAs with their global ranks. */
    ck_assert_int_eq(steer_explain(s, &q, 2, xs, 8, &ex), OCDN_OK);
    ck_assert_uint_eq(ex.total, 2);
    ck_assert_uint_eq(xs[0].oca, 1);
    ck_assert_uint_eq(xs[0].rank, 1);
    ck_assert_uint_eq(xs[1].oca, 3);
    ck_assert_uint_eq(xs[1].rank, 2);
    /* Capacity 1: total still counts all. */
    ck_assert_int_eq(steer_explain(s, &q, 0, xs, 1, &ex), OCDN_OK);
    ck_assert_uint_eq(ex.total, 4);
    ck_assert_uint_eq(ex.n, 1);
    /* No route: empty list, decide would fall back to the PAR IX OCAs. */
    q = query("198.51.100.1", 0, 1);
    ck_assert_int_eq(steer_explain(s, &q, 0, xs, 8, &ex), OCDN_OK);
    ck_assert_uint_eq(ex.total, 0);
    ck_assert_int_eq(ex.mode, STEER_MODE_GEO_FALLBACK);
    ck_assert_uint_eq(ex.client_asn, 0);
    steer_snap_unref(s);
    steer_input_clear(&in);
}
END_TEST

/* The route explorer's mode (STEER_FILE_ANY): video eligibility without the catalog, so a
 * degraded OCA, which /v1/steer serves, is eligible there, where the speed test's eligibility
 * (STEER_FILE_NONE) says "status"; an OCA without the file is eligible too. */
START_TEST(explain_any_file_uses_video_eligibility)
{
    struct steer_input in;
    struct steer_snap *s;
    struct steer_choice xs[8];
    struct steer_explain ex;
    struct steer_query q = query("176.130.1.9", STEER_FILE_ANY, 2);
    struct steer_result r;
    uint32_t f;
    unsigned i;

    small_world(&in, 4);
    ck_assert_int_eq(steer_input_add_file(&in, "f2", &f), OCDN_OK); /* held by nobody */
    for (i = 0; i < 4; i++)
        add_route(&in, i, "176.130.1.0/24", 1, ROUTE_SRC_EMBEDDED);
    in.ocas[1].status = OCA_STATUS_DEGRADED;
    in.ocas[2].status = OCA_STATUS_DRAINING;
    in.ocas[3].is_healthy = false;
    s = build(&in, NULL, 1);
    ck_assert_int_eq(steer_explain(s, &q, 0, xs, 8, &ex), OCDN_OK);
    ck_assert_int_eq(ex.mode, STEER_MODE_ROUTE);
    ck_assert_uint_eq(ex.n, 4);
    for (i = 0; i < 4; i++) {
        enum steer_inelig want = xs[i].oca == 2   ? STEER_INELIG_STATUS
                                 : xs[i].oca == 3 ? STEER_INELIG_UNHEALTHY
                                                  : STEER_ELIGIBLE;
        ck_assert_int_eq(xs[i].inelig, want);
    }
    ck_assert(xs[0].oca == 1 || xs[1].oca == 1); /* the degraded one ranks with the online one */
    /* The speed test's eligibility: the degraded OCA is out. */
    q.file = STEER_FILE_NONE;
    ck_assert_int_eq(steer_explain(s, &q, 0, xs, 8, &ex), OCDN_OK);
    for (i = 0; i < ex.n; i++)
        if (xs[i].oca == 1)
            ck_assert_int_eq(xs[i].inelig, STEER_INELIG_STATUS);
    /* A file nobody holds: nobody eligible; any file: decide answers as the explorer ranks. */
    q.file = (int32_t)f;
    ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_OK);
    ck_assert_int_ne(r.mode, STEER_MODE_ROUTE);
    q.file = STEER_FILE_ANY;
    ck_assert_int_eq(steer_decide(s, &q, &r), OCDN_OK);
    ck_assert_int_eq(r.mode, STEER_MODE_ROUTE);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_int_eq(steer_explain(s, &q, 0, xs, 8, &ex), OCDN_OK);
    ck_assert_uint_eq(xs[0].oca, r.v[0].oca);
    ck_assert_uint_eq(xs[1].oca, r.v[1].oca);
    steer_snap_unref(s);
    steer_input_clear(&in);
}
END_TEST

/* ---- engine --------------------------------------------------------------------------------- */

/* Loader of generation-dependent worlds: in load call k (= snapshot generation k, one call per
 * attempt), OCA (k - 1) % 5 learns the /24 of 198.51.100.7 and every OCA's MED on the /22 is
 * k, so a reader can check that what it sees all belongs to one generation. Every 7th call
 * returns an inconsistent input (the build must fail and keep the old snapshot). */
struct gen_loader {
    atomic_uint calls;
    /* Gate for the coalescing test: when is_gated, each call waits for a grant. */
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool is_gated;
    unsigned granted, entered;
    bool fail_every_7th;
};

static enum ocdn_err
gen_load(void *ctx, struct steer_input *in)
{
    struct gen_loader *g = ctx;
    unsigned k = atomic_fetch_add(&g->calls, 1) + 1, i;
    enum ocdn_err err;

    pthread_mutex_lock(&g->mu);
    g->entered++;
    pthread_cond_broadcast(&g->cond);
    while (g->is_gated && g->granted < g->entered)
        pthread_cond_wait(&g->cond, &g->mu);
    pthread_mutex_unlock(&g->mu);

    small_world(in, 5);
    for (i = 0; i < 5; i++) {
        struct steer_route r = {0};
        r.oca = i;
        r.prefix = pfx("198.51.100.0/22");
        r.path_len = 1;
        r.has_med = true;
        r.med = k;
        r.origin_as = k;
        err = steer_input_add_route(in, &r);
        if (err)
            return err;
    }
    add_route(in, (k - 1) % 5, "198.51.100.0/24", 1, ROUTE_SRC_EMBEDDED);
    if (g->fail_every_7th && k % 7 == 0)
        in->routes[0].oca = 99;
    return OCDN_OK;
}

static void
gen_loader_init(struct gen_loader *g)
{
    memset(g, 0, sizeof(*g));
    atomic_init(&g->calls, 0);
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cond, NULL);
}

static void
gen_loader_clear(struct gen_loader *g)
{
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->cond);
}

/* The snapshot's answers must all come from the world of its own generation. */
static void
check_generation(const struct steer_snap *s)
{
    struct steer_snap_stats st;
    struct steer_result r;
    struct steer_query q = query("198.51.100.7", 0, 5);
    uint64_t gen;
    unsigned j;

    steer_snap_stats(s, &st);
    gen = st.generation;
    CHECK(steer_decide(s, &q, &r) == OCDN_OK && r.n == 5, "generation %llu: decide",
          (unsigned long long)gen);
    CHECK(r.v[0].oca == (gen - 1) % 5 && r.v[0].prefix.len == 24 && r.client_asn == 5410,
          "generation %llu: winner oca %u", (unsigned long long)gen, r.v[0].oca);
    for (j = 1; j < 5; j++)
        CHECK(r.v[j].med == gen && r.v[j].origin_as == gen, "generation %llu: #%u med %u",
              (unsigned long long)gen, j + 1, r.v[j].med);
}

struct reader {
    struct steer_engine *e;
    atomic_bool *done;
    unsigned rounds, distinct;
};

/* Runs on its own thread: only CHECK (no Check bookkeeping writes from several threads). */
static void *
reader_run(void *arg)
{
    struct reader *rd = arg;
    uint64_t last = 0;

    while (!atomic_load(rd->done) || rd->rounds < 50) {
        struct steer_snap *s = steer_engine_get(rd->e);
        struct steer_snap_stats st;

        CHECK(s != NULL, "no snapshot");
        steer_snap_stats(s, &st);
        CHECK(st.generation >= last, "generation went back from %llu to %llu",
              (unsigned long long)last, (unsigned long long)st.generation);
        if (st.generation != last) {
            CHECK(steer_snap_verify(s) == OCDN_OK, "generation %llu: checksum mismatch",
                  (unsigned long long)st.generation);
            rd->distinct++;
            last = st.generation;
        }
        check_generation(s);
        steer_snap_unref(s);
        rd->rounds++;
    }
    return NULL;
}

#define READERS  3
#define REBUILDS 60

START_TEST(engine_readers_never_see_a_torn_snapshot)
{
    struct gen_loader g;
    struct steer_engine_cfg cfg = {0, gen_load, NULL, &g};
    struct steer_engine *e;
    struct steer_engine_stats st;
    struct reader rd[READERS];
    pthread_t th[READERS];
    atomic_bool done;
    char err[256];
    unsigned i;

    gen_loader_init(&g);
    g.fail_every_7th = true;
    atomic_init(&done, false);
    e = steer_engine_new(&cfg);
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_null(steer_engine_get(e));
    ck_assert_int_eq(steer_engine_build_now(e, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(steer_engine_start(e), OCDN_OK);
    for (i = 0; i < READERS; i++) {
        rd[i] = (struct reader){e, &done, 0, 0};
        ck_assert_int_eq(pthread_create(&th[i], NULL, reader_run, &rd[i]), 0);
    }
    /* Rebuild: half through the thread (kick, wait for the attempt), half synchronously. */
    for (i = 2; i <= REBUILDS; i++) {
        if (i % 2) {
            steer_engine_kick(e);
            ck_assert_msg(steer_engine_wait(e, i, 10000), "attempt %u never finished", i);
        } else {
            enum ocdn_err rc = steer_engine_build_now(e, err, sizeof(err));
            ck_assert_int_eq(rc, i % 7 == 0 ? OCDN_EINVAL : OCDN_OK);
        }
    }
    atomic_store(&done, true);
    for (i = 0; i < READERS; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_uint_ge(rd[i].rounds, 50);
        ck_assert_uint_ge(rd[i].distinct, 1);
    }
    steer_engine_stats(e, &st);
    ck_assert_uint_eq(st.attempts, REBUILDS);
    ck_assert_uint_eq(st.failures, REBUILDS / 7);
    ck_assert_uint_eq(st.builds, REBUILDS - REBUILDS / 7);
    ck_assert_uint_eq(st.generation, REBUILDS); /* 60 is not a multiple of 7 */
    ck_assert_uint_eq(st.snap.generation, REBUILDS);
    ck_assert_uint_eq(st.snap.prefixes_v4, 2);
    steer_engine_free(e);
    gen_loader_clear(&g);
}
END_TEST

START_TEST(engine_failed_build_keeps_old_snapshot)
{
    struct gen_loader g;
    struct steer_engine_cfg cfg = {0, gen_load, NULL, &g};
    struct steer_engine *e;
    struct steer_engine_stats st;
    struct steer_snap *s;
    struct steer_snap_stats ss;
    char err[256];
    unsigned i;

    gen_loader_init(&g);
    g.fail_every_7th = true;
    e = steer_engine_new(&cfg);
    for (i = 1; i <= 6; i++)
        ck_assert_int_eq(steer_engine_build_now(e, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(steer_engine_build_now(e, err, sizeof(err)), OCDN_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "oca 99 out of range"));
    s = steer_engine_get(e);
    steer_snap_stats(s, &ss);
    ck_assert_uint_eq(ss.generation, 6);
    check_generation(s);
    steer_snap_unref(s);
    steer_engine_stats(e, &st);
    ck_assert_uint_eq(st.failures, 1);
    ck_assert_int_eq(st.last_err, OCDN_EINVAL);
    ck_assert_uint_eq(st.generation, 6);
    steer_engine_free(e);
    gen_loader_clear(&g);
}
END_TEST

static enum ocdn_err
failing_load(void *ctx, struct steer_input *in)
{
    (void)in;
    atomic_fetch_add((atomic_uint *)ctx, 1);
    return OCDN_EDB;
}

START_TEST(engine_loader_error_is_reported)
{
    atomic_uint calls;
    struct steer_engine_cfg cfg = {0, failing_load, NULL, &calls};
    struct steer_engine *e;
    struct steer_engine_stats st;
    char err[256];

    atomic_init(&calls, 0);
    e = steer_engine_new(&cfg);
    ck_assert_int_eq(steer_engine_build_now(e, err, sizeof(err)), OCDN_EDB);
    ck_assert_str_eq(err, "load: EDB");
    ck_assert_ptr_null(steer_engine_get(e));
    steer_engine_stats(e, &st);
    ck_assert_uint_eq(st.failures, 1);
    ck_assert_uint_eq(st.generation, 0);
    ck_assert_uint_eq(atomic_load(&calls), 1);
    steer_engine_free(e);
}
END_TEST

/* Wait until the loader has been entered n times. */
static void
wait_entered(struct gen_loader *g, unsigned n)
{
    pthread_mutex_lock(&g->mu);
    while (g->entered < n)
        pthread_cond_wait(&g->cond, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

static void
grant(struct gen_loader *g, unsigned n)
{
    pthread_mutex_lock(&g->mu);
    g->granted = n;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->mu);
}

START_TEST(engine_coalesces_kicks)
{
    struct gen_loader g;
    struct steer_engine_cfg cfg = {0, gen_load, NULL, &g};
    struct steer_engine *e;
    struct steer_engine_stats st;
    unsigned i;

    gen_loader_init(&g);
    g.is_gated = true;
    e = steer_engine_new(&cfg);
    ck_assert_int_eq(steer_engine_start(e), OCDN_OK);
    steer_engine_kick(e);
    wait_entered(&g, 1); /* rebuild 1 is loading */
    for (i = 0; i < 10; i++)
        steer_engine_kick(e);
    steer_engine_stats(e, &st);
    ck_assert(st.is_pending);
    grant(&g, 1);
    wait_entered(&g, 2); /* all ten kicks became rebuild 2 */
    steer_engine_stats(e, &st);
    ck_assert(!st.is_pending);
    ck_assert_uint_eq(st.attempts, 1);
    grant(&g, 2);
    ck_assert(steer_engine_wait(e, 2, 10000));
    steer_engine_stop(e);
    steer_engine_stats(e, &st);
    ck_assert_uint_eq(st.attempts, 2);
    ck_assert_uint_eq(atomic_load(&g.calls), 2);
    steer_engine_free(e);
    gen_loader_clear(&g);
}
END_TEST

START_TEST(engine_rate_limits_rebuilds)
{
    struct gen_loader g;
    struct steer_engine_cfg cfg = {3600 * 1000, gen_load, NULL, &g};
    struct steer_engine *e;
    struct steer_engine_stats st;
    char err[256];

    gen_loader_init(&g);
    e = steer_engine_new(&cfg);
    ck_assert_int_eq(steer_engine_build_now(e, err, sizeof(err)), OCDN_OK);
    ck_assert_int_eq(steer_engine_start(e), OCDN_OK);
    /* Within the hour after the last build, a kick only marks the inputs as changed. It stays
     * pending through a stop: the thread never started a second load. */
    g.is_gated = true; /* a premature load would block here and stop would never return */
    steer_engine_kick(e);
    steer_engine_stop(e);
    steer_engine_stats(e, &st);
    ck_assert_uint_eq(st.attempts, 1);
    ck_assert(st.is_pending);
    ck_assert_uint_eq(atomic_load(&g.calls), 1);
    steer_engine_free(e);
    gen_loader_clear(&g);
}
END_TEST

/* ---- main ----------------------------------------------------------------------------------- */

START_TEST(golden_update)
{
    int n, bad = golden(true, &n);

    ck_assert_int_eq(bad, 0);
    printf("golden: wrote %d steer cases\n", n);
}
END_TEST

static Suite *
steer_suite(void)
{
    Suite *s = suite_create("steer");
    TCase *tc;

    tc = tcase_create("golden");
    tcase_add_test(tc, golden_scenarios);
    suite_add_tcase(s, tc);

    tc = tcase_create("reference");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, random_worlds_agree_with_reference, 0, 4);
    tcase_add_loop_test(tc, batch_agrees_with_single_and_reference, 0, 2);
    tcase_add_test(tc, large_world_uses_both_cores_and_agrees);
    suite_add_tcase(s, tc);

    tc = tcase_create("input");
    tcase_add_test(tc, decide_rejects_malformed_queries);
    tcase_add_test(tc, build_rejects_inconsistent_input);
    tcase_add_test(tc, file_ids_and_lookups);
    suite_add_tcase(s, tc);

    tc = tcase_create("snapshot");
    tcase_add_test(tc, snapshot_copies_its_input);
    tcase_add_test(tc, route_tables_shared_while_version_holds);
    tcase_add_test(tc, identical_lists_are_stored_once);
    tcase_add_test(tc, verify_detects_corruption);
    suite_add_tcase(s, tc);

    tc = tcase_create("spread");
    tcase_add_test(tc, spread_is_sticky_and_weighted);
    tcase_add_test(tc, spread_depends_on_file_and_load);
    suite_add_tcase(s, tc);

    tc = tcase_create("explain");
    tcase_add_test(tc, explain_lists_ineligible_and_filters_by_org);
    tcase_add_test(tc, explain_any_file_uses_video_eligibility);
    suite_add_tcase(s, tc);

    tc = tcase_create("engine");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, engine_readers_never_see_a_torn_snapshot);
    tcase_add_test(tc, engine_failed_build_keeps_old_snapshot);
    tcase_add_test(tc, engine_loader_error_is_reported);
    tcase_add_test(tc, engine_coalesces_kicks);
    tcase_add_test(tc, engine_rate_limits_rebuilds);
    suite_add_tcase(s, tc);
    return s;
}

int
main(int argc, char **argv)
{
    Suite *s;
    TCase *tc;

    if (argc == 2 && strcmp(argv[1], "--golden-update") == 0) {
        s = suite_create("steer-golden");
        tc = tcase_create("update");
        tcase_add_test(tc, golden_update);
        suite_add_tcase(s, tc);
        return run_suite(s);
    }
    if (argc == 2 && strcmp(argv[1], "--golden-check") == 0) {
        s = suite_create("steer-golden");
        tc = tcase_create("check");
        tcase_add_test(tc, golden_scenarios);
        suite_add_tcase(s, tc);
        return run_suite(s);
    }
    if (argc != 1) {
        fprintf(stderr, "usage: %s [--golden-update | --golden-check]\n", argv[0]);
        return 2;
    }
    return run_suite(steer_suite());
}
