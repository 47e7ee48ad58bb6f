#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#include <check.h>
#include <stddef.h>

/* Helpers shared by the Check programs. Tests run from the project root. */

/* Contents of tests/data/<rel> (NUL-terminated, *len set when len is not NULL); the test
 * fails if the file cannot be read. Caller frees. */
char *fixture(const char *rel, size_t *len);
/* Absolute path of tests/data/<rel> in a static buffer (valid until the next call). */
const char *fixture_path(const char *rel);
/* A new empty directory under $TMPDIR (or /tmp); caller removes it with tmpdir_remove(). */
char *tmpdir_new(void);
/* rm -rf dir and free the string; KEEP_TMP=1 keeps the directory. */
void tmpdir_remove(char *dir);
/* Write len bytes to path (the test fails on error). */
void write_file(const char *path, const char *data, size_t len);
/* Run the suite with Check's normal output; returns the process exit code. */
int run_suite(Suite *s);

#endif
