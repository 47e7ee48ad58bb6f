/* bench_ingest.c - report ingest at scale: N OCAs each send a first (full) report of P prefixes,
 * then a delta of D withdrawn + D new prefixes, through the whole request path of the control
 * plane (http_dispatch(): JSON parse, validation, one transaction, status and notifications),
 * without sockets. The baseline, measured in the same run, is a bare SQLite bulk insert of the
 * same rows with one prepared statement in one transaction (what any ingest must at least pay).
 *
 *   build/bench/bench_ingest [-o OCAS] [-p PREFIXES] [-d DELTA] [-k DIR]
 *   defaults: 1000 OCAs, 100000 prefixes, 1000 changes per delta; DIR keeps the database
 */
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "airport.h"
#include "auth.h"
#include "buf.h"
#include "clock.h"
#include "cp.h"
#include "http.h"
#include "log.h"
#include "store.h"

#define OCAS_PER_SITE 10

static struct cp cp;
static struct store *st;
static struct arena *ar;
static char admin[AUTH_KEY_STRLEN];

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static unsigned
call(const char *method, const char *path, const char *key, const char *body, size_t len,
     char **reply)
{
    struct http_call c;
    struct http_result r;
    char auth[128];
    unsigned status;

    arena_reset(ar);
    memset(&c, 0, sizeof(c));
    snprintf(auth, sizeof(auth), "Bearer %s", key);
    c.method = method;
    c.path = path;
    c.authorization = auth;
    c.body = body;
    c.body_len = len;
    c.content_type = body ? "application/json" : NULL;
    c.client_ip = "127.0.0.1";
    http_dispatch(&cp, st, ar, &c, &r);
    status = r.status;
    if (reply) {
        *reply = r.body;
        r.body = NULL;
    }
    http_result_clear(&r);
    return status;
}

/* Prefix i of site s: distinct /24s across sites (within 1.0.0.0 - 224.0.0.0). */
static void
prefix_of(size_t s, size_t i, size_t p, char *buf, size_t len)
{
    uint32_t idx = (uint32_t)((s * (p + 100000) + i) % 0xdf0000u) + 0x10000u;

    snprintf(buf, len, "%u.%u.%u.0/24", idx >> 16, (idx >> 8) & 0xff, idx & 0xff);
}

