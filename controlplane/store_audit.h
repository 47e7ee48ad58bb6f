#ifndef CP_STORE_AUDIT_H
#define CP_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct store;

/* audit_log rows. */
struct audit_rec {
    int64_t id;
    int64_t at;
    int64_t org_id; /* 0 = global */
    int64_t key_id;
    const char *scope;
    const char *action;
    const char *object_type;
    const char *object_id;
    const char *detail; /* JSON text or "" */
};

/* Insert r (id is ignored). */
enum ocdn_err store_audit_insert(struct store *st, const struct audit_rec *r);
/* Entries of org_id (0 = all) with id < before (0 = newest), newest first, at most limit. */
enum ocdn_err store_audit_list(struct store *st, int64_t org_id, int64_t before, size_t limit,
                               struct arena *a, struct audit_rec **out, size_t *n);

#endif
