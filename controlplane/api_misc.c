/* api_misc.c - /healthz, /metrics (Prometheus text format) and the admin's config view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_handlers.h"
#include "buf.h"
#include "clock.h"
#include "cp.h"
#include "steer.h"
#include "store.h"
#include "version.h"

enum ocdn_err
api_healthz(struct api_req *rq, struct api_resp *rs)
{
    rs->body = json_pack("{s:s,s:s,s:i,s:I}", "status", "ok", "version", OCDN_VERSION, "schema",
                         store_schema_version(rq->store), "uptime_s",
                         (json_int_t)(rq->now - rq->cp->started_at));
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

static void
counter(struct buf *b, const char *name, const char *help, uint64_t v)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
               (unsigned long long)v);
}

enum ocdn_err
api_metrics(struct api_req *rq, struct api_resp *rs)
{
    struct cp_metrics *m = &rq->cp->metrics;
    struct steer_engine_stats es;
    struct buf b;
    unsigned i;

    buf_init(&b, 1 << 20);
    buf_puts(&b, "# HELP ocdn_http_responses_total HTTP responses by status class\n"
                 "# TYPE ocdn_http_responses_total counter\n");
    for (i = 1; i < 6; i++)
        buf_printf(&b, "ocdn_http_responses_total{class=\"%uxx\"} %llu\n", i,
                   (unsigned long long)atomic_load(&m->http_by_class[i]));
    counter(&b, "ocdn_steer_answers_total", "steering answers", atomic_load(&m->steer_answers));
    counter(&b, "ocdn_steer_geo_fallback_total", "answers that fell back to geography",
            atomic_load(&m->steer_geo_fallback));
    counter(&b, "ocdn_steer_origin_fallback_total", "answers that fell back to the origin",
            atomic_load(&m->steer_origin_fallback));
    counter(&b, "ocdn_reports_applied_total", "agent reports applied",
            atomic_load(&m->reports_applied));
    counter(&b, "ocdn_reports_duplicate_total", "agent reports resent and acked again",
            atomic_load(&m->reports_duplicate));
    counter(&b, "ocdn_reports_need_full_total", "delta reports refused for an unknown base",
            atomic_load(&m->reports_need_full));
    counter(&b, "ocdn_report_routes_added_total", "routes added or replaced by reports",
            atomic_load(&m->report_routes_added));
    counter(&b, "ocdn_report_routes_removed_total", "routes removed by reports",
            atomic_load(&m->report_routes_removed));
    if (rq->cp->steer) {
        steer_engine_stats(rq->cp->steer, &es);
        counter(&b, "ocdn_steer_builds_total", "steering snapshots built", es.builds);
        counter(&b, "ocdn_steer_build_failures_total", "steering snapshot builds that failed",
                es.failures);
        buf_printf(&b,
                   "# HELP ocdn_steer_snapshot_prefixes prefixes in the current snapshot\n"
                   "# TYPE ocdn_steer_snapshot_prefixes gauge\nocdn_steer_snapshot_prefixes "
                   "%llu\n# HELP ocdn_steer_snapshot_bytes memory of the current snapshot\n"
                   "# TYPE ocdn_steer_snapshot_bytes gauge\nocdn_steer_snapshot_bytes %llu\n"
                   "# HELP ocdn_steer_build_ms duration of the last build\n"
                   "# TYPE ocdn_steer_build_ms gauge\nocdn_steer_build_ms %.3f\n",
                   (unsigned long long)(es.snap.prefixes_v4 + es.snap.prefixes_v6),
                   (unsigned long long)es.snap.memory_bytes, es.last_build_ms);
    }
    buf_printf(&b,
               "# HELP ocdn_uptime_seconds seconds since start\n"
               "# TYPE ocdn_uptime_seconds gauge\nocdn_uptime_seconds %lld\n",
               (long long)(rq->now - rq->cp->started_at));
    rs->raw = buf_take(&b);
    if (!rs->raw)
        return OCDN_ENOMEM;
    rs->raw_len = strlen(rs->raw);
    rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return OCDN_OK;
}

enum ocdn_err
api_config_view(struct api_req *rq, struct api_resp *rs)
{
    struct cp_config_ref *cfg = cp_config_get(rq->cp);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (!f) {
        cp_config_unref(cfg);
        return OCDN_ENOMEM;
    }
    cp_config_print(&cfg->c, f);
    cp_config_unref(cfg);
    if (fclose(f) != 0 || !text) {
        free(text);
        return OCDN_ENOMEM;
    }
    rs->raw = text;
    rs->raw_len = len;
    rs->content_type = "text/plain; charset=utf-8";
    return OCDN_OK;
}
