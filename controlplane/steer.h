#ifndef CP_STEER_H
#define CP_STEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"
#include "net.h"
#include "token.h"

/* The steering engine (DESIGN.md 3.4, docs/steering.md): client address + file -> ranked OCAs,
 * each with the reason for its place.
 *
 *   loader (SQLite) --steer_input--> steer_snap_build() --> immutable struct steer_snap
 *   steer_engine: background rebuilds (coalesced), publishes snapshots; readers take a ref
 *   steer_decide(snap, query) -> struct steer_result      (no lock, no allocation)
 *   steer_explain(snap, query, org) -> every candidate, eligible or not (route explorer)
 *
 * Snapshots are read-only and may be shared by any number of threads. */

#define STEER_MAX_N        32  /* hard maximum of choices per query */
#define STEER_FILE_ID_MAX  128 /* file ids: [A-Za-z0-9][A-Za-z0-9._-]{0,127} */
#define STEER_NAME_MAX     253 /* site names and OCA host names */
#define STEER_PATH_LEN_MAX 255 /* longest AS path (prepends counted) accepted */
#define STEER_MAX_SITES    (1u << 20)
#define STEER_MAX_OCAS     (1u << 20)
#define STEER_MAX_ROUTES   (64u << 20)
#define STEER_MAX_FILES    (16u << 20)
#define STEER_MAX_HOLDINGS (1u << 31)
#define STEER_FILE_NONE    (-1) /* steer_query.file for the speed test: catalog not consulted */
#define STEER_FILE_ANY     (-2) /* video eligibility, catalog not consulted (route explorer) */

/* ---- input (built by a loader; copied into the snapshot) ------------------------------------ */

struct steer_site {
    uint64_t id;         /* database id */
    enum site_type type; /* IX sites take part in the geo fallback */
    bool has_coords;     /* lat/lon valid */
    double lat, lon;     /* degrees */
    const char *name;    /* "TLS001.bouyguestelecom.ISP" */
};

struct steer_oca {
    uint64_t id;          /* database id, stable across snapshots (the spread hash uses it) */
    uint32_t site;        /* index into the sites */
    uint64_t org_id;      /* owning org (route explorer filter) */
    const char *host;     /* host name base "c009-tls001-bouyguestelecom-isp.1.oca.example.net" */
    bool has_v4, has_v6;  /* addresses for the ipv4- / ipv6- names */
    uint16_t http_port;   /* 0 = no plain HTTP */
    uint16_t https_port;  /* 0 = no HTTPS */
    enum oca_model model; /* global OCAs take part in the geo fallback */
    enum oca_status status;
    bool is_healthy;            /* liveness check passes (recent heartbeat or report) */
    uint64_t capacity_bps;      /* NIC capacity */
    uint64_t load_bps;          /* current egress */
    uint8_t key[TOKEN_KEY_LEN]; /* current URL signing key */
    bool has_prev_key;          /* prev_key still valid (rotation overlap) */
    uint8_t prev_key[TOKEN_KEY_LEN];
};

struct steer_route {
    uint32_t oca;             /* index into the OCAs */
    struct net_prefix prefix; /* host bits must be zero; /0 (default route) is ignored */
    uint32_t path_len;        /* AS path length as learned, prepends counted; <= 255 */
    bool has_med;
    uint32_t med;
    enum route_src src;
    uint32_t origin_as; /* last AS of the path: the client's network (speed test "n") */
    uint32_t first_as;  /* first AS of the path: the neighbour */
};

/* Ranking knobs (docs/steering.md explains the defaults). */
struct steer_policy {
    uint32_t path_hops[ROUTE_SRC_COUNT];  /* added to the learned AS path length; <= 255 */
    uint32_t med_offset[ROUTE_SRC_COUNT]; /* added to the MED (missing MED counts as 0) */
    double load_limit;    /* eligible while load_bps < load_limit * capacity_bps; (0, 1] */
    double geo_bucket_km; /* distances compared in buckets this wide; 0 = exact; <= 20000 */
    unsigned max_n;       /* largest n a query may ask for; 1..STEER_MAX_N */
};

