/* check_clock.c - clocks, jitter, UTC text, and the TZif reader: known offsets around the
 * 2026 transitions, footer rules far beyond the last transition, a cross-check of random
 * instants against glibc's localtime_r() (the test may set TZ; the library never does), local
 * wall-clock to UTC in gaps and overlaps, and malformed files and names. */
#include "clock.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* For loops of many iterations: Check records every passing ck_assert (a pipe write), this
 * only reports failures. */
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

#define ZONEINFO "/usr/share/zoneinfo"

static uint64_t
rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Random int64 in [lo, hi]. */
static int64_t
rnd_range(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd(s) % (uint64_t)(hi - lo + 1));
}

static int64_t
utc(const char *s)
{
    int64_t t;

    ck_assert_msg(clock_parse_utc(s, &t) == OCDN_OK, "%s", s);
    return t;
}

static struct clock_tz *
zone(const char *name)
{
    struct clock_tz *tz = NULL;

    ck_assert_msg(clock_tz_load(NULL, name, &tz) == OCDN_OK, "load %s", name);
    ck_assert_ptr_nonnull(tz);
    return tz;
}

static bool
zone_exists(const char *name)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", ZONEINFO, name);
    return access(path, R_OK) == 0;
}

/* ---- clocks --------------------------------------------------------------------------------- */

START_TEST(mono_never_goes_back)
{
    int64_t a = clock_mono_ms(), b;
    int i;

    for (i = 0; i < 1000; i++) {
        b = clock_mono_ms();
        ck_assert_int_ge(b, a);
        a = b;
    }
}
END_TEST

START_TEST(wall_matches_time)
{
    int64_t before = (int64_t)time(NULL);
    int64_t s = clock_wall_s(), ms = clock_wall_ms();
    int64_t after = (int64_t)time(NULL);

    ck_assert_int_ge(s, before);
    ck_assert_int_le(s, after);
    ck_assert_int_ge(ms / 1000, before);
    ck_assert_int_le(ms / 1000, after);
}
END_TEST

/* ---- jitter --------------------------------------------------------------------------------- */

START_TEST(jitter_within_bounds)
{
    uint64_t seed = 1;
    int64_t v, lo = INT64_MAX, hi = INT64_MIN;
    int i, below = 0, above = 0;

    for (i = 0; i < 100000; i++) {
        v = clock_jitter_ms(10000, 10, &seed);
        EXPECT(v >= 9000 && v <= 11000, "jitter %lld", (long long)v);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        below += v < 10000;
        above += v > 10000;
    }
    /* Uniform over 2001 values: the extremes are reached and both sides are about even. */
    ck_assert_int_eq(lo, 9000);
    ck_assert_int_eq(hi, 11000);
    ck_assert_int_gt(below, 45000);
    ck_assert_int_gt(above, 45000);
}
END_TEST

START_TEST(jitter_is_uniform)
{
    uint64_t seed = 0; /* zero is a valid seed */
    int buckets[10] = {0};
    int64_t v;
    int i;

    for (i = 0; i < 100000; i++) {
        v = clock_jitter_ms(1000000, 50, &seed); /* 500000..1500000 */
        EXPECT(v >= 500000 && v <= 1500000, "jitter %lld", (long long)v);
        buckets[v == 1500000 ? 9 : (v - 500000) / 100000]++;
    }
    for (i = 0; i < 10; i++)
        ck_assert_msg(buckets[i] > 9000 && buckets[i] < 11000, "bucket %d: %d", i, buckets[i]);
}
END_TEST

START_TEST(jitter_same_seed_same_sequence)
{
    uint64_t a = 77, b = 77, c = 78;
    int i, differ = 0;

    for (i = 0; i < 100; i++) {
        int64_t va = clock_jitter_ms(60000, 20, &a);
        ck_assert_int_eq(va, clock_jitter_ms(60000, 20, &b));
        differ += va != clock_jitter_ms(60000, 20, &c);
    }
    ck_assert_int_gt(differ, 90);
    ck_assert_uint_ne(a, 77); /* the state advances */
}
END_TEST

START_TEST(jitter_degenerate_inputs)
{
    uint64_t seed = 5;
    int64_t v;
    int i;

    ck_assert_int_eq(clock_jitter_ms(1000, 0, &seed), 1000);
    ck_assert_int_eq(clock_jitter_ms(0, 50, &seed), 0);
    ck_assert_int_eq(clock_jitter_ms(-1000, 50, &seed), -1000);
    ck_assert_int_eq(clock_jitter_ms(1, 10, &seed), 1); /* 10 % of 1 ms rounds to 0 */
    for (i = 0; i < 1000; i++) {
        v = clock_jitter_ms(1000, 500, &seed); /* clamped to 100 % */
        EXPECT(v >= 0 && v <= 2000, "jitter %lld", (long long)v);
        v = clock_jitter_ms(INT64_MAX, 100, &seed);
        EXPECT(v >= 0, "jitter %lld", (long long)v);
        v = clock_jitter_ms(INT64_MAX - 5, 1, &seed);
        EXPECT(v >= INT64_MAX - 5 - INT64_MAX / 100 - 1, "jitter %lld", (long long)v);
    }
}
END_TEST

/* ---- UTC text ------------------------------------------------------------------------------- */

START_TEST(utc_format_known)
{
    static const struct {
        int64_t t;
        const char *s;
    } cases[] = {
        {0, "1970-01-01T00:00:00Z"},
        {-1, "1969-12-31T23:59:59Z"},
        {951782400, "2000-02-29T00:00:00Z"},
        {1795489200, "2026-11-24T03:00:00Z"},
        {4107542399, "2100-02-28T23:59:59Z"},
        {4107542400, "2100-03-01T00:00:00Z"},
        {253402300799, "9999-12-31T23:59:59Z"},
        {-62167219200, "0000-01-01T00:00:00Z"},
        /* outside four-digit years: a marker that does not parse */
        {253402300800, "0000-00-00T00:00:00Z"},
        {-62167219201, "0000-00-00T00:00:00Z"},
        {INT64_MAX, "0000-00-00T00:00:00Z"},
        {INT64_MIN, "0000-00-00T00:00:00Z"},
    };
    char buf[21];
    int64_t back;
    size_t i;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        ck_assert_str_eq(clock_format_utc(cases[i].t, buf, sizeof(buf)), cases[i].s);
        if (cases[i].s[5] != '0' || cases[i].s[6] != '0') {
            ck_assert_int_eq(clock_parse_utc(cases[i].s, &back), OCDN_OK);
            ck_assert_int_eq(back, cases[i].t);
        } else {
            ck_assert_int_eq(clock_parse_utc(cases[i].s, &back), OCDN_EINVAL);
        }
    }
}
END_TEST

