#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdbool.h>

/* Process-wide logging to stderr, one line per event (journald adds timestamps). A line is
 * cut at 2047 bytes; control characters other than tab are written as '?'.
 * Every function preserves errno. Never log keys, tokens, signed URLs or bodies. */

/* Set the program name and whether debug lines are printed (-d). Call once from main(). */
void log_init(const char *progname, bool debug);
/* Turn debug output on or off at run time. */
void log_set_debug(bool debug);
/* True when debug lines are printed. */
bool log_is_debug(void);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like log_warnx() with ": strerror(errno)" appended. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1): only at startup or for impossible states (STYLE.md section 4). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
