/* api_report.c - the agent's routes: POST /v1/agent/report (docs/agent-report.md) and
 * GET /v1/agent/config. Validates the report's JSON shape and every small field here; the
 * route lines themselves are parsed by report.c as they are stored. An appliance key only
 * ever acts on its own OCA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_handlers.h"
#include "cp.h"
#include "jsonx.h"
#include "log.h"
#include "report.h"
#include "steer.h"
#include "store_file.h"
#include "store_oca.h"
#include "token.h"

#define REPORT_MAX_BGP   64
#define REPORT_MAX_DISKS 256
#define REPORT_MAX_NICS  64
#define REPORT_DEPTH     6

static const char *const modes[] = {"full", "delta", NULL};
static const char *const families[] = {"ipv4", "ipv6", NULL};
static const char *const bgp_states[] = {"established", "idle", "connect", "active", "opensent",
                                         "openconfirm", "down", "start",   "close",  NULL};

/* Canonical JSON text of j copied into the arena (sorted keys, compact). */
static const char *
dump(struct arena *a, const json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    const char *copy;

    if (!text)
        return NULL;
    copy = arena_strdup(a, text);
    free(text);
    return copy;
}

/* An array of strings: pointers into the JSON (borrowed for the request). */
static enum ocdn_err
string_array(struct api_req *rq, struct api_resp *rs, json_t *obj, const char *key,
             const char *what, size_t max, bool ids, const char *const **out, size_t *n)
{
    json_t *arr = NULL, *v;
    const char **vec;
    size_t i;
    enum ocdn_err err;

    *out = NULL;
    *n = 0;
    err = jsonx_get_array(obj, key, false, max, &arr, rq->arena, &rs->errmsg);
    if (err) {
        rs->errmsg = arena_printf(rq->arena, "%s: %s", what, rs->errmsg); /* "routes: ..." */
        return err;
    }
    if (!arr)
        return OCDN_OK;
    vec = arena_alloc(rq->arena, (json_array_size(arr) + 1) * sizeof(*vec));
    if (!vec)
        return OCDN_ENOMEM;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v))
            return api_fail(rq, rs, "%s.%s[%zu]: must be a string", what, key, i);
        vec[i] = json_string_value(v);
        if (ids && !api_valid_object_id(vec[i]))
            return api_fail(rq, rs, "%s.%s[%zu]: not a file id", what, key, i);
    }
    *out = vec;
    *n = json_array_size(arr);
    return OCDN_OK;
}

static enum ocdn_err
parse_set(struct api_req *rq, struct api_resp *rs, json_t *body, const char *what, size_t max,
          bool ids, struct report_set *set)
{
    static const char *const keys[] = {"mode", "base_seq", "add", "del", NULL};
    json_t *obj = NULL;
    int mode = 0;
    enum ocdn_err err;

    memset(set, 0, sizeof(*set));
    err = jsonx_get_object(body, what, false, &obj, rq->arena, &rs->errmsg);
    if (err || !obj)
        return err;
    err = jsonx_only_keys(obj, what, keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_enum(obj, "mode", true, modes, &mode, rq->arena, &rs->errmsg);
    if (err)
        return err;
    set->mode = mode == 0 ? REPORT_FULL : REPORT_DELTA;
    err = jsonx_get_int(obj, "base_seq", set->mode == REPORT_DELTA, 0, INT64_MAX / 2,
                        &set->base_seq, rq->arena, &rs->errmsg);
    if (!err && set->mode == REPORT_FULL && json_object_get(obj, "base_seq"))
        return api_fail(rq, rs, "%s.base_seq: only a delta has a base", what);
    if (!err && set->mode == REPORT_FULL && json_object_get(obj, "del"))
        return api_fail(rq, rs, "%s.del: a full set has nothing to delete", what);
    if (!err)
        err = string_array(rq, rs, obj, "add", what, max, ids, &set->add, &set->nadd);
    if (!err)
        err = string_array(rq, rs, obj, "del", what, max, ids, &set->del, &set->ndel);
    return err;
}

static bool
valid_proto(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++) {
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return false;
    }
    return i > 0 && i < 64;
}

