/* routeset.c - route lines into route-set snapshots. Every line is parsed with the control
 * plane's own parser (common/routeline.c) and written back in canonical form, so that the
 * same route always has the same text and key: deltas then compare bytes, and the control
 * plane never sees a line it would refuse. The static source reads a file of such lines. */
#include "routeset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "net.h"
#include "routeline.h"

/* Bytes of text a set may hold: two million routes of about 150 bytes fit with room. */
#define POOL_MAX (1024UL * 1024 * 1024)

enum ocdn_err
routeset_add_line(struct lineset_builder *b, const char *line, size_t len, const char **why)
{
    char in[ROUTELINE_MAX + 1], out[ROUTELINE_MAX + 1], key[NET_PREFIX_STRLEN + 64];
    char nh[NET_ADDR_STRLEN];
    struct routeline r;
    struct net_addr a;
    int n, k;

    *why = NULL;
    if (len > ROUTELINE_MAX) {
        *why = "line too long";
        return OCDN_EINVAL;
    }
    if (memchr(line, '\0', len)) {
        *why = "control or non-ASCII byte";
        return OCDN_EINVAL;
    }
    memcpy(in, line, len);
    in[len] = '\0';
    if (routeline_parse(in, len, &r, why) != OCDN_OK)
        return OCDN_EINVAL;
    if (r.next_hop[0]) {
        if (net_addr_parse(r.next_hop, &a) != OCDN_OK) { /* routeline_parse() checked it */
            *why = "bad next hop";
            return OCDN_EINVAL;
        }
        r.next_hop = net_addr_format(&a, nh, sizeof(nh));
    }
    n = routeline_format(&r, out, sizeof(out));
    if (n < 0) {
        *why = "line too long";
        return OCDN_EINVAL;
    }
    net_prefix_format(&r.prefix, key, sizeof(key));
    k = (int)strlen(key);
    if (r.proto[0])
        k += snprintf(key + k, sizeof(key) - (size_t)k, " %s", r.proto);
    return lineset_builder_add(b, key, (size_t)k, out, (size_t)n);
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

enum ocdn_err
routeset_parse(const char *name, const char *text, size_t len, size_t max_routes,
               struct lineset **out, char *err, size_t errlen)
{
    struct lineset_builder *b;
    const char *p = text, *end = text + len, *why;
    char dup[NET_PREFIX_STRLEN + 64];
    size_t lineno = 0;
    enum ocdn_err e = OCDN_OK;

    *out = NULL;
    b = lineset_builder_new(max_routes, POOL_MAX);
    if (!b)
        return OCDN_ENOMEM;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *s = p, *t = nl ? nl : end;

        p = nl ? nl + 1 : end;
        lineno++;
        if (t > s && t[-1] == '\r')
            t--;
        while (s < t && is_blank(*s))
            s++;
        while (t > s && is_blank(t[-1]))
            t--;
        if (s == t || *s == '#')
            continue;
        e = routeset_add_line(b, s, (size_t)(t - s), &why);
        if (e == OCDN_EINVAL) {
            snprintf(err, errlen, "%s:%zu: %s", name, lineno, why);
            goto out;
        }
        if (e == OCDN_ETOOBIG) {
            snprintf(err, errlen, "%s:%zu: more than %zu routes", name, lineno, max_routes);
            goto out;
        }
        if (e)
            goto out;
    }
    e = lineset_builder_finish(b, out, dup, sizeof(dup));
    if (e == OCDN_EEXIST) {
        snprintf(err, errlen, "%s: route %s is listed twice", name, dup);
        e = OCDN_EINVAL;
    }
out:
    lineset_builder_free(b);
    return e;
}

enum ocdn_err
routeset_load_static(const char *path, size_t max_routes, struct lineset **out, char *err,
                     size_t errlen)
{
    char *text;
    size_t len;
    enum ocdn_err e;

    *out = NULL;
    e = fileio_read(path, ROUTESET_FILE_MAX, &text, &len, err, errlen);
    if (e == OCDN_ENOTFOUND)
        e = OCDN_EIO;
    if (e)
        return e;
    e = routeset_parse(path, text, len, max_routes, out, err, errlen);
    free(text);
    return e;
}
