#ifndef CP_STORE_MAINT_H
#define CP_STORE_MAINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct store;

/* maintenance rows: drain and maintenance windows of one OCA or a whole site. */
struct maint_rec {
    int64_t id;
    int64_t org_id;
    int64_t oca_id;   /* 0 when the window covers a site */
    int64_t site_id;  /* 0 when the window covers one OCA */
    const char *kind; /* "drain" or "maintenance" */
    int64_t starts_at;
    int64_t ends_at;
    const char *note;
    int64_t created_at;
    int64_t created_by;   /* api key id */
    int64_t cancelled_at; /* 0 = not cancelled */
};

struct maint_filter {
    int64_t org_id;  /* 0 = any */
    int64_t oca_id;  /* 0 = any; an OCA's list also shows its site's windows */
    int64_t site_id; /* 0 = any */
    bool current;    /* only windows not ended and not cancelled at now */
    int64_t now;
    int64_t before_id; /* paging: ids below this (0 = newest) */
    size_t limit;
};

enum ocdn_err store_maint_insert(struct store *st, const struct maint_rec *m, int64_t *id);
/* Window id of org_id (0 = any org). */
enum ocdn_err store_maint_get(struct store *st, int64_t org_id, int64_t id, struct arena *a,
                              struct maint_rec *out);
/* Windows matching f, newest first. */
enum ocdn_err store_maint_list(struct store *st, const struct maint_filter *f, struct arena *a,
                               struct maint_rec **out, size_t *n);
/* Cancel window id of org_id; OCDN_ENOTFOUND when missing or another org's; OCDN_ECONFLICT
 * when it is already cancelled or over. */
enum ocdn_err store_maint_cancel(struct store *st, int64_t org_id, int64_t id, int64_t now);
/* Number of live (not cancelled) windows of the same target overlapping [start, end). */
enum ocdn_err store_maint_overlaps(struct store *st, int64_t oca_id, int64_t site_id, int64_t start,
                                   int64_t end, int64_t *n);
/* The window in force for an OCA (its own or its site's) at now: *kind is "maintenance"
 * (which wins), "drain", or NULL when none. */
enum ocdn_err store_maint_active(struct store *st, int64_t oca_id, int64_t site_id, int64_t now,
                                 const char **kind);

#endif