START_TEST(utc_format_small_buffer)
{
    char buf[11];

    ck_assert_str_eq(clock_format_utc(0, buf, sizeof(buf)), "1970-01-01");
    buf[0] = 'x';
    clock_format_utc(0, buf, 0);
    ck_assert_int_eq(buf[0], 'x');
}
END_TEST

/* Random instants against glibc's gmtime_r(), then back through clock_parse_utc(). */
START_TEST(utc_round_trip_matches_gmtime)
{
    uint64_t seed = 3;
    char buf[21], ref[80];
    struct tm tm;
    time_t tt;
    int64_t t, back;
    int i;

    for (i = 0; i < 100000; i++) {
        t = rnd_range(&seed, -62167219200LL, 253402300799LL);
        clock_format_utc(t, buf, sizeof(buf));
        tt = (time_t)t;
        EXPECT(gmtime_r(&tt, &tm) != NULL, "gmtime_r");
        strftime(ref, sizeof(ref), "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (tm.tm_year + 1900 < 1000) {
            /* glibc's %Y does not pad to four digits */
            snprintf(ref, sizeof(ref), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        }
        EXPECT(strcmp(buf, ref) == 0, "%lld: %s vs %s", (long long)t, buf, ref);
        EXPECT(clock_parse_utc(buf, &back) == OCDN_OK && back == t, "%s", buf);
    }
}
END_TEST

START_TEST(utc_parse_rejects_bad)
{
    static const char *const cases[] = {
        "",
        "2026-11-24",
        "2026-11-24T03:00:00",
        "2026-11-24T03:00:00z",
        "2026-11-24t03:00:00Z",
        "2026-11-24 03:00:00Z",
        "2026-11-24T03:00:00+00:00",
        "2026-11-24T03:00:00.0Z",
        "2026-11-24T03:00Z",
        "2026-11-24T03:00:00ZZ",
        " 2026-11-24T03:00:00Z",
        "2026-11-24T03:00:00Z ",
        "2026-11-24T03:00:00Z\n",
        "26-11-24T03:00:00Z",
        "+026-11-24T03:00:00Z",
        "-026-11-24T03:00:00Z",
        "2026-1-24T03:00:00Z",
        "2026/11/24T03:00:00Z",
        "2026-00-24T03:00:00Z",
        "2026-13-24T03:00:00Z",
        "2026-11-00T03:00:00Z",
        "2026-11-31T03:00:00Z",
        "2026-04-31T03:00:00Z",
        "2026-02-29T03:00:00Z",
        "2100-02-29T03:00:00Z",
        "1900-02-29T03:00:00Z",
        "2026-01-32T03:00:00Z",
        "2026-11-24T24:00:00Z",
        "2026-11-24T23:60:00Z",
        "2026-11-24T23:59:60Z",
        "2026-11-24T-1:00:00Z",
        "2026-11-24T+1:00:00Z",
        "2026-11-24T0x:00:00Z",
        "2026-1a-24T03:00:00Z",
        "0000-00-00T00:00:00Z",
    };
    int64_t t;
    size_t i;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        t = 99;
        ck_assert_msg(clock_parse_utc(cases[i], &t) == OCDN_EINVAL, "accepted %s", cases[i]);
        ck_assert_int_eq(t, 0);
    }
    ck_assert_int_eq(clock_parse_utc(NULL, &t), OCDN_EINVAL);
}
END_TEST

START_TEST(utc_parse_leap_days)
{
    ck_assert_int_eq(utc("2024-02-29T00:00:00Z"), 1709164800);
    ck_assert_int_eq(utc("2000-02-29T12:00:00Z"), 951825600);
    ck_assert_int_eq(utc("2026-12-31T23:59:59Z"), 1798761599);
}
END_TEST

/* ---- time zones: offsets -------------------------------------------------------------------- */

START_TEST(tz_paris_offsets)
{
    struct clock_tz *tz = zone("Europe/Paris");

    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-01-15T12:00:00Z")), 3600);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-07-15T12:00:00Z")), 7200);
    /* 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00 UTC */
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-03-29T00:59:59Z")), 3600);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-03-29T01:00:00Z")), 7200);
    /* 2026-10-25: 03:00 CEST -> 02:00 CET at 01:00 UTC */
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-10-25T00:59:59Z")), 7200);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-10-25T01:00:00Z")), 3600);
    /* 1940s war time and earlier LMT (+0:09:21) come from the table */
    ck_assert_int_eq(clock_tz_offset(tz, utc("1880-01-01T00:00:00Z")), 561);
    clock_tz_free(tz);
}
END_TEST

START_TEST(tz_new_york_offsets)
{
    struct clock_tz *tz = zone("America/New_York");

    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-01-15T12:00:00Z")), -5 * 3600);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-07-15T12:00:00Z")), -4 * 3600);
    /* 2026-03-08 02:00 EST and 2026-11-01 02:00 EDT */
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-03-08T06:59:59Z")), -5 * 3600);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-03-08T07:00:00Z")), -4 * 3600);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-11-01T05:59:59Z")), -4 * 3600);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-11-01T06:00:00Z")), -5 * 3600);
    clock_tz_free(tz);
}
END_TEST

