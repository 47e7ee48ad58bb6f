#ifndef COMMON_ARENA_H
#define COMMON_ARENA_H

#include <stdarg.h>
#include <stddef.h>

/* Request-scope bump allocator with a hard maximum. Everything allocated from an arena is
 * freed at once by arena_free() or arena_reset(); never keep a pointer beyond that. */
struct arena;

/* New arena that refuses to grow beyond max_bytes in total; NULL when out of memory. */
struct arena *arena_new(size_t max_bytes);
/* Free the arena and everything in it; NULL does nothing. */
void arena_free(struct arena *a);
/* Forget every allocation but keep the first block for reuse. */
void arena_reset(struct arena *a);
/* size bytes aligned to 16, uninitialised; NULL when over the maximum or out of memory. */
void *arena_alloc(struct arena *a, size_t size);
/* Like arena_alloc() but zeroed; n * size is checked for overflow. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* Copy of s (NUL-terminated) in the arena; NULL s gives NULL. */
char *arena_strdup(struct arena *a, const char *s);
/* Copy of the first len bytes of s plus a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
/* printf into the arena; NULL on failure. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Bytes handed out so far (for tests and limits). */
size_t arena_used(const struct arena *a);

#endif
