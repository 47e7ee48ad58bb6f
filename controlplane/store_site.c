/* store_site.c - sites rows; every read filters by org unless the caller is the admin. */
#include "store_site.h"

#include <stdio.h>
#include <string.h>

#include "store_int.h"

#define SITE_COLS                                                                                  \
    "id, org_id, name, iata, number, type, lat, lon, tz, fill_offset_min, manifest_cluster, "      \
    "created_at"

STORE_SQL(q_next, "SELECT ifnull(max(number), 0) + 1 FROM sites WHERE iata = ?1");
STORE_SQL(q_insert, "INSERT INTO sites (org_id, name, iata, number, type, lat, lon, tz, "
                    "fill_offset_min, manifest_cluster, created_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
STORE_SQL(q_get, "SELECT " SITE_COLS " FROM sites WHERE id = ?1 AND (?2 = 0 OR org_id = ?2)");
STORE_SQL(q_list, "SELECT " SITE_COLS " FROM sites WHERE id > ?1 AND (?2 = 0 OR org_id = ?2) "
                  "ORDER BY id LIMIT ?3");
STORE_SQL(q_fill, "UPDATE sites SET fill_offset_min = ?3 WHERE id = ?1 AND (?2 = 0 OR org_id = "
                  "?2)");

enum ocdn_err
store_site_next_number(struct store *st, const char *iata, int *out)
{
    sqlite3_stmt *s = store_stmt(st, &q_next);
    enum ocdn_err err;
    int64_t v;

    *out = 0;
    if (!s)
        return OCDN_EDB;
    store_bind_text(s, 1, iata);
    err = store_int1(st, s, &v);
    if (!err)
        *out = (int)v;
    return err;
}

enum ocdn_err
store_site_insert(struct store *st, const struct site *in, int64_t *id)
{
    sqlite3_stmt *s = store_stmt(st, &q_insert);
    enum ocdn_err err;

    *id = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, in->org_id);
    store_bind_text(s, 2, in->name);
    store_bind_text(s, 3, in->iata);
    sqlite3_bind_int(s, 4, in->number);
    store_bind_text(s, 5, site_type_str(in->type));
    sqlite3_bind_double(s, 6, in->lat);
    sqlite3_bind_double(s, 7, in->lon);
    store_bind_text(s, 8, in->tz);
    sqlite3_bind_int(s, 9, in->fill_offset_min);
    store_bind_text(s, 10, in->manifest_cluster);
    sqlite3_bind_int64(s, 11, in->created_at);
    err = store_exec_stmt(st, s);
    if (!err)
        *id = sqlite3_last_insert_rowid(store_db(st));
    return err;
}

static enum ocdn_err
row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct site *o = elem;
    const char *iata, *type;

    o->id = sqlite3_column_int64(s, 0);
    o->org_id = sqlite3_column_int64(s, 1);
    o->name = store_col_text(s, 2, a);
    iata = (const char *)sqlite3_column_text(s, 3);
    snprintf(o->iata, sizeof(o->iata), "%s", iata ? iata : "");
    o->number = sqlite3_column_int(s, 4);
    type = (const char *)sqlite3_column_text(s, 5);
    if (!type || !site_type_parse(type, &o->type))
        o->type = SITE_TYPE_ISP;
    o->lat = sqlite3_column_double(s, 6);
    o->lon = sqlite3_column_double(s, 7);
    o->tz = store_col_text(s, 8, a);
    o->fill_offset_min = sqlite3_column_int(s, 9);
    o->manifest_cluster = store_col_text_null(s, 10, a);
    o->created_at = sqlite3_column_int64(s, 11);
    return o->name && o->tz ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
store_site_get(struct store *st, int64_t org_id, int64_t id, struct arena *a, struct site *out)
{
    sqlite3_stmt *s = store_stmt(st, &q_get);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, org_id);
    return store_row1(st, s, a, row, out);
}

enum ocdn_err
store_site_list(struct store *st, int64_t org_id, int64_t after_id, size_t limit, struct arena *a,
                struct site **out, size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_list);

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, after_id);
    sqlite3_bind_int64(s, 2, org_id);
    sqlite3_bind_int64(s, 3, (int64_t)limit);
    return store_rows(st, s, limit, a, sizeof(**out), row, (void **)out, n);
}

enum ocdn_err
store_site_set_fill_offset(struct store *st, int64_t org_id, int64_t id, int offset_min)
{
    sqlite3_stmt *s = store_stmt(st, &q_fill);
    enum ocdn_err err;

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, org_id);
    sqlite3_bind_int(s, 3, offset_min);
    err = store_exec_stmt(st, s);
    if (err)
        return err;
    return store_changes(st) ? OCDN_OK : OCDN_ENOTFOUND;
}
