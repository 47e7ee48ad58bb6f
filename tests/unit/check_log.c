/* check_log.c - tests of the stderr logger (common/log.c): format, levels, errno, limits.
 * stderr is redirected into a temporary file around each call under test. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "testutil.h"

struct capture {
    int saved; /* the real stderr */
    FILE *f;
};

static void
capture_start(struct capture *c)
{
    fflush(stderr);
    c->f = tmpfile();
    ck_assert_ptr_nonnull(c->f);
    c->saved = dup(STDERR_FILENO);
    ck_assert_int_ge(c->saved, 0);
    ck_assert_int_ge(dup2(fileno(c->f), STDERR_FILENO), 0);
}

/* Everything written to stderr since capture_start(); caller frees. */
static char *
capture_end(struct capture *c)
{
    char *text;
    long n;

    ck_assert_int_ge(dup2(c->saved, STDERR_FILENO), 0);
    close(c->saved);
    ck_assert_int_eq(fseek(c->f, 0, SEEK_END), 0);
    n = ftell(c->f);
    ck_assert_int_ge(n, 0);
    rewind(c->f);
    text = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, c->f), (size_t)n);
    text[n] = '\0';
    fclose(c->f);
    return text;
}

static size_t
count_char(const char *s, char c)
{
    size_t n = 0;

    for (; *s; s++)
        n += *s == c;
    return n;
}

/* No log_init(): the state a program has before main() calls it. Runs first so that it also
 * holds with CK_FORK=no. */
START_TEST(debug_off_by_default)
{
    struct capture c;
    char *out;

    ck_assert(!log_is_debug());
    capture_start(&c);
    log_debug("hidden %d", 1);
    log_info("shown");
    out = capture_end(&c);
    ck_assert_str_eq(out, "ocdn: shown\n");
    free(out);
}
END_TEST

START_TEST(levels_and_progname)
{
    struct capture c;
    char *out;

    log_init("ocdn-test", false);
    capture_start(&c);
    log_info("cp: started listen=%s workers=%d", "127.0.0.1:8080", 4);
    log_warnx("filler: checksum mismatch file=%s", "f1");
    log_debug("not printed");
    out = capture_end(&c);
    ck_assert_str_eq(out, "ocdn-test: cp: started listen=127.0.0.1:8080 workers=4\n"
                          "ocdn-test: warning: filler: checksum mismatch file=f1\n");
    free(out);
}
END_TEST

START_TEST(warn_appends_strerror)
{
    struct capture c;
    char *out;

    log_init("ocdn-test", false);
    capture_start(&c);
    errno = ENOSPC;
    log_warn("catalog: write %s", "/srv/x.tmp");
    ck_assert_int_eq(errno, ENOSPC);
    out = capture_end(&c);
    ck_assert_str_eq(out,
                     "ocdn-test: warning: catalog: write /srv/x.tmp: No space left on device\n");
    free(out);
}
END_TEST

START_TEST(debug_switch)
{
    struct capture c;
    char *out;

    log_init("ocdn-test", true);
    ck_assert(log_is_debug());
    capture_start(&c);
    log_debug("bird: reply code=%d", 1002);
    log_set_debug(false);
    ck_assert(!log_is_debug());
    log_debug("gone");
    log_set_debug(true);
    log_debug("back");
    out = capture_end(&c);
    ck_assert_str_eq(out, "ocdn-test: debug: bird: reply code=1002\nocdn-test: debug: back\n");
    free(out);
}
END_TEST

START_TEST(progname_default_and_truncated)
{
    struct capture c;
    char *out;

    log_init(NULL, false);
    capture_start(&c);
    log_info("a");
    log_init("a-very-long-program-name-that-goes-on-and-on", false);
    log_info("b");
    out = capture_end(&c);
    /* 31 bytes of the name are kept. */
    ck_assert_str_eq(out, "ocdn: a\na-very-long-program-name-that-g: b\n");
    free(out);
}
END_TEST

/* errno survives each call, also when the write itself fails (stderr closed). */
START_TEST(errno_preserved)
{
    struct capture c;
    int saved;
    char *out;

    log_init("ocdn-test", true);
    capture_start(&c);
    errno = EAGAIN;
    log_debug("d");
    ck_assert_int_eq(errno, EAGAIN);
    log_info("i");
    ck_assert_int_eq(errno, EAGAIN);
    log_warnx("w");
    ck_assert_int_eq(errno, EAGAIN);
    log_warn("w");
    ck_assert_int_eq(errno, EAGAIN);
    out = capture_end(&c);
    ck_assert_uint_eq(count_char(out, '\n'), 4);
    free(out);

    saved = dup(STDERR_FILENO);
    ck_assert_int_ge(saved, 0);
    close(STDERR_FILENO); /* write(2) now fails with EBADF */
    errno = ERANGE;
    log_debug("d");
    log_info("i");
    log_warnx("w");
    log_warn("w");
    ck_assert_int_eq(errno, ERANGE);
    ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
    close(saved);
}
END_TEST

