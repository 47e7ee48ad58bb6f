#ifndef COMMON_PRIVDROP_H
#define COMMON_PRIVDROP_H

#include "err.h"

/* Drop root for good: setgroups (to the user's primary group only) -> setresgid ->
 * setresuid to user, each checked, then check that the real, effective and saved ids are the
 * user's (so no longer 0 unless user is root) and that setuid(0) fails. Not root: OCDN_OK when
 * user is NULL or names the current user, else OCDN_EFORBIDDEN; OCDN_EIO if the real or saved
 * uid is still 0. As root: user NULL or "", or a non-root user whose group is 0 ->
 * OCDN_EINVAL, nothing changed. Unknown user: OCDN_ENOTFOUND. A failed step: OCDN_EIO (the
 * caller treats it as fatal). */
enum ocdn_err privdrop(const char *user);

#endif
