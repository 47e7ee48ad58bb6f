#ifndef COMMON_ROUTELINE_H
#define COMMON_ROUTELINE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "net.h"

/* One learned route as a line of text, the unit of the agent's report:
 *
 *     prefix|as_path|med|communities|next_hop|proto
 *     203.0.113.0/24|65001 64500|50|65001:300 65535:65281|198.18.0.1|isp4
 *
 * as_path: ASNs (1..4294967295) separated by single spaces, possibly empty; med: empty (no
 * MED) or 0..4294967295; communities: printable ASCII without '|', at most 2048 bytes;
 * next_hop: an address or empty; proto: [A-Za-z0-9_.-]{0,63}. A line is at most
 * ROUTELINE_MAX bytes. Reports use one JSON string per route instead of an object because
 * two million jansson objects take gigabytes; one string each is a tenth of that. */

#define ROUTELINE_MAX      4096
#define ROUTELINE_MAX_PATH 255 /* longest AS path accepted (hops, prepends included) */

struct routeline {
    struct net_prefix prefix;
    const char *as_path; /* points into the parsed buffer */
    unsigned as_path_len;
    uint32_t first_as;  /* neighbour AS; 0 when the path is empty */
    uint32_t origin_as; /* last AS of the path; 0 when empty */
    int64_t med;        /* -1 = none */
    const char *communities;
    const char *next_hop;
    const char *proto;
};

/* Parse line (modified in place: '|' become NULs) of len bytes. OCDN_EINVAL with a short
 * reason in *why ("bad prefix", "AS path too long", ...). */
enum ocdn_err routeline_parse(char *line, size_t len, struct routeline *out, const char **why);

/* Format r into buf; returns the length, or -1 if it does not fit or a field is invalid
 * (contains '|' or a newline). */
int routeline_format(const struct routeline *r, char *buf, size_t len);

/* The key of a route in a delta's "del" list: "prefix proto" ("203.0.113.0/24 isp4"). */
enum ocdn_err routeline_parse_key(const char *s, struct net_prefix *prefix, char *proto,
                                  size_t protolen);

#endif
