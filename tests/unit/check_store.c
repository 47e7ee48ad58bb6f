/* check_store.c - the SQLite store: migrations, and the queries of each table against a temp
 * database with the schema applied. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "schema.h"
#include "store.h"
#include "store_file.h"
#include "store_key.h"
#include "store_maint.h"
#include "store_notif.h"
#include "store_oca.h"
#include "store_org.h"
#include "store_route.h"
#include "store_site.h"
#include "testutil.h"

static char *dir;
static char path[512];

static void
setup(void)
{
    dir = tmpdir_new();
    snprintf(path, sizeof(path), "%s/cp.db", dir);
}

static void
teardown(void)
{
    tmpdir_remove(dir);
    dir = NULL;
}

static struct store *
open_db(bool migrate)
{
    struct store_opts o = {0};
    struct store *st = NULL;
    char err[512];

    o.migrate = migrate;
    o.busy_timeout_ms = 1000;
    ck_assert_msg(store_open(path, &o, &st, err, sizeof(err)) == OCDN_OK, "open: %s", err);
    return st;
}

static int
sql_int(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    int v = -1;

    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static void
sql_exec(const char *sql)
{
    sqlite3 *db;

    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

START_TEST(migrate_empty_database)
{
    struct store *st = open_db(true);

    ck_assert_int_eq(store_schema_version(st), store_schema_latest());
    ck_assert_int_ge(store_schema_latest(), 2);
    store_close(st);
    ck_assert_int_eq(sql_int("PRAGMA user_version"), store_schema_latest());
    ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE name = 'ocas'"), 1);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE name = 'audit_log'"), 1);
}
END_TEST

START_TEST(migrate_reopen_is_noop)
{
    struct store *st = open_db(true);
    struct org o = {0};
    int64_t id;

    o.name = "isp-a";
    o.display_name = "ISP A";
    o.kind = "isp";
    o.created_at = 1;
    ck_assert_int_eq(store_org_insert(st, &o, &id), OCDN_OK);
    store_close(st);
    st = open_db(true); /* must not re-run 001 (it would fail on existing tables) */
    ck_assert_int_eq(store_schema_version(st), store_schema_latest());
    store_close(st);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM orgs"), 1);
}
END_TEST

/* 003: signing keys that existed before the migration have been handed out to their agents,
 * so they count as delivered (steering keeps signing with them); new keys start undelivered
 * until the agent fetches them. */
START_TEST(migrate_003_keys_delivered)
{
    struct store *st;
    struct oca_sign_key *keys;
    struct arena *a;
    uint8_t secret[32] = {1};
    size_t n;
    int64_t marked;
    unsigned i;
    char sql[64];

    for (i = 0; i < 2; i++)
        sql_exec(schema_steps[i].sql);
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", schema_steps[1].version);
    sql_exec(sql);
    sql_exec("INSERT INTO orgs VALUES (1, 'isp-a', 'A', 'isp', 1);"
             "INSERT INTO sites (id, org_id, name, iata, number, type, lat, lon, tz, created_at) "
             "VALUES (1, 1, 'TLS001.isp-a.ISP', 'TLS', 1, 'isp', 0, 0, 'UTC', 1);"
             "INSERT INTO ocas (id, site_id, number, hostname, model, capacity_bytes, nic_bps, "
             "created_at) VALUES (1, 1, 1, 'c001', 'storage', 1, 1, 1);"
             "INSERT INTO oca_sign_keys (oca_id, secret, created_at) VALUES (1, zeroblob(32), 7)");
    st = open_db(true);
    store_close(st);
    ck_assert_int_eq(sql_int("SELECT delivered_at FROM oca_sign_keys"), 7);
    st = open_db(false);
    ck_assert_int_eq(store_oca_sign_key_add(st, 1, secret, 100), OCDN_OK);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM oca_sign_keys WHERE delivered_at IS NULL"), 1);
    ck_assert_int_eq(store_oca_sign_keys_delivered(st, 1, 200, &marked), OCDN_OK);
    ck_assert_int_eq(marked, 1);
    ck_assert_int_eq(store_oca_sign_keys_delivered(st, 1, 300, &marked), OCDN_OK);
    ck_assert_int_eq(marked, 0);
    a = arena_new(4096);
    ck_assert_int_eq(store_oca_sign_keys(st, 1, 300, a, &keys, &n), OCDN_OK);
    ck_assert_uint_eq(n, 2);
    arena_free(a);
    store_close(st);
}
END_TEST

