/* report.c - apply one agent report in one transaction.
 * Idempotent by seq: a report at or below the last applied seq changes nothing and is acked
 * again. A delta must be against the last applied seq, otherwise nothing is applied and the
 * agent is asked for a full report. Route lines are parsed here, one at a time, straight into
 * the store, so a report of millions of routes needs no second copy; the first bad line rolls
 * the whole report back. The report also raises or clears the notifications it can judge
 * alone (BGP session down, prefix count drop, disk errors). */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "model.h"
#include "net.h"
#include "routeline.h"
#include "status.h"
#include "store.h"
#include "store_file.h"
#include "store_maint.h"
#include "store_notif.h"
#include "store_oca.h"
#include "store_report.h"
#include "store_route.h"

static enum ocdn_err
fail(struct report_out *out, const char *what, size_t i, const char *why)
{
    snprintf(out->whybuf, sizeof(out->whybuf), "%s[%zu]: %s", what, i, why);
    out->why = out->whybuf;
    return OCDN_EINVAL;
}

static enum ocdn_err
put_route(struct store *st, int64_t oca_id, const char *line, size_t i, int64_t now,
          struct report_out *out)
{
    char buf[ROUTELINE_MAX + 1];
    struct routeline rl;
    struct route r;
    const char *why;
    size_t len = strlen(line);

    if (len > ROUTELINE_MAX)
        return fail(out, "routes.add", i, "line too long");
    memcpy(buf, line, len + 1);
    if (routeline_parse(buf, len, &rl, &why) != OCDN_OK)
        return fail(out, "routes.add", i, why);
    memset(&r, 0, sizeof(r));
    r.prefix = rl.prefix;
    r.proto = rl.proto;
    r.as_path = rl.as_path;
    r.as_path_len = (int)rl.as_path_len;
    r.med = rl.med;
    r.communities = rl.communities;
    r.next_hop = rl.next_hop;
    r.learned_at = now;
    if (rl.prefix.len == 0)
        r.flags |= ROUTE_F_DEFAULT;
    if (net_prefix_is_bogon(&rl.prefix))
        r.flags |= ROUTE_F_BOGON;
    return store_route_put(st, oca_id, &r);
}

static enum ocdn_err
apply_routes(struct store *st, int64_t oca_id, const struct report_set *set, int64_t now,
             struct report_out *out)
{
    struct net_prefix p;
    char proto[64];
    enum ocdn_err err = OCDN_OK;
    bool found;
    size_t i;

    if (set->mode == REPORT_FULL)
        err = store_route_clear(st, oca_id);
    for (i = 0; !err && i < set->ndel; i++) {
        if (routeline_parse_key(set->del[i], &p, proto, sizeof(proto)) != OCDN_OK)
            return fail(out, "routes.del", i, "expected \"prefix proto\"");
        err = store_route_del(st, oca_id, &p, proto, &found);
        if (!err && found)
            out->routes_removed++;
    }
    for (i = 0; !err && i < set->nadd; i++) {
        err = put_route(st, oca_id, set->add[i], i, now, out);
        if (!err)
            out->routes_added++;
    }
    return err;
}

static enum ocdn_err
apply_catalog(struct store *st, int64_t oca_id, const struct report_set *set, int64_t now,
              struct report_out *out)
{
    enum ocdn_err err = OCDN_OK;
    size_t i;

    if (set->mode == REPORT_FULL)
        err = store_catalog_clear(st, oca_id);
    for (i = 0; !err && i < set->ndel; i++) {
        err = store_catalog_del(st, oca_id, set->del[i]);
        if (!err)
            out->files_removed += store_changes(st);
    }
    for (i = 0; !err && i < set->nadd; i++) {
        err = store_catalog_put(st, oca_id, set->add[i], now);
        if (!err)
            out->files_added++;
    }
    return err;
}

/* Whether the OCA is degraded after this report. A member the report leaves out is unchanged
 * and so is its verdict: the sessions are those of the last report that listed them, and the
 * disks' state is what the last health member said, kept by its disk_errors notification. */
static enum ocdn_err
degraded_after(struct store *st, const struct oca *o, const struct report_in *in, bool *out)
{
    *out = in->degraded;
    if (!in->has_bgp && o->bgp_established < o->bgp_sessions)
        *out = true;
    if (!in->health && !*out)
        return store_notif_present(st, o->id, "disk_errors", out);
    return OCDN_OK;
}

/* Notifications the report alone can judge; conditions that went away start their hold. */
static enum ocdn_err
judge(struct store *st, const struct oca *o, const struct report_in *in, int64_t count, int64_t now)
{
    char msg[512];
    size_t i, used = 0;
    bool opened;
    enum ocdn_err err = OCDN_OK;

    if (in->has_bgp) {
        msg[0] = '\0';
        for (i = 0; i < in->nbgp; i++) {
            if (strcmp(in->bgp[i].state, "established") == 0)
                continue;
            used += (size_t)snprintf(msg + used, used < sizeof(msg) ? sizeof(msg) - used : 0,
                                     "%sBGP session %s (%s) is %s", used ? "; " : "",
                                     in->bgp[i].name, in->bgp[i].neighbor, in->bgp[i].state);
            if (used >= sizeof(msg))
                used = sizeof(msg) - 1;
        }
        if (msg[0])
            err =
                store_notif_raise(st, o->org_id, o->id, "bgp_down", "critical", msg, now, &opened);
        else
            err = store_notif_clear(st, o->id, "bgp_down", now);
    }
    if (!err && in->routes.mode != REPORT_NONE) {
        if (o->prefix_peak > 0 && count * 2 < o->prefix_peak) {
            snprintf(msg, sizeof(msg),
                     "learned prefixes dropped to %lld from %lld (more than 50 %%); "
                     "acknowledge to accept the new count as normal",
                     (long long)count, (long long)o->prefix_peak);
            err = store_notif_raise(st, o->org_id, o->id, "prefix_drop", "warning", msg, now,
                                    &opened);
        } else {
            err = store_notif_clear(st, o->id, "prefix_drop", now);
        }
    }
    if (!err && in->health) {
        if (in->disk_errors) {
            err = store_notif_raise(st, o->org_id, o->id, "disk_errors", "warning",
                                    "a disk reports errors or is failed", now, &opened);
        } else {
            err = store_notif_clear(st, o->id, "disk_errors", now);
        }
    }
    return err;
}

