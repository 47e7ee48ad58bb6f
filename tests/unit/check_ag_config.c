/* check_ag_config.c - the agent's configuration (agent/ag_config.c): the key table, checks
 * across keys, the printed effective config (golden file), listen lists, and the appliance
 * key file (modes, content, and that no error text quotes the key). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ag_config.h"
#include "testutil.h"

#define GOOD_KEY "ocdn_app_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static char *dir;

static void
setup(void)
{
    dir = tmpdir_new();
}

static void
teardown(void)
{
    tmpdir_remove(dir);
    dir = NULL;
}

START_TEST(oca_config_loads)
{
    struct ag_config c;
    char err[512], listen[AG_LISTEN_MAX][64];

    memset(&c, 0, sizeof(c));
    ck_assert_msg(ag_config_load(fixture_path("agent/config/oca.conf"), &c, err, sizeof(err)) ==
                      OCDN_OK,
                  "%s", err);
    ck_assert(!ag_config_is_origin(&c));
    ck_assert_str_eq(c.controlplane, "https://cp.example.net:8443/");
    ck_assert_str_eq(c.key_file, "/etc/ocdn/agent.key");
    ck_assert_int_eq(c.oca_id, 7);
    ck_assert_int_eq(c.report_interval_ms, 120000);
    ck_assert_int_eq(c.report_timeout_ms, 60000);
    ck_assert_int_eq(c.report_gzip_min, 65536);
    ck_assert_int_eq(c.workers, 4);
    ck_assert(c.debug);
    ck_assert_uint_eq(ag_config_listen(&c, listen), 2);
    ck_assert_str_eq(listen[0], "0.0.0.0:80");
    ck_assert_str_eq(listen[1], "[::]:80");
    ag_config_clear(&c);
    ck_assert_ptr_null(c.controlplane);
}
END_TEST

/* -n prints every key with its default; the golden file pins that output. */
START_TEST(origin_config_prints_golden)
{
    struct ag_config c;
    char err[512], *out = NULL, *want;
    size_t len = 0;
    FILE *f;

    memset(&c, 0, sizeof(c));
    ck_assert_int_eq(ag_config_load(fixture_path("agent/config/origin.conf"), &c, err, sizeof(err)),
                     OCDN_OK);
    ck_assert(ag_config_is_origin(&c));
    ck_assert_ptr_null(c.key_file);
    f = open_memstream(&out, &len);
    ag_config_print(&c, f);
    fclose(f);
    want = fixture("agent/config/origin.out", NULL);
    ck_assert_str_eq(out, want);
    free(out);
    free(want);
    ag_config_clear(&c);
}
END_TEST

static const struct {
    const char *file;
    const char *why;
} bad[] = {
    {"bad_role.conf", "bad_role.conf:1: role: must be \"oca\" or \"origin\""},
    {"bad_url.conf", "controlplane: must start with http:// or https://"},
    {"bad_url_nohost.conf", "controlplane: "},
    {"bad_url_space.conf", "controlplane: must be a base URL"},
    {"bad_listen_three.conf", "listen: one or two host:port"},
    {"bad_listen_name.conf", "\"localhost:80\" is not address:port"},
    {"bad_listen_empty.conf", "listen: one or two host:port"},
    {"bad_routes_source.conf", "routes_source: must be \"static\""},
    {"bad_retry.conf", "report_retry_min: larger than report_retry_max"},
    {"bad_no_key.conf", "key_file: required for role = oca"},
    {"bad_unknown.conf", "key"},
    {"bad_workers.conf", "workers"},
};

START_TEST(bad_configs_name_the_key)
{
    struct ag_config c;
    char rel[128], err[512] = "";

    memset(&c, 0, sizeof(c));
    snprintf(rel, sizeof(rel), "agent/config/%s", bad[_i].file);
    ck_assert_int_eq(ag_config_load(fixture_path(rel), &c, err, sizeof(err)), OCDN_EINVAL);
    ck_assert_msg(strstr(err, bad[_i].why) != NULL, "%s: \"%s\" lacks \"%s\"", bad[_i].file, err,
                  bad[_i].why);
    ck_assert_ptr_null(c.role);
}
END_TEST

START_TEST(listen_port_zero_for_tests)
{
    struct ag_config c;
    char err[512], listen[AG_LISTEN_MAX][64];

    memset(&c, 0, sizeof(c));
    ck_assert_msg(ag_config_load(fixture_path("agent/config/listen_port0.conf"), &c, err,
                                 sizeof(err)) == OCDN_OK,
                  "%s", err);
    ck_assert_uint_eq(ag_config_listen(&c, listen), 2);
    ck_assert_str_eq(listen[0], "127.0.0.1:0");
    ck_assert_str_eq(listen[1], "[::1]:0");
    ag_config_clear(&c);
}
END_TEST

START_TEST(defaults_need_a_key_file)
{
    struct ag_config c;
    char err[512];

    memset(&c, 0, sizeof(c));
    ck_assert_int_eq(ag_config_load(NULL, &c, err, sizeof(err)), OCDN_EINVAL);
    ck_assert_str_eq(err, "defaults: key_file: required for role = oca");
}
END_TEST