START_TEST(refuse_newer_database)
{
    struct store_opts o = {0};
    struct store *st = open_db(true);
    char err[512], sql[64];

    store_close(st);
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", store_schema_latest() + 1);
    sql_exec(sql);
    o.migrate = true;
    ck_assert_int_eq(store_open(path, &o, &st, err, sizeof(err)), OCDN_ECONFLICT);
    ck_assert_ptr_null(st);
    ck_assert_msg(strstr(err, "newer") != NULL, "%s", err);
    o.migrate = false;
    ck_assert_int_eq(store_open(path, &o, &st, err, sizeof(err)), OCDN_ECONFLICT);
    /* Refusing changed nothing. */
    ck_assert_int_eq(sql_int("PRAGMA user_version"), store_schema_latest() + 1);
}
END_TEST

START_TEST(refuse_unmigrated_without_migrate)
{
    struct store_opts o = {0};
    struct store *st = NULL;
    char err[512];

    ck_assert_int_eq(store_open(path, &o, &st, err, sizeof(err)), OCDN_ECONFLICT);
    ck_assert_msg(strstr(err, "not migrated") != NULL, "%s", err);
}
END_TEST

START_TEST(open_unwritable_path_fails)
{
    struct store_opts o = {0};
    struct store *st = NULL;
    char err[512];

    o.migrate = true;
    snprintf(path, sizeof(path), "%s/no/such/dir/cp.db", dir);
    ck_assert_int_ne(store_open(path, &o, &st, err, sizeof(err)), OCDN_OK);
    ck_assert_ptr_null(st);
    ck_assert_msg(strstr(err, "cannot open") != NULL, "%s", err);
}
END_TEST

START_TEST(wal_and_foreign_keys_on)
{
    struct store *st = open_db(true);
    struct site s = {0};
    int64_t id;

    ck_assert_int_eq(sql_int("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = "
                             "'wal'"),
                     1);
    /* A site of an org that does not exist violates the foreign key. */
    s.org_id = 999;
    s.name = "TLS001.x.ISP";
    memcpy(s.iata, "TLS", 4);
    s.number = 1;
    s.tz = "Europe/Paris";
    ck_assert_int_eq(store_site_insert(st, &s, &id), OCDN_ECONFLICT);
    store_close(st);
}
END_TEST

/* A small world: org 1 with site 1 and OCA 1; org 2 with site 2 and OCA 2. */
static struct store *
world(void)
{
    struct store *st = open_db(true);
    struct org o = {0};
    struct site s = {0};
    struct oca c = {0};
    int64_t id;
    int k;

    for (k = 1; k <= 2; k++) {
        o.name = k == 1 ? "isp-a" : "isp-b";
        o.display_name = o.name;
        o.kind = "isp";
        o.created_at = 1;
        ck_assert_int_eq(store_org_insert(st, &o, &id), OCDN_OK);
        ck_assert_int_eq(id, k);
        s.org_id = k;
        s.name = k == 1 ? "TLS001.isp-a.ISP" : "TLS002.isp-b.ISP";
        memcpy(s.iata, "TLS", 4);
        s.number = k;
        s.tz = "Europe/Paris";
        ck_assert_int_eq(store_site_insert(st, &s, &id), OCDN_OK);
        c.site_id = id;
        c.number = 1;
        c.hostname = k == 1 ? "c001-tls001-isp-a-isp.x" : "c001-tls002-isp-b-isp.x";
        c.capacity_bytes = 1;
        c.nic_bps = 1000000000;
        c.ipv4 = "192.0.2.1";
        c.http_port = 80;
        c.https_port = 443;
        ck_assert_int_eq(store_oca_insert(st, &c, &id), OCDN_OK);
    }
    return st;
}

