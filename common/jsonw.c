/* jsonw.c - streaming JSON writer (see jsonw.h). Escaping and number formatting are done by
 * hand: these run for every member of every list and steering answer, where printf and a
 * jansson tree cost several times the work. */
#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"

void
jsonw_init(struct jsonw *w, struct buf *b)
{
    memset(w, 0, sizeof(*w));
    w->b = b;
}

enum ocdn_err
jsonw_finish(struct jsonw *w)
{
    if (w->err)
        return w->err;
    return w->depth == 0 && !w->after_key ? OCDN_OK : OCDN_EINVAL;
}

static void
put(struct jsonw *w, const char *p, size_t n)
{
    struct buf *b = w->b;

    /* Room already allocated (cap never exceeds max + 1): copy without buf_append()'s checks. */
    if (!w->err && b->data && b->len + n < b->cap) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return;
    }
    if (!w->err)
        w->err = buf_append(b, p, n);
}

/* Before a value: a comma when the container already has one, nothing after a key. */
static bool
begin_value(struct jsonw *w)
{
    if (w->err)
        return false;
    if (w->after_key) {
        w->after_key = false;
        return true;
    }
    if (w->depth > 0) {
        if (w->has_items & (1ULL << w->depth))
            put(w, ",", 1);
        w->has_items |= 1ULL << w->depth;
    }
    return !w->err;
}

static void
open_container(struct jsonw *w, char c)
{
    if (!begin_value(w))
        return;
    if (w->depth + 1 >= JSONW_MAX_DEPTH) {
        w->err = OCDN_EINVAL;
        return;
    }
    put(w, &c, 1);
    w->depth++;
    w->has_items &= ~(1ULL << w->depth);
}

static void
close_container(struct jsonw *w, char c)
{
    if (w->err)
        return;
    if (w->depth == 0 || w->after_key) {
        w->err = OCDN_EINVAL;
        return;
    }
    w->depth--;
    put(w, &c, 1);
}

void
jsonw_obj(struct jsonw *w)
{
    open_container(w, '{');
}

void
jsonw_obj_end(struct jsonw *w)
{
    close_container(w, '}');
}

void
jsonw_arr(struct jsonw *w)
{
    open_container(w, '[');
}

void
jsonw_arr_end(struct jsonw *w)
{
    close_container(w, ']');
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 when invalid. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))
            return 0; /* overlong, or a UTF-16 surrogate */
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
            return 0; /* overlong, or beyond U+10FFFF */
        return 4;
    }
    return 0;
}

static void
put_string(struct jsonw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0, k;
    char esc[8];

    put(w, "\"", 1);
    while (i < n && !w->err) {
        unsigned char c = p[i];

        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            run++;
            continue;
        }
        if (c >= 0x80) {
            k = utf8_len(p + i, n - i);
            if (k) {
                i += k;
                run += k;
                continue;
            }
        }
        put(w, (const char *)p + i - run, run);
        run = 0;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(w, esc, 2);
        } else if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            put(w, esc, 6);
        } else {
            put(w, "\xef\xbf\xbd", 3); /* U+FFFD for a byte that is not UTF-8 */
        }
        i++;
    }
    put(w, (const char *)p + i - run, run);
    put(w, "\"", 1);
}

void
jsonw_key(struct jsonw *w, const char *k)
{
    if (!begin_value(w))
        return;
    put_string(w, k, strlen(k));
    put(w, ":", 1);
    w->after_key = true;
}

void
jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
    if (!begin_value(w))
        return;
    put_string(w, s, n);
}

void
jsonw_str(struct jsonw *w, const char *s)
{
    if (!s) {
        jsonw_null(w);
        return;
    }
    jsonw_strn(w, s, strlen(s));
}

static size_t
fmt_uint(char *end, uint64_t v)
{
    char *p = end;

    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return (size_t)(end - p);
}

void
jsonw_uint(struct jsonw *w, uint64_t v)
{
    char buf[24];
    size_t n;

    if (!begin_value(w))
        return;
    n = fmt_uint(buf + sizeof(buf), v);
    put(w, buf + sizeof(buf) - n, n);
}

void
jsonw_int(struct jsonw *w, int64_t v)
{
    char buf[24];
    size_t n;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    if (!begin_value(w))
        return;
    n = fmt_uint(buf + sizeof(buf), u);
    if (v < 0)
        buf[sizeof(buf) - ++n] = '-';
    put(w, buf + sizeof(buf) - n, n);
}

void
jsonw_real(struct jsonw *w, double v, int decimals)
{
    char buf[64];
    int n;

    if (!isfinite(v)) {
        jsonw_null(w);
        return;
    }
    if (!begin_value(w))
        return;
    if (decimals < 0 || decimals > 17)
        decimals = 17;
    n = snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    if (n < 0 || (size_t)n >= sizeof(buf)) {
        n = snprintf(buf, sizeof(buf), "%.17g", v);
        if (n < 0 || (size_t)n >= sizeof(buf)) {
            w->err = OCDN_EINVAL;
            return;
        }
    } else if (memchr(buf, '.', (size_t)n)) {
        while (n > 1 && buf[n - 1] == '0')
            n--;
        if (buf[n - 1] == '.')
            n--;
        if (n == 2 && buf[0] == '-' && buf[1] == '0')
            n = snprintf(buf, sizeof(buf), "0"); /* no "-0" */
    }
    put(w, buf, (size_t)n);
}

void
jsonw_bool(struct jsonw *w, bool v)
{
    if (begin_value(w))
        put(w, v ? "true" : "false", v ? 4 : 5);
}

void
jsonw_null(struct jsonw *w)
{
    if (begin_value(w))
        put(w, "null", 4);
}

void
jsonw_raw(struct jsonw *w, const char *json)
{
    if (begin_value(w))
        put(w, json, strlen(json));
}

void
jsonw_kstr(struct jsonw *w, const char *k, const char *s)
{
    jsonw_key(w, k);
    jsonw_str(w, s);
}

void
jsonw_kint(struct jsonw *w, const char *k, int64_t v)
{
    jsonw_key(w, k);
    jsonw_int(w, v);
}

void
jsonw_kreal(struct jsonw *w, const char *k, double v, int decimals)
{
    jsonw_key(w, k);
    jsonw_real(w, v, decimals);
}

void
jsonw_kbool(struct jsonw *w, const char *k, bool v)
{
    jsonw_key(w, k);
    jsonw_bool(w, v);
}

void
jsonw_knull(struct jsonw *w, const char *k)
{
    jsonw_key(w, k);
    jsonw_null(w);
}

void
jsonw_ktime(struct jsonw *w, const char *k, int64_t t)
{
    char buf[32];

    jsonw_key(w, k);
    if (t <= 0)
        jsonw_null(w);
    else
        jsonw_str(w, clock_format_utc(t, buf, sizeof(buf)));
}
