/* steer_mem.c - large arrays of the steering engine: the route tables and the build's scratch.
 * Arrays of 1 MiB or more come straight from mmap, 2 MiB aligned, with a huge-page hint: in
 * this kind of VM a first touch of a 4 KiB page costs about 10 us (0.4 GB/s, measured), a
 * 2 MiB page 15-40x less per byte, and random lookups take fewer TLB misses. Space is
 * reserved (MAP_NORESERVE) rather than committed, so an array can be sized for the worst case
 * and only the pages written cost memory; steer_mem_shrink() gives back the unused tail.
 * Smaller arrays use malloc: a huge page per small array would waste memory. The caller
 * passes the size back on free, which tells the two apart. */
#include "steer_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE  ((size_t)2 << 20)
#define MMAP_BYTES ((size_t)1 << 20) /* from this size up, arrays are mmap'd */

static size_t
page_up(size_t n, size_t page)
{
    return (n + page - 1) & ~(page - 1);
}

void *
steer_mem_alloc(size_t bytes)
{
    size_t len, head;
    uint8_t *p;

    if (bytes < MMAP_BYTES)
        return calloc(1, bytes ? bytes : 1);
    len = page_up(bytes, HUGE_PAGE);
    /* Over-allocate by one huge page and trim both ends to get a 2 MiB aligned range. */
    p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    head = (HUGE_PAGE - ((uintptr_t)p & (HUGE_PAGE - 1))) & (HUGE_PAGE - 1);
    if (head)
        munmap(p, head);
    if (HUGE_PAGE - head)
        munmap(p + head + len, HUGE_PAGE - head);
    (void)madvise(p + head, len, MADV_HUGEPAGE); /* a hint; may fail */
    return p + head;
}

void
steer_mem_free(void *p, size_t bytes)
{
    if (!p)
        return;
    if (bytes < MMAP_BYTES)
        free(p);
    else
        munmap(p, page_up(bytes, HUGE_PAGE));
}

size_t
steer_mem_shrink(void *p, size_t bytes, size_t used)
{
    size_t have, keep;

    if (!p || bytes < MMAP_BYTES)
        return bytes;
    have = page_up(bytes, HUGE_PAGE);
    /* The array keeps its size class (and so its way of being freed): only whole huge pages
     * past the used part go back. */
    keep = page_up(used < MMAP_BYTES ? MMAP_BYTES : used, HUGE_PAGE);
    if (keep < have)
        munmap((uint8_t *)p + keep, have - keep);
    return keep < have ? keep : bytes;
}

void *
steer_scratch_get(struct steer_scratch *sc, size_t bytes)
{
    if (sc->p && sc->bytes >= bytes)
        return sc->p;
    steer_scratch_clear(sc);
    sc->p = steer_mem_alloc(bytes);
    sc->bytes = sc->p ? bytes : 0;
    return sc->p;
}

void
steer_scratch_idle(struct steer_scratch *sc)
{
    /* Pages stay mapped (a rebuild finds them without faults) unless the kernel needs them;
     * then they come back zeroed on the next touch. Small arrays stay with malloc. */
    if (sc->p && sc->bytes >= MMAP_BYTES)
        (void)madvise(sc->p, page_up(sc->bytes, HUGE_PAGE), MADV_FREE);
}

void
steer_scratch_clear(struct steer_scratch *sc)
{
    steer_mem_free(sc->p, sc->bytes);
    sc->p = NULL;
    sc->bytes = 0;
}