START_TEST(tz_fixed_offsets)
{
    struct clock_tz *tz = zone("Asia/Kolkata");

    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-01-15T12:00:00Z")), 19800);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-07-15T12:00:00Z")), 19800);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2100-07-15T12:00:00Z")), 19800);
    clock_tz_free(tz);
    tz = zone("UTC");
    ck_assert_int_eq(clock_tz_offset(tz, 0), 0);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-07-15T12:00:00Z")), 0);
    ck_assert_int_eq(clock_tz_offset(tz, INT64_MAX), 0);
    ck_assert_int_eq(clock_tz_offset(tz, INT64_MIN), 0);
    clock_tz_free(tz);
    tz = zone("Etc/GMT+5"); /* POSIX sign: five hours west */
    ck_assert_int_eq(clock_tz_offset(tz, 0), -5 * 3600);
    clock_tz_free(tz);
}
END_TEST

START_TEST(tz_lord_howe_half_hour_dst)
{
    struct clock_tz *tz = zone("Australia/Lord_Howe");

    /* +10:30 standard, +11 in summer (October to April); changes at 02:00 local */
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-07-01T00:00:00Z")), 37800);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-01-01T00:00:00Z")), 39600);
    /* 2026-10-04 02:00 +10:30 = 2026-10-03T15:30Z */
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-10-03T15:29:59Z")), 37800);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-10-03T15:30:00Z")), 39600);
    /* 2026-04-05 02:00 +11 = 2026-04-04T15:00Z */
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-04-04T14:59:59Z")), 39600);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-04-04T15:00:00Z")), 37800);
    clock_tz_free(tz);
}
END_TEST

/* The zoneinfo files hold transitions up to 2037 at most; 2100 comes from the footer. */
START_TEST(tz_far_future_uses_footer)
{
    struct clock_tz *tz = zone("Europe/Paris");

    /* 2100-03-28 is the last Sunday of March, 2100-10-31 the last of October. */
    ck_assert_int_eq(clock_tz_offset(tz, utc("2100-01-15T12:00:00Z")), 3600);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2100-03-28T00:59:59Z")), 3600);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2100-03-28T01:00:00Z")), 7200);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2100-10-31T00:59:59Z")), 7200);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2100-10-31T01:00:00Z")), 3600);
    ck_assert_int_eq(clock_tz_offset(tz, utc("9999-07-01T00:00:00Z")), 7200);
    /* Beyond any calendar: no overflow, one of the zone's offsets. */
    int32_t far = clock_tz_offset(tz, INT64_MAX);
    ck_assert(far == 3600 || far == 7200);
    far = clock_tz_offset(tz, INT64_MIN);
    ck_assert_int_eq(far, 561);
    clock_tz_free(tz);
    tz = zone("America/New_York");
    /* 2100-03-14 is the second Sunday of March */
    ck_assert_int_eq(clock_tz_offset(tz, utc("2100-03-14T06:59:59Z")), -5 * 3600);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2100-03-14T07:00:00Z")), -4 * 3600);
    clock_tz_free(tz);
}
END_TEST

/* Zones whose rules exercise the footer grammar: negative DST (Dublin), negative and >24 h
 * rule times (Nuuk, Jerusalem, Gaza), southern hemisphere, 30 and 45 minute offsets. */
static const char *const xcheck_zones[] = {
    "Europe/Paris",        "America/New_York",   "Asia/Kolkata",     "UTC",
    "Australia/Lord_Howe", "Australia/Sydney",   "Europe/Dublin",    "America/Nuuk",
    "Asia/Jerusalem",      "America/Santiago",   "Pacific/Chatham",  "Africa/Casablanca",
    "America/Sao_Paulo",   "Asia/Tehran",        "America/St_Johns", "Antarctica/Troll",
    "Asia/Gaza",           "Pacific/Apia",       "America/Havana",   "Europe/London",
    "Etc/GMT-14",          "Pacific/Kiritimati", "Asia/Kathmandu",   "America/Godthab",
};

static int32_t
glibc_offset(int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;

    EXPECT(localtime_r(&tt, &tm) != NULL, "localtime_r %lld", (long long)t);
    return (int32_t)tm.tm_gmtoff;
}

START_TEST(tz_offset_matches_glibc)
{
    uint64_t seed = 2026;
    struct clock_tz *tz;
    size_t z;
    int i, zones = 0;
    int64_t t;

    for (z = 0; z < ARRAY_LEN(xcheck_zones); z++) {
        if (!zone_exists(xcheck_zones[z]))
            continue;
        zones++;
        tz = zone(xcheck_zones[z]);
        ck_assert_int_eq(setenv("TZ", xcheck_zones[z], 1), 0);
        tzset();
        for (i = 0; i < 5000; i++) {
            /* 1850 to 2400, and densely around now where the rules matter most */
            if (i % 2)
                t = rnd_range(&seed, -3786825600LL, 13569465600LL);
            else
                t = rnd_range(&seed, 1577836800LL, 2524608000LL);
            int32_t ours = clock_tz_offset(tz, t), theirs = glibc_offset(t);
            EXPECT(ours == theirs, "%s at %lld: ours %d glibc %d", xcheck_zones[z], (long long)t,
                   ours, theirs);
        }
        clock_tz_free(tz);
    }
    unsetenv("TZ");
    tzset();
    ck_assert_int_ge(zones, 20);
}
END_TEST

/* Around every change of offset from 1970 to 2100, to the second. */
START_TEST(tz_transitions_match_glibc)
{
    struct clock_tz *tz;
    size_t z;
    int64_t t, lo;
    int changes = 0;

    for (z = 0; z < ARRAY_LEN(xcheck_zones); z++) {
        if (!zone_exists(xcheck_zones[z]))
            continue;
        tz = zone(xcheck_zones[z]);
        ck_assert_int_eq(setenv("TZ", xcheck_zones[z], 1), 0);
        tzset();
        for (t = 0; t < 4102444800LL; t += 86400) { /* 1970 to 2100 */
            if (glibc_offset(t) == glibc_offset(t + 86400))
                continue;
            /* bisect to the second of the change, then compare both sides */
            lo = t;
            int64_t hi = t + 86400;
            while (hi - lo > 1) {
                int64_t mid = lo + (hi - lo) / 2;
                if (glibc_offset(mid) == glibc_offset(t))
                    lo = mid;
                else
                    hi = mid;
            }
            EXPECT(clock_tz_offset(tz, lo) == glibc_offset(lo), "%s before %lld", xcheck_zones[z],
                   (long long)hi);
            EXPECT(clock_tz_offset(tz, hi) == glibc_offset(hi), "%s at %lld", xcheck_zones[z],
                   (long long)hi);
            changes++;
        }
        clock_tz_free(tz);
    }
    unsetenv("TZ");
    tzset();
    ck_assert_int_gt(changes, 1000);
}
END_TEST

