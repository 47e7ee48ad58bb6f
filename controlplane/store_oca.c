/* store_oca.c - ocas and their URL signing keys.
 * Reads join sites so that the org filter (and the site name) come with each row. */
#include "store_oca.h"

#include <string.h>

#include "store_int.h"

#define OCA_COLS                                                                                   \
    "o.id, o.site_id, s.org_id, s.name, o.number, o.hostname, o.model, o.capacity_bytes, "         \
    "o.nic_bps, o.ipv4, o.ipv6, o.http_port, o.https_port, o.state, o.status, "                    \
    "ifnull(o.last_report_at, 0), o.last_seq, o.routes_seq, o.load_bps, o.created_at, "            \
    "ifnull(o.status_since, 0), o.prefix_count, o.prefix_peak, o.health, o.traffic, o.degraded, "  \
    "o.bgp_sessions, o.bgp_established"
#define OCA_FROM " FROM ocas o JOIN sites s ON s.id = o.site_id "

STORE_SQL(q_next, "SELECT ifnull(max(number), 0) + 1 FROM ocas WHERE site_id = ?1");
STORE_SQL(q_insert, "INSERT INTO ocas (site_id, number, hostname, model, capacity_bytes, "
                    "nic_bps, ipv4, ipv6, http_port, https_port, created_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
STORE_SQL(q_get, "SELECT " OCA_COLS OCA_FROM "WHERE o.id = ?1 AND (?2 = 0 OR s.org_id = ?2)");
STORE_SQL(q_list, "SELECT " OCA_COLS OCA_FROM "WHERE o.id > ?1 AND (?2 = 0 OR s.org_id = ?2) "
                  "AND (?3 = 0 OR o.site_id = ?3) ORDER BY o.id LIMIT ?4");
STORE_SQL(q_decom, "UPDATE ocas SET state = 'decommissioned', status = 'decommissioned', "
                   "status_since = ?2 WHERE id = ?1 AND state <> 'decommissioned'");
STORE_SQL(q_applied,
          "UPDATE ocas SET last_seq = ?2, routes_seq = ?2, catalog_seq = ?2, last_report_at = ?3, "
          "load_bps = CASE WHEN ?4 < 0 THEN load_bps ELSE ?4 END, health = ifnull(?5, health), "
          "traffic = ifnull(?6, traffic), prefix_count = ?7, prefix_peak = max(prefix_peak, ?7), "
          "status_since = CASE WHEN status = ?8 THEN status_since ELSE ?3 END, status = ?8, "
          "degraded = ?9, routes_rev = routes_rev + ?10, catalog_rev = catalog_rev + ?11, "
          "bgp_sessions = CASE WHEN ?12 < 0 THEN bgp_sessions ELSE ?12 END, "
          "bgp_established = CASE WHEN ?12 < 0 THEN bgp_established ELSE ?13 END WHERE id = ?1");
STORE_SQL(q_bump, "UPDATE ocas SET routes_rev = routes_rev + 1 WHERE id = ?1");
STORE_SQL(q_peak, "UPDATE ocas SET prefix_peak = prefix_count WHERE id = ?1");
STORE_SQL(q_status, "UPDATE ocas SET status_since = CASE WHEN status = ?2 THEN status_since "
                    "ELSE ?3 END, status = ?2 WHERE id = ?1");
STORE_SQL(q_key_add, "INSERT INTO oca_sign_keys (oca_id, secret, created_at) VALUES (?1, ?2, ?3)");
STORE_SQL(q_key_retire,
          "UPDATE oca_sign_keys SET not_after = ?2 WHERE oca_id = ?1 AND not_after IS NULL");
STORE_SQL(q_key_delivered, "UPDATE oca_sign_keys SET delivered_at = ?2 WHERE oca_id = ?1 AND "
                           "delivered_at IS NULL AND (not_after IS NULL OR not_after >= ?2)");
STORE_SQL(q_keys, "SELECT id, secret, created_at, ifnull(not_after, 0) FROM oca_sign_keys "
                  "WHERE oca_id = ?1 AND (not_after IS NULL OR not_after >= ?2) "
                  "ORDER BY (not_after IS NULL) DESC, id DESC LIMIT 8");

enum ocdn_err
store_oca_next_number(struct store *st, int64_t site_id, int *out)
{
    sqlite3_stmt *s = store_stmt(st, &q_next);
    enum ocdn_err err;
    int64_t v;

    *out = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, site_id);
    err = store_int1(st, s, &v);
    if (!err)
        *out = (int)v;
    return err;
}

