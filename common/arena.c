/* arena.c - request-scope bump allocator.
 * Owns a chain of blocks; allocations are never freed one by one. The total is capped so that
 * one request cannot take the process's memory. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN     16
#define BLOCK_MIN (16 * 1024)

struct block {
    struct block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(ALIGN) unsigned char data[];
};

struct arena {
    struct block *head; /* current block; older blocks follow */
    size_t max;         /* cap on the sum of block sizes */
    size_t total;       /* sum of block sizes */
    size_t used;        /* bytes handed out */
};

struct arena *
arena_new(size_t max_bytes)
{
    struct arena *a = calloc(1, sizeof(*a));

    if (!a)
        return NULL;
    a->max = max_bytes;
    return a;
}

static void
free_chain(struct block *b)
{
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
}

void
arena_free(struct arena *a)
{
    if (!a)
        return;
    free_chain(a->head);
    free(a);
}

void
arena_reset(struct arena *a)
{
    struct block *last;

    if (!a || !a->head)
        return;
    /* Keep the oldest (first allocated) block: it is the one every request needs. */
    last = a->head;
    while (last->next)
        last = last->next;
    if (last != a->head) {
        struct block *b = a->head;
        while (b->next != last)
            b = b->next;
        b->next = NULL;
        free_chain(a->head);
        a->head = last;
    }
    a->head->used = 0;
    a->total = a->head->size;
    a->used = 0;
}

void *
arena_alloc(struct arena *a, size_t size)
{
    struct block *b;
    size_t need, bsize;
    void *p;

    if (!a)
        return NULL;
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - ALIGN)
        return NULL;
    need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    b = a->head;
    if (!b || b->size - b->used < need) {
        /* Compare by subtraction (total <= max always holds): "total + need" wraps for a
         * size near SIZE_MAX and would let a tiny malloc() through. */
        if (need > a->max - a->total || need > SIZE_MAX - sizeof(*b))
            return NULL;
        bsize = need > BLOCK_MIN ? need : BLOCK_MIN;
        if (b && b->size <= SIZE_MAX / 2 && bsize < b->size * 2)
            bsize = b->size * 2; /* grow geometrically: few blocks for big requests */
        if (bsize > a->max - a->total)
            bsize = a->max - a->total;
        if (bsize > SIZE_MAX - sizeof(*b))
            bsize = SIZE_MAX - sizeof(*b);
        b = malloc(sizeof(*b) + bsize);
        if (!b)
            return NULL;
        b->size = bsize;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        a->total += bsize;
    }
    p = b->data + b->used;
    b->used += need;
    a->used += need;
    return p;
}

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
    void *p;

    if (size && n > SIZE_MAX / size)
        return NULL;
    p = arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
    char *p;

    if (!s || len == SIZE_MAX)
        return NULL;
    p = arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
    if (!s)
        return NULL;
    return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    char *p;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

size_t
arena_used(const struct arena *a)
{
    return a ? a->used : 0;
}
