/* health.c - small, real health probes for the report: /proc/loadavg, /proc/meminfo,
 * /proc/stat, /proc/uptime and statvfs(data_dir). Each /proc file is read into a fixed
 * buffer (they are a few kB; a longer one is cut, and only its head is used) and parsed by a
 * pure function, so the parsers are tested with recorded files. Logs nothing. */
#include "health.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define PROC_READ_MAX 16384

/* A non-negative decimal number with an optional fraction; *end after it. */
static bool
parse_num(const char *s, double *out, const char **end)
{
    char *e;
    double v;

    if (!(*s >= '0' && *s <= '9'))
        return false;
    errno = 0;
    v = strtod(s, &e);
    if (errno || e == s || v < 0)
        return false;
    *out = v;
    *end = e;
    return true;
}

static bool
parse_u64(const char *s, uint64_t *out, const char **end)
{
    uint64_t v = 0;
    const char *p = s;

    if (!(*p >= '0' && *p <= '9'))
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    *end = p;
    return true;
}

enum ocdn_err
health_parse_loadavg(const char *text, double *load1)
{
    const char *end;
    double v;

    if (!parse_num(text, &v, &end) || (*end != ' ' && *end != '\n') || v > 100000)
        return OCDN_EINVAL;
    *load1 = v;
    return OCDN_OK;
}

/* Value of "name:   123 kB" in /proc/meminfo. */
static bool
meminfo_kb(const char *text, const char *name, uint64_t *kb)
{
    size_t n = strlen(name);
    const char *p = text, *end;

    while (p && *p) {
        if (strncmp(p, name, n) == 0 && p[n] == ':') {
            p += n + 1;
            while (*p == ' ' || *p == '\t')
                p++;
            return parse_u64(p, kb, &end) && strncmp(end, " kB\n", 4) == 0;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return false;
}

enum ocdn_err
health_parse_meminfo(const char *text, double *mem_pct)
{
    uint64_t total, avail;

    if (!meminfo_kb(text, "MemTotal", &total) || !meminfo_kb(text, "MemAvailable", &avail) ||
        total == 0)
        return OCDN_EINVAL;
    if (avail > total)
        avail = total;
    *mem_pct = 100.0 * (double)(total - avail) / (double)total;
    return OCDN_OK;
}

enum ocdn_err
health_parse_stat(const char *text, struct health_cpu *out)
{
    const char *p, *end;
    uint64_t v, busy = 0, total = 0;
    int i;

    if (strncmp(text, "cpu ", 4) != 0)
        return OCDN_EINVAL;
    p = text + 4;
    /* user nice system idle iowait irq softirq steal (guest times are inside user). */
    for (i = 0; i < 8; i++) {
        while (*p == ' ')
            p++;
        if (*p == '\n' || *p == '\0')
            break;
        if (!parse_u64(p, &v, &end) || (*end != ' ' && *end != '\n'))
            return OCDN_EINVAL;
        p = end;
        if (total > UINT64_MAX - v)
            return OCDN_EINVAL;
        total += v;
        if (i != 3 && i != 4)
            busy += v;
    }
    if (i < 4)
        return OCDN_EINVAL;
    out->busy = busy;
    out->total = total;
    return OCDN_OK;
}

bool
health_cpu_pct(const struct health_cpu *prev, const struct health_cpu *cur, double *pct)
{
    uint64_t dt, db;

    if (cur->total <= prev->total || cur->busy < prev->busy)
        return false;
    dt = cur->total - prev->total;
    db = cur->busy - prev->busy;
    if (db > dt)
        return false;
    *pct = 100.0 * (double)db / (double)dt;
    return true;
}

enum ocdn_err
health_parse_uptime(const char *text, int64_t *uptime_s)
{
    const char *end;
    double v;

    if (!parse_num(text, &v, &end) || (*end != ' ' && *end != '\n') || v > 1e12)
        return OCDN_EINVAL;
    *uptime_s = (int64_t)v;
    return OCDN_OK;
}

/* Read the head of a /proc file into buf (NUL-terminated); false on error. */
static bool
read_proc(const char *path, char *buf, size_t len)
{
    size_t got = 0;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return false;
    while (got < len - 1) {
        n = read(fd, buf + got, len - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    return got > 0;
}

void
health_probe(const char *data_dir, struct health_cpu *cpu, struct health_sample *out)
{
    char buf[PROC_READ_MAX];
    struct health_cpu now;
    struct statvfs vfs;

    memset(out, 0, sizeof(*out));
    if (read_proc("/proc/loadavg", buf, sizeof(buf)))
        out->has_load = health_parse_loadavg(buf, &out->load1) == OCDN_OK;
    if (read_proc("/proc/meminfo", buf, sizeof(buf)))
        out->has_mem = health_parse_meminfo(buf, &out->mem_pct) == OCDN_OK;
    if (read_proc("/proc/uptime", buf, sizeof(buf)))
        out->has_uptime = health_parse_uptime(buf, &out->uptime_s) == OCDN_OK;
    if (read_proc("/proc/stat", buf, sizeof(buf)) && health_parse_stat(buf, &now) == OCDN_OK) {
        if (cpu->total)
            out->has_cpu = health_cpu_pct(cpu, &now, &out->cpu_pct);
        *cpu = now;
    }
    out->has_disk = true;
    if (data_dir && statvfs(data_dir, &vfs) == 0 && vfs.f_frsize > 0) {
        uint64_t size = (uint64_t)vfs.f_blocks * vfs.f_frsize;
        uint64_t free_bytes = (uint64_t)vfs.f_bfree * vfs.f_frsize;
        uint64_t used = size - (free_bytes < size ? free_bytes : size);
        uint64_t cap = (uint64_t)(INT64_MAX / 2); /* the control plane's bound */

        out->disk_ok = true;
        out->disk_size_bytes = (int64_t)(size < cap ? size : cap);
        out->disk_used_bytes = (int64_t)(used < cap ? used : cap);
    }
}
