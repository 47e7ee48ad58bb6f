#ifndef CP_AUTH_H
#define CP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* API keys: creation, and bearer key -> tenant scope. Keys are "ocdn_<kind>_<43 chars>" with
 * 256 random bits; only their SHA-256 is stored. Resolved keys are cached in memory for
 * ttl_ms so that hot routes (steering) do not touch the database; revocation through this
 * process clears the cache at once, and other processes see it within ttl_ms. */

struct store;

enum scope {
    SCOPE_NONE = 0, /* unauthenticated routes (healthz, metrics) */
    SCOPE_ADMIN = 1u << 0,
    SCOPE_FRONTEND = 1u << 1,
    SCOPE_PARTNER = 1u << 2,
    SCOPE_APPLIANCE = 1u << 3,
};

struct tenant {
    enum scope scope;
    int64_t org_id; /* partner keys: their org; 0 otherwise */
    int64_t oca_id; /* appliance keys: their OCA; 0 otherwise */
    int64_t key_id;
};

#define AUTH_KEY_STRLEN 64 /* "ocdn_" kind "_" 43 chars + NUL fits */

struct auth;

/* New resolver with a cache of at most max_entries keys kept for ttl_ms. */
struct auth *auth_new(int64_t ttl_ms, size_t max_entries);
void auth_free(struct auth *au);
/* Forget every cached key (after a revocation or rotation). */
void auth_flush(struct auth *au);
/* Keep keys resolved from now on for ttl_ms (auth_cache_ttl after a reload). */
void auth_set_ttl(struct auth *au, int64_t ttl_ms);

/* Resolve an Authorization header value ("Bearer <key>"). OCDN_EUNAUTH for a missing,
 * malformed, unknown or revoked key; OCDN_EBUSY/OCDN_EDB when the database fails. */
enum ocdn_err auth_resolve(struct auth *au, struct store *st, const char *header, int64_t now_ms,
                           struct tenant *out);

/* Create a key for scope (org_id for partner, oca_id for appliance) with a label; writes the
 * key text (shown once) into key_out and its row id into *id. Runs in the caller's
 * transaction if one is open. */
enum ocdn_err auth_key_create(struct store *st, enum scope scope, int64_t org_id, int64_t oca_id,
                              const char *label, int64_t now, char key_out[AUTH_KEY_STRLEN],
                              int64_t *id);

/* "admin", "frontend", "partner", "appliance". */
const char *scope_str(enum scope s);
/* Parse "admin", "frontend", "partner:<org id>" (the CLI's --scope); OCDN_EINVAL otherwise. */
enum ocdn_err scope_parse_cli(const char *s, enum scope *scope, int64_t *org_id);

#endif
