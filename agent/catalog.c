/* catalog.c - the files on disk as catalog snapshots. Scans data_dir (flat: data_dir/<id>, as
 * serve.c serves it) with openat/fstatat relative to the directory descriptor, so a name
 * that is swapped for a symbolic link between readdir and the check is not followed. Owns
 * nothing beyond the snapshot it returns; logs nothing. */
#include "catalog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Ids are short; the pool limit only guards against arithmetic surprises. */
#define ID_POOL_PER_FILE (CATALOG_ID_MAX + 1)

static bool
ends_with(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);

    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static bool
is_temp(const char *name, size_t n)
{
    return ends_with(name, n, ".tmp") || ends_with(name, n, ".part");
}

bool
catalog_valid_id(const char *name)
{
    size_t i;

    if (!name || !((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z') ||
                   (name[0] >= '0' && name[0] <= '9')))
        return false;
    for (i = 1; name[i]; i++) {
        char c = name[i];

        if (i >= CATALOG_ID_MAX)
            return false;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return !is_temp(name, i);
}

enum ocdn_err
catalog_scan(const char *dir, size_t max_files, struct lineset **out,
             struct catalog_scan_stats *stats, char *err, size_t errlen)
{
    struct catalog_scan_stats st = {0, 0};
    struct lineset_builder *b = NULL;
    struct dirent *de;
    struct stat sb;
    DIR *d = NULL;
    char dup[CATALOG_ID_MAX + 1];
    size_t pool_max;
    int fd;
    enum ocdn_err e = OCDN_OK;

    *out = NULL;
    if (stats)
        memset(stats, 0, sizeof(*stats));
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", dir, strerror(errno));
        return OCDN_EIO;
    }
    d = fdopendir(fd);
    if (!d) {
        snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
        close(fd);
        return OCDN_EIO;
    }
    pool_max = max_files > SIZE_MAX / ID_POOL_PER_FILE ? SIZE_MAX : max_files * ID_POOL_PER_FILE;
    b = lineset_builder_new(max_files, pool_max);
    if (!b) {
        e = OCDN_ENOMEM;
        goto out;
    }
    for (;;) {
        size_t n;

        errno = 0;
        de = readdir(d);
        if (!de) {
            if (errno) {
                snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
                e = OCDN_EIO;
            }
            break;
        }
        n = strlen(de->d_name);
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (is_temp(de->d_name, n)) {
            st.temp++;
            continue;
        }
        if (!catalog_valid_id(de->d_name)) {
            st.skipped++;
            continue;
        }
        /* d_type may be DT_UNKNOWN (some file systems); fstatat without following links is
         * the authority either way. A file deleted since readdir is simply not there. */
        if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT)
                continue;
            snprintf(err, errlen, "cannot stat %s/%s: %s", dir, de->d_name, strerror(errno));
            e = OCDN_EIO;
            break;
        }
        if (!S_ISREG(sb.st_mode)) {
            st.skipped++;
            continue;
        }
        e = lineset_builder_add(b, de->d_name, n, NULL, 0);
        if (e == OCDN_ETOOBIG) {
            snprintf(err, errlen, "%s holds more than %zu files", dir, max_files);
            break;
        }
        if (e)
            break;
    }
    if (e)
        goto out;
    e = lineset_builder_finish(b, out, dup, sizeof(dup));
    if (e == OCDN_EEXIST) { /* readdir returned a name twice: the directory changed under us */
        snprintf(err, errlen, "%s: %s listed twice while scanning", dir, dup);
        e = OCDN_EIO;
    }
    if (!e && stats)
        *stats = st;
out:
    lineset_builder_free(b);
    closedir(d);
    return e;
}
