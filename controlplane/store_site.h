#ifndef CP_STORE_SITE_H
#define CP_STORE_SITE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "model.h"

struct store;

/* sites rows. Reads take org_id: 0 = any org (admin), else only that org's sites. */

/* Next free site number for an IATA code (1 for a new code). Inside the write transaction. */
enum ocdn_err store_site_next_number(struct store *st, const char *iata, int *out);
/* Insert s (all fields but id); *id is the new id. A taken name or (iata, number) is
 * OCDN_EEXIST. */
enum ocdn_err store_site_insert(struct store *st, const struct site *s, int64_t *id);
/* Site id of org_id; OCDN_ENOTFOUND when missing or another org's. */
enum ocdn_err store_site_get(struct store *st, int64_t org_id, int64_t id, struct arena *a,
                             struct site *out);
/* Sites of org_id with id > after_id, in id order, at most limit. */
enum ocdn_err store_site_list(struct store *st, int64_t org_id, int64_t after_id, size_t limit,
                              struct arena *a, struct site **out, size_t *n);
/* Set the fill-window offset (minutes) of site id of org_id. */
enum ocdn_err store_site_set_fill_offset(struct store *st, int64_t org_id, int64_t id,
                                         int offset_min);

#endif
