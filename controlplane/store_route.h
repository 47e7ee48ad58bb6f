#ifndef CP_STORE_ROUTE_H
#define CP_STORE_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "model.h"
#include "net.h"

struct store;

/* routes rows: the learned routes of each OCA, keyed by (OCA, prefix, BGP protocol).
 * Ingest calls put/del once per route inside the report's transaction, so a report of any
 * size needs no intermediate copy. */

/* Delete every route of an OCA. */
enum ocdn_err store_route_clear(struct store *st, int64_t oca_id);
/* Insert or replace one route. */
enum ocdn_err store_route_put(struct store *st, int64_t oca_id, const struct route *r);
/* Delete one route; *found tells whether it existed. */
enum ocdn_err store_route_del(struct store *st, int64_t oca_id, const struct net_prefix *p,
                              const char *proto, bool *found);
/* Number of routes of an OCA. */
enum ocdn_err store_route_count(struct store *st, int64_t oca_id, int64_t *n);

/* Position in a route listing: the last row returned. */
struct route_cursor {
    struct net_prefix prefix;
    char proto[64];
};

struct route_query {
    int64_t oca_id;
    const struct net_prefix *contained_in; /* only routes inside this prefix; NULL = all */
    const struct route_cursor *after;      /* continue after this row; NULL = from start */
    size_t limit;
};

/* Routes of q->oca_id in prefix order (family, address, length, protocol). */
enum ocdn_err store_route_list(struct store *st, const struct route_query *q, struct arena *a,
                               struct route **out, size_t *n);
/* Routes of an OCA that contain p (p itself and every shorter covering prefix), longest
 * first. At most 129 * protocols rows. */
enum ocdn_err store_route_containing(struct store *st, int64_t oca_id, const struct net_prefix *p,
                                     struct arena *a, struct route **out, size_t *n);

/* A prefix learned by some but not all OCAs of a site, with the OCAs that have it. */
struct route_gap {
    struct net_prefix prefix;
    int64_t have;        /* how many of the site's OCAs learned it */
    const char *oca_ids; /* comma-separated ids of those OCAs */
};

/* Prefixes learned by some but not all of the site's active OCAs (nocas of them), in prefix
 * order, at most limit. */
enum ocdn_err store_route_site_gaps(struct store *st, int64_t site_id, int64_t nocas, size_t limit,
                                    struct arena *a, struct route_gap **out, size_t *n);

/* Prefixes every active OCA of the site learned, but not with the same AS path and MED. */
enum ocdn_err store_route_site_mismatches(struct store *st, int64_t site_id, int64_t nocas,
                                          size_t limit, struct arena *a, struct route_gap **out,
                                          size_t *n);

/* The 17-byte key of a prefix: family then 16 address bytes. */
void store_route_key(const struct net_prefix *p, uint8_t key[17]);

#endif
