/* cfg.c - table-driven "key = value" configuration loader (STYLE.md section 7).
 * Each program describes its keys in one struct cfg_key table; this module validates the
 * table, parses the defaults and the file with the same value parser, enforces the bounds,
 * prints the effective configuration for -n and moves reloadable keys on SIGHUP. It owns only
 * the string copies it puts into the caller's struct, logs nothing and returns errors as text.
 * Host:port values are checked here with inet_pton() so that cfg depends on no other module. */
#include "cfg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

#define WHY_MAX 256 /* reason texts; the longest is built from a few numbers */

/* A parsed value before it is stored into the field of its type. */
union value {
    int64_t i;
    bool b;
    char *s;
};

struct unit {
    const char *name;
    int64_t mult;
};

/* Largest first, so that the printer picks the largest exact unit. */
static const struct unit duration_units[] = {
    {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1},
};
static const struct unit size_units[] = {
    {"G", INT64_C(1) << 30},
    {"M", INT64_C(1) << 20},
    {"k", INT64_C(1) << 10},
    {"", 1},
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool
is_str_type(enum cfg_type t)
{
    return t == CFG_STR || t == CFG_HOSTPORT;
}

static bool
is_int_type(enum cfg_type t)
{
    return t == CFG_INT || t == CFG_DURATION || t == CFG_SIZE;
}

static bool
has_bounds(const struct cfg_key *k)
{
    return k->min != 0 || k->max != 0;
}

static void *
field_ptr(const struct cfg_key *k, void *cfg)
{
    return (char *)cfg + k->offset;
}

static const void *
cfield_ptr(const struct cfg_key *k, const void *cfg)
{
    return (const char *)cfg + k->offset;
}

static bool
is_key_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Decimal digits at *pp, all of which are consumed; OCDN_EINVAL when there is none,
 * OCDN_ETOOBIG when the number exceeds limit (*out is then not set). */
static enum ocdn_err
parse_digits(const char **pp, uint64_t limit, uint64_t *out)
{
    const char *p = *pp;
    uint64_t v = 0;
    bool over = false;

    if (*p < '0' || *p > '9')
        return OCDN_EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');

        if (over || v > (limit - d) / 10)
            over = true;
        else
            v = v * 10 + d;
    }
    *pp = p;
    if (over)
        return OCDN_ETOOBIG;
    *out = v;
    return OCDN_OK;
}

static enum ocdn_err
parse_int(const char *s, int64_t *out, char *why, size_t whylen)
{
    bool neg = false;
    uint64_t v;
    enum ocdn_err err;

    if (*s == '-') {
        neg = true;
        s++;
    }
    err = parse_digits(&s, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &v);
    if (err == OCDN_EINVAL || *s != '\0') {
        seterr(why, whylen, "not an integer");
        return OCDN_EINVAL;
    }
    if (err) {
        seterr(why, whylen, "integer does not fit in 64 bits");
        return OCDN_EINVAL;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return OCDN_OK;
}

/* "<digits><unit>" where unit is one of units; an empty unit name matches no suffix, and a
 * missing suffix means bare_mult. */
static enum ocdn_err
parse_scaled(const char *s, const struct unit *units, size_t nunits, int64_t bare_mult,
             const char *what, const char *examples, int64_t *out, char *why, size_t whylen)
{
    uint64_t v;
    int64_t mult = 0;
    enum ocdn_err err;
    size_t i;

    err = parse_digits(&s, (uint64_t)INT64_MAX, &v);
    if (err == OCDN_EINVAL) {
        seterr(why, whylen, "not a %s (e.g. %s)", what, examples);
        return OCDN_EINVAL;
    }
    if (*s == '\0') {
        mult = bare_mult;
    } else {
        for (i = 0; i < nunits; i++) {
            if (units[i].name[0] != '\0' && strcmp(s, units[i].name) == 0)
                mult = units[i].mult;
        }
    }
    if (mult == 0) {
        seterr(why, whylen, "not a %s (e.g. %s)", what, examples);
        return OCDN_EINVAL;
    }
    if (err == OCDN_ETOOBIG || v > (uint64_t)(INT64_MAX / mult)) {
        seterr(why, whylen, "%s does not fit in 64 bits", what);
        return OCDN_EINVAL;
    }
    *out = (int64_t)v * mult;
    return OCDN_OK;
}

static enum ocdn_err
parse_bool(const char *s, bool *out, char *why, size_t whylen)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return OCDN_OK;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return OCDN_OK;
        }
    }
    seterr(why, whylen, "not a boolean (yes/no, true/false, on/off, 1/0)");
    return OCDN_EINVAL;
}

