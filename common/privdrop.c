/* privdrop.c - drop root for good once the agent has bound its sockets.
 * Groups can only be changed while the uid is still 0, so the order is setgroups ->
 * setresgid -> setresuid, setting real, effective and saved ids alike so that nothing is left
 * to switch back to. The result is then verified rather than trusted: every id is read back
 * and setuid(0) must fail. Talks to NSS (getpwnam_r) and the kernel; the caller logs and
 * treats any error as fatal (STYLE.md 9). */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* getpwnam_r() buffer: start small, double on ERANGE up to this. */
#define PW_BUF_START 1024
#define PW_BUF_MAX   (1024 * 1024)

/* uid and primary gid of user; OCDN_ENOTFOUND if there is no such user. */
static enum ocdn_err
lookup(const char *user, uid_t *uid, gid_t *gid)
{
    struct passwd pw, *found = NULL;
    size_t size = PW_BUF_START;
    char *buf = NULL, *grown;
    enum ocdn_err err = OCDN_OK;
    int rc;

    for (;;) {
        grown = realloc(buf, size);
        if (!grown) {
            err = OCDN_ENOMEM;
            goto out;
        }
        buf = grown;
        rc = getpwnam_r(user, &pw, buf, size, &found);
        if (rc != ERANGE)
            break;
        if (size >= PW_BUF_MAX) {
            err = OCDN_EIO;
            goto out;
        }
        size *= 2;
    }
    /* getpwnam(3): "not found" may also come back as one of these error numbers. */
    if ((rc == 0 && !found) || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) {
        err = OCDN_ENOTFOUND;
        goto out;
    }
    if (rc != 0) {
        err = OCDN_EIO;
        goto out;
    }
    *uid = pw.pw_uid;
    *gid = pw.pw_gid;
out:
    free(buf);
    return err;
}

/* True if the real, effective and saved uid and gid are exactly uid and gid, and gid is the
 * only supplementary group. */
static bool
ids_are(uid_t uid, gid_t gid)
{
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid, groups[2];
    int n;

    if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0)
        return false;
    if (ruid != uid || euid != uid || suid != uid || rgid != gid || egid != gid || sgid != gid)
        return false;
    n = getgroups(2, groups);
    return n == 1 && groups[0] == gid;
}

enum ocdn_err
privdrop(const char *user)
{
    uid_t ruid, euid, suid, uid = 0;
    gid_t gid = 0;
    enum ocdn_err err;

    if (getresuid(&ruid, &euid, &suid) != 0)
        return OCDN_EIO;
    if (euid != 0) {
        /* Not root. A real or saved uid of 0 could still be switched back to: refuse to run
         * like that rather than pretend the drop happened. */
        if (ruid == 0 || suid == 0)
            return OCDN_EIO;
        if (!user)
            return OCDN_OK;
        err = lookup(user, &uid, &gid);
        if (err)
            return err;
        return uid == ruid && uid == euid && uid == suid ? OCDN_OK : OCDN_EFORBIDDEN;
    }
    if (!user || *user == '\0')
        return OCDN_EINVAL;
    err = lookup(user, &uid, &gid);
    if (err)
        return err;
    /* A non-root user whose group is root would keep group-root file access. */
    if (uid != 0 && gid == 0)
        return OCDN_EINVAL;
    if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0)
        return OCDN_EIO;
    if (!ids_are(uid, gid))
        return OCDN_EIO;
    if (uid != 0 && (setuid(0) != -1 || setgid(0) != -1))
        return OCDN_EIO;
    return OCDN_OK;
}
