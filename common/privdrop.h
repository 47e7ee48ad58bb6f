#ifndef COMMON_PRIVDROP_H
#define COMMON_PRIVDROP_H

#include "err.h"

/* Drop root for good: setgroups -> setresgid -> setresuid to user, each checked, then check
 * that the real, effective and saved ids are no longer 0. Not root: OCDN_OK when user is NULL
 * or names the current user, else OCDN_EFORBIDDEN. Unknown user: OCDN_ENOTFOUND. A failed
 * step: OCDN_EIO (the caller treats it as fatal). */
enum ocdn_err privdrop(const char *user);

#endif
