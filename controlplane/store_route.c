/* store_route.c - routes rows. Prefixes are stored as a 17-byte key (family, 16 address
 * bytes) so that index order is prefix order: "contained in P" is a range scan and the
 * listing cursor is a row-value comparison on the primary key. */
#include "store_route.h"

#include <string.h>

#include "store_int.h"

#define ROUTE_COLS                                                                                 \
    "prefix, plen, proto, as_path, as_path_len, ifnull(med, -1), communities, next_hop, flags, "   \
    "learned_at"

STORE_SQL(q_clear, "DELETE FROM routes WHERE oca_id = ?1");
STORE_SQL(q_put, "INSERT OR REPLACE INTO routes (oca_id, prefix, plen, proto, as_path, "
                 "as_path_len, med, communities, next_hop, flags, learned_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, -1), ?8, ?9, ?10, ?11)");
STORE_SQL(q_del, "DELETE FROM routes WHERE oca_id = ?1 AND prefix = ?2 AND plen = ?3 AND "
                 "proto = ?4");
STORE_SQL(q_count, "SELECT count(*) FROM routes WHERE oca_id = ?1");
STORE_SQL(q_list, "SELECT " ROUTE_COLS " FROM routes WHERE oca_id = ?1 "
                  "AND prefix >= ?2 AND prefix <= ?3 AND plen >= ?4 "
                  "AND (prefix, plen, proto) > (?5, ?6, ?7) "
                  "ORDER BY prefix, plen, proto LIMIT ?8");
STORE_SQL(q_gaps, "SELECT r.prefix, r.plen, count(DISTINCT r.oca_id), group_concat(DISTINCT "
                  "r.oca_id) FROM routes r JOIN ocas o ON o.id = r.oca_id WHERE o.site_id = ?1 "
                  "AND o.state = 'active' GROUP BY r.prefix, r.plen HAVING count(DISTINCT "
                  "r.oca_id) < ?2 ORDER BY r.prefix, r.plen LIMIT ?3");
STORE_SQL(q_mismatch,
          "SELECT r.prefix, r.plen, count(DISTINCT r.oca_id), group_concat(DISTINCT r.oca_id) "
          "FROM routes r JOIN ocas o ON o.id = r.oca_id WHERE o.site_id = ?1 AND o.state = "
          "'active' GROUP BY r.prefix, r.plen HAVING count(DISTINCT r.oca_id) >= ?2 AND "
          "count(DISTINCT r.as_path || '|' || ifnull(r.med, '')) > 1 ORDER BY r.prefix, r.plen "
          "LIMIT ?3");
STORE_SQL(q_exact, "SELECT " ROUTE_COLS " FROM routes WHERE oca_id = ?1 AND prefix = ?2 AND "
                   "plen = ?3 ORDER BY proto LIMIT 16");

void
store_route_key(const struct net_prefix *p, uint8_t key[17])
{
    key[0] = p->addr.family;
    memcpy(key + 1, p->addr.bytes, 16);
}

enum ocdn_err
store_route_clear(struct store *st, int64_t oca_id)
{
    sqlite3_stmt *s = store_stmt(st, &q_clear);

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    return store_exec_stmt(st, s);
}

enum ocdn_err
store_route_put(struct store *st, int64_t oca_id, const struct route *r)
{
    sqlite3_stmt *s = store_stmt(st, &q_put);
    uint8_t key[17];

    if (!s)
        return OCDN_EDB;
    store_route_key(&r->prefix, key);
    sqlite3_bind_int64(s, 1, oca_id);
    sqlite3_bind_blob(s, 2, key, sizeof(key), SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, r->prefix.len);
    store_bind_text(s, 4, r->proto ? r->proto : "");
    store_bind_text(s, 5, r->as_path ? r->as_path : "");
    sqlite3_bind_int(s, 6, r->as_path_len);
    sqlite3_bind_int64(s, 7, r->med);
    store_bind_text(s, 8, r->communities ? r->communities : "");
    store_bind_text(s, 9, r->next_hop ? r->next_hop : "");
    sqlite3_bind_int(s, 10, (int)r->flags);
    sqlite3_bind_int64(s, 11, r->learned_at);
    return store_exec_stmt(st, s);
}

enum ocdn_err
store_route_del(struct store *st, int64_t oca_id, const struct net_prefix *p, const char *proto,
                bool *found)
{
    sqlite3_stmt *s = store_stmt(st, &q_del);
    uint8_t key[17];
    enum ocdn_err err;

    *found = false;
    if (!s)
        return OCDN_EDB;
    store_route_key(p, key);
    sqlite3_bind_int64(s, 1, oca_id);
    sqlite3_bind_blob(s, 2, key, sizeof(key), SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, p->len);
    store_bind_text(s, 4, proto ? proto : "");
    err = store_exec_stmt(st, s);
    if (!err)
        *found = store_changes(st) > 0;
    return err;
}

enum ocdn_err
store_route_count(struct store *st, int64_t oca_id, int64_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_count);

    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, oca_id);
    return store_int1(st, s, n);
}