/* 0..65535 in plain decimal: no sign, no leading zero, nothing after. Port 0 asks the kernel
 * for a free port (tests run servers that way and read the bound port from the log). */
static bool
port_ok(const char *s)
{
    uint64_t v;

    if (s[0] == '0')
        return s[1] == '\0';
    if (parse_digits(&s, 65535, &v) != OCDN_OK)
        return false;
    return *s == '\0';
}

/* "a.b.c.d:port" or "[v6]:port" with a numeric address only: the listener binds exactly what
 * is written, so names (resolved at start-up, maybe differently later) and zone ids are out. */
static bool
hostport_ok(const char *s)
{
    char host[INET6_ADDRSTRLEN];
    struct in6_addr a6;
    struct in_addr a4;
    const char *end;
    size_t n;

    if (s[0] == '[') {
        end = strchr(s, ']');
        if (!end)
            return false;
        n = (size_t)(end - (s + 1));
        if (n == 0 || n >= sizeof(host))
            return false;
        memcpy(host, s + 1, n);
        host[n] = '\0';
        if (inet_pton(AF_INET6, host, &a6) != 1 || end[1] != ':')
            return false;
        return port_ok(end + 2);
    }
    end = strchr(s, ':');
    if (!end)
        return false;
    n = (size_t)(end - s);
    if (n == 0 || n >= sizeof(host))
        return false;
    memcpy(host, s, n);
    host[n] = '\0';
    if (inet_pton(AF_INET, host, &a4) != 1)
        return false;
    return port_ok(end + 1);
}

/* v in the unit the table uses for the type: "5m", "16M", "42". */
static void
format_int(enum cfg_type type, int64_t v, char *out, size_t outlen)
{
    const struct unit *units = NULL;
    size_t i, n = 0;

    if (type == CFG_DURATION) {
        units = duration_units;
        n = sizeof(duration_units) / sizeof(duration_units[0]);
        if (v == 0) {
            snprintf(out, outlen, "0s");
            return;
        }
    } else if (type == CFG_SIZE) {
        units = size_units;
        n = sizeof(size_units) / sizeof(size_units[0]);
        if (v == 0) {
            snprintf(out, outlen, "0");
            return;
        }
    }
    for (i = 0; i < n; i++) {
        if (v % units[i].mult == 0) {
            snprintf(out, outlen, "%" PRId64 "%s", v / units[i].mult, units[i].name);
            return;
        }
    }
    snprintf(out, outlen, "%" PRId64, v);
}

/* Parse one value text (already unquoted) for key k: the single parser for defaults and file
 * values. On success *v holds the value; a string in v->s is the caller's. */