/* What a loader fills. Arrays grow through steer_input_add_*() and belong to the input;
 * strings are copied in. Fields are read by steer_snap_build(); do not assign the arrays. */
struct steer_input {
    struct steer_policy policy;
    /* Non-zero: changes whenever routes, the OCA list (ids or order) or the policy change.
     * Equal to the previous snapshot's value: its route tables are shared, not rebuilt. */
    uint64_t routes_version;
    /* Likewise for files, holdings and the OCA list. */
    uint64_t catalog_version;
    struct steer_site *sites;
    size_t n_sites, cap_sites;
    struct steer_oca *ocas;
    size_t n_ocas, cap_ocas;
    struct steer_route *routes;
    size_t n_routes, cap_routes;
    const char **files; /* file ids */
    size_t n_files, cap_files;
    uint32_t (*holdings)[2]; /* {file index, OCA index}: that OCA holds that file */
    size_t n_holdings, cap_holdings;
    struct arena *strings; /* copies of names, hosts, file ids */
};

/* Empty input with the default policy (steer_policy_init()). */
void steer_input_init(struct steer_input *in);
/* Free everything the input holds; it is empty afterwards and can be reused. */
void steer_input_clear(struct steer_input *in);
/* Default policy: hops embedded 0, PNI/peering/transit +1; MED offsets 0/0/+50/+100;
 * load limit 0.90; geo buckets 25 km; max n 10. */
void steer_policy_init(struct steer_policy *p);
/* Append a copy of s (name copied); *idx (may be NULL) gets its index. OCDN_ENOMEM,
 * OCDN_ETOOBIG past STEER_MAX_SITES. Content is checked by steer_snap_build(). */
enum ocdn_err steer_input_add_site(struct steer_input *in, const struct steer_site *s,
                                   uint32_t *idx);
/* Append a copy of o (host copied); like steer_input_add_site(). */
enum ocdn_err steer_input_add_oca(struct steer_input *in, const struct steer_oca *o, uint32_t *idx);
/* Append a route; OCDN_ENOMEM, OCDN_ETOOBIG past STEER_MAX_ROUTES. */
enum ocdn_err steer_input_add_route(struct steer_input *in, const struct steer_route *r);
/* Append a file id (copied); *idx (may be NULL) gets its index. */
enum ocdn_err steer_input_add_file(struct steer_input *in, const char *id, uint32_t *idx);
/* Record that OCA oca holds file file (indices; duplicates are harmless). */
enum ocdn_err steer_input_add_holding(struct steer_input *in, uint32_t file, uint32_t oca);

/* ---- snapshot -------------------------------------------------------------------------------- */

struct steer_snap;

struct steer_snap_stats {
    uint64_t generation;
    uint64_t checksum; /* of the content, computed at build (steer_snap_verify()) */
    size_t sites, ocas, routes, files, holdings;
    size_t routes_ignored;           /* default routes (/0) */
    size_t prefixes_v4, prefixes_v6; /* distinct prefixes */
    size_t lists;                    /* unique candidate lists (nodes) */
    size_t segments, list_entries;   /* unique own-entry segments and their total length */
    size_t tbl8_groups, trie_nodes;  /* IPv4 /25../32 groups; IPv6 trie nodes */
    size_t memory_bytes; /* everything the snapshot owns (shared route tables included) */
    size_t route_bytes, catalog_bytes;
    bool routes_shared; /* route tables taken over from the previous snapshot */
    bool catalog_shared;
    double build_ms;
};

/* Build a snapshot from in (which is only read); prev (may be NULL) lends its route tables or
 * catalog when the versions allow. OCDN_EINVAL on inconsistent input with the first problem in
 * err ("route 17: oca 40 out of range (12 ocas)"), OCDN_ENOMEM. Caller unrefs *out. */
