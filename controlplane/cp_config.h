#ifndef CP_CONFIG_H
#define CP_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cfg.h"
#include "err.h"

/* ocdn-controlplane's configuration: the key table and the struct it fills. */
struct cp_config {
    char *listen;
    char *db;
    char *oca_domain;
    char *airports;
    char *geoip;
    char *origin_url;
    char *user;
    int64_t http_threads;
    int64_t http_conn_limit;
    int64_t http_per_ip_limit;
    int64_t http_timeout_ms;
    int64_t body_max;
    int64_t report_max;
    int64_t report_max_routes;
    int64_t report_max_files;
    int64_t json_depth_max;
    int64_t busy_timeout_ms;
    int64_t auth_cache_ttl_ms;
    int64_t report_interval_ms;
    int64_t offline_intervals;
    int64_t reports_kept;
    int64_t url_ttl_ms;
    int64_t speedtest_ttl_ms;
    int64_t sign_key_overlap_ms;
    int64_t sweep_interval_ms;
    int64_t steer_rebuild_ms;
    int64_t steer_max_n;
    int64_t steer_load_limit_pct;
    int64_t steer_geo_bucket_km;
    int64_t steer_hops_pni;
    int64_t steer_hops_peering;
    int64_t steer_hops_transit;
    int64_t steer_med_pni;
    int64_t steer_med_peering;
    int64_t steer_med_transit;
    int64_t steer_max_routes;
    bool steer_bogons;
    bool debug;
};

extern const struct cfg_key cp_config_keys[];
extern const size_t cp_config_nkeys;

/* A published configuration: readers hold a reference while they use it (STYLE.md 5). */
struct cp_config_ref {
    atomic_int refs;
    struct cp_config c;
};

/* Load path (NULL = embedded defaults) into a new reference (refs = 1). */
enum ocdn_err cp_config_load(const char *path, struct cp_config_ref **out, char *err,
                             size_t errlen);
/* Print the effective configuration (for -n). */
void cp_config_print(const struct cp_config *c, FILE *out);
void cp_config_ref(struct cp_config_ref *r);
/* Drop a reference; the last one frees. NULL does nothing. */
void cp_config_unref(struct cp_config_ref *r);

#endif
