#ifndef AGENT_FILEIO_H
#define AGENT_FILEIO_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "err.h"

/* Whole-file reads with a size limit, and crash-safe replacement of a file in a directory:
 * write a temporary file, fsync it, rename it over the old one, fsync the directory. After a
 * crash the file is either the old or the new one, never a mix. */

/* Read path into a new NUL-terminated buffer (caller frees *data; *len excludes the NUL).
 * OCDN_ENOTFOUND when it does not exist, OCDN_ETOOBIG when larger than max bytes, OCDN_EIO
 * when it is not a regular file, changes while it is read or cannot be read (err says why;
 * also for ENOTFOUND and ETOOBIG), OCDN_ENOMEM. */
enum ocdn_err fileio_read(const char *path, size_t max, char **data, size_t *len, char *err,
                          size_t errlen);

/* A file being written for fileio_commit(). */
struct fileio_tmp {
    FILE *f;
    char path[4096];  /* dir/.name.tmp */
    char final[4096]; /* dir/name */
    char dir[4096];
};

/* Create dir/.name.tmp (mode, truncated) for writing through t->f. OCDN_EIO (err says why). */
enum ocdn_err fileio_begin(struct fileio_tmp *t, const char *dir, const char *name, mode_t mode,
                           char *err, size_t errlen);
/* Flush, fsync and close t->f, rename it to dir/name and fsync dir. On any failure the
 * temporary file is removed and the old dir/name stays; OCDN_EIO (err says why). */
enum ocdn_err fileio_commit(struct fileio_tmp *t, char *err, size_t errlen);
/* Give up: close and remove the temporary file. Safe after fileio_commit() (does nothing). */
void fileio_abort(struct fileio_tmp *t);

/* Replace dir/name with len bytes of data as above. */
enum ocdn_err fileio_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                                  mode_t mode, char *err, size_t errlen);

#endif