enum ocdn_err steer_snap_build(const struct steer_input *in, const struct steer_snap *prev,
                               uint64_t generation, struct steer_snap **out, char *err,
                               size_t errlen);
/* Memory a full build needs only while it runs (sort keys, the second core's tables): kept
 * from one build to the next so that a rebuild does not pay again for fresh pages (given back
 * to the kernel lazily in between: MADV_FREE). One build at a time per builder. */
struct steer_builder;
/* New builder (no memory yet); NULL when out of memory. */
struct steer_builder *steer_builder_new(void);
/* Release everything the builder keeps. NULL does nothing. */
void steer_builder_free(struct steer_builder *b);
/* steer_snap_build() using b's memory (b may be NULL: then like steer_snap_build()). */
enum ocdn_err steer_snap_build_with(struct steer_builder *b, const struct steer_input *in,
                                    const struct steer_snap *prev, uint64_t generation,
                                    struct steer_snap **out, char *err, size_t errlen);
/* Take another reference; returns s. Atomic. */
struct steer_snap *steer_snap_ref(struct steer_snap *s);
/* Drop a reference; the last one frees the snapshot. NULL does nothing. Atomic. */
void steer_snap_unref(struct steer_snap *s);
void steer_snap_stats(const struct steer_snap *s, struct steer_snap_stats *out);
/* Recompute the content checksum and cross-check the lookup tables against the prefix list;
 * OCDN_ECONFLICT on any mismatch (a torn or corrupted snapshot). Costs O(size): tests only. */
enum ocdn_err steer_snap_verify(const struct steer_snap *s);
const struct steer_policy *steer_snap_policy(const struct steer_snap *s);
size_t steer_snap_site_count(const struct steer_snap *s);
/* Site idx (< count), borrowed from the snapshot. */
const struct steer_site *steer_snap_site(const struct steer_snap *s, uint32_t idx);
size_t steer_snap_oca_count(const struct steer_snap *s);
/* OCA idx (< count), borrowed from the snapshot (host, ports, keys for signing). */
const struct steer_oca *steer_snap_oca(const struct steer_snap *s, uint32_t idx);
/* Index of the OCA with database id id; OCDN_ENOTFOUND. */
enum ocdn_err steer_snap_oca_find(const struct steer_snap *s, uint64_t id, uint32_t *idx);
size_t steer_snap_file_count(const struct steer_snap *s);
/* Index of file id for steer_query.file; OCDN_EINVAL for a malformed id, OCDN_ENOTFOUND. */
enum ocdn_err steer_snap_file_find(const struct steer_snap *s, const char *id, int32_t *idx);
/* Id of file idx (< count), borrowed from the snapshot. */
const char *steer_snap_file_id(const struct steer_snap *s, uint32_t idx);
/* True when id matches [A-Za-z0-9][A-Za-z0-9._-]{0,127}. */
bool steer_file_id_valid(const char *id);

/* ---- decisions ------------------------------------------------------------------------------- */

/* Client position for a; false when unknown. Called at most once per query, and only when the
 * ranking needs a distance. Must be thread-safe and deterministic. */
typedef bool steer_geo_fn(void *ctx, const struct net_addr *a, double *lat, double *lon);

struct steer_query {
    struct net_addr client;
    int32_t file; /* steer_snap_file_find() index, STEER_FILE_NONE for the speed test, or
                     STEER_FILE_ANY: video eligibility without the catalog */
    unsigned n;   /* choices wanted, 1..policy.max_n (ignored by steer_explain()) */
    bool has_geo; /* lat/lon given (then geo is not called) */
    double lat, lon;
    steer_geo_fn *geo; /* optional lazy lookup */
    void *geo_ctx;
};