static enum ocdn_err
parse_value(const struct cfg_key *k, const char *text, union value *v, char *why, size_t whylen)
{
    char lo[32], hi[32], got[32];
    enum ocdn_err err = OCDN_OK;
    const unsigned char *p;
    size_t len;

    memset(v, 0, sizeof(*v));
    for (p = (const unsigned char *)text; *p; p++) {
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
            seterr(why, whylen, "control character in value");
            return OCDN_EINVAL;
        }
    }
    switch (k->type) {
    case CFG_INT:
        err = parse_int(text, &v->i, why, whylen);
        break;
    case CFG_DURATION:
        err = parse_scaled(text, duration_units, sizeof(duration_units) / sizeof(duration_units[0]),
                           1000, "duration", "250ms, 30s, 5m, 2h, 1d", &v->i, why, whylen);
        break;
    case CFG_SIZE:
        err = parse_scaled(text, size_units, sizeof(size_units) / sizeof(size_units[0]), 1, "size",
                           "512, 64k, 16M, 2G", &v->i, why, whylen);
        break;
    case CFG_BOOL:
        err = parse_bool(text, &v->b, why, whylen);
        break;
    case CFG_STR:
        len = strlen(text);
        if (has_bounds(k) && (len < (uint64_t)k->min || len > (uint64_t)k->max)) {
            seterr(why, whylen, "length %zu is out of range %" PRId64 "..%" PRId64, len, k->min,
                   k->max);
            return OCDN_EINVAL;
        }
        break;
    case CFG_HOSTPORT:
        if (!hostport_ok(text)) {
            seterr(why, whylen, "not host:port");
            return OCDN_EINVAL;
        }
        break;
    }
    if (err)
        return err;
    if (is_int_type(k->type) && has_bounds(k) && (v->i < k->min || v->i > k->max)) {
        format_int(k->type, v->i, got, sizeof(got));
        format_int(k->type, k->min, lo, sizeof(lo));
        format_int(k->type, k->max, hi, sizeof(hi));
        seterr(why, whylen, "%s is out of range %s..%s", got, lo, hi);
        return OCDN_EINVAL;
    }
    if (is_str_type(k->type)) {
        v->s = strdup(text);
        if (!v->s) {
            seterr(why, whylen, "out of memory");
            return OCDN_ENOMEM;
        }
    }
    if (k->check) {
        if (why && whylen)
            why[0] = '\0';
        err = k->check(is_str_type(k->type)  ? (const void *)&v->s
                       : k->type == CFG_BOOL ? (const void *)&v->b
                                             : (const void *)&v->i,
                       why, whylen);
        if (err) {
            if (why && whylen && why[0] == '\0')
                seterr(why, whylen, "invalid value");
            if (is_str_type(k->type)) {
                free(v->s);
                v->s = NULL;
            }
            return err;
        }
    }
    return OCDN_OK;
}

/* Store v into the field of k, taking its string; a string already there is freed. */
static void
store_value(const struct cfg_key *k, void *cfg, union value *v)
{
    void *f = field_ptr(k, cfg);

    if (is_str_type(k->type)) {
        free(*(char **)f);
        *(char **)f = v->s;
        v->s = NULL;
    } else if (k->type == CFG_BOOL) {
        *(bool *)f = v->b;
    } else {
        *(int64_t *)f = v->i;
    }
}

static void
zero_fields(const struct cfg_key *table, size_t nkeys, void *cfg)
{
    size_t i;

    for (i = 0; i < nkeys; i++) {
        union value v = {0};
        void *f = field_ptr(&table[i], cfg);

        if (is_str_type(table[i].type))
            *(char **)f = NULL;
        else
            store_value(&table[i], cfg, &v);
    }
}

static bool
key_name_ok(const char *name)
{
    const char *p;

    if (!name || !*name)
        return false;
    for (p = name; *p; p++) {
        if (!is_key_char((unsigned char)*p))
            return false;
    }
    return true;
}

/* Catch table mistakes on the first load (every program's tests load their table). */
static enum ocdn_err
check_table(const struct cfg_key *table, size_t nkeys, char *err, size_t errlen)
{
    size_t i, j;

    if (nkeys && !table) {
        seterr(err, errlen, "table: missing");
        return OCDN_EINVAL;
    }
    for (i = 0; i < nkeys; i++) {
        const struct cfg_key *k = &table[i];
        const char *why = NULL;

        if (!key_name_ok(k->name)) {
            seterr(err, errlen, "table: row %zu: bad key name", i);
            return OCDN_EINVAL;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(table[j].name, k->name) == 0)
                why = "listed twice";
        }
        if (!is_str_type(k->type) && !is_int_type(k->type) && k->type != CFG_BOOL)
            why = "bad type";
        else if (k->min > k->max)
            why = "min is greater than max";
        else if ((k->type == CFG_BOOL || k->type == CFG_HOSTPORT) && has_bounds(k))
            why = "bounds do not apply to this type";
        else if ((k->type == CFG_STR || k->type == CFG_DURATION || k->type == CFG_SIZE) &&
                 k->min < 0)
            why = "negative lower bound";
        else if (!is_str_type(k->type) && !k->def)
            why = "no default";
        else if (k->help && strchr(k->help, '\n'))
            why = "help is not one line";
        if (why) {
            seterr(err, errlen, "table: %s: %s", k->name, why);
            return OCDN_EINVAL;
        }
    }
    return OCDN_OK;
}

