#ifndef CP_STORE_REPORT_H
#define CP_STORE_REPORT_H

#include <stdint.h>

#include "err.h"

struct store;

/* reports rows: one per applied agent report (metadata only), bounded per OCA. */

struct report_rec {
    int64_t oca_id;
    int64_t seq;
    int64_t received_at;
    int64_t body_bytes;
    const char *routes_mode; /* "full", "delta", "none" */
    int64_t routes_added;
    int64_t routes_removed;
};

/* Record a report; OCDN_EEXIST when (oca, seq) is already recorded. */
enum ocdn_err store_report_insert(struct store *st, const struct report_rec *r);
/* Keep only the newest keep rows of an OCA. */
enum ocdn_err store_report_prune(struct store *st, int64_t oca_id, int64_t keep);

#endif
