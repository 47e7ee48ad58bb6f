#ifndef CP_GEO_H
#define CP_GEO_H

#include <stdbool.h>

/* Great-circle geometry on a spherical Earth, for steering (client to site distance) and
 * fill-source choice. Coordinates are decimal degrees, distances kilometres. */

#define GEO_EARTH_RADIUS_KM 6371.0088 /* IUGG mean radius */

/* True when lat is in [-90, 90], lon in [-180, 180] and both are finite. */
bool geo_coords_valid(double lat, double lon);
/* Great-circle distance in km (haversine formula); callers pass valid coordinates. */
double geo_distance_km(double lat1, double lon1, double lat2, double lon2);

#endif