enum steer_mode {
    STEER_MODE_ROUTE = 0,    /* OCAs whose routes cover the client */
    STEER_MODE_GEO_FALLBACK, /* no eligible OCA has a route: nearest IX / global OCAs */
    STEER_MODE_ORIGIN,       /* nothing eligible: the caller returns the origin URL */
};

/* The step that puts a choice above the next one in the order. */
enum steer_step {
    STEER_STEP_PREFIX = 0, /* more specific matched prefix */
    STEER_STEP_ASPATH,     /* shorter effective AS path */
    STEER_STEP_MED,        /* lower effective MED */
    STEER_STEP_GEO,        /* nearer site (distance bucket) */
    STEER_STEP_SPREAD,     /* weighted rendezvous hash among equals */
    STEER_STEP_LAST,       /* no eligible candidate after it */
    STEER_STEP_INELIGIBLE, /* explain: not eligible, listed after the eligible ones */
};

/* Where the client position came from. */
enum steer_geo {
    STEER_GEO_NOT_NEEDED = 0, /* no tie needed a distance: not looked up */
    STEER_GEO_GIVEN,          /* query.has_geo */
    STEER_GEO_LOOKED_UP,      /* query.geo answered */
    STEER_GEO_UNKNOWN,        /* needed but unknown: the distance step was skipped */
};

/* Why a candidate is not eligible (explain). */
enum steer_inelig {
    STEER_ELIGIBLE = 0,
    STEER_INELIG_STATUS,     /* status is not online/degraded (speed test: not online) */
    STEER_INELIG_UNHEALTHY,  /* is_healthy false */
    STEER_INELIG_OVERLOADED, /* load_bps >= load_limit * capacity_bps */
    STEER_INELIG_NO_FILE,    /* does not hold the file */
};

struct steer_choice {
    uint32_t oca;               /* index into the snapshot's OCAs */
    uint32_t rank;              /* 1-based place in the full order */
    enum steer_step decided_by; /* why it is above the next one */
    enum steer_inelig inelig;   /* explain only */
    bool has_route;             /* false for geo-fallback choices (route fields are zero) */
    struct net_prefix prefix;   /* matched route: the client address cut to its length */
    enum route_src src;
    uint32_t path_len;     /* as learned */
    uint32_t path_len_eff; /* + policy.path_hops[src] */
    bool has_med;
    uint32_t med;     /* as learned (0 when missing) */
    uint64_t med_eff; /* med + policy.med_offset[src] */
    uint32_t origin_as, first_as;
    double distance_km; /* client to site; < 0 when either position is unknown */
};

struct steer_result {
    enum steer_mode mode;
    enum steer_geo geo;
    double lat, lon;     /* client position when geo is GIVEN or LOOKED_UP */
    uint32_t client_asn; /* origin AS of the most specific route covering the client; 0 = none */
    unsigned n;          /* choices in v */
    struct steer_choice v[STEER_MAX_N];
};

/* Rank OCAs for q (docs/steering.md): up to q->n distinct OCAs, best first. OCDN_EINVAL for n
 * outside 1..policy.max_n, an unknown file index or address family. No locks, no allocation. */
enum ocdn_err steer_decide(const struct steer_snap *s, const struct steer_query *q,
                           struct steer_result *out);

/* steer_decide() for q[0..n) into out[0..n): the same answers, faster per query than one at a
 * time (the cache misses of up to 32 queries overlap). errs (may be NULL) gets each query's
 * error; returns the first error (its query's out->n is 0), OCDN_OK when all succeeded. */
enum ocdn_err steer_decide_batch(const struct steer_snap *s, const struct steer_query *q, size_t n,
                                 struct steer_result *out, enum ocdn_err *errs);

struct steer_explain {
    enum steer_mode mode; /* what steer_decide() would answer */
    enum steer_geo geo;
    double lat, lon;
    uint32_t client_asn;
    size_t total; /* candidates with a route covering the client, after the org filter */
    size_t n;     /* of them written to the caller's array (at most its capacity) */
};

