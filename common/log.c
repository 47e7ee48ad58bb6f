/* log.c - one-line log records on stderr.
 * Owns the only logging state of the process (program name, debug flag). Lines are written
 * with a single write(2) so that threads do not interleave inside a line. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char progname[32] = "ocdn";
static atomic_bool debug_on;

void
log_init(const char *name, bool debug)
{
    snprintf(progname, sizeof(progname), "%s", name ? name : "ocdn");
    atomic_store(&debug_on, debug);
}

void
log_set_debug(bool debug)
{
    atomic_store(&debug_on, debug);
}

bool
log_is_debug(void)
{
    return atomic_load(&debug_on);
}

static void
vlog(const char *level, const char *fmt, va_list ap, const char *suffix)
{
    char line[2048];
    int i, n, m;

    n = snprintf(line, sizeof(line), "%s: %s", progname, level);
    if (n < 0 || (size_t)n >= sizeof(line))
        n = 0;
    m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    if (m < 0)
        m = 0;
    n += m;
    if ((size_t)n >= sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    if (suffix) {
        m = snprintf(line + n, sizeof(line) - (size_t)n, ": %s", suffix);
        if (m > 0)
            n += m;
        if ((size_t)n >= sizeof(line) - 2)
            n = (int)sizeof(line) - 2;
    }
    /* Logged values may come from outside (peer descriptions, file names): a newline or an
     * escape sequence in them must not start a forged line or drive the terminal. */
    for (i = 0; i < n; i++) {
        if (((unsigned char)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
            line[i] = '?';
    }
    line[n++] = '\n';
    /* A failed write to stderr has nowhere to be reported. */
    if (write(STDERR_FILENO, line, (size_t)n) < 0)
        return;
}

void
log_debug(const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    if (!atomic_load(&debug_on))
        return;
    va_start(ap, fmt);
    vlog("debug: ", fmt, ap, NULL);
    va_end(ap);
    errno = saved;
}

void
log_info(const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    va_start(ap, fmt);
    vlog("", fmt, ap, NULL);
    va_end(ap);
    errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    va_start(ap, fmt);
    vlog("warning: ", fmt, ap, NULL);
    va_end(ap);
    errno = saved;
}

void
log_warn(const char *fmt, ...)
{
    va_list ap;
    int saved = errno;
    char ebuf[128];
    const char *es;

    es = strerror_r(saved, ebuf, sizeof(ebuf));
    va_start(ap, fmt);
    vlog("warning: ", fmt, ap, es);
    va_end(ap);
    errno = saved;
}

void
fatal(const char *fmt, ...)
{
    va_list ap;
    int saved = errno;
    char ebuf[128];
    const char *es;

    es = strerror_r(saved, ebuf, sizeof(ebuf));
    va_start(ap, fmt);
    vlog("fatal: ", fmt, ap, es);
    va_end(ap);
    exit(1);
}

void
fatalx(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog("fatal: ", fmt, ap, NULL);
    va_end(ap);
    exit(1);
}