START_TEST(tenant_filter_on_reads)
{
    struct store *st = world();
    struct arena *a = arena_new(1 << 20);
    struct site s;
    struct oca o;
    struct oca *v;
    struct oca_filter f = {0};
    size_t n;

    ck_assert_int_eq(store_site_get(st, 1, 1, a, &s), OCDN_OK);
    ck_assert_int_eq(store_site_get(st, 1, 2, a, &s), OCDN_ENOTFOUND);
    ck_assert_int_eq(store_site_get(st, 0, 2, a, &s), OCDN_OK);
    ck_assert_int_eq(store_oca_get(st, 2, 1, a, &o), OCDN_ENOTFOUND);
    ck_assert_int_eq(store_oca_get(st, 2, 2, a, &o), OCDN_OK);
    ck_assert_int_eq(o.org_id, 2);
    ck_assert_str_eq(o.site_name, "TLS002.isp-b.ISP");
    f.org_id = 1;
    f.limit = 10;
    ck_assert_int_eq(store_oca_list(st, &f, a, &v, &n), OCDN_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(v[0].id, 1);
    ck_assert_int_eq(store_site_set_fill_offset(st, 1, 2, 30), OCDN_ENOTFOUND);
    ck_assert_int_eq(store_site_set_fill_offset(st, 2, 2, 30), OCDN_OK);
    ck_assert_int_eq(store_site_set_fill_offset(st, 2, 2, 121), OCDN_ECONFLICT); /* CHECK */
    arena_free(a);
    store_close(st);
}
END_TEST

static struct route
mkroute(const char *pfx, const char *proto)
{
    struct route r;

    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(net_prefix_parse(pfx, &r.prefix), OCDN_OK);
    r.proto = proto;
    r.as_path = "65001";
    r.as_path_len = 1;
    r.med = -1;
    r.communities = "";
    r.next_hop = "";
    r.learned_at = 5;
    return r;
}

START_TEST(routes_listing_filters_and_cursor)
{
    static const char *const pfx[] = {"10.0.0.0/8",    "10.1.0.0/16",   "10.1.2.0/24",
                                      "11.0.0.0/8",    "2001:db8::/32", "2001:db8:1::/48",
                                      "203.0.113.0/24"};
    struct store *st = world();
    struct arena *a = arena_new(1 << 20);
    struct route r, *v;
    struct route_query q = {0};
    struct route_cursor cur;
    struct net_prefix within, p;
    size_t n, i, seen = 0;
    int64_t cnt;
    bool found;

    for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
        r = mkroute(pfx[i], "isp4");
        ck_assert_int_eq(store_route_put(st, 1, &r), OCDN_OK);
    }
    r = mkroute("10.1.0.0/16", "isp4b"); /* same prefix from a second session */
    ck_assert_int_eq(store_route_put(st, 1, &r), OCDN_OK);
    ck_assert_int_eq(store_route_count(st, 1, &cnt), OCDN_OK);
    ck_assert_int_eq(cnt, 8);
    ck_assert_int_eq(store_route_count(st, 2, &cnt), OCDN_OK);
    ck_assert_int_eq(cnt, 0);

    /* contained in 10.0.0.0/8: the /8 itself, the /16 twice, the /24. */
    ck_assert_int_eq(net_prefix_parse("10.0.0.0/8", &within), OCDN_OK);
    q.oca_id = 1;
    q.contained_in = &within;
    q.limit = 100;
    ck_assert_int_eq(store_route_list(st, &q, a, &v, &n), OCDN_OK);
    ck_assert_uint_eq(n, 4);

    /* Paging by two walks all 8 in order without repeats. */
    q.contained_in = NULL;
    q.limit = 2;
    q.after = NULL;
    for (;;) {
        ck_assert_int_eq(store_route_list(st, &q, a, &v, &n), OCDN_OK);
        seen += n;
        if (n < 2)
            break;
        cur.prefix = v[n - 1].prefix;
        snprintf(cur.proto, sizeof(cur.proto), "%s", v[n - 1].proto);
        q.after = &cur;
    }
    ck_assert_uint_eq(seen, 8);

    /* containing 10.1.2.3: /24, /16 x2, /8, longest first. */
    ck_assert_int_eq(net_prefix_parse("10.1.2.3/32", &p), OCDN_OK);
    ck_assert_int_eq(store_route_containing(st, 1, &p, a, &v, &n), OCDN_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(v[0].prefix.len, 24);
    ck_assert_int_eq(v[3].prefix.len, 8);

    ck_assert_int_eq(net_prefix_parse("10.1.0.0/16", &p), OCDN_OK);
    ck_assert_int_eq(store_route_del(st, 1, &p, "isp4b", &found), OCDN_OK);
    ck_assert(found);
    ck_assert_int_eq(store_route_del(st, 1, &p, "isp4b", &found), OCDN_OK);
    ck_assert(!found);
    ck_assert_int_eq(store_route_clear(st, 1), OCDN_OK);
    ck_assert_int_eq(store_route_count(st, 1, &cnt), OCDN_OK);
    ck_assert_int_eq(cnt, 0);
    arena_free(a);
    store_close(st);
}
END_TEST

START_TEST(keys_find_and_revoke)
{
    struct store *st = world();
    struct arena *a = arena_new(1 << 20);
    struct api_key_rec k;
    int64_t id;

    ck_assert_int_eq(store_key_insert(st, "aa", "ocdn_ptr_x", "partner", 1, 0, "l", 1, &id),
                     OCDN_OK);
    ck_assert_int_eq(store_key_insert(st, "aa", "ocdn_ptr_y", "partner", 1, 0, "l", 1, &id),
                     OCDN_EEXIST);
    /* The schema insists on an org for partner keys. */
    ck_assert_int_eq(store_key_insert(st, "bb", "p", "partner", 0, 0, "l", 1, &id), OCDN_ECONFLICT);
    ck_assert_int_eq(store_key_find(st, "aa", a, &k), OCDN_OK);
    ck_assert_str_eq(k.scope, "partner");
    ck_assert_int_eq(k.org_id, 1);
    ck_assert_int_eq(store_key_revoke(st, 2, k.id, 5), OCDN_ENOTFOUND); /* not org 2's */
    ck_assert_int_eq(store_key_revoke(st, 1, k.id, 5), OCDN_OK);
    ck_assert_int_eq(store_key_find(st, "aa", a, &k), OCDN_ENOTFOUND);
    ck_assert_int_eq(store_key_revoke(st, 0, k.id, 6), OCDN_ENOTFOUND); /* already revoked */
    arena_free(a);
    store_close(st);
}
END_TEST

START_TEST(maintenance_active_and_overlap)
{
    struct store *st = world();
    struct arena *a = arena_new(1 << 20);
    struct maint_rec m = {0};
    const char *kind;
    int64_t id, n;

    m.org_id = 1;
    m.oca_id = 1;
    m.kind = "drain";
    m.starts_at = 1000;
    m.ends_at = 1000 + 3 * 3600;
    m.created_at = 900;
    ck_assert_int_eq(store_maint_insert(st, &m, &id), OCDN_OK);
    ck_assert_int_eq(store_maint_active(st, 1, 1, 999, &kind), OCDN_OK);
    ck_assert_ptr_null(kind);
    ck_assert_int_eq(store_maint_active(st, 1, 1, 1000, &kind), OCDN_OK);
    ck_assert_str_eq(kind, "drain");
    /* A site maintenance wins over an OCA drain. */
    memset(&m, 0, sizeof(m));
    m.org_id = 1;
    m.site_id = 1;
    m.kind = "maintenance";
    m.starts_at = 2000;
    m.ends_at = 2000 + 3 * 3600;
    ck_assert_int_eq(store_maint_insert(st, &m, &id), OCDN_OK);
    ck_assert_int_eq(store_maint_active(st, 1, 1, 2500, &kind), OCDN_OK);
    ck_assert_str_eq(kind, "maintenance");
    ck_assert_int_eq(store_maint_overlaps(st, 0, 1, 3000, 4000, &n), OCDN_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(store_maint_overlaps(st, 0, 1, 2000 + 3 * 3600, 99999, &n), OCDN_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(store_maint_cancel(st, 2, id, 2600), OCDN_ENOTFOUND);
    ck_assert_int_eq(store_maint_cancel(st, 1, id, 2600), OCDN_OK);
    ck_assert_int_eq(store_maint_cancel(st, 1, id, 2700), OCDN_ECONFLICT);
    ck_assert_int_eq(store_maint_active(st, 1, 1, 2700, &kind), OCDN_OK);
    ck_assert_str_eq(kind, "drain");
    arena_free(a);
    store_close(st);
}
END_TEST

START_TEST(notifications_hold_time)
{
    struct store *st = world();
    struct arena *a = arena_new(1 << 20);
    struct notif_filter f = {0};
    struct notif_rec *v;
    size_t n;
    int64_t closed;
    bool opened;

    ck_assert_int_eq(store_notif_raise(st, 1, 1, "offline", "critical", "m", 100, &opened),
                     OCDN_OK);
    ck_assert(opened);
    /* Raised again while open: the same notification. */
    ck_assert_int_eq(store_notif_raise(st, 1, 1, "offline", "critical", "m2", 110, &opened),
                     OCDN_OK);
    ck_assert(!opened);
    ck_assert_int_eq(store_notif_clear(st, 1, "offline", 200), OCDN_OK);
    /* Back before the hold ran out: still the same one, condition present again. */
    ck_assert_int_eq(store_notif_raise(st, 1, 1, "offline", "critical", "m3", 250, &opened),
                     OCDN_OK);
    ck_assert(!opened);
    ck_assert_int_eq(store_notif_close_cleared(st, 10000, 10000, &closed), OCDN_OK);
    ck_assert_int_eq(closed, 0);
    ck_assert_int_eq(store_notif_clear(st, 1, "offline", 300), OCDN_OK);
    ck_assert_int_eq(store_notif_close_cleared(st, 299, 301, &closed), OCDN_OK);
    ck_assert_int_eq(closed, 0);
    ck_assert_int_eq(store_notif_close_cleared(st, 300, 900, &closed), OCDN_OK);
    ck_assert_int_eq(closed, 1);
    f.limit = 10;
    ck_assert_int_eq(store_notif_list(st, &f, a, &v, &n), OCDN_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(v[0].state, "closed");
    ck_assert_str_eq(v[0].message, "m3");
    /* After closing, a new occurrence is a new notification. */
    ck_assert_int_eq(store_notif_raise(st, 1, 1, "offline", "critical", "m4", 1000, &opened),
                     OCDN_OK);
    ck_assert(opened);
    ck_assert_int_eq(store_notif_ack(st, 2, v[0].id + 1, 7, 1001), OCDN_ENOTFOUND);
    ck_assert_int_eq(store_notif_ack(st, 1, v[0].id + 1, 7, 1001), OCDN_OK);
    ck_assert_int_eq(store_notif_ack(st, 1, v[0].id + 1, 7, 1002), OCDN_ECONFLICT);
    arena_free(a);
    store_close(st);
}
END_TEST

START_TEST(transaction_rolls_back_on_error)
{
    struct store *st = world();
    struct route r = mkroute("10.0.0.0/8", "p");
    int64_t cnt;

    ck_assert_int_eq(store_tx_begin(st), OCDN_OK);
    ck_assert(store_in_tx(st));
    ck_assert_int_eq(store_route_put(st, 1, &r), OCDN_OK);
    ck_assert_int_eq(store_tx_end(st, OCDN_EINVAL), OCDN_EINVAL);
    ck_assert(!store_in_tx(st));
    ck_assert_int_eq(store_route_count(st, 1, &cnt), OCDN_OK);
    ck_assert_int_eq(cnt, 0);
    ck_assert_int_eq(store_tx_begin(st), OCDN_OK);
    ck_assert_int_eq(store_tx_begin(st), OCDN_EDB); /* no nesting */
    ck_assert_int_eq(store_tx_end(st, OCDN_OK), OCDN_OK);
    store_close(st);
}
END_TEST

START_TEST(files_and_catalog)
{
    struct store *st = world();
    struct arena *a = arena_new(1 << 20);
    struct file_rec f = {0}, g;
    int64_t n, want, have;

    ck_assert_int_eq(store_title_insert(st, "t1", "Title", 1), OCDN_OK);
    ck_assert_int_eq(store_title_insert(st, "t1", "Again", 1), OCDN_EEXIST);
    f.id = "f1";
    f.title_id = "t1";
    f.size = 10;
    f.sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
    ck_assert_int_eq(store_file_insert(st, &f), OCDN_OK);
    f.id = "f2";
    f.title_id = "nope";
    ck_assert_int_eq(store_file_insert(st, &f), OCDN_ECONFLICT);
    ck_assert_int_eq(store_file_get(st, "f1", a, &g), OCDN_OK);
    ck_assert_int_eq(g.size, 10);
    ck_assert_int_eq(store_catalog_put(st, 1, "f1", 5), OCDN_OK);
    ck_assert_int_eq(store_catalog_put(st, 1, "f1", 6), OCDN_OK);
    ck_assert_int_eq(store_catalog_count(st, 1, &n), OCDN_OK);
    ck_assert_int_eq(n, 1);
    sql_exec("INSERT INTO manifest_files (oca_id, file_id) VALUES (1, 'f1'), (1, 'f9')");
    ck_assert_int_eq(store_manifest_coverage(st, 1, &want, &have), OCDN_OK);
    ck_assert_int_eq(want, 2);
    ck_assert_int_eq(have, 1);
    arena_free(a);
    store_close(st);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("store");
    TCase *m = tcase_create("migrations");
    TCase *q = tcase_create("queries");

    tcase_add_checked_fixture(m, setup, teardown);
    tcase_add_test(m, migrate_empty_database);
    tcase_add_test(m, migrate_reopen_is_noop);
    tcase_add_test(m, migrate_003_keys_delivered);
    tcase_add_test(m, refuse_newer_database);
    tcase_add_test(m, refuse_unmigrated_without_migrate);
    tcase_add_test(m, open_unwritable_path_fails);
    tcase_add_test(m, wal_and_foreign_keys_on);
    suite_add_tcase(s, m);
    tcase_add_checked_fixture(q, setup, teardown);
    tcase_add_test(q, tenant_filter_on_reads);
    tcase_add_test(q, routes_listing_filters_and_cursor);
    tcase_add_test(q, keys_find_and_revoke);
    tcase_add_test(q, maintenance_active_and_overlap);
    tcase_add_test(q, notifications_hold_time);
    tcase_add_test(q, transaction_rolls_back_on_error);
    tcase_add_test(q, files_and_catalog);
    suite_add_tcase(s, q);
    return s;
}

int
main(void)
{
    return run_suite(suite());
}
