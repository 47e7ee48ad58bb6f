#ifndef AGENT_REPORTER_H
#define AGENT_REPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "report_proto.h"
#include "state.h"

/* The reporter (DESIGN.md 4, docs/agent-report.md): every report_interval (+-10 %) it reads
 * the route set and the catalog, sends POST /v1/agent/report (full the first time, then deltas
 * against the last acknowledged seq), and acts on the reply:
 *
 *   200           the sets become the new base (saved in state_dir); a new config_version
 *                 fetches GET /v1/agent/config and hands keys and host names to the server
 *   409 need_full the base is dropped; a full report follows at once
 *   401/403, 4xx  logged; backoff (a refused report is not resent as it was: the next is full)
 *   5xx, network  the same report (same seq, same sets) is sent again with exponential
 *                 backoff, so a report that was applied but whose reply was lost is
 *                 acknowledged as a duplicate instead of being applied twice or lost
 *
 * The next seq is saved before a report is sent, so seqs increase across restarts. It runs in
 * its own thread (reporter_start()); reporter_run_once() runs one cycle in the caller's thread
 * for tests. */

struct reporter;

struct reporter_config {
    const char *url;         /* control plane base URL, "http://127.0.0.1:8080" */
    const char *key;         /* appliance key (secret; never logged); NULL = none */
    const char *ca_file;     /* CA bundle for https; NULL = the system's */
    const char *state_dir;   /* state files (state.h) */
    const char *data_dir;    /* the catalog is scanned here */
    const char *routes_file; /* static route lines; NULL = an empty route set */
    int64_t interval_ms;     /* until the control plane's config sets report_interval_s */
    int64_t timeout_ms;      /* one HTTP exchange, whole */
    int64_t retry_min_ms;    /* first backoff delay */
    int64_t retry_max_ms;    /* backoff cap */
    size_t gzip_min;         /* bodies larger than this are sent gzip-compressed */
    size_t report_max;       /* largest body before compression */
    size_t max_routes;
    size_t max_files;
};

/* Traffic counters for the report (cumulative; bps is computed by the reporter). */
typedef void reporter_stats_fn(void *ctx, struct report_traffic *out);
/* A new config from the control plane (keys, host names). Called from the reporter's thread. */
typedef void reporter_apply_fn(void *ctx, const struct cpconf *conf);

struct reporter_hooks {
    void *ctx;
    reporter_stats_fn *stats; /* NULL: reports carry no traffic */
    reporter_apply_fn *apply; /* NULL: configs are only saved */
};

/* What one cycle did. */
enum reporter_outcome {
    REPORTER_ACKED = 1,   /* applied (or acknowledged as a duplicate of an earlier attempt) */
    REPORTER_NEED_FULL,   /* the control plane wants a full report: the next one is */
    REPORTER_SEQ_BEHIND,  /* a first attempt was called a duplicate: seq skipped ahead */
    REPORTER_REJECTED,    /* 4xx: refused as sent; the next report is full */
    REPORTER_UNAUTH,      /* 401/403 */
    REPORTER_RETRY,       /* 5xx, network error or unreadable reply: the same report again */
    REPORTER_LOCAL_ERROR, /* could not build the report or save the seq: nothing was sent */
};

struct reporter_result {
    enum reporter_outcome outcome;
    int64_t seq;         /* of the report sent (0 when none) */
    bool routes_full;    /* the report carried the full route set */
    bool catalog_full;   /* the report carried the full catalog */
    bool gzipped;        /* the body was sent gzip-compressed */
    bool duplicate;      /* ACKED: the control plane had it already */
    bool config_fetched; /* a new config was fetched and applied */
    unsigned attempt;    /* 1 for the first try of this seq */
    int64_t delay_ms;    /* until the next cycle */
};

/* Load the state from cfg->state_dir (state_load(); what was discarded is logged) and make a
 * reporter with a copy of cfg. known: the config the agent already applied (from
 * reporter_config_load() or reporter_config_fetch()), or NULL. OCDN_EIO when the state cannot
 * be read (err says why), OCDN_ENOMEM. */
enum ocdn_err reporter_new(const struct reporter_config *cfg, const struct reporter_hooks *hooks,
                           const struct cpconf *known, struct reporter **out, char *err,
                           size_t errlen);

/* Start the reporter thread (the first report goes out at once). OCDN_ENOMEM / OCDN_EIO. */
enum ocdn_err reporter_start(struct reporter *r);
/* Stop the thread (an exchange in progress is aborted) and join it. Idempotent. */
void reporter_stop(struct reporter *r);
/* Stop and free; NULL does nothing. */
void reporter_free(struct reporter *r);

/* Use cfg (copied) from the next cycle on (SIGHUP). state_dir and data_dir must not change.
 * OCDN_ENOMEM. */
enum ocdn_err reporter_set_config(struct reporter *r, const struct reporter_config *cfg);
/* Report soon (within the current backoff, if any: a failing control plane is not hurried). */
void reporter_kick(struct reporter *r);

/* Run one cycle now in the calling thread (not while the thread runs). */
void reporter_run_once(struct reporter *r, struct reporter_result *out);
/* The state as the reporter holds it (borrowed; for tests). */
const struct state *reporter_state(const struct reporter *r);

/* The config saved in state_dir by an earlier run. OCDN_ENOTFOUND when none; OCDN_EINVAL when
 * it does not parse (err says why); OCDN_EIO, OCDN_ETOOBIG, OCDN_ENOMEM. */
enum ocdn_err reporter_config_load(const char *state_dir, struct cpconf *out, char *err,
                                   size_t errlen);

/* GET /v1/agent/config once (used at start-up before anything is known), save it in
 * state_dir and return it parsed. OCDN_EUPSTREAM for an HTTP error status or a bad body,
 * OCDN_EIO for a network error, OCDN_EUNAUTH for 401/403 (err says why). */
enum ocdn_err reporter_config_fetch(const struct reporter_config *cfg, struct cpconf *out,
                                    char *err, size_t errlen);

#endif