static enum ocdn_err
parse_bgp(struct api_req *rq, struct api_resp *rs, json_t *body, struct report_in *in,
          bool *degraded)
{
    static const char *const keys[] = {"name",  "neighbor", "peer_asn", "family",
                                       "state", "since",    "prefixes", NULL};
    struct bgp_session *v;
    struct net_addr addr;
    json_t *arr = NULL, *o;
    const char *what;
    int fam, state;
    size_t i;
    enum ocdn_err err;

    err = jsonx_get_array(body, "bgp", false, REPORT_MAX_BGP, &arr, rq->arena, &rs->errmsg);
    if (err || !arr)
        return err;
    v = arena_calloc(rq->arena, json_array_size(arr) + 1, sizeof(*v));
    if (!v)
        return OCDN_ENOMEM;
    json_array_foreach(arr, i, o)
    {
        what = arena_printf(rq->arena, "bgp[%zu]", i);
        if (!json_is_object(o))
            return api_fail(rq, rs, "%s: must be an object", what);
        err = jsonx_only_keys(o, what, keys, rq->arena, &rs->errmsg);
        if (!err)
            err = jsonx_get_str(o, "name", true, 1, 63, &v[i].name, rq->arena, &rs->errmsg);
        if (!err && !valid_proto(v[i].name))
            err = api_fail(rq, rs, "%s.name: letters, digits, '_', '.', '-'", what);
        v[i].neighbor = "";
        if (!err)
            err =
                jsonx_get_str(o, "neighbor", false, 0, 45, &v[i].neighbor, rq->arena, &rs->errmsg);
        if (!err && v[i].neighbor[0] && net_addr_parse(v[i].neighbor, &addr) != OCDN_OK)
            err = api_fail(rq, rs, "%s.neighbor: not an address", what);
        if (!err)
            err = jsonx_get_int(o, "peer_asn", false, 0, 4294967295LL, &v[i].peer_asn, rq->arena,
                                &rs->errmsg);
        fam = -1;
        if (!err)
            err = jsonx_get_enum(o, "family", false, families, &fam, rq->arena, &rs->errmsg);
        v[i].family = fam < 0 ? "" : families[fam];
        if (!err)
            err = jsonx_get_enum(o, "state", true, bgp_states, &state, rq->arena, &rs->errmsg);
        if (!err)
            err = jsonx_get_int(o, "since", false, 0, INT64_MAX / 2, &v[i].since, rq->arena,
                                &rs->errmsg);
        if (!err)
            err = jsonx_get_int(o, "prefixes", false, 0, 100000000, &v[i].prefixes, rq->arena,
                                &rs->errmsg);
        if (err)
            return err;
        v[i].state = bgp_states[state];
        if (state != 0)
            *degraded = true;
    }
    in->has_bgp = true;
    in->bgp = v;
    in->nbgp = json_array_size(arr);
    return OCDN_OK;
}

