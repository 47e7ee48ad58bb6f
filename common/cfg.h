#ifndef COMMON_CFG_H
#define COMMON_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* Table-driven "key = value" configuration files (STYLE.md section 7).
 *
 * Syntax: one "key = value" per line; '#' starts a comment (outside quotes); blank lines are
 * ignored; a value may be wrapped in double quotes (escapes: \" and \\ only) to keep
 * leading/trailing spaces or '#'. Lines are at most CFG_LINE_MAX bytes (a trailing CR is
 * ignored), files at most CFG_FILE_MAX bytes; NUL bytes and control characters other than tab
 * are errors. Unknown keys, duplicate keys, bad values and out-of-range numbers are errors
 * naming file, line and key.
 *
 * Each program has one table (struct cfg_key[]) that maps keys onto fields of its own config
 * struct through offsetof(). Strings are heap copies owned by the struct: cfg_clear() frees. */

#define CFG_LINE_MAX 4096
#define CFG_FILE_MAX (1024 * 1024)

enum cfg_type {
    CFG_STR,      /* char *; min/max bound the length in bytes */
    CFG_INT,      /* int64_t; min/max bound the value */
    CFG_BOOL,     /* bool; yes/no, true/false, on/off, 1/0 */
    CFG_DURATION, /* int64_t milliseconds; "250ms", "30s", "5m", "2h", "1d"; a bare number is s */
    CFG_SIZE,     /* int64_t bytes; "512", "64k", "16M", "2G" (powers of 1024) */
    CFG_HOSTPORT, /* char *; "127.0.0.1:8080" or "[::1]:8080" */
};

/* Extra check of a parsed value; return OCDN_OK, or OCDN_EINVAL with a reason in err. field
 * points to the parsed value in the field's own type: char ** (CFG_STR, CFG_HOSTPORT),
 * int64_t * (CFG_INT, CFG_DURATION, CFG_SIZE) or bool * (CFG_BOOL). Defaults are checked too. */
typedef enum ocdn_err cfg_check_fn(const void *field, char *err, size_t errlen);

/* One row per key. def is the default as value text, parsed exactly like a file value; only
 * string keys may have def == NULL (unset: the field stays NULL). min/max are inclusive, in the
 * field's unit (milliseconds, bytes; the length in bytes for CFG_STR); min == max == 0 means no
 * bound; BOOL and HOSTPORT rows must leave both 0. Rows are validated on every load (name
 * syntax, duplicates, bounds, defaults, one-line help), so a bad table fails its first test. */
struct cfg_key {
    const char *name;    /* [A-Za-z0-9_.-]+, unique in the table */
    enum cfg_type type;  /* the field's C type follows from it, see cfg_check_fn */
    size_t offset;       /* offsetof(struct my_config, field) */
    const char *def;     /* default as text; NULL = unset (strings only) */
    int64_t min, max;    /* inclusive bounds, see above */
    bool reloadable;     /* may change on SIGHUP */
    cfg_check_fn *check; /* optional */
    const char *help;    /* one line, printed by cfg_print() */
};

/* Fill cfg from the table's defaults, then from path (NULL = defaults only). cfg must own no
 * strings on entry (a zeroed struct or one passed to cfg_clear()): every table field is
 * overwritten. On error returns OCDN_EINVAL (bad table, default or file content), OCDN_ETOOBIG
 * (file over CFG_FILE_MAX), OCDN_EIO (unreadable file) or OCDN_ENOMEM, with
 * "file:line: key: reason" (or "file: reason" when no line or key applies) in err, and cfg owns
 * no allocations (its fields are zeroed; a bad table leaves cfg untouched).
 *
 * Reload pattern: load into a fresh zeroed struct; on error keep the current config and throw
 * the fresh one away (nothing to free); on success swap it in (or cfg_apply_reloadable()) and
 * cfg_clear() whichever is no longer used. The current config is never touched by a failure. */
enum ocdn_err cfg_load(const struct cfg_key *table, size_t nkeys, const char *path, void *cfg,
                       char *err, size_t errlen);

/* Same as cfg_load() but from a memory buffer (NULL with len 0 = empty); name is used in
 * error messages. */
enum ocdn_err cfg_load_buf(const struct cfg_key *table, size_t nkeys, const char *name,
                           const char *text, size_t len, void *cfg, char *err, size_t errlen);

/* Print the effective configuration in table order: "# help" (when set), then "key = value"
 * with durations and sizes in their largest exact unit ("30s", "1500ms", "16M"), booleans as
 * yes/no, strings quoted only when needed; an unset string prints as "# key is not set". The
 * output loads back to the same values. Used by -n. */
void cfg_print(const struct cfg_key *table, size_t nkeys, const void *cfg, FILE *out);

/* Free the strings of cfg and set them to NULL (the struct itself is the caller's). */
void cfg_clear(const struct cfg_key *table, size_t nkeys, void *cfg);

/* Copy the reloadable fields from next into cur, the others stay. A changed string is
 * swapped: cur takes next's copy and next gets cur's old one, so nothing is allocated and
 * next must still be cleared with cfg_clear() afterwards. Call it once per next. Returns the
 * number of keys changed. */
size_t cfg_apply_reloadable(const struct cfg_key *table, size_t nkeys, void *cur, void *next);

/* Name of the first non-reloadable key whose value differs between cur and next (SIGHUP
 * cannot apply it: log that a restart is needed), or NULL when there is none. Borrowed from
 * the table. */
const char *cfg_get_static_change(const struct cfg_key *table, size_t nkeys, const void *cur,
                                  const void *next);

#endif