static enum ocdn_err
load_defaults(const struct cfg_key *table, size_t nkeys, void *cfg, char *err, size_t errlen)
{
    char why[WHY_MAX];
    union value v;
    enum ocdn_err e;
    size_t i;

    for (i = 0; i < nkeys; i++) {
        if (!table[i].def)
            continue;
        e = parse_value(&table[i], table[i].def, &v, why, sizeof(why));
        if (e) {
            seterr(err, errlen, "(default): %s: %s", table[i].name, why);
            return e;
        }
        store_value(&table[i], cfg, &v);
    }
    return OCDN_OK;
}

/* Unquote or trim the value part of a line (after '=') into out (at least n + 1 bytes). */
static enum ocdn_err
lex_value(const char *s, size_t n, char *out, char *why, size_t whylen)
{
    size_t i = 0, o = 0, end;

    while (i < n && is_space(s[i]))
        i++;
    if (i < n && s[i] == '"') {
        for (i++;; i++) {
            if (i == n) {
                seterr(why, whylen, "unterminated quoted value");
                return OCDN_EINVAL;
            }
            if (s[i] == '"')
                break;
            if (s[i] == '\\') {
                if (i + 1 == n || (s[i + 1] != '"' && s[i + 1] != '\\')) {
                    seterr(why, whylen, "bad escape in quoted value (only \\\" and \\\\)");
                    return OCDN_EINVAL;
                }
                i++;
            }
            out[o++] = s[i];
        }
        for (i++; i < n && is_space(s[i]); i++)
            ;
        if (i < n && s[i] != '#') {
            seterr(why, whylen, "text after the closing quote");
            return OCDN_EINVAL;
        }
        out[o] = '\0';
        return OCDN_OK;
    }
    end = i;
    while (end < n && s[end] != '#')
        end++;
    while (end > i && is_space(s[end - 1]))
        end--;
    memcpy(out, s + i, end - i);
    out[end - i] = '\0';
    return OCDN_OK;
}

static const struct cfg_key *
find_key(const struct cfg_key *table, size_t nkeys, const char *name, size_t len, size_t *idx)
{
    size_t i;

    for (i = 0; i < nkeys; i++) {
        if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0) {
            *idx = i;
            return &table[i];
        }
    }
    return NULL;
}

/* One line of n bytes (without its '\n'). seen[i] is the line that set table[i], or 0. */
static enum ocdn_err
parse_line(const struct cfg_key *table, size_t nkeys, void *cfg, size_t *seen, const char *name,
           size_t lineno, const char *line, size_t n, char *err, size_t errlen)
{
    char val[CFG_LINE_MAX + 1];
    char why[WHY_MAX];
    const struct cfg_key *k;
    const char *eq;
    union value v;
    enum ocdn_err e;
    size_t i, j, klen, idx = 0;

    if (n > CFG_LINE_MAX) {
        seterr(err, errlen, "%s:%zu: line longer than %d bytes", name, lineno, CFG_LINE_MAX);
        return OCDN_EINVAL;
    }
    if (memchr(line, '\0', n)) {
        seterr(err, errlen, "%s:%zu: NUL byte", name, lineno);
        return OCDN_EINVAL;
    }
    if (n > 0 && line[n - 1] == '\r')
        n--;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];

        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            seterr(err, errlen, "%s:%zu: control character", name, lineno);
            return OCDN_EINVAL;
        }
    }
    for (i = 0; i < n && is_space(line[i]); i++)
        ;
    if (i == n || line[i] == '#')
        return OCDN_OK;
    eq = memchr(line + i, '=', n - i);
    if (!eq) {
        seterr(err, errlen, "%s:%zu: expected key = value", name, lineno);
        return OCDN_EINVAL;
    }
    klen = (size_t)(eq - (line + i));
    while (klen > 0 && is_space(line[i + klen - 1]))
        klen--;
    if (klen == 0) {
        seterr(err, errlen, "%s:%zu: empty key", name, lineno);
        return OCDN_EINVAL;
    }
    for (j = 0; j < klen; j++) {
        if (!is_key_char((unsigned char)line[i + j])) {
            seterr(err, errlen, "%s:%zu: bad character in key", name, lineno);
            return OCDN_EINVAL;
        }
    }
    k = find_key(table, nkeys, line + i, klen, &idx);
    if (!k) {
        seterr(err, errlen, "%s:%zu: %.*s: unknown key", name, lineno, (int)klen, line + i);
        return OCDN_EINVAL;
    }
    if (seen[idx]) {
        seterr(err, errlen, "%s:%zu: %s: duplicate key (first set on line %zu)", name, lineno,
               k->name, seen[idx]);
        return OCDN_EINVAL;
    }
    e = lex_value(eq + 1, n - (size_t)(eq + 1 - line), val, why, sizeof(why));
    if (!e)
        e = parse_value(k, val, &v, why, sizeof(why));
    if (e) {
        seterr(err, errlen, "%s:%zu: %s: %s", name, lineno, k->name, why);
        return e;
    }
    store_value(k, cfg, &v);
    seen[idx] = lineno;
    return OCDN_OK;
}

