#ifndef COMMON_ERR_H
#define COMMON_ERR_H

/* Error codes shared by every module. 0 is success; see STYLE.md section 4. */
enum ocdn_err {
    OCDN_OK = 0,
    OCDN_EINVAL,    /* bad input from a caller, peer or file */
    OCDN_ENOTFOUND, /* no such object (or not the caller's) */
    OCDN_EEXIST,    /* already exists */
    OCDN_ECONFLICT, /* state or version conflict */
    OCDN_EFORBIDDEN,
    OCDN_ENOMEM,
    OCDN_EIO,       /* disk, socket */
    OCDN_EDB,       /* database error */
    OCDN_EBUSY,     /* try again later */
    OCDN_EUPSTREAM, /* control plane, fill source or BIRD misbehaved */
    OCDN_ETOOBIG,   /* input over its size limit */
    OCDN_EUNAUTH,   /* no or invalid credentials */
    OCDN_ERR_COUNT
};

/* Short constant name of err ("EINVAL"); never NULL. */
const char *ocdn_err_str(enum ocdn_err err);

#endif
