/* geo.c - great-circle distance between two points given in degrees.
 * Pure functions, no state. The haversine form is used because it stays accurate for the
 * short distances that decide steering ties (the law of cosines loses digits below ~1 km). */
#include "geo.h"

#include <math.h>

#define DEG_TO_RAD (M_PI / 180.0)

bool
geo_coords_valid(double lat, double lon)
{
    return isfinite(lat) && isfinite(lon) && lat >= -90.0 && lat <= 90.0 && lon >= -180.0 &&
           lon <= 180.0;
}

double
geo_distance_km(double lat1, double lon1, double lat2, double lon2)
{
    double phi1 = lat1 * DEG_TO_RAD, phi2 = lat2 * DEG_TO_RAD;
    double dphi = (lat2 - lat1) * DEG_TO_RAD, dlambda = (lon2 - lon1) * DEG_TO_RAD;
    double s1 = sin(dphi / 2.0), s2 = sin(dlambda / 2.0);
    double h = s1 * s1 + cos(phi1) * cos(phi2) * s2 * s2;

    /* Rounding can push h a hair above 1 for antipodal points; asin() would return NaN. */
    if (h > 1.0)
        h = 1.0;
    return 2.0 * GEO_EARTH_RADIUS_KM * asin(sqrt(h));
}
