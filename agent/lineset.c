/* lineset.c - sorted, immutable, reference-counted sets of keyed text lines: the snapshots
 * the reporter compares (catalog ids, route lines). All text of a set lives in one pool so
 * that two million routes cost two allocations, not two million. The builder keeps offsets
 * (the pool moves while it grows) and turns them into pointers once, in finish. */
#include "lineset.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

struct entry {
    size_t key; /* offsets into the pool */
    size_t line;
};

struct lineset_builder {
    struct buf pool;
    struct entry *v;
    size_t n, cap, max_entries;
};

struct lineset {
    atomic_int refs;
    size_t n;
    const char **key;
    const char **line;
    char *pool;
};

struct lineset_builder *
lineset_builder_new(size_t max_entries, size_t max_bytes)
{
    struct lineset_builder *b = calloc(1, sizeof(*b));

    if (!b)
        return NULL;
    buf_init(&b->pool, max_bytes);
    b->max_entries = max_entries;
    return b;
}

enum ocdn_err
lineset_builder_add(struct lineset_builder *b, const char *key, size_t keylen, const char *line,
                    size_t linelen)
{
    size_t need, start = b->pool.len;
    struct entry e;
    enum ocdn_err err;

    if (b->n >= b->max_entries)
        return OCDN_ETOOBIG;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        struct entry *v;

        if (cap > b->max_entries)
            cap = b->max_entries;
        v = reallocarray(b->v, cap, sizeof(*v));
        if (!v)
            return OCDN_ENOMEM;
        b->v = v;
        b->cap = cap;
    }
    need = keylen + 1 + (line ? linelen + 1 : 0);
    if (need > b->pool.max - b->pool.len)
        return OCDN_ETOOBIG;
    e.key = start;
    e.line = start;
    err = buf_append(&b->pool, key, keylen);
    if (!err)
        err = buf_append(&b->pool, "", 1);
    if (!err && line) {
        e.line = b->pool.len;
        err = buf_append(&b->pool, line, linelen);
        if (!err)
            err = buf_append(&b->pool, "", 1);
    }
    if (err) {
        /* buf_append() leaves the buffer as it was on failure, but earlier parts of this
         * entry may be in: cut them off again. */
        b->pool.len = start;
        if (b->pool.data)
            b->pool.data[start] = '\0';
        return err;
    }
    b->v[b->n++] = e;
    return OCDN_OK;
}

size_t
lineset_builder_count(const struct lineset_builder *b)
{
    return b->n;
}

static int
entry_cmp(const void *x, const void *y, void *pool)
{
    const struct entry *a = x, *b = y;

    return strcmp((const char *)pool + a->key, (const char *)pool + b->key);
}

static void
copy_trunc(char *dst, size_t len, const char *src)
{
    size_t n;

    if (!dst || len == 0)
        return;
    n = strlen(src);
    if (n >= len)
        n = len - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void
builder_reset(struct lineset_builder *b)
{
    free(b->v);
    b->v = NULL;
    b->n = 0;
    b->cap = 0;
    buf_clear(&b->pool);
}

enum ocdn_err
lineset_builder_finish(struct lineset_builder *b, struct lineset **out, char *dup, size_t duplen)
{
    struct lineset *s;
    char *pool;
    size_t i;

    *out = NULL;
    if (dup && duplen)
        dup[0] = '\0';
    pool = b->pool.data;
    if (b->n > 1)
        qsort_r(b->v, b->n, sizeof(*b->v), entry_cmp, pool);
    for (i = 1; i < b->n; i++) {
        if (strcmp(pool + b->v[i - 1].key, pool + b->v[i].key) == 0) {
            copy_trunc(dup, duplen, pool + b->v[i].key);
            return OCDN_EEXIST;
        }
    }
    s = calloc(1, sizeof(*s));
    if (!s)
        return OCDN_ENOMEM;
    s->key = calloc(b->n ? b->n : 1, sizeof(*s->key));
    s->line = calloc(b->n ? b->n : 1, sizeof(*s->line));
    if (!s->key || !s->line) {
        free(s->key);
        free(s->line);
        free(s);
        return OCDN_ENOMEM;
    }
    for (i = 0; i < b->n; i++) {
        s->key[i] = pool + b->v[i].key;
        s->line[i] = pool + b->v[i].line;
    }
    s->n = b->n;
    s->pool = buf_take(&b->pool);
    atomic_init(&s->refs, 1);
    builder_reset(b);
    *out = s;
    return OCDN_OK;
}

void
lineset_builder_free(struct lineset_builder *b)
{
    if (!b)
        return;
    builder_reset(b);
    free(b);
}

struct lineset *
lineset_new_empty(void)
{
    struct lineset_builder *b = lineset_builder_new(0, 0);
    struct lineset *s = NULL;

    if (b && lineset_builder_finish(b, &s, NULL, 0) != OCDN_OK)
        s = NULL;
    lineset_builder_free(b);
    return s;
}

struct lineset *
lineset_ref(struct lineset *s)
{
    if (s)
        atomic_fetch_add(&s->refs, 1);
    return s;
}

void
lineset_unref(struct lineset *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    free(s->key);
    free(s->line);
    free(s->pool);
    free(s);
}

size_t
lineset_count(const struct lineset *s)
{
    return s ? s->n : 0;
}

const char *
lineset_key(const struct lineset *s, size_t i)
{
    return s->key[i];
}

const char *
lineset_line(const struct lineset *s, size_t i)
{
    return s->line[i];
}

long
lineset_find(const struct lineset *s, const char *key)
{
    size_t lo = 0, hi = lineset_count(s);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->key[mid], key);

        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

bool
lineset_equal(const struct lineset *a, const struct lineset *b)
{
    size_t i, n = lineset_count(a);

    if (n != lineset_count(b))
        return false;
    if (a == b)
        return true;
    for (i = 0; i < n; i++) {
        if (strcmp(a->key[i], b->key[i]) != 0 || strcmp(a->line[i], b->line[i]) != 0)
            return false;
    }
    return true;
}

enum ocdn_err
lineset_diff(const struct lineset *old, const struct lineset *cur, struct lineset_delta *out)
{
    size_t no = lineset_count(old), nc = lineset_count(cur), i = 0, j = 0;
    const char **add, **del;

    memset(out, 0, sizeof(*out));
    add = calloc(nc ? nc : 1, sizeof(*add));
    del = calloc(no ? no : 1, sizeof(*del));
    if (!add || !del) {
        free(add);
        free(del);
        return OCDN_ENOMEM;
    }
    while (i < no || j < nc) {
        int c = i == no ? 1 : j == nc ? -1 : strcmp(old->key[i], cur->key[j]);

        if (c < 0) {
            del[out->ndel++] = old->key[i++];
        } else if (c > 0) {
            add[out->nadd++] = cur->line[j++];
        } else {
            if (strcmp(old->line[i], cur->line[j]) != 0)
                add[out->nadd++] = cur->line[j];
            i++;
            j++;
        }
    }
    out->add = add;
    out->del = del;
    return OCDN_OK;
}

void
lineset_delta_clear(struct lineset_delta *d)
{
    free(d->add);
    free(d->del);
    memset(d, 0, sizeof(*d));
}