static enum ocdn_err
parse_text(const struct cfg_key *table, size_t nkeys, void *cfg, const char *name, const char *text,
           size_t len, char *err, size_t errlen)
{
    const char *p = text, *end = text + len;
    size_t *seen;
    size_t lineno = 0;
    enum ocdn_err e = OCDN_OK;

    seen = calloc(nkeys ? nkeys : 1, sizeof(*seen));
    if (!seen) {
        seterr(err, errlen, "%s: out of memory", name);
        return OCDN_ENOMEM;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

        lineno++;
        e = parse_line(table, nkeys, cfg, seen, name, lineno, p, n, err, errlen);
        if (e)
            break;
        p += n + (nl ? 1 : 0);
    }
    free(seen);
    return e;
}

enum ocdn_err
cfg_load_buf(const struct cfg_key *table, size_t nkeys, const char *name, const char *text,
             size_t len, void *cfg, char *err, size_t errlen)
{
    enum ocdn_err e;

    seterr(err, errlen, "%s", "");
    if (!name)
        name = "(config)";
    e = check_table(table, nkeys, err, errlen);
    if (e)
        return e;
    zero_fields(table, nkeys, cfg);
    if (!text && len) {
        seterr(err, errlen, "%s: no text", name);
        e = OCDN_EINVAL;
        goto out;
    }
    if (len > CFG_FILE_MAX) {
        seterr(err, errlen, "%s: larger than %d bytes", name, CFG_FILE_MAX);
        e = OCDN_ETOOBIG;
        goto out;
    }
    e = load_defaults(table, nkeys, cfg, err, errlen);
    if (e)
        goto out;
    e = parse_text(table, nkeys, cfg, name, text, len, err, errlen);
out:
    if (e) {
        cfg_clear(table, nkeys, cfg);
        zero_fields(table, nkeys, cfg);
    }
    return e;
}

/* Read a regular file of at most CFG_FILE_MAX bytes into b. */
static enum ocdn_err
read_file(const char *path, struct buf *b, char *err, size_t errlen)
{
    char chunk[64 * 1024];
    char ebuf[128];
    struct stat st;
    enum ocdn_err e = OCDN_OK;
    ssize_t n;
    int fd;

    /* O_NONBLOCK: opening a FIFO must not hang start-up; a FIFO is refused below anyway. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        seterr(err, errlen, "%s: %s", path, strerror_r(errno, ebuf, sizeof(ebuf)));
        return OCDN_EIO;
    }
    if (fstat(fd, &st) < 0) {
        seterr(err, errlen, "%s: %s", path, strerror_r(errno, ebuf, sizeof(ebuf)));
        e = OCDN_EIO;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        seterr(err, errlen, "%s: not a regular file", path);
        e = OCDN_EIO;
        goto out;
    }
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            seterr(err, errlen, "%s: %s", path, strerror_r(errno, ebuf, sizeof(ebuf)));
            e = OCDN_EIO;
            goto out;
        }
        if (n == 0)
            break;
        e = buf_append(b, chunk, (size_t)n);
        if (e == OCDN_ETOOBIG)
            seterr(err, errlen, "%s: larger than %d bytes", path, CFG_FILE_MAX);
        else if (e)
            seterr(err, errlen, "%s: out of memory", path);
        if (e)
            goto out;
    }
out:
    close(fd);
    return e;
}

enum ocdn_err
cfg_load(const struct cfg_key *table, size_t nkeys, const char *path, void *cfg, char *err,
         size_t errlen)
{
    struct buf b;
    enum ocdn_err e;

    if (!path)
        return cfg_load_buf(table, nkeys, "(defaults)", NULL, 0, cfg, err, errlen);
    buf_init(&b, CFG_FILE_MAX);
    e = read_file(path, &b, err, errlen);
    if (e) {
        /* Keep the promise of cfg_load_buf(): a valid table's fields end up zeroed. */
        if (check_table(table, nkeys, NULL, 0) == OCDN_OK)
            zero_fields(table, nkeys, cfg);
        goto out;
    }
    e = cfg_load_buf(table, nkeys, path, b.data, b.len, cfg, err, errlen);
