/* fileio.c - bounded whole-file reads and crash-safe file replacement for the agent's state
 * and its static inputs. The temporary name starts with '.' and ends in ".tmp", so neither
 * the catalog scan nor a reader of the final name ever sees a half-written file. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum ocdn_err
fileio_read(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen)
{
    struct stat sb;
    char *p = NULL;
    size_t got = 0;
    ssize_t n;
    int fd;
    enum ocdn_err e = OCDN_OK;

    *data = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT ? OCDN_ENOTFOUND : OCDN_EIO;
    }
    if (fstat(fd, &sb) != 0) {
        snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
        e = OCDN_EIO;
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file", path);
        e = OCDN_EIO;
        goto out;
    }
    if ((uint64_t)sb.st_size > max) {
        snprintf(err, errlen, "%s is larger than %zu bytes", path, max);
        e = OCDN_ETOOBIG;
        goto out;
    }
    /* One byte more than the size, to notice a file that grew since fstat. */
    p = malloc((size_t)sb.st_size + 2);
    if (!p) {
        e = OCDN_ENOMEM;
        goto out;
    }
    for (;;) {
        n = read(fd, p + got, (size_t)sb.st_size + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
            e = OCDN_EIO;
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > (size_t)sb.st_size) {
            snprintf(err, errlen, "%s changed while it was read", path);
            e = OCDN_EIO;
            goto out;
        }
    }
    p[got] = '\0';
    *data = p;
    *len = got;
    p = NULL;
out:
    free(p);
    close(fd);
    return e;
}

static enum ocdn_err
fsync_dir(const char *dir, char *err, size_t errlen)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", dir, strerror(errno));
        return OCDN_EIO;
    }
    if (fsync(fd) != 0) {
        snprintf(err, errlen, "cannot fsync %s: %s", dir, strerror(errno));
        close(fd);
        return OCDN_EIO;
    }
    close(fd);
    return OCDN_OK;
}

enum ocdn_err
fileio_begin(struct fileio_tmp *t, const char *dir, const char *name, mode_t mode, char *err,
             size_t errlen)
{
    int fd, n1, n2, n3;

    memset(t, 0, sizeof(*t));
    n1 = snprintf(t->path, sizeof(t->path), "%s/.%s.tmp", dir, name);
    n2 = snprintf(t->final, sizeof(t->final), "%s/%s", dir, name);
    n3 = snprintf(t->dir, sizeof(t->dir), "%s", dir);
    if (n1 < 0 || n2 < 0 || n3 < 0 || (size_t)n1 >= sizeof(t->path) ||
        (size_t)n2 >= sizeof(t->final) || (size_t)n3 >= sizeof(t->dir)) {
        snprintf(err, errlen, "path too long: %s/%s", dir, name);
        t->path[0] = '\0';
        return OCDN_EIO;
    }
    fd = open(t->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", t->path, strerror(errno));
        t->path[0] = '\0';
        return OCDN_EIO;
    }
    /* O_CREAT does not change the mode of a leftover temporary file. */
    if (fchmod(fd, mode) != 0) {
        snprintf(err, errlen, "cannot chmod %s: %s", t->path, strerror(errno));
        close(fd);
        unlink(t->path);
        t->path[0] = '\0';
        return OCDN_EIO;
    }
    t->f = fdopen(fd, "w");
    if (!t->f) {
        snprintf(err, errlen, "cannot write %s: %s", t->path, strerror(errno));
        close(fd);
        unlink(t->path);
        t->path[0] = '\0';
        return OCDN_EIO;
    }
    return OCDN_OK;
}

enum ocdn_err
fileio_commit(struct fileio_tmp *t, char *err, size_t errlen)
{
    FILE *f = t->f;
    bool failed;

    t->f = NULL;
    if (!f) {
        snprintf(err, errlen, "%s: nothing to commit", t->final);
        fileio_abort(t);
        return OCDN_EIO;
    }
    failed = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
    if (failed)
        snprintf(err, errlen, "cannot write %s: %s", t->path, strerror(errno));
    if (fclose(f) != 0 && !failed) {
        snprintf(err, errlen, "cannot close %s: %s", t->path, strerror(errno));
        failed = true;
    }
    if (!failed && rename(t->path, t->final) != 0) {
        snprintf(err, errlen, "cannot rename %s: %s", t->path, strerror(errno));
        failed = true;
    }
    if (failed) {
        fileio_abort(t);
        return OCDN_EIO;
    }
    t->path[0] = '\0';
    return fsync_dir(t->dir, err, errlen);
}

void
fileio_abort(struct fileio_tmp *t)
{
    if (t->f) {
        fclose(t->f);
        t->f = NULL;
    }
    if (t->path[0]) {
        unlink(t->path);
        t->path[0] = '\0';
    }
}

enum ocdn_err
fileio_write_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode,
                    char *err, size_t errlen)
{
    struct fileio_tmp t;
    enum ocdn_err e;

    e = fileio_begin(&t, dir, name, mode, err, errlen);
    if (e)
        return e;
    if (len && fwrite(data, 1, len, t.f) != len) {
        snprintf(err, errlen, "cannot write %s: %s", t.path, strerror(errno));
        fileio_abort(&t);
        return OCDN_EIO;
    }
    return fileio_commit(&t, err, errlen);
}
