/* store_file.c - titles, files and the per-OCA catalog. */
#include "store_file.h"

#include "store_int.h"

#define FILE_COLS "id, title_id, size, sha256, profile, bitrate_kbps, region, created_at"

STORE_SQL(q_t_insert, "INSERT INTO titles (id, name, created_at) VALUES (?1, ?2, ?3)");
STORE_SQL(q_t_get, "SELECT id, name, created_at FROM titles WHERE id = ?1");
STORE_SQL(q_t_list, "SELECT id, name, created_at FROM titles WHERE id > ?1 ORDER BY id LIMIT ?2");
STORE_SQL(q_f_insert, "INSERT INTO files (id, title_id, size, sha256, profile, bitrate_kbps, "
                      "region, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
STORE_SQL(q_f_get, "SELECT " FILE_COLS " FROM files WHERE id = ?1");
STORE_SQL(q_f_list, "SELECT " FILE_COLS " FROM files WHERE id > ?1 AND (?2 IS NULL OR "
                    "title_id = ?2) ORDER BY id LIMIT ?3");
STORE_SQL(q_c_clear, "DELETE FROM catalog WHERE oca_id = ?1");
STORE_SQL(q_c_put, "INSERT OR REPLACE INTO catalog (oca_id, file_id, state, completed_at) "
                   "VALUES (?1, ?2, 'complete', ?3)");
STORE_SQL(q_c_del, "DELETE FROM catalog WHERE oca_id = ?1 AND file_id = ?2");
STORE_SQL(q_c_count, "SELECT count(*) FROM catalog WHERE oca_id = ?1");
STORE_SQL(q_m_cover, "SELECT count(*), ifnull(sum(c.file_id IS NOT NULL), 0) FROM "
                     "manifest_files m LEFT JOIN catalog c ON c.oca_id = m.oca_id AND c.file_id "
                     "= m.file_id WHERE m.oca_id = ?1");
STORE_SQL(q_m_version, "SELECT ifnull(max(version), 0) FROM manifests WHERE oca_id = ?1");

enum ocdn_err
store_title_insert(struct store *st, const char *id, const char *name, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, &q_t_insert);

    if (!s)
        return OCDN_EDB;
    store_bind_text(s, 1, id);
    store_bind_text(s, 2, name);
    sqlite3_bind_int64(s, 3, now);
    return store_exec_stmt(st, s);
}

static enum ocdn_err
title_row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct title_rec *t = elem;

    t->id = store_col_text(s, 0, a);
    t->name = store_col_text(s, 1, a);
    t->created_at = sqlite3_column_int64(s, 2);
    return t->id && t->name ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
store_title_get(struct store *st, const char *id, struct arena *a, struct title_rec *out)
{
    sqlite3_stmt *s = store_stmt(st, &q_t_get);

    if (!s)
        return OCDN_EDB;
    store_bind_text(s, 1, id);
    return store_row1(st, s, a, title_row, out);
}

enum ocdn_err
store_title_list(struct store *st, const char *after, size_t limit, struct arena *a,
                 struct title_rec **out, size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_t_list);

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    store_bind_text(s, 1, after ? after : "");
    sqlite3_bind_int64(s, 2, (int64_t)limit);
    return store_rows(st, s, limit, a, sizeof(**out), title_row, (void **)out, n);
}

enum ocdn_err
store_file_insert(struct store *st, const struct file_rec *f)
{
    sqlite3_stmt *s = store_stmt(st, &q_f_insert);

    if (!s)
        return OCDN_EDB;
    store_bind_text(s, 1, f->id);
    store_bind_text(s, 2, f->title_id);
    sqlite3_bind_int64(s, 3, f->size);
    store_bind_text(s, 4, f->sha256);
    store_bind_text(s, 5, f->profile ? f->profile : "");
    sqlite3_bind_int64(s, 6, f->bitrate_kbps);
    store_bind_text(s, 7, f->region ? f->region : "");
    sqlite3_bind_int64(s, 8, f->created_at);
    return store_exec_stmt(st, s);
}

static enum ocdn_err
file_row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct file_rec *f = elem;

    f->id = store_col_text(s, 0, a);
    f->title_id = store_col_text(s, 1, a);
    f->size = sqlite3_column_int64(s, 2);
    f->sha256 = store_col_text(s, 3, a);
    f->profile = store_col_text(s, 4, a);
    f->bitrate_kbps = sqlite3_column_int64(s, 5);
    f->region = store_col_text(s, 6, a);
    f->created_at = sqlite3_column_int64(s, 7);
    return f->id && f->title_id && f->sha256 && f->profile && f->region ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
store_file_get(struct store *st, const char *id, struct arena *a, struct file_rec *out)
{
    sqlite3_stmt *s = store_stmt(st, &q_f_get);

    if (!s)
        return OCDN_EDB;
    store_bind_text(s, 1, id);
    return store_row1(st, s, a, file_row, out);
}

enum ocdn_err
store_file_list(struct store *st, const char *title_id, const char *after, size_t limit,
                struct arena *a, struct file_rec **out, size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_f_list);

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    store_bind_text(s, 1, after ? after : "");
    store_bind_text(s, 2, title_id);
    sqlite3_bind_int64(s, 3, (int64_t)limit);
    return store_rows(st, s, limit, a, sizeof(**out), file_row, (void **)out, n);
}

enum ocdn_err
store_catalog_clear(struct store *st, int64_t oca_id)
{
    sqlite3_stmt *s = store_stmt(st, &q_c_clear);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    return store_exec_stmt(st, s);
}

enum ocdn_err
store_catalog_put(struct store *st, int64_t oca_id, const char *file_id, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, &q_c_put);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    store_bind_text(s, 2, file_id);
    sqlite3_bind_int64(s, 3, now);
    return store_exec_stmt(st, s);
}

enum ocdn_err
store_catalog_del(struct store *st, int64_t oca_id, const char *file_id)
{
    sqlite3_stmt *s = store_stmt(st, &q_c_del);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    store_bind_text(s, 2, file_id);
    return store_exec_stmt(st, s);
}

enum ocdn_err
store_catalog_count(struct store *st, int64_t oca_id, int64_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_c_count);

    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    return store_int1(st, s, n);
}

enum ocdn_err
store_manifest_version(struct store *st, int64_t oca_id, int64_t *version)
{
    sqlite3_stmt *s = store_stmt(st, &q_m_version);

    *version = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    return store_int1(st, s, version);
}

enum ocdn_err
store_manifest_coverage(struct store *st, int64_t oca_id, int64_t *want, int64_t *have)
{
    sqlite3_stmt *s = store_stmt(st, &q_m_cover);
    int rc;

    *want = 0;
    *have = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *want = sqlite3_column_int64(s, 0);
        *have = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? OCDN_OK : store_rc(st, rc);
}
