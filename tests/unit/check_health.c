/* check_health.c - health probes (agent/health.c): the /proc parsers with recorded files and
 * damaged ones, CPU percentages between samples, and one real probe of this machine. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "testutil.h"

START_TEST(loadavg_recorded)
{
    char *t = fixture("agent/proc/loadavg", NULL);
    double v = -1;

    ck_assert_int_eq(health_parse_loadavg(t, &v), OCDN_OK);
    ck_assert_double_eq_tol(v, 0.81, 1e-9);
    free(t);
}
END_TEST

START_TEST(loadavg_bad)
{
    double v = 7;

    ck_assert_int_eq(health_parse_loadavg("", &v), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_loadavg("-1 2 3", &v), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_loadavg("abc", &v), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_loadavg("0.5x 1", &v), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_loadavg("nan 1", &v), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_loadavg("1e9 1", &v), OCDN_EINVAL);
    ck_assert_double_eq(v, 7);
}
END_TEST

START_TEST(meminfo_recorded)
{
    char *t = fixture("agent/proc/meminfo", NULL);
    double v = -1;

    ck_assert_int_eq(health_parse_meminfo(t, &v), OCDN_OK);
    /* (24683620 - 23993672) / 24683620 */
    ck_assert_double_eq_tol(v, 2.7952, 1e-3);
    free(t);
}
END_TEST

START_TEST(meminfo_bad)
{
    double v = 7;

    ck_assert_int_eq(health_parse_meminfo("MemTotal: 100 kB\n", &v), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_meminfo("MemAvailable: 10 kB\n", &v), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_meminfo("MemTotal: 0 kB\nMemAvailable: 0 kB\n", &v), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_meminfo("MemTotal: x kB\nMemAvailable: 1 kB\n", &v), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_meminfo("MemTotal: 100\nMemAvailable: 1 kB\n", &v), OCDN_EINVAL);
    ck_assert_int_eq(
        health_parse_meminfo("MemTotal: 99999999999999999999999 kB\nMemAvailable: 1 kB\n", &v),
        OCDN_EINVAL);
    ck_assert_double_eq(v, 7);
    /* More available than total (never seen, but bounded): 0 %. */
    ck_assert_int_eq(health_parse_meminfo("MemTotal: 10 kB\nMemAvailable: 20 kB\n", &v), OCDN_OK);
    ck_assert_double_eq(v, 0);
}
END_TEST

START_TEST(stat_recorded)
{
    char *t = fixture("agent/proc/stat", NULL);
    struct health_cpu c;

    ck_assert_int_eq(health_parse_stat(t, &c), OCDN_OK);
    /* user nice system idle iowait irq softirq steal: 94750 0 70489 375018 1423 0 6486 0 */
    ck_assert_uint_eq(c.total, 94750 + 70489 + 375018 + 1423 + 6486);
    ck_assert_uint_eq(c.busy, 94750 + 70489 + 6486);
    free(t);
}
END_TEST

START_TEST(stat_bad)
{
    struct health_cpu c = {1, 2};

    ck_assert_int_eq(health_parse_stat("cpu0 1 2 3 4\n", &c), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_stat("cpu  1 2 3\n", &c), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_stat("cpu  1 2 x 4\n", &c), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_stat("cpu  18446744073709551615 1 0 0\n", &c), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_stat("", &c), OCDN_EINVAL);
    ck_assert_uint_eq(c.busy, 1);
    ck_assert_int_eq(health_parse_stat("cpu  1 2 3 4\n", &c), OCDN_OK);
    ck_assert_uint_eq(c.total, 10);
    ck_assert_uint_eq(c.busy, 6);
}
END_TEST

START_TEST(cpu_pct_between_samples)
{
    struct health_cpu a = {100, 1000}, b = {150, 1200}, back = {90, 900};
    double p = -1;

    ck_assert(health_cpu_pct(&a, &b, &p));
    ck_assert_double_eq_tol(p, 25.0, 1e-9);
    ck_assert(!health_cpu_pct(&a, &a, &p));
    ck_assert(!health_cpu_pct(&a, &back, &p));
}
END_TEST

START_TEST(uptime_parse)
{
    char *t = fixture("agent/proc/uptime", NULL);
    int64_t v = -1;

    ck_assert_int_eq(health_parse_uptime(t, &v), OCDN_OK);
    ck_assert_int_eq(v, 2744);
    ck_assert_int_eq(health_parse_uptime("x 1\n", &v), OCDN_EINVAL);
    ck_assert_int_eq(health_parse_uptime("", &v), OCDN_EINVAL);
    ck_assert_int_eq(v, 2744);
    free(t);
}
END_TEST

START_TEST(probe_this_machine)
{
    struct health_cpu cpu = {0, 0};
    struct health_sample h;

    health_probe("/", &cpu, &h);
    ck_assert(h.has_load && h.load1 >= 0);
    ck_assert(h.has_mem && h.mem_pct >= 0 && h.mem_pct <= 100);
    ck_assert(!h.has_cpu); /* no previous sample */
    ck_assert_uint_gt(cpu.total, 0);
    ck_assert(h.has_disk && h.disk_ok);
    ck_assert_int_gt(h.disk_size_bytes, 0);
    ck_assert_int_le(h.disk_used_bytes, h.disk_size_bytes);
    health_probe("/nonexistent-ocdn-dir", &cpu, &h);
    ck_assert(h.has_disk && !h.disk_ok);
}
END_TEST

static Suite *
health_suite(void)
{
    Suite *s = suite_create("health");
    TCase *tc = tcase_create("parse");

    tcase_add_test(tc, loadavg_recorded);
    tcase_add_test(tc, loadavg_bad);
    tcase_add_test(tc, meminfo_recorded);
    tcase_add_test(tc, meminfo_bad);
    tcase_add_test(tc, stat_recorded);
    tcase_add_test(tc, stat_bad);
    tcase_add_test(tc, cpu_pct_between_samples);
    tcase_add_test(tc, uptime_parse);
    suite_add_tcase(s, tc);
    tc = tcase_create("probe");
    tcase_add_test(tc, probe_this_machine);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(health_suite());
}
