/* clock.c - monotonic and wall clocks, interval jitter, UTC text, and IANA time zones.
 * Fill windows are defined in site-local time, so the control plane converts between local
 * wall-clock minutes and Unix time for many zones from many threads. localtime_r() would need
 * setenv("TZ") (process-wide, not thread-safe), so this file reads the zoneinfo TZif files
 * itself (RFC 8536, versions 1-4): transitions from the 64-bit block, and the footer's POSIX
 * TZ rule for times after the last transition. A loaded zone is immutable and can be shared. */
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define TZ_DIR_DEFAULT "/usr/share/zoneinfo"
#define TZ_NAME_MAX    64
/* Bounds for untrusted TZif files. The largest zoneinfo file (fat, with transitions up to
 * 2037) is under 4 KiB with fewer than 300 transitions; these leave ample room. */
#define TZ_FILE_MAX   (256 * 1024)
#define TZ_TIMES_MAX  10000
#define TZ_TYPES_MAX  256 /* a transition's type index is one byte */
#define TZ_CHARS_MAX  1024
#define TZ_LEAPS_MAX  1024
#define TZ_FOOTER_MAX 256
#define TZ_ABBR_MAX   32
/* RFC 8536 section 3.2: utoff should be greater than -25 h and less than 26 h. */
#define UTOFF_MIN (-89999)
#define UTOFF_MAX 93599
/* Rule times may be -167..167 hours (RFC 8536 section 3.3.1). */
#define RULE_HOURS_MAX 167
/* Zone arithmetic clamps t to +-2^40 s (about 34800 years): no calendar overflow. */
#define TIME_LIMIT ((int64_t)1 << 40)
/* Any solution of local_to_utc lies within |utoff| < 26 h of the wall-clock time. */
#define LOCAL_WINDOW (26 * 3600)

static const char tzif_magic[4] = {'T', 'Z', 'i', 'f'};

/* A footer rule: the day on which DST starts or ends, and the local time of day. */
enum rule_kind {
    RULE_JULIAN1, /* Jn: 1..365, February 29 never counted */
    RULE_JULIAN0, /* n: 0..365, February 29 counted in leap years */
    RULE_MWD,     /* Mm.w.d: day d (0 = Sunday) of week w (5 = last) of month m */
};

struct rule {
    enum rule_kind kind;
    int day, week, month;
    int32_t time_s; /* local time of day of the change, -167 h .. 167 h */
};

struct clock_tz {
    size_t ntimes;
    int32_t utoff[TZ_TYPES_MAX]; /* seconds east of UTC per local time type */
    bool has_footer;             /* false: the last transition's type holds forever */
    bool has_dst;
    int32_t std_off, dst_off; /* footer offsets, seconds east of UTC */
    struct rule start, end;   /* footer DST rules when has_dst */
    uint8_t *idx;             /* type of each transition; points into the same allocation */
    int64_t times[];          /* transition times, strictly ascending */
};

/* ---- clocks and jitter ---------------------------------------------------------------------- */

