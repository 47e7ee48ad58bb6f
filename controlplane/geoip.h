#ifndef CP_GEOIP_H
#define CP_GEOIP_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "net.h"

/* Client coordinates and country from a MaxMind GeoLite2/GeoIP2 City database (.mmdb, read
 * with libmaxminddb). The database is optional: without it, steering has no client position
 * and the speed test no country. */

struct geoip;

struct geoip_loc {
    bool has_coords; /* lat/lon valid */
    double lat, lon;
    char country[3]; /* ISO 3166-1 alpha-2 ("US"); "" when the database has none */
};

/* Open the database at path; caller frees with geoip_close(). OCDN_ENOTFOUND when the file
 * does not exist, OCDN_EINVAL when it is not a readable MMDB file (reason in err). */
enum ocdn_err geoip_open(const char *path, struct geoip **out, char *err, size_t errlen);
/* Like geoip_open(), but a missing file is not an error: it logs a warning ("geo disabled")
 * and sets *out to NULL, which geoip_locate() accepts. Other failures are returned. */
enum ocdn_err geoip_open_optional(const char *path, struct geoip **out, char *err, size_t errlen);
void geoip_close(struct geoip *g);
/* Locate a; OCDN_ENOTFOUND when g is NULL or the database knows neither coordinates nor a
 * country for a, OCDN_EIO on a corrupt database. Thread-safe (the database is read-only). */
enum ocdn_err geoip_locate(const struct geoip *g, const struct net_addr *a, struct geoip_loc *out);
/* Database type from its metadata ("GeoLite2-City"), borrowed until geoip_close(). */
const char *geoip_db_type(const struct geoip *g);

#endif
