#ifndef CP_STORE_ORG_H
#define CP_STORE_ORG_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "model.h"

struct store;

/* orgs and org_asns rows. */

/* Insert o (name, display_name, kind, created_at, asns); *id is the new id. A taken name is
 * OCDN_EEXIST. Call inside a transaction (several statements). */
enum ocdn_err store_org_insert(struct store *st, const struct org *o, int64_t *id);
/* Org id with its ASNs (strings and array in a); OCDN_ENOTFOUND. */
enum ocdn_err store_org_get(struct store *st, int64_t id, struct arena *a, struct org *out);
/* Orgs with id > after_id in id order, at most limit (ASNs included). */
enum ocdn_err store_org_list(struct store *st, int64_t after_id, size_t limit, struct arena *a,
                             struct org **out, size_t *n);
/* Replace the ASNs of org id (inside a transaction). */
enum ocdn_err store_org_set_asns(struct store *st, int64_t id, const int64_t *asns, size_t n);
/* Set the display name. */
enum ocdn_err store_org_set_display_name(struct store *st, int64_t id, const char *name);
/* True (OCDN_OK) when asn belongs to org id; OCDN_ENOTFOUND otherwise. */
enum ocdn_err store_org_has_asn(struct store *st, int64_t id, int64_t asn);

#endif