static int64_t
clock_ms(clockid_t id)
{
    struct timespec ts;

    /* Fails only for an invalid clock id or pointer. */
    if (clock_gettime(id, &ts) != 0)
        fatal("clock: clock_gettime");
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_mono_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

int64_t
clock_wall_s(void)
{
    return clock_ms(CLOCK_REALTIME) / 1000;
}

int64_t
clock_wall_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

/* splitmix64: any seed, including 0, gives a full-period sequence. */
static uint64_t
splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int64_t
clock_jitter_ms(int64_t base_ms, unsigned pct, uint64_t *seed)
{
    uint64_t span, n, r, limit;

    if (base_ms <= 0 || pct == 0)
        return base_ms;
    if (pct > 100)
        pct = 100;
    span = (uint64_t)base_ms / 100 * pct + (uint64_t)base_ms % 100 * pct / 100;
    if (span == 0)
        return base_ms;
    /* Uniform in [0, 2*span]: reject the top 2^64 mod n values to avoid modulo bias. */
    n = 2 * span + 1;
    limit = -n % n;
    do {
        r = splitmix64(seed);
    } while (r < limit);
    r %= n;
    if (r >= span)
        r -= span;
    else
        return base_ms - (int64_t)(span - r);
    if (r > (uint64_t)(INT64_MAX - base_ms))
        return INT64_MAX;
    return base_ms + (int64_t)r;
}

/* ---- calendar ------------------------------------------------------------------------------- */

static bool
is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Floor division and its non-negative remainder, without overflow for any a. */
static int64_t
div_floor(int64_t a, int64_t b, int64_t *rem)
{
    int64_t q = a / b, r = a % b;

    if (r < 0) {
        q--;
        r += b;
    }
    if (rem)
        *rem = r;
    return q;
}

static int64_t
clamp_time(int64_t t)
{
    if (t > TIME_LIMIT)
        return TIME_LIMIT;
    if (t < -TIME_LIMIT)
        return -TIME_LIMIT;
    return t;
}

char *
clock_format_utc(int64_t unix_s, char *buf, size_t len)
{
    int64_t days, secs, y;
    int m, d;

    if (len == 0)
        return buf;
    days = div_floor(unix_s, 86400, &secs);
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        /* Not representable in four digits; clock_parse_utc() refuses this marker. */
        snprintf(buf, len, "0000-00-00T00:00:00Z");
        return buf;
    }
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
    return buf;
}

/* n decimal digits at s; -1 if any is not a digit. */
static int
digits(const char *s, int n)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

enum ocdn_err
clock_parse_utc(const char *s, int64_t *unix_s)
{
    int y, mo, d, h, mi, sec;

    *unix_s = 0;
    if (!s || strnlen(s, 21) != 20)
        return OCDN_EINVAL;
    if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return OCDN_EINVAL;
    y = digits(s, 4);
    mo = digits(s + 5, 2);
    d = digits(s + 8, 2);
    h = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    sec = digits(s + 17, 2);
    /* No leap second (:60): Unix time cannot name it. */
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
        sec > 59)
        return OCDN_EINVAL;
    if (d > days_in_month(y, mo))
        return OCDN_EINVAL;
    *unix_s = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return OCDN_OK;
}

/* ---- TZif reading -----------------------------------------------------------------------------
 */

struct cursor {
    const uint8_t *p;
    size_t left;
};

static const uint8_t *
take(struct cursor *c, size_t n)
{
    const uint8_t *p = c->p;

    if (n > c->left)
        return NULL;
    c->p += n;
    c->left -= n;
    return p;
}

static uint32_t
be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const uint8_t *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Transition i of a block with 4- or 8-byte times (signed, big-endian). */
static int64_t
read_time(const uint8_t *times, size_t timesize, size_t i)
{
    return timesize == 8 ? be64(times + 8 * i) : (int32_t)be32(times + 4 * i);
}

