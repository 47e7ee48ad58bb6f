/* routeline.c - the text form of one learned route in agent reports: parse (control plane)
 * and format (agent). Pure functions; every field is bounded and validated because the line
 * comes from the network. */
#include "routeline.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define COMMUNITIES_MAX 2048
#define PROTO_MAX       63

static bool
valid_proto(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++) {
        char c = s[i];
        if (i >= PROTO_MAX)
            return false;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

/* Parse a decimal 0..max without sign or leading zeros (except "0"). */
static bool
parse_u32(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
        return false;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

static enum ocdn_err
parse_path(const char *s, struct routeline *r, const char **why)
{
    const char *p = s;
    uint64_t asn;
    size_t n;

    r->as_path_len = 0;
    r->first_as = 0;
    r->origin_as = 0;
    if (*p == '\0')
        return OCDN_OK;
    for (;;) {
        n = strcspn(p, " ");
        if (!parse_u32(p, n, 4294967295u, &asn) || asn == 0) {
            *why = "bad AS number in AS path";
            return OCDN_EINVAL;
        }
        if (++r->as_path_len > ROUTELINE_MAX_PATH) {
            *why = "AS path too long";
            return OCDN_EINVAL;
        }
        if (r->as_path_len == 1)
            r->first_as = (uint32_t)asn;
        r->origin_as = (uint32_t)asn;
        p += n;
        if (*p == '\0')
            return OCDN_OK;
        p++; /* exactly one space between ASNs */
        if (*p == '\0' || *p == ' ') {
            *why = "bad spacing in AS path";
            return OCDN_EINVAL;
        }
    }
}

enum ocdn_err
routeline_parse(char *line, size_t len, struct routeline *out, const char **why)
{
    char *f[6];
    size_t i, nf = 0;
    uint64_t med;
    struct net_addr nh;

    memset(out, 0, sizeof(*out));
    *why = NULL;
    if (len > ROUTELINE_MAX) {
        *why = "line too long";
        return OCDN_EINVAL;
    }
    f[nf++] = line;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20 || c > 0x7e) {
            *why = "control or non-ASCII byte";
            return OCDN_EINVAL;
        }
        if (c == '|') {
            if (nf == 6) {
                *why = "more than 6 fields";
                return OCDN_EINVAL;
            }
            line[i] = '\0';
            f[nf++] = line + i + 1;
        }
    }
    if (line[len] != '\0') {
        *why = "line not terminated";
        return OCDN_EINVAL;
    }
    if (nf != 6) {
        *why = "expected 6 fields: prefix|as_path|med|communities|next_hop|proto";
        return OCDN_EINVAL;
    }
    if (net_prefix_parse(f[0], &out->prefix) != OCDN_OK) {
        *why = "bad prefix";
        return OCDN_EINVAL;
    }
    if (parse_path(f[1], out, why) != OCDN_OK)
        return OCDN_EINVAL;
    out->as_path = f[1];
    out->med = -1;
    if (*f[2]) {
        if (!parse_u32(f[2], strlen(f[2]), 4294967295u, &med)) {
            *why = "bad MED";
            return OCDN_EINVAL;
        }
        out->med = (int64_t)med;
    }
    if (strlen(f[3]) > COMMUNITIES_MAX) {
        *why = "communities too long";
        return OCDN_EINVAL;
    }
    out->communities = f[3];
    if (*f[4] && net_addr_parse(f[4], &nh) != OCDN_OK) {
        *why = "bad next hop";
        return OCDN_EINVAL;
    }
    out->next_hop = f[4];
    if (!valid_proto(f[5])) {
        *why = "bad protocol name";
        return OCDN_EINVAL;
    }
    out->proto = f[5];
    return OCDN_OK;
}

static bool
clean_field(const char *s)
{
    return s && strpbrk(s, "|\n\r") == NULL;
}

int
routeline_format(const struct routeline *r, char *buf, size_t len)
{
    char p[NET_PREFIX_STRLEN], med[24] = "";
    int n;

    if (!clean_field(r->as_path) || !clean_field(r->communities) || !clean_field(r->next_hop) ||
        !clean_field(r->proto))
        return -1;
    net_prefix_format(&r->prefix, p, sizeof(p));
    if (r->med >= 0)
        snprintf(med, sizeof(med), "%lld", (long long)r->med);
    n = snprintf(buf, len, "%s|%s|%s|%s|%s|%s", p, r->as_path, med, r->communities, r->next_hop,
                 r->proto);
    if (n < 0 || (size_t)n >= len || n > ROUTELINE_MAX)
        return -1;
    return n;
}

enum ocdn_err
routeline_parse_key(const char *s, struct net_prefix *prefix, char *proto, size_t protolen)
{
    char p[NET_PREFIX_STRLEN + 1];
    const char *sp = strchr(s, ' ');
    size_t n;

    if (!sp)
        sp = s + strlen(s);
    n = (size_t)(sp - s);
    if (n == 0 || n >= sizeof(p))
        return OCDN_EINVAL;
    memcpy(p, s, n);
    p[n] = '\0';
    if (net_prefix_parse(p, prefix) != OCDN_OK)
        return OCDN_EINVAL;
    if (*sp == ' ')
        sp++;
    if (!valid_proto(sp) || strlen(sp) >= protolen)
        return OCDN_EINVAL;
    snprintf(proto, protolen, "%s", sp);
    return OCDN_OK;
}
