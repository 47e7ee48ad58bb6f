/* store.c - open the SQLite database, migrate it, cache prepared statements, transactions.
 * One struct store per thread owns one connection and its statement cache. The migrations come
 * from schema/NNN_*.sql, embedded at build time (schema.h); each is applied in its own
 * transaction together with the new user_version, so a crash never leaves half a step. */
#include "store.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "store_int.h"

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmts[STORE_MAX_STMTS];
    bool in_tx;
    char errmsg[256];
};

static atomic_int next_slot = 1;

int
store_schema_latest(void)
{
    return (int)schema_nsteps;
}

sqlite3 *
store_db(struct store *st)
{
    return st->db;
}

const char *
store_errmsg(const struct store *st)
{
    return st->errmsg;
}

int64_t
store_changes(struct store *st)
{
    return sqlite3_changes64(st->db);
}

bool
store_in_tx(const struct store *st)
{
    return st->in_tx;
}

enum ocdn_err
store_rc(struct store *st, int rc)
{
    int primary = rc & 0xff;

    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE)
        return OCDN_OK;
    snprintf(st->errmsg, sizeof(st->errmsg), "%s (%d)", sqlite3_errmsg(st->db), rc);
    switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return OCDN_EBUSY;
    case SQLITE_NOMEM:
        return OCDN_ENOMEM;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return OCDN_EEXIST;
        return OCDN_ECONFLICT;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
        return OCDN_EIO;
    default:
        return OCDN_EDB;
    }
}

static int
slot_of(struct store_sql *q)
{
    int slot = atomic_load_explicit((atomic_int *)&q->slot, memory_order_acquire);
    int want;

    if (slot)
        return slot;
    /* Two threads may race for the first use; only one assignment wins. */
    want = atomic_fetch_add(&next_slot, 1);
    slot = 0;
    if (!atomic_compare_exchange_strong((atomic_int *)&q->slot, &slot, want))
        return slot;
    return want;
}

sqlite3_stmt *
store_stmt(struct store *st, struct store_sql *q)
{
    int slot = slot_of(q);
    sqlite3_stmt *s;
    int rc;

    if (slot <= 0 || slot >= STORE_MAX_STMTS) {
        snprintf(st->errmsg, sizeof(st->errmsg), "statement cache full (slot %d)", slot);
        return NULL;
    }
    s = st->stmts[slot];
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return s;
    }
    rc = sqlite3_prepare_v3(st->db, q->text, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
        store_rc(st, rc);
        return NULL;
    }
    st->stmts[slot] = s;
    return s;
}

enum ocdn_err
store_exec_stmt(struct store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    enum ocdn_err err;

    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        err = OCDN_OK;
    else
        err = store_rc(st, rc);
    sqlite3_reset(s);
    return err;
}

const char *
store_col_text(sqlite3_stmt *s, int col, struct arena *a)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    int n = sqlite3_column_bytes(s, col);

    if (!t)
        return arena_strdup(a, "");
    return arena_strndup(a, (const char *)t, (size_t)n);
}

const char *
store_col_text_null(sqlite3_stmt *s, int col, struct arena *a)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return NULL;
    return store_col_text(s, col, a);
}

enum ocdn_err
store_rows(struct store *st, sqlite3_stmt *s, size_t limit, struct arena *a, size_t elem_size,
           store_row_fn *fn, void **out, size_t *n)
{
    unsigned char *v;
    enum ocdn_err err = OCDN_OK;
    size_t cnt = 0;
    int rc = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    v = arena_calloc(a, limit ? limit : 1, elem_size);
    if (!v) {
        sqlite3_reset(s);
        return OCDN_ENOMEM;
    }
    while (cnt < limit) {
        rc = sqlite3_step(s);
        if (rc != SQLITE_ROW)
            break;
        err = fn(s, a, v + cnt * elem_size);
        if (err)
            break;
        cnt++;
    }
    if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
        err = store_rc(st, rc);
    sqlite3_reset(s);
    if (err)
        return err;
    *out = v;
    *n = cnt;
    return OCDN_OK;
}

enum ocdn_err
store_row1(struct store *st, sqlite3_stmt *s, struct arena *a, store_row_fn *fn, void *out)
{
    enum ocdn_err err;
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW)
        err = fn(s, a, out);
    else if (rc == SQLITE_DONE)
        err = OCDN_ENOTFOUND;
    else
        err = store_rc(st, rc);
    sqlite3_reset(s);
    return err;
}

enum ocdn_err
store_update_one(struct store *st, sqlite3_stmt *s, struct store_sql *exists, int64_t id,
                 int64_t org_id)
{
    sqlite3_stmt *e;
    enum ocdn_err err = store_exec_stmt(st, s);
    int64_t found;

    if (err || store_changes(st) == 1)
        return err;
    e = store_stmt(st, exists);
    if (!e)
        return OCDN_EDB;
    sqlite3_bind_int64(e, 1, id);
    sqlite3_bind_int64(e, 2, org_id);
    err = store_int1(st, e, &found);
    if (err)
        return err;
    return found ? OCDN_ECONFLICT : OCDN_ENOTFOUND;
}

enum ocdn_err
store_int1(struct store *st, sqlite3_stmt *s, int64_t *out)
{
    int rc = sqlite3_step(s);

    *out = 0;
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? OCDN_OK : store_rc(st, rc);
}

int
store_bind_text(sqlite3_stmt *s, int idx, const char *text)
{
    if (!text)
        return sqlite3_bind_null(s, idx);
    return sqlite3_bind_text(s, idx, text, -1, SQLITE_TRANSIENT);
}