/* Checks each element of an array of objects against keys and integer/boolean fields. */
static enum ocdn_err
parse_health(struct api_req *rq, struct api_resp *rs, json_t *body, struct report_in *in)
{
    static const char *const keys[] = {"cpu_pct", "mem_pct", "load1",    "disks",
                                       "nics",    "errors",  "uptime_s", NULL};
    static const char *const dkeys[] = {"name", "ok", "errors", "size_bytes", "used_bytes", NULL};
    static const char *const nkeys[] = {"name", "speed_bps", "rx_bps", "tx_bps", "errors", NULL};
    json_t *h = NULL, *disks = NULL, *nics = NULL, *o;
    const char *name, *what;
    double d;
    int64_t v;
    bool ok;
    size_t i;
    enum ocdn_err err;

    err = jsonx_get_object(body, "health", false, &h, rq->arena, &rs->errmsg);
    if (err || !h)
        return err;
    err = jsonx_only_keys(h, "health", keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_real(h, "cpu_pct", false, 0, 100, &d, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_real(h, "mem_pct", false, 0, 100, &d, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_real(h, "load1", false, 0, 100000, &d, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_int(h, "errors", false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_int(h, "uptime_s", false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_array(h, "disks", false, REPORT_MAX_DISKS, &disks, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_array(h, "nics", false, REPORT_MAX_NICS, &nics, rq->arena, &rs->errmsg);
    if (err)
        return err;
    json_array_foreach(disks, i, o)
    {
        what = arena_printf(rq->arena, "health.disks[%zu]", i);
        if (!json_is_object(o))
            return api_fail(rq, rs, "%s: must be an object", what);
        ok = true;
        v = 0;
        err = jsonx_only_keys(o, what, dkeys, rq->arena, &rs->errmsg);
        if (!err)
            err = jsonx_get_str(o, "name", true, 1, 64, &name, rq->arena, &rs->errmsg);
        if (!err)
            err = jsonx_get_bool(o, "ok", true, &ok, rq->arena, &rs->errmsg);
        if (!err)
            err = jsonx_get_int(o, "errors", false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
        if (!err && (!ok || v > 0))
            in->disk_errors = true;
        if (!err)
            err =
                jsonx_get_int(o, "size_bytes", false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
        if (!err)
            err =
                jsonx_get_int(o, "used_bytes", false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
        if (err)
            return err;
    }
    json_array_foreach(nics, i, o)
    {
        what = arena_printf(rq->arena, "health.nics[%zu]", i);
        if (!json_is_object(o))
            return api_fail(rq, rs, "%s: must be an object", what);
        err = jsonx_only_keys(o, what, nkeys, rq->arena, &rs->errmsg);
        if (!err)
            err = jsonx_get_str(o, "name", true, 1, 64, &name, rq->arena, &rs->errmsg);
        if (!err)
            err =
                jsonx_get_int(o, "speed_bps", false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
        if (!err)
            err = jsonx_get_int(o, "rx_bps", false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
        if (!err)
            err = jsonx_get_int(o, "tx_bps", false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
        if (!err)
            err = jsonx_get_int(o, "errors", false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
        if (err)
            return err;
    }
    in->health = dump(rq->arena, h);
    return in->health ? OCDN_OK : OCDN_ENOMEM;
}

static enum ocdn_err
parse_traffic(struct api_req *rq, struct api_resp *rs, json_t *body, struct report_in *in)
{
    static const char *const keys[] = {"bps",        "bytes_sent", "requests",   "connections",
                                       "status_2xx", "status_4xx", "status_5xx", NULL};
    json_t *t = NULL;
    const char *const *k;
    int64_t v;
    enum ocdn_err err;

    in->load_bps = -1;
    err = jsonx_get_object(body, "traffic", false, &t, rq->arena, &rs->errmsg);
    if (err || !t)
        return err;
    err = jsonx_only_keys(t, "traffic", keys, rq->arena, &rs->errmsg);
    for (k = keys; !err && *k; k++)
        err = jsonx_get_int(t, *k, false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
    if (err)
        return err;
    v = -1;
    jsonx_get_int(t, "bps", false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
    in->load_bps = v;
    in->traffic = dump(rq->arena, t);
    return in->traffic ? OCDN_OK : OCDN_ENOMEM;
}

static enum ocdn_err
parse_agent(struct api_req *rq, struct api_resp *rs, json_t *body)
{
    static const char *const keys[] = {"version", "started_at", NULL};
    json_t *ag = NULL;
    const char *ver;
    int64_t v;
    enum ocdn_err err;

    err = jsonx_get_object(body, "agent", false, &ag, rq->arena, &rs->errmsg);
    if (err || !ag)
        return err;
    err = jsonx_only_keys(ag, "agent", keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_str(ag, "version", false, 1, 32, &ver, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_int(ag, "started_at", false, 0, INT64_MAX / 2, &v, rq->arena, &rs->errmsg);
    return err;
}

/* The configuration an agent runs with; its hash is the config_version of report replies. */
static enum ocdn_err
agent_config(struct api_req *rq, const struct oca *o, json_t **out)
{
    struct oca_sign_key *keys;
    struct cp_config_ref *cfg;
    char v4[300], v6[300], b64[64];
    json_t *j, *ks, *hosts;
    size_t n, i;
    enum ocdn_err err;

    *out = NULL;
    err = store_oca_sign_keys(rq->store, o->id, rq->now, rq->arena, &keys, &n);
    if (err)
        return err;
    snprintf(v4, sizeof(v4), "ipv4-%s", o->hostname);
    snprintf(v6, sizeof(v6), "ipv6-%s", o->hostname);
    hosts = json_pack("[s,s,s]", o->hostname, v4, v6);
    ks = json_array();
    for (i = 0; ks && i < n; i++) {
        base64url_encode(keys[i].secret, sizeof(keys[i].secret), b64);
        json_array_append_new(
            ks, json_pack("{s:s,s:I}", "key", b64, "not_after", (json_int_t)keys[i].not_after));
    }
    memset(b64, 0, sizeof(b64));
    cfg = cp_config_get(rq->cp);
    j = json_pack(
        "{s:I,s:s,s:o,s:o,s:I,s:I}", "oca_id", (json_int_t)o->id, "hostname", o->hostname,
        "hostnames", hosts ? hosts : json_array(), "sign_keys", ks ? ks : json_array(),
        "report_interval_s", (json_int_t)(cfg->c.report_interval_ms / 1000), "max_token_ttl_s",
        (json_int_t)((cfg->c.url_ttl_ms > cfg->c.speedtest_ttl_ms ? cfg->c.url_ttl_ms
                                                                  : cfg->c.speedtest_ttl_ms) /
                     1000));
    cp_config_unref(cfg);
    if (!j)
        return OCDN_ENOMEM;
    *out = j;
    return OCDN_OK;
}

/* FNV-1a of the configuration's canonical text, as 16 hex digits. */
static const char *
config_version(struct arena *a, json_t *cfg)
{
    const char *text = dump(a, cfg);
    uint64_t h = 1469598103934665603ULL;
    const char *p;

    if (!text)
        return NULL;
    for (p = text; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ULL;
    }
    return arena_printf(a, "%016llx", (unsigned long long)h);
}

enum ocdn_err
api_agent_report(struct api_req *rq, struct api_resp *rs)
{
    static const char *const keys[] = {"seq",    "routes",  "catalog", "bgp",
                                       "health", "traffic", "agent",   NULL};
    struct report_in in;
    struct report_out out;
    struct report_limits lim;
    struct cp_config_ref *cfg;
    struct oca o;
    json_t *body = NULL, *conf = NULL;
    const char *ver;
    int64_t manifest = 0;
    size_t max_routes, max_files;
    enum ocdn_err err;

    memset(&in, 0, sizeof(in));
    err = jsonx_parse(rq->body, rq->body_len, rq->body_len + 1, REPORT_DEPTH, &body, rq->arena,
                      &rs->errmsg);
    if (err)
        return err == OCDN_ETOOBIG ? err : OCDN_EINVAL;
    if (!json_is_object(body)) {
        err = api_fail(rq, rs, "request body: must be a JSON object");
        goto out;
    }
    err = jsonx_only_keys(body, "body", keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_int(body, "seq", true, 1, INT64_MAX / 2, &in.seq, rq->arena, &rs->errmsg);
    cfg = cp_config_get(rq->cp);
    max_routes = (size_t)cfg->c.report_max_routes;
    max_files = (size_t)cfg->c.report_max_files;
    cp_config_unref(cfg);
    if (!err)
        err = parse_set(rq, rs, body, "routes", max_routes, false, &in.routes);
    if (!err)
        err = parse_set(rq, rs, body, "catalog", max_files, true, &in.catalog);
    if (!err)
        err = parse_bgp(rq, rs, body, &in, &in.degraded);
    if (!err)
        err = parse_health(rq, rs, body, &in);
    if (!err)
        err = parse_traffic(rq, rs, body, &in);
    if (!err)
        err = parse_agent(rq, rs, body);
    if (err)
        goto out;
    if (in.disk_errors)
        in.degraded = true;
    in.body_bytes = (int64_t)rq->body_len;

    cfg = cp_config_get(rq->cp);
    lim.offline_after_s = cfg->c.offline_intervals * cfg->c.report_interval_ms / 1000;
    lim.reports_kept = cfg->c.reports_kept;
    lim.load_limit_pct = cfg->c.steer_load_limit_pct;
    cp_config_unref(cfg);
    err = report_apply(rq->store, rq->tenant->oca_id, &in, &lim, rq->now, &out);
    if (err == OCDN_EINVAL) {
        rs->errmsg = arena_strdup(rq->arena, out.why ? out.why : "bad report");
        goto out;
    }
    if (err == OCDN_ECONFLICT) {
        rs->errmsg = "this OCA is decommissioned";
        goto out;
    }
    if (err)
        goto out;
    if (out.need_full) {
        atomic_fetch_add(&rq->cp->metrics.reports_need_full, 1);
        rs->need_full = true;
        rs->errmsg = arena_printf(
            rq->arena,
            "delta against seq %lld, but the last applied report is %lld: "
            "send a full report",
            (long long)(in.routes.mode == REPORT_DELTA ? in.routes.base_seq : in.catalog.base_seq),
            (long long)out.ack_seq);
        err = OCDN_ECONFLICT;
        goto out;
    }
    if (out.duplicate) {
        atomic_fetch_add(&rq->cp->metrics.reports_duplicate, 1);
    } else {
        atomic_fetch_add(&rq->cp->metrics.reports_applied, 1);
        atomic_fetch_add(&rq->cp->metrics.report_routes_added, (uint64_t)out.routes_added);
        atomic_fetch_add(&rq->cp->metrics.report_routes_removed, (uint64_t)out.routes_removed);
        if (out.changed_steering && rq->cp->steer)
            steer_engine_kick(rq->cp->steer);
    }
    err = store_oca_get(rq->store, 0, rq->tenant->oca_id, rq->arena, &o);
    if (!err)
        err = agent_config(rq, &o, &conf);
    if (!err)
        err = store_manifest_version(rq->store, o.id, &manifest);
    if (err)
        goto out;
    ver = config_version(rq->arena, conf);
    rs->body =
        json_pack("{s:I,s:b,s:b,s:{s:I,s:I,s:I},s:{s:I,s:I,s:I},s:s,s:I,s:s}", "ack_seq",
                  (json_int_t)out.ack_seq, "duplicate", out.duplicate, "need_full", 0, "routes",
                  "added", (json_int_t)out.routes_added, "removed", (json_int_t)out.routes_removed,
                  "total", (json_int_t)out.routes_total, "catalog", "added",
                  (json_int_t)out.files_added, "removed", (json_int_t)out.files_removed, "total",
                  (json_int_t)out.files_total, "config_version", ver ? ver : "", "manifest_version",
                  (json_int_t)manifest, "status", oca_status_str(o.status));
    err = rs->body ? OCDN_OK : OCDN_ENOMEM;
out:
    json_decref(conf);
    json_decref(body);
    return err;
}

enum ocdn_err
api_agent_config(struct api_req *rq, struct api_resp *rs)
{
    struct oca o;
    json_t *conf = NULL;
    const char *ver;
    int64_t delivered = 0;
    enum ocdn_err err;

    err = store_oca_get(rq->store, 0, rq->tenant->oca_id, rq->arena, &o);
    if (!err)
        err = agent_config(rq, &o, &conf);
    if (err)
        return err;
    ver = config_version(rq->arena, conf);
    if (!ver) {
        json_decref(conf);
        return OCDN_ENOMEM;
    }
    /* The agent now has these keys (from this answer, or already, when its ETag matches):
     * steering may sign with them. On failure the agent retries, as it does for any error. */
    err = store_oca_sign_keys_delivered(rq->store, o.id, rq->now, &delivered);
    if (err) {
        json_decref(conf);
        return err;
    }
    if (delivered && rq->cp->steer)
        steer_engine_kick(rq->cp->steer);
    json_object_set_new(conf, "config_version", json_string(ver));
    rs->etag = ver;
    if (rq->if_none_match && api_etag_match(rq->if_none_match, ver)) {
        json_decref(conf);
        rs->status = 304;
        return OCDN_OK;
    }
    rs->body = conf;
    return OCDN_OK;
}