/* ---- time zones: local wall clock to UTC ------------------------------------------------------
 */

START_TEST(tz_local_to_utc_paris)
{
    struct clock_tz *tz = zone("Europe/Paris");

    /* 02:00 local on an ordinary winter and summer day */
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-01-15T12:00:00Z"), 120),
                     utc("2026-01-15T01:00:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-07-15T12:00:00Z"), 120),
                     utc("2026-07-15T00:00:00Z"));
    /* the local day of t: 23:30 UTC on Jan 15 is already Jan 16 in Paris */
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-01-15T23:30:00Z"), 0),
                     utc("2026-01-15T23:00:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-01-15T22:59:59Z"), 0),
                     utc("2026-01-14T23:00:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-01-15T12:00:00Z"), 1439),
                     utc("2026-01-15T22:59:00Z"));
    /* gap: 02:30 does not exist on 2026-03-29; the first instant after it is 03:00 CEST */
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-03-29T12:00:00Z"), 150),
                     utc("2026-03-29T01:00:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-03-29T12:00:00Z"), 120),
                     utc("2026-03-29T01:00:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-03-29T12:00:00Z"), 119),
                     utc("2026-03-29T00:59:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-03-29T12:00:00Z"), 180),
                     utc("2026-03-29T01:00:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-03-29T12:00:00Z"), 181),
                     utc("2026-03-29T01:01:00Z"));
    /* overlap: 02:30 happens twice on 2026-10-25; the earlier one is 02:30 CEST */
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-10-25T12:00:00Z"), 150),
                     utc("2026-10-25T00:30:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-10-25T12:00:00Z"), 180),
                     utc("2026-10-25T02:00:00Z"));
    /* the same in 2100, from the footer rule */
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2100-03-28T12:00:00Z"), 150),
                     utc("2100-03-28T01:00:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2100-10-31T12:00:00Z"), 150),
                     utc("2100-10-31T00:30:00Z"));
    /* out-of-range minutes are clamped */
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-01-15T12:00:00Z"), -5),
                     utc("2026-01-14T23:00:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-01-15T12:00:00Z"), 5000),
                     utc("2026-01-15T22:59:00Z"));
    clock_tz_free(tz);
}
END_TEST

START_TEST(tz_local_to_utc_other_zones)
{
    struct clock_tz *tz = zone("Asia/Kolkata");

    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-06-01T20:00:00Z"), 120),
                     utc("2026-06-01T20:30:00Z")); /* 20:00Z is already June 2 in India */
    clock_tz_free(tz);
    tz = zone("America/New_York");
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-03-08T12:00:00Z"), 150),
                     utc("2026-03-08T07:00:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-11-01T12:00:00Z"), 90),
                     utc("2026-11-01T05:30:00Z"));
    clock_tz_free(tz);
    tz = zone("Australia/Lord_Howe");
    /* 02:00-02:30 is skipped on 2026-10-04, 01:30-02:00 repeats on 2026-04-05 */
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-10-04T00:00:00Z"), 135),
                     utc("2026-10-03T15:30:00Z"));
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-04-05T00:00:00Z"), 105),
                     utc("2026-04-04T14:45:00Z"));
    clock_tz_free(tz);
}
END_TEST

/* Against a brute-force reference built on clock_tz_offset(): when the wall-clock time
 * exists, the earliest instant showing it; in a gap, the instant at which the clock jumps
 * past it. */
START_TEST(tz_local_to_utc_matches_reference)
{
    static const char *const zones[] = {
        "Europe/Paris",   "America/New_York", "Australia/Lord_Howe", "Europe/Dublin",
        "America/Nuuk",   "Asia/Jerusalem",   "America/Santiago",    "Pacific/Chatham",
        "America/Havana", "Pacific/Apia"};
    uint64_t seed = 8;
    struct clock_tz *tz;
    size_t z;
    int i, gaps = 0, overlaps = 0;

    for (z = 0; z < ARRAY_LEN(zones); z++) {
        tz = zone(zones[z]);
        for (i = 0; i < 4000; i++) {
            int64_t t = rnd_range(&seed, -2208988800LL, 5000000000LL);
            int min = (int)rnd_range(&seed, 0, 1439);
            if (i % 2) /* aim at the changes: the small hours near the month's end */
                min = (int)rnd_range(&seed, 0, 240);
            int64_t local = t + clock_tz_offset(tz, t);
            int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
            int64_t wall = day * 86400 + min * 60;
            int64_t u = clock_tz_local_to_utc(tz, t, min), best = INT64_MAX, last = INT64_MIN;
            int64_t o, cand;
            for (o = wall - 26 * 3600; o <= wall + 26 * 3600; o += 900) {
                cand = wall - clock_tz_offset(tz, o);
                if (cand + clock_tz_offset(tz, cand) == wall) {
                    best = cand < best ? cand : best;
                    last = cand > last ? cand : last;
                }
            }
            if (best != INT64_MAX) {
                EXPECT(u == best, "%s t=%lld min=%d: got %lld want %lld", zones[z], (long long)t,
                       min, (long long)u, (long long)best);
                overlaps += last != best;
            } else {
                EXPECT(
                    u + clock_tz_offset(tz, u) > wall && u - 1 + clock_tz_offset(tz, u - 1) < wall,
                    "%s t=%lld min=%d: gap answer %lld", zones[z], (long long)t, min, (long long)u);
                gaps++;
            }
        }
        clock_tz_free(tz);
    }
    /* both special cases were met, not just ordinary days */
    ck_assert_int_gt(gaps, 0);
    ck_assert_int_gt(overlaps, 0);
}
END_TEST

