#ifndef AGENT_ROUTESET_H
#define AGENT_ROUTESET_H

#include <stddef.h>

#include "err.h"
#include "lineset.h"

/* The route set the agent reports: a lineset of canonical route lines
 * ("prefix|as_path|med|communities|next_hop|proto", common/routeline.h) keyed by the route
 * key of a delta's "del" list ("prefix proto", or "prefix" when proto is empty).
 *
 * Sources: "static" (a file of route lines, here) now; "bird" (the BIRD control socket,
 * bird.c) later produces the same lineset with routeset_add_line(), so the reporter does not
 * change. */

#define ROUTESET_FILE_MAX (512L * 1024 * 1024) /* a static routes file, bytes */

/* Parse one route line (len bytes, no NUL needed), canonicalise it (prefix and next hop in
 * their RFC 5952 / dotted forms, as routeline_format() writes them) and add it to b under its
 * key. OCDN_EINVAL with a reason in *why ("bad prefix", ...); OCDN_ETOOBIG when b is full;
 * OCDN_ENOMEM. */
enum ocdn_err routeset_add_line(struct lineset_builder *b, const char *line, size_t len,
                                const char **why);

/* Parse a static routes text: one route line per line, blank lines and lines whose first
 * non-blank byte is '#' are skipped, a trailing CR and surrounding blanks are ignored ('#'
 * inside a route line is part of it: communities may hold one). At most max_routes routes.
 * On error *out is NULL and err holds "name:line: reason" (OCDN_EINVAL for a bad or
 * duplicate route, OCDN_ETOOBIG for too many); OCDN_ENOMEM. Caller unrefs *out. */
enum ocdn_err routeset_parse(const char *name, const char *text, size_t len, size_t max_routes,
                             struct lineset **out, char *err, size_t errlen);

/* Read path (at most ROUTESET_FILE_MAX bytes) and routeset_parse() it. OCDN_EIO when it
 * cannot be read, OCDN_ETOOBIG when it is larger, else as routeset_parse(). */
enum ocdn_err routeset_load_static(const char *path, size_t max_routes, struct lineset **out,
                                   char *err, size_t errlen);

#endif
