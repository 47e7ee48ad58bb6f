/* sweeper.c - periodic status and notification upkeep.
 * One sweep is one write transaction, so it serialises with report ingest and never writes a
 * status computed from a row a report has just changed. Owns a background thread with its own
 * store connection; kicks the steering engine when a status changed or its last build failed. */
#include "sweeper.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "cp.h"
#include "log.h"
#include "model.h"
#include "status.h"
#include "steer.h"
#include "store.h"
#include "store_file.h"
#include "store_maint.h"
#include "store_notif.h"
#include "store_oca.h"
#include "store_site.h"

#define PAGE            1000
#define MAX_WINDOWS     100000
#define FILL_END_MIN    (14 * 60) /* the default window is 02:00-14:00 local time */
#define CATALOG_CHECK_S 3600      /* judge the catalog during the hour after the window */
#define CATALOG_MIN_PCT 95
#define TZ_CACHE        1024 /* more zones than the IANA database names (about 600) */

struct sweeper {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool stop;
    bool kicked;
};

struct tz_cache {
    char name[TZ_CACHE][65];
    struct clock_tz *tz[TZ_CACHE];
    size_t n;
    size_t next; /* slot replaced when the cache is full (round robin) */
};

/* The zone called name, borrowed until the next call. A full cache gives up one of its zones: a
 * network spans more zones than it holds, and each OCA must still be judged. */
static struct clock_tz *
tz_get(struct tz_cache *c, const char *name)
{
    struct clock_tz *tz;
    size_t i;

    for (i = 0; i < c->n; i++) {
        if (strcmp(c->name[i], name) == 0)
            return c->tz[i];
    }
    if (clock_tz_load(NULL, name, &tz) != OCDN_OK)
        return NULL;
    if (c->n < TZ_CACHE) {
        i = c->n++;
    } else {
        i = c->next;
        c->next = (c->next + 1) % TZ_CACHE;
        clock_tz_free(c->tz[i]);
    }
    c->tz[i] = tz;
    snprintf(c->name[i], sizeof(c->name[i]), "%s", name);
    return tz;
}

static void
tz_cache_clear(struct tz_cache *c)
{
    size_t i;

    for (i = 0; i < c->n; i++)
        clock_tz_free(c->tz[i]);
    c->n = 0;
}

/* The window in force for OCA o among the current windows w. */
static const char *
window_kind(const struct oca *o, const struct maint_rec *w, size_t nw, int64_t now)
{
    const char *kind = NULL;
    size_t i;

    for (i = 0; i < nw; i++) {
        if (w[i].starts_at > now || w[i].ends_at <= now)
            continue;
        if (w[i].oca_id != o->id && w[i].site_id != o->site_id)
            continue;
        if (strcmp(w[i].kind, "maintenance") == 0)
            return "maintenance";
        kind = "drain";
    }
    return kind;
}

/* After the site's fill window: does the OCA hold enough of its manifest? */
static enum ocdn_err
judge_catalog(struct store *st, const struct oca *o, const struct site *s, struct tz_cache *tzc,
              int64_t now, struct sweep_result *out)
{
    struct clock_tz *tz;
    int64_t end, want, have;
    char msg[200];
    bool opened;
    enum ocdn_err err;

    tz = tz_get(tzc, s->tz);
    if (!tz)
        return OCDN_OK;
    end = clock_tz_local_to_utc(tz, now, FILL_END_MIN + s->fill_offset_min);
    if (now < end || now >= end + CATALOG_CHECK_S)
        return OCDN_OK;
    err = store_manifest_coverage(st, o->id, &want, &have);
    if (err || want == 0)
        return err;
    if (have * 100 < want * CATALOG_MIN_PCT) {
        snprintf(msg, sizeof(msg),
                 "after the fill window the OCA holds %lld of the %lld files of its manifest "
                 "(%lld %%, below %d %%)",
                 (long long)have, (long long)want, (long long)(have * 100 / want), CATALOG_MIN_PCT);
        err = store_notif_raise(st, o->org_id, o->id, "catalog_low", "warning", msg, now, &opened);
        if (!err && opened)
            out->opened++;
        return err;
    }
    return store_notif_clear(st, o->id, "catalog_low", now);
}

