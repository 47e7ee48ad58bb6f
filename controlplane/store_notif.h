#ifndef CP_STORE_NOTIF_H
#define CP_STORE_NOTIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct store;

/* notifications rows. At most one unclosed notification exists per (OCA, kind). */
struct notif_rec {
    int64_t id;
    int64_t org_id;
    int64_t oca_id;
    const char *kind;
    const char *severity; /* "info", "warning", "critical" */
    const char *state;    /* "open", "acknowledged", "closed" */
    const char *message;
    int64_t opened_at;
    int64_t acked_at;
    int64_t acked_by;
    int64_t closed_at;
    int64_t clear_since; /* 0 = the condition is present */
};

struct notif_filter {
    int64_t org_id;    /* 0 = any */
    int64_t oca_id;    /* 0 = any */
    const char *kind;  /* NULL = any */
    const char *state; /* NULL = any */
    int64_t before_id; /* 0 = newest */
    size_t limit;
};

/* Raise (oca, kind): a new open notification, or, when an unclosed one exists, mark its
 * condition present again and refresh its message. *opened tells which. */
enum ocdn_err store_notif_raise(struct store *st, int64_t org_id, int64_t oca_id, const char *kind,
                                const char *severity, const char *message, int64_t now,
                                bool *opened);
/* The condition of (oca, kind) is gone: start its hold time (no-op when none is unclosed or
 * the hold already started). */
enum ocdn_err store_notif_clear(struct store *st, int64_t oca_id, const char *kind, int64_t now);
/* Close every unclosed notification whose condition has been gone since before cutoff; *n is
 * how many. */
enum ocdn_err store_notif_close_cleared(struct store *st, int64_t cutoff, int64_t now, int64_t *n);
/* Close (oca, kind) now, whatever its hold (the OCA went away); kind NULL closes every kind. */
enum ocdn_err store_notif_close(struct store *st, int64_t oca_id, const char *kind, int64_t now);
/* Whether the condition of (oca, kind) is present: an unclosed notification whose hold has
 * not started. */
enum ocdn_err store_notif_present(struct store *st, int64_t oca_id, const char *kind,
                                  bool *present);
/* Notifications matching f, newest first. */
enum ocdn_err store_notif_list(struct store *st, const struct notif_filter *f, struct arena *a,
                               struct notif_rec **out, size_t *n);
enum ocdn_err store_notif_get(struct store *st, int64_t org_id, int64_t id, struct arena *a,
                              struct notif_rec *out);
/* Acknowledge an open notification of org_id; OCDN_ECONFLICT when it is not open. */
enum ocdn_err store_notif_ack(struct store *st, int64_t org_id, int64_t id, int64_t key_id,
                              int64_t now);

#endif
