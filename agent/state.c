/* state.c - the reporter's state on disk: the seq counter, the acknowledged base sets and the
 * last control-plane config (see state.h for the files and the crash rules). Files are text,
 * checked line by line on load: the base file ends with a CRC-32 of everything before it, so
 * a truncated or damaged file is noticed and dropped instead of producing a wrong delta.
 * Owns nothing between calls; logs nothing (the reporter logs what load reports). */
#include "state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "catalog.h"
#include "fileio.h"
#include "routeline.h"
#include "routeset.h"

#define SEQ_FILE    "seq"
#define BASE_FILE   "base"
#define CONFIG_FILE "config.json"
#define SEQ_MAGIC   "ocdn-agent-seq 1"
#define BASE_MAGIC  "ocdn-agent-base 1"
#define SEQ_TEXT    256                          /* bytes of a seq file */
#define BASE_MAX    ((size_t)1536 * 1024 * 1024) /* bytes of a base file (2 M routes fit) */
#define END_LEN     13                           /* "end " + 8 hex digits + "\n" */

void
state_init(struct state *st)
{
    memset(st, 0, sizeof(*st));
}

void
state_clear(struct state *st)
{
    lineset_unref(st->routes);
    lineset_unref(st->catalog);
    memset(st, 0, sizeof(*st));
}

void
state_fresh(struct state *st, int64_t now_ms)
{
    state_clear(st);
    st->next_seq = now_ms > 1 ? (now_ms < STATE_SEQ_MAX ? now_ms : STATE_SEQ_MAX) : 1;
}

/* ---- seq file ---- */

int
state_format_seq(const struct state *st, char *buf, size_t len)
{
    int n = snprintf(
        buf, len, SEQ_MAGIC "\nnext_seq %" PRId64 "\nacked_seq %" PRId64 "\nbase_seq %" PRId64 "\n",
        st->next_seq, st->acked_seq, st->base_seq);

    return n < 0 || (size_t)n >= len ? -1 : n;
}

/* A decimal 0..STATE_SEQ_MAX without sign or leading zeros. */
static bool
parse_seq_value(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
        return false;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (STATE_SEQ_MAX - (s[i] - '0')) / 10)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Next line of [*p, end) without its '\n' into *line and *n; false at the end of the text or when
 * the last line has no '\n' (a truncated file). */
static bool
next_line(const char **p, const char *end, const char **line, size_t *n)
{
    const char *nl;

    if (*p >= end)
        return false;
    nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return false;
    *line = *p;
    *n = (size_t)(nl - *p);
    *p = nl + 1;
    return true;
}

/* "name value" with name as given; the value is parsed by parse_seq_value(). */
static bool
named_value(const char *line, size_t n, const char *name, int64_t *out)
{
    size_t k = strlen(name);

    return n > k + 1 && memcmp(line, name, k) == 0 && line[k] == ' ' &&
           parse_seq_value(line + k + 1, n - k - 1, out);
}

enum ocdn_err
state_parse_seq(const char *text, size_t len, struct state *out, char *err, size_t errlen)
{
    static const char *const names[] = {"next_seq", "acked_seq", "base_seq"};
    const char *p = text, *end = text + len, *line;
    int64_t v[3];
    size_t n, i;

    if (!next_line(&p, end, &line, &n) || n != strlen(SEQ_MAGIC) ||
        memcmp(line, SEQ_MAGIC, n) != 0) {
        snprintf(err, errlen, "not a seq file (first line is not \"" SEQ_MAGIC "\")");
        return OCDN_EINVAL;
    }
    for (i = 0; i < 3; i++) {
        if (!next_line(&p, end, &line, &n) || !named_value(line, n, names[i], &v[i])) {
            snprintf(err, errlen, "line %zu: expected \"%s <number>\"", i + 2, names[i]);
            return OCDN_EINVAL;
        }
    }
    if (p != end) {
        snprintf(err, errlen, "trailing bytes after base_seq");
        return OCDN_EINVAL;
    }
    if (v[0] < 1 || v[1] >= v[0] || v[2] > v[1]) {
        snprintf(err, errlen,
                 "inconsistent numbers (need 1 <= next_seq, acked_seq < next_seq, base_seq <= "
                 "acked_seq)");
        return OCDN_EINVAL;
    }
    out->next_seq = v[0];
    out->acked_seq = v[1];
    out->base_seq = v[2];
    return OCDN_OK;
}

