#ifndef CP_REPORT_H
#define CP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store_bgp.h"

struct store;

/* Agent report ingest (docs/agent-report.md): apply one report of an OCA in one transaction,
 * idempotent by seq, with full or delta route and catalog sets. */

enum report_mode {
    REPORT_NONE = 0, /* the part is absent: unchanged */
    REPORT_FULL,     /* the complete set: replaces what is stored */
    REPORT_DELTA,    /* changes against the state of base_seq */
};

struct report_set {
    enum report_mode mode;
    int64_t base_seq;       /* delta only: must be the last applied seq */
    const char *const *add; /* route lines / file ids (borrowed) */
    size_t nadd;
    const char *const *del; /* route keys "prefix proto" / file ids */
    size_t ndel;
};

struct report_in {
    int64_t seq;
    struct report_set routes;
    struct report_set catalog;
    bool has_bgp;
    const struct bgp_session *bgp;
    size_t nbgp;
    const char *health;  /* canonical JSON text or NULL (unchanged) */
    const char *traffic; /* canonical JSON text or NULL */
    int64_t load_bps;    /* from traffic; -1 when unknown */
    bool degraded;       /* this report shows a problem (disk errors, a session down) */
    bool disk_errors;    /* a disk reports errors or is failed */
    int64_t body_bytes;
};

struct report_limits {
    int64_t offline_after_s;
    int64_t load_limit_pct; /* steering's eligibility limit: crossing it changes steering */
    int64_t reports_kept;
};

struct report_out {
    int64_t ack_seq;
    bool duplicate; /* seq already applied: nothing changed */
    bool need_full; /* a delta against an unknown base: nothing changed */
    int64_t routes_added, routes_removed, routes_total;
    int64_t files_added, files_removed, files_total;
    bool routes_changed;
    bool catalog_changed;
    bool changed_steering; /* routes, catalog or status changed */
    const char *why;       /* for OCDN_EINVAL: "routes.add[12]: bad prefix" (static or arena) */
    char whybuf[160];
};

/* Apply in to OCA oca_id. OCDN_OK with out->duplicate / out->need_full set as above;
 * OCDN_EINVAL for a bad line (out->why) with nothing stored; OCDN_ECONFLICT when the OCA is
 * decommissioned. */
enum ocdn_err report_apply(struct store *st, int64_t oca_id, const struct report_in *in,
                           const struct report_limits *lim, int64_t now, struct report_out *out);

#endif
