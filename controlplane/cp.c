/* cp.c - the control plane's process-wide state: configuration snapshot swap, metrics, and
 * release of the shared objects. */
#include "cp.h"

#include <string.h>

#include "airport.h"
#include "auth.h"
#include "clock.h"
#include "cp_steer.h"
#include "geoip.h"
#include "steer.h"

void
cp_init(struct cp *cp, struct cp_config_ref *cfg, const char *config_path)
{
    memset(cp, 0, sizeof(*cp));
    pthread_mutex_init(&cp->cfg_mu, NULL);
    cp->cfg = cfg;
    cp->config_path = config_path;
    cp->started_at = clock_wall_s();
}

void
cp_clear(struct cp *cp)
{
    cp_steer_stop(cp);
    geoip_close(cp->geoip);
    airports_free(cp->airports);
    auth_free(cp->auth);
    cp_config_unref(cp->cfg);
    pthread_mutex_destroy(&cp->cfg_mu);
    memset(cp, 0, sizeof(*cp));
}

struct cp_config_ref *
cp_config_get(struct cp *cp)
{
    struct cp_config_ref *r;

    pthread_mutex_lock(&cp->cfg_mu);
    r = cp->cfg;
    cp_config_ref(r);
    pthread_mutex_unlock(&cp->cfg_mu);
    return r;
}

void
cp_config_swap(struct cp *cp, struct cp_config_ref *next)
{
    struct cp_config_ref *old;

    pthread_mutex_lock(&cp->cfg_mu);
    old = cp->cfg;
    cp->cfg = next;
    pthread_mutex_unlock(&cp->cfg_mu);
    /* Reloadable keys that live outside the snapshot. */
    if (cp->auth)
        auth_set_ttl(cp->auth, next->c.auth_cache_ttl_ms);
    cp_config_unref(old);
}

void
cp_metrics_http(struct cp *cp, unsigned status)
{
    unsigned cls = status / 100;

    if (cls < 6)
        atomic_fetch_add(&cp->metrics.http_by_class[cls], 1);
}
