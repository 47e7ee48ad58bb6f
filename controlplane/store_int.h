#ifndef CP_STORE_INT_H
#define CP_STORE_INT_H

/* Internal to store*.c: prepared-statement cache and row helpers. Nothing outside the store
 * includes this header (STYLE.md 8: only store_*.c touch SQL). */

#include <sqlite3.h>

#include "arena.h"
#include "store.h"

/* A statement text with a process-wide slot number assigned on first use; each connection
 * caches its prepared statement in that slot. Declare with STORE_SQL(name, "SELECT ..."). */
struct store_sql {
    const char *text;
    int slot; /* 0 = not yet assigned; accessed atomically */
};
#define STORE_SQL(name, sql) static struct store_sql name = {sql, 0}
#define STORE_MAX_STMTS      512

/* The connection's prepared statement for q, reset and with bindings cleared; NULL on error
 * (store_errmsg() tells why). Valid until the next store_stmt() for the same q. */
sqlite3_stmt *store_stmt(struct store *st, struct store_sql *q);
/* The connection itself. */
sqlite3 *store_db(struct store *st);
/* Map an SQLite result code to an ocdn_err (SQLITE_OK/ROW/DONE -> OCDN_OK; BUSY/LOCKED ->
 * OCDN_EBUSY; UNIQUE/PRIMARY KEY -> OCDN_EEXIST; other constraints -> OCDN_ECONFLICT; else
 * OCDN_EDB) and remember the message. */
enum ocdn_err store_rc(struct store *st, int rc);
/* Step a statement that returns no rows. */
enum ocdn_err store_exec_stmt(struct store *st, sqlite3_stmt *s);
/* Copy of column col as text in the arena ("" for NULL); NULL when the arena is full. */
const char *store_col_text(sqlite3_stmt *s, int col, struct arena *a);
/* Column col as text or NULL (for NULL columns), copied into the arena. */
const char *store_col_text_null(sqlite3_stmt *s, int col, struct arena *a);
/* Fills one element of a result array from the current row; strings go into a. */
typedef enum ocdn_err store_row_fn(sqlite3_stmt *s, struct arena *a, void *elem);
/* Step s (bound by the caller) and convert up to limit rows with fn into a new array of
 * elem_size elements in a; the statement is reset afterwards. */
enum ocdn_err store_rows(struct store *st, sqlite3_stmt *s, size_t limit, struct arena *a,
                         size_t elem_size, store_row_fn *fn, void **out, size_t *n);
/* Step s for exactly one row into out; OCDN_ENOTFOUND when there is none. */
enum ocdn_err store_row1(struct store *st, sqlite3_stmt *s, struct arena *a, store_row_fn *fn,
                         void *out);
/* Step s for one row and return its first column as an integer (a query such as count(*)
 * that always yields a row). */
enum ocdn_err store_int1(struct store *st, sqlite3_stmt *s, int64_t *out);
/* After an UPDATE guarded by a state condition (s, already bound) ran: OCDN_OK when it
 * changed one row; otherwise tell why with exists (SELECT 1 ... WHERE id = ?1 AND (?2 = 0 OR
 * org_id = ?2)): OCDN_ECONFLICT when the row is there (it is in another state),
 * OCDN_ENOTFOUND when it is not (or belongs to another org). */
enum ocdn_err store_update_one(struct store *st, sqlite3_stmt *s, struct store_sql *exists,
                               int64_t id, int64_t org_id);
/* Bind text (NULL binds SQL NULL). */
int store_bind_text(sqlite3_stmt *s, int idx, const char *text);

#endif
