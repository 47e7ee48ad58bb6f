/* store_bgp.c - bgp_sessions rows. */
#include "store_bgp.h"

#include "store_int.h"

#define BGP_MAX_SESSIONS 64

STORE_SQL(q_mark, "UPDATE bgp_sessions SET updated_at = -1 WHERE oca_id = ?1");
STORE_SQL(q_upsert,
          "INSERT INTO bgp_sessions (oca_id, name, neighbor, peer_asn, family, state, since, "
          "prefixes, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, 0), ?8, ?9) "
          "ON CONFLICT (oca_id, name) DO UPDATE SET neighbor = excluded.neighbor, "
          "peer_asn = excluded.peer_asn, family = excluded.family, state = excluded.state, "
          "since = excluded.since, prefixes = excluded.prefixes, updated_at = "
          "excluded.updated_at");
STORE_SQL(q_sweep, "DELETE FROM bgp_sessions WHERE oca_id = ?1 AND updated_at = -1");
STORE_SQL(q_list, "SELECT oca_id, name, neighbor, peer_asn, family, state, ifnull(since, 0), "
                  "prefixes, kind, updated_at FROM bgp_sessions WHERE oca_id = ?1 ORDER BY "
                  "name LIMIT 64");
STORE_SQL(q_kind, "UPDATE bgp_sessions SET kind = ?3 WHERE oca_id = ?1 AND name = ?2");

enum ocdn_err
store_bgp_replace(struct store *st, int64_t oca_id, const struct bgp_session *v, size_t n,
                  int64_t now)
{
    sqlite3_stmt *s;
    enum ocdn_err err;
    size_t i;

    /* Mark, upsert, sweep: sessions that disappeared go, kinds of the others stay. */
    s = store_stmt(st, &q_mark);
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    err = store_exec_stmt(st, s);
    for (i = 0; !err && i < n; i++) {
        s = store_stmt(st, &q_upsert);
        if (!s)
            return OCDN_EDB;
        sqlite3_bind_int64(s, 1, oca_id);
        store_bind_text(s, 2, v[i].name);
        store_bind_text(s, 3, v[i].neighbor);
        sqlite3_bind_int64(s, 4, v[i].peer_asn);
        store_bind_text(s, 5, v[i].family);
        store_bind_text(s, 6, v[i].state);
        sqlite3_bind_int64(s, 7, v[i].since);
        sqlite3_bind_int64(s, 8, v[i].prefixes);
        sqlite3_bind_int64(s, 9, now);
        err = store_exec_stmt(st, s);
    }
    if (err)
        return err;
    s = store_stmt(st, &q_sweep);
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    return store_exec_stmt(st, s);
}

static enum ocdn_err
row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct bgp_session *b = elem;

    b->oca_id = sqlite3_column_int64(s, 0);
    b->name = store_col_text(s, 1, a);
    b->neighbor = store_col_text(s, 2, a);
    b->peer_asn = sqlite3_column_int64(s, 3);
    b->family = store_col_text(s, 4, a);
    b->state = store_col_text(s, 5, a);
    b->since = sqlite3_column_int64(s, 6);
    b->prefixes = sqlite3_column_int64(s, 7);
    b->kind = store_col_text(s, 8, a);
    b->updated_at = sqlite3_column_int64(s, 9);
    return b->name && b->neighbor && b->family && b->state && b->kind ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
store_bgp_list(struct store *st, int64_t oca_id, struct arena *a, struct bgp_session **out,
               size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_list);

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    return store_rows(st, s, BGP_MAX_SESSIONS, a, sizeof(**out), row, (void **)out, n);
}

enum ocdn_err
store_bgp_set_kind(struct store *st, int64_t oca_id, const char *name, const char *kind)
{
    sqlite3_stmt *s = store_stmt(st, &q_kind);
    enum ocdn_err err;

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    store_bind_text(s, 2, name);
    store_bind_text(s, 3, kind);
    err = store_exec_stmt(st, s);
    if (err)
        return err;
    return store_changes(st) ? OCDN_OK : OCDN_ENOTFOUND;
}
