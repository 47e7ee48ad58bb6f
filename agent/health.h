#ifndef AGENT_HEALTH_H
#define AGENT_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Health probes for the report (docs/agent-report.md "health"): load average and memory from
 * /proc, CPU use between two reports from /proc/stat, system uptime, and the data disk from
 * statvfs(data_dir). NIC counters and disk error counters come later. The parsers are pure
 * (text in, numbers out) and tested with recorded /proc files. */

/* Cumulative CPU jiffies from the "cpu" line of /proc/stat. */
struct health_cpu {
    uint64_t busy;
    uint64_t total;
};

struct health_sample {
    bool has_load;
    double load1;
    bool has_mem;
    double mem_pct; /* 0..100: (MemTotal - MemAvailable) / MemTotal */
    bool has_cpu;
    double cpu_pct; /* 0..100 since the previous sample */
    bool has_uptime;
    int64_t uptime_s;
    bool has_disk;
    bool disk_ok; /* statvfs(data_dir) worked */
    int64_t disk_size_bytes;
    int64_t disk_used_bytes;
};

/* First field of /proc/loadavg; OCDN_EINVAL unless a number 0..100000. */
enum ocdn_err health_parse_loadavg(const char *text, double *load1);
/* Memory in use in percent from /proc/meminfo (MemTotal and MemAvailable, in kB);
 * OCDN_EINVAL when either is missing or malformed or MemTotal is 0. */
enum ocdn_err health_parse_meminfo(const char *text, double *mem_pct);
/* The aggregate "cpu " line of /proc/stat: busy = all but idle and iowait; OCDN_EINVAL when
 * missing or malformed (fewer than 4 numbers). */
enum ocdn_err health_parse_stat(const char *text, struct health_cpu *out);
/* CPU use in percent between two samples; false when cur is not after prev (no time passed,
 * counters went back). */
bool health_cpu_pct(const struct health_cpu *prev, const struct health_cpu *cur, double *pct);
/* First field of /proc/uptime, whole seconds; OCDN_EINVAL when malformed. */
enum ocdn_err health_parse_uptime(const char *text, int64_t *uptime_s);

/* Probe now. Parts that cannot be read are left out (has_* false); never fails. cpu holds the
 * previous CPU sample and is updated (zeroed at first: no cpu_pct the first time). */
void health_probe(const char *data_dir, struct health_cpu *cpu, struct health_sample *out);

#endif
