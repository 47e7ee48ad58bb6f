#ifndef COMMON_JSONX_H
#define COMMON_JSONX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

/* Typed, bounded access to untrusted JSON (request bodies, reports, manifests).
 * Every getter names the field in its error text: "field 'name': must be a string of 1..64
 * bytes". Error texts are allocated in the arena passed in and set through *errmsg (a fixed
 * text when the arena is full; *errmsg is not touched on success); a getter that fails leaves
 * its output untouched. A JSON null is not "missing": it is a value of the wrong type. Every
 * getter fails when obj is not an object. Getters borrow: nothing returned must be decref'd. */

#define JSONX_DEPTH_DEFAULT 16

/* Parse len bytes holding any JSON value (callers check its type). Rejects bodies over
 * max_bytes (OCDN_ETOOBIG), empty bodies, nesting deeper than max_depth, duplicate keys,
 * invalid UTF-8, NUL bytes raw or as \u0000 and trailing garbage (OCDN_EINVAL; jansson's
 * text and position in *errmsg, masked to printable ASCII); OCDN_ENOMEM when jansson runs
 * out of memory. The depth is checked on the raw bytes before jansson builds anything. *out is
 * NULL on error; on success the caller owns it (json_decref()). */
enum ocdn_err jsonx_parse(const char *body, size_t len, size_t max_bytes, size_t max_depth,
                          json_t **out, struct arena *a, const char **errmsg);

/* obj must be an object whose keys are all in allowed (NULL-terminated); else OCDN_EINVAL
 * naming the first unknown key. what names obj in the message ("body", "routes[3]"). */
enum ocdn_err jsonx_only_keys(const json_t *obj, const char *what, const char *const *allowed,
                              struct arena *a, const char **errmsg);

/* String field: length in bytes within [minlen, maxlen], no NUL bytes. Missing and optional
 * leaves *out untouched and returns OCDN_OK; missing and required is OCDN_EINVAL. */
enum ocdn_err jsonx_get_str(const json_t *obj, const char *key, bool required, size_t minlen,
                            size_t maxlen, const char **out, struct arena *a, const char **errmsg);
/* Integer field within [min, max] (a JSON real is rejected). */
enum ocdn_err jsonx_get_int(const json_t *obj, const char *key, bool required, int64_t min,
                            int64_t max, int64_t *out, struct arena *a, const char **errmsg);
/* Number field (integer or real) within [min, max]. */
enum ocdn_err jsonx_get_real(const json_t *obj, const char *key, bool required, double min,
                             double max, double *out, struct arena *a, const char **errmsg);
/* Boolean field. */
enum ocdn_err jsonx_get_bool(const json_t *obj, const char *key, bool required, bool *out,
                             struct arena *a, const char **errmsg);
/* Array field with at most max_items items; *out is borrowed. */
enum ocdn_err jsonx_get_array(const json_t *obj, const char *key, bool required, size_t max_items,
                              json_t **out, struct arena *a, const char **errmsg);
/* Object field; *out is borrowed. */
enum ocdn_err jsonx_get_object(const json_t *obj, const char *key, bool required, json_t **out,
                               struct arena *a, const char **errmsg);
/* String field that must equal one of choices (NULL-terminated); *index is its position. */
enum ocdn_err jsonx_get_enum(const json_t *obj, const char *key, bool required,
                             const char *const *choices, int *index, struct arena *a,
                             const char **errmsg);

/* Set *errmsg to a printf-formatted message in a (for callers' own field checks) and return
 * OCDN_EINVAL. */
enum ocdn_err jsonx_fail(struct arena *a, const char **errmsg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
