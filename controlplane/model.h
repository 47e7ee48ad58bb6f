#ifndef CP_MODEL_H
#define CP_MODEL_H

#include <stdbool.h>

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
