#ifndef AGENT_REPORT_PROTO_H
#define AGENT_REPORT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "health.h"
#include "lineset.h"
#include "token.h"

/* The agent's side of docs/agent-report.md, without I/O: the report body, its gzip form, the
 * reply of POST /v1/agent/report and the body of GET /v1/agent/config. Replies come from the
 * network: every field is bounded and checked, and members this agent does not know are
 * ignored (a newer control plane may add some). */

#define REPORT_REPLY_MAX   (1024 * 1024) /* bytes of a report reply or config body we read */
#define CPCONF_KEYS_MAX    4             /* signing keys kept (serve.h SERVE_KEYS_MAX) */
#define CPCONF_HOSTS_MAX   16            /* host names (serve.h SERVE_HOSTS_MAX) */
#define CPCONF_HOST_MAX    253
#define CPCONF_VERSION_MAX 64

/* One of "routes" / "catalog" in a report. */
enum report_part_mode {
    REPORT_PART_NONE = 0, /* left out: unchanged */
    REPORT_PART_FULL,     /* set is the complete set */
    REPORT_PART_DELTA,    /* delta against base_seq */
};

struct report_part {
    enum report_part_mode mode;
    const struct lineset *set;         /* full */
    const struct lineset_delta *delta; /* delta */
    int64_t base_seq;                  /* delta */
};

/* Traffic counters since the server started (serve_stats()), bps over the last interval. */
struct report_traffic {
    uint64_t bps;
    uint64_t bytes_sent;
    uint64_t requests;
    uint64_t connections; /* open now */
    uint64_t status_2xx;
    uint64_t status_4xx;
    uint64_t status_5xx;
    uint64_t errors; /* socket and file errors (reported as health.errors) */
};

struct report_msg {
    int64_t seq;
    struct report_part routes;
    struct report_part catalog;
    const struct health_sample *health;   /* NULL = left out */
    const struct report_traffic *traffic; /* NULL = left out */
    const char *version;                  /* agent version; NULL = no "agent" member */
    int64_t started_at;                   /* Unix seconds */
};

/* Append the JSON body of m to out (compact, one route line per string). OCDN_ETOOBIG when it
 * would exceed out->max (out is then unchanged), OCDN_EINVAL for a bad seq or part,
 * OCDN_ENOMEM. */
enum ocdn_err report_proto_build(const struct report_msg *m, struct buf *out);

/* gzip (RFC 1952) len bytes of in into out (appended). OCDN_ETOOBIG over out->max,
 * OCDN_ENOMEM. */
enum ocdn_err report_proto_gzip(const char *in, size_t len, struct buf *out);

/* What a reply to a report means for the reporter. */
enum report_reply_kind {
    REPORT_REPLY_ACK = 1,   /* 200: applied, or already applied (duplicate) */
    REPORT_REPLY_NEED_FULL, /* 409 with need_full: nothing applied, send a full report */
    REPORT_REPLY_REJECTED,  /* 400, 404, 409 (decommissioned), 413, 415...: refused as sent */
    REPORT_REPLY_UNAUTH,    /* 401, 403: the key is refused */
    REPORT_REPLY_RETRY,     /* 5xx, 429, 408: not applied or not known; send again later */
    REPORT_REPLY_BAD,       /* a 2xx we cannot read or an unexpected status: unknown */
};

struct report_reply {
    enum report_reply_kind kind;
    long status;
    int64_t ack_seq;                             /* ACK */
    bool duplicate;                              /* ACK */
    char config_version[CPCONF_VERSION_MAX + 1]; /* ACK; "" when absent */
    int64_t manifest_version;                    /* ACK; 0 when absent */
    char oca_status[32];                         /* ACK; "" when absent */
    /* The control plane's "detail" (or "error") text, or what was wrong with the reply;
     * printable ASCII, cut to fit. Safe to log. */
    char detail[256];
};

/* Classify an HTTP reply (status, body of len bytes, not NUL-terminated) to a report. Never
 * fails: anything unreadable is REPORT_REPLY_BAD with the reason in detail. */
void report_proto_parse_reply(long status, const char *body, size_t len, struct report_reply *out);

/* GET /v1/agent/config, checked. */
struct cpconf {
    int64_t oca_id;
    char hosts[CPCONF_HOSTS_MAX][CPCONF_HOST_MAX + 1]; /* "hostnames", else "hostname" */
    size_t nhosts;
    struct token_key keys[CPCONF_KEYS_MAX]; /* the current one (not_after 0) first, then the
                                               latest to expire */
    size_t nkeys;
    int64_t report_interval_s;            /* 0 = not given */
    int64_t max_token_ttl_s;              /* 0 = not given */
    char version[CPCONF_VERSION_MAX + 1]; /* config_version */
};

/* Parse a config body. OCDN_EINVAL with the first problem in err (not JSON, a missing or bad
 * oca_id, config_version, host name or key, more than 16 keys or CPCONF_HOSTS_MAX names, no
 * host name, no key); OCDN_ETOOBIG over REPORT_REPLY_MAX; OCDN_ENOMEM. Keys beyond
 * CPCONF_KEYS_MAX are dropped, those that expire first. Key bytes are wiped from every
 * temporary buffer; *out is zeroed on error. */
enum ocdn_err report_proto_parse_config(const char *body, size_t len, struct cpconf *out, char *err,
                                        size_t errlen);

/* Delay before attempt number fails + 1 after fails (>= 1) failures in a row: min_ms doubled
 * per failure, capped at max_ms, then +-20 % jitter (seed: clock_jitter_ms()), never above
 * max_ms nor below 1 ms. */
int64_t report_proto_backoff_ms(unsigned fails, int64_t min_ms, int64_t max_ms, uint64_t *seed);

#endif
