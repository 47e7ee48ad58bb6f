#ifndef COMMON_BUF_H
#define COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

/* Growable byte buffer with a hard maximum. data is always NUL-terminated (the NUL is not
 * counted in len and does not count against max). */
struct buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max; /* appends that would make len exceed max fail with OCDN_ETOOBIG */
};

/* Empty buffer that may hold up to max bytes. */
void buf_init(struct buf *b, size_t max);
/* Free the storage; the buffer is empty afterwards and can be reused. */
void buf_clear(struct buf *b);
/* Keep the storage, set len to 0. */
void buf_reset(struct buf *b);
/* Make room for n more bytes without appending (an optimisation: appends grow the buffer
 * anyway); OCDN_ETOOBIG over max, OCDN_ENOMEM. */
enum ocdn_err buf_reserve(struct buf *b, size_t n);
/* Append n bytes; OCDN_ETOOBIG over max, OCDN_ENOMEM; on failure b is unchanged. */
enum ocdn_err buf_append(struct buf *b, const void *p, size_t n);
/* Append a NUL-terminated string. */
enum ocdn_err buf_puts(struct buf *b, const char *s);
/* printf-append; on failure b is unchanged. */
enum ocdn_err buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
enum ocdn_err buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Give the storage to the caller (free() it); b is left empty. NULL if nothing was appended. */
char *buf_take(struct buf *b);

#endif
