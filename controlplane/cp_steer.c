/* cp_steer.c - wires the steering engine to the control plane: the loader (its own store
 * connection; the engine serialises loader calls) and the policy from the configuration. */
#include "cp_steer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cp.h"
#include "log.h"
#include "steer.h"
#include "store.h"
#include "store_steer.h"

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
        o.now = clock_wall_s();
        e = store_steer_load(l->st, &o, in);
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