static enum ocdn_err
exec(struct store *st, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK) {
        enum ocdn_err err = store_rc(st, rc);

        snprintf(st->errmsg, sizeof(st->errmsg), "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return err ? err : OCDN_EDB;
    }
    return OCDN_OK;
}

int
store_schema_version(struct store *st)
{
    sqlite3_stmt *s;
    int v = -1;

    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

enum ocdn_err
store_tx_begin(struct store *st)
{
    enum ocdn_err err;

    if (st->in_tx) {
        snprintf(st->errmsg, sizeof(st->errmsg), "nested transaction");
        return OCDN_EDB;
    }
    err = exec(st, "BEGIN IMMEDIATE");
    if (!err)
        st->in_tx = true;
    return err;
}

enum ocdn_err
store_tx_begin_read(struct store *st)
{
    enum ocdn_err err;

    if (st->in_tx) {
        snprintf(st->errmsg, sizeof(st->errmsg), "nested transaction");
        return OCDN_EDB;
    }
    err = exec(st, "BEGIN");
    if (!err)
        st->in_tx = true;
    return err;
}

enum ocdn_err
store_tx_end(struct store *st, enum ocdn_err err)
{
    enum ocdn_err cerr;

    if (!st->in_tx)
        return err;
    st->in_tx = false;
    if (err == OCDN_OK) {
        cerr = exec(st, "COMMIT");
        if (cerr == OCDN_OK)
            return OCDN_OK;
        /* A failed COMMIT leaves the transaction open; roll it back so the connection is
         * usable again. */
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return cerr;
    }
    if (sqlite3_get_autocommit(st->db) == 0)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}

static enum ocdn_err
migrate(struct store *st, char *errbuf, size_t errlen)
{
    enum ocdn_err err;
    int version;
    unsigned i;
    char sql[64];

    err = store_tx_begin(st);
    if (err) {
        snprintf(errbuf, errlen, "cannot lock the database to migrate it: %s", st->errmsg);
        return err;
    }
    /* Read the version inside the write lock: another process may have just migrated. */
    version = store_schema_version(st);
    if (version < 0) {
        snprintf(errbuf, errlen, "cannot read the schema version: %s", sqlite3_errmsg(st->db));
        return store_tx_end(st, OCDN_EDB);
    }
    if (version > (int)schema_nsteps) {
        snprintf(errbuf, errlen,
                 "database schema version %d is newer than this program's (%u): refusing to "
                 "open it; run a newer ocdn-controlplane",
                 version, schema_nsteps);
        return store_tx_end(st, OCDN_ECONFLICT);
    }
    for (i = (unsigned)version; i < schema_nsteps; i++) {
        err = exec(st, schema_steps[i].sql);
        if (err) {
            snprintf(errbuf, errlen, "migration %s failed: %s", schema_steps[i].name, st->errmsg);
            return store_tx_end(st, err);
        }
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", schema_steps[i].version);
        err = exec(st, sql);
        if (err) {
            snprintf(errbuf, errlen, "cannot record schema version %d: %s", schema_steps[i].version,
                     st->errmsg);
            return store_tx_end(st, err);
        }
    }
    err = store_tx_end(st, OCDN_OK);
    if (err)
        snprintf(errbuf, errlen, "cannot commit the migration: %s", st->errmsg);
    return err;
}

enum ocdn_err
store_open(const char *path, const struct store_opts *opts, struct store **out, char *errbuf,
           size_t errlen)
{
    struct store *st;
    enum ocdn_err err;
    char sql[64];
    int flags, rc, version;

    *out = NULL;
    st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, errlen, "out of memory");
        return OCDN_ENOMEM;
    }
    flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    flags |= opts->read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    rc = sqlite3_open_v2(path, &st->db, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "cannot open database %s: %s", path,
                 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        err = OCDN_EIO;
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    rc = sqlite3_busy_timeout(st->db, opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : 5000);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "busy_timeout: %s", sqlite3_errmsg(st->db));
        err = OCDN_EDB;
        goto fail;
    }
    /* synchronous=FULL in WAL mode: a COMMIT that returned is on disk, so an acknowledged
     * report survives a power cut, not only a crash of the process. */
    if (!opts->read_only) {
        err = exec(st, "PRAGMA journal_mode = WAL");
        if (!err)
            err = exec(st, "PRAGMA synchronous = FULL");
        if (err) {
            snprintf(errbuf, errlen, "cannot set WAL mode on %s: %s", path, st->errmsg);
            goto fail;
        }
    }
    err = exec(st, "PRAGMA foreign_keys = ON");
    if (!err) {
        snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", 32 * 1024); /* 32 MiB */
        err = exec(st, sql);
    }
    if (err) {
        snprintf(errbuf, errlen, "cannot set pragmas on %s: %s", path, st->errmsg);
        goto fail;
    }
    if (opts->migrate && !opts->read_only) {
        err = migrate(st, errbuf, errlen);
        if (err)
            goto fail;
    }
    version = store_schema_version(st);
    if (version != (int)schema_nsteps) {
        snprintf(errbuf, errlen,
                 version > (int)schema_nsteps
                     ? "database schema version %d is newer than this program's (%u)"
                     : "database schema version %d, this program needs %u (not migrated)",
                 version, schema_nsteps);
        err = OCDN_ECONFLICT;
        goto fail;
    }
    *out = st;
    return OCDN_OK;
fail:
    store_close(st);
    return err;
}

void
store_close(struct store *st)
{
    size_t i;

    if (!st)
        return;
    for (i = 0; i < STORE_MAX_STMTS; i++)
        sqlite3_finalize(st->stmts[i]);
    sqlite3_close(st->db);
    free(st);
}
