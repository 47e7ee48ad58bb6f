/* store_key.c - api_keys rows: insert by hash, find active keys, list, revoke.
 * The key text itself never reaches this module; auth.c hashes it. */
#include "store_key.h"

#include "store_int.h"

#define KEY_COLS                                                                                   \
    "id, key_prefix, scope, ifnull(org_id, 0), ifnull(oca_id, 0), label, "                         \
    "created_at, ifnull(revoked_at, 0)"

STORE_SQL(q_insert, "INSERT INTO api_keys (key_hash, key_prefix, scope, org_id, oca_id, label, "
                    "created_at) VALUES (?1, ?2, ?3, nullif(?4, 0), nullif(?5, 0), ?6, ?7)");
STORE_SQL(q_find, "SELECT " KEY_COLS " FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL");
STORE_SQL(q_list, "SELECT " KEY_COLS " FROM api_keys WHERE (?2 = 0 OR org_id = ?2) AND (?3 = 0 "
                  "OR id < ?3) ORDER BY id DESC LIMIT ?1");
STORE_SQL(q_get, "SELECT " KEY_COLS " FROM api_keys WHERE id = ?1 AND (?2 = 0 OR org_id = ?2)");
STORE_SQL(q_revoke, "UPDATE api_keys SET revoked_at = ?3 WHERE id = ?1 AND revoked_at IS NULL "
                    "AND (?2 = 0 OR org_id = ?2)");
STORE_SQL(q_revoke_oca, "UPDATE api_keys SET revoked_at = ?2 WHERE oca_id = ?1 AND scope = "
                        "'appliance' AND revoked_at IS NULL");

enum ocdn_err
store_key_insert(struct store *st, const char *hash_hex, const char *prefix, const char *scope,
                 int64_t org_id, int64_t oca_id, const char *label, int64_t now, int64_t *id)
{
    sqlite3_stmt *s = store_stmt(st, &q_insert);
    enum ocdn_err err;

    *id = 0;
    if (!s)
        return OCDN_EDB;
    store_bind_text(s, 1, hash_hex);
    store_bind_text(s, 2, prefix);
    store_bind_text(s, 3, scope);
    sqlite3_bind_int64(s, 4, org_id);
    sqlite3_bind_int64(s, 5, oca_id);
    store_bind_text(s, 6, label ? label : "");
    sqlite3_bind_int64(s, 7, now);
    err = store_exec_stmt(st, s);
    if (err)
        return err;
    *id = sqlite3_last_insert_rowid(store_db(st));
    return OCDN_OK;
}

static enum ocdn_err
row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct api_key_rec *r = elem;

    r->id = sqlite3_column_int64(s, 0);
    r->prefix = store_col_text(s, 1, a);
    r->scope = store_col_text(s, 2, a);
    r->org_id = sqlite3_column_int64(s, 3);
    r->oca_id = sqlite3_column_int64(s, 4);
    r->label = store_col_text(s, 5, a);
    r->created_at = sqlite3_column_int64(s, 6);
    r->revoked_at = sqlite3_column_int64(s, 7);
    return r->prefix && r->scope && r->label ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
store_key_find(struct store *st, const char *hash_hex, struct arena *a, struct api_key_rec *out)
{
    sqlite3_stmt *s = store_stmt(st, &q_find);

    if (!s)
        return OCDN_EDB;
    store_bind_text(s, 1, hash_hex);
    return store_row1(st, s, a, row, out);
}

enum ocdn_err
store_key_list(struct store *st, int64_t org_id, int64_t before, size_t limit, struct arena *a,
               struct api_key_rec **out, size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_list);

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, (int64_t)limit);
    sqlite3_bind_int64(s, 2, org_id);
    sqlite3_bind_int64(s, 3, before);
    return store_rows(st, s, limit, a, sizeof(**out), row, (void **)out, n);
}

enum ocdn_err
store_key_get(struct store *st, int64_t org_id, int64_t id, struct arena *a,
              struct api_key_rec *out)
{
    sqlite3_stmt *s = store_stmt(st, &q_get);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, org_id);
    return store_row1(st, s, a, row, out);
}

enum ocdn_err
store_key_revoke(struct store *st, int64_t org_id, int64_t id, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, &q_revoke);
    enum ocdn_err err;

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, org_id);
    sqlite3_bind_int64(s, 3, now);
    err = store_exec_stmt(st, s);
    if (err)
        return err;
    return store_changes(st) == 1 ? OCDN_OK : OCDN_ENOTFOUND;
}

enum ocdn_err
store_key_revoke_oca(struct store *st, int64_t oca_id, int64_t now, int64_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_revoke_oca);
    enum ocdn_err err;

    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    sqlite3_bind_int64(s, 2, now);
    err = store_exec_stmt(st, s);
    if (!err)
        *n = store_changes(st);
    return err;
}