/* Every OCA whose routes cover q->client, ranked: the eligible ones in steer_decide()'s order,
 * then the ineligible ones (with the reason) by prefix, AS path, MED, distance, id. org_id 0
 * keeps all, otherwise only that org's OCAs (ranks stay global). v holds cap choices.
 * OCDN_EINVAL like steer_decide(), OCDN_ENOMEM. */
enum ocdn_err steer_explain(const struct steer_snap *s, const struct steer_query *q,
                            uint64_t org_id, struct steer_choice *v, size_t cap,
                            struct steer_explain *out);

const char *steer_mode_str(enum steer_mode m);
const char *steer_step_str(enum steer_step s);
const char *steer_geo_str(enum steer_geo g);
const char *steer_inelig_str(enum steer_inelig r);

/* ---- engine: background rebuilds and publication --------------------------------------------- */

/* Fill in (initialised by the engine) from the database; OCDN_OK or an error (then the old
 * snapshot stays). Runs on the engine's thread or the caller of steer_engine_build_now(). */
typedef enum ocdn_err steer_load_fn(void *ctx, struct steer_input *in);
/* Release what load put into in; NULL means steer_input_clear(). */
typedef void steer_input_free_fn(void *ctx, struct steer_input *in);

#define STEER_ENGINE_INTERVAL_MS 2000 /* default min_interval_ms */

struct steer_engine_cfg {
    unsigned min_interval_ms; /* at most one background rebuild per interval (0: no wait) */
    steer_load_fn *load;
    steer_input_free_fn *free_input;
    void *ctx;
};

struct steer_engine_stats {
    uint64_t builds;     /* successful */
    uint64_t failures;   /* load or build errors (old snapshot kept) */
    uint64_t attempts;   /* builds + failures */
    uint64_t generation; /* of the published snapshot; 0 = none yet */
    bool is_pending;     /* kicked, rebuild not started yet */
    enum ocdn_err last_err;
    double last_build_ms;         /* load + build of the last attempt */
    struct steer_snap_stats snap; /* of the published snapshot (zero when none) */
};

struct steer_engine;

/* New engine (no snapshot, no thread); cfg is copied. NULL when out of memory. */
struct steer_engine *steer_engine_new(const struct steer_engine_cfg *cfg);
/* Stop the thread if running and free the engine and its snapshot (readers keep their refs). */
void steer_engine_free(struct steer_engine *e);
/* Start the background rebuild thread; OCDN_EIO if it cannot be created. */
enum ocdn_err steer_engine_start(struct steer_engine *e);
/* Stop and join the thread (a running rebuild finishes first). */
void steer_engine_stop(struct steer_engine *e);
/* Inputs changed: the thread rebuilds soon (coalesced, min_interval_ms apart). Cheap. */
void steer_engine_kick(struct steer_engine *e);
/* Load and build now on the caller's thread (startup, tests); publishes on success. The error
 * text goes to err. Serialised with the thread's rebuilds. */
enum ocdn_err steer_engine_build_now(struct steer_engine *e, char *err, size_t errlen);
/* The published snapshot with a reference the caller drops with steer_snap_unref(); NULL
 * before the first successful build. Takes a mutex for a few instructions. */
struct steer_snap *steer_engine_get(struct steer_engine *e);
/* A counter that changes every time a snapshot is published (one atomic load, no lock): a
 * reader that cached a snapshot compares it to know whether it must call steer_engine_get(). */
uint64_t steer_engine_published(struct steer_engine *e);
void steer_engine_stats(struct steer_engine *e, struct steer_engine_stats *out);
/* Block until at least attempts load+build attempts have finished or timeout_ms passed;
 * true when reached. For startup and tests. */
bool steer_engine_wait(struct steer_engine *e, uint64_t attempts, unsigned timeout_ms);

#endif