enum ocdn_err
state_save_seq(const char *dir, const struct state *st, char *err, size_t errlen)
{
    char text[SEQ_TEXT];
    int n = state_format_seq(st, text, sizeof(text));

    if (n < 0) {
        snprintf(err, errlen, "seq state does not fit %zu bytes", sizeof(text));
        return OCDN_EIO;
    }
    return fileio_write_atomic(dir, SEQ_FILE, text, (size_t)n, 0600, err, errlen);
}

/* ---- base file ---- */

struct crcout {
    FILE *f;
    uLong crc;
    bool failed;
};

static void
put(struct crcout *o, const char *s, size_t n)
{
    if (o->failed)
        return;
    o->crc = crc32(o->crc, (const Bytef *)s, (uInt)n);
    if (fwrite(s, 1, n, o->f) != n)
        o->failed = true;
}

static void
put_str(struct crcout *o, const char *s)
{
    put(o, s, strlen(s));
}

static void
put_set(struct crcout *o, const char *name, const struct lineset *s)
{
    char head[64];
    size_t i, n;

    if (!s) {
        snprintf(head, sizeof(head), "%s -\n", name);
        put_str(o, head);
        return;
    }
    n = lineset_count(s);
    snprintf(head, sizeof(head), "%s %zu\n", name, n);
    put_str(o, head);
    for (i = 0; i < n && !o->failed; i++) {
        put_str(o, lineset_line(s, i));
        put(o, "\n", 1);
    }
}

enum ocdn_err
state_format_base(FILE *f, int64_t seq, const struct lineset *routes, const struct lineset *catalog)
{
    struct crcout o = {f, crc32(0L, Z_NULL, 0), false};
    char line[64];

    snprintf(line, sizeof(line), BASE_MAGIC "\nseq %" PRId64 "\n", seq);
    put_str(&o, line);
    put_set(&o, "routes", routes);
    put_set(&o, "catalog", catalog);
    if (o.failed)
        return OCDN_EIO;
    snprintf(line, sizeof(line), "end %08lx\n", (unsigned long)(o.crc & 0xffffffffUL));
    return fputs(line, f) == EOF ? OCDN_EIO : OCDN_OK;
}

/* Section "name <count>" or "name -" (NULL set); entries follow, one per line. */
static enum ocdn_err
parse_set(const char **p, const char *end, const char *name, size_t max, bool routes,
          struct lineset **out, char *err, size_t errlen)
{
    struct lineset_builder *b = NULL;
    const char *line, *why;
    char dup[NET_PREFIX_STRLEN + 64];
    size_t n, k = strlen(name), i;
    int64_t count;
    enum ocdn_err e = OCDN_OK;