START_TEST(table_reloadable_keys)
{
    size_t i;
    bool saw_interval = false, saw_listen = false;

    for (i = 0; i < ag_config_nkeys; i++) {
        if (strcmp(ag_config_keys[i].name, "report_interval") == 0)
            saw_interval = ag_config_keys[i].reloadable;
        if (strcmp(ag_config_keys[i].name, "listen") == 0)
            saw_listen = !ag_config_keys[i].reloadable;
    }
    ck_assert(saw_interval);
    ck_assert(saw_listen);
}
END_TEST

/* ---- key file ---- */

static const char *
key_file(const char *content, mode_t mode)
{
    static char path[4096];

    snprintf(path, sizeof(path), "%s/agent.key", dir);
    unlink(path);
    write_file(path, content, strlen(content));
    ck_assert_int_eq(chmod(path, mode), 0);
    return path;
}

START_TEST(key_read_good)
{
    char key[AG_KEY_MAX], err[512];

    ck_assert_int_eq(ag_config_read_key(key_file(GOOD_KEY "\n", 0600), key, err, sizeof(err)),
                     OCDN_OK);
    ck_assert_str_eq(key, GOOD_KEY);
    ck_assert_int_eq(
        ag_config_read_key(key_file("  " GOOD_KEY " \r\n\n", 0400), key, err, sizeof(err)),
        OCDN_OK);
    ck_assert_str_eq(key, GOOD_KEY);
}
END_TEST

START_TEST(key_mode_refused)
{
    char key[AG_KEY_MAX], err[512];

    ck_assert_int_eq(ag_config_read_key(key_file(GOOD_KEY, 0640), key, err, sizeof(err)),
                     OCDN_EFORBIDDEN);
    ck_assert_ptr_nonnull(strstr(err, "mode 0640"));
    ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
    ck_assert_int_eq(key[0], '\0');
    ck_assert_int_eq(ag_config_read_key(key_file(GOOD_KEY, 0604), key, err, sizeof(err)),
                     OCDN_EFORBIDDEN);
    ck_assert_int_eq(ag_config_read_key(key_file(GOOD_KEY, 0620), key, err, sizeof(err)),
                     OCDN_EFORBIDDEN);
}
END_TEST

START_TEST(key_content_refused_without_echo)
{
    static const char *const bad_keys[] = {
        "",
        "ocdn_app_short",
        "ocdn_ptr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "ocdn_app_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",
        GOOD_KEY "\n" GOOD_KEY,
        GOOD_KEY "A",
        "Bearer " GOOD_KEY,
    };
    char key[AG_KEY_MAX], err[512];
    size_t i;

    for (i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
        ck_assert_int_eq(ag_config_read_key(key_file(bad_keys[i], 0600), key, err, sizeof(err)),
                         OCDN_EINVAL);
        ck_assert_msg(strstr(err, "does not hold one appliance key"), "%zu: %s", i, err);
        ck_assert_ptr_null(strstr(err, "AAAA"));
        ck_assert_int_eq(key[0], '\0');
    }
}
END_TEST

START_TEST(key_file_missing_or_odd)
{
    char key[AG_KEY_MAX], err[512], path[4096];
    char *big = malloc(10000);

    snprintf(path, sizeof(path), "%s/none", dir);
    ck_assert_int_eq(ag_config_read_key(path, key, err, sizeof(err)), OCDN_ENOTFOUND);
    ck_assert_int_eq(chmod(dir, 0700), 0);
    ck_assert_int_eq(ag_config_read_key(dir, key, err, sizeof(err)), OCDN_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
    key_file(GOOD_KEY, 0600);
    snprintf(path, sizeof(path), "%s/link", dir);
    ck_assert_int_eq(symlink("agent.key", path), 0);
    ck_assert_int_eq(ag_config_read_key(path, key, err, sizeof(err)), OCDN_EIO);
    memset(big, 'A', 9999);
    big[9999] = '\0';
    ck_assert_int_eq(ag_config_read_key(key_file(big, 0600), key, err, sizeof(err)), OCDN_EINVAL);
    free(big);
}
END_TEST

static Suite *
ag_config_suite(void)
{
    Suite *s = suite_create("ag_config");
    TCase *tc = tcase_create("load");

    tcase_add_test(tc, oca_config_loads);
    tcase_add_test(tc, origin_config_prints_golden);
    tcase_add_loop_test(tc, bad_configs_name_the_key, 0, (int)(sizeof(bad) / sizeof(bad[0])));
    tcase_add_test(tc, listen_port_zero_for_tests);
    tcase_add_test(tc, defaults_need_a_key_file);
    tcase_add_test(tc, table_reloadable_keys);
    suite_add_tcase(s, tc);
    tc = tcase_create("key");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, key_read_good);
    tcase_add_test(tc, key_mode_refused);
    tcase_add_test(tc, key_content_refused_without_echo);
    tcase_add_test(tc, key_file_missing_or_odd);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(ag_config_suite());
}
