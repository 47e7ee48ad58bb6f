#ifndef COMMON_JSONW_H
#define COMMON_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/* A streaming JSON writer into a struct buf, for responses on hot paths (lists, steering)
 * where building a jansson tree costs more than the request itself. Commas are placed by the
 * writer; strings are escaped (quotes, backslash, control characters) and invalid UTF-8 is
 * replaced by U+FFFD, so the output is always valid JSON. The first error (buffer maximum,
 * memory, nesting) sticks and is returned by jsonw_finish(); calls after it do nothing. */

#define JSONW_MAX_DEPTH 32

struct jsonw {
    struct buf *b;
    unsigned depth;
    uint64_t has_items; /* bit d: the container at depth d has a member already */
    bool after_key;     /* a key was written: the next value follows it without a comma */
    enum ocdn_err err;
};

/* Start writing into b (appends). */
void jsonw_init(struct jsonw *w, struct buf *b);
/* OCDN_OK when the document is complete and nothing failed, else the first error (OCDN_EINVAL
 * for unbalanced nesting). */
enum ocdn_err jsonw_finish(struct jsonw *w);

void jsonw_obj(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
/* A member name inside an object; the value follows with one of the calls below. */
void jsonw_key(struct jsonw *w, const char *k);

/* Values (NULL strings are written as null). */
void jsonw_str(struct jsonw *w, const char *s);
void jsonw_strn(struct jsonw *w, const char *s, size_t n);
/* One string made of a followed by b ("ipv4-" + host name). */
void jsonw_str2(struct jsonw *w, const char *a, const char *b);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_uint(struct jsonw *w, uint64_t v);
/* A number with at most decimals digits after the point, trailing zeros dropped; NaN and
 * infinities are written as null. */
void jsonw_real(struct jsonw *w, double v, int decimals);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* Already-serialised JSON text (trusted: it must be one valid JSON value). */
void jsonw_raw(struct jsonw *w, const char *json);

/* key + value in one call. */
void jsonw_kstr(struct jsonw *w, const char *k, const char *s);
void jsonw_kint(struct jsonw *w, const char *k, int64_t v);
void jsonw_kreal(struct jsonw *w, const char *k, double v, int decimals);
void jsonw_kbool(struct jsonw *w, const char *k, bool v);
void jsonw_knull(struct jsonw *w, const char *k);
/* Unix seconds as "2026-11-24T03:00:00Z", or null for t <= 0. */
void jsonw_ktime(struct jsonw *w, const char *k, int64_t t);

#endif