    *out = NULL;
    if (!next_line(p, end, &line, &n) || n < k + 2 || memcmp(line, name, k) != 0 ||
        line[k] != ' ') {
        snprintf(err, errlen, "expected \"%s <count>\"", name);
        return OCDN_EINVAL;
    }
    if (n == k + 2 && line[k + 1] == '-')
        return OCDN_OK;
    if (!parse_seq_value(line + k + 1, n - k - 1, &count)) {
        snprintf(err, errlen, "%s: bad count", name);
        return OCDN_EINVAL;
    }
    if ((uint64_t)count > max) {
        snprintf(err, errlen, "%s: %" PRId64 " entries, more than %zu", name, count, max);
        return OCDN_ETOOBIG;
    }
    b = lineset_builder_new((size_t)count, BASE_MAX);
    if (!b)
        return OCDN_ENOMEM;
    for (i = 0; i < (size_t)count; i++) {
        if (!next_line(p, end, &line, &n)) {
            snprintf(err, errlen, "%s: %zu of %" PRId64 " entries, then the end", name, i, count);
            e = OCDN_EINVAL;
            goto out;
        }
        if (routes) {
            e = routeset_add_line(b, line, n, &why);
        } else {
            char id[CATALOG_ID_MAX + 1];

            why = "not a file id";
            e = OCDN_EINVAL;
            if (n <= CATALOG_ID_MAX) {
                memcpy(id, line, n);
                id[n] = '\0';
                if (strlen(id) == n && catalog_valid_id(id))
                    e = lineset_builder_add(b, line, n, NULL, 0);
            }
        }
        if (e == OCDN_EINVAL) {
            snprintf(err, errlen, "%s[%zu]: %s", name, i, why);
            goto out;
        }
        if (e)
            goto out;
    }
    e = lineset_builder_finish(b, out, dup, sizeof(dup));
    if (e == OCDN_EEXIST) {
        snprintf(err, errlen, "%s: %s listed twice", name, dup);
        e = OCDN_EINVAL;
    }
out:
    lineset_builder_free(b);
    return e;
}

enum ocdn_err
state_parse_base(const char *text, size_t len, const struct state_limits *lim, int64_t *seq,
                 struct lineset **routes, struct lineset **catalog, char *err, size_t errlen)
{
    const char *p = text, *end, *line;
    struct lineset *r = NULL, *c = NULL;
    char want[END_LEN + 1];
    size_t n;
    int64_t s;
    enum ocdn_err e;

    *seq = 0;
    *routes = NULL;
    *catalog = NULL;
    /* The checksum first: it covers every byte before the "end" line. */
    if (len < END_LEN || memcmp(text + len - END_LEN, "end ", 4) != 0) {
        snprintf(err, errlen, "truncated (no \"end <crc>\" line)");
        return OCDN_EINVAL;
    }
    end = text + len - END_LEN;
    snprintf(want, sizeof(want), "end %08lx\n",
             (unsigned long)(crc32(crc32(0L, Z_NULL, 0), (const Bytef *)text, (uInt)(end - text)) &
                             0xffffffffUL));
    if (memcmp(end, want, END_LEN) != 0) {
        snprintf(err, errlen, "checksum mismatch");
        return OCDN_EINVAL;
    }
    if (!next_line(&p, end, &line, &n) || n != strlen(BASE_MAGIC) ||
        memcmp(line, BASE_MAGIC, n) != 0) {
        snprintf(err, errlen, "not a base file (first line is not \"" BASE_MAGIC "\")");
        return OCDN_EINVAL;
    }
    if (!next_line(&p, end, &line, &n) || !named_value(line, n, "seq", &s) || s < 1) {
        snprintf(err, errlen, "line 2: expected \"seq <number>\"");
        return OCDN_EINVAL;
    }
    e = parse_set(&p, end, "routes", lim->max_routes, true, &r, err, errlen);
    if (!e)
        e = parse_set(&p, end, "catalog", lim->max_files, false, &c, err, errlen);
    if (!e && p != end) {
        snprintf(err, errlen, "bytes after the catalog");
        e = OCDN_EINVAL;
    }
    if (e) {
        lineset_unref(r);
        lineset_unref(c);
        return e;
    }
    *seq = s;
    *routes = r;
    *catalog = c;
    return OCDN_OK;
}

enum ocdn_err
state_save_base(const char *dir, int64_t seq, const struct lineset *routes,
                const struct lineset *catalog, char *err, size_t errlen)
{
    struct fileio_tmp t;
    enum ocdn_err e;

    e = fileio_begin(&t, dir, BASE_FILE, 0600, err, errlen);
    if (e)
        return e;
    /* A large stdio buffer: the file may hold millions of short lines. */
    setvbuf(t.f, NULL, _IOFBF, 1 << 20);
    e = state_format_base(t.f, seq, routes, catalog);
    if (e) {
        snprintf(err, errlen, "cannot write %s: %s", t.path, strerror(errno));
        fileio_abort(&t);
        return e;
    }
    return fileio_commit(&t, err, errlen);
}

