/* store_notif.c - notifications rows, with the hold time that keeps them from flapping. */
#include "store_notif.h"

#include "store_int.h"

#define NOTIF_COLS                                                                                 \
    "id, org_id, ifnull(oca_id, 0), kind, severity, state, message, opened_at, "                   \
    "ifnull(acked_at, 0), ifnull(acked_by, 0), ifnull(closed_at, 0), ifnull(clear_since, 0)"

STORE_SQL(q_refresh, "UPDATE notifications SET clear_since = NULL, message = ?3, severity = ?4 "
                     "WHERE oca_id = ?1 AND kind = ?2 AND state <> 'closed'");
STORE_SQL(q_open, "INSERT INTO notifications (org_id, oca_id, kind, severity, state, message, "
                  "opened_at) VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6)");
STORE_SQL(q_clear, "UPDATE notifications SET clear_since = ?3 WHERE oca_id = ?1 AND kind = ?2 "
                   "AND state <> 'closed' AND clear_since IS NULL");
STORE_SQL(q_close_cleared, "UPDATE notifications SET state = 'closed', closed_at = ?2 WHERE "
                           "state <> 'closed' AND clear_since IS NOT NULL AND clear_since <= ?1");
STORE_SQL(q_close, "UPDATE notifications SET state = 'closed', closed_at = ?3 WHERE oca_id = ?1 "
                   "AND (?2 IS NULL OR kind = ?2) AND state <> 'closed'");
STORE_SQL(q_present, "SELECT count(*) FROM notifications WHERE oca_id = ?1 AND kind = ?2 AND "
                     "state <> 'closed' AND clear_since IS NULL");
STORE_SQL(q_exists, "SELECT count(*) FROM notifications WHERE id = ?1 AND (?2 = 0 OR org_id = ?2)");
STORE_SQL(q_list, "SELECT " NOTIF_COLS " FROM notifications WHERE (?1 = 0 OR org_id = ?1) AND "
                  "(?2 = 0 OR oca_id = ?2) AND (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR "
                  "state = ?4) AND (?5 = 0 OR id < ?5) ORDER BY id DESC LIMIT ?6");
STORE_SQL(q_get, "SELECT " NOTIF_COLS " FROM notifications WHERE id = ?1 AND (?2 = 0 OR org_id "
                 "= ?2)");
STORE_SQL(q_ack, "UPDATE notifications SET state = 'acknowledged', acked_at = ?4, acked_by = "
                 "nullif(?3, 0) WHERE id = ?1 AND (?2 = 0 OR org_id = ?2) AND state = 'open'");

enum ocdn_err
store_notif_raise(struct store *st, int64_t org_id, int64_t oca_id, const char *kind,
                  const char *severity, const char *message, int64_t now, bool *opened)
{
    sqlite3_stmt *s = store_stmt(st, &q_refresh);
    enum ocdn_err err;

    *opened = false;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    store_bind_text(s, 2, kind);
    store_bind_text(s, 3, message);
    store_bind_text(s, 4, severity);
    err = store_exec_stmt(st, s);
    if (err || store_changes(st) > 0)
        return err;
    s = store_stmt(st, &q_open);
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, org_id);
    sqlite3_bind_int64(s, 2, oca_id);
    store_bind_text(s, 3, kind);
    store_bind_text(s, 4, severity);
    store_bind_text(s, 5, message);
    sqlite3_bind_int64(s, 6, now);
    err = store_exec_stmt(st, s);
    if (!err)
        *opened = true;
    return err;
}

static enum ocdn_err
exec_kind(struct store *st, struct store_sql *q, int64_t oca_id, const char *kind, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, q);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    store_bind_text(s, 2, kind);
    sqlite3_bind_int64(s, 3, now);
    return store_exec_stmt(st, s);
}

enum ocdn_err
store_notif_clear(struct store *st, int64_t oca_id, const char *kind, int64_t now)
{
    return exec_kind(st, &q_clear, oca_id, kind, now);
}

enum ocdn_err
store_notif_close(struct store *st, int64_t oca_id, const char *kind, int64_t now)
{
    return exec_kind(st, &q_close, oca_id, kind, now);
}

enum ocdn_err
store_notif_close_cleared(struct store *st, int64_t cutoff, int64_t now, int64_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_close_cleared);
    enum ocdn_err err;

    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, cutoff);
    sqlite3_bind_int64(s, 2, now);
    err = store_exec_stmt(st, s);
    if (!err)
        *n = store_changes(st);
    return err;
}

enum ocdn_err
store_notif_present(struct store *st, int64_t oca_id, const char *kind, bool *present)
{
    sqlite3_stmt *s = store_stmt(st, &q_present);
    enum ocdn_err err;
    int64_t n;

    *present = false;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    store_bind_text(s, 2, kind);
    err = store_int1(st, s, &n);
    if (!err)
        *present = n > 0;
    return err;
}

static enum ocdn_err
row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct notif_rec *r = elem;

    r->id = sqlite3_column_int64(s, 0);
    r->org_id = sqlite3_column_int64(s, 1);
    r->oca_id = sqlite3_column_int64(s, 2);
    r->kind = store_col_text(s, 3, a);
    r->severity = store_col_text(s, 4, a);
    r->state = store_col_text(s, 5, a);
    r->message = store_col_text(s, 6, a);
    r->opened_at = sqlite3_column_int64(s, 7);
    r->acked_at = sqlite3_column_int64(s, 8);
    r->acked_by = sqlite3_column_int64(s, 9);
    r->closed_at = sqlite3_column_int64(s, 10);
    r->clear_since = sqlite3_column_int64(s, 11);
    return r->kind && r->severity && r->state && r->message ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
store_notif_list(struct store *st, const struct notif_filter *f, struct arena *a,
                 struct notif_rec **out, size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_list);

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, f->org_id);
    sqlite3_bind_int64(s, 2, f->oca_id);
    store_bind_text(s, 3, f->kind);
    store_bind_text(s, 4, f->state);
    sqlite3_bind_int64(s, 5, f->before_id);
    sqlite3_bind_int64(s, 6, (int64_t)f->limit);
    return store_rows(st, s, f->limit, a, sizeof(**out), row, (void **)out, n);
}

enum ocdn_err
store_notif_get(struct store *st, int64_t org_id, int64_t id, struct arena *a,
                struct notif_rec *out)
{
    sqlite3_stmt *s = store_stmt(st, &q_get);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, org_id);
    return store_row1(st, s, a, row, out);
}

enum ocdn_err
store_notif_ack(struct store *st, int64_t org_id, int64_t id, int64_t key_id, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, &q_ack);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, org_id);
    sqlite3_bind_int64(s, 3, key_id);
    sqlite3_bind_int64(s, 4, now);
    return store_update_one(st, s, &q_exists, id, org_id);
}