static void
route_line(struct buf *b, size_t s, size_t i, size_t p, bool comma)
{
    char pfx[32];

    prefix_of(s, i, p, pfx, sizeof(pfx));
    buf_printf(b, "%s\"%s|64500 %zu|%zu|64500:%zu|198.18.0.1|isp4\"", comma ? "," : "", pfx,
               64512 + i % 1000, i % 100, i % 10);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void
summary(const char *what, double *ms, size_t n, size_t prefixes_each, double baseline_ms)
{
    double total = 0;
    size_t i;

    qsort(ms, n, sizeof(*ms), cmp_double);
    for (i = 0; i < n; i++)
        total += ms[i];
    printf("%-26s reports=%zu  ms/report: median %.1f  p95 %.1f  max %.1f  |  %.0f prefixes/s",
           what, n, ms[n / 2], ms[n * 95 / 100], ms[n - 1],
           (double)prefixes_each * (double)n / (total / 1e3));
    if (baseline_ms > 0)
        printf("  |  %.2fx the bare insert", ms[n / 2] / baseline_ms);
    printf("\n");
}

/* The baseline: the same P rows into a copy of the routes table, bare. */
static double
bare_insert(const char *dbpath, size_t p)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    char pfx[32];
    uint8_t key[17];
    double t0;
    size_t i;
    unsigned a, b, c;

    if (sqlite3_open(dbpath, &db) != SQLITE_OK)
        return -1;
    sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
    sqlite3_exec(db,
                 "CREATE TABLE bare (oca_id INTEGER, prefix BLOB, plen INTEGER, proto TEXT, "
                 "as_path TEXT, as_path_len INTEGER, med INTEGER, communities TEXT, next_hop "
                 "TEXT, flags INTEGER, learned_at INTEGER, PRIMARY KEY (oca_id, prefix, plen, "
                 "proto)) WITHOUT ROWID",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO bare VALUES (1, ?1, 24, 'isp4', ?2, 2, ?3, ?4, "
                       "'198.18.0.1', 0, 1)",
                       -1, &s, NULL);
    t0 = now_ms();
    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    for (i = 0; i < p; i++) {
        char path[32], comm[32];

        prefix_of(7, i, p, pfx, sizeof(pfx));
        sscanf(pfx, "%u.%u.%u", &a, &b, &c);
        memset(key, 0, sizeof(key));
        key[0] = 4;
        key[1] = (uint8_t)a;
        key[2] = (uint8_t)b;
        key[3] = (uint8_t)c;
        snprintf(path, sizeof(path), "64500 %zu", 64512 + i % 1000);
        snprintf(comm, sizeof(comm), "64500:%zu", i % 10);
        sqlite3_bind_blob(s, 1, key, 17, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, path, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 3, (int)(i % 100));
        sqlite3_bind_text(s, 4, comm, -1, SQLITE_TRANSIENT);
        sqlite3_step(s);
        sqlite3_reset(s);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    t0 = now_ms() - t0;
    sqlite3_finalize(s);
    sqlite3_exec(db, "DROP TABLE bare", NULL, NULL, NULL);
    sqlite3_close(db);
    return t0;
}

int
main(int argc, char **argv)
{
    struct cp_config_ref *cfg;
    struct store_opts so = {0};
    size_t nocas = 1000, p = 100000, d = 1000, nsites, s, i, k;
    char dir[512] = "", dbpath[600], err[512], *reply;
    char(*keys)[AUTH_KEY_STRLEN];
    double *ms, t, base = 0, base2;
    struct buf body;
    struct stat sb, wb;
    const char *keep = NULL;
    int64_t id;
    int c;

    while ((c = getopt(argc, argv, "o:p:d:k:h")) != -1) {
        switch (c) {
        case 'o':
            nocas = strtoul(optarg, NULL, 10);
            break;
        case 'p':
            p = strtoul(optarg, NULL, 10);
            break;
        case 'd':
            d = strtoul(optarg, NULL, 10);
            break;
        case 'k':
            keep = optarg;
            break;
        default:
            fprintf(stderr, "usage: bench_ingest [-o OCAS] [-p PREFIXES] [-d DELTA] [-k DIR]\n");
            return 2;
        }
    }
    if (nocas < 1 || p < 1 || d > p) {
        fprintf(stderr, "bench_ingest: need OCAS >= 1, PREFIXES >= 1, DELTA <= PREFIXES\n");
        return 2;
    }
    log_init("bench_ingest", false);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (keep) {
        snprintf(dir, sizeof(dir), "%s", keep);
        mkdir(dir, 0755);
    } else {
        snprintf(dir, sizeof(dir), "/tmp/ocdn-bench-ingest.XXXXXX");
        if (!mkdtemp(dir))
            fatal("mkdtemp");
    }
    snprintf(dbpath, sizeof(dbpath), "%s/cp.db", dir);
    unlink(dbpath);
    if (cp_config_load(NULL, &cfg, err, sizeof(err)) != OCDN_OK)
        fatalx("%s", err);
    free(cfg->c.db);
    cfg->c.db = strdup(dbpath);
    cp_init(&cp, cfg, NULL);
    so.migrate = true;
    so.busy_timeout_ms = 10000;
    if (store_open(dbpath, &so, &st, err, sizeof(err)) != OCDN_OK)
        fatalx("%s", err);
    if (airports_load("tests/data/api/airports.json", &cp.airports, err, sizeof(err)) != OCDN_OK)
        fatalx("%s (run from the project root)", err);
    cp.auth = auth_new(60000, 100000);
    ar = arena_new(1u << 30);
    if (auth_key_create(st, SCOPE_ADMIN, 0, 0, "bench", clock_wall_s(), admin, &id) != OCDN_OK)
        fatalx("cannot create a key");

    printf("bench_ingest: %zu OCAs in %zu sites, first report %zu prefixes each, deltas of %zu "
           "withdrawn + %zu new; database %s\n",
           nocas, (nocas + OCAS_PER_SITE - 1) / OCAS_PER_SITE, p, d, d, dbpath);
    {
        static const char org[] =
            "{\"name\":\"bench\",\"display_name\":\"Bench\",\"kind\":\"isp\"}";

        if (call("POST", "/v1/orgs", admin, org, strlen(org), NULL) != 201)
            fatalx("cannot create the org");
    }
    {
        /* A file every OCA holds, so the database also serves steering benchmarks. */
        static const char title[] = "{\"id\":\"bench\",\"name\":\"Bench\"}";
        static const char file[] =
            "{\"id\":\"bench-1\",\"title_id\":\"bench\",\"size\":1,"
            "\"sha256\":\"0000000000000000000000000000000000000000000000000000"
            "000000000000\"}";

        if (call("POST", "/v1/titles", admin, title, strlen(title), NULL) != 201 ||
            call("POST", "/v1/files", admin, file, strlen(file), NULL) != 201)
            fatalx("cannot register the bench file");
    }
    nsites = (nocas + OCAS_PER_SITE - 1) / OCAS_PER_SITE;
    keys = calloc(nocas, sizeof(*keys));
    ms = calloc(nocas, sizeof(*ms));
    if (!keys || !ms)
        fatalx("out of memory");
    buf_init(&body, (size_t)1 << 31);
    for (s = 0; s < nsites; s++) {
        buf_reset(&body);
        buf_printf(&body, "{\"org_id\":1,\"iata\":\"%s\",\"type\":\"isp\"}", s % 2 ? "TLS" : "CDG");
        if (call("POST", "/v1/sites", admin, body.data, body.len, NULL) != 201)
            fatalx("cannot create site %zu", s);
    }
    for (i = 0; i < nocas; i++) {
        json_t *j;
        json_error_t je;

        buf_reset(&body);
        buf_printf(&body,
                   "{\"site_id\":%zu,\"model\":\"storage\",\"capacity_bytes\":1,\"nic_bps\":"
                   "100000000000,\"ipv4\":\"192.0.2.1\"}",
                   i / OCAS_PER_SITE + 1);
        if (call("POST", "/v1/ocas", admin, body.data, body.len, &reply) != 201)
            fatalx("cannot create OCA %zu: %s", i, reply);
        j = json_loads(reply, 0, &je);
        snprintf(keys[i], AUTH_KEY_STRLEN, "%s",
                 json_string_value(json_object_get(j, "appliance_key")));
        json_decref(j);
        free(reply);
    }

    base = bare_insert(dbpath, p);
    printf("%-26s %zu rows in one transaction: %.1f ms (%.0f rows/s)\n", "baseline bare insert", p,
           base, (double)p / (base / 1e3));

    /* First reports: every OCA of a site learns the site's prefixes. */
    for (s = 0; s < nsites; s++) {
        buf_reset(&body);
        buf_puts(&body, "{\"seq\":1,\"routes\":{\"mode\":\"full\",\"add\":[");
        for (i = 0; i < p; i++)
            route_line(&body, s, i, p, i > 0);
        buf_puts(&body, "]},\"catalog\":{\"mode\":\"full\",\"add\":[\"bench-1\"]},"
                        "\"bgp\":[{\"name\":\"isp4\",\"state\":\"established\"}]}");
        for (k = s * OCAS_PER_SITE; k < nocas && k < (s + 1) * OCAS_PER_SITE; k++) {
            unsigned status;

            t = now_ms();
            status = call("POST", "/v1/agent/report", keys[k], body.data, body.len, &reply);
            ms[k] = now_ms() - t;
            if (status != 200)
                fatalx("report of OCA %zu: %u %s", k, status, reply);
            free(reply);
        }
        if (s == 0)
            printf("(body of a first report: %.1f MB)\n", (double)body.len / 1e6);
    }
    summary("first report (full)", ms, nocas, p, base);

    /* Deltas: D prefixes withdrawn, D new ones. */
    for (k = 0; k < nocas; k++) {
        char pfx[32];

        s = k / OCAS_PER_SITE;
        buf_reset(&body);
        buf_puts(&body, "{\"seq\":2,\"routes\":{\"mode\":\"delta\",\"base_seq\":1,\"add\":[");
        for (i = 0; i < d; i++)
            route_line(&body, s, p + i, p, i > 0);
        buf_puts(&body, "],\"del\":[");
        for (i = 0; i < d; i++) {
            prefix_of(s, i, p, pfx, sizeof(pfx));
            buf_printf(&body, "%s\"%s isp4\"", i ? "," : "", pfx);
        }
        buf_puts(&body, "]}}");
        t = now_ms();
        if (call("POST", "/v1/agent/report", keys[k], body.data, body.len, &reply) != 200)
            fatalx("delta of OCA %zu: %s", k, reply);
        ms[k] = now_ms() - t;
        free(reply);
    }
    summary("delta report", ms, nocas, 2 * d, 0);

    base2 = bare_insert(dbpath, p);
    stat(dbpath, &sb);
    snprintf(dbpath + strlen(dbpath), sizeof(dbpath) - strlen(dbpath), "-wal");
    if (stat(dbpath, &wb) != 0)
        wb.st_size = 0;
    printf("%-26s %zu rows into the full database: %.1f ms\n", "baseline again (end)", p, base2);
    printf("database: %.2f GB (+ %.2f GB WAL) for %zu routes\n", (double)sb.st_size / 1e9,
           (double)wb.st_size / 1e9, nocas * p);
    buf_clear(&body);
    free(keys);
    free(ms);
    arena_free(ar);
    store_close(st);
    cp_clear(&cp);
    if (!keep) {
        char cmd[700];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_ingest: could not remove %s\n", dir);
    }
    return 0;
}
