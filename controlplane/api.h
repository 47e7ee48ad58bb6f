#ifndef CP_API_H
#define CP_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "model.h"

/* Helpers shared by the api_*.c handlers: tenant filter, pagination, error text, and the
 * JSON shapes of the records. */

/* org_id filter for the store: the partner's org, or 0 (every org) for the admin. */
int64_t api_org_filter(const struct api_req *rq);
/* Set rs->errmsg to a formatted message and return OCDN_EINVAL. */
enum ocdn_err api_fail(struct api_req *rq, struct api_resp *rs, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Query parameter key as an integer in [min, max] (digits only); *out = def when absent. */
enum ocdn_err api_query_uint(struct api_req *rq, struct api_resp *rs, const char *key, int64_t min,
                             int64_t max, int64_t def, int64_t *out);
/* ?limit= (1..max, default def) and ?before= (an id, 0 = newest) for newest-first lists. */
enum ocdn_err api_page_before(struct api_req *rq, struct api_resp *rs, size_t def, size_t max,
                              size_t *limit, int64_t *before);
/* ?limit= (1..max, default def) and ?after= (an id, default 0). */
enum ocdn_err api_page(struct api_req *rq, struct api_resp *rs, size_t def, size_t max,
                       size_t *limit, int64_t *after);
/* {"items": items, "next": next} (next omitted when NULL); steals items. */
json_t *api_list(json_t *items, const char *next);
/* Unix seconds as "2026-11-24T03:00:00Z", or JSON null for 0. */
json_t *api_time(int64_t unix_s);
/* True when an If-None-Match header value (a list of entity tags, or "*") names etag (given
 * without quotes); weak tags ("W/...") match too. */
bool api_etag_match(const char *header, const char *etag);
/* Parse a string id in the file/title id alphabet ([A-Za-z0-9][A-Za-z0-9._-]{0,127}). */
bool api_valid_object_id(const char *s);

json_t *api_org_json(const struct org *o);
json_t *api_site_json(const struct site *s);
/* An OCA; oca_domain is not needed: the stored host name is complete. */
json_t *api_oca_json(const struct oca *o);
json_t *api_route_json(const struct route *r);
json_t *api_file_json(const struct file_rec *f);

#endif
