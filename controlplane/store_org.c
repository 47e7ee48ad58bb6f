/* store_org.c - orgs and their ASNs. */
#include "store_org.h"

#include <string.h>

#include "store_int.h"

#define ORG_MAX_ASNS 1024

STORE_SQL(q_insert,
          "INSERT INTO orgs (name, display_name, kind, created_at) VALUES (?1, ?2, ?3, ?4)");
STORE_SQL(q_get, "SELECT id, name, display_name, kind, created_at FROM orgs WHERE id = ?1");
STORE_SQL(q_list, "SELECT id, name, display_name, kind, created_at FROM orgs WHERE id > ?1 "
                  "ORDER BY id LIMIT ?2");
STORE_SQL(q_asns, "SELECT asn FROM org_asns WHERE org_id = ?1 ORDER BY asn LIMIT 1024");
STORE_SQL(q_asn_del, "DELETE FROM org_asns WHERE org_id = ?1");
STORE_SQL(q_asn_add, "INSERT OR IGNORE INTO org_asns (org_id, asn) VALUES (?1, ?2)");
STORE_SQL(q_asn_has, "SELECT 1 FROM org_asns WHERE org_id = ?1 AND asn = ?2");
STORE_SQL(q_set_name, "UPDATE orgs SET display_name = ?2 WHERE id = ?1");

enum ocdn_err
store_org_set_asns(struct store *st, int64_t id, const int64_t *asns, size_t n)
{
    sqlite3_stmt *s = store_stmt(st, &q_asn_del);
    enum ocdn_err err;
    size_t i;

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    err = store_exec_stmt(st, s);
    for (i = 0; !err && i < n; i++) {
        s = store_stmt(st, &q_asn_add);
        if (!s)
            return OCDN_EDB;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, asns[i]);
        err = store_exec_stmt(st, s);
    }
    return err;
}

enum ocdn_err
store_org_insert(struct store *st, const struct org *o, int64_t *id)
{
    sqlite3_stmt *s = store_stmt(st, &q_insert);
    enum ocdn_err err;

    *id = 0;
    if (!s)
        return OCDN_EDB;
    store_bind_text(s, 1, o->name);
    store_bind_text(s, 2, o->display_name);
    store_bind_text(s, 3, o->kind);
    sqlite3_bind_int64(s, 4, o->created_at);
    err = store_exec_stmt(st, s);
    if (err)
        return err;
    *id = sqlite3_last_insert_rowid(store_db(st));
    return store_org_set_asns(st, *id, o->asns, o->nasns);
}

static enum ocdn_err
load_asns(struct store *st, struct arena *a, struct org *o)
{
    sqlite3_stmt *s = store_stmt(st, &q_asns);
    int64_t buf[ORG_MAX_ASNS];
    size_t n = 0;
    int rc;

    o->asns = NULL;
    o->nasns = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, o->id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < ORG_MAX_ASNS)
        buf[n++] = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_rc(st, rc);
    if (n) {
        o->asns = arena_alloc(a, n * sizeof(*o->asns));
        if (!o->asns)
            return OCDN_ENOMEM;
        memcpy(o->asns, buf, n * sizeof(*o->asns));
    }
    o->nasns = n;
    return OCDN_OK;
}

static enum ocdn_err
row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct org *o = elem;

    o->id = sqlite3_column_int64(s, 0);
    o->name = store_col_text(s, 1, a);
    o->display_name = store_col_text(s, 2, a);
    o->kind = store_col_text(s, 3, a);
    o->created_at = sqlite3_column_int64(s, 4);
    return o->name && o->display_name && o->kind ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
store_org_get(struct store *st, int64_t id, struct arena *a, struct org *out)
{
    sqlite3_stmt *s = store_stmt(st, &q_get);
    enum ocdn_err err;

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    err = store_row1(st, s, a, row, out);
    if (err)
        return err;
    return load_asns(st, a, out);
}

enum ocdn_err
store_org_list(struct store *st, int64_t after_id, size_t limit, struct arena *a, struct org **out,
               size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_list);
    enum ocdn_err err;
    size_t i;

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, after_id);
    sqlite3_bind_int64(s, 2, (int64_t)limit);
    err = store_rows(st, s, limit, a, sizeof(**out), row, (void **)out, n);
    for (i = 0; !err && i < *n; i++)
        err = load_asns(st, a, &(*out)[i]);
    return err;
}

enum ocdn_err
store_org_set_display_name(struct store *st, int64_t id, const char *name)
{
    sqlite3_stmt *s = store_stmt(st, &q_set_name);
    enum ocdn_err err;

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    store_bind_text(s, 2, name);
    err = store_exec_stmt(st, s);
    if (err)
        return err;
    return store_changes(st) ? OCDN_OK : OCDN_ENOTFOUND;
}

enum ocdn_err
store_org_has_asn(struct store *st, int64_t id, int64_t asn)
{
    sqlite3_stmt *s = store_stmt(st, &q_asn_has);
    int rc;

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, asn);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return OCDN_OK;
    return rc == SQLITE_DONE ? OCDN_ENOTFOUND : store_rc(st, rc);
}