/* ---- time zones: loading -------------------------------------------------------------------- */

START_TEST(tz_load_rejects_bad_names)
{
    static const char *const names[] = {
        "",
        "/etc/passwd",
        "/Europe/Paris",
        "../etc/passwd",
        "Europe/../../etc/passwd",
        "Europe/..",
        "..",
        ".",
        "./UTC",
        "Europe/./Paris",
        "Europe/Paris/",
        "Europe//Paris",
        "Europe/Par is",
        "Europe/Paris\n",
        "Europe\\Paris",
        "Europe/Paris.gz",
        "UTC*",
        "UTC?",
        "~root",
        "Europe/Paris%00",
        "Eur\xc3\xb6pe/Paris",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
    };
    struct clock_tz *tz;
    size_t i;

    for (i = 0; i < ARRAY_LEN(names); i++) {
        tz = (struct clock_tz *)1;
        ck_assert_msg(clock_tz_load(NULL, names[i], &tz) == OCDN_EINVAL, "accepted \"%s\"",
                      names[i]);
        ck_assert_ptr_null(tz);
    }
    ck_assert_int_eq(clock_tz_load(NULL, NULL, &tz), OCDN_EINVAL);
    ck_assert_int_eq(clock_tz_load("", "UTC", &tz), OCDN_EINVAL);
}
END_TEST

START_TEST(tz_load_missing_zone)
{
    struct clock_tz *tz;

    ck_assert_int_eq(clock_tz_load(NULL, "Europe/Atlantis", &tz), OCDN_ENOTFOUND);
    ck_assert_ptr_null(tz);
    ck_assert_int_eq(clock_tz_load(NULL, "Nowhere/At/All", &tz), OCDN_ENOTFOUND);
    /* 64 bytes is still a valid name */
    ck_assert_int_eq(
        clock_tz_load(NULL, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                      &tz),
        OCDN_ENOTFOUND);
    /* a region directory is not a zone */
    ck_assert_int_eq(clock_tz_load(NULL, "Europe", &tz), OCDN_ENOTFOUND);
    ck_assert_int_eq(clock_tz_load("/nonexistent-zoneinfo", "UTC", &tz), OCDN_ENOTFOUND);
}
END_TEST

START_TEST(tz_load_accepts_name_characters)
{
    struct clock_tz *tz;

    ck_assert_int_eq(clock_tz_load(NULL, "Etc/GMT+5", &tz), OCDN_OK);
    clock_tz_free(tz);
    ck_assert_int_eq(clock_tz_load(NULL, "Etc/GMT-14", &tz), OCDN_OK);
    clock_tz_free(tz);
    ck_assert_int_eq(clock_tz_load(NULL, "America/Port-au-Prince", &tz), OCDN_OK);
    clock_tz_free(tz);
    ck_assert_int_eq(clock_tz_load(NULL, "America/Argentina/Buenos_Aires", &tz), OCDN_OK);
    clock_tz_free(tz);
    ck_assert_int_eq(clock_tz_load(ZONEINFO, "UTC", &tz), OCDN_OK);
    clock_tz_free(tz);
    clock_tz_free(NULL);
}
END_TEST

/* A TZif file built by hand (RFC 8536 section 3). */
struct tzspec {
    char version; /* 0 for version 1 */
    int ntimes;
    int64_t times[4];
    uint8_t idx[4];
    int ntypes;
    int32_t utoff[3];
    uint8_t isdst[3];
    uint8_t desig[3];
    const char *chars; /* designations, each NUL-terminated */
    size_t ncharcnt;
    const char *footer; /* without the newlines; version 2+ only */
};

struct bytes {
    uint8_t d[4096];
    size_t n;
    size_t hdr2; /* offset of the second header */
};

static void
put(struct bytes *b, const void *p, size_t n)
{
    ck_assert_uint_le(b->n + n, sizeof(b->d));
    memcpy(b->d + b->n, p, n);
    b->n += n;
}

static void
put32(struct bytes *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

    put(b, x, 4);
}

static void
put64(struct bytes *b, int64_t v)
{
    put32(b, (uint32_t)((uint64_t)v >> 32));
    put32(b, (uint32_t)v);
}

static void
put_header(struct bytes *b, char version, uint32_t timecnt, uint32_t typecnt, uint32_t charcnt)
{
    static const uint8_t zero[15];
    uint8_t v = (uint8_t)version;

    put(b, "TZif", 4);
    put(b, &v, 1);
    put(b, zero, 15);
    put32(b, typecnt); /* isutcnt */
    put32(b, typecnt); /* isstdcnt */
    put32(b, 0);       /* leapcnt */
    put32(b, timecnt);
    put32(b, typecnt);
    put32(b, charcnt);
}

static void
put_block(struct bytes *b, const struct tzspec *s, int timesize)
{
    uint8_t zero = 0;
    int i;

    for (i = 0; i < s->ntimes; i++) {
        if (timesize == 8)
            put64(b, s->times[i]);
        else
            put32(b, (uint32_t)s->times[i]);
    }
    put(b, s->idx, (size_t)s->ntimes);
    for (i = 0; i < s->ntypes; i++) {
        put32(b, (uint32_t)s->utoff[i]);
        put(b, &s->isdst[i], 1);
        put(b, &s->desig[i], 1);
    }
    put(b, s->chars, s->ncharcnt);
    for (i = 0; i < 2 * s->ntypes; i++)
        put(b, &zero, 1); /* isstd, isut */
}

static void
build(const struct tzspec *s, struct bytes *b)
{
    b->n = 0;
    put_header(b, s->version, (uint32_t)s->ntimes, (uint32_t)s->ntypes, (uint32_t)s->ncharcnt);
    put_block(b, s, 4);
    b->hdr2 = b->n;
    if (s->version == 0)
        return;
    put_header(b, s->version, (uint32_t)s->ntimes, (uint32_t)s->ntypes, (uint32_t)s->ncharcnt);
    put_block(b, s, 8);
    put(b, "\n", 1);
    put(b, s->footer, strlen(s->footer));
    put(b, "\n", 1);
}

