/* buf.c - growable byte buffer with a hard maximum.
 * Every outside list or body is read into one of these, so the maximum is where the size
 * limits of the program are enforced. */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void
buf_clear(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void
buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static enum ocdn_err
reserve(struct buf *b, size_t n)
{
    size_t want, cap;
    char *p;

    if (n > b->max || b->len > b->max - n)
        return OCDN_ETOOBIG;
    /* Within max but no room for the NUL: only possible when max is SIZE_MAX. */
    if (b->len + n == SIZE_MAX)
        return OCDN_ENOMEM;
    want = b->len + n + 1;
    if (want <= b->cap)
        return OCDN_OK;
    cap = b->cap ? b->cap : 256;
    while (cap < want)
        cap = cap > (SIZE_MAX / 2) ? want : cap * 2;
    if (b->max < SIZE_MAX && cap > b->max + 1)
        cap = b->max + 1;
    p = realloc(b->data, cap);
    if (!p)
        return OCDN_ENOMEM;
    b->data = p;
    b->cap = cap;
    return OCDN_OK;
}

enum ocdn_err
buf_reserve(struct buf *b, size_t n)
{
    enum ocdn_err err = reserve(b, n);

    if (!err && b->len == 0)
        b->data[0] = '\0';
    return err;
}

enum ocdn_err
buf_append(struct buf *b, const void *p, size_t n)
{
    enum ocdn_err err;

    err = reserve(b, n);
    if (err)
        return err;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return OCDN_OK;
}

enum ocdn_err
buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

enum ocdn_err
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    enum ocdn_err err;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return OCDN_EINVAL;
    err = reserve(b, (size_t)n);
    if (err)
        return err;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return OCDN_OK;
}

enum ocdn_err
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    enum ocdn_err err;

    va_start(ap, fmt);
    err = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return err;
}

char *
buf_take(struct buf *b)
{
    char *p = b->data;

    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
