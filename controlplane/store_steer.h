#ifndef CP_STORE_STEER_H
#define CP_STORE_STEER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "steer.h"

struct store;

/* The steering engine's loader: everything a snapshot needs, read from the database in one
 * read transaction (so the snapshot is consistent). */

struct steer_load_opts {
    struct steer_policy policy;
    bool accept_bogons; /* steer on routes flagged as bogons (labs, CGNAT space) */
    int64_t max_routes; /* more routes than this: OCDN_ETOOBIG before loading any */
    int64_t now;        /* for the validity of signing keys */
};

/* Fill in (initialised by the caller) with the active OCAs, their sites, routes (default
 * routes and, unless accepted, bogons left out), signing keys and catalogs. */
enum ocdn_err store_steer_load(struct store *st, const struct steer_load_opts *o,
                               struct steer_input *in);

#endif
