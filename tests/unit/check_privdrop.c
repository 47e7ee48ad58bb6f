/* check_privdrop.c - dropping root, in forked children (a drop cannot be undone, and the
 * test process must stay root for the next test). Each child exits 0 on success or with the
 * number of the step that failed. These tests need root, as in CI. */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define NO_SUCH_USER "ocdn-no-such-user"

typedef int child_fn(const void *arg);

/* Run fn(arg) in a child; returns its exit status, or 1000 + signal if it was killed. */
static int
in_child(child_fn *fn, const void *arg)
{
    pid_t pid;
    int status;

    ck_assert_msg(geteuid() == 0, "privdrop tests must run as root");
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(fn(arg));
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        return 1000 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

static bool
ids_are(uid_t uid, gid_t gid)
{
    uid_t r, e, s;
    gid_t rg, eg, sg;

    return getresuid(&r, &e, &s) == 0 && getresgid(&rg, &eg, &sg) == 0 && r == uid && e == uid &&
           s == uid && rg == gid && eg == gid && sg == gid;
}

static int
drop_to_nobody(const void *arg)
{
    struct passwd *pw = getpwnam("nobody");
    gid_t groups[4];
    uid_t uid;
    gid_t gid;

    (void)arg;
    if (!pw || pw->pw_uid == 0 || pw->pw_gid == 0)
        return 1;
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (privdrop("nobody") != OCDN_OK)
        return 2;
    if (!ids_are(uid, gid))
        return 3;
    if (getgroups(4, groups) != 1 || groups[0] != gid)
        return 4;
    /* No way back to root. */
    if (setuid(0) != -1 || errno != EPERM)
        return 5;
    if (setresuid(0, 0, 0) != -1 || seteuid(0) != -1)
        return 6;
    if (setgid(0) != -1 || setresgid(0, 0, 0) != -1)
        return 7;
    if (setgroups(0, NULL) != -1)
        return 8;
    if (!ids_are(uid, gid))
        return 9;
    return 0;
}

START_TEST(drop_to_nobody_sets_every_id)
{
    int rc = in_child(drop_to_nobody, NULL);

    ck_assert_msg(rc == 0, "child failed at step %d", rc);
}
END_TEST

static int
drop_then_call_again(const void *arg)
{
    struct passwd *pw = getpwnam("nobody");
    uid_t uid;
    gid_t gid;

    (void)arg;
    if (!pw)
        return 1;
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (privdrop("nobody") != OCDN_OK)
        return 2;
    if (privdrop("root") != OCDN_EFORBIDDEN)
        return 3;
    if (privdrop("daemon") != OCDN_EFORBIDDEN)
        return 4;
    if (privdrop("nobody") != OCDN_OK)
        return 5;
    if (privdrop(NULL) != OCDN_OK)
        return 6;
    if (privdrop(NO_SUCH_USER) != OCDN_ENOTFOUND)
        return 7;
    if (!ids_are(uid, gid))
        return 8;
    return 0;
}

START_TEST(after_drop_only_same_user_ok)
{
    int rc = in_child(drop_then_call_again, NULL);

    ck_assert_msg(rc == 0, "child failed at step %d", rc);
}
END_TEST

static int
unknown_user(const void *arg)
{
    (void)arg;
    if (privdrop(NO_SUCH_USER) != OCDN_ENOTFOUND)
        return 1;
    if (!ids_are(0, 0))
        return 2;
    return 0;
}

START_TEST(unknown_user_not_found)
{
    int rc = in_child(unknown_user, NULL);

    ck_assert_msg(rc == 0, "child failed at step %d", rc);
}
END_TEST

static int
root_without_user(const void *arg)
{
    (void)arg;
    if (privdrop(NULL) != OCDN_EINVAL)
        return 1;
    if (privdrop("") != OCDN_EINVAL)
        return 2;
    if (!ids_are(0, 0))
        return 3;
    return 0;
}

START_TEST(root_requires_user)
{
    int rc = in_child(root_without_user, NULL);

    ck_assert_msg(rc == 0, "child failed at step %d", rc);
}
END_TEST

static int
drop_to_root(const void *arg)
{
    gid_t groups[4];

    (void)arg;
    if (privdrop("root") != OCDN_OK)
        return 1;
    if (!ids_are(0, 0))
        return 2;
    if (getgroups(4, groups) != 1 || groups[0] != 0)
        return 3;
    return 0;
}

START_TEST(drop_to_root_stays_root)
{
    int rc = in_child(drop_to_root, NULL);

    ck_assert_msg(rc == 0, "child failed at step %d", rc);
}
END_TEST

/* A process that gave up euid 0 but kept it as real or saved uid could take root back:
 * privdrop() must not report success for it. */
static int
half_dropped(const void *arg)
{
    const int *which = arg;

    if (*which == 0 ? setresuid(65534, 65534, 0) != 0 : setresuid(0, 65534, 65534) != 0)
        return 1;
    if (privdrop("nobody") != OCDN_EIO)
        return 2;
    if (privdrop(NULL) != OCDN_EIO)
        return 3;
    return 0;
}

START_TEST(half_dropped_is_refused)
{
    int saved = 0, real = 1, rc;

    rc = in_child(half_dropped, &saved);
    ck_assert_msg(rc == 0, "saved uid 0: child failed at step %d", rc);
    rc = in_child(half_dropped, &real);
    ck_assert_msg(rc == 0, "real uid 0: child failed at step %d", rc);
}
END_TEST

/* The passwd database is /etc/passwd for NSS "files"; a chroot with our own lets the test
 * use accounts the system does not have, without touching the real file. */
static int
in_fake_passwd(const void *arg)
{
    const char *dir = arg;

    if (chroot(dir) != 0 || chdir("/") != 0)
        return 1;
    /* 'gidzero' has a non-root uid and group 0: refused before anything changes. */
    if (privdrop("gidzero") != OCDN_EINVAL)
        return 2;
    if (!ids_are(0, 0))
        return 3;
    /* The file really is the one read: its other account works. */
    if (privdrop("svc") != OCDN_OK)
        return 4;
    if (!ids_are(4242, 4242))
        return 5;
    return 0;
}

START_TEST(user_with_group_root_refused)
{
    char *dir = tmpdir_new();
    char path[PATH_MAX];
    static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                                 "gidzero:x:4241:0::/:/bin/false\n"
                                 "svc:x:4242:4242::/:/bin/false\n";
    static const char group[] = "root:x:0:\nsvc:x:4242:\n";
    static const char nss[] = "passwd: files\ngroup: files\n";
    int rc;

    snprintf(path, sizeof(path), "%s/etc", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/etc/passwd", dir);
    write_file(path, passwd, sizeof(passwd) - 1);
    snprintf(path, sizeof(path), "%s/etc/group", dir);
    write_file(path, group, sizeof(group) - 1);
    snprintf(path, sizeof(path), "%s/etc/nsswitch.conf", dir);
    write_file(path, nss, sizeof(nss) - 1);
    rc = in_child(in_fake_passwd, dir);
    tmpdir_remove(dir);
    ck_assert_msg(rc == 0, "child failed at step %d", rc);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("privdrop");
    TCase *tc;

    tc = tcase_create("drop");
    tcase_add_test(tc, drop_to_nobody_sets_every_id);
    tcase_add_test(tc, drop_to_root_stays_root);
    suite_add_tcase(s, tc);

    tc = tcase_create("refuse");
    tcase_add_test(tc, after_drop_only_same_user_ok);
    tcase_add_test(tc, unknown_user_not_found);
    tcase_add_test(tc, root_requires_user);
    tcase_add_test(tc, half_dropped_is_refused);
    tcase_add_test(tc, user_with_group_root_refused);
    suite_add_tcase(s, tc);

    return run_suite(s);
}
