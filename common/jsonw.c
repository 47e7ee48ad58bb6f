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

/* A new item in the open container: whether a comma must come before it. */
static bool
next_item(struct jsonw *w)
{
    bool comma = (w->has_items & (1ULL << w->depth)) != 0;

    w->has_items |= 1ULL << w->depth;
    return comma;
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
    if (w->depth > 0 && next_item(w))
        put(w, ",", 1);
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

/* Bytes a JSON string cannot hold as they are: control characters, '"', '\\', and every byte
 * of 0x80 and above (checked as UTF-8 on the slow path). */
static const unsigned char special[256] = {
    [0x00 ... 0x1f] = 1,
    ['"'] = 1,
    ['\\'] = 1,
    [0x80 ... 0xff] = 1,
};

/* The characters of s (n bytes), escaped, without the quotes. */
static void
put_chars(struct jsonw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, start, k;
    char esc[8];

    while (i < n && !w->err) {
        start = i;
        while (i < n && !special[p[i]])
            i++;
        if (i > start)
            put(w, (const char *)p + start, i - start);
        if (i == n)
            break;
        if (p[i] >= 0x80) {
            k = utf8_len(p + i, n - i);
            if (k) {
                put(w, (const char *)p + i, k);
                i += k;
            } else {
                put(w, "\xef\xbf\xbd", 3); /* U+FFFD for a byte that is not UTF-8 */
                i++;
            }
        } else if (p[i] == '"' || p[i] == '\\') {
            esc[0] = '\\';
            esc[1] = (char)p[i];
            put(w, esc, 2);
            i++;
        } else {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[p[i] >> 4];
            esc[5] = hex[p[i] & 15];
            put(w, esc, 6);
            i++;
        }
    }
}

/* Room for n more bytes (and the terminator) in the buffer as it is, or NULL: the caller then
 * takes the checked path. */
static char *
room(struct jsonw *w, size_t n)
{
    struct buf *b = w->b;

    return !w->err && b->data && b->len + n < b->cap ? b->data + b->len : NULL;
}

static bool
plain(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i;

    for (i = 0; i < n; i++)
        if (special[p[i]])
            return false;
    return true;
}

/* A string with nothing to escape (nearly all of them) goes in as one copy. */
static void
put_string(struct jsonw *w, const char *s, size_t n)
{
    char *d = room(w, n + 2);

    if (d && plain(s, n)) {
        d[0] = '"';
        memcpy(d + 1, s, n);
        d[n + 1] = '"';
        d[n + 2] = '\0';
        w->b->len += n + 2;
        return;
    }
    put(w, "\"", 1);
    put_chars(w, s, n);
    put(w, "\"", 1);
}

void
jsonw_key(struct jsonw *w, const char *k)
{
    size_t n = strlen(k);
    bool comma;
    char *d;

    /* Fast path: `,"key":` in one copy when the key needs no escaping. */
    if (!w->err && !w->after_key && w->depth > 0 && (d = room(w, n + 4)) && plain(k, n)) {
        comma = next_item(w);
        if (comma)
            *d++ = ',';
        *d++ = '"';
        memcpy(d, k, n);
        d[n] = '"';
        d[n + 1] = ':';
        d[n + 2] = '\0';
        w->b->len += n + 3 + comma;
        w->after_key = true;
        return;
    }
    if (!begin_value(w))
        return;
    put_string(w, k, n);
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
jsonw_str2(struct jsonw *w, const char *a, const char *b)
{
    if (!begin_value(w))
        return;
    put(w, "\"", 1);
    put_chars(w, a, strlen(a));
    put_chars(w, b, strlen(b));
    put(w, "\"", 1);
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

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm, proleptic Gregorian). */
static void
civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    uint64_t doe = (uint64_t)(z - era * 146097);
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153;

    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void
two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

void
jsonw_ktime(struct jsonw *w, const char *k, int64_t t)
{
    char buf[32];
    int64_t y, days, secs;
    unsigned m, d;

    jsonw_key(w, k);
    if (t <= 0) {
        jsonw_null(w);
        return;
    }
    days = t / 86400;
    secs = t % 86400;
    civil(days, &y, &m, &d);
    if (y > 9999) { /* beyond what the 4-digit form holds: the general formatter */
        jsonw_str(w, clock_format_utc(t, buf, sizeof(buf)));
        return;
    }
    /* "YYYY-MM-DDTHH:MM:SSZ" */
    two(buf, (unsigned)(y / 100));
    two(buf + 2, (unsigned)(y % 100));
    buf[4] = '-';
    two(buf + 5, m);
    buf[7] = '-';
    two(buf + 8, d);
    buf[10] = 'T';
    two(buf + 11, (unsigned)(secs / 3600));
    buf[13] = ':';
    two(buf + 14, (unsigned)(secs / 60 % 60));
    buf[16] = ':';
    two(buf + 17, (unsigned)(secs % 60));
    buf[19] = 'Z';
    jsonw_strn(w, buf, 20);
}