/* Two types, one transition each way in 2026, and a footer like Paris. */
static struct tzspec
good_spec(void)
{
    struct tzspec s = {
        .version = '2',
        .ntimes = 2,
        .times = {1774746000, 1792890000}, /* 2026-03-29T01:00Z, 2026-10-25T01:00Z */
        .idx = {1, 0},
        .ntypes = 2,
        .utoff = {3600, 7200},
        .isdst = {0, 1},
        .desig = {0, 4},
        .chars = "CET\0CEST",
        .ncharcnt = 9,
        .footer = "CET-1CEST,M3.5.0,M10.5.0/3",
    };
    return s;
}

static enum ocdn_err
load_bytes(const char *dir, const void *data, size_t n, struct clock_tz **tz)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/Test", dir);
    write_file(path, data, n);
    return clock_tz_load(dir, "Test", tz);
}

START_TEST(tz_load_synthetic_files)
{
    char *dir = tmpdir_new();
    struct tzspec s = good_spec();
    struct bytes b;
    struct clock_tz *tz;

    build(&s, &b);
    ck_assert_int_eq(load_bytes(dir, b.d, b.n, &tz), OCDN_OK);
    ck_assert_int_eq(clock_tz_offset(tz, 1774746000 - 1), 3600);
    ck_assert_int_eq(clock_tz_offset(tz, 1774746000), 7200);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2030-07-01T00:00:00Z")), 7200);
    clock_tz_free(tz);

    /* version 1: 32-bit times, no footer; the last type holds after the last transition */
    s.version = 0;
    build(&s, &b);
    ck_assert_int_eq(load_bytes(dir, b.d, b.n, &tz), OCDN_OK);
    ck_assert_int_eq(clock_tz_offset(tz, 1774746000), 7200);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2030-07-01T00:00:00Z")), 3600);
    clock_tz_free(tz);

    /* version 3, no transitions: the footer alone */
    s = good_spec();
    s.version = '3';
    s.ntimes = 0;
    build(&s, &b);
    ck_assert_int_eq(load_bytes(dir, b.d, b.n, &tz), OCDN_OK);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-07-01T00:00:00Z")), 7200);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2026-01-01T00:00:00Z")), 3600);
    ck_assert_int_eq(clock_tz_local_to_utc(tz, utc("2026-03-29T12:00:00Z"), 150),
                     utc("2026-03-29T01:00:00Z"));
    clock_tz_free(tz);

    /* empty footer: the last transition's type holds */
    s = good_spec();
    s.footer = "";
    build(&s, &b);
    ck_assert_int_eq(load_bytes(dir, b.d, b.n, &tz), OCDN_OK);
    ck_assert_int_eq(clock_tz_offset(tz, utc("2030-07-01T00:00:00Z")), 3600);
    clock_tz_free(tz);
    tmpdir_remove(dir);
}
END_TEST

