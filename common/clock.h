#ifndef COMMON_CLOCK_H
#define COMMON_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Time: monotonic and wall clocks, jitter, and local-time windows in IANA time zones.
 * Time zones are read from TZif files (zoneinfo) by our own parser, so conversions are
 * thread-safe and do not touch the TZ environment variable. */

/* Milliseconds from CLOCK_MONOTONIC. */
int64_t clock_mono_ms(void);
/* Wall clock, Unix seconds / milliseconds. */
int64_t clock_wall_s(void);
int64_t clock_wall_ms(void);
/* base_ms +/- up to pct percent, uniformly; uses the per-thread state *seed (any value).
 * pct over 100 counts as 100; base_ms <= 0 is returned unchanged. */
int64_t clock_jitter_ms(int64_t base_ms, unsigned pct, uint64_t *seed);
/* Format Unix seconds as "2026-11-24T03:00:00Z" into buf (>= 21 bytes); returns buf. Years
 * outside 0000..9999 give "0000-00-00T00:00:00Z", which clock_parse_utc() rejects. */
char *clock_format_utc(int64_t unix_s, char *buf, size_t len);
/* Parse "YYYY-MM-DDTHH:MM:SSZ" (UTC only, proleptic Gregorian, no leap second :60);
 * OCDN_EINVAL otherwise, including impossible dates such as 2026-02-29. */
enum ocdn_err clock_parse_utc(const char *s, int64_t *unix_s);

/* A time zone loaded from a TZif file. */
struct clock_tz;

/* Load zone name ("Europe/Paris") from dir (NULL = /usr/share/zoneinfo). Names with "..",
 * a leading '/', or characters outside [A-Za-z0-9/_+-] are OCDN_EINVAL; a missing zone is
 * OCDN_ENOTFOUND; a malformed file OCDN_EINVAL. Caller frees with clock_tz_free(). Names that
 * are empty, over 64 bytes, or have an empty component ("a//b", "a/") are OCDN_EINVAL; a
 * directory ("Europe") is OCDN_ENOTFOUND; a special file, a file over 256 KiB or a zone with
 * leap seconds ("right/...") OCDN_EINVAL; a read error OCDN_EIO. */
enum ocdn_err clock_tz_load(const char *dir, const char *name, struct clock_tz **out);
/* Free tz; NULL does nothing. */
void clock_tz_free(struct clock_tz *tz);
/* Offset from UTC in seconds at Unix time t (e.g. 3600 for CET). Before the first transition
 * the file's first type applies (RFC 8536), after the last one the footer's TZ rule; t beyond
 * +-2^40 s (about 34000 years) is clamped. */
int32_t clock_tz_offset(const struct clock_tz *tz, int64_t t);
/* Unix time of local wall-clock minute-of-day start_min (0..1439, clamped) on the local day
 * that contains t. In a DST gap, the first instant after it: the transition itself (Paris,
 * last Sunday of March: 02:30 gives 01:00Z = 03:00 CEST). In an overlap, the earlier instant
 * (last Sunday of October: 02:30 gives 00:30Z = 02:30 CEST, not 02:30 CET). */
int64_t clock_tz_local_to_utc(const struct clock_tz *tz, int64_t t, int start_min);

#endif
