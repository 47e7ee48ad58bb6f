/* store_audit.c - audit_log rows (append-only). */
#include "store_audit.h"

#include "store_int.h"

STORE_SQL(q_insert, "INSERT INTO audit_log (at, org_id, key_id, scope, action, object_type, "
                    "object_id, detail) VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8)");
STORE_SQL(q_list, "SELECT id, at, ifnull(org_id, 0), ifnull(key_id, 0), scope, action, "
                  "object_type, object_id, detail FROM audit_log WHERE (?1 = 0 OR org_id = ?1) "
                  "AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3");

enum ocdn_err
store_audit_insert(struct store *st, const struct audit_rec *r)
{
    sqlite3_stmt *s = store_stmt(st, &q_insert);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, r->at);
    sqlite3_bind_int64(s, 2, r->org_id);
    sqlite3_bind_int64(s, 3, r->key_id);
    store_bind_text(s, 4, r->scope);
    store_bind_text(s, 5, r->action);
    store_bind_text(s, 6, r->object_type);
    store_bind_text(s, 7, r->object_id);
    store_bind_text(s, 8, r->detail ? r->detail : "");
    return store_exec_stmt(st, s);
}

static enum ocdn_err
row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct audit_rec *r = elem;

    r->id = sqlite3_column_int64(s, 0);
    r->at = sqlite3_column_int64(s, 1);
    r->org_id = sqlite3_column_int64(s, 2);
    r->key_id = sqlite3_column_int64(s, 3);
    r->scope = store_col_text(s, 4, a);
    r->action = store_col_text(s, 5, a);
    r->object_type = store_col_text(s, 6, a);
    r->object_id = store_col_text(s, 7, a);
    r->detail = store_col_text(s, 8, a);
    return r->scope && r->action && r->object_type && r->object_id && r->detail ? OCDN_OK
                                                                                : OCDN_ENOMEM;
}

enum ocdn_err
store_audit_list(struct store *st, int64_t org_id, int64_t before, size_t limit, struct arena *a,
                 struct audit_rec **out, size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_list);

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, org_id);
    sqlite3_bind_int64(s, 2, before);
    sqlite3_bind_int64(s, 3, (int64_t)limit);
    return store_rows(st, s, limit, a, sizeof(**out), row, (void **)out, n);
}
