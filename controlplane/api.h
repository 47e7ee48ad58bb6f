#ifndef CP_API_H
#define CP_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "http.h"
#include "jsonw.h"
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

/* The members of each record (between jsonw_obj() and jsonw_obj_end(), so callers can add
 * their own): one place that decides how every route shows an object. */
void api_org_fields(struct jsonw *w, const struct org *o);
void api_site_fields(struct jsonw *w, const struct site *s);
void api_oca_fields(struct jsonw *w, const struct oca *o);
void api_route_fields(struct jsonw *w, const struct route *r);
void api_file_fields(struct jsonw *w, const struct file_rec *f);

/* A response written with jsonw: begin gives a writer on a fresh buffer; done moves the text
 * into rs (application/json) or returns the writer's error. */
void api_out_begin(struct buf *b, struct jsonw *w);
enum ocdn_err api_out_done(struct api_resp *rs, struct buf *b, struct jsonw *w);
/* A single record as the whole response. */
enum ocdn_err api_org_out(struct api_resp *rs, const struct org *rec);
enum ocdn_err api_site_out(struct api_resp *rs, const struct site *rec);
enum ocdn_err api_oca_out(struct api_resp *rs, const struct oca *rec);
enum ocdn_err api_file_out(struct api_resp *rs, const struct file_rec *rec);
/* A page of records: {"items": [...], "next": "<id of the last>"} (next only with more). */
enum ocdn_err api_org_list_out(struct api_resp *rs, const struct org *v, size_t n, bool more);
enum ocdn_err api_site_list_out(struct api_resp *rs, const struct site *v, size_t n, bool more);
enum ocdn_err api_oca_list_out(struct api_resp *rs, const struct oca *v, size_t n, bool more);
/* Start {"items": [ ... */
void api_list_begin(struct jsonw *w);
/* ... ], "next": next} (next omitted when NULL). */
void api_list_end(struct jsonw *w, const char *next);

#endif
