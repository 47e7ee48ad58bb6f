/* err.c - names of the shared error codes.
 * Used in logs and in tests; the HTTP status mapping lives in controlplane/http.c. */
#include "err.h"

static const char *const names[OCDN_ERR_COUNT] = {
    [OCDN_OK] = "OK",
    [OCDN_EINVAL] = "EINVAL",
    [OCDN_ENOTFOUND] = "ENOTFOUND",
    [OCDN_EEXIST] = "EEXIST",
    [OCDN_ECONFLICT] = "ECONFLICT",
    [OCDN_EFORBIDDEN] = "EFORBIDDEN",
    [OCDN_ENOMEM] = "ENOMEM",
    [OCDN_EIO] = "EIO",
    [OCDN_EDB] = "EDB",
    [OCDN_EBUSY] = "EBUSY",
    [OCDN_EUPSTREAM] = "EUPSTREAM",
    [OCDN_ETOOBIG] = "ETOOBIG",
    [OCDN_EUNAUTH] = "EUNAUTH",
};

const char *
ocdn_err_str(enum ocdn_err err)
{
    if ((unsigned)err >= OCDN_ERR_COUNT)
        return "EUNKNOWN";
    return names[err];
}