out:
    buf_clear(&b);
    return e;
}

/* Quotes are needed when the bare text would not read back as itself. */
static bool
needs_quotes(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || is_space(s[0]) || is_space(s[n - 1]))
        return true;
    return strpbrk(s, "#\"\\") != NULL;
}

static void
print_str(const char *s, FILE *out)
{
    if (!needs_quotes(s)) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void
cfg_print(const struct cfg_key *table, size_t nkeys, const void *cfg, FILE *out)
{
    char num[32];
    size_t i;

    for (i = 0; i < nkeys; i++) {
        const struct cfg_key *k = &table[i];
        const void *f = cfield_ptr(k, cfg);

        if (k->help)
            fprintf(out, "# %s\n", k->help);
        if (is_str_type(k->type)) {
            const char *s = *(char *const *)f;

            if (!s) {
                fprintf(out, "# %s is not set\n", k->name);
                continue;
            }
            fprintf(out, "%s = ", k->name);
            print_str(s, out);
            fputc('\n', out);
        } else if (k->type == CFG_BOOL) {
            fprintf(out, "%s = %s\n", k->name, *(const bool *)f ? "yes" : "no");
        } else {
            format_int(k->type, *(const int64_t *)f, num, sizeof(num));
            fprintf(out, "%s = %s\n", k->name, num);
        }
    }
}

void
cfg_clear(const struct cfg_key *table, size_t nkeys, void *cfg)
{
    size_t i;

    for (i = 0; i < nkeys; i++) {
        if (is_str_type(table[i].type)) {
            char **f = field_ptr(&table[i], cfg);

            free(*f);
            *f = NULL;
        }
    }
}

static bool
same_value(const struct cfg_key *k, const void *a, const void *b)
{
    const void *fa = cfield_ptr(k, a), *fb = cfield_ptr(k, b);

    if (is_str_type(k->type)) {
        const char *sa = *(char *const *)fa, *sb = *(char *const *)fb;

        if (!sa || !sb)
            return sa == sb;
        return strcmp(sa, sb) == 0;
    }
    if (k->type == CFG_BOOL)
        return *(const bool *)fa == *(const bool *)fb;
    return *(const int64_t *)fa == *(const int64_t *)fb;
}

size_t
cfg_apply_reloadable(const struct cfg_key *table, size_t nkeys, void *cur, void *next)
{
    size_t i, changed = 0;

    for (i = 0; i < nkeys; i++) {
        const struct cfg_key *k = &table[i];
        void *fc, *fn;

        if (!k->reloadable || same_value(k, cur, next))
            continue;
        fc = field_ptr(k, cur);
        fn = field_ptr(k, next);
        if (is_str_type(k->type)) {
            /* Swap rather than copy: no allocation that could fail, one owner per string,
             * and cfg_clear(next) frees the replaced value. */
            char *old = *(char **)fc;

            *(char **)fc = *(char **)fn;
            *(char **)fn = old;
        } else if (k->type == CFG_BOOL) {
            *(bool *)fc = *(bool *)fn;
        } else {
            *(int64_t *)fc = *(int64_t *)fn;
        }
        changed++;
    }
    return changed;
}

const char *
cfg_get_static_change(const struct cfg_key *table, size_t nkeys, const void *cur, const void *next)
{
    size_t i;

    for (i = 0; i < nkeys; i++) {
        if (!table[i].reloadable && !same_value(&table[i], cur, next))
            return table[i].name;
    }
    return NULL;
}
