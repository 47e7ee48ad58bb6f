#ifndef CP_STORE_H
#define CP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The control plane's SQLite database: one struct store per thread (a connection is never
 * shared between threads). store_open() sets WAL, foreign keys and busy_timeout, and with
 * migrate applies the missing schema steps in order (PRAGMA user_version). Query functions
 * live in store_<table>.c; they take org_id wherever tenant data is read (0 = any org, for
 * the admin). */
struct store;

struct store_opts {
    int busy_timeout_ms; /* wait this long for a lock before OCDN_EBUSY */
    bool migrate;        /* apply missing migrations (main thread at startup) */
    bool read_only;      /* open read-only (reporting tools) */
};

/* Open or create path. Without migrate the schema must already be current. A database whose
 * user_version is newer than this binary's schema is refused (OCDN_ECONFLICT). Errors are
 * described in err. */
enum ocdn_err store_open(const char *path, const struct store_opts *opts, struct store **out,
                         char *err, size_t errlen);
/* Finalise cached statements and close; NULL does nothing. */
void store_close(struct store *st);
/* Schema version recorded in the database. */
int store_schema_version(struct store *st);
/* Schema version this binary knows (the number of embedded migrations). */
int store_schema_latest(void);

/* BEGIN IMMEDIATE: take the write lock now, so a writer never fails half-way on a lock. */
enum ocdn_err store_tx_begin(struct store *st);
/* BEGIN (deferred): a consistent snapshot for a group of reads. */
enum ocdn_err store_tx_begin_read(struct store *st);
/* Commit when err is OCDN_OK (returning the commit's result), else roll back and return err. */
enum ocdn_err store_tx_end(struct store *st, enum ocdn_err err);
/* True inside a transaction started by store_tx_begin*(). */
bool store_in_tx(const struct store *st);
/* Text of the last database error on this connection (for logs; never shown to clients). */
const char *store_errmsg(const struct store *st);
/* Rows changed by the last statement. */
int64_t store_changes(struct store *st);

#endif
