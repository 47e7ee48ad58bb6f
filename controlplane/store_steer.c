/* store_steer.c - load the steering engine's input from the database.
 * One read transaction, so routes, catalogs and OCA states belong to the same instant. The
 * routes and catalog versions are hashes of each OCA's revision counters (bumped by report
 * ingest), so an unchanged route set lets the engine keep its tables. */
#include "store_steer.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "store_int.h"

STORE_SQL(q_sites, "SELECT id, type, lat, lon, name FROM sites ORDER BY id");
STORE_SQL(q_ocas, "SELECT o.id, o.site_id, s.org_id, o.hostname, o.ipv4 IS NOT NULL, o.ipv6 IS "
                  "NOT NULL, o.http_port, o.https_port, o.model, o.status, o.nic_bps, "
                  "o.load_bps, o.routes_rev, o.catalog_rev FROM ocas o JOIN sites s ON s.id = "
                  "o.site_id WHERE o.state = 'active' ORDER BY o.id");
/* Per OCA, the key to sign with first: a key its agent has fetched (the current one if so, else
 * the newest rotated one still in its overlap); only when none has been fetched yet (a new
 * OCA), the current key. */
STORE_SQL(q_keys, "SELECT oca_id, secret FROM oca_sign_keys WHERE not_after IS NULL OR "
                  "not_after >= ?1 ORDER BY oca_id, (delivered_at IS NULL), (not_after IS NULL) "
                  "DESC, id DESC");
STORE_SQL(q_routes,
          "SELECT r.oca_id, r.prefix, r.plen, r.as_path, r.as_path_len, ifnull(r.med, -1), "
          "ifnull(b.kind, 'auto'), s.type FROM routes r JOIN ocas o ON o.id = r.oca_id AND "
          "o.state = 'active' JOIN sites s ON s.id = o.site_id LEFT JOIN bgp_sessions b ON "
          "b.oca_id = r.oca_id AND b.name = r.proto WHERE (r.flags & ?1) = 0");
STORE_SQL(q_count_routes, "SELECT count(*) FROM routes r JOIN ocas o ON o.id = r.oca_id AND "
                          "o.state = 'active' WHERE (r.flags & ?1) = 0");
