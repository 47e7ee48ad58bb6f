/* store_report.c - the report log (metadata of each applied report, newest kept). */
#include "store_report.h"

#include "store_int.h"

STORE_SQL(q_insert, "INSERT INTO reports (oca_id, seq, received_at, body_bytes, routes_mode, "
                    "routes_added, routes_removed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
STORE_SQL(q_prune, "DELETE FROM reports WHERE oca_id = ?1 AND id NOT IN (SELECT id FROM "
                   "reports WHERE oca_id = ?1 ORDER BY id DESC LIMIT ?2)");

enum ocdn_err
store_report_insert(struct store *st, const struct report_rec *r)
{
    sqlite3_stmt *s = store_stmt(st, &q_insert);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, r->oca_id);
    sqlite3_bind_int64(s, 2, r->seq);
    sqlite3_bind_int64(s, 3, r->received_at);
    sqlite3_bind_int64(s, 4, r->body_bytes);
    store_bind_text(s, 5, r->routes_mode);
    sqlite3_bind_int64(s, 6, r->routes_added);
    sqlite3_bind_int64(s, 7, r->routes_removed);
    return store_exec_stmt(st, s);
}

enum ocdn_err
store_report_prune(struct store *st, int64_t oca_id, int64_t keep)
{
    sqlite3_stmt *s = store_stmt(st, &q_prune);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    sqlite3_bind_int64(s, 2, keep);
    return store_exec_stmt(st, s);
}
