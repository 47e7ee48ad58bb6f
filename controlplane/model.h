#ifndef CP_MODEL_H
#define CP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

/* Enumerations of the data model (DESIGN.md 3.1) shared by the store, the API and the
 * steering engine, with their API/database spellings. */

enum site_type {
    SITE_TYPE_ISP = 0, /* embedded: inside a partner's network */
    SITE_TYPE_IX,      /* at an internet exchange, run by the operator */
};

enum oca_model {
    OCA_MODEL_STORAGE = 0,
    OCA_MODEL_FLASH,
    OCA_MODEL_GLOBAL,
};

/* What an operator or partner sees (derived from reports, maintenance and admin state). */
enum oca_status {
    OCA_STATUS_UNREPORTED = 0, /* provisioned, never reported */
    OCA_STATUS_ONLINE,
    OCA_STATUS_DEGRADED, /* reporting, but a health problem; still serves */
    OCA_STATUS_OFFLINE,  /* no report for 3 intervals */
    OCA_STATUS_DRAINING, /* in a drain window: no new sessions */
    OCA_STATUS_MAINTENANCE,
    OCA_STATUS_DECOMMISSIONED,
};

/* How the route reached the OCA (the BGP session's kind). Steering adds the configured AS
 * path hops and MED offsets per kind, so embedded > PNI > public peering > transit. */
enum route_src {
    ROUTE_SRC_EMBEDDED = 0, /* the partner's session with an embedded OCA (AS 40027) */
    ROUTE_SRC_PNI,          /* private interconnect with the operator's AS (e.g. 2906) */
    ROUTE_SRC_PEERING,      /* public peering at an IX */
    ROUTE_SRC_TRANSIT,      /* learned from a transit provider */
};
#define ROUTE_SRC_COUNT 4

/* Records as the store returns them; strings live in the caller's arena. */
struct org {
    int64_t id;
    const char *name; /* slug used in site names */
    const char *display_name;
    const char *kind; /* "isp", "ix", "operator" */
    int64_t created_at;
    int64_t *asns;
    size_t nasns;
};

struct site {
    int64_t id;
    int64_t org_id;
    const char *name; /* "TLS001.bouyguestelecom.ISP" */
    char iata[4];
    int number;
    enum site_type type;
    double lat, lon;
    const char *tz;
    int fill_offset_min;
    const char *manifest_cluster; /* NULL = none */
    int64_t created_at;
};

struct oca {
    int64_t id;
    int64_t site_id;
    int64_t org_id; /* the site's org */
    const char *site_name;
    int number;
    const char *hostname; /* without the ipv4-/ipv6- prefix */
    enum oca_model model;
    int64_t capacity_bytes;
    int64_t nic_bps;
    const char *ipv4; /* NULL when none */
    const char *ipv6;
    int http_port, https_port;
    bool decommissioned;
    enum oca_status status; /* stored status (the status sweeper keeps it current) */
    int64_t last_report_at; /* 0 = never */
    int64_t last_seq;
    int64_t routes_seq;
    int64_t load_bps;
    int64_t created_at;
    int64_t status_since; /* 0 = unknown */
    int64_t prefix_count; /* its routes (set by the transaction that changes them) */
    int64_t prefix_peak;  /* baseline for the prefix-drop rule */
    bool degraded;        /* the last report showed a health problem */
    int bgp_sessions;     /* sessions in the last report that had them */
    int bgp_established;  /* of them established */
    const char *health;   /* JSON text of the last report's health ("{}" before any) */
    const char *traffic;  /* JSON text of the last report's traffic */
};

struct route {
    struct net_prefix prefix;
    const char *proto;   /* BIRD protocol name; "" for static routes */
    const char *as_path; /* space-separated ASNs */
    int as_path_len;
    int64_t med;             /* -1 = no MED */
    const char *communities; /* space-separated "a:b", "(rt, a, b)", "(a, b, c)" */
    const char *next_hop;
    unsigned flags; /* ROUTE_F_* */
    int64_t learned_at;
};
#define ROUTE_F_BOGON   1u
#define ROUTE_F_DEFAULT 2u

struct file_rec {
    const char *id;
    const char *title_id;
    int64_t size;
    const char *sha256;
    const char *profile;
    int64_t bitrate_kbps;
    const char *region;
    int64_t created_at;
};

const char *site_type_str(enum site_type t);
const char *oca_model_str(enum oca_model m);
const char *oca_status_str(enum oca_status s);
const char *route_src_str(enum route_src s);
/* Parse the spellings above; false when s is not one of them. */
bool site_type_parse(const char *s, enum site_type *out);
bool oca_model_parse(const char *s, enum oca_model *out);
bool oca_status_parse(const char *s, enum oca_status *out);
bool route_src_parse(const char *s, enum route_src *out);

/* NULL-terminated lists of the spellings, in enum order (for jsonx_get_enum()). */
extern const char *const site_type_names[];
extern const char *const oca_model_names[];
extern const char *const oca_status_names[];
extern const char *const route_src_names[];

#endif