STORE_SQL(q_files, "SELECT id FROM files ORDER BY id");
STORE_SQL(q_files_ver, "SELECT count(*) * 1000003 + ifnull(max(rowid), 0) FROM files");
STORE_SQL(q_holdings, "SELECT c.file_id, c.oca_id FROM catalog c JOIN files f ON f.id = "
                      "c.file_id JOIN ocas o ON o.id = c.oca_id AND o.state = 'active' ORDER BY "
                      "c.file_id");

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Index of the OCA with database id, by binary search over the id-ordered input. */
static bool
oca_index(const struct steer_input *in, uint64_t id, uint32_t *idx)
{
    size_t lo = 0, hi = in->n_ocas;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (in->ocas[mid].id == id) {
            *idx = (uint32_t)mid;
            return true;
        }
        if (in->ocas[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static bool
site_index(const struct steer_input *in, uint64_t id, uint32_t *idx)
{
    size_t lo = 0, hi = in->n_sites;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (in->sites[mid].id == id) {
            *idx = (uint32_t)mid;
            return true;
        }
        if (in->sites[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static enum ocdn_err
load_sites(struct store *st, struct steer_input *in)
{
    sqlite3_stmt *s = store_stmt(st, &q_sites);
    struct steer_site site;
    enum ocdn_err err = OCDN_OK;
    const char *type;
    int rc;

    if (!s)
        return OCDN_EDB;
    while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&site, 0, sizeof(site));
        site.id = (uint64_t)sqlite3_column_int64(s, 0);
        type = (const char *)sqlite3_column_text(s, 1);
        if (!type || !site_type_parse(type, &site.type))
            site.type = SITE_TYPE_ISP;
        site.lat = sqlite3_column_double(s, 2);
        site.lon = sqlite3_column_double(s, 3);
        site.has_coords = true;
        site.name = (const char *)sqlite3_column_text(s, 4);
        err = steer_input_add_site(in, &site, NULL);
    }
    if (!err && rc != SQLITE_DONE)
        err = store_rc(st, rc);
    sqlite3_reset(s);
    return err;
}

static enum ocdn_err
load_ocas(struct store *st, struct steer_input *in, uint64_t *rv, uint64_t *cv)
{
    sqlite3_stmt *s = store_stmt(st, &q_ocas);
    struct steer_oca o;
    enum ocdn_err err = OCDN_OK;
    const char *text;
    int64_t v;
    int rc;

    if (!s)
        return OCDN_EDB;
    while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&o, 0, sizeof(o));
        o.id = (uint64_t)sqlite3_column_int64(s, 0);
        if (!site_index(in, (uint64_t)sqlite3_column_int64(s, 1), &o.site)) {
            err = OCDN_EDB;
            break;
        }
        o.org_id = (uint64_t)sqlite3_column_int64(s, 2);
        o.host = (const char *)sqlite3_column_text(s, 3);
        o.has_v4 = sqlite3_column_int(s, 4) != 0;
        o.has_v6 = sqlite3_column_int(s, 5) != 0;
        o.http_port = (uint16_t)sqlite3_column_int(s, 6);
        o.https_port = (uint16_t)sqlite3_column_int(s, 7);
        text = (const char *)sqlite3_column_text(s, 8);
        if (!text || !oca_model_parse(text, &o.model))
            o.model = OCA_MODEL_STORAGE;
        text = (const char *)sqlite3_column_text(s, 9);
        if (!text || !oca_status_parse(text, &o.status))
            o.status = OCA_STATUS_UNREPORTED;
        o.is_healthy = o.status == OCA_STATUS_ONLINE || o.status == OCA_STATUS_DEGRADED;
        o.capacity_bps = (uint64_t)sqlite3_column_int64(s, 10);
        o.load_bps = (uint64_t)sqlite3_column_int64(s, 11);
        /* The OCA list (ids, order) is part of both versions: indices change with it. */
        *rv = fnv(*rv, &o.id, sizeof(o.id));
        *cv = fnv(*cv, &o.id, sizeof(o.id));
        v = sqlite3_column_int64(s, 12);
        *rv = fnv(*rv, &v, sizeof(v));
        v = sqlite3_column_int64(s, 13);
        *cv = fnv(*cv, &v, sizeof(v));
        err = steer_input_add_oca(in, &o, NULL);
    }
    if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = store_rc(st, rc);
    sqlite3_reset(s);
    return err;
}

static enum ocdn_err
load_keys(struct store *st, struct steer_input *in, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, &q_keys);
    uint64_t last = 0;
    unsigned seen = 0;
    uint32_t idx;
    int rc;

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int64(s, 1, now);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        uint64_t id = (uint64_t)sqlite3_column_int64(s, 0);
        struct steer_oca *o;

        if (sqlite3_column_bytes(s, 1) != TOKEN_KEY_LEN || !oca_index(in, id, &idx))
            continue;
        seen = id == last ? seen + 1 : 1;
        last = id;
        o = &in->ocas[idx];
        /* Rows come signing key first (see q_keys), then the next one still valid. */
        if (seen == 1) {
            memcpy(o->key, sqlite3_column_blob(s, 1), TOKEN_KEY_LEN);
        } else if (seen == 2) {
            memcpy(o->prev_key, sqlite3_column_blob(s, 1), TOKEN_KEY_LEN);
            o->has_prev_key = true;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? OCDN_OK : store_rc(st, rc);
}

/* First and last AS of a space-separated path. */
static void
path_ends(const char *path, uint32_t *first, uint32_t *last)
{
    const char *sp;

    *first = 0;
    *last = 0;
    if (!path || !*path)
        return;
    *first = (uint32_t)strtoul(path, NULL, 10);
    sp = strrchr(path, ' ');
    *last = (uint32_t)strtoul(sp ? sp + 1 : path, NULL, 10);
}

static enum route_src
src_of(const char *kind, const char *site_type)
{
    enum route_src src;

    if (kind && route_src_parse(kind, &src))
        return src;
    /* 'auto': an embedded OCA's session is the partner's; an IX OCA's is public peering. */
    return site_type && strcmp(site_type, "ix") == 0 ? ROUTE_SRC_PEERING : ROUTE_SRC_EMBEDDED;
}

static enum ocdn_err
load_routes(struct store *st, struct steer_input *in, bool accept_bogons)
{
    sqlite3_stmt *s = store_stmt(st, &q_routes);
    struct steer_route r;
    const uint8_t *key;
    enum ocdn_err err = OCDN_OK;
    int64_t med;
    int rc;

    if (!s)
        return OCDN_EDB;
    sqlite3_bind_int(s, 1, (int)(ROUTE_F_DEFAULT | (accept_bogons ? 0 : ROUTE_F_BOGON)));
    while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&r, 0, sizeof(r));
        if (!oca_index(in, (uint64_t)sqlite3_column_int64(s, 0), &r.oca))
            continue;
        key = sqlite3_column_blob(s, 1);
        if (!key || sqlite3_column_bytes(s, 1) != 17)
            continue;
        r.prefix.addr.family = key[0];
        memcpy(r.prefix.addr.bytes, key + 1, 16);
        r.prefix.len = (uint8_t)sqlite3_column_int(s, 2);
        path_ends((const char *)sqlite3_column_text(s, 3), &r.first_as, &r.origin_as);
        r.path_len = (uint32_t)sqlite3_column_int(s, 4);
        med = sqlite3_column_int64(s, 5);
        r.has_med = med >= 0;
        r.med = med >= 0 ? (uint32_t)med : 0;
        r.src = src_of((const char *)sqlite3_column_text(s, 6),
                       (const char *)sqlite3_column_text(s, 7));
        err = steer_input_add_route(in, &r);
    }
    if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = store_rc(st, rc);
    sqlite3_reset(s);
    return err;
}

