/* store_maint.c - maintenance rows (drain and maintenance windows of OCAs and sites). */
#include "store_maint.h"

#include "store_int.h"

#define MAINT_COLS                                                                                 \
    "id, org_id, ifnull(oca_id, 0), ifnull(site_id, 0), kind, starts_at, ends_at, note, "          \
    "created_at, ifnull(created_by, 0), ifnull(cancelled_at, 0)"

STORE_SQL(q_insert, "INSERT INTO maintenance (org_id, oca_id, site_id, kind, starts_at, "
                    "ends_at, note, created_at, created_by) VALUES (?1, nullif(?2, 0), "
                    "nullif(?3, 0), ?4, ?5, ?6, ?7, ?8, nullif(?9, 0))");
STORE_SQL(q_get, "SELECT " MAINT_COLS " FROM maintenance WHERE id = ?1 AND (?2 = 0 OR org_id "
                 "= ?2)");
STORE_SQL(q_list,
          "SELECT " MAINT_COLS " FROM maintenance m WHERE (?1 = 0 OR org_id = ?1) "
          "AND (?2 = 0 OR oca_id = ?2 OR site_id = (SELECT site_id FROM ocas WHERE id = ?2)) "
          "AND (?3 = 0 OR site_id = ?3) "
          "AND (?4 = 0 OR (cancelled_at IS NULL AND ends_at > ?5)) "
          "AND (?6 = 0 OR id < ?6) ORDER BY id DESC LIMIT ?7");
STORE_SQL(q_cancel, "UPDATE maintenance SET cancelled_at = ?3 WHERE id = ?1 AND (?2 = 0 OR "
                    "org_id = ?2) AND cancelled_at IS NULL AND ends_at > ?3");
STORE_SQL(q_exists, "SELECT count(*) FROM maintenance WHERE id = ?1 AND (?2 = 0 OR org_id = ?2)");
STORE_SQL(q_overlap, "SELECT count(*) FROM maintenance WHERE cancelled_at IS NULL AND "
                     "ifnull(oca_id, 0) = ?1 AND ifnull(site_id, 0) = ?2 AND starts_at < ?4 "
                     "AND ends_at > ?3");
STORE_SQL(q_active, "SELECT kind FROM maintenance WHERE cancelled_at IS NULL AND starts_at <= "
                    "?3 AND ends_at > ?3 AND (oca_id = ?1 OR site_id = ?2) ORDER BY "
                    "(kind = 'maintenance') DESC LIMIT 1");

enum ocdn_err
store_maint_insert(struct store *st, const struct maint_rec *m, int64_t *id)
{
    sqlite3_stmt *s = store_stmt(st, &q_insert);
    enum ocdn_err err;

    *id = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, m->org_id);
    sqlite3_bind_int64(s, 2, m->oca_id);
    sqlite3_bind_int64(s, 3, m->site_id);
    store_bind_text(s, 4, m->kind);
    sqlite3_bind_int64(s, 5, m->starts_at);
    sqlite3_bind_int64(s, 6, m->ends_at);
    store_bind_text(s, 7, m->note ? m->note : "");
    sqlite3_bind_int64(s, 8, m->created_at);
    sqlite3_bind_int64(s, 9, m->created_by);
    err = store_exec_stmt(st, s);
    if (!err)
        *id = sqlite3_last_insert_rowid(store_db(st));
    return err;
}

static enum ocdn_err
row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct maint_rec *m = elem;

    m->id = sqlite3_column_int64(s, 0);
    m->org_id = sqlite3_column_int64(s, 1);
    m->oca_id = sqlite3_column_int64(s, 2);
    m->site_id = sqlite3_column_int64(s, 3);
    m->kind = store_col_text(s, 4, a);
    m->starts_at = sqlite3_column_int64(s, 5);
    m->ends_at = sqlite3_column_int64(s, 6);
    m->note = store_col_text(s, 7, a);
    m->created_at = sqlite3_column_int64(s, 8);
    m->created_by = sqlite3_column_int64(s, 9);
    m->cancelled_at = sqlite3_column_int64(s, 10);
    return m->kind && m->note ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
store_maint_get(struct store *st, int64_t org_id, int64_t id, struct arena *a,
                struct maint_rec *out)
{
    sqlite3_stmt *s = store_stmt(st, &q_get);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, org_id);
    return store_row1(st, s, a, row, out);
}

enum ocdn_err
store_maint_list(struct store *st, const struct maint_filter *f, struct arena *a,
                 struct maint_rec **out, size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_list);

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, f->org_id);
    sqlite3_bind_int64(s, 2, f->oca_id);
    sqlite3_bind_int64(s, 3, f->site_id);
    sqlite3_bind_int(s, 4, f->current ? 1 : 0);
    sqlite3_bind_int64(s, 5, f->now);
    sqlite3_bind_int64(s, 6, f->before_id);
    sqlite3_bind_int64(s, 7, (int64_t)f->limit);
    return store_rows(st, s, f->limit, a, sizeof(**out), row, (void **)out, n);
}

enum ocdn_err
store_maint_cancel(struct store *st, int64_t org_id, int64_t id, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, &q_cancel);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, org_id);
    sqlite3_bind_int64(s, 3, now);
    return store_update_one(st, s, &q_exists, id, org_id);
}

enum ocdn_err
store_maint_overlaps(struct store *st, int64_t oca_id, int64_t site_id, int64_t start, int64_t end,
                     int64_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_overlap);

    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    sqlite3_bind_int64(s, 2, site_id);
    sqlite3_bind_int64(s, 3, start);
    sqlite3_bind_int64(s, 4, end);
    return store_int1(st, s, n);
}

enum ocdn_err
store_maint_active(struct store *st, int64_t oca_id, int64_t site_id, int64_t now,
                   const char **kind)
{
    sqlite3_stmt *s = store_stmt(st, &q_active);
    const char *k;
    int rc;

    *kind = NULL;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    sqlite3_bind_int64(s, 2, site_id);
    sqlite3_bind_int64(s, 3, now);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        k = (const char *)sqlite3_column_text(s, 0);
        *kind = k && k[0] == 'm' ? "maintenance" : "drain";
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? OCDN_OK : store_rc(st, rc);
}
