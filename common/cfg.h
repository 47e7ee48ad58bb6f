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
 * ignored; a value may be wrapped in double quotes to keep leading/trailing spaces or '#'.
 * Lines are at most CFG_LINE_MAX bytes, files at most CFG_FILE_MAX bytes. Unknown keys,
 * duplicate keys, bad values and out-of-range numbers are errors naming file, line and key.
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

/* Extra check of a parsed value; return OCDN_OK, or OCDN_EINVAL with a reason in err. */
typedef enum ocdn_err cfg_check_fn(const void *field, char *err, size_t errlen);

struct cfg_key {
    const char *name;
    enum cfg_type type;
    size_t offset;      /* offsetof(struct my_config, field) */
    const char *def;    /* default as text, parsed like a file value; NULL = unset (string NULL) */
    int64_t min, max;   /* inclusive; for CFG_STR the length; min == max == 0 means no bound */
    bool reloadable;    /* may change on SIGHUP */
    cfg_check_fn *check;  /* optional */
    const char *help;   /* one line, printed by cfg_print() */
};

/* Fill cfg from the table's defaults, then from path (NULL = defaults only). On error returns
 * OCDN_EINVAL (or OCDN_EIO for an unreadable file) with "file:line: key: reason" in err, and
 * cfg holds no allocations (it was cleared). */
enum ocdn_err cfg_load(const struct cfg_key *table, size_t nkeys, const char *path, void *cfg,
                       char *err, size_t errlen);

/* Same as cfg_load() but from a memory buffer; name is used in error messages. */
enum ocdn_err cfg_load_buf(const struct cfg_key *table, size_t nkeys, const char *name,
                           const char *text, size_t len, void *cfg, char *err, size_t errlen);

/* Print the effective configuration, one "key = value" line per table row in table order,
 * with durations and sizes in their canonical unit ("30s", "16M"). Used by -n. */
void cfg_print(const struct cfg_key *table, size_t nkeys, const void *cfg, FILE *out);

/* Free the strings of cfg (the struct itself is the caller's). */
void cfg_clear(const struct cfg_key *table, size_t nkeys, void *cfg);

/* Copy the reloadable fields from next into cur, the others stay; strings change owner.
 * Afterwards next must still be cleared with cfg_clear(). Returns the number of keys changed. */
size_t cfg_apply_reloadable(const struct cfg_key *table, size_t nkeys, void *cur, void *next);

#endif
