#ifndef CP_STORE_OCA_H
#define CP_STORE_OCA_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "model.h"

struct store;

/* ocas and oca_sign_keys rows. Reads take org_id: 0 = any org (admin), else only OCAs whose
 * site belongs to that org. */

struct oca_sign_key {
    int64_t id;
    uint8_t secret[32];
    int64_t created_at;
    int64_t not_after; /* 0 = the current signing key */
};

/* Filter for store_oca_list(). */
struct oca_filter {
    int64_t org_id;  /* 0 = any */
    int64_t site_id; /* 0 = any */
    int64_t after_id;
    size_t limit;
};

/* Next free OCA number in a site (1 for the first). Inside the write transaction. */
enum ocdn_err store_oca_next_number(struct store *st, int64_t site_id, int *out);
/* Insert o (site_id, number, hostname, model, capacity, nic, addresses, ports, created_at). */
enum ocdn_err store_oca_insert(struct store *st, const struct oca *o, int64_t *id);
/* OCA id visible to org_id; OCDN_ENOTFOUND when missing or another org's. */
enum ocdn_err store_oca_get(struct store *st, int64_t org_id, int64_t id, struct arena *a,
                            struct oca *out);
/* OCAs matching f in id order. */
enum ocdn_err store_oca_list(struct store *st, const struct oca_filter *f, struct arena *a,
                             struct oca **out, size_t *n);
/* Mark decommissioned at now (OCDN_ECONFLICT when it already is). */
enum ocdn_err store_oca_decommission(struct store *st, int64_t id, int64_t now);
/* What an applied report changes on its OCA row. */
struct oca_report_update {
    int64_t seq; /* becomes last_seq and routes_seq */
    int64_t now;
    int64_t load_bps;    /* -1 = unchanged */
    const char *health;  /* NULL = unchanged */
    const char *traffic; /* NULL = unchanged */
    int64_t prefix_count;
    bool degraded;
    bool routes_changed;  /* bump routes_rev */
    bool catalog_changed; /* bump catalog_rev */
    int bgp_sessions;     /* -1 = unchanged (the report had no session list) */
    int bgp_established;
    enum oca_status status;
};

/* Record an applied report on the OCA's row (prefix_peak follows the count upwards). */
enum ocdn_err store_oca_report_applied(struct store *st, int64_t id,
                                       const struct oca_report_update *u);
/* Accept the current prefix count as the new baseline of the prefix-drop rule. */
enum ocdn_err store_oca_reset_prefix_peak(struct store *st, int64_t id);
/* Bump routes_rev (something changed how the OCA's routes count, e.g. a session kind). */
enum ocdn_err store_oca_bump_routes(struct store *st, int64_t id);
/* Set the stored status (status_since moves only when it changes). */
enum ocdn_err store_oca_set_status(struct store *st, int64_t id, enum oca_status status,
                                   int64_t now);

/* Add a signing key; it becomes the current one. */
enum ocdn_err store_oca_sign_key_add(struct store *st, int64_t oca_id, const uint8_t secret[32],
                                     int64_t now);
/* Give every current key of the OCA an end of validity (rotation overlap). */
enum ocdn_err store_oca_sign_key_retire(struct store *st, int64_t oca_id, int64_t not_after);
/* The OCA's agent has fetched its valid keys (GET /v1/agent/config): mark those not yet
 * delivered; *n is how many were. Steering signs only with delivered keys (store_steer.c). */
enum ocdn_err store_oca_sign_keys_delivered(struct store *st, int64_t oca_id, int64_t now,
                                            int64_t *n);
/* Keys of the OCA still valid at now, current first; at most 8. Array in a. */
enum ocdn_err store_oca_sign_keys(struct store *st, int64_t oca_id, int64_t now, struct arena *a,
                                  struct oca_sign_key **out, size_t *n);

#endif
