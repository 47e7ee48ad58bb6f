/* cp_steer.c - wires the steering engine to the control plane: the loader (its own store
 * connection; the engine serialises loader calls) and the policy from the configuration. */
#include "cp_steer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cp.h"
#include "log.h"
#include "steer.h"
#include "store.h"
#include "store_steer.h"

/* Per-thread snapshot cache (see cp_steer_snapshot()); released when the thread ends. */
struct snap_cache {
    struct steer_engine *engine;
    struct steer_snap *snap;
    uint64_t published;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void
cache_free(void *p)
{
    struct snap_cache *c = p;

    steer_snap_unref(c->snap);
    free(c);
}

static void
cache_key_init(void)
{
    if (pthread_key_create(&cache_key, cache_free) != 0)
        fatalx("steer: pthread_key_create failed");
}

struct steer_snap *
cp_steer_snapshot(struct cp *cp)
{
    struct snap_cache *c;
    uint64_t pub;

    if (!cp->steer)
        return NULL;
    pthread_once(&cache_once, cache_key_init);
    c = pthread_getspecific(cache_key);
    if (!c) {
        c = calloc(1, sizeof(*c));
        if (!c)
            return NULL;
        pthread_setspecific(cache_key, c);
    }
    pub = steer_engine_published(cp->steer);
    if (c->snap && c->engine == cp->steer && c->published == pub)
        return c->snap;
    /* Read the counter first: a publication racing with steer_engine_get() only makes the
     * next call refresh again. */
    steer_snap_unref(c->snap);
    c->snap = steer_engine_get(cp->steer);
    c->engine = cp->steer;
    c->published = pub;
    return c->snap;
}

struct loader {
    struct cp *cp;
    struct store *st;
};

void
cp_steer_policy(const struct cp_config *c, struct steer_policy *p)
{
    steer_policy_init(p);
    p->path_hops[ROUTE_SRC_PNI] = (uint32_t)c->steer_hops_pni;
    p->path_hops[ROUTE_SRC_PEERING] = (uint32_t)c->steer_hops_peering;
    p->path_hops[ROUTE_SRC_TRANSIT] = (uint32_t)c->steer_hops_transit;
    p->med_offset[ROUTE_SRC_PNI] = (uint32_t)c->steer_med_pni;
    p->med_offset[ROUTE_SRC_PEERING] = (uint32_t)c->steer_med_peering;
    p->med_offset[ROUTE_SRC_TRANSIT] = (uint32_t)c->steer_med_transit;
    p->load_limit = (double)c->steer_load_limit_pct / 100.0;
    p->geo_bucket_km = (double)c->steer_geo_bucket_km;
    p->max_n = (unsigned)c->steer_max_n;
}

static enum ocdn_err
load(void *ctx, struct steer_input *in)
{
    struct loader *l = ctx;
    struct cp_config_ref *cfg = cp_config_get(l->cp);
    struct store_opts so = {0};
    struct steer_load_opts o;
    char err[256];
    enum ocdn_err e = OCDN_OK;

    if (!l->st) {
        so.busy_timeout_ms = (int)cfg->c.busy_timeout_ms;
        e = store_open(cfg->c.db, &so, &l->st, err, sizeof(err));
        if (e)
            log_warnx("steer: cannot open the database: %s", err);
    }
    if (!e) {
        memset(&o, 0, sizeof(o));
        cp_steer_policy(&cfg->c, &o.policy);
        o.accept_bogons = cfg->c.steer_bogons;
        o.max_routes = cfg->c.steer_max_routes;
        o.now = clock_wall_s();
        e = store_steer_load(l->st, &o, in);
        if (e == OCDN_ETOOBIG)
            log_warnx("steer: the active OCAs have more routes than steer_max_routes=%lld; "
                      "raising it costs about 40 bytes of memory per route",
                      (long long)o.max_routes);
    }
    cp_config_unref(cfg);
    return e;
}

enum ocdn_err
cp_steer_start(struct cp *cp, char *err, size_t errlen)
{
    struct cp_config_ref *cfg = cp_config_get(cp);
    struct steer_engine_cfg ec;
    struct loader *l = calloc(1, sizeof(*l));

    if (!l) {
        cp_config_unref(cfg);
        return OCDN_ENOMEM;
    }
    l->cp = cp;
    memset(&ec, 0, sizeof(ec));
    ec.min_interval_ms = (unsigned)cfg->c.steer_rebuild_ms;
    ec.load = load;
    ec.ctx = l;
    cp_config_unref(cfg);
    cp->steer = steer_engine_new(&ec);
    if (!cp->steer) {
        free(l);
        return OCDN_ENOMEM;
    }
    cp->steer_loader = l;
    if (steer_engine_build_now(cp->steer, err, errlen) != OCDN_OK)
        log_warnx("steer: first snapshot failed (%s); steering answers 503 until a rebuild "
                  "succeeds",
                  err);
    if (steer_engine_start(cp->steer) != OCDN_OK) {
        snprintf(err, errlen, "cannot start the steering rebuild thread");
        return OCDN_EIO;
    }
    return OCDN_OK;
}

void
cp_steer_stop(struct cp *cp)
{
    struct loader *l = cp->steer_loader;

    if (cp->steer)
        steer_engine_stop(cp->steer);
    steer_engine_free(cp->steer);
    cp->steer = NULL;
    if (l) {
        store_close(l->st);
        free(l);
    }
    cp->steer_loader = NULL;
}