struct tzif_header {
    uint8_t version; /* 0 for version 1, else '2', '3' or '4' */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

/* The 44-byte header; every count is bounded so that block sizes cannot overflow. */
static enum ocdn_err
read_header(struct cursor *c, struct tzif_header *h)
{
    const uint8_t *p = take(c, 44);

    if (!p || memcmp(p, tzif_magic, 4) != 0)
        return OCDN_EINVAL;
    h->version = p[4];
    if (h->version != 0 && h->version != '2' && h->version != '3' && h->version != '4')
        return OCDN_EINVAL;
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    if (h->timecnt > TZ_TIMES_MAX || h->typecnt > TZ_TYPES_MAX || h->charcnt > TZ_CHARS_MAX ||
        h->leapcnt > TZ_LEAPS_MAX || h->isutcnt > TZ_TYPES_MAX || h->isstdcnt > TZ_TYPES_MAX)
        return OCDN_EINVAL;
    return OCDN_OK;
}

static size_t
block_size(const struct tzif_header *h, size_t timesize)
{
    return h->timecnt * timesize + h->timecnt + h->typecnt * 6 + h->charcnt +
           h->leapcnt * (timesize + 4) + h->isstdcnt + h->isutcnt;
}

/* The data block that is used (RFC 8536 section 3.2), into a new zone. */
static enum ocdn_err
read_block(struct cursor *c, const struct tzif_header *h, size_t timesize, struct clock_tz **out)
{
    const uint8_t *times, *idx, *types, *chars, *isstd, *isut;
    struct clock_tz *tz;
    size_t i;
    int64_t t, prev = 0;

    *out = NULL;
    /* Leap-second zones ("right/") count TAI-like seconds: Unix time cannot use them. */
    if (h->typecnt == 0 || h->charcnt == 0 || h->leapcnt != 0 ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
        (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
        return OCDN_EINVAL;
    times = take(c, h->timecnt * timesize);
    idx = take(c, h->timecnt);
    types = take(c, h->typecnt * 6);
    chars = take(c, h->charcnt);
    isstd = take(c, h->isstdcnt);
    isut = take(c, h->isutcnt);
    if (!times || !idx || !types || !chars || !isstd || !isut)
        return OCDN_EINVAL;
    /* Every designation must be NUL-terminated inside the table. */
    if (chars[h->charcnt - 1] != '\0')
        return OCDN_EINVAL;
    for (i = 0; i < h->typecnt; i++) {
        int32_t off = (int32_t)be32(types + 6 * i);
        if (off < UTOFF_MIN || off > UTOFF_MAX || types[6 * i + 4] > 1 ||
            types[6 * i + 5] >= h->charcnt)
            return OCDN_EINVAL;
    }
    for (i = 0; i < h->isstdcnt; i++) {
        if (isstd[i] > 1)
            return OCDN_EINVAL;
    }
    for (i = 0; i < h->isutcnt; i++) {
        /* A UT indicator implies the standard-time indicator. */
        if (isut[i] > 1 || (isut[i] == 1 && (h->isstdcnt == 0 || isstd[i] != 1)))
            return OCDN_EINVAL;
    }
    for (i = 0; i < h->timecnt; i++) {
        t = read_time(times, timesize, i);
        if ((i > 0 && t <= prev) || idx[i] >= h->typecnt)
            return OCDN_EINVAL;
        prev = t;
    }
    tz = calloc(1, sizeof(*tz) + h->timecnt * (sizeof(int64_t) + 1));
    if (!tz)
        return OCDN_ENOMEM;
    tz->ntimes = h->timecnt;
    tz->idx = (uint8_t *)(tz->times + h->timecnt);
    for (i = 0; i < h->timecnt; i++)
        tz->times[i] = read_time(times, timesize, i);
    memcpy(tz->idx, idx, h->timecnt);
    for (i = 0; i < h->typecnt; i++)
        tz->utoff[i] = (int32_t)be32(types + 6 * i);
    *out = tz;
    return OCDN_OK;
}

/* ---- POSIX TZ strings (the TZif footer) ---------------------------------------------------- */

struct tzstr {
    const char *p, *end;
};

static bool
is_alpha(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static bool
is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* A zone abbreviation: 3+ letters, or <3+ of [A-Za-z0-9+-]>. */
static bool
tz_name(struct tzstr *s)
{
    const char *start;
    size_t n;

    if (s->p < s->end && *s->p == '<') {
        start = ++s->p;
        while (s->p < s->end &&
               (is_alpha(*s->p) || is_digit(*s->p) || *s->p == '+' || *s->p == '-'))
            s->p++;
        n = (size_t)(s->p - start);
        if (s->p == s->end || *s->p != '>' || n < 3 || n > TZ_ABBR_MAX)
            return false;
        s->p++;
        return true;
    }
    start = s->p;
    while (s->p < s->end && is_alpha(*s->p))
        s->p++;
    n = (size_t)(s->p - start);
    return n >= 3 && n <= TZ_ABBR_MAX;
}

/* Unsigned decimal of 1..maxdigits digits into *v. */
static bool
tz_num(struct tzstr *s, int maxdigits, int *v)
{
    int n = 0;

    *v = 0;
    while (s->p < s->end && is_digit(*s->p)) {
        if (++n > maxdigits)
            return false;
        *v = *v * 10 + (*s->p++ - '0');
    }
    return n > 0;
}

/* [+-]hh[:mm[:ss]] with hours up to max_h; seconds into *secs. */
static bool
tz_hms(struct tzstr *s, int max_h, int32_t *secs)
{
    int sign = 1, h, m = 0, sec = 0;

    if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        sign = *s->p++ == '-' ? -1 : 1;
    if (!tz_num(s, 3, &h) || h > max_h)
        return false;
    if (s->p < s->end && *s->p == ':') {
        s->p++;
        if (!tz_num(s, 2, &m) || m > 59)
            return false;
        if (s->p < s->end && *s->p == ':') {
            s->p++;
            if (!tz_num(s, 2, &sec) || sec > 59)
                return false;
        }
    }
    *secs = sign * (h * 3600 + m * 60 + sec);
    return true;
}

/* ",rule": Jn, n or Mm.w.d, then optionally "/time" (default 02:00). */
static bool
tz_rule(struct tzstr *s, struct rule *r)
{
    if (s->p == s->end || *s->p != ',')
        return false;
    s->p++;
    if (s->p < s->end && *s->p == 'J') {
        s->p++;
        r->kind = RULE_JULIAN1;
        if (!tz_num(s, 3, &r->day) || r->day < 1 || r->day > 365)
            return false;
    } else if (s->p < s->end && *s->p == 'M') {
        s->p++;
        r->kind = RULE_MWD;
        if (!tz_num(s, 2, &r->month) || r->month < 1 || r->month > 12)
            return false;
        if (s->p == s->end || *s->p++ != '.' || !tz_num(s, 1, &r->week) || r->week < 1 ||
            r->week > 5)
            return false;
        if (s->p == s->end || *s->p++ != '.' || !tz_num(s, 1, &r->day) || r->day > 6)
            return false;
    } else {
        r->kind = RULE_JULIAN0;
        if (!tz_num(s, 3, &r->day) || r->day > 365)
            return false;
    }
    r->time_s = 2 * 3600;
    if (s->p < s->end && *s->p == '/') {
        s->p++;
        if (!tz_hms(s, RULE_HOURS_MAX, &r->time_s))
            return false;
    }
    return true;
}

/* std offset [dst [offset] ,start[/time],end[/time]]. zic always writes the rules when there
 * is a DST name, so the POSIX default rules are not supported. */
static enum ocdn_err
parse_footer(const char *str, size_t len, struct clock_tz *tz)
{
    struct tzstr s = {str, str + len};
    int32_t off;

    if (len == 0)
        return OCDN_OK; /* no rule: the last type holds */
    if (!tz_name(&s) || !tz_hms(&s, 24, &off))
        return OCDN_EINVAL;
    tz->has_footer = true;
    tz->std_off = -off; /* POSIX offsets count west of UTC */
    if (s.p == s.end)
        return OCDN_OK;
    if (!tz_name(&s))
        return OCDN_EINVAL;
    tz->dst_off = tz->std_off + 3600;
    if (s.p < s.end && *s.p != ',') {
        if (!tz_hms(&s, 24, &off))
            return OCDN_EINVAL;
        tz->dst_off = -off;
    }
    if (!tz_rule(&s, &tz->start) || !tz_rule(&s, &tz->end) || s.p != s.end)
        return OCDN_EINVAL;
    tz->has_dst = true;
    return OCDN_OK;
}

/* "\n" TZ string "\n" at the very end of a version 2+ file. */
static enum ocdn_err
read_footer(struct cursor *c, struct clock_tz *tz)
{
    const uint8_t *nl = take(c, 1), *str, *end;
    size_t len;

    if (!nl || *nl != '\n' || c->left == 0)
        return OCDN_EINVAL;
    str = c->p;
    end = memchr(str, '\n', c->left);
    if (!end)
        return OCDN_EINVAL;
    len = (size_t)(end - str);
    if (len > TZ_FOOTER_MAX || memchr(str, '\0', len) || (size_t)(end - str) + 1 != c->left)
        return OCDN_EINVAL;
    return parse_footer((const char *)str, len, tz);
}

static enum ocdn_err
tzif_parse(const uint8_t *data, size_t len, struct clock_tz **out)
{
    struct cursor c = {data, len};
    struct tzif_header h1, h2;
    struct clock_tz *tz = NULL;
    enum ocdn_err err;

    *out = NULL;
    err = read_header(&c, &h1);
    if (err)
        return err;
    if (h1.version == 0) {
        err = read_block(&c, &h1, 4, &tz);
        if (!err && c.left != 0)
            err = OCDN_EINVAL;
    } else {
        /* Version 2+: skip the 32-bit block, use the 64-bit one and the footer. */
        if (!take(&c, block_size(&h1, 4)))
            return OCDN_EINVAL;
        err = read_header(&c, &h2);
        if (err)
            return err;
        if (h2.version != h1.version)
            return OCDN_EINVAL;
        err = read_block(&c, &h2, 8, &tz);
        if (!err)
            err = read_footer(&c, tz);
    }
    if (err) {
        free(tz);
        return err;
    }
    *out = tz;
    return OCDN_OK;
}

/* Letters, digits and "/_+-" only, so no "." or ".." component; no leading, trailing or
 * double "/". */
static bool
name_ok(const char *name)
{
    size_t n, i;
    char ch;

    if (!name)
        return false;
    n = strnlen(name, TZ_NAME_MAX + 1);
    if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
        return false;
    for (i = 0; i < n; i++) {
        ch = name[i];
        if (!is_alpha(ch) && !is_digit(ch) && ch != '/' && ch != '_' && ch != '+' && ch != '-')
            return false;
        if (ch == '/' && name[i + 1] == '/')
            return false;
    }
    return true;
}

/* The whole file, at most TZ_FILE_MAX bytes. */
static enum ocdn_err
read_file(const char *path, uint8_t **data, size_t *len)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    ssize_t n;
    enum ocdn_err err = OCDN_OK;
    int fd;

    *data = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO planted in the zone directory must not hang. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR ? OCDN_ENOTFOUND : OCDN_EIO;
    if (fstat(fd, &st) != 0) {
        err = OCDN_EIO;
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        err = OCDN_ENOTFOUND; /* "Europe" is a region, not a zone */
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 44 || st.st_size > TZ_FILE_MAX) {
        err = OCDN_EINVAL;
        goto out;
    }
    buf = malloc((size_t)st.st_size);
    if (!buf) {
        err = OCDN_ENOMEM;
        goto out;
    }
    while (got < (size_t)st.st_size) {
        n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = OCDN_EIO;
            goto out;
        }
        if (n == 0)
            break; /* shrank while we read: parse what is there */
        got += (size_t)n;
    }
    *data = buf;
    *len = got;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return err;
}

enum ocdn_err
clock_tz_load(const char *dir, const char *name, struct clock_tz **out)
{
    char path[PATH_MAX];
    uint8_t *data = NULL;
    size_t len;
    int n;
    enum ocdn_err err;

    *out = NULL;
    if (!name_ok(name))
        return OCDN_EINVAL;
    if (!dir)
        dir = TZ_DIR_DEFAULT;
    if (*dir == '\0')
        return OCDN_EINVAL;
    n = snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(path))
        return OCDN_EINVAL;
    err = read_file(path, &data, &len);
    if (err)
        return err;
    err = tzif_parse(data, len, out);
    free(data);
    return err;
}

void
clock_tz_free(struct clock_tz *tz)
{
    free(tz);
}

/* ---- conversions ---------------------------------------------------------------------------- */

/* Unix time at which rule r fires in year y, while off_before (east of UTC) is in effect. */
static int64_t
rule_time(const struct rule *r, int64_t y, int32_t off_before)
{
    int64_t day, first, wd;
    int d;

    switch (r->kind) {
    case RULE_JULIAN1:
        day = days_from_civil(y, 1, 1) + r->day - 1 + (is_leap(y) && r->day >= 60);
        break;
    case RULE_JULIAN0:
        day = days_from_civil(y, 1, 1) + r->day;
        break;
    case RULE_MWD:
    default:
        first = days_from_civil(y, r->month, 1);
        div_floor(first + 4, 7, &wd); /* 1970-01-01 was a Thursday */
        d = 1 + (int)((r->day - wd + 7) % 7) + (r->week - 1) * 7;
        while (d > days_in_month(y, r->month))
            d -= 7;
        day = first + d - 1;
        break;
    }
    return day * 86400 + r->time_s - off_before;
}

/* Year of the standard local time at t (t already clamped). */
static int64_t
local_year(const struct clock_tz *tz, int64_t t)
{
    int64_t y;
    int m, d;

    civil_from_days(div_floor(t + tz->std_off, 86400, NULL), &y, &m, &d);
    return y;
}

/* The footer's offset at t: the latest DST start or end at or before t decides. Rule dates
 * stay within about a week of their year, so two years either side cover every case; when a
 * start and an end coincide (DST all year, RFC 8536 section 3.3.1), the start wins. */
static int32_t
footer_offset(const struct clock_tz *tz, int64_t t)
{
    int64_t y, y0, s, e, best = INT64_MIN;
    bool dst = false;

    if (!tz->has_dst)
        return tz->std_off;
    y0 = local_year(tz, t);
    for (y = y0 - 2; y <= y0 + 2; y++) {
        s = rule_time(&tz->start, y, tz->std_off);
        e = rule_time(&tz->end, y, tz->dst_off);
        if (e <= t && e > best) {
            best = e;
            dst = false;
        }
        if (s <= t && s >= best) {
            best = s;
            dst = true;
        }
    }
    return dst ? tz->dst_off : tz->std_off;
}

/* Index of the last transition at or before t; t >= times[0]. */
static size_t
last_at_or_before(const struct clock_tz *tz, int64_t t)
{
    size_t lo = 0, hi = tz->ntimes, mid;

    while (hi - lo > 1) {
        mid = lo + (hi - lo) / 2;
        if (tz->times[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int32_t
clock_tz_offset(const struct clock_tz *tz, int64_t t)
{
    size_t n = tz->ntimes;

    t = clamp_time(t);
    if (n == 0)
        return tz->has_footer ? footer_offset(tz, t) : tz->utoff[0];
    /* RFC 8536 section 3.2: before the first transition, type 0 applies. */
    if (t < tz->times[0])
        return tz->utoff[0];
    if (t >= tz->times[n - 1])
        return tz->has_footer ? footer_offset(tz, t) : tz->utoff[tz->idx[n - 1]];
    return tz->utoff[tz->idx[last_at_or_before(tz, t)]];
}

/* The first instant after x at which the offset may change; false if there is none. */
static bool
next_change(const struct clock_tz *tz, int64_t x, int64_t *next)
{
    int64_t y, y0, s, e, best = INT64_MAX;
    size_t n = tz->ntimes;

    if (n > 0 && x < tz->times[n - 1]) {
        *next = x < tz->times[0] ? tz->times[0] : tz->times[last_at_or_before(tz, x) + 1];
        return true;
    }
    if (!tz->has_footer || !tz->has_dst)
        return false;
    y0 = local_year(tz, x);
    for (y = y0 - 2; y <= y0 + 2; y++) {
        s = rule_time(&tz->start, y, tz->std_off);
        e = rule_time(&tz->end, y, tz->dst_off);
        if (s > x && s < best)
            best = s;
        if (e > x && e < best)
            best = e;
    }
    *next = best;
    return best != INT64_MAX;
}

/* Walk the stretches of constant offset from L - 26 h on: the answer is the first stretch
 * [x, nt) that contains L - offset; if the wall-clock time L falls into a gap, the walk sees
 * L - offset jump from after one stretch to before the next, and the gap ends at x. */
int64_t
clock_tz_local_to_utc(const struct clock_tz *tz, int64_t t, int start_min)
{
    int64_t local, day, wall, x, nt, u, stop;
    int32_t off;
    bool first = true;

    t = clamp_time(t);
    if (start_min < 0)
        start_min = 0;
    if (start_min > 1439)
        start_min = 1439;
    local = t + clock_tz_offset(tz, t);
    day = div_floor(local, 86400, NULL);
    wall = day * 86400 + (int64_t)start_min * 60;
    stop = wall + LOCAL_WINDOW;
    x = wall - LOCAL_WINDOW;
    for (;;) {
        off = clock_tz_offset(tz, x);
        if (!next_change(tz, x, &nt) || nt > stop)
            nt = stop;
        u = wall - off;
        if (u >= x && u < nt)
            return u;
        if (u < x && !first)
            return x;
        if (nt >= stop)
            return u; /* not reached: |utoff| < 26 h puts u inside the window */
        x = nt;
        first = false;
    }
}
