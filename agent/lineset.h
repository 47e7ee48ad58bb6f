#ifndef AGENT_LINESET_H
#define AGENT_LINESET_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* A snapshot of what the agent reports: a set of text lines, each with a key, sorted by key
 * (bytewise) with no key twice. The catalog is a set of file ids (line = key); the route set
 * holds route lines keyed by "prefix proto" (docs/agent-report.md). A built set is immutable
 * and reference-counted, so it can be handed between threads (STYLE.md 5). */

struct lineset;
struct lineset_builder;

/* New builder that accepts at most max_entries entries and max_bytes bytes of text (keys and
 * lines with their NULs); NULL when out of memory. */
struct lineset_builder *lineset_builder_new(size_t max_entries, size_t max_bytes);

/* Add an entry; line NULL means line = key (one copy). Both are copied and must hold no NUL
 * in their lengths. OCDN_ETOOBIG over a limit, OCDN_ENOMEM; the builder is unchanged then. */
enum ocdn_err lineset_builder_add(struct lineset_builder *b, const char *key, size_t keylen,
                                  const char *line, size_t linelen);

/* Entries added so far. */
size_t lineset_builder_count(const struct lineset_builder *b);

/* Sort and check the entries and make the set (refs = 1), emptying the builder (which may be
 * reused or freed). Two entries with the same key: OCDN_EEXIST with the key copied into
 * dup (truncated to duplen, may be NULL) and no set made; OCDN_ENOMEM. *out is NULL on error. */
enum ocdn_err lineset_builder_finish(struct lineset_builder *b, struct lineset **out, char *dup,
                                     size_t duplen);

/* Free the builder and what it holds; NULL does nothing. */
void lineset_builder_free(struct lineset_builder *b);

/* The empty set (refs = 1); NULL when out of memory. */
struct lineset *lineset_new_empty(void);

/* Take one more reference (thread-safe); returns s. NULL gives NULL. */
struct lineset *lineset_ref(struct lineset *s);
/* Drop a reference; the last one frees. NULL does nothing. */
void lineset_unref(struct lineset *s);

/* Number of entries. */
size_t lineset_count(const struct lineset *s);
/* Key and line of entry i < lineset_count(); borrowed while the caller holds a reference. */
const char *lineset_key(const struct lineset *s, size_t i);
const char *lineset_line(const struct lineset *s, size_t i);
/* Index of key, or -1. */
long lineset_find(const struct lineset *s, const char *key);
/* True when both hold the same keys with the same lines (NULL counts as empty). */
bool lineset_equal(const struct lineset *a, const struct lineset *b);

/* What turns old into cur: "del" keys (in old, not in cur) and "add" lines (in cur and not in
 * old, or in both with a different line; such a key is in add only: the receiver deletes
 * before it adds, and the control plane replaces a route of the same key). Both lists are
 * sorted by key and point into old and cur: valid while both are referenced. */
struct lineset_delta {
    const char **add;
    size_t nadd;
    const char **del;
    size_t ndel;
};

/* Compute the delta from old (NULL = empty) to cur (NULL = empty). OCDN_ENOMEM; *out is zeroed
 * on entry. Free the lists with lineset_delta_clear(). */
enum ocdn_err lineset_diff(const struct lineset *old, const struct lineset *cur,
                           struct lineset_delta *out);
/* Free the lists of d and zero it. */
void lineset_delta_clear(struct lineset_delta *d);

#endif
