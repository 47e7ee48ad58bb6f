/* geoip.c - client address -> coordinates and country via libmaxminddb.
 * Owns one memory-mapped MMDB_s; lookups only read it, so every HTTP thread may call
 * geoip_locate() at once. Talks to nothing else; the steering engine reaches it through the
 * lazy geo callback that the HTTP layer wires up. */
#include "geoip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geo.h"
#include "log.h"

struct geoip {
    MMDB_s db;
};

enum ocdn_err
geoip_open(const char *path, struct geoip **out, char *err, size_t errlen)
{
    struct geoip *g;
    struct stat st;
    int rc;

    *out = NULL;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? OCDN_ENOTFOUND : OCDN_EIO;
    }
    g = calloc(1, sizeof(*g));
    if (!g)
        return OCDN_ENOMEM;
    rc = MMDB_open(path, MMDB_MODE_MMAP, &g->db);
    if (rc != MMDB_SUCCESS) {
        snprintf(err, errlen, "%s: %s", path, MMDB_strerror(rc));
        free(g);
        return rc == MMDB_OUT_OF_MEMORY_ERROR ? OCDN_ENOMEM : OCDN_EINVAL;
    }
    *out = g;
    return OCDN_OK;
}

enum ocdn_err
geoip_open_optional(const char *path, struct geoip **out, char *err, size_t errlen)
{
    enum ocdn_err e;

    e = geoip_open(path, out, err, errlen);
    if (e == OCDN_ENOTFOUND) {
        log_warnx("geoip: database missing, geo disabled path=%s", path);
        return OCDN_OK;
    }
    return e;
}

void
geoip_close(struct geoip *g)
{
    if (!g)
        return;
    MMDB_close(&g->db);
    free(g);
}

const char *
geoip_db_type(const struct geoip *g)
{
    return g && g->db.metadata.database_type ? g->db.metadata.database_type : "";
}

/* A double at the given path of the entry; false when absent or of another type. */
static bool
get_double(MMDB_entry_s *entry, double *v, const char *k1, const char *k2)
{
    MMDB_entry_data_s d;

    if (MMDB_get_value(entry, &d, k1, k2, NULL) != MMDB_SUCCESS || !d.has_data ||
        d.type != MMDB_DATA_TYPE_DOUBLE)
        return false;
    *v = d.double_value;
    return true;
}

/* A two-letter ISO code at k1/iso_code; false when absent or malformed. */
static bool
get_iso(MMDB_entry_s *entry, const char *k1, char out[3])
{
    MMDB_entry_data_s d;

    if (MMDB_get_value(entry, &d, k1, "iso_code", NULL) != MMDB_SUCCESS || !d.has_data ||
        d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
        return false;
    if (d.utf8_string[0] < 'A' || d.utf8_string[0] > 'Z' || d.utf8_string[1] < 'A' ||
        d.utf8_string[1] > 'Z')
        return false;
    out[0] = d.utf8_string[0];
    out[1] = d.utf8_string[1];
    out[2] = '\0';
    return true;
}

enum ocdn_err
geoip_locate(const struct geoip *g, const struct net_addr *a, struct geoip_loc *out)
{
    struct sockaddr_storage ss;
    MMDB_lookup_result_s res;
    struct geoip_loc loc;
    int mmdb_err = MMDB_SUCCESS;

    memset(out, 0, sizeof(*out));
    if (!g)
        return OCDN_ENOTFOUND;
    memset(&ss, 0, sizeof(ss));
    if (a->family == NET_V4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, a->bytes, 4);
    } else if (a->family == NET_V6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, a->bytes, 16);
    } else {
        return OCDN_EINVAL;
    }
    /* libmaxminddb takes a non-const MMDB_s but does not modify it during lookups. */
    res = MMDB_lookup_sockaddr((MMDB_s *)(uintptr_t)&g->db, (struct sockaddr *)&ss, &mmdb_err);
    if (mmdb_err != MMDB_SUCCESS)
        return OCDN_EIO;
    if (!res.found_entry)
        return OCDN_ENOTFOUND;
    memset(&loc, 0, sizeof(loc));
    if (get_double(&res.entry, &loc.lat, "location", "latitude") &&
        get_double(&res.entry, &loc.lon, "location", "longitude") &&
        geo_coords_valid(loc.lat, loc.lon))
        loc.has_coords = true;
    else
        loc.lat = loc.lon = 0.0;
    if (!get_iso(&res.entry, "country", loc.country))
        (void)get_iso(&res.entry, "registered_country", loc.country);
    if (!loc.has_coords && loc.country[0] == '\0')
        return OCDN_ENOTFOUND;
    *out = loc;
    return OCDN_OK;
}