static enum ocdn_err
load_catalog(struct store *st, struct steer_input *in, uint64_t *cv)
{
    sqlite3_stmt *s = store_stmt(st, &q_files);
    enum ocdn_err err = OCDN_OK;
    const char *id;
    uint32_t file = 0, oca;
    size_t next = 0;
    int64_t v;
    int rc;

    if (!s)
        return OCDN_EDB;
    while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW)
        err = steer_input_add_file(in, (const char *)sqlite3_column_text(s, 0), NULL);
    if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = store_rc(st, rc);
    sqlite3_reset(s);
    if (err)
        return err;
    s = store_stmt(st, &q_files_ver);
    if (!s)
        return OCDN_EDB;
    err = store_int1(st, s, &v);
    if (err)
        return err;
    *cv = fnv(*cv, &v, sizeof(v));

    /* Both lists are ordered by file id: walk them together. */
    s = store_stmt(st, &q_holdings);
    if (!s)
        return OCDN_EDB;
    while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        id = (const char *)sqlite3_column_text(s, 0);
        while (next < in->n_files && strcmp(in->files[next], id) < 0)
            next++;
        if (next == in->n_files || strcmp(in->files[next], id) != 0)
            continue;
        file = (uint32_t)next;
        if (!oca_index(in, (uint64_t)sqlite3_column_int64(s, 1), &oca))
            continue;
        err = steer_input_add_holding(in, file, oca);
    }
    if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = store_rc(st, rc);
    sqlite3_reset(s);
    return err;
}

enum ocdn_err
store_steer_load(struct store *st, const struct steer_load_opts *o, struct steer_input *in)
{
    uint64_t rv = 1469598103934665603ULL, cv = 1469598103934665603ULL;
    enum ocdn_err err;

    in->policy = o->policy;
    err = store_tx_begin_read(st);
    if (err)
        return err;
    err = load_sites(st, in);
    if (!err)
        err = load_ocas(st, in, &rv, &cv);
    if (!err)
        err = load_keys(st, in, o->now);
    if (!err && o->max_routes > 0) {
        sqlite3_stmt *s = store_stmt(st, &q_count_routes);
        int64_t n = 0;

        if (!s) {
            err = OCDN_EDB;
        } else {
            sqlite3_bind_int(s, 1, (int)(ROUTE_F_DEFAULT | (o->accept_bogons ? 0 : ROUTE_F_BOGON)));
            err = store_int1(st, s, &n);
        }
        if (!err && n > o->max_routes)
            err = OCDN_ETOOBIG; /* the engine logs the failure; the old snapshot stays */
    }
    if (!err)
        err = load_routes(st, in, o->accept_bogons);
    if (!err)
        err = load_catalog(st, in, &cv);
    err = store_tx_end(st, err);
    if (err)
        return err;
    rv = fnv(rv, &o->policy, sizeof(o->policy));
    rv = fnv(rv, &o->accept_bogons, sizeof(o->accept_bogons));
    in->routes_version = rv ? rv : 1;
    in->catalog_version = cv ? cv : 1;
    return OCDN_OK;
}