/* Every site, in id order (for time zones and fill offsets). */
static enum ocdn_err
load_sites(struct store *st, struct arena *a, struct site **out, size_t *nout)
{
    struct site *all = NULL, *page, *grown;
    size_t n = 0, cap = 0, k;
    int64_t after = 0;
    enum ocdn_err err;

    *out = NULL;
    *nout = 0;
    for (;;) {
        err = store_site_list(st, 0, after, PAGE, a, &page, &k);
        if (err)
            return err;
        if (n + k > cap) {
            cap = (n + k) * 2;
            grown = arena_alloc(a, cap * sizeof(*grown));
            if (!grown)
                return OCDN_ENOMEM;
            if (n)
                memcpy(grown, all, n * sizeof(*grown));
            all = grown;
        }
        if (k)
            memcpy(all + n, page, k * sizeof(*all));
        n += k;
        if (k < PAGE)
            break;
        after = page[k - 1].id;
    }
    *out = all;
    *nout = n;
    return OCDN_OK;
}

static const struct site *
site_of(const struct site *v, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) { /* sites come in id order */
        size_t mid = (lo + hi) / 2;
        if (v[mid].id == id)
            return &v[mid];
        if (v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

enum ocdn_err
sweeper_run(struct cp *cp, struct store *st, int64_t now, struct sweep_result *out)
{
    struct cp_config_ref *cfg = cp_config_get(cp);
    struct arena *a = arena_new(256u * 1024 * 1024);
    struct maint_filter mf;
    struct maint_rec *w = NULL;
    struct oca_filter f;
    struct oca *page;
    struct site *sites = NULL;
    struct tz_cache tzc;
    struct status_in si;
    size_t nw = 0, n, i, nsites = 0;
    int64_t offline_after, hold, closed;
    enum oca_status st_new;
    bool opened;
    enum ocdn_err err;

    memset(out, 0, sizeof(*out));
    memset(&tzc, 0, sizeof(tzc));
    offline_after = cfg->c.offline_intervals * cfg->c.report_interval_ms / 1000;
    hold = 2 * cfg->c.report_interval_ms / 1000;
    cp_config_unref(cfg);
    if (!a)
        return OCDN_ENOMEM;
    err = store_tx_begin(st);
    if (err)
        goto done;

    memset(&mf, 0, sizeof(mf));
    mf.current = true;
    mf.now = now;
    mf.limit = MAX_WINDOWS;
    err = store_maint_list(st, &mf, a, &w, &nw);
    if (!err)
        err = load_sites(st, a, &sites, &nsites);

    memset(&f, 0, sizeof(f));
    f.limit = PAGE;
    while (!err) {
        err = store_oca_list(st, &f, a, &page, &n);
        if (err || n == 0)
            break;
        for (i = 0; !err && i < n; i++) {
            const struct oca *o = &page[i];
            const struct site *s;

            if (o->decommissioned)
                continue;
            out->ocas++;
            memset(&si, 0, sizeof(si));
            si.last_report_at = o->last_report_at;
            si.now = now;
            si.offline_after_s = offline_after;
            si.maint_kind = window_kind(o, w, nw, now);
            si.degraded = o->degraded;
            st_new = status_compute(&si);
            if (st_new != o->status) {
                err = store_oca_set_status(st, o->id, st_new, now);
                out->status_changes++;
            }
            if (!err && st_new == OCA_STATUS_OFFLINE) {
                char msg[160];

                snprintf(msg, sizeof(msg), "no report from %s for more than %lld s", o->hostname,
                         (long long)offline_after);
                err = store_notif_raise(st, o->org_id, o->id, "offline", "critical", msg, now,
                                        &opened);
                if (!err && opened)
                    out->opened++;
            } else if (!err) {
                err = store_notif_clear(st, o->id, "offline", now);
            }
            s = site_of(sites, nsites, o->site_id);
            if (!err && s)
                err = judge_catalog(st, o, s, &tzc, now, out);
        }
        f.after_id = page[n - 1].id;
        if (n < PAGE)
            break;
    }
    if (!err)
        err = store_notif_close_cleared(st, now - hold, now, &closed);
    if (!err)
        out->closed = closed;
    err = store_tx_end(st, err);
done:
    tz_cache_clear(&tzc);
    arena_free(a);
    return err;
}

/* The steering engine rebuilds only when kicked: a build that failed (the database busy or
 * not openable, memory) would leave steering answering 503 until some unrelated change asks
 * for another. Ask again while the last attempt failed, at most once a minute (a failed load
 * can be as expensive as a good one); not for OCDN_ETOOBIG (over steer_max_routes), which only
 * a change of the data or the configuration can mend, and those kick a rebuild themselves. */
#define STEER_RETRY_MS 60000

static void
retry_steering(struct cp *cp, int64_t *last_retry_ms)
{
    struct steer_engine_stats es;
    int64_t now = clock_mono_ms();

    if (!cp->steer)
        return;
    steer_engine_stats(cp->steer, &es);
    if (es.attempts == 0 || es.last_err == OCDN_OK || es.last_err == OCDN_ETOOBIG ||
        es.is_pending || now - *last_retry_ms < STEER_RETRY_MS)
        return;
    *last_retry_ms = now;
    steer_engine_kick(cp->steer);
}

/* The thread's store, opened on first use and again after a failure (retried every
 * interval, logged once until it succeeds). */
static struct store *
open_store(struct cp *cp, bool *warned)
{
    struct store_opts so = {0};
    struct store *st = NULL;
    struct cp_config_ref *cfg = cp_config_get(cp);
    char err[256];

    so.busy_timeout_ms = (int)cfg->c.busy_timeout_ms;
    if (store_open(cfg->c.db, &so, &st, err, sizeof(err)) != OCDN_OK) {
        if (!*warned)
            log_warnx("sweeper: cannot open the database (retrying every sweep_interval): %s", err);
        *warned = true;
    } else if (*warned) {
        log_info("sweeper: database opened");
        *warned = false;
    }
    cp_config_unref(cfg);
    return st;
}

static void *
run(void *arg)
{
    struct cp *cp = arg;
    struct sweeper *sw = cp->sweeper;
    struct store *st = NULL;
    struct sweep_result r;
    struct cp_config_ref *cfg;
    struct timespec ts;
    int64_t interval_ms, last_retry_ms = INT64_MIN / 2;
    bool warned = false;
    enum ocdn_err e;

    pthread_mutex_lock(&sw->mu);
    while (!sw->stop) {
        pthread_mutex_unlock(&sw->mu);
        if (!st)
            st = open_store(cp, &warned);
        if (st) {
            e = sweeper_run(cp, st, clock_wall_s(), &r);
            if (e)
                log_warnx("sweeper: sweep failed err=%s db=%s", ocdn_err_str(e), store_errmsg(st));
            else if (r.status_changes || r.opened || r.closed)
                log_info("sweeper: ocas=%lld status_changes=%lld opened=%lld closed=%lld",
                         (long long)r.ocas, (long long)r.status_changes, (long long)r.opened,
                         (long long)r.closed);
            if (!e && r.status_changes && cp->steer)
                steer_engine_kick(cp->steer);
        }
        retry_steering(cp, &last_retry_ms);
        cfg = cp_config_get(cp);
        interval_ms = cfg->c.sweep_interval_ms;
        cp_config_unref(cfg);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += interval_ms / 1000;
        ts.tv_nsec += (interval_ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_mutex_lock(&sw->mu);
        while (!sw->stop && !sw->kicked) {
            if (pthread_cond_timedwait(&sw->cond, &sw->mu, &ts) != 0)
                break;
        }
        sw->kicked = false;
    }
    pthread_mutex_unlock(&sw->mu);
    store_close(st);
    return NULL;
}

enum ocdn_err
sweeper_start(struct cp *cp)
{
    struct sweeper *sw = calloc(1, sizeof(*sw));

    if (!sw)
        return OCDN_ENOMEM;
    pthread_mutex_init(&sw->mu, NULL);
    pthread_cond_init(&sw->cond, NULL);
    cp->sweeper = sw;
    if (pthread_create(&sw->thread, NULL, run, cp) != 0) {
        cp->sweeper = NULL;
        pthread_mutex_destroy(&sw->mu);
        pthread_cond_destroy(&sw->cond);
        free(sw);
        return OCDN_ENOMEM;
    }
    return OCDN_OK;
}

void
sweeper_stop(struct cp *cp)
{
    struct sweeper *sw = cp->sweeper;

    if (!sw)
        return;
    pthread_mutex_lock(&sw->mu);
    sw->stop = true;
    pthread_cond_signal(&sw->cond);
    pthread_mutex_unlock(&sw->mu);
    pthread_join(sw->thread, NULL);
    pthread_mutex_destroy(&sw->mu);
    pthread_cond_destroy(&sw->cond);
    free(sw);
    cp->sweeper = NULL;
}

void
sweeper_kick(struct cp *cp)
{
    struct sweeper *sw = cp->sweeper;

    if (!sw)
        return;
    pthread_mutex_lock(&sw->mu);
    sw->kicked = true;
    pthread_cond_signal(&sw->cond);
    pthread_mutex_unlock(&sw->mu);
}