static enum ocdn_err
row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct route *r = elem;
    const uint8_t *key = sqlite3_column_blob(s, 0);

    if (!key || sqlite3_column_bytes(s, 0) != 17)
        return OCDN_EDB;
    memset(&r->prefix, 0, sizeof(r->prefix));
    r->prefix.addr.family = key[0];
    memcpy(r->prefix.addr.bytes, key + 1, 16);
    r->prefix.len = (uint8_t)sqlite3_column_int(s, 1);
    r->proto = store_col_text(s, 2, a);
    r->as_path = store_col_text(s, 3, a);
    r->as_path_len = sqlite3_column_int(s, 4);
    r->med = sqlite3_column_int64(s, 5);
    r->communities = store_col_text(s, 6, a);
    r->next_hop = store_col_text(s, 7, a);
    r->flags = (unsigned)sqlite3_column_int(s, 8);
    r->learned_at = sqlite3_column_int64(s, 9);
    return r->proto && r->as_path && r->communities && r->next_hop ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
store_route_list(struct store *st, const struct route_query *q, struct arena *a, struct route **out,
                 size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, &q_list);
    uint8_t lo[17], hi[17], after[17];
    unsigned i, bits;

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    if (q->contained_in) {
        /* Every key inside P lies between P's first and last address. */
        store_route_key(q->contained_in, lo);
        memcpy(hi, lo, sizeof(hi));
        bits = net_family_bits(q->contained_in->addr.family);
        for (i = q->contained_in->len; i < bits; i++)
            hi[1 + i / 8] |= (uint8_t)(0x80u >> (i % 8));
    } else {
        memset(lo, 0, sizeof(lo));
        memset(hi, 0xff, sizeof(hi));
    }
    if (q->after)
        store_route_key(&q->after->prefix, after);
    else
        memset(after, 0, sizeof(after));
    sqlite3_bind_int64(s, 1, q->oca_id);
    sqlite3_bind_blob(s, 2, lo, sizeof(lo), SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 3, hi, sizeof(hi), SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 4, q->contained_in ? q->contained_in->len : 0);
    sqlite3_bind_blob(s, 5, after, sizeof(after), SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 6, q->after ? q->after->prefix.len : -1);
    store_bind_text(s, 7, q->after ? q->after->proto : "");
    sqlite3_bind_int64(s, 8, (int64_t)q->limit);
    return store_rows(st, s, q->limit, a, sizeof(**out), row, (void **)out, n);
}

enum ocdn_err
store_route_containing(struct store *st, int64_t oca_id, const struct net_prefix *p,
                       struct arena *a, struct route **out, size_t *n)
{
    struct route *all, *part;
    struct net_prefix q;
    size_t cnt = 0, k, i;
    enum ocdn_err err;
    int len;

    *out = NULL;
    *n = 0;
    all = arena_calloc(a, 129 * 16, sizeof(*all));
    if (!all)
        return OCDN_ENOMEM;
    for (len = p->len; len >= 0; len--) {
        sqlite3_stmt *s = store_stmt(st, &q_exact);
        uint8_t key[17];

        if (!s)
            return OCDN_EDB;
        net_prefix_from_addr(&p->addr, (unsigned)len, &q);
        store_route_key(&q, key);
        sqlite3_bind_int64(s, 1, oca_id);
        sqlite3_bind_blob(s, 2, key, sizeof(key), SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 3, len);
        err = store_rows(st, s, 16, a, sizeof(*part), row, (void **)&part, &k);
        if (err)
            return err;
        for (i = 0; i < k; i++)
            all[cnt++] = part[i];
    }
    *out = all;
    *n = cnt;
    return OCDN_OK;
}

static enum ocdn_err
gap_row(sqlite3_stmt *s, struct arena *a, void *elem)
{
    struct route_gap *g = elem;
    const uint8_t *key = sqlite3_column_blob(s, 0);

    if (!key || sqlite3_column_bytes(s, 0) != 17)
        return OCDN_EDB;
    memset(&g->prefix, 0, sizeof(g->prefix));
    g->prefix.addr.family = key[0];
    memcpy(g->prefix.addr.bytes, key + 1, 16);
    g->prefix.len = (uint8_t)sqlite3_column_int(s, 1);
    g->have = sqlite3_column_int64(s, 2);
    g->oca_ids = store_col_text(s, 3, a);
    return g->oca_ids ? OCDN_OK : OCDN_ENOMEM;
}

static enum ocdn_err
site_query(struct store *st, struct store_sql *q, int64_t site_id, int64_t nocas, size_t limit,
           struct arena *a, struct route_gap **out, size_t *n)
{
    sqlite3_stmt *s = store_stmt(st, q);

    *out = NULL;
    *n = 0;
    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, site_id);
    sqlite3_bind_int64(s, 2, nocas);
    sqlite3_bind_int64(s, 3, (int64_t)limit);
    return store_rows(st, s, limit, a, sizeof(**out), gap_row, (void **)out, n);
}

enum ocdn_err
store_route_site_gaps(struct store *st, int64_t site_id, int64_t nocas, size_t limit,
                      struct arena *a, struct route_gap **out, size_t *n)
{
    return site_query(st, &q_gaps, site_id, nocas, limit, a, out, n);
}

enum ocdn_err
store_route_site_mismatches(struct store *st, int64_t site_id, int64_t nocas, size_t limit,
                            struct arena *a, struct route_gap **out, size_t *n)
{
    return site_query(st, &q_mismatch, site_id, nocas, limit, a, out, n);
}