/* ---- load ---- */

static void note(char *notes, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Append "; " (unless first) and the formatted text to notes. */
static void
note(char *notes, size_t len, const char *fmt, ...)
{
    size_t used = strlen(notes);
    va_list ap;

    if (used && used + 2 < len) {
        memcpy(notes + used, "; ", 3);
        used += 2;
    }
    if (used >= len)
        return;
    va_start(ap, fmt);
    vsnprintf(notes + used, len - used, fmt, ap);
    va_end(ap);
}

enum ocdn_err
state_load(const char *dir, const struct state_limits *lim, int64_t now_ms, struct state *out,
           char *notes, size_t noteslen, char *err, size_t errlen)
{
    char path[4096], why[512];
    char *text = NULL;
    size_t len;
    int64_t seq;
    struct lineset *r = NULL, *c = NULL;
    enum ocdn_err e;

    state_clear(out);
    notes[0] = '\0';
    snprintf(path, sizeof(path), "%s/" SEQ_FILE, dir);
    e = fileio_read(path, SEQ_TEXT, &text, &len, err, errlen);
    if (e == OCDN_ENOTFOUND) {
        state_fresh(out, now_ms);
        return OCDN_OK;
    }
    if (e == OCDN_ETOOBIG) {
        note(notes, noteslen, "seq file too large: fresh start");
        state_fresh(out, now_ms);
        return OCDN_OK;
    }
    if (e)
        return e;
    e = state_parse_seq(text, len, out, why, sizeof(why));
    free(text);
    text = NULL;
    if (e) {
        note(notes, noteslen, "seq file: %s: fresh start", why);
        state_fresh(out, now_ms);
        return OCDN_OK;
    }
    if (out->base_seq == 0)
        return OCDN_OK;

    snprintf(path, sizeof(path), "%s/" BASE_FILE, dir);
    e = fileio_read(path, BASE_MAX, &text, &len, err, errlen);
    if (e == OCDN_ENOTFOUND || e == OCDN_ETOOBIG) {
        note(notes, noteslen, "base file %s: next report is full",
             e == OCDN_ENOTFOUND ? "missing" : "too large");
        out->base_seq = 0;
        return OCDN_OK;
    }
    if (e) {
        state_clear(out);
        return e;
    }
    e = state_parse_base(text, len, lim, &seq, &r, &c, why, sizeof(why));
    free(text);
    if (e == OCDN_ENOMEM) {
        state_clear(out);
        return e;
    }
    if (e) {
        note(notes, noteslen, "base file: %s: next report is full", why);
        out->base_seq = 0;
        return OCDN_OK;
    }
    if (seq != out->base_seq) {
        snprintf(why, sizeof(why), "written for seq %" PRId64 ", expected %" PRId64, seq,
                 out->base_seq);
        note(notes, noteslen, "base file: %s: next report is full", why);
        lineset_unref(r);
        lineset_unref(c);
        out->base_seq = 0;
        return OCDN_OK;
    }
    out->routes = r;
    out->catalog = c;
    return OCDN_OK;
}

/* ---- config.json ---- */

enum ocdn_err
state_save_config(const char *dir, const char *body, size_t len, char *err, size_t errlen)
{
    if (len > STATE_CONFIG_MAX) {
        snprintf(err, errlen, "config of %zu bytes is over %d", len, STATE_CONFIG_MAX);
        return OCDN_ETOOBIG;
    }
    return fileio_write_atomic(dir, CONFIG_FILE, body, len, 0600, err, errlen);
}

enum ocdn_err
state_load_config(const char *dir, char **body, size_t *len, char *err, size_t errlen)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/" CONFIG_FILE, dir);
    return fileio_read(path, STATE_CONFIG_MAX, body, len, err, errlen);
}