enum ocdn_err
store_oca_insert(struct store *st, const struct oca *o, int64_t *id)
{
    sqlite3_stmt *s = store_stmt(st, &q_insert);
    enum ocdn_err err;

    *id = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, o->site_id);
    sqlite3_bind_int(s, 2, o->number);
    store_bind_text(s, 3, o->hostname);
    store_bind_text(s, 4, oca_model_str(o->model));
    sqlite3_bind_int64(s, 5, o->capacity_bytes);
    sqlite3_bind_int64(s, 6, o->nic_bps);
    store_bind_text(s, 7, o->ipv4);
    store_bind_text(s, 8, o->ipv6);
    sqlite3_bind_int(s, 9, o->http_port);
    sqlite3_bind_int(s, 10, o->https_port);
    sqlite3_bind_int64(s, 11, o->created_at);
    err = store_exec_stmt(st, s);
    if (!err)
        *id = sqlite3_last_insert_rowid(store_db(st));
    return err;
}

static enum ocdn_err
row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct oca *o = elem;
    const char *model, *state, *status;

    o->id = sqlite3_column_int64(s, 0);
    o->site_id = sqlite3_column_int64(s, 1);
    o->org_id = sqlite3_column_int64(s, 2);
    o->site_name = store_col_text(s, 3, a);
    o->number = sqlite3_column_int(s, 4);
    o->hostname = store_col_text(s, 5, a);
    model = (const char *)sqlite3_column_text(s, 6);
    if (!model || !oca_model_parse(model, &o->model))
        o->model = OCA_MODEL_STORAGE;
    o->capacity_bytes = sqlite3_column_int64(s, 7);
    o->nic_bps = sqlite3_column_int64(s, 8);
    o->ipv4 = store_col_text_null(s, 9, a);
    o->ipv6 = store_col_text_null(s, 10, a);
    o->http_port = sqlite3_column_int(s, 11);
    o->https_port = sqlite3_column_int(s, 12);
    state = (const char *)sqlite3_column_text(s, 13);
    o->decommissioned = state && strcmp(state, "decommissioned") == 0;
    status = (const char *)sqlite3_column_text(s, 14);
    if (!status || !oca_status_parse(status, &o->status))
        o->status = OCA_STATUS_UNREPORTED;
    o->last_report_at = sqlite3_column_int64(s, 15);
    o->last_seq = sqlite3_column_int64(s, 16);
    o->routes_seq = sqlite3_column_int64(s, 17);
    o->load_bps = sqlite3_column_int64(s, 18);
    o->created_at = sqlite3_column_int64(s, 19);
    o->status_since = sqlite3_column_int64(s, 20);
    o->prefix_count = sqlite3_column_int64(s, 21);
    o->prefix_peak = sqlite3_column_int64(s, 22);
    o->health = store_col_text(s, 23, a);
    o->traffic = store_col_text(s, 24, a);
    o->degraded = sqlite3_column_int(s, 25) != 0;
    o->bgp_sessions = sqlite3_column_int(s, 26);
    o->bgp_established = sqlite3_column_int(s, 27);
    return o->site_name && o->hostname && o->health && o->traffic ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
store_oca_get(struct store *st, int64_t org_id, int64_t id, struct arena *a, struct oca *out)
{
    sqlite3_stmt *s = store_stmt(st, &q_get);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, org_id);
    return store_row1(st, s, a, row, out);
}