START_TEST(tz_footer_rules)
{
    static const struct {
        const char *footer;
        const char *when;
        int32_t off;
    } cases[] = {
        {"<+0530>-5:30", "2030-07-01T00:00:00Z", 19800},
        {"<-0330>3:30", "2030-07-01T00:00:00Z", -12600},
        {"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", "2030-01-01T00:00:00Z", 49500},
        {"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", "2030-07-01T00:00:00Z", 45900},
        {"EST5EDT,M3.2.0,M11.1.0", "2030-07-01T00:00:00Z", -14400},
        {"EST5EDT,M3.2.0/2:00:00,M11.1.0/2:00:00", "2030-01-01T12:00:00Z", -18000},
        {"EST5EDT4,M3.2.0,M11.1.0", "2030-07-01T00:00:00Z", -14400},
        /* DST all year (RFC 8536 section 3.3.1), including across new year */
        {"EST5EDT4,0/0,J365/25", "2030-01-01T04:59:59Z", -14400},
        {"EST5EDT4,0/0,J365/25", "2030-01-01T05:00:00Z", -14400},
        {"EST5EDT4,0/0,J365/25", "2030-07-01T00:00:00Z", -14400},
        /* Julian days: J60 is March 1 even in leap years, 59 is Feb 29 in 2028 */
        {"AAA0BBB,J60,J300", "2028-02-29T12:00:00Z", 0},
        {"AAA0BBB,J60,J300", "2028-03-01T02:00:00Z", 3600},
        {"AAA0BBB,59,300", "2028-02-29T01:59:59Z", 0},
        {"AAA0BBB,59,300", "2028-02-29T02:00:00Z", 3600},
        /* negative and 24+ hour rule times */
        /* last Sunday of March 2030 is the 31st: -1 h is March 30 23:00 at -2 */
        {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2030-03-31T00:59:59Z", -7200},
        {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2030-03-31T01:00:00Z", -3600},
        /* fourth Thursday of March 2030 is the 28th: 26 h is March 29 02:00 at +2 */
        {"IST-2IDT,M3.4.4/26,M10.5.0", "2030-03-28T23:59:59Z", 7200},
        {"IST-2IDT,M3.4.4/26,M10.5.0", "2030-03-29T00:00:00Z", 10800},
        /* March 31 + 167 h = April 6 23:00 */
        {"XXX0YYY,M3.5.0/167,M10.5.0/-167", "2030-04-06T22:59:59Z", 0},
        {"XXX0YYY,M3.5.0/167,M10.5.0/-167", "2030-04-06T23:00:00Z", 3600},
        /* October 27 - 167 h = October 20 01:00 local summer time */
        {"XXX0YYY,M3.5.0/167,M10.5.0/-167", "2030-10-20T00:00:00Z", 0},
        {"XXX0YYY,M3.5.0/167,M10.5.0/-167", "2030-10-19T23:59:59Z", 3600},
    };
    char *dir = tmpdir_new();
    struct tzspec s = good_spec();
    struct bytes b;
    struct clock_tz *tz;
    size_t i;

    s.ntimes = 0;
    for (i = 0; i < ARRAY_LEN(cases); i++) {
        s.footer = cases[i].footer;
        build(&s, &b);
        ck_assert_msg(load_bytes(dir, b.d, b.n, &tz) == OCDN_OK, "%s", cases[i].footer);
        ck_assert_msg(clock_tz_offset(tz, utc(cases[i].when)) == cases[i].off, "%s at %s: %d",
                      cases[i].footer, cases[i].when, clock_tz_offset(tz, utc(cases[i].when)));
        clock_tz_free(tz);
    }
    tmpdir_remove(dir);
}
END_TEST

START_TEST(tz_footer_rejects_bad)
{
    static const char *const footers[] = {
        "CET",
        "CE-1",
        "C1",
        "-1",
        "<+05>",
        "<+5>-5",
        "<+0530-5:30",
        "<+05 30>-5:30",
        "CET-25",
        "CET-1:60",
        "CET-1:00:60",
        "CET-1:",
        "CET-1x",
        "CET-1CEST",
        "CET-1CEST,",
        "CET-1CEST,M3.5.0",
        "CET-1CEST,M3.5.0,",
        "CET-1CEST,M3.5.0,M10.5.0,",
        "CET-1CEST,M3.5.0,M10.5.0x",
        "CET-1CEST,M13.5.0,M10.5.0",
        "CET-1CEST,M0.5.0,M10.5.0",
        "CET-1CEST,M3.6.0,M10.5.0",
        "CET-1CEST,M3.0.0,M10.5.0",
        "CET-1CEST,M3.5.7,M10.5.0",
        "CET-1CEST,M3.5,M10.5.0",
        "CET-1CEST,J0,M10.5.0",
        "CET-1CEST,J366,M10.5.0",
        "CET-1CEST,366,M10.5.0",
        "CET-1CEST,M3.5.0/168,M10.5.0",
        "CET-1CEST,M3.5.0/-168,M10.5.0",
        "CET-1CEST,M3.5.0/,M10.5.0",
        "CET-1CEST-25,M3.5.0,M10.5.0",
        "CET-1CEST;M3.5.0,M10.5.0",
        "CET -1",
        "<+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>0",
    };
    char *dir = tmpdir_new();
    struct tzspec s = good_spec();
    struct bytes b;
    struct clock_tz *tz;
    size_t i;

    for (i = 0; i < ARRAY_LEN(footers); i++) {
        s.footer = footers[i];
        build(&s, &b);
        ck_assert_msg(load_bytes(dir, b.d, b.n, &tz) == OCDN_EINVAL, "accepted \"%s\"", footers[i]);
        ck_assert_ptr_null(tz);
    }
    tmpdir_remove(dir);
}
END_TEST

/* Offsets into the version 2 part of a file built from good_spec(). */
#define H2_VERSION  4
#define H2_ISUTCNT  20
#define H2_ISSTDCNT 24
#define H2_LEAPCNT  28
#define H2_TIMECNT  32
#define H2_TYPECNT  36
#define H2_CHARCNT  40
#define B2_TIMES    44
#define B2_IDX      (B2_TIMES + 16)
#define B2_TYPES    (B2_IDX + 2)
#define B2_CHARS    (B2_TYPES + 12)
#define B2_ISSTD    (B2_CHARS + 9)
#define B2_ISUT     (B2_ISSTD + 2)

static void
set32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

START_TEST(tz_load_rejects_malformed_files)
{
    char *dir = tmpdir_new();
    struct tzspec s = good_spec();
    struct bytes good, b;
    struct clock_tz *tz;
    uint8_t *h2;
    int k;

    build(&s, &good);
    /* 0: baseline must load, or the cases below prove nothing */
    ck_assert_int_eq(load_bytes(dir, good.d, good.n, &tz), OCDN_OK);
    clock_tz_free(tz);
    for (k = 1; k <= 24; k++) {
        b = good;
        h2 = b.d + b.hdr2;
        switch (k) {
        case 1: /* bad magic */
            b.d[0] = 'X';
            break;
        case 2: /* unknown version */
            b.d[4] = '5';
            h2[H2_VERSION] = '5';
            break;
        case 3: /* headers disagree on the version */
            h2[H2_VERSION] = '3';
            break;
        case 4: /* huge transition count */
            set32(h2 + H2_TIMECNT, 0xffffffffu);
            break;
        case 5: /* count just over our bound */
            set32(h2 + H2_TIMECNT, 10001);
            break;
        case 6: /* huge type count */
            set32(h2 + H2_TYPECNT, 0x10000000u);
            break;
        case 7: /* huge char count in the skipped version 1 header */
            set32(b.d + H2_CHARCNT, 0x7fffffffu);
            break;
        case 8: /* counts larger than the data */
            set32(h2 + H2_TIMECNT, 3);
            break;
        case 9: /* no types */
            set32(h2 + H2_TYPECNT, 0);
            set32(h2 + H2_ISUTCNT, 0);
            set32(h2 + H2_ISSTDCNT, 0);
            break;
        case 10: /* isutcnt neither 0 nor typecnt */
            set32(h2 + H2_ISUTCNT, 1);
            break;
        case 11: /* leap seconds */
            set32(h2 + H2_LEAPCNT, 1);
            break;
        case 12: /* transitions out of order */
            set32(h2 + B2_TIMES + 8, 0);
            set32(h2 + B2_TIMES + 12, 1000);
            break;
        case 13: /* equal transitions */
            memcpy(h2 + B2_TIMES + 8, h2 + B2_TIMES, 8);
            break;
        case 14: /* type index out of range */
            h2[B2_IDX] = 2;
            break;
        case 15: /* utoff of -2^31 */
            set32(h2 + B2_TYPES, 0x80000000u);
            break;
        case 16: /* utoff of 26 hours */
            set32(h2 + B2_TYPES, 93600);
            break;
        case 17: /* isdst not 0 or 1 */
            h2[B2_TYPES + 4] = 2;
            break;
        case 18: /* designation index past the table */
            h2[B2_TYPES + 5] = 9;
            break;
        case 19: /* designations not NUL-terminated */
            h2[B2_CHARS + 8] = 'X';
            break;
        case 20: /* isstd not 0 or 1 */
            h2[B2_ISSTD] = 2;
            break;
        case 21: /* isut set without isstd */
            h2[B2_ISUT] = 1;
            break;
        case 22: /* footer without its final newline */
            b.n--;
            break;
        case 23: /* bytes after the footer */
            b.d[b.n++] = 'x';
            break;
        case 24: /* footer missing its leading newline */
            b.d[good.n - strlen(s.footer) - 2] = 'x';
            break;
        }
        tz = (struct clock_tz *)1;
        ck_assert_msg(load_bytes(dir, b.d, b.n, &tz) == OCDN_EINVAL, "case %d accepted", k);
        ck_assert_ptr_null(tz);
    }
    tmpdir_remove(dir);
}
END_TEST

START_TEST(tz_load_rejects_bad_version1_files)
{
    char *dir = tmpdir_new();
    struct tzspec s = good_spec();
    struct bytes b;
    struct clock_tz *tz;

    s.version = 0;
    build(&s, &b);
    b.d[b.n++] = '\n'; /* version 1 has no footer: trailing bytes */
    ck_assert_int_eq(load_bytes(dir, b.d, b.n, &tz), OCDN_EINVAL);
    build(&s, &b);
    set32(b.d + H2_TYPECNT, 0);
    ck_assert_int_eq(load_bytes(dir, b.d, b.n, &tz), OCDN_EINVAL);
    build(&s, &b);
    ck_assert_int_eq(load_bytes(dir, b.d, b.n - 1, &tz), OCDN_EINVAL);
    tmpdir_remove(dir);
}
END_TEST

/* Every truncation of a real zone file, and a byte appended, is refused (and never read past
 * its end: run under ASan). */
START_TEST(tz_load_rejects_truncated_real_file)
{
    char *dir = tmpdir_new();
    uint8_t data[16384];
    struct clock_tz *tz;
    size_t n, len;
    FILE *f;

    f = fopen(ZONEINFO "/Europe/Paris", "rb");
    ck_assert_ptr_nonnull(f);
    len = fread(data, 1, sizeof(data) - 1, f);
    fclose(f);
    ck_assert_uint_gt(len, 1000);
    ck_assert_int_eq(load_bytes(dir, data, len, &tz), OCDN_OK);
    clock_tz_free(tz);
    for (n = 0; n < len; n++)
        EXPECT(load_bytes(dir, data, n, &tz) == OCDN_EINVAL && tz == NULL, "length %zu", n);
    data[len] = '\n';
    ck_assert_int_eq(load_bytes(dir, data, len + 1, &tz), OCDN_EINVAL);
    tmpdir_remove(dir);
}
END_TEST

START_TEST(tz_load_rejects_special_files)
{
    char *dir = tmpdir_new();
    char path[PATH_MAX];
    struct clock_tz *tz;
    struct bytes b;
    struct tzspec s = good_spec();
    uint8_t *big;
    size_t n = 300 * 1024;

    /* a FIFO would block a naive open() */
    snprintf(path, sizeof(path), "%s/Fifo", dir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ck_assert_int_eq(clock_tz_load(dir, "Fifo", &tz), OCDN_EINVAL);
    /* over the size limit, even with a valid start */
    build(&s, &b);
    big = calloc(1, n);
    ck_assert_ptr_nonnull(big);
    memcpy(big, b.d, b.n);
    ck_assert_int_eq(load_bytes(dir, big, n, &tz), OCDN_EINVAL);
    free(big);
    ck_assert_int_eq(load_bytes(dir, "", 0, &tz), OCDN_EINVAL);
    tmpdir_remove(dir);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("clock");
    TCase *tc;

    tc = tcase_create("clocks");
    tcase_add_test(tc, mono_never_goes_back);
    tcase_add_test(tc, wall_matches_time);
    suite_add_tcase(s, tc);

    tc = tcase_create("jitter");
    tcase_add_test(tc, jitter_within_bounds);
    tcase_add_test(tc, jitter_is_uniform);
    tcase_add_test(tc, jitter_same_seed_same_sequence);
    tcase_add_test(tc, jitter_degenerate_inputs);
    suite_add_tcase(s, tc);

    tc = tcase_create("utc");
    tcase_add_test(tc, utc_format_known);
    tcase_add_test(tc, utc_format_small_buffer);
    tcase_add_test(tc, utc_round_trip_matches_gmtime);
    tcase_add_test(tc, utc_parse_rejects_bad);
    tcase_add_test(tc, utc_parse_leap_days);
    suite_add_tcase(s, tc);

    tc = tcase_create("tz_offset");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tz_paris_offsets);
    tcase_add_test(tc, tz_new_york_offsets);
    tcase_add_test(tc, tz_fixed_offsets);
    tcase_add_test(tc, tz_lord_howe_half_hour_dst);
    tcase_add_test(tc, tz_far_future_uses_footer);
    tcase_add_test(tc, tz_offset_matches_glibc);
    tcase_add_test(tc, tz_transitions_match_glibc);
    suite_add_tcase(s, tc);

    tc = tcase_create("tz_local");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tz_local_to_utc_paris);
    tcase_add_test(tc, tz_local_to_utc_other_zones);
    tcase_add_test(tc, tz_local_to_utc_matches_reference);
    suite_add_tcase(s, tc);

    tc = tcase_create("tz_load");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, tz_load_rejects_bad_names);
    tcase_add_test(tc, tz_load_missing_zone);
    tcase_add_test(tc, tz_load_accepts_name_characters);
    tcase_add_test(tc, tz_load_synthetic_files);
    tcase_add_test(tc, tz_footer_rules);
    tcase_add_test(tc, tz_footer_rejects_bad);
    tcase_add_test(tc, tz_load_rejects_malformed_files);
    tcase_add_test(tc, tz_load_rejects_bad_version1_files);
    tcase_add_test(tc, tz_load_rejects_truncated_real_file);
    tcase_add_test(tc, tz_load_rejects_special_files);
    suite_add_tcase(s, tc);

    return run_suite(s);
}
