#ifndef CP_CP_H
#define CP_CP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "cp_config.h"

/* Process-wide state of ocdn-controlplane, passed down to every layer (STYLE.md 2: no
 * globals). Everything here is either immutable after start, atomic, or a refcounted
 * snapshot. */

struct airports;
struct auth;
struct geoip;
struct steer_engine;
struct sweeper;

struct cp_metrics {
    atomic_uint_least64_t http_by_class[6]; /* [status / 100] */
    atomic_uint_least64_t steer_answers;
    atomic_uint_least64_t steer_geo_fallback;
    atomic_uint_least64_t steer_origin_fallback;
    atomic_uint_least64_t reports_applied;
    atomic_uint_least64_t reports_duplicate;
    atomic_uint_least64_t reports_need_full;
    atomic_uint_least64_t report_routes_added;
    atomic_uint_least64_t report_routes_removed;
};

struct cp {
    pthread_mutex_t cfg_mu;    /* guards the cfg pointer swap only */
    struct cp_config_ref *cfg; /* current configuration */
    const char *config_path;   /* NULL = embedded defaults */
    struct airports *airports; /* NULL when the table is missing */
    struct geoip *geoip;       /* NULL: client geography disabled */
    struct auth *auth;
    struct steer_engine *steer;
    void *steer_loader;      /* cp_steer.c's loader state */
    struct sweeper *sweeper; /* NULL when not started (tests, CLI) */
    struct cp_metrics metrics;
    int64_t started_at;
};

/* Initialise cp around a loaded configuration (takes the reference). */
void cp_init(struct cp *cp, struct cp_config_ref *cfg, const char *config_path);
/* Release what cp_init() and the caller attached (airports, geoip, auth, engine). */
void cp_clear(struct cp *cp);
/* The current configuration with a reference held; release with cp_config_unref(). */
struct cp_config_ref *cp_config_get(struct cp *cp);
/* Publish a new configuration (takes the reference) and apply its reloadable keys kept
 * outside it (auth_cache_ttl); the old one goes when its last reader is done. */
void cp_config_swap(struct cp *cp, struct cp_config_ref *next);
/* Count a response status. */
void cp_metrics_http(struct cp *cp, unsigned status);

#endif