enum ocdn_err
store_oca_list(struct store *st, const struct oca_filter *f, struct arena *a, struct oca **out,
               size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_list);

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, f->after_id);
    sqlite3_bind_int64(s, 2, f->org_id);
    sqlite3_bind_int64(s, 3, f->site_id);
    sqlite3_bind_int64(s, 4, (int64_t)f->limit);
    return store_rows(st, s, f->limit, a, sizeof(**out), row, (void **)out, n);
}

static enum ocdn_err
exec_changed(struct store *st, sqlite3_stmt *s, enum ocdn_err none)
{
    enum ocdn_err err = store_exec_stmt(st, s);

    if (err)
        return err;
    return store_changes(st) ? OCDN_OK : none;
}

enum ocdn_err
store_oca_decommission(struct store *st, int64_t id, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, &q_decom);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    return exec_changed(st, s, OCDN_ECONFLICT);
}

enum ocdn_err
store_oca_report_applied(struct store *st, int64_t id, const struct oca_report_update *u)
{
    sqlite3_stmt *s = store_stmt(st, &q_applied);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, u->seq);
    sqlite3_bind_int64(s, 3, u->now);
    sqlite3_bind_int64(s, 4, u->load_bps);
    store_bind_text(s, 5, u->health);
    store_bind_text(s, 6, u->traffic);
    sqlite3_bind_int64(s, 7, u->prefix_count);
    store_bind_text(s, 8, oca_status_str(u->status));
    sqlite3_bind_int(s, 9, u->degraded ? 1 : 0);
    sqlite3_bind_int(s, 10, u->routes_changed ? 1 : 0);
    sqlite3_bind_int(s, 11, u->catalog_changed ? 1 : 0);
    sqlite3_bind_int(s, 12, u->bgp_sessions);
    sqlite3_bind_int(s, 13, u->bgp_established);
    return exec_changed(st, s, OCDN_ENOTFOUND);
}

enum ocdn_err
store_oca_bump_routes(struct store *st, int64_t id)
{
    sqlite3_stmt *s = store_stmt(st, &q_bump);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    return exec_changed(st, s, OCDN_ENOTFOUND);
}

enum ocdn_err
store_oca_reset_prefix_peak(struct store *st, int64_t id)
{
    sqlite3_stmt *s = store_stmt(st, &q_peak);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    return exec_changed(st, s, OCDN_ENOTFOUND);
}

enum ocdn_err
store_oca_set_status(struct store *st, int64_t id, enum oca_status status, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, &q_status);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    store_bind_text(s, 2, oca_status_str(status));
    sqlite3_bind_int64(s, 3, now);
    return exec_changed(st, s, OCDN_ENOTFOUND);
}

enum ocdn_err
store_oca_sign_key_add(struct store *st, int64_t oca_id, const uint8_t secret[32], int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, &q_key_add);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    sqlite3_bind_blob(s, 2, secret, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, now);
    return store_exec_stmt(st, s);
}

enum ocdn_err
store_oca_sign_key_retire(struct store *st, int64_t oca_id, int64_t not_after)
{
    sqlite3_stmt *s = store_stmt(st, &q_key_retire);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    sqlite3_bind_int64(s, 2, not_after);
    return store_exec_stmt(st, s);
}

enum ocdn_err
store_oca_sign_keys_delivered(struct store *st, int64_t oca_id, int64_t now, int64_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_key_delivered);
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

static enum ocdn_err
key_row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct oca_sign_key *k = elem;

    (void)a;
    k->id = sqlite3_column_int64(s, 0);
    if (sqlite3_column_bytes(s, 1) != (int)sizeof(k->secret))
        return OCDN_EDB;
    memcpy(k->secret, sqlite3_column_blob(s, 1), sizeof(k->secret));
    k->created_at = sqlite3_column_int64(s, 2);
    k->not_after = sqlite3_column_int64(s, 3);
    return OCDN_OK;
}

enum ocdn_err
store_oca_sign_keys(struct store *st, int64_t oca_id, int64_t now, struct arena *a,
                    struct oca_sign_key **out, size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_keys);

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    sqlite3_bind_int64(s, 2, now);
    return store_rows(st, s, 8, a, sizeof(**out), key_row, (void **)out, n);
}