enum ocdn_err
report_apply(struct store *st, int64_t oca_id, const struct report_in *in,
             const struct report_limits *lim, int64_t now, struct report_out *out)
{
    struct oca o;
    struct arena *a;
    struct status_in si;
    struct oca_report_update u;
    struct report_rec rec;
    const char *maint;
    int64_t count = 0;
    bool degraded;
    size_t i;
    enum ocdn_err err;

    memset(out, 0, sizeof(*out));
    a = arena_new(64 * 1024);
    if (!a)
        return OCDN_ENOMEM;
    err = store_tx_begin(st);
    if (err)
        goto done;
    err = store_oca_get(st, 0, oca_id, a, &o);
    if (err)
        goto out;
    if (o.decommissioned) {
        err = OCDN_ECONFLICT;
        goto out;
    }
    if (in->seq <= o.last_seq) {
        out->duplicate = true;
        out->ack_seq = in->seq;
        goto out;
    }
    if ((in->routes.mode == REPORT_DELTA && in->routes.base_seq != o.last_seq) ||
        (in->catalog.mode == REPORT_DELTA && in->catalog.base_seq != o.last_seq)) {
        out->need_full = true;
        out->ack_seq = o.last_seq;
        goto out;
    }
    if (in->routes.mode != REPORT_NONE) {
        err = apply_routes(st, oca_id, &in->routes, now, out);
        if (err)
            goto out;
        out->routes_changed =
            out->routes_added || out->routes_removed || in->routes.mode == REPORT_FULL;
        out->changed_steering = out->routes_changed;
    }
    if (in->catalog.mode != REPORT_NONE) {
        err = apply_catalog(st, oca_id, &in->catalog, now, out);
        if (err)
            goto out;
        out->catalog_changed =
            out->files_added || out->files_removed || in->catalog.mode == REPORT_FULL;
        out->changed_steering |= out->catalog_changed;
    }
    if (in->has_bgp) {
        err = store_bgp_replace(st, oca_id, in->bgp, in->nbgp, now);
        if (err)
            goto out;
    }
    err = store_route_count(st, oca_id, &count);
    if (!err)
        err = store_catalog_count(st, oca_id, &out->files_total);
    if (!err)
        err = store_maint_active(st, oca_id, o.site_id, now, &maint);
    if (!err)
        err = degraded_after(st, &o, in, &degraded);
    if (err)
        goto out;
    out->routes_total = count;

    memset(&si, 0, sizeof(si));
    si.last_report_at = now;
    si.now = now;
    si.offline_after_s = lim->offline_after_s;
    si.maint_kind = maint;
    si.degraded = degraded;
    memset(&u, 0, sizeof(u));
    u.seq = in->seq;
    u.now = now;
    u.load_bps = in->load_bps;
    /* Load only matters to steering when the OCA crosses the eligibility limit (the spread
     * among equals also weighs load, but that can wait for the next rebuild). */
    if (in->load_bps >= 0 && o.nic_bps > 0) {
        double limit = (double)o.nic_bps * (double)lim->load_limit_pct / 100.0;

        if (((double)o.load_bps >= limit) != ((double)in->load_bps >= limit))
            out->changed_steering = true;
    }
    u.health = in->health;
    u.traffic = in->traffic;
    u.prefix_count = count;
    u.degraded = degraded;
    u.routes_changed = out->routes_changed;
    u.bgp_sessions = in->has_bgp ? (int)in->nbgp : -1;
    for (i = 0; in->has_bgp && i < in->nbgp; i++)
        u.bgp_established += strcmp(in->bgp[i].state, "established") == 0;
    u.catalog_changed = out->catalog_changed;
    u.status = status_compute(&si);
    if (u.status != o.status)
        out->changed_steering = true;
    err = store_oca_report_applied(st, oca_id, &u);
    if (!err)
        err = judge(st, &o, in, count, now);
    if (!err && u.status != OCA_STATUS_OFFLINE)
        err = store_notif_clear(st, oca_id, "offline", now);
    if (err)
        goto out;

    memset(&rec, 0, sizeof(rec));
    rec.oca_id = oca_id;
    rec.seq = in->seq;
    rec.received_at = now;
    rec.body_bytes = in->body_bytes;
    rec.routes_mode = in->routes.mode == REPORT_FULL    ? "full"
                      : in->routes.mode == REPORT_DELTA ? "delta"
                                                        : "none";
    rec.routes_added = out->routes_added;
    rec.routes_removed = out->routes_removed;
    err = store_report_insert(st, &rec);
    if (!err)
        err = store_report_prune(st, oca_id, lim->reports_kept);
    if (!err)
        out->ack_seq = in->seq;
out:
    err = store_tx_end(st, err);
done:
    arena_free(a);
    return err;
}