START_TEST(long_message_is_one_bounded_line)
{
    struct capture c;
    char *big = malloc(5001), *out;

    ck_assert_ptr_nonnull(big);
    memset(big, 'x', 5000);
    big[5000] = '\0';
    log_init("ocdn-test", false);
    capture_start(&c);
    log_info("%s", big);
    out = capture_end(&c);
    ck_assert_uint_eq(count_char(out, '\n'), 1);
    ck_assert_int_eq(out[strlen(out) - 1], '\n');
    ck_assert_uint_le(strlen(out), 2048);
    ck_assert_uint_ge(strlen(out), 2000);
    ck_assert_int_eq(strncmp(out, "ocdn-test: xxx", 14), 0);
    free(out);

    capture_start(&c);
    errno = EIO;
    log_warn("%s", big);
    out = capture_end(&c);
    ck_assert_uint_eq(count_char(out, '\n'), 1);
    ck_assert_int_eq(out[strlen(out) - 1], '\n');
    ck_assert_uint_le(strlen(out), 2048);
    free(out);
    free(big);
}
END_TEST

/* A value that came from outside (a peer's description, a file name) must not be able to start
 * a forged log line of its own. */
START_TEST(control_characters_stay_on_one_line)
{
    struct capture c;
    char *out;

    log_init("ocdn-test", false);
    capture_start(&c);
    log_warnx("bird: peer description=%s", "x\nocdn-agent: fatal: forged\r\x1b[2J");
    out = capture_end(&c);
    ck_assert_uint_eq(count_char(out, '\n'), 1);
    ck_assert_str_eq(out, "ocdn-test: warning: bird: peer description=x?ocdn-agent: fatal: "
                          "forged??[2J\n");
    free(out);
    /* A tab is kept. */
    capture_start(&c);
    log_info("a\tb");
    out = capture_end(&c);
    ck_assert_str_eq(out, "ocdn-test: a\tb\n");
    free(out);
}
END_TEST

/* Run fn in a child whose stderr is a pipe; return what it wrote and its wait status. */
static char *
run_child(void (*fn)(void), int *status)
{
    char buf[4096];
    size_t len = 0;
    ssize_t n;
    int fds[2];
    pid_t pid;

    ck_assert_int_eq(pipe(fds), 0);
    fflush(NULL);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        if (dup2(fds[1], STDERR_FILENO) < 0)
            _exit(99);
        fn();
        _exit(98); /* not reached: fn must exit */
    }
    close(fds[1]);
    while ((n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    close(fds[0]);
    ck_assert_int_eq(waitpid(pid, status, 0), pid);
    return strdup(buf);
}

static void
do_fatalx(void)
{
    log_init("ocdn-test", false);
    fatalx("store: bad state %d", 7);
}

static void
do_fatal(void)
{
    log_init("ocdn-test", false);
    errno = EACCES;
    fatal("cp: open %s", "/var/lib/ocdn/cp.db");
}

START_TEST(fatal_logs_and_exits_1)
{
    int status;
    char *out;

    out = run_child(do_fatalx, &status);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 1);
    ck_assert_str_eq(out, "ocdn-test: fatal: store: bad state 7\n");
    free(out);
    out = run_child(do_fatal, &status);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 1);
    ck_assert_str_eq(out, "ocdn-test: fatal: cp: open /var/lib/ocdn/cp.db: Permission denied\n");
    free(out);
}
END_TEST

static Suite *
log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc;

    tc = tcase_create("lines");
    tcase_add_test(tc, debug_off_by_default);
    tcase_add_test(tc, levels_and_progname);
    tcase_add_test(tc, warn_appends_strerror);
    tcase_add_test(tc, debug_switch);
    tcase_add_test(tc, progname_default_and_truncated);
    tcase_add_test(tc, errno_preserved);
    tcase_add_test(tc, long_message_is_one_bounded_line);
    tcase_add_test(tc, control_characters_stay_on_one_line);
    suite_add_tcase(s, tc);

    tc = tcase_create("fatal");
    tcase_add_test(tc, fatal_logs_and_exits_1);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(log_suite());
}
