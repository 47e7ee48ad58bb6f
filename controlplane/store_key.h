#ifndef CP_STORE_KEY_H
#define CP_STORE_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct store;

/* api_keys rows. scope is the database spelling ("admin", "frontend", "partner",
 * "appliance"); org_id / oca_id are 0 when not set. */
struct api_key_rec {
    int64_t id;
    const char *prefix;
    const char *scope;
    int64_t org_id;
    int64_t oca_id;
    const char *label;
    int64_t created_at;
    int64_t revoked_at; /* 0 = active */
};

/* Insert a key by its hash; *id is the new row id. */
enum ocdn_err store_key_insert(struct store *st, const char *hash_hex, const char *prefix,
                               const char *scope, int64_t org_id, int64_t oca_id, const char *label,
                               int64_t now, int64_t *id);
/* Active (not revoked) key with this hash; OCDN_ENOTFOUND otherwise. Strings in a. */
enum ocdn_err store_key_find(struct store *st, const char *hash_hex, struct arena *a,
                             struct api_key_rec *out);
/* Keys of org_id (0 = all keys) with id < before (0 = newest), newest first, at most limit.
 * Array in a. */
enum ocdn_err store_key_list(struct store *st, int64_t org_id, int64_t before, size_t limit,
                             struct arena *a, struct api_key_rec **out, size_t *n);
/* Key id of org_id (0 = any org), revoked or not. */
enum ocdn_err store_key_get(struct store *st, int64_t org_id, int64_t id, struct arena *a,
                            struct api_key_rec *out);
/* Revoke key id (of org_id unless org_id is 0); OCDN_ENOTFOUND when no such active key. */
enum ocdn_err store_key_revoke(struct store *st, int64_t org_id, int64_t id, int64_t now);
/* Revoke every active appliance key of an OCA; *n is how many. */
enum ocdn_err store_key_revoke_oca(struct store *st, int64_t oca_id, int64_t now, int64_t *n);

#endif
