/* testutil.c - fixtures, temp directories and the suite runner shared by the Check programs. */
#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *
fixture(const char *rel, size_t *len)
{
    char path[PATH_MAX];
    FILE *f;
    char *data;
    long n;

    snprintf(path, sizeof(path), "tests/data/%s", rel);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open fixture %s: %s", path, strerror(errno));
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    data = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(fread(data, 1, (size_t)n, f), (size_t)n);
    data[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return data;
}

const char *
fixture_path(const char *rel)
{
    static char path[PATH_MAX];
    char cwd[PATH_MAX];
    int n;

    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    n = snprintf(path, sizeof(path), "%s/tests/data/%s", cwd, rel);
    ck_assert_msg(n >= 0 && (size_t)n < sizeof(path), "fixture path too long: %s", rel);
    return path;
}

char *
tmpdir_new(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[PATH_MAX];
    char *dir;

    snprintf(tmpl, sizeof(tmpl), "%s/ocdn-test.XXXXXX", base && *base ? base : "/tmp");
    dir = mkdtemp(tmpl);
    ck_assert_msg(dir != NULL, "mkdtemp: %s", strerror(errno));
    dir = strdup(dir);
    ck_assert_ptr_nonnull(dir);
    return dir;
}

void
tmpdir_remove(char *dir)
{
    char cmd[PATH_MAX + 16];
    const char *keep = getenv("KEEP_TMP");

    if (!dir)
        return;
    if (!(keep && strcmp(keep, "1") == 0) && strncmp(dir, "/", 1) == 0 &&
        strstr(dir, "ocdn-test.")) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "tmpdir_remove: could not remove %s\n", dir);
    }
    free(dir);
}

void
write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

int
run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
